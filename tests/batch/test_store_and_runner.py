"""The job store and the runner: resumable, no row lost or evaluated into the output twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from batch_helpers import TINY, check_results, random_rows, read_output, to_csv

import planner
from planner.batch import (
    BatchRow,
    JobStatus,
    JobStore,
    LocalPoolExecutor,
    NetworkSource,
    RowOutcome,
    TooManyJobsError,
    TooManyRowsError,
    evaluate_rows,
    read_text_rows,
    render,
    run_job,
)


class InlineExecutor:
    """Evaluates chunks in this process; can stop after a number of chunks, like a killed worker."""

    workers = 1

    def __init__(self, network: planner.Network, *, crash_after: int | None = None) -> None:
        self.network = network
        self.network_digest = network.digest
        self.crash_after = crash_after
        self.chunks = 0
        self.rows: list[int] = []

    def map_chunks(self, chunks: Iterator[list[BatchRow]]) -> Iterator[list[RowOutcome]]:
        for chunk in chunks:
            if self.crash_after is not None and self.chunks >= self.crash_after:
                raise KeyboardInterrupt
            self.chunks += 1
            self.rows.extend(row.row for row in chunk)
            yield evaluate_rows(self.network, chunk)

    def close(self) -> None:
        pass


def _store_with(tmp_path: Path, rows: list[dict[str, str]], network: planner.Network) -> tuple[JobStore, str]:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job, created = store.create_job(read_text_rows(to_csv(rows), "csv"), owner="me", network_digest=network.digest)
    assert created
    assert job.rows_total == len(rows)
    return store, job.id


def test_an_interrupted_job_resumes_without_losing_or_repeating_rows(tmp_path: Path, tiny: planner.Network) -> None:
    rows = random_rows(1000)
    store, job_id = _store_with(tmp_path, rows, tiny)
    crashed = InlineExecutor(tiny, crash_after=2)
    with pytest.raises(KeyboardInterrupt):
        run_job(store, job_id, crashed, chunk_rows=100)
    store.close()
    store = JobStore(tmp_path / "jobs.sqlite3")  # as after a restart
    job = store.get(job_id)
    assert job is not None
    # Chunks hold one origin's rows together: about 100 rows each, cut where the origin changes.
    assert 200 <= job.rows_done == len(crashed.rows) <= 2 * 100 * 5
    assert job.status is JobStatus.RUNNING
    assert store.requeue_running() == 1
    resumed = InlineExecutor(tiny)
    job = run_job(store, job_id, resumed, chunk_rows=100)
    assert sorted(crashed.rows + resumed.rows) == list(range(1, 1001))  # every row once
    assert job.status is JobStatus.DONE
    assert job.rows_done == 1000
    check_results(tiny, rows, read_output("".join(render(store.outcomes(job_id), "csv")), "csv"))


def test_recording_a_chunk_twice_counts_it_once(tmp_path: Path, tiny: planner.Network) -> None:
    rows = random_rows(10)
    store, job_id = _store_with(tmp_path, rows, tiny)
    outcomes = evaluate_rows(tiny, read_text_rows(to_csv(rows), "csv"))
    assert store.record(job_id, outcomes[:6]) == 6
    assert store.record(job_id, outcomes) == 4
    job = store.get(job_id)
    assert job is not None
    assert job.rows_done == 10
    assert len(list(store.outcomes(job_id))) == 10


def test_limits_refuse_the_job_and_store_nothing(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    rows = read_text_rows(to_csv(random_rows(20)), "csv")
    with pytest.raises(TooManyRowsError):
        store.create_job(rows, owner="me", network_digest="n", max_rows=19)
    assert store.list_jobs("me") == []
    store.create_job(rows, owner="me", network_digest="n", max_in_flight=1)
    with pytest.raises(TooManyJobsError):
        store.create_job(rows, owner="me", network_digest="n", max_in_flight=1)
    store.create_job(rows, owner="you", network_digest="n", max_in_flight=1)
    assert len(store.list_jobs("me")) == 1


def test_the_same_idempotency_key_returns_the_same_job(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    rows = read_text_rows(to_csv(random_rows(5)), "csv")
    first, created = store.create_job(rows, owner="me", network_digest="n", idempotency_key="k")
    again, created_again = store.create_job(rows, owner="me", network_digest="n", idempotency_key="k")
    other, _ = store.create_job(rows, owner="you", network_digest="n", idempotency_key="k")
    assert created
    assert not created_again
    assert again.id == first.id
    assert other.id != first.id
    assert store.get(first.id, owner="you") is None


def test_a_cancelled_job_stops(tmp_path: Path, tiny: planner.Network) -> None:
    store, job_id = _store_with(tmp_path, random_rows(500), tiny)
    executor = InlineExecutor(tiny)
    ran = threading.Event()

    def cancel_after_first(job: object) -> None:
        if not ran.is_set():
            ran.set()
            store.cancel(job_id)

    job = run_job(store, job_id, executor, chunk_rows=100, on_progress=cancel_after_first)
    assert job.status is JobStatus.CANCELLED
    assert executor.chunks == 1


def test_a_job_deleted_while_it_runs_stops_and_leaves_nothing(tmp_path: Path, tiny: planner.Network) -> None:
    store, job_id = _store_with(tmp_path, random_rows(500), tiny)
    executor = InlineExecutor(tiny)

    def delete_after_first(job: object) -> None:
        store.cancel(job_id)
        assert store.delete(job_id)

    job = run_job(store, job_id, executor, chunk_rows=100, on_progress=delete_after_first)
    assert job.status is JobStatus.CANCELLED
    assert executor.chunks == 1
    assert store.get(job_id) is None
    assert list(store.outcomes(job_id)) == []


def test_the_local_pool_gives_the_results_of_plan_routes(tmp_path: Path, tiny: planner.Network) -> None:
    rows = random_rows(2000, seed=3)
    store, job_id = _store_with(tmp_path, rows, tiny)
    executor = LocalPoolExecutor(NetworkSource.from_path(TINY), workers=2)
    try:
        job = run_job(store, job_id, executor, chunk_rows=100)
    finally:
        executor.close()
    assert job.status is JobStatus.DONE
    assert job.rows_per_second() > 0
    check_results(tiny, rows, read_output("".join(render(store.outcomes(job_id), "jsonl")), "jsonl"))


def test_a_job_submitted_for_another_network_fails_and_evaluates_nothing(tmp_path: Path, tiny: planner.Network) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job, _ = store.create_job(read_text_rows(to_csv(random_rows(30)), "csv"), owner="me", network_digest=tiny.digest)
    other = planner.load_network()  # the bundled network: another digest
    executor = InlineExecutor(other)
    finished = run_job(store, job.id, executor, chunk_rows=10)
    assert finished.status is JobStatus.FAILED
    assert executor.chunks == 0
    assert finished.rows_done == 0
    assert finished.error is not None
    assert tiny.digest[:12] in finished.error
    assert other.digest[:12] in finished.error
    assert finished.network_digest == tiny.digest


def test_a_store_written_before_jobs_kept_their_network_is_upgraded_in_place(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE jobs (id TEXT PRIMARY KEY, owner TEXT NOT NULL, idempotency_key TEXT, status TEXT NOT NULL,"
        " output_format TEXT NOT NULL, created_at REAL NOT NULL, started_at REAL, finished_at REAL,"
        " rows_total INTEGER NOT NULL, rows_done INTEGER NOT NULL DEFAULT 0, rows_failed INTEGER NOT NULL DEFAULT 0,"
        " run_started_at REAL, run_rows_start INTEGER NOT NULL DEFAULT 0, error TEXT, UNIQUE (owner, idempotency_key))"
    )
    db.execute("INSERT INTO jobs (id, owner, status, output_format, created_at, rows_total) VALUES ('old', 'me', 'queued', 'csv', 0, 0)")
    db.commit()
    db.close()
    store = JobStore(path)
    old = store.get("old")
    assert old is not None
    assert old.network_digest is None
    new, _ = store.create_job([], owner="me", network_digest="abc")
    assert new.network_digest == "abc"
