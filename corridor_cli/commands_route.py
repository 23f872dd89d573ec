"""``corridor route FROM TO ...``."""

from __future__ import annotations

import argparse

from planner import Rank, load_network, plan_routes
from planner.export import request_to_dict, route_to_dict
from planner.route import Route

from ._output import print_json, table


def add_route_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``route`` and ``compare``."""
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--teu", type=float, help="shipment size in TEU (a 40 ft container = 2 TEU); default 1")
    size.add_argument("--tonnes", type=float, help="shipment size in tonnes of bulk")
    parser.add_argument("--avoid-country", action="append", default=[], metavar="CC", help="ISO code; repeatable")
    parser.add_argument("--avoid-place", action="append", default=[], metavar="P", help="repeatable")
    parser.add_argument("--avoid-link", action="append", default=[], metavar="ID", help="repeatable")
    parser.add_argument("--modes", help="comma-separated subset of rail,road,sea")
    parser.add_argument("--via", action="append", default=[], metavar="P", help="ordered; repeatable")
    parser.add_argument("--max-border-crossings", type=int)
    parser.add_argument("--max-transshipments", type=int)
    parser.add_argument("--network", help="network file (default: the bundled network)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def route_options(args: argparse.Namespace) -> dict[str, object]:
    options: dict[str, object] = {
        "teu": args.teu,
        "tonnes": args.tonnes,
        "avoid_countries": args.avoid_country,
        "avoid_places": args.avoid_place,
        "avoid_links": args.avoid_link,
        "via": args.via,
        "max_border_crossings": args.max_border_crossings,
        "max_transshipments": args.max_transshipments,
    }
    if args.modes:
        options["modes"] = [m for m in args.modes.split(",") if m.strip()]
    return options


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("route", help="ranked routes between two places")
    parser.add_argument("origin", metavar="FROM")
    parser.add_argument("destination", metavar="TO")
    parser.add_argument("--rank", default="time", choices=[r.value for r in Rank])
    parser.add_argument("--k", type=int, default=3, help="number of routes, 1..20 (default 3)")
    parser.add_argument("--corridor", help="stay on a named corridor (id or alias)")
    parser.add_argument("--max-shared-fraction", type=float, default=None)
    parser.add_argument("--scenario", help="scenario file or bundled scenario name")
    parser.add_argument("--legs", action="store_true", help="also print each route's legs")
    add_route_options(parser)
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    network = load_network(args.network)
    options = route_options(args)
    options.update(rank=args.rank, k=args.k, corridor=args.corridor)
    if args.max_shared_fraction is not None:
        options["max_shared_fraction"] = args.max_shared_fraction
    if args.scenario:
        from planner.scenario import load_scenario, plan_with_scenario

        scenario = load_scenario(args.scenario, network)
        comparison = plan_with_scenario(network, scenario, args.origin, args.destination, **options)
        if args.json:
            print_json(comparison.to_dict(network))
        else:
            print(comparison.format_table(network))
        return 0
    result = plan_routes(network, args.origin, args.destination, **options)
    if args.json:
        print_json({"request": request_to_dict(result.request), "routes": [route_to_dict(r, network) for r in result.routes]})
        return 0
    a, b = network.places[result.request.origin].name, network.places[result.request.destination].name
    print(f"{a} -> {b}, ranked by {result.request.rank.value}, {result.request.teu:g} TEU\n")
    print(format_routes(result.routes, network))
    if args.legs:
        for route in result.routes:
            print(f"\nroute {route.rank}:")
            print(format_legs(route))
    return 0


def format_routes(routes: tuple[Route, ...] | list[Route], network: object) -> str:
    rows = []
    for r in routes:
        corridors = ", ".join(f"{c.id} {c.share:.0%}" for c in r.corridors[:3]) or "-"
        rows.append(
            (
                r.rank,
                f"{r.transit_days:.1f}",
                f"{r.transit_hours_p90 / 24:.1f}",
                f"{r.transit_hours_min / 24:.1f}-{r.transit_hours_max / 24:.1f}",
                f"{r.cost_usd:,.0f}",
                f"{r.co2e_kg:,.0f}",
                f"{r.distance_km:,.0f}",
                r.border_crossings,
                r.transshipments,
                corridors,
                " > ".join(r.places),
            )
        )
    headers = ["#", "days", "p90", "range", "USD", "kg CO2e", "km", "borders", "trans", "corridors", "via"]
    return table(headers, rows, right=(0, 1, 2, 4, 5, 6, 7, 8))


def format_legs(route: Route) -> str:
    rows = []
    for leg in route.legs:
        events = "; ".join(f"{e.kind.value} {e.hours:g} h" for e in leg.events)
        rows.append((leg.origin_name, leg.destination_name, leg.mode.value, f"{leg.distance_km:,.0f}", f"{leg.hours:.1f}", f"{leg.cost_usd:,.0f}", f"{leg.co2e_kg:,.0f}", events))
    return table(["from", "to", "mode", "km", "hours", "USD", "kg CO2e", "events"], rows, right=(3, 4, 5, 6))
