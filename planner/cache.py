"""Bounded caches of what is derived from one network, held in one typed holder per network.

Every :class:`~planner.network.Network` owns a :class:`NetworkCaches`. A module that derives
something from a network declares a :class:`CacheSlot` once, at import time, and asks the holder
for the value::

    PLANS = CacheSlot[RouteRequest, RoutePlan]("plans", max_entries=1024, max_bytes=32 * MiB, sizeof=plan_bytes)

    def plan(network, request):
        return network.caches.get(PLANS, request, lambda: _plan(network, request))

The holder keeps one least-recently-used table per slot, bounded by the slot's entry count and,
when the slot gives ``max_bytes``, by the summed ``sizeof`` of its entries. A key holds every
request field that can change the value; the network itself (its content digest) is the holder,
so two networks never share an entry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["MiB", "LRU", "CacheSlot", "CacheStats", "NetworkCaches"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MiB = 1024 * 1024


@dataclass(frozen=True, eq=False)  # no slots: typing sets __orig_class__ on instances of CacheSlot[K, V]
class CacheSlot(Generic[K, V]):
    """One kind of cached value: its name, its bounds, and how big an entry is (bytes, an estimate).

    Slots compare by identity: declare each once, at module level, in the module that owns it.
    """

    name: str
    max_entries: int
    max_bytes: int | None = None
    sizeof: Callable[[V], int] | None = None

    def __post_init__(self) -> None:
        if self.max_entries < 1:
            raise ValueError(f"cache slot {self.name}: max_entries must be at least 1")
        if (self.max_bytes is None) != (self.sizeof is None):
            raise ValueError(f"cache slot {self.name}: give max_bytes and sizeof together")


@dataclass(frozen=True, slots=True)
class CacheStats:
    """How full one cache is, and how often lookups found an entry since it was made."""

    name: str
    entries: int
    max_entries: int
    bytes: int
    max_bytes: int | None
    hits: int = 0
    misses: int = 0


class LRU(Generic[K, V]):
    """Least-recently-used mapping bounded by entries and, optionally, bytes; safe to share between threads.

    An entry larger than ``max_bytes`` on its own is not kept.
    """

    def __init__(
        self,
        max_entries: int,
        *,
        max_bytes: int | None = None,
        sizeof: Callable[[V], int] | None = None,
        name: str = "cache",
    ) -> None:
        self.name = name
        self.max_entries = max(1, max_entries)
        self.max_bytes = max_bytes
        self._sizeof = sizeof if max_bytes is not None else None
        self._data: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: K) -> V | None:
        """The value for ``key`` (now the most recently used), or None."""
        with self._lock:
            item = self._data.get(key)
            if item is None:
                self._misses += 1
                return None
            self._hits += 1
            self._data.move_to_end(key)
            return item[0]

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for ``key``, dropping the least recently used entries past the bounds."""
        size = self._sizeof(value) if self._sizeof is not None else 0
        if self.max_bytes is not None and size > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, size)
            self._bytes += size
            while len(self._data) > self.max_entries or (self.max_bytes is not None and self._bytes > self.max_bytes):
                _, (_, dropped) = self._data.popitem(last=False)
                self._bytes -= dropped

    def get_or_build(self, key: K, build: Callable[[], V]) -> V:
        """The cached value for ``key``, or ``build()`` kept for next time (an exception is not kept).

        Two threads missing at once may both build; the first value stored wins for later callers.
        """
        with self._lock:
            item = self._data.get(key)
            if item is not None:
                self._hits += 1
                self._data.move_to_end(key)
                return item[0]
            self._misses += 1
        value = build()
        with self._lock:
            item = self._data.get(key)
            if item is not None:
                return item[0]
        self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                self.name, len(self._data), self.max_entries, self._bytes, self.max_bytes, self._hits, self._misses
            )

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data


class NetworkCaches:
    """The caches of one network: one :class:`LRU` per :class:`CacheSlot`, created on first use.

    ``share`` scales every slot's bounds (at least one entry is always kept): networks derived for
    a scenario get a small share, so the scenario networks a network keeps cannot outgrow it.
    """

    def __init__(self, *, share: float = 1.0) -> None:
        if not 0.0 < share <= 1.0:
            raise ValueError("share must be in (0, 1]")
        self.share = share
        self._tables: dict[CacheSlot[object, object], LRU[object, object]] = {}
        self._lock = threading.Lock()

    def table(self, slot: CacheSlot[K, V]) -> LRU[K, V]:
        """The slot's table in this holder."""
        key: CacheSlot[object, object] = slot  # type: ignore[assignment]
        found = self._tables.get(key)
        if found is None:
            with self._lock:
                found = self._tables.get(key)
                if found is None:
                    found = LRU[object, object](
                        int(slot.max_entries * self.share),
                        max_bytes=None if slot.max_bytes is None else int(slot.max_bytes * self.share),
                        sizeof=slot.sizeof,  # type: ignore[arg-type]
                        name=slot.name,
                    )
                    self._tables[key] = found
        return found  # type: ignore[return-value]

    def get(self, slot: CacheSlot[K, V], key: K, build: Callable[[], V]) -> V:
        """The value cached under ``key`` in ``slot``, building and keeping it on a miss."""
        return self.table(slot).get_or_build(key, build)

    def peek(self, slot: CacheSlot[K, V], key: K) -> V | None:
        """The cached value or None, without building."""
        return self.table(slot).get(key)

    def put(self, slot: CacheSlot[K, V], key: K, value: V) -> None:
        self.table(slot).put(key, value)

    def stats(self) -> list[CacheStats]:
        """Entries and bytes of every cache in use, by slot name."""
        with self._lock:
            tables = list(self._tables.values())
        return sorted((t.stats() for t in tables), key=lambda s: s.name)
