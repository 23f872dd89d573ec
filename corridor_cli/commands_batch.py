"""``corridor batch IN -o OUT``: evaluate many origin-destination pairs, resumably."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TextIO

from planner import PlannerError
from planner.batch import (
    BATCH_ROWS,
    DEFAULT_CHUNK_ROWS,
    BatchInputError,
    Job,
    JobStatus,
    JobStore,
    NetworkSource,
    detect_format,
    make_executor,
    output_format,
    parse_rows,
    render,
    run_job,
    write_atomically,
)

_JOB_ID = "cli"
_CHECKPOINT_VERSION = 2  # 2: the network is named by its content digest, not its file text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "batch",
        help="routes for many origin-destination pairs (CSV or JSON Lines in and out)",
        description=(
            "Evaluate one request per input row and write one result row per input row, in order. "
            "Interrupted, the same command run again continues where it stopped (a checkpoint file "
            "beside OUT keeps the finished rows)."
        ),
    )
    parser.add_argument("input", metavar="IN", help="CSV with a header row, or JSON Lines (.jsonl)")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="result file (.csv or .jsonl)")
    parser.add_argument("--format", choices=["csv", "jsonl"], help="output format (default: from OUT's extension)")
    parser.add_argument("--input-format", choices=["csv", "jsonl"], help="input format (default: from IN)")
    parser.add_argument("--workers", type=int, help="local worker processes (default: every core)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:8786", help="evaluate on this Dask scheduler")
    parser.add_argument("--network", help="network file (default: the bundled network)")
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS, help=argparse.SUPPRESS)
    parser.set_defaults(run=_run)


def _checkpoint_path(output: Path, data: bytes, options: dict[str, object]) -> Path:
    digest = hashlib.sha256(data)
    digest.update(json.dumps(options, sort_keys=True).encode())
    return output.parent / f".{output.name}.{digest.hexdigest()[:20]}.batch.sqlite"


def _remove_checkpoint(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


class _Progress:
    """A bar on a terminal, else a plain line every few seconds."""

    def __init__(self, stream: TextIO, job: Job) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.start = time.monotonic()
        self.done_at_start = job.rows_done
        self.last = 0.0

    def __call__(self, job: Job, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < (0.2 if self.tty else 2.0):
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        rate = (job.rows_done - self.done_at_start) / elapsed
        left = job.rows_total - job.rows_done
        eta = f"{left / rate:,.0f}s" if rate > 0 else "?"
        share = job.rows_done / job.rows_total if job.rows_total else 1.0
        text = f"{job.rows_done:,}/{job.rows_total:,} rows, {rate:,.0f} rows/s, ETA {eta}"
        if self.tty:
            filled = int(share * 30)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} {text}\x1b[K")
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(f"batch: {text}\n")
        self.stream.flush()


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _run(args: argparse.Namespace) -> int:
    source_path, output = Path(args.input), Path(args.output)
    try:
        data = source_path.read_bytes()
    except OSError as exc:
        raise BatchInputError(f"cannot read {source_path}: {exc.strerror or exc}", field="input") from None
    in_fmt = args.input_format or detect_format(source_path.name, data[:1024])
    out_fmt = output_format(args.format, output)
    network = NetworkSource.from_path(args.network)
    options: dict[str, object] = {
        "version": _CHECKPOINT_VERSION,
        "input_format": in_fmt,
        "output_format": out_fmt,
        "network": network.digest,
    }
    checkpoint = _checkpoint_path(output, data, options)
    signal.signal(signal.SIGTERM, _terminate)
    store = JobStore(checkpoint)
    try:
        job = store.get(_JOB_ID)
        if job is None:
            rows = parse_rows(iter([data]), in_fmt, BATCH_ROWS)
            try:
                job, _ = store.create_job(
                    rows, owner="cli", job_id=_JOB_ID, network_digest=network.digest, output_format=out_fmt
                )
            except BaseException:
                store.close()
                _remove_checkpoint(checkpoint)
                raise
        elif job.rows_done:
            print(f"batch: resuming from {checkpoint.name}: {job.rows_done:,} rows already done", file=sys.stderr)
        del data
        if job.status is not JobStatus.DONE:
            job = _evaluate(store, job, network, args)
        write_atomically(output, render(store.outcomes(_JOB_ID), out_fmt))
    finally:
        store.close()
    _remove_checkpoint(checkpoint)
    print(f"batch: wrote {output} ({job.rows_total:,} rows, {job.rows_failed:,} with errors)", file=sys.stderr)
    return 0


class ClusterError(PlannerError):
    """The Dask cluster could not be reached or failed while evaluating rows (progress so far is kept)."""

    code = "cluster_error"


def _evaluate(store: JobStore, job: Job, network: NetworkSource, args: argparse.Namespace) -> Job:
    progress = _Progress(sys.stderr, job)
    try:
        executor = make_executor(network, workers=args.workers, scheduler=args.scheduler)
    except (OSError, TimeoutError, RuntimeError) as exc:
        raise ClusterError(f"cannot use the Dask scheduler at {args.scheduler}: {exc}") from None
    try:
        job = run_job(store, job.id, executor, chunk_rows=max(1, args.chunk_rows), on_progress=progress)
    except Exception as exc:  # noqa: BLE001 - a cluster failure becomes one clear message; rows done are kept
        if not args.scheduler or isinstance(exc, PlannerError):
            raise
        raise ClusterError(
            f"the Dask cluster at {args.scheduler} failed ({type(exc).__name__}: {exc}); rows done so far are kept, "
            "run the same command again to continue (workers need corridor-planner installed)"
        ) from None
    finally:
        executor.close()
    progress(job, final=True)
    if job.status is not JobStatus.DONE:
        raise RuntimeError(f"batch job ended as {job.status.value}")
    return job
