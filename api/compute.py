"""Running planner computations in worker processes, with a deadline that really stops them.

The pool packs the network it is given once (:class:`planner.batch.NetworkSource`); each worker
process receives that copy when it starts, checks its content digest, then runs jobs
``fn(network, *args)`` sent over a pipe and answers with the result or the planner exception's
class and attributes. Workers never read the network file: a file edited on disk cannot change
their answers, and a replaced worker holds exactly the network the others hold.
A job that passes its deadline gets its process killed and replaced (a thread cannot be
stopped). At most ``size`` jobs run at once; one more is refused at once (:class:`Overloaded`)
instead of queueing, so cheap endpoints stay fast while heavy queries run.

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from planner import Network, PlannerError
from planner.batch import NetworkSource

__all__ = ["ComputePool", "DeadlineExceeded", "Overloaded", "WorkerFailed"]

_READY_TIMEOUT_SECONDS = 120.0


class Overloaded(Exception):
    """Every worker is busy."""


class DeadlineExceeded(Exception):
    """A job ran past its deadline; its worker was killed."""


class WorkerFailed(Exception):
    """A worker died, could not load the network, or a job raised an unexpected exception."""


def _worker_main(conn: Connection, digest: str) -> None:
    try:
        network = NetworkSource(conn.recv_bytes(), digest, "<compute pool>").load()
    except BaseException as exc:  # report any start-up failure, then exit
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
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
    def __init__(self, source: NetworkSource) -> None:
        parent, child = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(child.fileno()), source.digest, json.dumps(sys.path)],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
            )
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.ready = False
        self.digest = source.digest
        # The worker reads the network while it starts; sending from a thread lets several start at once.
        threading.Thread(target=self._send_network, args=(source.data,), daemon=True).start()

    def _send_network(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # a worker that died at once is reported by wait_ready
            self.conn.send_bytes(data)

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(_READY_TIMEOUT_SECONDS):
            raise WorkerFailed("a worker process did not load the network in time")
        status, detail = self.conn.recv()
        if status != "ready" or detail != self.digest:
            raise WorkerFailed(f"a worker process could not load the network: {detail}")
        self.ready = True

    def poll_ready(self) -> bool:
        if not self.ready and self.alive() and self.conn.poll(0):
            try:
                self.wait_ready()
            except (WorkerFailed, EOFError, OSError):
                return False
        return self.ready

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


class ComputePool:
    """A fixed set of worker processes, each holding a copy of ``network``, with per-job deadlines."""

    def __init__(self, network: Network, *, size: int, deadline_seconds: float) -> None:
        self.source = NetworkSource.of(network)  # packed once, for every worker started or replaced
        self.size = size
        self.deadline_seconds = deadline_seconds
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._in_flight = 0
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="corridor-compute")
        self._closed = False
        self.started = False

    def start(self) -> None:
        """Start the worker processes; they load the network in the background."""
        with self._lock:
            self._idle = [_Worker(self.source) for _ in range(self.size)]
            self.started = True

    def ready(self) -> bool:
        """True once at least one worker has loaded the network."""
        with self._lock:
            workers = list(self._idle)
        return any(w.poll_ready() for w in workers) or (self._in_flight > 0)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def run(self, fn: Callable[..., Any], *args: Any, deadline_seconds: float | None = None) -> Any:
        """Run ``fn(network, *args)`` in a worker; raise Overloaded at once when all workers are busy."""
        with self._lock:
            if self._closed or not self.started:
                raise WorkerFailed("the compute pool is not running")
            if self._in_flight >= self.size:
                raise Overloaded
            self._in_flight += 1
        deadline = self.deadline_seconds if deadline_seconds is None else deadline_seconds
        try:
            future = self._threads.submit(self._call, fn, args, deadline)
        except RuntimeError:
            self._release()
            raise WorkerFailed("the compute pool is shutting down") from None
        # The slot is released when the job really ends, even if the request was cancelled.
        future.add_done_callback(lambda _: self._release())
        status, value = await asyncio.wrap_future(future)
        if status == "ok":
            return value
        if status == "planner_error":
            raise _rebuild(value)
        raise WorkerFailed(str(value))

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _call(self, fn: Callable[..., Any], args: tuple[Any, ...], deadline: float) -> tuple[str, Any]:
        with self._lock:
            worker = self._idle.pop()
        try:
            worker.wait_ready()
            started = time.monotonic()
            worker.conn.send((fn, args))
            if not worker.conn.poll(deadline):
                worker.kill()
                worker = _Worker(self.source)
                raise DeadlineExceeded(f"stopped after {time.monotonic() - started:.2f} s")
            result: tuple[str, Any] = worker.conn.recv()
            return result
        except (EOFError, OSError, WorkerFailed) as exc:
            worker.kill()
            worker = _Worker(self.source)
            if isinstance(exc, WorkerFailed):
                raise
            raise WorkerFailed("a worker process died during the computation") from exc
        finally:
            with self._lock:
                if self._closed:
                    worker.kill()
                else:
                    self._idle.append(worker)
