"""Async httpx load generator (used when wrk is not installed): python _loadgen.py BASE PATHS.json CONNECTIONS SECONDS."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx


async def main(base: str, paths: list[str], connections: int, seconds: float) -> dict[str, float]:
    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10.0) as client:

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    r = await client.get(paths[i % len(paths)])
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                lat.append((time.perf_counter() - t0) * 1e3)
                i += connections

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in range(connections)))
        elapsed = time.perf_counter() - t0
    lat.sort()

    def q(p: float) -> float:
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")

    return {"p50_ms": q(50), "p99_ms": q(99), "rps": len(lat) / elapsed, "requests": float(len(lat)),
            "errors": float(errors)}


if __name__ == "__main__":
    base, path_file, conns, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    with open(path_file) as f:
        paths = json.load(f)
    print(json.dumps(asyncio.run(main(base, paths, conns, secs))))
