"""``corridor assign DEMAND [DEMAND ...] -o DIR``: yearly volumes on the corridors, queues and bottlenecks."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

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

from ._help import command_parser
from ._text import format_assignment


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "assign",
        help="assign yearly demand to the corridors: shares, bottlenecks, queues, unserved volume",
        description="""
            Load yearly freight demand (TEU and/or tonnes by cargo class) on the network until no shipper
            could do better on another path, with queues where assets pass their capacity. Prints corridor
            shares, the top bottlenecks with V/C (volume over capacity) and queue days, and unserved volume;
            with -o writes CSV tables, GeoJSON and JSON into a directory.
        """,
        epilog="""
            methods (--method): aon all or nothing; incremental; msa successive averages;
              fw Frank-Wolfe; bfw bi-conjugate Frank-Wolfe (default, fastest).
            demand rows: origin, destination, and teu_per_year and/or tonnes_per_year
              (optional cargo_class); bundled sets: uz_kz_2024, uz_kz_2030, transit_2024.

            examples:
              corridor assign graphs/demand/uz_kz_2030.csv
              corridor assign uz_kz_2030 transit_2024 --top 5
              corridor assign uz_kz_2030 --scenario cku_opened -o results/
              corridor assign uz_kz_2030 --capacity-mode hard --json
        """,
    )
    parser.add_argument(
        "demand", metavar="DEMAND", nargs="+", help="demand CSV/JSONL/JSON file, or a bundled set (uz_kz_2024, uz_kz_2030, transit_2024)"
    )
    parser.add_argument("-o", "--output", metavar="DIR", type=_output_dir, help="directory for assets.csv, links.csv, ods.csv, corridors.csv, flows.geojson, assignment.json")
    parser.add_argument("--method", choices=METHODS, default="bfw", help="assignment method (default: bfw)")
    parser.add_argument("--gap", type=float, default=1e-4, help="relative gap to reach (default: 1e-4)")
    parser.add_argument("--max-iterations", type=int, default=500, help="iteration limit (default: 500)")
    parser.add_argument("--capacity-mode", choices=["queue", "hard"], default="queue", help="queue (default) or hard capacity with unserved volume")
    parser.add_argument("--scenario", metavar="S", help="bundled scenario name or scenario file")
    parser.add_argument("--criterion", choices=["generalized", "time"], default="generalized", help="what shippers minimise (default: generalized cost)")
    parser.add_argument("--top", type=int, default=10, help="bottlenecks to print (default: 10)")
    parser.add_argument("--network", help="network file (default: the bundled network)")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON instead of tables")
    parser.set_defaults(run=_run)


class _Progress:
    """A bar of iterations towards the target gap on a terminal, else a line every few seconds."""

    def __init__(self, stream: TextIO, target: float, limit: int) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.target = target
        self.limit = limit
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, iteration: int, gap: float) -> None:
        now = time.monotonic()
        if now - self.last < (0.1 if self.tty else 2.0):
            return
        self.last = now
        text = f"iteration {iteration:,}/{self.limit:,}, gap {gap:.2e} (target {self.target:.0e}), {now - self.start:.1f}s"
        if self.tty:
            import math

            done = 0.0 if not math.isfinite(gap) or gap <= 0 else min(1.0, max(0.0, math.log10(max(gap, 1e-16)) / math.log10(self.target)))
            filled = int(done * 30)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {text}\x1b[K")
        else:
            self.stream.write(f"assign: {text}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _run(args: argparse.Namespace) -> int:
    import warnings

    network = load_network(args.network)
    demand = merge_demand(*(load_demand(ref, network) for ref in args.demand))
    progress = _Progress(sys.stderr, args.gap, args.max_iterations)
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
    progress.close()
    for warning in caught:
        print(f"corridor: warning: {warning.message}", file=sys.stderr)
    if args.output:
        _write(Path(args.output), result, network)
    if args.json:
        json.dump(assignment_to_dict(result), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_assignment(result, top=args.top))
        if args.output:
            print(f"\nwrote {args.output}/: assets.csv, links.csv, ods.csv, corridors.csv, flows.geojson, assignment.json")
    return 0


def _write(directory: Path, result: Assignment, network: object) -> None:
    from planner import Network

    assert isinstance(network, Network)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in assignment_csv(result).items():
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "flows.geojson").write_text(json.dumps(assignment_geojson(result, network), ensure_ascii=False), encoding="utf-8")
    (directory / "assignment.json").write_text(json.dumps(assignment_to_dict(result), ensure_ascii=False, indent=1), encoding="utf-8")


def _output_dir(value: str) -> str:
    """``-o`` names a directory: a name with a file extension (that is not an existing directory) is refused."""
    path = Path(value)
    if path.suffix and not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"cannot write '{value}': {path.suffix} is not a format assign writes; -o takes a directory, "
            "where it writes assets.csv, links.csv, ods.csv, corridors.csv, flows.geojson and assignment.json"
        )
    return value
