"""``corridor route FROM TO ...``."""

from __future__ import annotations

import argparse

from planner import (
    DEFAULT_K,
    DEFAULT_MAX_SHARED_FRACTION,
    DEFAULT_MAX_STRETCH,
    ContainerType,
    Network,
    Rank,
    RouteRequest,
    ServiceLevel,
    load_network,
    load_scenario,
    plan,
    plan_with_scenario,
    resolve_request,
)
from planner.export import request_to_dict, route_to_dict, scenario_plan_to_dict

from ._output import print_json
from ._text import format_arrival, format_legs, format_month, format_request, format_routes, format_scenario_plan


def add_route_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``route`` and ``compare``."""
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--teu", type=float, help="shipment size in TEU (a 40 ft container = 2 TEU); default 1")
    size.add_argument("--tonnes", type=float, help="shipment size in tonnes of bulk (priced per wagon, truck or box)")
    parser.add_argument(
        "--service",
        default="scheduled",
        choices=[s.value for s in ServiceLevel],
        help="express (priority block trains), scheduled (regular block trains; default) or standard (wagonload, groupage)",
    )
    parser.add_argument("--container", choices=[c.value for c in ContainerType], help="20ft (default), 40ft or 40hc")
    parser.add_argument("--departure-date", metavar="YYYY-MM-DD", help="day the cargo is ready: exact waits where weekdays are published, arrival dates")
    parser.add_argument("--month", type=int, metavar="1-12", help="seasonal waits of this month (default: the departure date's)")
    parser.add_argument("--avoid-country", action="append", default=[], metavar="CC", help="ISO code; repeatable")
    parser.add_argument("--avoid-place", action="append", default=[], metavar="P", help="repeatable")
    parser.add_argument("--avoid-link", action="append", default=[], metavar="ID", help="repeatable")
    parser.add_argument("--modes", help="comma-separated subset of rail,road,sea")
    parser.add_argument("--via", action="append", default=[], metavar="P", help="ordered; repeatable")
    parser.add_argument("--max-border-crossings", type=int)
    parser.add_argument("--max-transshipments", type=int)
    parser.add_argument("--network", help="network file (default: the bundled network)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


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


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("route", help="ranked routes between two places")
    parser.add_argument("origin", metavar="FROM")
    parser.add_argument("destination", metavar="TO")
    parser.add_argument("--rank", default="time", choices=[r.value for r in Rank])
    parser.add_argument("--k", type=int, default=3, help="number of routes, 1..20 (default 3)")
    parser.add_argument("--corridor", help="stay on a named corridor (id or alias)")
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
    parser.add_argument("--scenario", help="scenario file or bundled scenario name")
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
        else:
            print(format_scenario_plan(comparison))
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
    print(format_request(network, result.request) + "\n")
    print(format_routes(result.routes))
    for note in result.notes:
        print(f"\nnote: {note}")
    if args.legs:
        for route in result.routes:
            month = f", seasonal waits of {format_month(route.month)}" if route.month and not route.arrival_date else ""
            print(f"\nroute {route.rank}, {route.service.value} service{month}{format_arrival(route)}:")
            print(format_legs(route))
    return 0
