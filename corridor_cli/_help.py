"""Help text shared by several commands: the formatter, and what ranks, services and boxes mean."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Iterable

from planner import DEFAULT_TONNES_PER_TEU, DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR, Rank

__all__ = ["SHIPMENT", "TIMES", "HelpFormatter", "command_parser", "output_options", "ranks_help"]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Fills prose to the terminal's width and keeps indented blocks (tables, examples) as written.

    In descriptions and epilogs, runs of unindented lines are paragraphs, filled to the width; indented
    lines are kept as they are (they are written to fit 80 columns). Option help keeps its line breaks.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: list[str] = []
        prose: list[str] = []

        def flush() -> None:
            if prose:
                out.extend(textwrap.wrap(" ".join(prose), width, break_on_hyphens=False, initial_indent=indent,
                                         subsequent_indent=indent))  # fmt: skip
                prose.clear()

        for line in text.splitlines():
            if line.strip() and not line.startswith(" "):
                prose.append(line.strip())
                continue
            flush()
            out.append(indent + line if line.strip() else "")
        flush()
        return "\n".join(out)

    def _split_lines(self, text: str, width: int) -> list[str]:
        lines: list[str] = []
        for line in text.splitlines():
            lines.extend(textwrap.wrap(line, width, subsequent_indent="  ", break_on_hyphens=False) or [""])
        return lines


def command_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, *, help: str, description: str, epilog: str
) -> argparse.ArgumentParser:
    """A sub-command whose ``--help`` has a description and an epilog (meanings, examples)."""
    return sub.add_parser(
        name,
        help=help,
        description=textwrap.dedent(description).strip(),
        epilog=textwrap.dedent(epilog).strip(),
        formatter_class=HelpFormatter,
    )


def output_options(parser: argparse.ArgumentParser, *, json_help: str = "print JSON instead of a table") -> None:
    """``--json`` and ``--wide``."""
    parser.add_argument("--json", action="store_true", help=json_help)
    parser.add_argument(
        "--wide",
        action="store_true",
        help="print every column and whole cells, one line per row, whatever the terminal's width",
    )


_RANKS = {
    Rank.TIME: ["typical door-to-door hours: running time and every wait, queue,",
                "border dwell and change (transit_hours; shown in days)"],
    Rank.COST: ["USD for the whole shipment: tariffs, border fees, handling",
                "(cost_usd)"],
    Rank.CO2E: ["kg CO2e for the whole shipment, well-to-wheel (co2e_kg)"],
    Rank.GENERALIZED: [f"USD + value of time: cost_usd + {DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR:g} USD per TEU-hour",
                       "x TEU x transit hours (generalized_cost_usd)"],
    Rank.RELIABLE: ["P90 hours: the time nine shipments in ten beat",
                    "(transit_hours_p90)"],
    Rank.PARETO: ["every route no other beats on hours, USD and kg CO2e at once (a",
                  "Pareto front): the best on each first, then by time"],
}  # fmt: skip


def ranks_help(ranks: Iterable[Rank] = tuple(Rank)) -> str:
    """``ranks (--rank):`` and one entry per rank: what it minimises, in which unit."""
    lines = ["ranks (--rank):"]
    for rank in ranks:
        first, *rest = _RANKS[rank]
        lines.append(f"  {rank.value:<12} {first}")
        lines += [f"  {'':<12} {line}" for line in rest]
    return "\n".join(lines)


SHIPMENT = f"""\
shipment:
  --teu N          N TEU of containers (a 20ft box is 1 TEU, a 40ft or 40hc
                   box 2); default 1 TEU, or 2 with a 40ft or 40hc --container
  --tonnes N       N tonnes of bulk, in whole load units of each mode (bundled
                   network: rail wagons of 64 t, trucks of 20 t, 40ft boxes of
                   24 t at sea); CO2e from the real tonnes
  --container BOX  20ft (default), 40ft or 40hc (40ft high-cube), for --teu;
                   CO2e counts {DEFAULT_TONNES_PER_TEU:g} t of cargo per TEU
  --service LEVEL  express: priority block trains, green-lane clearance
                   scheduled: regular block trains and liners with a booked
                     slot (default)
                   standard: ordinary wagonload, groupage and trucks"""

TIMES = """\
times, in days:
  typical d  the sum of every part's most likely time (transit_hours)
  P50 d      the time half the shipments beat (transit_hours_p50)
  P90 d      the time nine shipments in ten beat (transit_hours_p90)
  range d    the shortest and longest possible (transit_hours_min, _max)"""
