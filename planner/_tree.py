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

from . import _search
from ._compile import CompiledGraph

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

    def end(self, place: str) -> int | None:
        """The state of ``place`` the per-request search stops at (the first of its states settled), or None."""
        settled, n = self.settled, self.n
        best = None
        for node in self.graph.place_nodes.get(place, ()):
            for state in (node, node + n):
                if settled[state] < _UNREACHED and (best is None or settled[state] < settled[best]):
                    best = state
        return best


def grow(graph: CompiledGraph, weight: Sequence[float], origin: str, banned: frozenset[int]) -> Tree:
    """The tree of the k=1 search from ``origin`` with ``weight`` and the ``banned`` edges.

    Where the search's path loops it searches again with the links back into the origin closed
    (:func:`planner._search.returns_to`): that search's tree is this function's with those links banned.
    """
    starts = [label[0] for label in _search.start_labels(graph, origin, _search.Limits())]
    if starts and len(graph.adj) >= _search.COMPILED_KERNEL_MIN_NODES:
        return _kernel_tree(graph, weight, starts, banned)
    return _plain_tree(graph, weight, starts, banned)


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

    kernel = _search._kernel(graph)
    n = kernel.n
    matrix = kernel.matrix(weight, banned, frozenset())
    dist, before, _ = dijkstra(matrix, directed=True, indices=sorted(starts), min_only=True, return_predecessors=True)
    pred = [-2] * (2 * n)
    prev = [0] * (2 * n)
    for state in starts:
        pred[state] = -1
    reached = np.flatnonzero(before >= 0)
    for state, u in zip(reached.tolist(), before[reached].tolist(), strict=True):
        pred[state] = _search._edge_between(graph, weight, banned, u, state, n)
        prev[state] = u
    finite = np.flatnonzero(np.isfinite(dist))
    ranked = finite[np.lexsort((finite, dist[finite]))]
    settled = [_UNREACHED] * (2 * n)
    for rank, state in enumerate(ranked.tolist()):
        settled[state] = rank
    return Tree(graph, n, pred, prev, settled)

