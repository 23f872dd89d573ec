"""Label-setting shortest paths over the compiled graph.

A label is ``(node, layer, border_crossings, transshipments)``; the layer tracks the
access / trunk / egress phases of a corridor-restricted search and the two counters
enforce the request's maxima. Without those constraints the last three fields stay 0 and
the search is plain Dijkstra on the state graph.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ._compile import LINK, CompiledGraph
from .cache import CacheSlot

Label = tuple[int, int, int, int]
# A path is stored as a persistent linked list of edges: (previous, edge) or None.
Trail = tuple["Trail", int] | None

ACCESS, TRUNK, TRUNK_DONE, EGRESS = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class CorridorRule:
    """Which links form a corridor's trunk and which links the access/egress legs may not use."""

    places: frozenset[str]
    links: frozenset[str]
    distinctive: frozenset[str]
    foreign: frozenset[str]


@dataclass(frozen=True, slots=True)
class Limits:
    """Edges and nodes a request forbids, plus counters and corridor rule."""

    banned_edges: frozenset[int] = frozenset()
    max_border_crossings: int | None = None
    max_transshipments: int | None = None
    corridor: CorridorRule | None = None


def trail_edges(trail: Trail) -> list[int]:
    edges: list[int] = []
    while trail is not None:
        trail, edge = trail
        edges.append(edge)
    edges.reverse()
    return edges


def start_labels(graph: CompiledGraph, place: str, limits: Limits) -> dict[Label, tuple[float, Trail]]:
    layer = ACCESS if limits.corridor is not None else 0
    labels: dict[Label, tuple[float, Trail]] = {}
    for node in graph.start_nodes.get(place, ()):
        labels[(node, layer, 0, 0)] = (0.0, None)
    return labels


def search(
    graph: CompiledGraph,
    weight: Sequence[float],
    starts: dict[Label, tuple[float, Trail]],
    target_place: str,
    limits: Limits,
    *,
    settle_all: bool = False,
    banned_nodes: frozenset[int] = frozenset(),
) -> dict[Label, tuple[float, Trail]]:
    """Settle labels from ``starts`` until the target place is reached.

    Returns the settled labels at ``target_place`` that are valid ends (for a corridor
    search: trunk completed). With ``settle_all`` every reachable label at the target is
    returned (used to chain via places); otherwise only the first, cheapest one.
    """
    if (
        not settle_all
        and limits.corridor is None
        and limits.max_border_crossings is None
        and limits.max_transshipments is None
        and all(label[1] == 0 and label[2] == 0 and label[3] == 0 for label in starts)
    ):
        if len(graph.adj) >= COMPILED_KERNEL_MIN_NODES:
            return _kernel_search(graph, weight, starts, target_place, limits.banned_edges, banned_nodes)
        return _plain_search(graph, weight, starts, target_place, limits.banned_edges, banned_nodes)
    adj = graph.adj
    node_place = graph.node_place
    edge_kind = graph.edge_kind
    edge_link = graph.edge_link
    border = graph.border
    transship = graph.transship
    banned = limits.banned_edges
    max_b = limits.max_border_crossings
    max_t = limits.max_transshipments
    rule = limits.corridor
    target_nodes = set(graph.place_nodes.get(target_place, ()))

    def is_end(label: Label) -> bool:
        if label[0] not in target_nodes:
            return False
        if rule is None or settle_all:
            return True
        return label[1] in (TRUNK_DONE, EGRESS)

    best: dict[Label, float] = {}
    settled: dict[Label, tuple[float, Trail]] = {}
    found: dict[Label, tuple[float, Trail]] = {}
    heap: list[tuple[float, int, Label, Trail]] = []
    counter = 0
    for label, (dist, trail) in starts.items():
        best[label] = dist
        heap.append((dist, counter, label, trail))
        counter += 1
    heapq.heapify(heap)
    while heap:
        dist, _, label, trail = heapq.heappop(heap)
        if label in settled:
            continue
        settled[label] = (dist, trail)
        if is_end(label):
            found[label] = (dist, trail)
            if not settle_all:
                return found
        node, layer, b, t = label
        if rule is not None:
            # Zero-cost phase changes: join the trunk at a corridor place, leave it after a distinctive link.
            nexts: list[int] = []
            if layer == ACCESS and node_place[node] in rule.places:
                nexts.append(TRUNK)
            if layer == TRUNK_DONE:
                nexts.append(EGRESS)
            for nl in nexts:
                nlabel = (node, nl, b, t)
                if nlabel not in settled and dist < best.get(nlabel, float("inf")):
                    best[nlabel] = dist
                    counter += 1
                    heapq.heappush(heap, (dist, counter, nlabel, trail))
        for target, edge in adj[node]:
            if edge in banned or target in banned_nodes:
                continue
            nb, nt, nl = b, t, layer
            if border[edge]:
                nb += 1
                if max_b is not None and nb > max_b:
                    continue
            if transship[edge]:
                nt += 1
                if max_t is not None and nt > max_t:
                    continue
            if rule is not None and edge_kind[edge] == LINK:
                link = edge_link[edge]
                on_trunk = link in rule.links
                if layer in (ACCESS, EGRESS):
                    if on_trunk or link in rule.foreign:
                        continue
                else:
                    if not on_trunk:
                        continue
                    if link in rule.distinctive:
                        nl = TRUNK_DONE
            if max_b is None:
                nb = 0
            if max_t is None:
                nt = 0
            nlabel = (target, nl, nb, nt)
            if nlabel in settled:
                continue
            nd = dist + weight[edge]
            if nd < best.get(nlabel, float("inf")):
                best[nlabel] = nd
                counter += 1
                heapq.heappush(heap, (nd, counter, nlabel, (trail, edge)))
    return found


