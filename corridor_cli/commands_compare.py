"""``corridor compare FROM TO [--corridor ID]... [--scenario FILE|NAME] [--json]``."""

from __future__ import annotations

import argparse

from planner import Rank, compare, load_network, load_scenario
from planner.export import comparison_to_dict

from ._help import SHIPMENT, TIMES, command_parser, ranks_help
from ._output import print_json
from ._text import format_comparison, format_shipment, paragraph
from .commands_route import add_route_options, request_of

_EPILOG = f"""
{ranks_help(r for r in Rank if r is not Rank.PARETO)}

{SHIPMENT}

{TIMES}
  gen. USD   the generalized cost (generalized_cost_usd)

examples:
  corridor compare "Xi'an" Istanbul
  corridor compare Xian Istanbul --corridor titr --corridor northern --rank cost
  corridor compare Kashgar Tashkent --rank cost --scenario cku_opened
  corridor compare Xian Baku --corridor titr --scenario caspian_ferries_halved
  corridor compare Xian Istanbul --tonnes 60 --service standard --json
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "compare",
        help="compare corridors side by side for one pair",
        description="""
            The best route on each named corridor next to the best route overall, for one
            origin-destination pair: days, USD, kg CO2e, generalized cost, borders, transshipments
            and the countries passed. A corridor counts when its best route runs at least 25% of its
            distance on it; the others say why they have no route. With --scenario each corridor's
            route is shown on today's network, under the scenario and the change.
            `corridor corridors` lists the corridors.
        """,
        epilog=_EPILOG,
    )
    parser.add_argument("origin", metavar="FROM", help="origin: place id, name or alias")
    parser.add_argument("destination", metavar="TO", help="destination: place id, name or alias")
    parser.add_argument("--corridor", action="append", default=[], metavar="ID", help="corridor id or alias; repeatable (default: all)")
    parser.add_argument(
        "--scenario", metavar="NAME|FILE", help="what-if scenario: a bundled name (`corridor scenarios`) or a YAML file"
    )
    parser.add_argument(
        "--rank",
        default="time",
        choices=[r.value for r in Rank if r is not Rank.PARETO],
        help="what each corridor's best route minimises (default time; see ranks below)",
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
    title = (
        f"{a} -> {b}: corridors compared by {result.request.rank.value}, {format_shipment(result.request)}, "
        f"{result.request.service.value} service"
    )
    if scenario is not None:
        title += f", baseline vs scenario {scenario.name} ({scenario.title})"
    print(paragraph(title, wide=args.wide) + "\n")
    print(format_comparison(result, wide=args.wide))
    return 0
