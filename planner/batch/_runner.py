"""Driving a job: feed its pending rows to an executor in chunks and record each chunk as it completes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ._executors import ChunkExecutor
from ._store import Job, JobStatus, JobStore

__all__ = ["DEFAULT_CHUNK_ROWS", "run_job"]

DEFAULT_CHUNK_ROWS = 200


def run_job(
    store: JobStore,
    job_id: str,
    executor: ChunkExecutor,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    on_progress: Callable[[Job], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    should_yield: Callable[[], bool] | None = None,
) -> Job:
    """Evaluate every row of a job that has no result yet, and mark the job done.

    Stops early, leaving the job resumable, when ``should_stop()`` turns true; stops without
    finishing when the job is cancelled meanwhile. ``should_yield()`` is asked before each chunk
    is handed out: once it is true no more chunks are handed out, the chunks in flight are
    recorded, and the job is left running, to be resumed (a turn of a fair scheduler). Rows
    already recorded are never evaluated again, so a job interrupted at any point and run again
    ends with one result per row. A job submitted for another network than the executor's (by
    content digest) fails with a message saying so, and no row of it is evaluated.

    Returns
    -------
    Job
        The job's state at the end.
    """
    job = store.get(job_id)
    if job is None:
        raise LookupError(f"no batch job {job_id!r}")
    if job.finished:
        return job
    if job.network_digest != executor.network_digest:
        submitted = job.network_digest[:12] if job.network_digest else "an unrecorded network"
        store.fail(
            job_id,
            f"the job was submitted for network {submitted} but the network being served is now "
            f"{executor.network_digest[:12]}; submit the batch again",
        )
        failed = store.get(job_id)
        assert failed is not None
        return failed
    store.start(job_id)
    chunks = store.pending_chunks(job_id, chunk_rows)
    if should_yield is not None:
        chunks = _until(chunks, should_yield)
    results = executor.map_chunks(chunks)
    try:
        for outcomes in results:
            store.record(job_id, outcomes)
            current = store.get(job_id)
            assert current is not None
            if on_progress is not None:
                on_progress(current)
                current = store.get(job_id)  # the callback may have cancelled it
                assert current is not None
            if current.status is JobStatus.CANCELLED or (should_stop is not None and should_stop()):
                return current
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    return store.finish(job_id)


def _until(chunks: Iterator[list[Any]], should_yield: Callable[[], bool]) -> Iterator[list[Any]]:
    for chunk in chunks:
        yield chunk
        if should_yield():
            return