def _plain_search(
    graph: CompiledGraph,
    weight: Sequence[float],
    starts: dict[Label, tuple[float, Trail]],
    target_place: str,
    banned: frozenset[int],
    banned_nodes: frozenset[int],
) -> dict[Label, tuple[float, Trail]]:
    """:func:`search` without counters or corridor layers: plain Dijkstra on node ids.

    Same heap order as the general search (entries ``(dist, counter, node)`` with the counter
    advanced exactly as there), same strict-improvement rule, so it settles the same nodes in
    the same order and returns the same label, distance and path. Paths are kept as one
    predecessor edge per node (the edge of its last improvement, which is the entry settled)
    instead of a linked list per heap entry.
    """
    adj = graph.adj
    n = len(adj)
    is_target = bytearray(n)
    for node in graph.place_nodes.get(target_place, ()):
        is_target[node] = 1
    inf = float("inf")
    best = [inf] * n
    pred = [-2] * n  # edge of the node's best arrival; -1 for a start, -2 unreached
    done = bytearray(n)  # settled
    start_trail: dict[int, Trail] = {}
    heap: list[tuple[float, int, int]] = []
    counter = 0
    for label, (dist, trail) in starts.items():
        node = label[0]
        best[node] = dist
        pred[node] = -1
        start_trail[node] = trail
        heap.append((dist, counter, node))
        counter += 1
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    check = bool(banned) or bool(banned_nodes)
    while heap:
        dist, _, node = pop(heap)
        if done[node]:
            continue
        done[node] = 1
        if is_target[node]:
            return {(node, 0, 0, 0): (dist, _trail_to(graph, pred, start_trail, node))}
        for target, edge in adj[node]:
            if done[target] or (check and (edge in banned or target in banned_nodes)):
                continue
            nd = dist + weight[edge]
            if nd < best[target]:
                best[target] = nd
                pred[target] = edge
                counter += 1
                push(heap, (nd, counter, target))
    return {}


COMPILED_KERNEL_MIN_NODES = 50_000
"""From this many graph nodes on, plain searches run on scipy.sparse.csgraph's C Dijkstra."""


class _Kernel:
    """The compiled graph as CSR arrays: parallel edges (same two nodes) merge, keeping the lightest."""

    def __init__(self, graph: CompiledGraph) -> None:
        import numpy as np

        src = np.asarray(graph.edge_src, dtype=np.int64)
        dst = np.asarray(graph.edge_dst, dtype=np.int64)
        self.order = np.lexsort((dst, src))
        s, d = src[self.order], dst[self.order]
        first = np.ones(len(s), dtype=bool)
        first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
        self.group_starts = np.flatnonzero(first)
        self.indices = d[self.group_starts].astype(np.int32)
        counts = np.bincount(s[self.group_starts], minlength=len(graph.adj))
        self.indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
        self.dst = dst
        self.n = len(graph.adj)


_KERNEL = CacheSlot[None, _Kernel]("search kernel", max_entries=1)


