"""``corridor route FROM TO ...``."""

from __future__ import annotations

import argparse

from planner import (
    DEFAULT_K,
    DEFAULT_MAX_SHARED_FRACTION,
    DEFAULT_MAX_STRETCH,
    MAX_K,
    ContainerType,
    Network,
    Rank,
    Route,
    RouteRequest,
    ServiceLevel,
    load_network,
    load_scenario,
    plan,
    plan_with_scenario,
    resolve_request,
)
from planner.export import request_to_dict, route_to_dict, scenario_plan_to_dict

from ._help import SHIPMENT, TIMES, command_parser, output_options, ranks_help
from ._output import print_json
from ._text import (
    format_arrival,
    format_legs,
    format_month,
    format_request,
    format_routes,
    format_scenario_routes,
    paragraph,
)


def add_route_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``route`` and ``compare``."""
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--teu", type=float, metavar="N", help="shipment size in TEU (default 1; a 40ft box is 2 TEU)")
    size.add_argument("--tonnes", type=float, metavar="N", help="shipment size in tonnes of bulk (whole wagons, trucks, boxes)")
    parser.add_argument(
        "--service",
        default="scheduled",
        choices=[s.value for s in ServiceLevel],
        help="express, scheduled (default) or standard: which dwell, queues and waits apply (see below)",
    )
    parser.add_argument(
        "--container", choices=[c.value for c in ContainerType], help="box for --teu: 20ft (default), 40ft, 40hc"
    )
    parser.add_argument(
        "--departure-date",
        metavar="YYYY-MM-DD",
        help="day the cargo is ready: exact waits where weekdays are published, and arrival dates",
    )
    parser.add_argument("--month", type=int, metavar="1-12", help="seasonal waits of this month (default: the departure date's)")
    parser.add_argument("--avoid-country", action="append", default=[], metavar="CC", help="ISO code (KZ, RU); repeatable")
    parser.add_argument("--avoid-place", action="append", default=[], metavar="P", help="place id or name; repeatable")
    parser.add_argument("--avoid-link", action="append", default=[], metavar="ID", help="link id (l084); repeatable")
    parser.add_argument("--modes", metavar="M,M", help="comma-separated subset of rail,road,sea (default: all)")
    parser.add_argument("--via", action="append", default=[], metavar="P", help="pass this place; ordered, repeatable")
    parser.add_argument("--max-border-crossings", type=int, metavar="N", help="at most N borders crossed")
    parser.add_argument("--max-transshipments", type=int, metavar="N", help="at most N changes of mode")
    parser.add_argument("--network", metavar="FILE", help="network file (default: the bundled network)")
    output_options(parser)


def request_of(
    network: Network,
    args: argparse.Namespace,
    *,
    rank: str,
    k: int = DEFAULT_K,
    corridor: str | None = None,
    max_shared_fraction: float = DEFAULT_MAX_SHARED_FRACTION,
    max_stretch: float = DEFAULT_MAX_STRETCH,
) -> RouteRequest:
    """The request the shared route options of ``args`` describe."""
    return resolve_request(
        network,
        args.origin,
        args.destination,
        rank=rank,
        k=k,
        teu=args.teu,
        tonnes=args.tonnes,
        avoid_countries=args.avoid_country,
        avoid_places=args.avoid_place,
        avoid_links=args.avoid_link,
        modes=[m for m in args.modes.split(",") if m.strip()] if args.modes else None,
        via=args.via,
        corridor=corridor,
        max_border_crossings=args.max_border_crossings,
        max_transshipments=args.max_transshipments,
        max_shared_fraction=max_shared_fraction,
        service=args.service,
        container=args.container,
        departure_date=args.departure_date,
        month=args.month,
        max_stretch=max_stretch,
    )


_EPILOG = f"""
{ranks_help()}

{SHIPMENT}

{TIMES}

