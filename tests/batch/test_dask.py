"""Evaluating on a Dask cluster gives the same results as the local process pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_helpers import TINY, check_results, random_rows, read_output, to_csv

import planner
from planner.batch import (
    DaskExecutor,
    JobStatus,
    JobStore,
    LocalPoolExecutor,
    NetworkSource,
    read_text_rows,
    render,
    run_job,
)

distributed = pytest.importorskip("distributed")


def _run(tmp_path: Path, name: str, rows: list[dict[str, str]], executor: DaskExecutor | LocalPoolExecutor) -> str:
    store = JobStore(tmp_path / f"{name}.sqlite3")
    job, _ = store.create_job(read_text_rows(to_csv(rows), "csv"), owner="test", network_digest=executor.network_digest)
    try:
        finished = run_job(store, job.id, executor, chunk_rows=100)
    finally:
        executor.close()
    assert finished.status is JobStatus.DONE
    text = "".join(render(store.outcomes(job.id), "jsonl"))
    store.close()
    return text


def test_a_dask_cluster_gives_the_same_results_as_the_local_pool(tmp_path: Path, tiny: planner.Network) -> None:
    rows = random_rows(600, seed=21)
    source = NetworkSource.from_path(TINY)
    local = _run(tmp_path, "local", rows, LocalPoolExecutor(source, workers=2))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
    ):
        on_dask = _run(tmp_path, "dask", rows, DaskExecutor(source, scheduler=cluster.scheduler_address))
    assert on_dask == local
    check_results(tiny, rows, read_output(on_dask, "jsonl"))
