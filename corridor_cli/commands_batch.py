"""``corridor batch IN -o OUT``: evaluate many origin-destination pairs, resumably."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import signal
import sys
import textwrap
import time
from pathlib import Path
from types import FrameType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from planner import PlannerError
from planner.batch import (
    BATCH_ROWS,
    COLUMNS_OUT,
    DEFAULT_CHUNK_ROWS,
    BatchInputError,
    Job,
    JobStatus,
    JobStore,
    NetworkSource,
    OutputFormat,
    detect_format,
    make_executor,
    parse_rows,
    render,
    run_job,
    write_atomically,
)

from ._files import output_path
from ._help import command_parser

_JOB_ID = "cli"
_CHECKPOINT_VERSION = 2  # 2: the network is named by its content digest, not its file text


_OUTPUTS = {".csv": "CSV", ".jsonl": "JSON Lines", ".ndjson": "JSON Lines"}
_OUTPUT_FORMAT: dict[str, OutputFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# Placed in the epilog's source at an indent of 12, dedented with it: 2 spaces in the help.
_OUTPUT_COLUMNS = textwrap.fill(", ".join(COLUMNS_OUT), 76, initial_indent="  ", subsequent_indent=" " * 14)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "batch",
        help="routes for many origin-destination pairs (CSV or JSON Lines in and out)",
        description="""
            Evaluate one request per input row and write one result line per input row (one per route
            for k > 1), in input order. A bad row (an unknown place, a bad number) gets an error line
            naming its row and field, and the batch goes on. Interrupted (Ctrl-C, a kill, a crash),
            the same command run again continues where it stopped: a checkpoint file beside OUT keeps
            the finished rows. Progress goes to standard error (a bar on a terminal, else a line every
            few seconds). docs/batch.md has the details and bounds.
        """,
        epilog=f"""
            input columns (CSV header) or keys (JSON Lines); origin and destination required:
              id               your row id, echoed back (default: the row number)
              origin           place id, name or alias
              destination      place id, name or alias
              rank             time (default), cost, co2e, generalized, reliable, pareto
              k                routes to return, 1..20 (default 1)
              max_stretch      alternatives within X times the best, 1..10 (default 1.5)
              teu | tonnes     shipment size (default 1 TEU); one of the two
              container        20ft (default), 40ft or 40hc, for teu
              service          express, scheduled (default) or standard
              avoid_countries  ISO codes separated by ; or | (JSON: a list too)
              via              places separated by ; or | (JSON: a list too)
              corridor         stay on this corridor (id or alias)
              scenario         a bundled scenario name (`corridor scenarios`)
              departure_date   YYYY-MM-DD the cargo is ready: arrival dates out

            output columns (one line per route, best first; one line per bad row):
            {_OUTPUT_COLUMNS}
              status is ok or error (error says which row and field, and why); hours,
              USD and kg CO2e rounded to 2 decimals, km to 1; places joined by " > "

            examples:
              printf 'origin,destination,k\\nXian,Tashkent,2\\nAlmaty,Baku,\\n' > pairs.csv
              corridor batch pairs.csv -o results.csv
              corridor batch pairs.jsonl -o results.jsonl --workers 2
              corridor batch pairs.csv -o results.csv --scheduler tcp://scheduler:8786
        """,
    )
    parser.add_argument("input", metavar="IN", help="CSV with a header row, or JSON Lines (.jsonl)")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=True,
        type=output_path(_OUTPUTS),
        help="result file: .csv, or .jsonl / .ndjson for JSON Lines",
    )
    parser.add_argument("--format", choices=["csv", "jsonl"], help="output format; must agree with OUT's extension")
    parser.add_argument("--input-format", choices=["csv", "jsonl"], help="input format (default: from IN)")
    parser.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: every core)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:8786", help="evaluate on this Dask scheduler")
    parser.add_argument("--network", metavar="FILE", help="network file (default: the bundled network)")
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
    """A rich progress bar on a terminal, else a plain line every few seconds (for logs)."""

    def __init__(self, stream: TextIO, job: Job) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.done_at_start = job.rows_done
        self.last = 0.0
        self.last_done = -1
        self.bar: Progress | None = None
        if stream.isatty():
            self.bar = Progress(
                TextColumn("batch"),
                BarColumn(),
                TaskProgressColumn(),
                MofNCompleteColumn(),
                TextColumn("rows, {task.fields[rate]} rows/s"),
                TimeRemainingColumn(),
                console=Console(file=stream),
                transient=False,
            )
            self.task = self.bar.add_task("rows", total=job.rows_total, completed=job.rows_done, rate="-")
            self.bar.start()

    def __call__(self, job: Job, *, final: bool = False) -> None:
        now = time.monotonic()
        rate = (job.rows_done - self.done_at_start) / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, completed=job.rows_done, rate=f"{rate:,.0f}")
            if final:
                self.close()
            return
        if (not final and now - self.last < 2.0) or job.rows_done == self.last_done:
            return
        self.last, self.last_done = now, job.rows_done
        left = job.rows_total - job.rows_done
        eta = f"{left / rate:,.0f}s" if rate > 0 else "?"
        self.stream.write(f"batch: {job.rows_done:,}/{job.rows_total:,} rows, {rate:,.0f} rows/s, ETA {eta}\n")
        self.stream.flush()

    def close(self) -> None:
        """Stop the bar (leaving its last state on the terminal)."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _run(args: argparse.Namespace) -> int:
    source_path, output = Path(args.input), Path(args.output)
    out_fmt = _OUTPUT_FORMAT[output.suffix.lower()]
    if args.format and args.format != out_fmt:
        raise BatchInputError(
            f"--format {args.format} does not match the extension of {output} ({out_fmt}); "
            f"name the file .{args.format} or leave --format out",
            field="format",
        )
    try:
        data = source_path.read_bytes()
    except OSError as exc:
        raise BatchInputError(f"cannot read {source_path}: {exc.strerror or exc}", field="input") from None
    in_fmt = args.input_format or detect_format(source_path.name, data[:1024])
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
    try:
        executor = make_executor(network, workers=args.workers, scheduler=args.scheduler)
    except (OSError, TimeoutError, RuntimeError) as exc:
        raise ClusterError(f"cannot use the Dask scheduler at {args.scheduler}: {exc}") from None
    progress = _Progress(sys.stderr, job)
    try:
        job = run_job(store, job.id, executor, chunk_rows=max(1, args.chunk_rows), on_progress=progress)
        progress(job, final=True)
    except Exception as exc:  # noqa: BLE001 - a cluster failure becomes one clear message; rows done are kept
        if not args.scheduler or isinstance(exc, PlannerError):
            raise
        raise ClusterError(
            f"the Dask cluster at {args.scheduler} failed ({type(exc).__name__}: {exc}); rows done so far are kept, "
            "run the same command again to continue (workers need corridor-planner installed)"
        ) from None
    finally:
        progress.close()
        executor.close()
    if job.status is not JobStatus.DONE:
        raise RuntimeError(f"batch job ended as {job.status.value}")
    return job
