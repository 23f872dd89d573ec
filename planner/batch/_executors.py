"""Where chunks of rows are evaluated: a local process pool, or a Dask cluster.

Both load the network once per worker (from its YAML text, so it can travel over the wire),
keep a bounded number of chunks in flight and yield results as they complete, in any order.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..loader import DEFAULT_MAX_BYTES, bundled_network_path, parse_network
from ..model import Network
from ._evaluate import RowOutcome, evaluate_rows
from ._rows import BatchRow

__all__ = ["ChunkExecutor", "DaskExecutor", "LocalPoolExecutor", "NetworkSource", "make_executor"]


@dataclass(frozen=True, slots=True)
class NetworkSource:
    """A network's YAML text and where it came from; what workers parse once to get the network."""

    text: str
    path: str
    digest: str = field(default="")

    @classmethod
    def from_path(cls, path: str | os.PathLike[str] | None) -> NetworkSource:
        """Read a network file (the bundled network when ``path`` is None)."""
        file = Path(path) if path is not None else bundled_network_path()
        text = file.read_bytes()[: DEFAULT_MAX_BYTES + 1].decode("utf-8")
        return cls(text=text, path=str(file), digest=hashlib.sha256(text.encode()).hexdigest())

    def load(self) -> Network:
        return parse_network(self.text, path=self.path)


# Per worker process: parsed networks by digest (a worker may serve several networks over its life).
_NETWORKS: dict[str, Network] = {}


def _network(source: NetworkSource) -> Network:
    network = _NETWORKS.get(source.digest)
    if network is None:
        network = _NETWORKS[source.digest] = source.load()
    return network


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
    _network(source)


def _evaluate_local(rows: list[BatchRow]) -> list[RowOutcome]:
    (network,) = _NETWORKS.values() if len(_NETWORKS) == 1 else (None,)
    if network is None:
        raise RuntimeError("the worker was not initialised with exactly one network")
    return evaluate_rows(network, rows)


def _evaluate_dask(source: NetworkSource, rows: list[BatchRow]) -> list[RowOutcome]:
    return evaluate_rows(_network(source), rows)


class ChunkExecutor(Protocol):
    """Evaluates chunks of rows somewhere; results come back as each chunk completes."""

    workers: int

    def map_chunks(self, chunks: Iterator[list[BatchRow]]) -> Iterator[list[RowOutcome]]: ...

    def close(self) -> None: ...


class LocalPoolExecutor:
    """A pool of worker processes on this machine (spawned, so safe in a threaded server)."""

    def __init__(self, source: NetworkSource, *, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_local_worker,
            initargs=(source, os.getpid()),
        )

    def map_chunks(self, chunks: Iterator[list[BatchRow]]) -> Iterator[list[RowOutcome]]:
        limit = 2 * self.workers
        running: set[cf.Future[list[RowOutcome]]] = set()
        try:
            for chunk in chunks:
                running.add(self._pool.submit(_evaluate_local, chunk))
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
    """Chunks evaluated on a Dask cluster; the network text is scattered to every worker once."""

    def __init__(self, source: NetworkSource, *, scheduler: str, timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - dask is a declared extra
            raise RuntimeError("a Dask scheduler is configured but dask.distributed is not installed") from exc
        client: Any = Client
        self._client: Any = client(scheduler, timeout=timeout, set_as_default=False)
        self.workers = max(1, sum(self._client.nthreads().values()))
        self._source: Any = self._client.scatter(source, broadcast=True, hash=False)

    def map_chunks(self, chunks: Iterator[list[BatchRow]]) -> Iterator[list[RowOutcome]]:
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
                    pending.add(self._client.submit(_evaluate_dask, self._source, chunk, pure=False))
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
    source: NetworkSource, *, workers: int | None = None, scheduler: str | None = None
) -> LocalPoolExecutor | DaskExecutor:
    """A Dask executor when a scheduler address is given, else a local process pool."""
    if scheduler:
        return DaskExecutor(source, scheduler=scheduler)
    return LocalPoolExecutor(source, workers=workers)
