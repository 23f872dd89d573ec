"""The order rows are evaluated in: rows that can share a shortest-path tree side by side, in the same chunk.

A tree is one per scenario, origin and the options that change the search (rank, service level,
month, avoided countries, places and links, modes, the kind of shipment); rows that differ in the
rest (destination, the number of boxes) share it. Rows are sorted by those fields, and chunks are
cut where the origin changes once they hold ``size`` in cost, or at ``MAX_CHUNK_FACTOR`` x ``size``
within one origin. A row a tree answers costs 1; one planned on its own (k > 1, via places, a
corridor, counters, rank reliable or pareto) costs :data:`ALONE_COST`, so that a chunk of those stays
short.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import TypeVar

from ._rows import BatchRow

__all__ = ["ALONE_COST", "MAX_CHUNK_FACTOR", "TREE_FIELDS", "grouped_chunks", "row_cost", "tree_order"]

TREE_FIELDS = (
    "scenario", "origin", "rank", "service", "departure_date", "month", "avoid_countries", "avoid_places", "avoid_links",
    "modes", "container", "tonnes",
)  # fmt: skip
"""Row fields by which rows that may share a tree are put side by side, in this order (origin second)."""

MAX_CHUNK_FACTOR = 5
"""A chunk of one origin's rows costs at most this many times the chunk size asked for."""

ALONE_COST = 10
"""What a row planned on its own costs in a chunk, against 1 for a row a tree answers."""

T = TypeVar("T")


def tree_order(row: BatchRow) -> tuple[str, ...]:
    """A sort key putting rows that may share a tree side by side (absent values first)."""
    return tuple("" if (value := getattr(row, name)) is None else str(value) for name in TREE_FIELDS)


def row_cost(row: BatchRow) -> int:
    """1 for a row a tree may answer, :data:`ALONE_COST` for one planned on its own."""
    alone = (
        (row.k is not None and row.k != 1)
        or row.rank in ("reliable", "pareto")
        or bool(row.via)
        or row.corridor is not None
        or row.max_border_crossings is not None
        or row.max_transshipments is not None
    )
    return ALONE_COST if alone else 1


def grouped_chunks(items: Iterable[tuple[T, Hashable, int]], size: int) -> Iterator[list[T]]:
    """Cut ``(item, origin, cost)`` triples, already in tree order, into chunks costing about ``size``.

    A chunk ends where the origin changes once it costs ``size`` (so one origin's rows are evaluated
    together), or at ``MAX_CHUNK_FACTOR * size``.
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    chunk: list[T] = []
    spent = 0
    last: Hashable = object()
    for item, origin, cost in items:
        if chunk and ((origin != last and spent >= size) or spent >= MAX_CHUNK_FACTOR * size):
            yield chunk
            chunk, spent = [], 0
        chunk.append(item)
        spent += cost
        last = origin
    if chunk:
        yield chunk
