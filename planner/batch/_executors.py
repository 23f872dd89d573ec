"""Where chunks of rows are evaluated: a local process pool, or a Dask cluster.

Both unpack the network once per worker (a :class:`NetworkSource`, checked by its digest), keep a
bounded number of chunks in flight and yield results as they complete, in any order.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..cache import LRU
from ..errors import NetworkError
from ..loader import load_network
from ..network import Network
from ._evaluate import RowOutcome, evaluate_rows

__all__ = ["ChunkExecutor", "DaskExecutor", "LocalPoolExecutor", "NetworkSource", "make_executor"]


@dataclass(frozen=True, slots=True)
class NetworkSource:
    """A network packed once to travel to worker processes, with its content digest.

    Workers unpack it once and refuse it if what they unpacked has another digest; they never
    read the network file.
    """

    data: bytes
    digest: str
    path: str

    @classmethod
    def of(cls, network: Network) -> NetworkSource:
        """Pack a loaded network (its graph and caches are rebuilt where it is unpacked)."""
        return cls(data=pickle.dumps(network, protocol=pickle.HIGHEST_PROTOCOL), digest=network.digest, path=network.path)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str] | None) -> NetworkSource:
        """Load, validate and pack a network file (the bundled network when ``path`` is None)."""
        return cls.of(load_network(None if path is None else os.fspath(path)))

    def load(self) -> Network:
        """Unpack the network.

        Raises
        ------
        NetworkError
            What was unpacked is not the network packed (another digest).
        """
        network = pickle.loads(self.data)
        if not isinstance(network, Network) or network.digest != self.digest:
            raise NetworkError(
                f"the network sent to this worker is not the one expected (digest {self.digest[:12]}); "
                "do the workers run the same corridor-planner version?"
            )
        return network


# Per worker process. Local workers hold the one network they were started with; Dask workers keep
# the last few networks they were sent, by digest.
_LOCAL: list[Network] = []
_NETWORKS = LRU[str, Network](2, name="worker networks")


def _network(source: NetworkSource) -> Network:
    return _NETWORKS.get_or_build(source.digest, source.load)


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _init_local_worker(source: NetworkSource, parent: int) -> None:
    # Ctrl-C goes to the whole process group: the parent decides what to do, workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed with SIGKILL cannot shut the pool down: orphaned workers end themselves.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _LOCAL[:] = [source.load()]


Evaluate = Callable[[Network, list[Any]], list[RowOutcome]]
"""Evaluates one chunk of a job's rows on a network (a module-level function: it travels to workers by name)."""


def _evaluate_local(evaluate: Evaluate, rows: list[Any]) -> list[RowOutcome]:
    if len(_LOCAL) != 1:
        raise RuntimeError("the worker was not initialised with a network")
    return evaluate(_LOCAL[0], rows)


def _evaluate_dask(evaluate: Evaluate, source: NetworkSource, rows: list[Any]) -> list[RowOutcome]:
    return evaluate(_network(source), rows)


class ChunkExecutor(Protocol):
    """Evaluates chunks of rows somewhere; results come back as each chunk completes."""

    workers: int
    network_digest: str
    """Content digest of the network every chunk is evaluated on."""

    def map_chunks(self, chunks: Iterator[list[Any]]) -> Iterator[list[RowOutcome]]: ...

    def close(self) -> None: ...


class LocalPoolExecutor:
    """A pool of worker processes on this machine (spawned, so safe in a threaded server)."""

    def __init__(self, source: NetworkSource, *, workers: int | None = None, evaluate: Evaluate = evaluate_rows) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.network_digest = source.digest
        self.evaluate = evaluate
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_local_worker,
            initargs=(source, os.getpid()),
        )

    def map_chunks(self, chunks: Iterator[list[Any]]) -> Iterator[list[RowOutcome]]:
        limit = 2 * self.workers
        running: set[cf.Future[list[RowOutcome]]] = set()
        try:
            for chunk in chunks:
                running.add(self._pool.submit(_evaluate_local, self.evaluate, chunk))
                while len(running) >= limit:
                    done, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
            while running:
                done, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in running:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Chunks evaluated on a Dask cluster; the packed network is scattered to every worker once."""

    def __init__(
        self, source: NetworkSource, *, scheduler: str, timeout: float = 30.0, evaluate: Evaluate = evaluate_rows
    ) -> None:
        self.evaluate = evaluate
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - dask is a declared extra
            raise RuntimeError("a Dask scheduler is configured but dask.distributed is not installed") from exc
        client: Any = Client
        self._client: Any = client(scheduler, timeout=timeout, set_as_default=False)
        self.workers = max(1, sum(self._client.nthreads().values()))
        self.network_digest = source.digest
        self._source: Any = self._client.scatter(source, broadcast=True, hash=False)

    def map_chunks(self, chunks: Iterator[list[Any]]) -> Iterator[list[RowOutcome]]:
        from distributed import as_completed

        completed: Any = as_completed

        limit = 2 * self.workers
        pending: Any = completed([], loop=self._client.loop, with_results=False)
        in_flight = 0
        exhausted = False
        try:
            while True:
                while not exhausted and in_flight < limit:
                    chunk = next(chunks, None)
                    if chunk is None:
                        exhausted = True
                        break
                    pending.add(self._client.submit(_evaluate_dask, self.evaluate, self._source, chunk, pure=False))
                    in_flight += 1
                if in_flight == 0:
                    return
                future = next(pending)
                in_flight -= 1
                result: list[RowOutcome] = future.result()
                future.release()
                yield result
        finally:
            for future in list(pending.futures):
                future.cancel()

    def close(self) -> None:
        self._client.close()


def make_executor(
    source: NetworkSource,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    evaluate: Evaluate = evaluate_rows,
) -> LocalPoolExecutor | DaskExecutor:
    """A Dask executor when a scheduler address is given, else a local process pool; ``evaluate`` runs each chunk."""
    if scheduler:
        return DaskExecutor(source, scheduler=scheduler, evaluate=evaluate)
    return LocalPoolExecutor(source, workers=workers, evaluate=evaluate)
