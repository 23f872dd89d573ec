"""``corridor compare FROM TO [--corridor ID]... [--scenario FILE|NAME] [--json]``."""

from __future__ import annotations

import argparse

from planner import Rank, compare, load_network, load_scenario
from planner.export import comparison_to_dict

from ._output import print_json
from ._text import format_comparison
from .commands_route import add_route_options, request_of


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
    request = request_of(network, args, rank=args.rank, k=1)
    result = compare(network, request, args.corridor or None, scenario=scenario)
    if args.json:
        print_json(comparison_to_dict(result, network))
        return 0
    a = network.places[result.request.origin].name
    b = network.places[result.request.destination].name
    title = f"{a} -> {b}: corridors compared by {result.request.rank.value}"
    if scenario is not None:
        title += f", baseline vs scenario {scenario.name} ({scenario.title})"
    print(title + "\n")
    print(format_comparison(result))
    return 0
