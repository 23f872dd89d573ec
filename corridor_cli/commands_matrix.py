"""``corridor matrix ORIGINS DESTINATIONS [-o FILE.csv|FILE.json]``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from planner import (
    CellError,
    InvalidRequestError,
    Network,
    Rank,
    RouteMatrix,
    load_network,
    load_scenario,
    route_matrix,
)
from planner.batch import safe_cell, write_atomically
from planner.export import MATRIX_COLUMNS, matrix_rows, matrix_to_dict
from planner.scenario_network import scenario_network

from ._files import output_path
from ._help import command_parser
from ._output import print_json
from ._text import table
from .commands_route import add_route_options

MAX_PLACES = 10_000
"""Places one side of a matrix may name."""
MAX_CELLS = 1_000_000
"""Cells one matrix may have (larger: ``corridor batch``)."""
MAX_PLACES_FILE_BYTES = 1 << 20
_OUTPUTS = (".csv", ".json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "matrix",
        help="the best route between every origin and every destination",
        description="""
            The best route (k=1) from every origin to every destination: typical, P50 and P90
            hours, USD, kg CO2e, border crossings and main corridor per cell, or why a cell has
            none. Rows of one origin share one shortest-path tree.
        """,
        epilog="""
            examples:
              corridor matrix "Xi'an,Almaty" "Tashkent,Istanbul"
              corridor matrix origins.txt destinations.txt --rank cost -o cells.csv
              corridor matrix Kashgar Tashkent,Andijan --scenario cku_opened --json
        """,
    )
    parser.add_argument("origins", metavar="ORIGINS", help="comma-separated places, or a file with one place a line")
    parser.add_argument("destinations", metavar="DESTINATIONS", help="comma-separated places, or a file with one place a line")
    parser.add_argument(
        "-o", "--output", metavar="FILE", type=output_path({".csv": "CSV", ".json": "JSON"}), help="write the cells to FILE: .csv (one line a cell) or .json (as POST /v1/matrix)"
    )
    parser.add_argument("--rank", default="time", choices=[r.value for r in Rank if r is not Rank.PARETO])
    parser.add_argument("--corridor", help="stay on a named corridor (id or alias)")
    parser.add_argument("--scenario", help="scenario file or bundled scenario name")
    add_route_options(parser)
    parser.set_defaults(run=_run)


def read_places(value: str, name: str) -> list[str]:
    """Places from a comma-separated list, or from a file (one a line; blank lines and ``#`` comments skipped)."""
    path = Path(value)
    if path.is_file():
        if path.stat().st_size > MAX_PLACES_FILE_BYTES:
            raise InvalidRequestError(f"{value}: larger than {MAX_PLACES_FILE_BYTES:,} bytes", field=name)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidRequestError(f"{value}: not UTF-8 text ({exc.reason})", field=name) from None
        places = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    else:
        places = [item.strip() for item in value.split(",")]
    places = [p for p in places if p]
    if not places:
        raise InvalidRequestError(f"{name} names no place: give comma-separated places or a file with one a line", field=name)
    if len(places) > MAX_PLACES:
        raise InvalidRequestError(f"{name} names {len(places):,} places, at most {MAX_PLACES:,} are allowed", field=name)
    return places


def _run(args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    if output is not None and output.suffix.lower() not in _OUTPUTS:
        print(f"corridor matrix: error: -o {args.output}: unknown extension {output.suffix or '(none)'!r}; "
              "expected .csv or .json", file=sys.stderr)  # fmt: skip
        return 2
    origins = read_places(args.origins, "origins")
    destinations = read_places(args.destinations, "destinations")
    if len(origins) * len(destinations) > MAX_CELLS:
        print(f"corridor matrix: error: {len(origins):,} x {len(destinations):,} cells is more than {MAX_CELLS:,}; "
              "run it as a batch (corridor batch) instead", file=sys.stderr)  # fmt: skip
        return 2
    network = load_network(args.network)
    if args.scenario:
        network = scenario_network(network, load_scenario(args.scenario, network))
    matrix = route_matrix(
        network,
        origins,
        destinations,
        rank=args.rank,
        teu=args.teu,
        tonnes=args.tonnes,
        avoid_countries=args.avoid_country,
        avoid_places=args.avoid_place,
        avoid_links=args.avoid_link,
        modes=[m for m in args.modes.split(",") if m.strip()] if args.modes else None,
        via=args.via,
        corridor=args.corridor,
        max_border_crossings=args.max_border_crossings,
        max_transshipments=args.max_transshipments,
        service=args.service,
        container=args.container,
        departure_date=args.departure_date,
        month=args.month,
    )
    errors = sum(1 for row in matrix.cells for cell in row if isinstance(cell, CellError))
    if output is not None:
        if output.suffix.lower() == ".json":
            text = json.dumps(matrix_to_dict(matrix, network), ensure_ascii=False) + "\n"
        else:
            text = _csv(matrix)
        write_atomically(output, [text])
        cells = len(matrix.origins) * len(matrix.destinations)
        print(f"matrix: wrote {output} ({cells:,} cells, {errors:,} without a route)", file=sys.stderr)
        return 0
    if args.json:
        print_json(matrix_to_dict(matrix, network))
        return 0
    print(_table(matrix, network))
    return 0


def _csv(matrix: RouteMatrix) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MATRIX_COLUMNS)
    for row in matrix_rows(matrix):
        writer.writerow(["" if row[c] is None else safe_cell(row[c]) for c in MATRIX_COLUMNS])
    return buffer.getvalue()


def _table(matrix: RouteMatrix, network: Network) -> str:
    names = network.places
    lines: list[list[object]] = []
    for row in matrix_rows(matrix):
        origin, destination = names[row["origin"]].name, names[row["destination"]].name
        if row["status"] == "error":
            lines.append([origin, destination, "", "", "", "", "", "", row["error"]])
            continue
        lines.append([
            origin, destination, f"{row['transit_hours'] / 24:.1f}", f"{row['transit_hours_p50'] / 24:.1f}",
            f"{row['transit_hours_p90'] / 24:.1f}", f"{row['cost_usd']:,.0f}", f"{row['co2e_kg']:,.0f}",
            row["border_crossings"], row["main_corridor"] or "",
        ])  # fmt: skip
    headers = ["from", "to", "days", "p50", "p90", "USD", "kg CO2e", "borders", "main corridor"]
    return table(headers, lines, right=[2, 3, 4, 5, 6, 7], flex=8)
