"""Timing helpers shared by the benchmark sections."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any


def pct(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) of ``samples`` by linear interpolation; NaN when empty."""
    if not samples:
        return float("nan")
    s = sorted(samples)
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def latencies(calls: Sequence[Callable[[], Any]], *, rounds: int = 1, budget_s: float = 1e9) -> list[float]:
    """Milliseconds per call, each call timed on its own, ``rounds`` passes over ``calls`` (within a time budget)."""
    out: list[float] = []
    clock = time.perf_counter
    stop = clock() + budget_s
    for _ in range(rounds):
        for call in calls:
            t0 = clock()
            call()
            out.append((clock() - t0) * 1e3)
            if clock() > stop and out:
                return out
    return out


def summary(ms: Sequence[float]) -> dict[str, float]:
    return {"p50_ms": pct(ms, 50), "p99_ms": pct(ms, 99), "n": float(len(ms))}


def ratio(ours: float, base: float) -> float:
    if base != base or ours != ours or base <= 0:
        return float("nan")
    return ours / base
