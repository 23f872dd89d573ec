"""The batch runner of one server process: fair turns across API keys, resumption, retention.

Jobs are served in turns. Each turn runs the oldest unfinished job of the key served longest ago
(a key never served comes first) until it is done, or until it has had ``turn_rows`` rows and
another key is waiting: then its chunks in flight are recorded and the next key gets a turn. So a
one-row job of one key finishes while another key's million rows run, and one key's jobs still
run oldest first. Finished jobs older than the retention period are deleted with their rows,
results and result files, and the freed space is given back to the file system.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from planner import Network
from planner.batch import (
    BatchRow,
    DaskExecutor,
    Job,
    JobStatus,
    JobStore,
    LocalPoolExecutor,
    NetworkSource,
    OutputFormat,
    RowOutcome,
    evaluate_rows,
    make_executor,
    render,
    run_job,
    write_atomically,
)

from .settings import Settings

__all__ = ["BATCHES", "DEFAULT_TURN_ROWS", "IDLE_SECONDS", "BatchService", "JobKind", "batch_workers"]

log = logging.getLogger("corridor.batches")

DEFAULT_TURN_ROWS = 2_000
"""Rows a job may run before another waiting key gets its turn (about half a second of work on two cores)."""
_PURGE_EVERY_SECONDS = 600.0
_DAY = 86_400.0
IDLE_SECONDS = 60.0
"""The worker processes stop once no job has run for this long."""


def batch_workers(settings: Settings) -> int:
    """Local batch worker processes: ``settings.batch_workers``, else half the CPUs (at least one)."""
    return settings.batch_workers or max(1, (os.cpu_count() or 1) // 2)


@dataclass(frozen=True, slots=True)
class JobKind:
    """What a service runs: its store's name, its rows, how a chunk is evaluated and what files a finished job gets.

    ``write(service, job)`` writes a finished job's result files; ``suffixes`` name them (``<job id>.<suffix>``).
    """

    name: str
    row_type: Any
    evaluate: Callable[[Network, list[Any]], list[RowOutcome]]
    write: Callable[[BatchService, Job], None]
    suffixes: tuple[str, ...]


def _write_batch(service: BatchService, job: Job) -> None:
    fmt: OutputFormat = "jsonl" if job.output_format == "jsonl" else "csv"
    write_atomically(service.result_path(job.id, fmt), render(service.store.outcomes(job.id), fmt))


BATCHES = JobKind("batches", BatchRow, evaluate_rows, _write_batch, ("csv", "jsonl"))
"""Batches of route requests."""


class BatchService:
    """The job store and the background runner of one server process (batches, or another :class:`JobKind`)."""

    def __init__(
        self,
        settings: Settings,
        network: Network,
        *,
        turn_rows: int = DEFAULT_TURN_ROWS,
        idle_seconds: float = IDLE_SECONDS,
        kind: JobKind = BATCHES,
    ) -> None:
        self.settings = settings
        self.kind = kind
        self.data_dir = Path(settings.data_dir)
        self.results_dir = self.data_dir / ("results" if kind is BATCHES else f"{kind.name}-results")
        self.results_dir.mkdir(parents=True, exist_ok=True)
        self.store = JobStore(self.data_dir / f"{kind.name}.sqlite3", row_type=kind.row_type)
        self.network = network
        self.turn_rows = turn_rows
        self.idle_seconds = idle_seconds
        self._busy_at = time.monotonic()  # when a job last ran
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._executor: LocalPoolExecutor | DaskExecutor | None = None
        self._lock_file: IO[bytes] | None = None
        self._served: dict[str, float] = {}  # owner -> when its last turn began (monotonic)
        self._purged_at = float("-inf")

    # --- life -------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=f"{self.kind.name}-runner", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        if self._executor is not None:
            self._executor.close()
            self._executor = None
        if self._lock_file is not None:
            self._lock_file.close()
        self.store.close()

    def _take_lock(self) -> bool:
        if self._lock_file is None:
            self._lock_file = (self.data_dir / f"{self.kind.name}.lock").open("ab")
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    # --- the loop -----------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set() and not self._take_lock():
            self._stop.wait(2.0)
        if self._stop.is_set():
            return
        # Jobs a killed server left running go back to the queue; their recorded rows stay done.
        resumed = self.store.requeue_running()
        if resumed:
            log.info("resuming %d unfinished batch job(s)", resumed)
        failures: dict[str, int] = {}
        while not self._stop.is_set():
            self._wake.clear()
            self._purge_if_due()
            job = self.next_job()
            if job is None:
                self._stop_idle_workers()
                self._wake.wait(min(1.0, self.idle_seconds))
                continue
            try:
                self._turn(job)
                self._busy_at = time.monotonic()
                failures.pop(job.id, None)
            except Exception as exc:
                log.exception("batch job %s failed to run", job.id)
                failures[job.id] = failures.get(job.id, 0) + 1
                if self._executor is not None:
                    with contextlib.suppress(Exception):
                        self._executor.close()
                    self._executor = None
                if failures[job.id] >= 3:
                    self.store.fail(job.id, f"the job could not be run: {type(exc).__name__}: {exc}")
                self._stop.wait(2.0)

    def _stop_idle_workers(self) -> None:
        if self._executor is not None and time.monotonic() - self._busy_at >= self.idle_seconds:
            self._executor.close()
            self._executor = None

    @property
    def workers_running(self) -> bool:
        """Whether the worker processes (or the Dask client) are up."""
        return self._executor is not None

    def next_job(self) -> Job | None:
        """The oldest unfinished job of the key whose last turn began longest ago (never served first)."""
        oldest: dict[str, Job] = {}
        for job in self.store.unfinished():  # oldest first
            oldest.setdefault(job.owner, job)
        if not oldest:
            return None
        owner = min(oldest, key=lambda o: (self._served.get(o, float("-inf")), oldest[o].created_at))
        return oldest[owner]

    def _turn(self, job: Job) -> None:
        if self._executor is None:
            # The network being served, packed: workers never read the file, so answers match the API's.
            source = NetworkSource.of(self.network)
            self._executor = make_executor(
                source,
                # An assignment is one chunk solved as a whole: one worker; route batches share the batch pool.
                workers=batch_workers(self.settings) if self.kind is BATCHES else 1,
                scheduler=self.settings.dask_scheduler,
                evaluate=self.kind.evaluate,
            )
        self._served[job.owner] = time.monotonic()
        start_rows = job.rows_done
        last_check = [0.0]

        def should_yield() -> bool:
            current = self.store.get(job.id)
            if current is None or current.rows_done - start_rows < self.turn_rows:
                return False
            now = time.monotonic()
            if now - last_check[0] < 0.05:
                return False
            last_check[0] = now
            return bool(self.store.waiting_owners() - {job.owner})

        finished = run_job(self.store, job.id, self._executor, should_stop=self._stop.is_set, should_yield=should_yield)
        if finished.status is JobStatus.DONE:
            self.kind.write(self, finished)
            if self.store.get(job.id) is None:  # deleted while its files were being written
                self._remove_files(job.id)

    # --- data ---------------------------------------------------------------------------------

    def result_path(self, job_id: str, fmt: str) -> Path:
        """Stored result files are named by job id only."""
        return self.results_dir / f"{job_id}.{fmt}"

    def delete(self, job_id: str, owner: str) -> bool:
        """Remove a finished job of ``owner``: its record, rows, results and result files; then reclaim the space."""
        if not self.store.delete(job_id, owner=owner):
            return False
        self._remove_files(job_id)
        self.store.reclaim()
        return True

    def _remove_files(self, job_id: str) -> None:
        for suffix in self.kind.suffixes:
            self.result_path(job_id, suffix).unlink(missing_ok=True)

    def purge(self, now: float | None = None) -> int:
        """Delete finished jobs older than the retention period; returns how many were deleted."""
        days = self.settings.batch_retention_days
        if days <= 0:
            return 0
        cutoff = (time.time() if now is None else now) - days * _DAY
        deleted = 0
        while ids := self.store.finished_before(cutoff):
            for job_id in ids:
                if self.store.delete(job_id):
                    self._remove_files(job_id)
                    deleted += 1
        if deleted:
            self.store.reclaim()
            log.info("deleted %d batch job(s) finished more than %g days ago", deleted, days)
        return deleted

    def _purge_if_due(self) -> None:
        now = time.monotonic()
        if now - self._purged_at >= _PURGE_EVERY_SECONDS:
            self._purged_at = now
            try:
                self.purge()
            except Exception:
                log.exception("purging old batch jobs failed")
