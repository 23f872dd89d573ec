"""Memory of ``corridor serve`` under distinct inline scenarios: resident set of every process, before and after.

    python benchmarks/scenario_memory.py                 # 1,000 scenarios, 4 connections
    python benchmarks/scenario_memory.py --scenarios 200

Starts ``corridor serve`` (bundled network, its default compute workers) on a free loopback
port, sends POST /v1/routes with an inline scenario whose content differs every time (a delay of
its own length at one of several places, so no scenario network or response can be reused), and
prints the summed RSS of the server and all its child processes (from /proc, as
``benchmarks/serve_memory.py`` does) every 200 scenarios. Each scenario builds a network of its own in a compute worker; the caches that keep
them are bounded, so the RSS must level off. Exits 1 if the second half of the run grows the RSS
by more than ``--max-growth-mib``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._http import Server  # noqa: E402
from benchmarks.serve_memory import rss  # noqa: E402

PLACES = ["tashkent", "almaty", "aktau", "baku", "dostyk", "altynkol", "tbilisi", "shymkent"]
PAIRS = [("xian", "istanbul"), ("almaty", "baku"), ("urumqi", "tashkent"), ("xian", "duisburg")]


def body(i: int) -> dict[str, object]:
    origin, destination = PAIRS[i % len(PAIRS)]
    delay = {"place": PLACES[i % len(PLACES)], "hours": round(1.0 + i / 100.0, 2)}
    return {
        "origin": origin,
        "destination": destination,
        "k": 1,
        "scenario": {"name": f"delay_{i}", "title": f"Delay {i}", "changes": [{"add_delay": delay}]},
    }


async def send(base: str, start: int, count: int, connections: int) -> tuple[int, int]:
    ok = failed = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(start, start + count):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal ok, failed
        while not queue.empty():
            i = queue.get_nowait()
            for _ in range(20):  # a 503 (all workers busy) is retried: only answers count
                response = await client.post(base + "/v1/routes", json=body(i))
                if response.status_code != 503:
                    break
                await asyncio.sleep(0.05)
            if response.status_code == 200:
                ok += 1
            else:
                failed += 1

    async with httpx.AsyncClient(timeout=60.0) as client:
        await asyncio.gather(*(worker(client) for _ in range(connections)))
    return ok, failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenarios", type=int, default=1000)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--step", type=int, default=200, help="print the RSS every this many scenarios")
    ap.add_argument("--max-growth-mib", type=float, default=32.0)
    args = ap.parse_args(argv)
    server = Server(1)
    try:
        server.wait_ready("/readyz")
        # Warm up: every worker compiles the network and answers a plain route once.
        asyncio.run(_warm(server.base, args.connections))
        before, processes = rss(server.proc.pid)
        print(f"corridor serve (pid {server.proc.pid}, {processes} processes) on {server.base}", flush=True)
        print(f"{'scenarios':>9}  {'answered':>8}  {'RSS MiB':>8}  {'growth':>8}  {'s':>6}", flush=True)
        print(f"{0:>9}  {0:>8}  {before:>8.1f}  {0.0:>8.1f}  {0.0:>6.1f}", flush=True)
        sent = answered = 0
        began = time.monotonic()
        marks: dict[int, float] = {0: before}
        while sent < args.scenarios:
            count = min(args.step, args.scenarios - sent)
            ok, failed = asyncio.run(send(server.base, sent, count, args.connections))
            sent += count
            answered += ok
            now, processes = rss(server.proc.pid)
            marks[sent] = now
            print(f"{sent:>9}  {answered:>8}  {now:>8.1f}  {now - before:>8.1f}  {time.monotonic() - began:>6.1f}", flush=True)
        half = min(marks, key=lambda n: abs(n - args.scenarios / 2))
        late = marks[sent] - marks[half]
        print(
            f"RSS of all {processes} processes: {before:.1f} MiB before, {marks[sent]:.1f} MiB after {sent:,} distinct "
            f"inline scenarios ({answered:,} answered); growth over the last {sent - half:,}: {late:+.1f} MiB",
            flush=True,
        )
        return 0 if late <= args.max_growth_mib and answered == sent else 1
    finally:
        server.stop()


async def _warm(base: str, connections: int) -> None:
    async with httpx.AsyncClient(timeout=60.0) as client:
        for a, b in PAIRS * connections:
            await client.get(base + "/v1/routes", params={"from": a, "to": b, "k": 1})


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
