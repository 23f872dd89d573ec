"""The durable job store: jobs, their input rows and their results in one SQLite file (WAL).

A job's rows are read first into a spool file beside the database (the row cap applies while they
are read, and no lock is held while a slow client sends them), then stored with the job in one
transaction, so a job exists whole or not at all.
Each evaluated chunk is recorded in one transaction that inserts the results (at most one per
input row: the primary key refuses a second) and advances the job's counters, so after a crash
at any point the rows without a result are exactly the ones left to do.

Deleting a job removes its rows and results; the file is created with ``auto_vacuum=INCREMENTAL``
(an older file is converted once) so that :meth:`JobStore.reclaim` gives the freed pages back to
the file system.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

import orjson

from ..errors import InvalidRequestError, PlannerError
from ._evaluate import RowOutcome
from ._rows import BatchRow, RowStream

__all__ = ["Job", "JobStatus", "JobStore", "StoredRow", "TooManyJobsError", "TooManyRowsError"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    idempotency_key TEXT,
    status TEXT NOT NULL,
    output_format TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    rows_total INTEGER NOT NULL,
    rows_done INTEGER NOT NULL DEFAULT 0,
    rows_failed INTEGER NOT NULL DEFAULT 0,
    run_started_at REAL,
    run_rows_start INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    network_digest TEXT,
    options TEXT,
    UNIQUE (owner, idempotency_key)
);
CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs (owner, created_at);
CREATE TABLE IF NOT EXISTS inputs (
    job_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (job_id, row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS results (
    job_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    lines TEXT NOT NULL,
    PRIMARY KEY (job_id, row)
) WITHOUT ROWID;
"""

_JOB_COLUMNS = (
    "id, owner, idempotency_key, status, output_format, created_at, started_at, finished_at, "
    "rows_total, rows_done, rows_failed, run_started_at, run_rows_start, error, network_digest, options"
)


class JobStatus(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


UNFINISHED = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class TooManyRowsError(InvalidRequestError):
    """Raised when a batch has more rows than the limit allows."""

    code = "too_many_rows"

    def __init__(self, limit: int) -> None:
        super().__init__(f"the batch has more than {limit:,} rows, the most one job may have", field="rows")
        self.limit = limit


class TooManyJobsError(PlannerError):
    """Raised when an owner already has as many unfinished jobs as allowed."""

    code = "too_many_jobs"

    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} jobs are already queued or running for this key; wait for one to finish")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Job:
    """A snapshot of a job's state."""

    id: str
    owner: str
    idempotency_key: str | None
    status: JobStatus
    output_format: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    rows_total: int
    rows_done: int
    rows_failed: int
    run_started_at: float | None
    run_rows_start: int
    error: str | None
    network_digest: str | None
    """Content digest of the network the job was submitted against (None for jobs stored before it was kept)."""
    options: str | None = None
    """The job's options as JSON text, for jobs whose rows share options (an assignment's method and gap)."""

    @property
    def finished(self) -> bool:
        return self.status not in (JobStatus.QUEUED, JobStatus.RUNNING)

    def rows_per_second(self, now: float | None = None) -> float:
        """Rows evaluated per second since the job (last) started running."""
        if self.run_started_at is None:
            return 0.0
        end = self.finished_at if self.finished and self.finished_at else (now or time.time())
        elapsed = end - self.run_started_at
        done = self.rows_done - self.run_rows_start
        return done / elapsed if elapsed > 0 and done > 0 else 0.0


def _job(record: Sequence[object]) -> Job:
    values = list(record)
    values[3] = JobStatus(str(values[3]))
    return Job(*values)  # type: ignore[arg-type]


class StoredRow(Protocol):
    """A row a job store keeps: its 1-based number and its JSON text (a batch row, a demand row)."""

    @property
    def row(self) -> int: ...

    def to_json(self) -> str: ...


Row = TypeVar("Row", bound=StoredRow)


