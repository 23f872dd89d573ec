"""Many routes at once: batch k=1 throughput and route matrices, beside the one-at-a-time baselines.

    python benchmarks/matrix.py            # both sections, a table on stdout (as `run.py --only batch,matrix`)
    python benchmarks/matrix.py --quick    # tiny sizes

Query mixes (distinct requests, no answer served from a cache):

* **batch, lanes x sizes**: every ordered pair of bundled places that has a route, each at 1, 2,
  3, 4, 5, 10, 20 and 40 TEU (20 ft, scheduled service, fastest): a forwarder pricing every lane for
  several shipment sizes. Rows are handed to the executors as a job hands them out (sorted by origin and
  options, chunks of about 200 cut between origins).
* **batch, mixed options**: the same lanes, each with one of 18 option sets (rank time / cost /
  CO2e, the three service levels, 20 ft or 40 ft boxes), randomly.

Baselines in the same run, one process: networkx ``dijkstra_path`` one pair at a time on the plain
graph (a path, no pricing), and the per-row engine (``evaluate_row``: resolve, search, price, P90).
What is built once per network (compiled graph, weights, the parts' Monte Carlo draws) is built
before the clock starts, as in a running server; trees and prices are computed afresh every time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

import planner  # noqa: E402
from benchmarks import _baseline as base  # noqa: E402
from planner.batch import DEFAULT_CHUNK_ROWS, BatchRow, evaluate_row  # noqa: E402
from planner.batch._order import grouped_chunks, row_cost, tree_order  # noqa: E402

SIZES = (1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0, 40.0)
CHUNK = DEFAULT_CHUNK_ROWS


def routed_pairs(network: planner.Network) -> list[tuple[str, str]]:
    """Every ordered pair of places with a route (fastest, scheduled), found with one tree per origin."""
    ids = sorted(network.places)
    others = {o: [d for d in ids if d != o] for o in ids}
    requests = [(planner.resolve_request(network, o, others[o][0], k=1), others[o]) for o in ids]
    out = []
    for (request, destinations), cells in zip(requests, planner.best_routes(network, requests), strict=True):
        out.extend((request.origin, d) for d, c in zip(destinations, cells, strict=True) if isinstance(c, planner.RouteFigures))
    return out


def lanes_by_size(pairs: list[tuple[str, str]]) -> list[BatchRow]:
    rows = [(a, b, teu) for a, b in pairs for teu in SIZES]
    random.Random(1).shuffle(rows)  # a client's file is in no useful order
    return [BatchRow(row=i + 1, origin=a, destination=b, k=1, teu=teu) for i, (a, b, teu) in enumerate(rows)]


def mixed_options(pairs: list[tuple[str, str]]) -> list[BatchRow]:
    rnd = random.Random(2)
    sets = [
        {"rank": rank, "service": service, **box}
        for rank in ("time", "cost", "co2e")
        for service in ("express", "scheduled", "standard")
        for box in ({"teu": 1.0}, {"container": "40ft", "teu": 2.0})
    ]
    rows = []
    for i, (a, b) in enumerate(pairs):
        rows.append(BatchRow(row=i + 1, origin=a, destination=b, k=1, **rnd.choice(sets)))
    return rows


def job_chunks(rows: list[BatchRow]) -> list[list[BatchRow]]:
    """The chunks a job hands out (JobStore.pending_chunks(grouped=True) does the same in SQL)."""
    ordered = sorted(rows, key=lambda r: (tree_order(r), r.row))
    return list(grouped_chunks(((r, (r.scenario, r.origin), row_cost(r)) for r in ordered), CHUNK))


def nx_rows_per_s(network: planner.Network, rows: list[BatchRow]) -> float:
    g = base.nx_unexpanded(network)
    w = base.nx_weight(network)
    t0 = time.perf_counter()
    for row in rows:
        with contextlib.suppress(nx.NetworkXNoPath):
            nx.dijkstra_path(g, row.origin, row.destination, weight=w)
    return len(rows) / (time.perf_counter() - t0)


def per_row_rows_per_s(network: planner.Network, rows: list[BatchRow]) -> float:
    for row in rows[:20]:
        evaluate_row(network, row)
    t0 = time.perf_counter()
    for row in rows[20:]:
        evaluate_row(network, row)
    return (len(rows) - 20) / (time.perf_counter() - t0)


def _drive(executor: Any, chunks: list[list[BatchRow]], warm: list[list[BatchRow]], pids: Any = None) -> dict[str, float]:
    list(executor.map_chunks(iter(warm)))  # every worker unpacks and compiles the network first
    workers = pids() if pids is not None else []
    before = sum(_cpu_of(pid) for pid in workers)
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    done = ok = 0
    for outcomes in executor.map_chunks(iter(chunks)):
        done += len(outcomes)
        ok += sum(1 for o in outcomes if o.ok)
    elapsed = time.perf_counter() - t0
    out = {"rows": float(done), "ok_rows": float(ok), "seconds": elapsed, "rows_per_s": done / elapsed,
           "parent_cpu_s": time.process_time() - cpu0}  # fmt: skip
    if workers:
        spent = sum(_cpu_of(pid) for pid in workers) - before
        out["workers_cpu_s"] = spent
        out["rows_per_worker_cpu_s"] = done / spent if spent > 0 else 0.0
    return out


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _warm(rows: list[BatchRow], workers: int) -> list[list[BatchRow]]:
    """Chunks that keep every worker busy for a moment: each unpacks and compiles the network before the clock starts."""
    few = [BatchRow(row=10_000_000 + i, origin=r.origin, destination=r.destination, k=1) for i, r in enumerate(rows[:2000])]
    return [few[i :: workers * 4] for i in range(workers * 4)]


def local_pool(chunks: list[list[BatchRow]], warm: list[list[BatchRow]], workers: int) -> dict[str, float]:
    from planner.batch import LocalPoolExecutor, NetworkSource

    executor = LocalPoolExecutor(NetworkSource.from_path(None), workers=workers)
    try:
        # The workers' CPU time over the timed run (the pool's processes, a detail of concurrent.futures).
        return _drive(executor, chunks, warm, pids=lambda: list(executor._pool._processes))
    finally:
        executor.close()


def dask_cluster(chunks: list[list[BatchRow]], warm: list[list[BatchRow]], workers: int) -> dict[str, float]:
    from distributed import Client, LocalCluster

    from planner.batch import DaskExecutor, NetworkSource

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster),  # as_completed needs a default client
    ):
        executor = DaskExecutor(NetworkSource.from_path(None), scheduler=cluster.scheduler_address)
        try:
            return _drive(executor, chunks, warm)
        finally:
            executor.close()


def bench_batch(rep: Any, network: planner.Network, *, quick: bool) -> None:
    print("(c) batch k=1: one tree per origin and options, priced with arrays", flush=True)
    pairs = routed_pairs(network)
    if quick:
        pairs = random.Random(3).sample(pairs, 600)
    rows = lanes_by_size(pairs)
    sample = random.Random(4).sample(rows, min(len(rows), 400 if quick else 3000))
    nx_rps = nx_rows_per_s(network, sample)
    engine_rps = per_row_rows_per_s(network, sample[: 300 if quick else 2000])
    chunks = job_chunks(rows)
    warm = _warm(rows, 2)
    out: dict[str, Any] = {"mix": "lanes x sizes", "rows": len(rows), "pairs": len(pairs), "chunk_rows": CHUNK,
                           "nx_one_at_a_time_rows_per_s": nx_rps, "per_row_engine_rows_per_s": engine_rps}  # fmt: skip
    note = f"{len(rows):,} distinct rows: {len(pairs):,} lanes x 1/2/3/4/5/10/20/40 TEU"
    rep.add("c batch", "baseline: per-row engine, 1 process", engine_rps, "rows/s", note="resolve, search, price, P90 per row")
    for workers in (1, 2):
        r = local_pool(chunks, warm, workers)
        out[f"local_{workers}"] = r
        cpu = f"{r.get('rows_per_worker_cpu_s', 0):,.0f} rows per CPU-second of the workers"
        rep.add("c batch", f"local pool, {workers} process{'es' if workers > 1 else ''}", r["rows_per_s"], "rows/s",
                nx_rps, "nx one-at-a-time", target=100_000.0 if workers == 2 else None, higher_is_better=True,
                note=f"{note}; {cpu}" if workers == 2 else cpu)  # fmt: skip
        if workers == 2:
            rep.add("c batch", "local pool, 2 processes vs the per-row engine", r["rows_per_s"], "rows/s", engine_rps,
                    "per-row engine, 1 process", higher_is_better=True)  # fmt: skip
    local = out["local_2"]["rows_per_s"]
    try:
        r = dask_cluster(chunks, warm, 2)
        out["dask"] = r
        rep.add("c batch", "Dask LocalCluster, 2 workers", r["rows_per_s"], "rows/s", local, "local pool, 2 processes",
                target=0.7 * local, higher_is_better=True, note="target: within 30 % of the local pool")  # fmt: skip
    except Exception as exc:  # report and go on
        out["dask_error"] = repr(exc)[:500]
        rep.add("c batch", "Dask LocalCluster", float("nan"), "rows/s", note=f"failed: {type(exc).__name__}")
    mixed = mixed_options(pairs)
    r = local_pool(job_chunks(mixed), warm, 2)
    out["mixed_local_2"] = {**r, "rows": len(mixed)}
    rep.add("c batch", "mixed options, local pool, 2 processes", r["rows_per_s"], "rows/s", nx_rps, "nx one-at-a-time",
            higher_is_better=True, note=f"{len(mixed):,} rows: rank x service x box, 18 option sets")  # fmt: skip
    rep.details["batch"] = out


def _median_seconds(call: Any, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_matrix(rep: Any, network: planner.Network, *, quick: bool) -> None:
    print("(g) route matrices: one tree per origin", flush=True)
    out: dict[str, Any] = {}
    ids = sorted(network.places)
    for side in ((16,) if quick else (128, len(ids))):
        places = ids[:side]
        planner.route_matrix(network, places[:2], places, use_cache=False)  # draws and tables, built once per network
        cpu0 = time.process_time()
        rounds = 1 if quick else 3
        seconds = _median_seconds(lambda p=places: planner.route_matrix(network, p, p, use_cache=False), rounds)
        cpu = (time.process_time() - cpu0) / rounds
        cells = [(a, b) for a in places for b in places if a != b]
        sample = random.Random(5).sample(cells, min(len(cells), 100 if quick else 400))
        t0 = time.perf_counter()
        for a, b in sample:
            with contextlib.suppress(planner.PlannerError):
                planner.plan_routes(network, a, b, k=1, use_cache=False)
        per_cell = (time.perf_counter() - t0) / len(sample)
        baseline = per_cell * side * side
        out[f"bundled_{side}"] = {"seconds": seconds, "cpu_s": cpu, "cells": side * side, "plan_routes_per_cell_s": per_cell}
        what = "every bundled place" if side == len(ids) else f"the first {side} places by id"
        rep.add("g matrix", f"{side} x {side} bundled ({what})", seconds, "s", baseline,
                "plan_routes k=1 per cell (sampled)", target=0.5 if side == 128 else None,
                note=f"{cpu:.2f} s CPU")  # fmt: skip
    from benchmarks._synthetic import synthetic_network

    n = 2_000 if quick else 10_000
    side = 30 if quick else 1_000
    synthetic = synthetic_network(n)
    rnd = random.Random(6)
    sids = sorted(synthetic.places)
    origins, destinations = rnd.sample(sids, side), rnd.sample(sids, side)
    planner.route_matrix(synthetic, origins[:1], destinations[:10], rank="cost")  # compile, index, draws
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    m = planner.route_matrix(synthetic, origins, destinations, rank="cost", use_cache=False)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    alone = sum(1 for row in m.cells for c in row if isinstance(c, planner.CellError))
    sample = [(origins[i], destinations[j]) for i, j in zip(range(0, side, max(1, side // 30)), range(side), strict=False)]
    t0 = time.perf_counter()
    for a, b in sample:
        with contextlib.suppress(planner.PlannerError):
            planner.plan_routes(synthetic, a, b, k=1, rank="cost", use_cache=False)
    per_cell = (time.perf_counter() - t0) / len(sample)
    out[f"synthetic_{n}"] = {"seconds": seconds, "cpu_s": cpu, "cells": side * side, "errors": alone, "rank": "cost",
                             "plan_routes_per_cell_s": per_cell}  # fmt: skip
    rep.add("g matrix", f"{side:,} x {side:,} on the {n:,}-place synthetic network, by cost", seconds, "s",
            per_cell * side * side, "plan_routes k=1 per cell (sampled)",
            note=f"{side * side:,} cells, {alone} without a route; {cpu:.0f} s CPU")  # fmt: skip
    rep.details["matrix"] = out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    args = ap.parse_args(argv)
    from benchmarks import run

    return run.main(["--only", "batch,matrix"] + (["--quick"] if args.quick else []))


if __name__ == "__main__":
    sys.exit(main())
