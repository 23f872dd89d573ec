"""Running planner computations in worker processes, with a deadline that really stops them.

The pool packs the network it is given once (:class:`planner.batch.NetworkSource`); each worker
process receives that copy when it starts, checks its content digest, then runs jobs
``fn(network, *args)`` sent over a pipe and answers with the result or the planner exception's
class and attributes. Workers never read the network file: a file edited on disk cannot change
their answers, and a replaced worker holds exactly the network the others hold.

At most ``size`` jobs run at once. Another waits in a bounded queue (``queue_length`` requests)
for at most ``queue_seconds``, then is refused (:class:`Overloaded`). Each job has one deadline
covering all of it: waiting for a slot, the computation, and any wait for a worker to start. A
job that passes its deadline gets its process killed (a thread cannot be stopped). The pool keeps
``spares`` warm workers beyond the ``size`` that compute, and starts workers in the background,
so the job after a kill is served by a spare at once instead of waiting for a new process to
load the network.

This module imports neither FastAPI nor Starlette: worker processes import it to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from typing import Any

from planner import Network, PlannerError, keep_resident
from planner.batch import NetworkSource

__all__ = ["ComputePool", "DeadlineExceeded", "Overloaded", "PoolCounters", "WorkerFailed"]

_READY_TIMEOUT_SECONDS = 120.0
_RESTART_DELAY_SECONDS = 1.0  # after a worker failed to start, before trying again


class Overloaded(Exception):
    """No compute slot came free in time, or the queue of jobs waiting for one is full."""


class DeadlineExceeded(Exception):
    """A job passed its deadline; if it was computing, its worker was killed."""


class WorkerFailed(Exception):
    """A worker died, could not load the network, or a job raised an unexpected exception."""


def _worker_main(conn: Connection, digest: str) -> None:
    try:
        network = NetworkSource(conn.recv_bytes(), digest, "<compute pool>").load()
    except BaseException as exc:  # report any start-up failure, then exit
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    keep_resident(network)
    conn.send(("ready", network.digest))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        fn, args = message
        try:
            reply: tuple[str, Any] = ("ok", fn(network, *args))
        except PlannerError as exc:
            reply = ("planner_error", (type(exc), exc.message, dict(vars(exc))))
        except Exception as exc:  # an unexpected bug: report it instead of dying
            reply = ("crash", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except Exception as exc:  # unpicklable result
            conn.send(("crash", f"cannot send result: {type(exc).__name__}: {exc}"))


def _rebuild(payload: tuple[type[PlannerError], str, dict[str, Any]]) -> PlannerError:
    # Planner exceptions take keyword-only arguments, so default pickling loses them; copy the attributes.
    cls, message, attrs = payload
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    vars(exc).update(attrs)
    return exc


_BOOT = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[3]); "
    "from api.compute import _worker_entry; _worker_entry(int(sys.argv[1]), sys.argv[2])"
)


def _worker_entry(fd: int, digest: str) -> None:
    """Entry point of a worker process (started with ``python -c``, see :class:`_Worker`)."""
    _worker_main(Connection(fd), digest)


class _Worker:
    # A plain subprocess rather than multiprocessing's spawn: spawn re-imports the parent's
    # __main__ (any script serving the app would have to be guarded), and fork is unsafe in a
    # threaded server.
    def __init__(self, digest: str) -> None:
        parent, child = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(child.fileno()), digest, json.dumps(sys.path)],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
            )
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.digest = digest

    def boot(self, data: bytes) -> None:
        """Send the packed network and wait until the worker has loaded it (blocking)."""
        try:
            self.conn.send_bytes(data)
            if not self.conn.poll(_READY_TIMEOUT_SECONDS):
                raise WorkerFailed("a worker process did not load the network in time")
            status, detail = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed("a worker process died while loading the network") from exc
        if status != "ready" or detail != self.digest:
            raise WorkerFailed(f"a worker process could not load the network: {detail}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=10)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=2)
        self.kill()


@dataclass(slots=True)
class PoolCounters:
    """What the pool has done since it started (for /v1/metrics and the benchmarks)."""

    jobs: int = 0
    """Jobs that got a worker."""
    queued: int = 0
    """Jobs that had to wait for a slot."""
    refused_queue_full: int = 0
    refused_queue_timeout: int = 0
    deadline_kills: int = 0
    workers_started: int = 0
    worker_failures: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


_Waiter = tuple[asyncio.AbstractEventLoop, "asyncio.Future[_Worker]"]


class ComputePool:
    """Worker processes, each holding a copy of ``network``: ``size`` compute at once, ``spares`` stay warm.

    ``deadline_seconds`` is the default deadline of a job (from the call of :meth:`run`);
    ``queue_seconds`` and ``queue_length`` bound the wait for a slot.
    """

    def __init__(
        self,
        network: Network,
        *,
        size: int,
        deadline_seconds: float,
        spares: int = 1,
        queue_seconds: float = 1.0,
        queue_length: int = 256,
    ) -> None:
        self.source = NetworkSource.of(network)  # packed once, for every worker started or replaced
        self.size = size
        self.spares = spares
        self.deadline_seconds = deadline_seconds
        self.queue_seconds = queue_seconds
        self.queue_length = queue_length
        self.counters = PoolCounters()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._idle: list[_Worker] = []  # loaded and not computing; the last one is used first
        self._workers: set[_Worker] = set()  # every live process, for close()
        self._starting = 0
        self._busy = 0
        self._waiters: deque[_Waiter] = deque()
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="corridor-compute")
        self._closed = False
        self.started = False

    def start(self) -> None:
        """Start ``size + spares`` worker processes; they load the network in the background."""
        with self._lock:
            self.started = True
            for _ in range(self.size + self.spares):
                self._spawn_locked()

    def ready(self) -> bool:
        """True once at least one worker has loaded the network."""
        with self._lock:
            return bool(self._idle) or self._busy > 0

    def wait_ready(self, timeout: float) -> bool:
        """Block until every worker has loaded the network (True), or ``timeout`` seconds pass (False)."""
        end = time.monotonic() + timeout
        with self._changed:
            while self._starting or len(self._idle) + self._busy < self.size + self.spares:
                left = end - time.monotonic()
                if left <= 0 or self._closed:
                    return False
                self._changed.wait(left)
            return True

    def close(self) -> None:
        """Stop every worker; jobs still waiting fail with :class:`WorkerFailed`."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            others = [w for w in self._workers if w not in idle]
            self._workers.clear()
            waiters, self._waiters = list(self._waiters), deque()
            self._changed.notify_all()
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # its loop is closed: nobody waits any more
                loop.call_soon_threadsafe(_fail, future, WorkerFailed("the compute pool is shutting down"))
        for worker in idle:
            worker.stop()
        for worker in others:  # computing or starting: their threads see the process gone
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)

    @property
    def in_flight(self) -> int:
        """Jobs computing now."""
        return self._busy

    @property
    def waiting(self) -> int:
        """Jobs waiting for a slot now."""
        return len(self._waiters)

    def stats(self) -> dict[str, Any]:
        """The pool's settings, its state now and its counters."""
        with self._lock:
            now = {"computing": self._busy, "waiting": len(self._waiters), "idle_workers": len(self._idle),
                   "starting_workers": self._starting}  # fmt: skip
        return {"size": self.size, "spares": self.spares, "queue_length": self.queue_length,
                "queue_seconds": self.queue_seconds, **now, **self.counters.as_dict()}  # fmt: skip

    async def run(self, fn: Callable[..., Any], *args: Any, deadline: float | None = None) -> Any:
        """Run ``fn(network, *args)`` in a worker, all within ``deadline``.

        ``deadline`` is a ``time.monotonic()`` instant (default: ``deadline_seconds`` from now).

        Raises
        ------
        Overloaded
            The queue is full, or no slot came free within ``queue_seconds``.
        DeadlineExceeded
            The deadline passed while waiting or computing (then the worker was killed).
        WorkerFailed
            No worker could run the job.
        """
        now = time.monotonic()
        if deadline is None:
            deadline = now + self.deadline_seconds
        worker = await self._acquire(min(deadline, now + self.queue_seconds), deadline)
        try:
            future = self._threads.submit(self._call, worker, fn, args, deadline)
        except RuntimeError:
            self._release(worker)
            raise WorkerFailed("the compute pool is shutting down") from None
        # The worker is released by _call when the job really ends, even if this request was cancelled.
        status, value = await asyncio.wrap_future(future)
        if status == "ok":
            return value
        if status == "planner_error":
            raise _rebuild(value)
        raise WorkerFailed(str(value))

    async def _acquire(self, until: float, deadline: float) -> _Worker:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed or not self.started:
                raise WorkerFailed("the compute pool is not running")
            worker = self._take_locked()
            if worker is not None:
                self.counters.jobs += 1
                return worker
            if len(self._waiters) >= self.queue_length:
                self.counters.refused_queue_full += 1
                raise Overloaded(f"{len(self._waiters)} requests are already waiting for one of {self.size} compute slots")
            future: asyncio.Future[_Worker] = loop.create_future()
            waiter = (loop, future)
            self._waiters.append(waiter)
            self.counters.queued += 1
        began = time.monotonic()
        timer = loop.call_later(max(0.0, until - began), _fail, future, None)
        try:
            worker = await future
        except BaseException as exc:
            if future.done() and not future.cancelled() and future.exception() is None:
                self._release(future.result())  # handed over just as this request gave up
            if isinstance(exc, _Expired):
                waited = time.monotonic() - began
                if until >= deadline:
                    raise DeadlineExceeded(f"the deadline passed after {waited:.2f} s waiting for a compute slot") from None
                if not self.ready():
                    raise WorkerFailed("no compute worker has loaded the network (still starting, or failing to)") from None
                self.counters.refused_queue_timeout += 1
                raise Overloaded(f"no compute slot came free within {waited:.2f} s") from None
            raise
        finally:
            timer.cancel()
            with self._lock, contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
        with self._lock:
            self.counters.jobs += 1
        return worker

    def _take_locked(self) -> _Worker | None:
        """An idle worker for a new job, if a slot is free (the pool's lock is held)."""
        while self._busy < self.size and self._idle:
            worker = self._idle.pop()
            if worker.alive():
                self._busy += 1
                return worker
            self._workers.discard(worker)  # died while idle: replace it
            self.counters.worker_failures += 1
            self._spawn_locked()
        return None

    def _dispatch_locked(self) -> None:
        """Hand free workers to waiting jobs, oldest first (the pool's lock is held)."""
        while self._waiters:
            worker = self._take_locked()
            if worker is None:
                return
            loop, future = self._waiters.popleft()
            try:
                loop.call_soon_threadsafe(self._deliver, future, worker)
            except RuntimeError:  # the waiter's loop is closed
                self._busy -= 1
                self._idle.append(worker)

    def _deliver(self, future: asyncio.Future[_Worker], worker: _Worker) -> None:
        # In the waiting job's event loop.
        if future.done():  # it gave up meanwhile: the next one gets the worker
            self._release(worker)
        else:
            future.set_result(worker)

    def _release(self, worker: _Worker) -> None:
        """A job is done with a healthy worker."""
        with self._lock:
            self._busy -= 1
            if self._closed:
                worker_to_stop: _Worker | None = worker
            else:
                worker_to_stop = None
                self._idle.append(worker)
                self._dispatch_locked()
            self._changed.notify_all()
        if worker_to_stop is not None:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                worker_to_stop.kill()

    def _discard(self, worker: _Worker) -> None:
        """A job's worker was killed or died: start another in the background."""
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            worker.kill()
        with self._lock:
            self._busy -= 1
            self._workers.discard(worker)
            self._spawn_locked()
            self._dispatch_locked()  # a spare can take the freed slot at once
            self._changed.notify_all()

    def _spawn_locked(self) -> None:
        if self._closed:
            return
        self._starting += 1
        self.counters.workers_started += 1
        threading.Thread(target=self._boot, name="corridor-compute-start", daemon=True).start()

    def _boot(self) -> None:
        worker: _Worker | None = None
        try:
            worker = _Worker(self.source.digest)
            with self._lock:
                self._workers.add(worker)
            worker.boot(self.source.data)
        except (WorkerFailed, OSError) as exc:
            if worker is not None:
                with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                    worker.kill()
            with self._lock:
                self._starting -= 1
                if worker is not None:
                    self._workers.discard(worker)
                closed = self._closed
                if not closed:
                    self.counters.worker_failures += 1
                self._changed.notify_all()
            if not closed:  # (a worker killed by close() while it starts is no failure)
                print(f"corridor-planner: a compute worker failed to start: {exc}", file=sys.stderr, flush=True)
                timer = threading.Timer(_RESTART_DELAY_SECONDS, self._respawn)
                timer.daemon = True
                timer.start()
            return
        with self._lock:
            self._starting -= 1
            closed = self._closed
            if not closed:
                self._idle.append(worker)
                self._dispatch_locked()
            self._changed.notify_all()
        if closed:
            worker.stop()

    def _respawn(self) -> None:
        with self._lock:
            self._spawn_locked()

    def _call(self, worker: _Worker, fn: Callable[..., Any], args: tuple[Any, ...], deadline: float) -> tuple[str, Any]:
        # In a pool thread: blocking pipe I/O, the event loop stays free.
        started = time.monotonic()
        if started >= deadline:
            self._release(worker)
            raise DeadlineExceeded("the deadline passed before the computation could start")
        try:
            worker.conn.send((fn, args))
        except (EOFError, OSError) as exc:
            self._discard(worker)
            raise WorkerFailed("a worker process died before the computation") from exc
        except BaseException:  # the job could not be pickled: nothing was sent, the worker is fine
            self._release(worker)
            raise
        try:
            if not worker.conn.poll(deadline - started):
                with self._lock:
                    self.counters.deadline_kills += 1
                self._discard(worker)
                raise DeadlineExceeded(f"stopped after {time.monotonic() - started:.2f} s")
            result: tuple[str, Any] = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._discard(worker)
            raise WorkerFailed("a worker process died during the computation") from exc
        self._release(worker)
        return result


class _Expired(Exception):
    """A queued job's wait is over (internal to :meth:`ComputePool._acquire`)."""


def _fail(future: asyncio.Future[Any], exc: BaseException | None) -> None:
    if not future.done():
        future.set_exception(exc if exc is not None else _Expired())
