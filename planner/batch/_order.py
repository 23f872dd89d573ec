"""The order rows are evaluated in: rows that can share a shortest-path tree side by side, in the same chunk.

A tree is one per scenario, origin and the options that change the search (rank, service level,
month, avoided countries, the kind of shipment); rows that differ in the rest (destination, the
number of boxes) share it. Rows are sorted by those fields, and chunks are cut where the origin
changes once they hold ``size`` rows, or at ``MAX_CHUNK_FACTOR`` x ``size`` rows within one origin.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import TypeVar

from ._rows import BatchRow

__all__ = ["MAX_CHUNK_FACTOR", "TREE_FIELDS", "grouped_chunks", "tree_order"]

TREE_FIELDS = (
    "scenario", "origin", "rank", "service", "departure_date", "month", "avoid_countries", "avoid_places", "avoid_links",
    "modes", "container", "tonnes",
)  # fmt: skip
"""Row fields by which rows that may share a tree are put side by side, in this order (origin second)."""

MAX_CHUNK_FACTOR = 5
"""A chunk of one origin's rows holds at most this many times the chunk size asked for."""

T = TypeVar("T")


def tree_order(row: BatchRow) -> tuple[str, ...]:
    """A sort key putting rows that may share a tree side by side (absent values first)."""
    return tuple("" if (value := getattr(row, name)) is None else str(value) for name in TREE_FIELDS)


def grouped_chunks(items: Iterable[tuple[T, Hashable]], size: int) -> Iterator[list[T]]:
    """Cut ``(item, origin)`` pairs, already in tree order, into chunks of about ``size`` items.

    A chunk ends where the origin changes once it has ``size`` items (so one origin's rows are
    evaluated together), or at ``MAX_CHUNK_FACTOR * size`` items.
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    chunk: list[T] = []
    last: Hashable = object()
    for item, origin in items:
        if chunk and ((origin != last and len(chunk) >= size) or len(chunk) >= MAX_CHUNK_FACTOR * size):
            yield chunk
            chunk = []
        chunk.append(item)
        last = origin
    if chunk:
        yield chunk