def _kernel(graph: CompiledGraph) -> _Kernel:
    return graph.network.caches.get(_KERNEL, None, lambda: _Kernel(graph))


def _kernel_search(
    graph: CompiledGraph,
    weight: Sequence[float],
    starts: dict[Label, tuple[float, Trail]],
    target_place: str,
    banned: frozenset[int],
    banned_nodes: frozenset[int],
) -> dict[Label, tuple[float, Trail]]:
    """:func:`_plain_search` on scipy's C Dijkstra, for large graphs.

    The same shortest distance; among paths of exactly equal weight it may pick another one.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    kernel = _kernel(graph)
    w = np.asarray(weight, dtype=np.float64).copy()
    if banned:
        w[np.fromiter(banned, dtype=np.int64, count=len(banned))] = np.inf
    if banned_nodes:
        w[np.isin(kernel.dst, np.fromiter(banned_nodes, dtype=np.int64, count=len(banned_nodes)))] = np.inf
    # csgraph reads explicit zeros as edges only in some versions: keep every weight positive.
    data = np.maximum(np.minimum.reduceat(w[kernel.order], kernel.group_starts), 1e-300)
    matrix = csr_matrix((data, kernel.indices, kernel.indptr), shape=(kernel.n, kernel.n))
    offsets = {label[0]: dist for label, (dist, _) in starts.items()}
    trails = {label[0]: trail for label, (_, trail) in starts.items()}
    if len(set(offsets.values())) > 1:  # starts at different distances: not what the kernel answers
        return _plain_search(graph, weight, starts, target_place, banned, banned_nodes)
    offset = next(iter(offsets.values()))
    sources = sorted(offsets)
    dist, pred, _ = dijkstra(matrix, directed=True, indices=sources, min_only=True, return_predecessors=True)
    targets = [node for node in graph.place_nodes.get(target_place, ()) if np.isfinite(dist[node])]
    if not targets:
        return {}
    end = min(targets, key=lambda node: (dist[node], node))
    nodes = [end]
    while pred[nodes[-1]] >= 0:
        nodes.append(int(pred[nodes[-1]]))
    nodes.reverse()
    trail = trails[nodes[0]]
    for u, v in zip(nodes, nodes[1:], strict=False):
        edge = min(
            (e for t, e in graph.adj[u] if t == v and e not in banned), key=lambda e: (weight[e], e)
        )
        trail = (trail, edge)
    return {(end, 0, 0, 0): (offset + float(dist[end]), trail)}


def _trail_to(graph: CompiledGraph, pred: list[int], start_trail: dict[int, Trail], node: int) -> Trail:
    edges: list[int] = []
    edge_src = graph.edge_src
    edge = pred[node]
    while edge != -1:
        edges.append(edge)
        node = edge_src[edge]
        edge = pred[node]
    trail = start_trail[node]
    for e in reversed(edges):
        trail = (trail, e)
    return trail


def best_path(
    graph: CompiledGraph,
    weight: Sequence[float],
    stops: Sequence[str],
    limits: Limits,
) -> tuple[float, list[int]] | None:
    """Cheapest path through ``stops`` (origin, via places..., destination) in order, or None.

    With via places the legs are searched one after another from the label reached at each
    via place, and places already passed are closed to later legs so the route never loops.
    """
    starts = start_labels(graph, stops[0], limits)
    total = 0.0
    edges: list[int] = []
    visited: set[str] = set()
    for i, stop in enumerate(stops[1:], start=1):
        last = i == len(stops) - 1
        banned_nodes = frozenset(n for p in visited for n in graph.place_nodes.get(p, ()))
        reached = search(graph, weight, starts, stop, limits, settle_all=not last, banned_nodes=banned_nodes)
        if not reached:
            return None
        label, (dist, trail) = min(reached.items(), key=lambda item: item[1][0])
        leg = trail_edges(trail)
        edges.extend(leg)
        total = dist
        if last:
            return total, edges
        visited.update(graph.node_place[graph.edge_src[e]] for e in leg)
        starts = {label: (dist, None)}
    return None


def edges_by_link(graph: CompiledGraph, links: Iterable[str]) -> frozenset[int]:
    wanted = set(links)
    return frozenset(i for i, link in enumerate(graph.edge_link) if link in wanted)


def edges_where(graph: CompiledGraph, keep: Callable[[int], bool]) -> frozenset[int]:
    return frozenset(i for i in range(len(graph.edge_src)) if keep(i))