examples:
  corridor route "Xi'an" Tashkent
  corridor route "Xi'an" Tashkent --rank cost --k 5 --max-stretch 2
  corridor route Urumqi Tbilisi --modes rail,sea --month 12 --k 1 --legs
  corridor route Xian Duisburg --service express --departure-date 2025-03-08
  corridor route "Xi'an" Duisburg --avoid-country RU --tonnes 25
  corridor route Kashgar Tashkent --rank cost --scenario cku_opened
  corridor route "Xi'an" Tashkent --json | jq '.routes[0].legs'
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "route",
        help="ranked routes between two places",
        description="""
            The best routes from FROM to TO, ranked by time, cost, CO2e, generalized cost, reliability
            (P90) or as a Pareto front, one line each: days, USD, kg CO2e, km, borders crossed,
            transshipments and the places passed. Alternatives differ where a planner decides something
            (another border crossing or main corridor); fewer than --k come back, with a note saying why,
            rather than detours. With --scenario each route is shown on today's network, under the
            scenario and the change. Places are ids, names or aliases (Xi'an, xian, Alma-Ata);
            `corridor places` lists them. The table fits the terminal (COLUMNS, else 100 columns when
            not a terminal); --wide prints every column whole.
        """,
        epilog=_EPILOG,
    )
    parser.add_argument("origin", metavar="FROM", help="origin: place id, name or alias")
    parser.add_argument("destination", metavar="TO", help="destination: place id, name or alias")
    parser.add_argument(
        "--rank", default="time", choices=[r.value for r in Rank], help="what routes are ranked by (default time; see ranks below)"
    )
    parser.add_argument("--k", type=int, default=DEFAULT_K, metavar="N", help=f"number of routes, 1..{MAX_K} (default {DEFAULT_K})")
    parser.add_argument("--corridor", metavar="ID", help="stay on a named corridor (id or alias; `corridor corridors` lists them)")
    parser.add_argument(
        "--max-stretch",
        type=float,
        default=DEFAULT_MAX_STRETCH,
        metavar="X",
        help=f"no alternative worse than X times the best route on the ranked criterion, 1..10 (default {DEFAULT_MAX_STRETCH:g})",
    )
    parser.add_argument(
        "--max-shared-fraction",
        type=float,
        default=DEFAULT_MAX_SHARED_FRACTION,
        metavar="F",
        help=f"two routes share at most F of the shorter one's distance, 0..1 (default {DEFAULT_MAX_SHARED_FRACTION:g}; 1: no bound)",
    )
    parser.add_argument(
        "--scenario", metavar="NAME|FILE", help="what-if scenario: a bundled name (`corridor scenarios`) or a YAML file"
    )
    parser.add_argument("--legs", action="store_true", help="also print each route's legs with every wait, queue, dwell and change")
    add_route_options(parser)
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    network = load_network(args.network)
    scenario = load_scenario(args.scenario, network) if args.scenario else None
    request = request_of(
        network,
        args,
        rank=args.rank,
        k=args.k,
        corridor=args.corridor,
        max_shared_fraction=args.max_shared_fraction,
        max_stretch=args.max_stretch,
    )
    if scenario is not None:
        comparison = plan_with_scenario(network, scenario, request)
        if args.json:
            print_json(scenario_plan_to_dict(comparison, network))
            return 0
        title = f"{format_request(network, request)}, baseline vs scenario {scenario.name} ({scenario.title})"
        print(paragraph(title, wide=args.wide) + "\n")
        print(format_scenario_routes(comparison, wide=args.wide))
        for label, result in (("baseline", comparison.baseline), ("scenario", comparison.planned)):
            for note in result.notes if result else ():
                print("\n" + paragraph(f"note ({label}): {note}", wide=args.wide))
        for places in comparison.appeared():
            print("\n" + paragraph("appears: " + " > ".join(places), wide=args.wide, indent="  "), end="")
        for places in comparison.vanished():
            print("\n" + paragraph("vanishes: " + " > ".join(places), wide=args.wide, indent="  "), end="")
        print()
        if args.legs:
            for label, result in (("baseline", comparison.baseline), ("scenario", comparison.planned)):
                for route in result.routes if result else ():
                    _print_legs(route, args.wide, label)
        return 0
    result = plan(network, request)
    if args.json:
        print_json(
            {
                "request": request_to_dict(result.request, network),
                "notes": list(result.notes),
                "routes": [route_to_dict(r, network) for r in result.routes],
            }
        )
        return 0
    print(paragraph(format_request(network, result.request), wide=args.wide) + "\n")
    print(format_routes(result.routes, wide=args.wide))
    for note in result.notes:
        print("\n" + paragraph(f"note: {note}", wide=args.wide))
    if args.legs:
        for route in result.routes:
            _print_legs(route, args.wide)
    return 0


def _print_legs(route: Route, wide: bool, label: str = "") -> None:
    month = f", seasonal waits of {format_month(route.month)}" if route.month and not route.arrival_date else ""
    head = f"{label} route" if label else "route"
    print("\n" + paragraph(f"{head} {route.rank}, {route.service.value} service{month}{format_arrival(route)}:", wide=wide))
    print(format_legs(route, wide=wide))