class JobStore:
    """Jobs in a SQLite file; safe to use from several threads (each gets its own connection).

    ``row_type`` reads the stored rows back (``row_type.from_json(text)``): batch rows by default.
    """

    def __init__(self, path: str | Path, *, row_type: Any = BatchRow) -> None:
        self.path = Path(path)
        self.row_type = row_type
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        db = self._db()
        # auto_vacuum must be chosen before the first table exists, or set by a VACUUM afterwards.
        (mode,) = db.execute("PRAGMA auto_vacuum").fetchone()
        if mode != 2:
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("VACUUM")
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
        if "network_digest" not in columns:  # a store written before jobs kept their network
            db.execute("ALTER TABLE jobs ADD COLUMN network_digest TEXT")
        if "options" not in columns:  # a store written before jobs kept options
            db.execute("ALTER TABLE jobs ADD COLUMN options TEXT")

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
            # WAL with synchronous=NORMAL survives a killed process (not a power cut) and keeps commits fast.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=60000")
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    # --- creating and reading jobs ----------------------------------------------------------

    def create_job(
        self,
        rows: Iterable[StoredRow],
        *,
        owner: str,
        network_digest: str,
        output_format: str | Callable[[], str | None] = "csv",
        options: str | None = None,
        job_id: str | None = None,
        idempotency_key: str | None = None,
        max_rows: int | None = None,
        max_in_flight: int | None = None,
    ) -> tuple[Job, bool]:
        """Store a new job with its rows, or return the owner's job with the same idempotency key.

        ``rows`` are read first (into a spool file; :class:`TooManyRowsError` as soon as one too
        many is read), then stored in one transaction. ``output_format`` may be a callable asked
        once the rows are read (a streamed body may name it after its rows). ``network_digest``
        names the network the rows are to be evaluated on (:attr:`planner.Network.digest`);
        :func:`~planner.batch.run_job` refuses to evaluate them on another. Returns the job and
        whether it was created. Raises :class:`TooManyRowsError` or :class:`TooManyJobsError`
        (nothing is stored then), or whatever reading ``rows`` raises.
        """
        db = self._db()
        if idempotency_key is not None:
            existing = self.find_by_key(owner, idempotency_key)
            if existing is not None:
                return existing, False
        if max_in_flight is not None:
            self._check_in_flight(db, owner, max_in_flight)  # before reading a large body for nothing
        with self._spool() as spool:
            total = self._spool_rows(rows, spool, max_rows)
            fmt = output_format() if callable(output_format) else output_format
            return self._insert(
                db, spool, total, owner, network_digest, fmt or "csv", job_id, idempotency_key, max_in_flight, options
            )

    def _spool(self) -> IO[str]:
        # Beside the database rather than in /tmp, which may be memory (tmpfs).
        return tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=self.path.parent, prefix=".rows-")

    def _spool_rows(self, rows: Iterable[StoredRow], spool: IO[str], max_rows: int | None) -> int:
        """Write ``row<TAB>row JSON`` lines; the row cap is checked on the cheap reading step of a RowStream."""
        total = 0
        if isinstance(rows, RowStream):
            with self._spool() as raw:
                for number, value in rows.split():
                    total += 1
                    if max_rows is not None and total > max_rows:
                        raise TooManyRowsError(max_rows)
                    raw.write(f"{number}\t{orjson.dumps(value).decode()}\n")
                    if total % 2000 == 0:
                        time.sleep(0)  # let other threads (a server's event loop) run during a long read
                raw.seek(0)
                for count, line in enumerate(raw, start=1):
                    text_number, value = line.rstrip("\n").split("\t", 1)
                    spool.write(f"{text_number}\t{rows.build(int(text_number), orjson.loads(value)).to_json()}\n")
                    if count % 500 == 0:
                        time.sleep(0)
        else:
            for row in rows:
                total += 1
                if max_rows is not None and total > max_rows:
                    raise TooManyRowsError(max_rows)
                spool.write(f"{row.row}\t{row.to_json()}\n")
        spool.seek(0)
        return total

    @staticmethod
    def _check_in_flight(db: sqlite3.Connection, owner: str, limit: int) -> None:
        (count,) = db.execute(
            "SELECT count(*) FROM jobs WHERE owner = ? AND status IN (?, ?)", (owner, *UNFINISHED)
        ).fetchone()
        if count >= limit:
            raise TooManyJobsError(limit)

    def _insert(
        self,
        db: sqlite3.Connection,
        spool: Iterable[str],
        total: int,
        owner: str,
        network_digest: str,
        output_format: str,
        job_id: str | None,
        idempotency_key: str | None,
        max_in_flight: int | None,
        options: str | None = None,
    ) -> tuple[Job, bool]:
        new_id = job_id or uuid.uuid4().hex
        db.execute("BEGIN IMMEDIATE")
        try:
            if idempotency_key is not None:
                existing = self.find_by_key(owner, idempotency_key)
                if existing is not None:
                    db.execute("ROLLBACK")
                    return existing, False
            if max_in_flight is not None:
                self._check_in_flight(db, owner, max_in_flight)
            records = (line.rstrip("\n").split("\t", 1) for line in spool)
            db.executemany(
                "INSERT INTO inputs (job_id, row, data) VALUES (?, ?, ?)",
                ((new_id, int(n), data) for n, data in records),
            )
            db.execute(
                "INSERT INTO jobs (id, owner, idempotency_key, status, output_format, created_at, rows_total,"
                " network_digest, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new_id, owner, idempotency_key, JobStatus.QUEUED.value, output_format, time.time(), total,
                    network_digest, options,
                ),
            )  # fmt: skip
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        job = self.get(new_id)
        assert job is not None
        return job, True

    def find_by_key(self, owner: str, key: str) -> Job | None:
        """The owner's job submitted with this idempotency key, if any."""
        record = (
            self._db()
            .execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE owner = ? AND idempotency_key = ?", (owner, key))
            .fetchone()
        )
        return _job(record) if record else None

    def get(self, job_id: str, *, owner: str | None = None) -> Job | None:
        """The job, or None if there is none (or it belongs to another owner)."""
        record = self._db().execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if record is None:
            return None
        job = _job(record)
        return job if owner is None or job.owner == owner else None

    def list_jobs(self, owner: str, *, limit: int = 100) -> list[Job]:
        """The owner's jobs, newest first."""
        records = (
            self._db()
            .execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE owner = ? ORDER BY created_at DESC, id LIMIT ?",
                (owner, limit),
            )
            .fetchall()
        )
        return [_job(r) for r in records]

    def unfinished(self) -> list[Job]:
        """Queued and running jobs, oldest first."""
        records = (
            self._db()
            .execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE status IN (?, ?) ORDER BY created_at, id", UNFINISHED)
            .fetchall()
        )
        return [_job(r) for r in records]

    # --- running ----------------------------------------------------------------------------

    def start(self, job_id: str) -> None:
        """Mark a queued job running (again, after a restart: the rate then counts from now).

        A job already running (it is resumed after another owner's turn) keeps its rate's start.
        """
        now = time.time()
        self._db().execute(
            "UPDATE jobs SET status = ?, started_at = coalesce(started_at, ?), run_started_at = ?,"
            " run_rows_start = rows_done WHERE id = ? AND status = ?",
            (JobStatus.RUNNING.value, now, now, job_id, JobStatus.QUEUED.value),
        )

    def pending_chunks(self, job_id: str, chunk_size: int) -> Iterator[list[Any]]:
        """The rows without a result, in order, a chunk at a time (each page read when needed)."""
        after = 0
        while True:
            records = (
                self._db()
                .execute(
                    "SELECT i.row, i.data FROM inputs i WHERE i.job_id = ? AND i.row > ? AND NOT EXISTS"
                    " (SELECT 1 FROM results r WHERE r.job_id = i.job_id AND r.row = i.row)"
                    " ORDER BY i.row LIMIT ?",
                    (job_id, after, chunk_size),
                )
                .fetchall()
            )
            if not records:
                return
            after = records[-1][0]
            yield [self.row_type.from_json(data) for _, data in records]

    def record(self, job_id: str, outcomes: Sequence[RowOutcome]) -> int:
        """Store evaluated rows and advance the counters in one transaction; returns rows newly stored."""
        db = self._db()
        sql = "INSERT OR IGNORE INTO results (job_id, row, ok, lines) VALUES (?, ?, ?, ?)"
        db.execute("BEGIN IMMEDIATE")
        try:
            status = db.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if status is None or status[0] not in UNFINISHED:  # cancelled or deleted meanwhile: keep nothing
                db.execute("ROLLBACK")
                return 0
            ok = db.executemany(sql, [(job_id, o.row, 1, o.lines_json) for o in outcomes if o.ok]).rowcount
            failed = db.executemany(sql, [(job_id, o.row, 0, o.lines_json) for o in outcomes if not o.ok]).rowcount
            ok, failed = max(ok, 0), max(failed, 0)
            db.execute(
                "UPDATE jobs SET rows_done = rows_done + ?, rows_failed = rows_failed + ? WHERE id = ?",
                (ok + failed, failed, job_id),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return ok + failed

    def finish(self, job_id: str) -> Job:
        """Mark a running job done if every row has its result (else leave it to be resumed)."""
        self._db().execute(
            "UPDATE jobs SET status = ?, finished_at = ? WHERE id = ? AND status = ? AND rows_done >= rows_total",
            (JobStatus.DONE.value, time.time(), job_id, JobStatus.RUNNING.value),
        )
        job = self.get(job_id)
        assert job is not None
        return job

    def fail(self, job_id: str, message: str) -> None:
        self._db().execute(
            "UPDATE jobs SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status IN (?, ?)",
            (JobStatus.FAILED.value, time.time(), message, job_id, *UNFINISHED),
        )

    def cancel(self, job_id: str, *, owner: str | None = None) -> Job | None:
        """Cancel a queued or running job (a finished job is left as it is); None if there is no such job."""
        job = self.get(job_id, owner=owner)
        if job is None:
            return None
        # Its rows and partial results can never be served: they go with the cancellation.
        self._change_dropping_rows(
            job_id,
            "UPDATE jobs SET status = ?, finished_at = ? WHERE id = ? AND status IN (?, ?)",
            (JobStatus.CANCELLED.value, time.time(), job_id, *UNFINISHED),
        )
        return self.get(job_id)

    def delete(self, job_id: str, *, owner: str | None = None) -> bool:
        """Remove a finished job with its rows and results; False if there is no such finished job."""
        return self._change_dropping_rows(
            job_id,
            "DELETE FROM jobs WHERE id = ? AND status NOT IN (?, ?) AND (? IS NULL OR owner = ?)",
            (job_id, *UNFINISHED, owner, owner),
        )

    def _change_dropping_rows(self, job_id: str, sql: str, parameters: tuple[object, ...]) -> bool:
        """Run ``sql`` on the job and, if it changed it, delete the job's rows and results, in one transaction."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            changed = db.execute(sql, parameters).rowcount > 0
            if changed:
                db.execute("DELETE FROM inputs WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM results WHERE job_id = ?", (job_id,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return changed

    def finished_before(self, when: float, *, limit: int = 1000) -> list[str]:
        """Ids of jobs that finished (done, failed or cancelled) before ``when`` (seconds since the epoch)."""
        records = (
            self._db()
            .execute(
                "SELECT id FROM jobs WHERE status NOT IN (?, ?) AND coalesce(finished_at, created_at) < ? LIMIT ?",
                (*UNFINISHED, when, limit),
            )
            .fetchall()
        )
        return [r[0] for r in records]

    def reclaim(self) -> None:
        """Give the pages freed by deletions back to the file system (incremental vacuum, WAL truncated)."""
        db = self._db()
        # executescript steps the pragma to its end (execute() frees one page per step taken).
        db.executescript("PRAGMA incremental_vacuum;")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def waiting_owners(self) -> set[str]:
        """Owners with a queued or running job."""
        records = self._db().execute("SELECT DISTINCT owner FROM jobs WHERE status IN (?, ?)", UNFINISHED).fetchall()
        return {r[0] for r in records}

    def requeue_running(self) -> int:
        """At start-up: jobs left running by a stopped process go back to the queue."""
        cursor = self._db().execute(
            "UPDATE jobs SET status = ? WHERE status = ?", (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
        )
        return cursor.rowcount

    # --- results ----------------------------------------------------------------------------

    def outcomes(self, job_id: str, *, page: int = 2000) -> Iterator[RowOutcome]:
        """The stored results in input order (each page read completely before it is yielded)."""
        after = 0
        while True:
            records = (
                self._db()
                .execute(
                    "SELECT row, ok, lines FROM results WHERE job_id = ? AND row > ? ORDER BY row LIMIT ?",
                    (job_id, after, page),
                )
                .fetchall()
            )
            if not records:
                return
            after = records[-1][0]
            for row, ok, lines in records:
                yield RowOutcome(row, bool(ok), lines)
