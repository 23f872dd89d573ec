"""How fast ``POST /v1/batches`` answers a 64 MiB body: over the row cap (413) and under it (202).

    python benchmarks/batch_upload.py [--upload-mib 64] [--repeat 3] [--only csv,jsonl,json]

Starts ``corridor serve`` (bundled network, default limits: 1,000,000 rows, 64 MiB bodies) on a
free loopback port and sends, one at a time, bodies of each format (CSV, JSON Lines, a
``{"rows": [...]}`` JSON body):

* ``over``: short rows filling the body, far over the row cap: 413;
* ``at cap``: exactly 1,000,000 rows, padded to fill the body: 202 (the job is then cancelled);
* ``cap+1``: 1,000,001 such rows, the last one at the very end: 413.

It prints the time from the first byte sent to the answer (median of ``--repeat`` runs) and the
server process's RSS growth at its peak (sampled every 20 ms). The baseline row, first, is the
time the server takes to read 64 MiB: a body one byte over the upload limit, in 1 KiB rows and
sent without a length (chunked), is read whole (and its few rows counted) before its 413.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.serve_memory import _rss_mib, serving  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MIB = 1 << 20
CAP = 1_000_000

_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson", "json": "application/json"}


def _csv(rows: int, width: int) -> bytes:
    row = b"r%07d,xian,tashkent,1"
    pad = b" " * max(0, width - len(row % 0) - 1)
    return b"id,origin,destination,k\n" + b"".join(row % i + pad + b"\n" for i in range(rows))


_ROW = b'{"origin":"xian","destination":"tashkent","k":1}'


def _jsonl(rows: int, width: int) -> bytes:
    return (_ROW + b" " * max(0, width - len(_ROW) - 1) + b"\n") * rows


def _json(rows: int, width: int) -> bytes:
    row = _ROW + b" " * max(0, width - len(_ROW) - 1)
    return b'{"rows":[' + b",".join([row] * rows) + b'],"format":"csv"}'


_MAKERS: dict[str, Callable[[int, int], bytes]] = {"csv": _csv, "jsonl": _jsonl, "json": _json}


def bodies(fmt: str, size: int) -> dict[str, bytes]:
    """The bodies sent for one format: ``over`` (short rows filling ``size`` bytes), ``at cap`` and ``cap+1``."""
    make = _MAKERS[fmt]
    overhead = len(make(0, 0))
    short = len(make(2, 0)) - len(make(1, 0))  # one short row and its separator
    width = (size - overhead) // (CAP + 1)  # each padded row, separator included
    return {
        "over": make((size - overhead) // short, 0),
        "at cap": make(CAP, width),
        "cap+1": make(CAP + 1, width),
    }


def _too_large(size: int) -> Iterator[bytes]:
    """``size + 1`` bytes of CSV rows of 1 KiB (far under the row cap), in 64 KiB pieces.

    A generator: httpx sends it chunked, with no length, so the server reads it all before its 413.
    """
    body = _csv(size // 1024, 1024)[:size] + b"x"
    piece = 1 << 16
    for start in range(0, len(body), piece):
        yield body[start : start + piece]


def _rows_in(body: bytes, fmt: str) -> int:
    if fmt == "csv":
        return body.count(b"\n") - 1
    if fmt == "jsonl":
        return body.count(b"\n")
    return body.count(b'"origin"')


def _post_watching(
    base: str, body: bytes | Iterator[bytes], content_type: str, pid: int | None
) -> tuple[int, float, str | None, float]:
    peak = [0.0]
    stop = threading.Event()
    before = _rss_mib(pid) if pid else 0.0

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mib(pid) - before if pid else 0.0)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        response = httpx.post(base + "/v1/batches", content=body, headers={"content-type": content_type}, timeout=300)
        seconds = time.perf_counter() - started
    finally:
        stop.set()
        sampler.join()
    return response.status_code, seconds, response.headers.get("location"), peak[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upload-mib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="csv,jsonl,json")
    args = parser.parse_args(argv)
    size = args.upload_mib * MIB
    with serving(CORRIDOR_BATCH_MAX_JOBS_IN_FLIGHT="1000") as (pid, base):
        return _run(pid, base, size, args)


def _run(pid: int, base: str, size: int, args: argparse.Namespace) -> int:
    print(f"POST /v1/batches on corridor serve (cap {CAP:,} rows, {size / MIB:.0f} MiB bodies); "
          f"median of {args.repeat}; commit {_commit()}")  # fmt: skip
    print()
    print("| format | body | MiB | rows | answer | seconds (median) | min..max | server RSS growth, MiB |")
    print("| --- | --- | ---: | ---: | --- | ---: | --- | ---: |")
    failures = 0
    times = []
    for _ in range(args.repeat):
        status, seconds, _, peak = _post_watching(base, _too_large(size), "text/csv", pid)
        failures += status != 413
        times.append(seconds)
    print(
        f"| baseline | {size / MIB:.0f} MiB + 1 byte, read, then refused for its size | "
        f"{size / MIB:.1f} | {size // 1024:,} | {status} | {statistics.median(times):.2f} | {min(times):.2f}..{max(times):.2f} | {peak:.0f} |",
        flush=True,
    )
    for fmt in args.only.split(","):
        for name, body in bodies(fmt, size).items():
            expected = 202 if name == "at cap" else 413
            times, growth, statuses = [], [], set()
            for _ in range(args.repeat):
                status, seconds, location, peak = _post_watching(base, body, _TYPES[fmt], pid)
                if location:
                    httpx.delete(base + location, timeout=60)
                    httpx.delete(base + location, timeout=60)
                statuses.add(status)
                times.append(seconds)
                growth.append(peak)
                time.sleep(0.5)
            failures += statuses != {expected}
            shown = ",".join(str(s) for s in sorted(statuses))
            print(
                f"| {fmt} | {name} | {len(body) / MIB:.1f} | {_rows_in(body, fmt):,} | {shown} | "
                f"{statistics.median(times):.2f} | {min(times):.2f}..{max(times):.2f} | {max(growth):.0f} |",
                flush=True,
            )
    return 1 if failures else 0


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
