"""One shortest-path tree per origin: the path :func:`planner.plan` (k=1) takes to every place at once.

:func:`grow` runs the very search a k=1 request without via places, corridor or counters runs
(:func:`planner._search.search`'s plain Dijkstra on small graphs, scipy's on large ones), but
settles every node instead of stopping at the first node of the destination. Up to the moment a
destination's first node settles, the two runs are the same run, so the tree's path to that node
is the path the per-request search returns (same heap order, same ties, same edges).
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
    """Paths from one origin: the edge into each node (-1 at a start, -2 unreached) and when it settled."""

    graph: CompiledGraph
    pred: list[int]
    settled: list[int]
    """The order each node settled in (a large number where it never did); for scipy's trees, its rank by distance."""

    def end(self, place: str) -> int | None:
        """The node of ``place`` the per-request search stops at (the first of its nodes settled), or None."""
        settled = self.settled
        best = None
        for node in self.graph.place_nodes.get(place, ()):
            if settled[node] < _UNREACHED and (best is None or settled[node] < settled[best]):
                best = node
        return best

    def parent(self, node: int) -> int:
        """The node the edge into ``node`` leaves (-1 at a start)."""
        edge = self.pred[node]
        return self.graph.edge_src[edge] if edge >= 0 else -1


def grow(graph: CompiledGraph, weight: Sequence[float], origin: str, banned: frozenset[int]) -> Tree:
    """The tree of the k=1 search from ``origin`` with ``weight`` and the ``banned`` edges."""
    starts = list(_search.start_labels(graph, origin, _search.Limits()))
    nodes = [label[0] for label in starts]
    if nodes and len(graph.adj) >= _search.COMPILED_KERNEL_MIN_NODES:
        return _kernel_tree(graph, weight, nodes, banned)
    return _plain_tree(graph, weight, nodes, banned)


def _plain_tree(graph: CompiledGraph, weight: Sequence[float], starts: list[int], banned: frozenset[int]) -> Tree:
    # The loop of _search._plain_search, run to the end: entries (dist, counter, node), the counter
    # advanced exactly as there, the same strict-improvement rule.
    adj = graph.adj
    n = len(adj)
    inf = float("inf")
    best = [inf] * n
    pred = [-2] * n
    settled = [_UNREACHED] * n
    done = bytearray(n)
    heap: list[tuple[float, int, int]] = []
    counter = 0
    for node in starts:
        best[node] = 0.0
        pred[node] = -1
        heap.append((0.0, counter, node))
        counter += 1
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    check = bool(banned)
    order = 0
    while heap:
        dist, _, node = pop(heap)
        if done[node]:
            continue
        done[node] = 1
        settled[node] = order
        order += 1
        for target, edge in adj[node]:
            if done[target] or (check and edge in banned):
                continue
            nd = dist + weight[edge]
            if nd < best[target]:
                best[target] = nd
                pred[target] = edge
                counter += 1
                push(heap, (nd, counter, target))
    return Tree(graph, pred, settled)


def _kernel_tree(graph: CompiledGraph, weight: Sequence[float], starts: list[int], banned: frozenset[int]) -> Tree:
    # What _search._kernel_search computes, for every node: the same matrix, the same scipy call, the
    # same end (least distance, then node id) and the same edge between two nodes (lightest, then id).
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    kernel = _search._kernel(graph)
    w = np.asarray(weight, dtype=np.float64).copy()
    if banned:
        w[np.fromiter(banned, dtype=np.int64, count=len(banned))] = np.inf
    data = np.maximum(np.minimum.reduceat(w[kernel.order], kernel.group_starts), 1e-300)
    matrix = csr_matrix((data, kernel.indices, kernel.indptr), shape=(kernel.n, kernel.n))
    dist, before, _ = dijkstra(matrix, directed=True, indices=sorted(starts), min_only=True, return_predecessors=True)
    n = kernel.n
    pred = [-2] * n
    for node in starts:
        pred[node] = -1
    reached = np.flatnonzero(before >= 0)
    for node, u in zip(reached.tolist(), before[reached].tolist(), strict=True):
        pred[node] = min((e for t, e in graph.adj[u] if t == node and e not in banned), key=lambda e: (weight[e], e))
    # Rank by (distance, node): the end a place gets is its node the kernel search would pick.
    finite = np.flatnonzero(np.isfinite(dist))
    ranked = finite[np.lexsort((finite, dist[finite]))]
    settled = [_UNREACHED] * n
    for rank, node in enumerate(ranked.tolist()):
        settled[node] = rank
    return Tree(graph, pred, settled)
