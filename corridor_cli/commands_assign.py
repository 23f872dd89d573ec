"""``corridor assign DEMAND [DEMAND ...] -o DIR``: yearly volumes on the corridors, queues and bottlenecks."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from planner import (
    METHODS,
    Assignment,
    AssignmentConvergenceWarning,
    assign,
    load_demand,
    load_network,
    merge_demand,
)
from planner.assignment_export import assignment_csv, assignment_geojson, assignment_to_dict

from ._files import output_directory
from ._help import command_parser, output_options
from ._text import format_assignment, paragraph

_FILES = ("assets.csv", "links.csv", "ods.csv", "corridors.csv", "flows.geojson", "assignment.json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "assign",
        help="assign yearly demand to the corridors: shares, bottlenecks, queues, unserved volume",
        description="""
            Load yearly freight demand (TEU and/or tonnes by cargo class) on the network until no
            shipper could do better on another path, with queues where assets pass their capacity.
            Prints corridor shares, the top bottlenecks with V/C (volume over capacity) and queue days,
            and unserved volume; with -o writes CSV tables, GeoJSON and JSON into a directory.
        """,
        epilog=f"""
            demand (CSV or JSON Lines, one origin-destination pair a row; graphs/demand/README.md):
              origin, destination   place id, name or alias
              teu_per_year          containers a year, and/or
              tonnes_per_year       tonnes a year (with cargo_class)
            bundled sets (graphs/demand/sets.yaml): uz_kz_2024, uz_kz_2030, transit_2024

            methods (--method): {", ".join(METHODS)} (default bfw)
            capacity (--capacity-mode): queue (volume past capacity waits, default) or
              hard (volume past capacity is unserved)

            examples:
              corridor assign uz_kz_2024
              corridor assign graphs/demand/uz_kz_2030.csv --gap 1e-5 -o results
              corridor assign uz_kz_2030 --scenario cku_opened --capacity-mode hard
              corridor assign transit_2024 --json > assignment.json
        """,
    )
    parser.add_argument(
        "demand", metavar="DEMAND", nargs="+", help="demand CSV/JSONL/JSON file, or a bundled set (see below)"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        type=output_directory(_FILES),
        help="directory for " + ", ".join(_FILES),
    )
    parser.add_argument("--method", choices=METHODS, default="bfw", help="assignment method (default: bfw)")
    parser.add_argument("--gap", type=float, default=1e-4, help="relative gap to reach (default: 1e-4)")
    parser.add_argument("--max-iterations", type=int, default=500, metavar="N", help="iteration limit (default: 500)")
    parser.add_argument("--capacity-mode", choices=["queue", "hard"], default="queue", help="queue (default) or hard capacity with unserved volume")
    parser.add_argument("--scenario", metavar="NAME|FILE", help="bundled scenario name or scenario file")
    parser.add_argument("--criterion", choices=["generalized", "time"], default="generalized", help="what shippers minimise (default: generalized cost)")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="bottlenecks to print (default: 10)")
    parser.add_argument("--network", metavar="FILE", help="network file (default: the bundled network)")
    output_options(parser, json_help="print the whole result as JSON instead of tables")
    parser.set_defaults(run=_run)


class _Progress:
    """A rich bar of iterations towards the target gap on a terminal, else a line every few seconds."""

    def __init__(self, stream: TextIO, target: float, limit: int) -> None:
        self.stream = stream
        self.target = target
        self.limit = limit
        self.start = time.monotonic()
        self.last = 0.0
        self.bar: Progress | None = None
        if stream.isatty():
            self.bar = Progress(
                TextColumn("assign"), BarColumn(), TextColumn("iteration {task.fields[iteration]}, gap {task.fields[gap]}"),
                TextColumn(f"(target {target:.0e})"), TimeElapsedColumn(), console=Console(file=stream), transient=True,
            )  # fmt: skip
            self.task = self.bar.add_task("gap", total=1.0, iteration=0, gap="-")
            self.bar.start()

    def __call__(self, iteration: int, gap: float) -> None:
        if self.bar is not None:
            # Progress on a log scale: from a gap of 1 to the target.
            done = 0.0 if not math.isfinite(gap) or gap <= 0 else math.log10(max(gap, 1e-16)) / math.log10(self.target)
            self.bar.update(self.task, completed=min(1.0, max(0.0, done)), iteration=f"{iteration:,}/{self.limit:,}", gap=f"{gap:.2e}")
            return
        now = time.monotonic()
        if now - self.last < 2.0:
            return
        self.last = now
        text = f"iteration {iteration:,}/{self.limit:,}, gap {gap:.2e} (target {self.target:.0e}), {now - self.start:.1f}s"
        self.stream.write(f"assign: {text}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _run(args: argparse.Namespace) -> int:
    import warnings

    network = load_network(args.network)
    demand = merge_demand(*(load_demand(ref, network) for ref in args.demand))
    progress = _Progress(sys.stderr, args.gap, args.max_iterations)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AssignmentConvergenceWarning)
            result = assign(
                network,
                demand,
                method=args.method,
                gap=args.gap,
                max_iterations=args.max_iterations,
                capacity_mode=args.capacity_mode,
                scenario=args.scenario,
                criterion=args.criterion,
                progress=progress,
            )
    finally:
        progress.close()
    for warning in caught:
        print(f"corridor: warning: {warning.message}", file=sys.stderr)
    if args.output:
        _write(Path(args.output), result, network)
    if args.json:
        json.dump(assignment_to_dict(result), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_assignment(result, top=args.top, wide=args.wide))
        if args.output:
            print("\n" + paragraph(f"wrote {args.output}/: {', '.join(_FILES)}", wide=args.wide, indent="  "))
    return 0


def _write(directory: Path, result: Assignment, network: object) -> None:
    from planner import Network

    assert isinstance(network, Network)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in assignment_csv(result).items():
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "flows.geojson").write_text(json.dumps(assignment_geojson(result, network), ensure_ascii=False), encoding="utf-8")
    (directory / "assignment.json").write_text(json.dumps(assignment_to_dict(result), ensure_ascii=False, indent=1), encoding="utf-8")
