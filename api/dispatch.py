"""Where a computation runs: cheap ones in the server process, the rest in the compute pool.

A process round trip costs several times what a one-route search costs on the bundled network
(a k=1 route is about 0.25 ms of work), so cheap requests are computed in the server process
with a cooperative deadline that the search checks as it settles labels
(:class:`planner.DeadlineExceededError`). Everything else goes to the worker processes of
:class:`~api.compute.ComputePool`, where a deadline kills the process.

**The cheap rule** (:meth:`CheapRule.admits`, the one place it is defined): a request is cheap
when it is one search request (not a comparison, a scenario or a matrix), not ``rank=pareto``,
asks for at most ``inline_max_k`` routes (default 3), and the network has at most
``inline_max_places`` places (default 1,000). On the bundled network (162 places) a cold k=1
costs ~0.25 ms, k=3 ~0.9 ms (p99 ~2.6 ms); k=5 costs ~3 ms (p99 ~10 ms, worst ~20 ms) and k=10
~8 ms (worst ~100 ms), so k=4 and k=5 go to the pool: there the cost of the round trip
(~0.5 ms) is small beside the search, and a slow one cannot hold up the cheap ones. On the
synthetic grids of ``benchmarks/_synthetic.py`` k=3 costs ~8 ms (worst ~14 ms) at 1,000 places
but ~14 ms (worst ~85 ms) at 2,000, past the in-process budget; k=1 ~2 ms and ~4 ms.

``inline_mode`` says where in the server process: ``thread`` (default) in one compute thread
beside the event loop, ``loop`` on the event loop itself. Called in process without sockets, the
loop costs about 10 % less CPU per answer (no hand-over between threads). Over HTTP with the load
generator on the same cores the thread did better in every run: median latency at one connection
1.1-1.7 ms against 2.7-3.8 ms, p99 14 against 77-90 ms, and less server CPU per answer (1.3-1.6
against 1.4-1.9 ms, a busy shared machine). py-spy shows the loop thread, when it also computes,
spending a fifth of its samples inside the socket write of the response headers, and the loop
thread of the other variant not: likely the scheduler preempting a thread that has used much CPU
when its write wakes the client. The HTTP benchmark measures both.

A cheap request that still runs after ``inline_budget_seconds`` (a via chain or a border-crossing
limit can make a k=3 search far dearer than usual) is stopped and moved to the pool with what
remains of its deadline, so no request holds the server process's compute thread (or its event
loop) longer than that budget. The budget counts from the start of the computation, not from the
wait for the compute thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from planner import DeadlineExceededError, Network, PlannerError, plan_routes

from .compute import ComputePool

__all__ = ["CheapRule", "Dispatcher", "Effort"]


@dataclass(frozen=True, slots=True)
class Effort:
    """What a computation asks for, as far as the cheap rule needs to know."""

    k: int
    """Routes asked for."""
    pareto: bool = False
    searches: int = 1
    """Separate route searches in one answer (corridors compared, matrix cells)."""
    scenario: bool = False


@dataclass(frozen=True, slots=True)
class CheapRule:
    """Which computations run in the server process (see the module docstring)."""

    max_k: int = 3
    max_places: int = 1_000

    def admits(self, effort: Effort | None, network: Network) -> bool:
        """True when ``effort`` is cheap on ``network``; None (unknown effort) is never cheap."""
        return (
            effort is not None
            and effort.searches == 1
            and not effort.scenario
            and not effort.pareto
            and effort.k <= self.max_k
            and len(network.places) <= self.max_places
        )


@dataclass(slots=True)
class InProcessCounters:
    """What ran in the server process since it started (for /v1/metrics and the benchmarks)."""

    runs: int = 0
    moved_to_pool: int = 0
    """Cheap requests stopped at ``inline_budget_seconds`` and finished in the pool."""
    deadline_stops: int = 0
    pool_runs: int = 0


class Dispatcher:
    """Runs a job ``fn(network, *args)`` in the server process or the pool, within one deadline.

    A job that may run in the server process accepts a keyword ``deadline`` (a
    ``time.monotonic()`` instant) and passes it to the planner.
    """

    def __init__(
        self,
        network: Network,
        pool: ComputePool,
        rule: CheapRule,
        *,
        inline_budget_seconds: float,
        inline_mode: Literal["loop", "thread"] = "thread",
    ) -> None:
        self.network = network
        self.pool = pool
        self.rule = rule
        self.inline_budget_seconds = inline_budget_seconds
        self.inline_mode = inline_mode
        self.counters = InProcessCounters()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="corridor-inline") if inline_mode == "thread" else None

    def close(self) -> None:
        """Stop the compute thread, if any (the pool is closed by its owner)."""
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=True)

    def prepare(self) -> None:
        """Build what searches in this process need (the compiled index) before the first request needs it."""
        if self.rule.max_k < 1 or len(self.network.places) > self.rule.max_places:
            return  # nothing runs here
        ids = sorted(self.network.places)[:2]
        if len(ids) == 2:
            with contextlib.suppress(PlannerError):
                plan_routes(self.network, ids[0], ids[1], k=1, use_cache=False)

    @property
    def deadline_seconds(self) -> float:
        return self.pool.deadline_seconds

    async def run(self, fn: Callable[..., bytes], args: tuple[Any, ...], *, effort: Effort | None, deadline: float) -> bytes:
        """The job's answer, computed where :class:`CheapRule` says, by ``deadline`` (a monotonic instant).

        Raises
        ------
        planner.DeadlineExceededError
            A cheap job passed ``deadline`` in the server process.
        api.compute.Overloaded, api.compute.DeadlineExceeded, api.compute.WorkerFailed
            From the pool (see :meth:`ComputePool.run`).
        """
        if self.rule.admits(effort, self.network):
            self.counters.runs += 1
            if self._thread is None:
                result = self._in_process(fn, args, deadline)
            else:
                call = functools.partial(self._in_process, fn, args, deadline)
                result = await asyncio.get_running_loop().run_in_executor(self._thread, call)
            if result is not None:
                return result
            self.counters.moved_to_pool += 1
        self.counters.pool_runs += 1
        answer: bytes = await self.pool.run(fn, *args, deadline=deadline)
        return answer

    def _in_process(self, fn: Callable[..., bytes], args: tuple[Any, ...], deadline: float) -> bytes | None:
        """The answer, or None when the in-process budget ran out first (the job then goes to the pool)."""
        # The budget counts from here: time spent waiting for the compute thread is not the job's.
        stop = min(deadline, time.monotonic() + self.inline_budget_seconds)
        try:
            return fn(self.network, *args, deadline=stop)
        except DeadlineExceededError:
            if stop >= deadline:
                self.counters.deadline_stops += 1
                raise
            return None

    def stats(self) -> dict[str, Any]:
        """The cheap rule, the in-process counters and the pool's."""
        c = self.counters
        return {
            "cheap_rule": {"max_k": self.rule.max_k, "max_places": self.rule.max_places,
                           "inline_budget_seconds": self.inline_budget_seconds, "inline_mode": self.inline_mode,
                           "network_places": len(self.network.places)},
            "in_process": {"runs": c.runs, "moved_to_pool": c.moved_to_pool, "deadline_stops": c.deadline_stops},
            "pool": {"runs": c.pool_runs, **self.pool.stats()},
        }  # fmt: skip
