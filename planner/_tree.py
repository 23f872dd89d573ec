"""One shortest-path tree per origin: the path :func:`planner.plan` (k=1) takes to every place at once.

:func:`grow` runs the very search a k=1 request without via places, corridor or counters runs
(:func:`planner._search.search`'s plain Dijkstra on search states, or scipy's on large graphs), but
settles every state instead of stopping at the first state of the destination. Up to the moment a
destination's first state settles the two runs are the same run, so the tree's path to that state
is the path the per-request search finds (same heap order, same ties, same edges). The search keeps
that path when it passes every place once; the caller checks that by walking :attr:`Tree.prev`.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import _search
from ._compile import CompiledGraph
from .cache import CacheSlot

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Tree", "grow"]

_UNREACHED = 1 << 62


@dataclass(frozen=True, slots=True)
class Tree:
    """Paths from one origin over the search states (a node ``s`` entered by a link, ``s + n`` by a change).

    ``pred[s]`` is the edge into state ``s`` (-1 at a start, -2 unreached), ``prev[s]`` the state it
    leaves, ``settled[s]`` the order ``s`` settled in (its rank by distance for scipy's trees).
    """

    graph: CompiledGraph
    n: int
    pred: list[int]
    prev: list[int]
    settled: list[int]
    unsure: frozenset[str] = frozenset()
    """Places where a tie between equal distances decides the path (only for trees grown by scipy)."""

    def end(self, place: str) -> int | None:
        """The state of ``place`` the per-request search stops at (the first of its states settled), or None."""
        settled, n = self.settled, self.n
        best = None
        for node in self.graph.place_nodes.get(place, ()):
            for state in (node, node + n):
                if settled[state] < _UNREACHED and (best is None or settled[state] < settled[best]):
                    best = state
        return best


def grow(
    graph: CompiledGraph, weight: Sequence[float], origin: str, banned: frozenset[int], *, checked: bool = True
) -> Tree:
    """The tree of the k=1 search from ``origin`` with ``weight`` and the ``banned`` edges.

    Where the search's path loops it searches again with the links back into the origin closed
    (:func:`planner._search.returns_to`): that search's tree is this function's with those links banned.
    On mid-sized graphs the tree grows on scipy's Dijkstra (``checked``); its ``unsure`` places are
    those where the Python search could break a tie otherwise: grow the tree again with
    ``checked=False`` for them.
    """
    starts = [label[0] for label in _search.start_labels(graph, origin, _search.Limits())]
    if starts and len(graph.adj) >= _search.COMPILED_KERNEL_MIN_NODES:
        return _kernel_tree(graph, weight, starts, banned)
    if checked and starts and len(graph.adj) >= CHECKED_KERNEL_MIN_NODES:
        return _checked_tree(graph, weight, starts, banned)
    return _plain_tree(graph, weight, starts, banned)


CHECKED_KERNEL_MIN_NODES = 5_000
"""From this many nodes on (below the search's own kernel threshold) trees grow on scipy's C Dijkstra when
no tie can make the Python search choose otherwise (:func:`_checked_tree`)."""


def _checked_tree(graph: CompiledGraph, weight: Sequence[float], starts: list[int], banned: frozenset[int]) -> Tree:
    """The tree :func:`_plain_tree` grows, from scipy's Dijkstra, with the places where a tie may decide it.

    The Python search keeps, for each state, the first arrival at its least distance, and stops at the
    first state of the destination to settle. Where a state has one arrival at its least distance (a
    unique tight edge, the lightest of parallel edges by weight then id, as the search's scan meets
    them) both keep that arrival, with the same distance (the parent's plus the edge's weight). A state
    with two, every state below it, and a place whose states tie for the least distance are ``unsure``.
    """
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    csr = _csr(graph, weight, banned)
    n = csr.n
    size = 2 * n
    dist, before, _ = dijkstra(csr.matrix, directed=True, indices=sorted(starts), min_only=True, return_predecessors=True)
    source, target, data = csr.source, csr.target, csr.data
    with np.errstate(invalid="ignore"):
        tight = np.isfinite(dist[source]) & (dist[source] + data == dist[target])
    arrivals = np.bincount(target[tight], minlength=size)
    one = tight & (arrivals[target] == 1)
    pred = np.full(size, -2, dtype=np.int64)
    prev = np.arange(size, dtype=np.int64)  # a state with no parent is its own (starts, unreached)
    pred[target[one]] = csr.edge[one]
    prev[target[one]] = source[one]
    reached = np.isfinite(dist)
    is_start = np.zeros(size, dtype=bool)
    is_start[starts] = True
    pred[starts] = -1
    tied = reached & ~is_start & (arrivals != 1)
    for state in np.flatnonzero(tied).tolist():  # scipy's choice, to keep the tree whole; unsure below
        u = int(before[state])
        pred[state] = _search.edge_between(graph, weight, banned, u, state, n)
        prev[state] = u
    # Unsure: a tied state and everything below it (pointer doubling: log2(depth) passes).
    unsure = tied.copy()
    up = prev.copy()
    while True:
        grown = unsure | unsure[up]
        up = up[up]
        if np.array_equal(grown, unsure) and np.array_equal(up, up[up]):
            break
        unsure = grown
    finite = np.flatnonzero(reached)
    order = finite[np.argsort(dist[finite], kind="stable")]
    settled = np.full(size, _UNREACHED, dtype=np.int64)
    settled[order] = np.arange(len(order))
    # Each place's end is its state of least distance; unsure if that state is, or another ties with it.
    place = csr.place_number[finite % n]
    by_place = np.lexsort((settled[finite], place))
    runs = np.flatnonzero(np.r_[True, place[by_place][1:] != place[by_place][:-1]])
    ends = finite[by_place[runs]]
    second = np.minimum(runs + 1, len(by_place) - 1)
    ties = (second > runs) & (place[by_place[second]] == place[by_place[runs]]) & (
        dist[finite[by_place[second]]] == dist[ends]
    )
    doubtful = place[by_place[runs]][ties | unsure[ends]]
    names = frozenset(csr.place_names[i] for i in doubtful.tolist())
    return Tree(graph, n, pred.tolist(), prev.tolist(), settled.tolist(), names)


@dataclass(frozen=True, slots=True)
class _Csr:
    """The state graph with one entry per pair of states (the lightest edge, then the lowest id) for one weighting."""

    weight: Sequence[float]
    banned: frozenset[int]
    matrix: object
    source: np.ndarray
    target: np.ndarray
    data: np.ndarray
    edge: np.ndarray
    n: int
    place_number: np.ndarray
    place_names: list[str]


_CSR = CacheSlot[tuple[int, frozenset[int]], _Csr]("tree kernel weights", max_entries=4)


def _csr(graph: CompiledGraph, weight: Sequence[float], banned: frozenset[int]) -> _Csr:
    key = (id(weight), banned)
    held = graph.network.caches.peek(_CSR, key)
    if held is not None and held.weight is weight:  # the very weights (an id is only unique while they live)
        return held
    built = _build_csr(graph, weight, banned)
    graph.network.caches.put(_CSR, key, built)
    return built


def _build_csr(graph: CompiledGraph, weight: Sequence[float], banned: frozenset[int]) -> _Csr:
    import numpy as np
    from scipy.sparse import csr_matrix

    kernel = _search.search_kernel(graph)
    n = kernel.n
    size = 2 * n
    w = np.asarray(weight, dtype=np.float64).copy()
    if banned:
        w[np.fromiter(banned, dtype=np.int64, count=len(banned))] = np.inf
    entry_edge = kernel.edge_of[kernel.order]
    entry_weight = w[entry_edge]
    group_of = np.repeat(np.arange(len(kernel.group_starts)), np.diff(np.append(kernel.group_starts, len(entry_edge))))
    pick = np.lexsort((entry_edge, entry_weight, group_of))  # per pair: lightest, then lowest edge id
    firsts = pick[np.flatnonzero(np.r_[True, group_of[pick][1:] != group_of[pick][:-1]])]
    data = np.maximum(entry_weight[firsts], 1e-300)  # csgraph drops explicit zeros in some versions
    matrix = csr_matrix((data, kernel.indices, kernel.indptr), shape=(size, size))
    source = np.repeat(np.arange(size), np.diff(kernel.indptr))
    index = _search.state_index(graph)
    names = [""] * index.places
    for node, number in enumerate(index.place_number):
        names[number] = graph.node_place[node]
    return _Csr(
        weight, banned, matrix, source, kernel.indices.astype(np.int64), data, entry_edge[firsts], n,
        np.asarray(index.place_number, dtype=np.int64), names,
    )  # fmt: skip


def _plain_tree(graph: CompiledGraph, weight: Sequence[float], starts: list[int], banned: frozenset[int]) -> Tree:
    # The loop of _search._plain_search, run to the end: entries (dist, counter, state), the counter
    # advanced exactly as there, the same strict-improvement rule.
    index = _search.state_index(graph)
    n = index.n
    out = index.out
    inf = float("inf")
    best = [inf] * (2 * n)
    pred = [-2] * (2 * n)
    prev = [0] * (2 * n)
    settled = [_UNREACHED] * (2 * n)
    done = bytearray(2 * n)
    heap: list[tuple[float, int, int]] = []
    counter = 0
    for state in starts:
        best[state] = 0.0
        pred[state] = -1
        heap.append((0.0, counter, state))
        counter += 1
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    check = bool(banned)
    order = 0
    while heap:
        dist, _, state = pop(heap)
        if done[state]:
            continue
        done[state] = 1
        settled[state] = order
        order += 1
        for target, edge in out[state]:
            if done[target] or (check and edge in banned):
                continue
            nd = dist + weight[edge]
            if nd < best[target]:
                best[target] = nd
                pred[target] = edge
                prev[target] = state
                counter += 1
                push(heap, (nd, counter, target))
    return Tree(graph, n, pred, prev, settled)


def _kernel_tree(graph: CompiledGraph, weight: Sequence[float], starts: list[int], banned: frozenset[int]) -> Tree:
    # What _search._kernel_search computes, for every state: the same matrix, the same scipy call, the
    # same end (least distance, then state) and the same edge between two states (lightest, then id).
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    kernel = _search.search_kernel(graph)
    n = kernel.n
    matrix = kernel.matrix(weight, banned, frozenset())
    dist, before, _ = dijkstra(matrix, directed=True, indices=sorted(starts), min_only=True, return_predecessors=True)
    pred = [-2] * (2 * n)
    prev = [0] * (2 * n)
    for state in starts:
        pred[state] = -1
    reached = np.flatnonzero(before >= 0)
    for state, u in zip(reached.tolist(), before[reached].tolist(), strict=True):
        pred[state] = _search.edge_between(graph, weight, banned, u, state, n)
        prev[state] = u
    finite = np.flatnonzero(np.isfinite(dist))
    ranked = finite[np.lexsort((finite, dist[finite]))]
    settled = [_UNREACHED] * (2 * n)
    for rank, state in enumerate(ranked.tolist()):
        settled[state] = rank
    return Tree(graph, n, pred, prev, settled)

