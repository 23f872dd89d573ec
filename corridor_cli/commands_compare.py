"""``corridor compare FROM TO [--corridor ID]... [--scenario FILE|NAME] [--json]``."""

from __future__ import annotations

import argparse
from typing import Any

from planner import Rank, load_network
from planner.compare import compare
from planner.scenario import load_scenario

from ._output import print_json
from .commands_route import add_route_options, route_options


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("compare", help="compare corridors side by side for one pair")
    parser.add_argument("origin", metavar="FROM")
    parser.add_argument("destination", metavar="TO")
    parser.add_argument("--corridor", action="append", default=[], metavar="ID", help="repeatable; default: all")
    parser.add_argument("--scenario", help="scenario file or bundled scenario name")
    parser.add_argument(
        "--rank", default="time", choices=[r.value for r in Rank if r is not Rank.PARETO], help="what each corridor's best route minimises"
    )
    add_route_options(parser)
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    network = load_network(args.network)
    scenario = load_scenario(args.scenario, network) if args.scenario else None
    options: dict[str, Any] = dict(route_options(args))
    options["rank"] = args.rank
    result = compare(network, args.origin, args.destination, args.corridor or None, scenario=scenario, **options)
    if args.json:
        print_json(result.to_dict(network))
        return 0
    a = network.places[result.request.origin].name
    b = network.places[result.request.destination].name
    title = f"{a} -> {b}: corridors compared by {result.request.rank.value}"
    if scenario is not None:
        title += f", baseline vs scenario {scenario.name} ({scenario.title})"
    print(title + "\n")
    print(result.format_table(network))
    return 0
