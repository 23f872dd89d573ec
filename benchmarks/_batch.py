"""Batch section: OD pairs through the batch engine's executors (local pool, Dask LocalCluster)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from planner.batch import BatchRow, DaskExecutor, LocalPoolExecutor, NetworkSource

CHUNK = 200


def _chunks(rows: list[BatchRow], size: int) -> Iterator[list[BatchRow]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def rows_of(pairs: list[tuple[str, str]]) -> list[BatchRow]:
    return [BatchRow(row=i + 1, origin=a, destination=b, k=1) for i, (a, b) in enumerate(pairs)]


def chunk_rows(n_rows: int, workers: int) -> int:
    """The batch engine's default chunk (200 rows), smaller when there are too few rows to keep every worker busy."""
    return max(1, min(CHUNK, n_rows // (4 * workers)))


def _drive(executor: Any, rows: list[BatchRow]) -> dict[str, float]:
    # warm up: every worker parses the network and compiles it before the clock starts
    list(executor.map_chunks(_chunks(rows[: 8 * executor.workers], 2)))
    t0 = time.perf_counter()
    done = ok = 0
    for outcomes in executor.map_chunks(_chunks(rows, chunk_rows(len(rows), executor.workers))):
        done += len(outcomes)
        ok += sum(1 for o in outcomes if o.ok)
    elapsed = time.perf_counter() - t0
    return {"rows": float(done), "ok_rows": float(ok), "seconds": elapsed, "rows_per_s": done / elapsed}


def local_pool(rows: list[BatchRow], workers: int) -> dict[str, float]:
    source = NetworkSource.from_path(None)
    executor = LocalPoolExecutor(source, workers=workers)
    try:
        return _drive(executor, rows)
    finally:
        executor.close()


def dask_cluster(rows: list[BatchRow], workers: int) -> dict[str, float]:
    from distributed import Client, LocalCluster

    source = NetworkSource.from_path(None)
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        # DaskExecutor's own client is not the default one, and distributed.as_completed([]) needs a
        # default client ("No clients found"): keep one open for the duration of the run.
        Client(cluster),
    ):
        executor = DaskExecutor(source, scheduler=cluster.scheduler_address)
        try:
            return _drive(executor, rows)
        finally:
            executor.close()
