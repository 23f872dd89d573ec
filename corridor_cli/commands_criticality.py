"""``corridor criticality [--demand FILE] [--top 20] [--closure partial --fraction 0.5 --days 7] [-o FILE]``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from planner import AssetKind, Network, criticality, load_demand, load_network, merge_demand
from planner.criticality import CRITERIA, METRICS
from planner.criticality_export import criticality_csv, criticality_geojson, criticality_to_dict

from ._files import output_path
from ._help import command_parser
from ._text import format_criticality

OUTPUTS = (".csv", ".geojson", ".json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "criticality",
        help="rank borders, ferries, yards, ports and links by what closing them costs the flows",
        description="""
            Close each asset in turn (or cut its capacity for some days), re-plan the flows whose
            route used it, and rank the assets: TEU affected, extra days (typical and P90), USD and
            CO2e, flows with no other route, the corridors the flow moves to and, with capacities,
            what no longer fits. Without --demand every OD pair of the network weighs the same.
        """,
        epilog="""
            examples:
              corridor criticality --demand graphs/demand/uz_kz_2030.csv --top 10
              corridor criticality --demand uz_kz_2030 --closure partial --fraction 0.5
              corridor criticality --demand uz_kz_2030 -o ranking.geojson
        """,
    )
    parser.add_argument(
        "--demand", metavar="FILE", action="append",
        help="demand CSV/JSONL/JSON file or bundled set (uz_kz_2024, uz_kz_2030, transit_2024); repeat to combine",
    )  # fmt: skip
    parser.add_argument("--top", type=int, default=20, help="assets to print (default: 20)")
    parser.add_argument("--closure", choices=["full", "partial"], default="full", help="full (default) or partial: capacity cut by --fraction")
    parser.add_argument("--fraction", type=float, help="share of capacity lost in a partial closure (default: 0.5)")
    parser.add_argument("--days", type=float, default=365.0, help="length of the closure in days, up to 365 (default: 365)")
    parser.add_argument("--metric", choices=METRICS, help="what ranks the assets (default: the criterion's own measure)")
    parser.add_argument("--criterion", choices=CRITERIA, default="generalized", help="what shippers choose routes by (default: generalized cost)")
    parser.add_argument("--asset", metavar="ID", action="append", help="assess this asset (link:l013, border:altynkol, ...); repeatable")
    parser.add_argument(
        "--kind", choices=[k.value for k in AssetKind], action="append", metavar="KIND",
        help="assess assets of this kind (link, border, gauge_change, transshipment, port); repeatable",
    )  # fmt: skip
    parser.add_argument("--scenario", metavar="S", help="bundled scenario name or scenario file")
    parser.add_argument(
        "--workers", type=int, default=min(os.cpu_count() or 1, 4), help="processes to share the assets among (default: the cores, at most 4)"
    )
    parser.add_argument("--network", help="network file (default: the bundled network)")
    parser.add_argument(
        "-o", "--output", metavar="FILE", type=output_path({".csv": "CSV", ".geojson": "GeoJSON", ".json": "JSON"}),
        help="write the ranking as .csv, .geojson or .json",
    )
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON instead of the table")
    parser.set_defaults(run=_run)


class _Progress:
    """Assets done, on one line of a terminal (nothing when not a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.tty or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        filled = int(30 * done / max(total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} assets\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _run(args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    if output is not None and output.suffix.lower() not in OUTPUTS:
        print(f"corridor: error: -o {args.output}: unknown extension {output.suffix or '(none)'!r}; expected .csv, .geojson or .json", file=sys.stderr)
        return 2
    if args.top < 0:
        print("corridor: error: --top must be 0 or more", file=sys.stderr)
        return 2
    network = load_network(args.network)
    demand = merge_demand(*(load_demand(ref, network) for ref in args.demand)) if args.demand else None
    progress = _Progress(sys.stderr)
    try:
        result = criticality(
            network,
            demand=demand,
            assets=args.asset,
            kinds=args.kind,
            closure=args.closure,
            fraction=args.fraction,
            days=args.days,
            metric=args.metric,
            criterion=args.criterion,
            scenario=args.scenario,
            workers=args.workers,
            progress=progress,
        )
    finally:
        progress.close()
    if output is not None:
        _write(output, result, network)
    if args.json:
        json.dump(criticality_to_dict(result), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_criticality(result, top=args.top))
        if output is not None:
            print(f"\nwrote {output}")
    return 0


def _write(path: Path, result: object, network: Network) -> None:
    from planner import Criticality

    assert isinstance(result, Criticality)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = criticality_csv(result)
    elif suffix == ".geojson":
        text = json.dumps(criticality_geojson(result, network), ensure_ascii=False)
    else:
        text = json.dumps(criticality_to_dict(result), ensure_ascii=False, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
