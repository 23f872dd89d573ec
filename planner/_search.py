"""Label-setting shortest paths over the compiled graph.

A search *state* is a compiled node and whether it was entered by a transfer edge: a transfer
never follows a transfer (changes the data allows only through a third state are compiled as one
composite edge, see :mod:`planner._compile`). State ``s`` is node ``s`` entered by a link (or a
start) and state ``s + n`` the same node entered by a transfer, ``n`` being the number of nodes.

A label is ``(state, layer, border_crossings, transshipments)``; the layer tracks the access /
trunk / egress phases of a corridor-restricted search and the two counters enforce the request's
maxima. Without those constraints the last three fields stay 0 and the search is plain Dijkstra
on the states.

Routes never pass a place twice. Plain searches check the path they find; when it loops (rare: a place
left by one mode and entered again by another, mostly the start) they search again with the links back
into the start closed, which gives the cheapest loop-free path whenever that path passes every place
once, and else with the check below. The label search never extends a label into a place its path has
passed; it keeps one label per state, so a label blocked that way can hide a loop-free path behind it:
when that happens, an exact search with every non-dominated (distance, places passed) label per state,
bounded by the first answer, confirms or improves it (:func:`_exact_search`, capped at
:data:`EXACT_MAX_LABELS`).

A search given a deadline (``Limits.deadline``, a ``time.monotonic()`` instant) checks the clock
when it starts and every :data:`DEADLINE_CHECK_EVERY` settled labels, and raises
:class:`~planner.errors.DeadlineExceededError` once past it.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._compile import LINK, TRANSFER, CompiledGraph
from ._gc import without_cyclic_gc
from .cache import CacheSlot
from .errors import DeadlineExceededError

if TYPE_CHECKING:
    import numpy as np

Label = tuple[int, int, int, int]
# A path is stored as a persistent linked list of edges: (previous, edge) or None.
Trail = tuple["Trail", int] | None

ACCESS, TRUNK, TRUNK_DONE, EGRESS = 0, 1, 2, 3

EXACT_MAX_LABELS = 2_000
"""Labels the exact loop-free search may create before it gives up (and says so)."""



_EXACT_PLACE_BITS = 4096
"""Up to this many places a label's places are an exact bit set; above, a 1,024-bit filter checked on the path."""


@dataclass(frozen=True, slots=True)
class CorridorRule:
    """Which links form a corridor's trunk and which links the access/egress legs may not use."""

    places: frozenset[str]
    links: frozenset[str]
    distinctive: frozenset[str]
    foreign: frozenset[str]


@dataclass(frozen=True, slots=True)
class Limits:
    """Edges and nodes a request forbids, plus counters and corridor rule.

    ``allow_loops`` lifts the rule that a route passes each place once: only used to tell a
    request that has no loop-free route from one that has no route at all.
    """

    banned_edges: frozenset[int] = frozenset()
    max_border_crossings: int | None = None
    max_transshipments: int | None = None
    corridor: CorridorRule | None = None
    allow_loops: bool = False
    deadline: float | None = None
    """A ``time.monotonic()`` instant past which the search stops (None: no limit)."""


DEADLINE_CHECK_EVERY = 128
"""Settled labels between two looks at the clock (a power of two); ~30 µs of search on the bundled network."""
_CHECK_MASK = DEADLINE_CHECK_EVERY - 1


def check_deadline(deadline: float | None) -> None:
    """Raise :class:`DeadlineExceededError` when ``deadline`` (a ``time.monotonic()`` instant) has passed."""
    if deadline is not None and (late := time.monotonic() - deadline) > 0:
        raise DeadlineExceededError(f"the search passed its deadline by {late * 1e3:.1f} ms", late_seconds=late)


class StateIndex:
    """What the searches need besides the compiled graph: place numbers, and the state graph reversed."""

    def __init__(self, graph: CompiledGraph) -> None:
        n = len(graph.adj)
        self.n = n
        numbers: dict[str, int] = {}
        self.place_number = [numbers.setdefault(p, len(numbers)) for p in graph.node_place]
        self.places = len(numbers)
        self.exact_bits = self.places <= _EXACT_PLACE_BITS
        self.place_bit = [1 << (i if self.exact_bits else i & 1023) for i in self.place_number]
        self.is_transfer = bytearray(1 if k == TRANSFER else 0 for k in graph.edge_kind)
        # Predecessors of every state: a link edge enters state dst from src or src + n; a transfer
        # edge enters dst + n from src only.
        radj: list[list[tuple[int, int]]] = [[] for _ in range(2 * n)]
        for edge, (src, dst) in enumerate(zip(graph.edge_src, graph.edge_dst, strict=True)):
            if self.is_transfer[edge]:
                radj[dst + n].append((src, edge))
            else:
                radj[dst].append((src, edge))
                radj[dst].append((src + n, edge))
        self.radj = radj
        # Out-edges of each state, ``(state reached, edge)``: a state entered by a transfer has no transfers out.
        links_out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        changes_out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for node, edges in enumerate(graph.adj):
            for target, edge in edges:
                if self.is_transfer[edge]:
                    changes_out[node].append((target + n, edge))
                else:
                    links_out[node].append((target, edge))
        self.out: list[list[tuple[int, int]]] = [links_out[i] + changes_out[i] for i in range(n)] + links_out


_STATE_INDEX = CacheSlot[None, StateIndex]("search states", max_entries=1)


def state_index(graph: CompiledGraph) -> StateIndex:
    """The graph's :class:`StateIndex`, built once per network."""
    def build() -> StateIndex:
        with without_cyclic_gc():
            return StateIndex(graph)

    return graph.network.caches.get(_STATE_INDEX, None, build)


def trail_edges(trail: Trail) -> list[int]:
    edges: list[int] = []
    while trail is not None:
        trail, edge = trail
        edges.append(edge)
    edges.reverse()
    return edges


def places_of(graph: CompiledGraph, edges: Sequence[int]) -> list[str]:
    """The places a path passes, in order, each change of mode at a place counted once."""
    places = [graph.node_place[graph.edge_src[edges[0]]]] if edges else []
    for e in edges:
        p = graph.node_place[graph.edge_dst[e]]
        if p != places[-1]:
            places.append(p)
    return places


def is_loopless(places: Sequence[str]) -> bool:
    return len(set(places)) == len(places)


def start_labels(graph: CompiledGraph, place: str, limits: Limits) -> dict[Label, tuple[float, Trail]]:
    layer = ACCESS if limits.corridor is not None else 0
    labels: dict[Label, tuple[float, Trail]] = {}
    for node in graph.start_nodes.get(place, ()):
        labels[(node, layer, 0, 0)] = (0.0, None)
    return labels


def returns_to(graph: CompiledGraph, place: str) -> frozenset[int]:
    """The link edges into ``place``: closed, they keep a route from coming back to where it started."""
    return graph.network.caches.get(_RETURNS, None, lambda: _links_into(graph)).get(place, frozenset())


@without_cyclic_gc()
def _links_into(graph: CompiledGraph) -> dict[str, frozenset[int]]:
    into: dict[str, set[int]] = {}
    for edge, (kind, dst) in enumerate(zip(graph.edge_kind, graph.edge_dst, strict=True)):
        if kind == LINK:
            into.setdefault(graph.node_place[dst], set()).add(edge)
    return {place: frozenset(edges) for place, edges in into.items()}


_RETURNS = CacheSlot[None, dict[str, frozenset[int]]]("links into each place", max_entries=1)


def search(
    graph: CompiledGraph,
    weight: Sequence[float],
    starts: dict[Label, tuple[float, Trail]],
    target_place: str,
    limits: Limits,
    *,
    settle_all: bool = False,
    banned_nodes: frozenset[int] = frozenset(),
    thorough: bool = True,
) -> dict[Label, tuple[float, Trail]]:
    """Settle labels from ``starts`` until the target place is reached.

    Returns the settled labels at ``target_place`` that are valid ends (for a corridor
    search: trunk completed). With ``settle_all`` every reachable label at the target is
    returned (used to chain via places); otherwise only the first, cheapest one. Unless
    ``limits.allow_loops``, no returned path passes a place twice. ``thorough`` looks again,
    exactly, where the loop rule may hide a cheaper loop-free path; without it the answer is
    loop-free but maybe not the cheapest (enough for candidate alternatives).
    """
    deadline = limits.deadline
    check_deadline(deadline)
    if (
        not settle_all
        and limits.corridor is None
        and limits.max_border_crossings is None
        and limits.max_transshipments is None
        and all(label[1] == 0 and label[2] == 0 and label[3] == 0 for label in starts)
    ):
        plain = _kernel_search if len(graph.adj) >= COMPILED_KERNEL_MIN_NODES else _plain_search
        found, loopless = plain(graph, weight, starts, target_place, limits.banned_edges, banned_nodes, deadline)
        if loopless or limits.allow_loops:
            return found
        # The path came back to a place it had left, most often its start (out by one mode, back by
        # another to dodge a wait there). A loop-free path never comes back to its start, so the
        # cheapest path that cannot is the cheapest loop-free one whenever it passes every place once.
        closed = limits.banned_edges | returns_to(graph, graph.node_place[next(iter(starts))[0] % len(graph.adj)])
        again, loopless = plain(graph, weight, starts, target_place, closed, banned_nodes, deadline)
        if again and loopless:
            return again
    guide: Sequence[float] | None = None
    if len(graph.adj) >= GUIDED_SEARCH_MIN_NODES and limits.corridor is None and not settle_all:
        # On a large graph the label search is guided (A*) by each state's distance to the target
        # with loops allowed (scipy's C Dijkstra, backwards): a lower bound that never decreases
        # along an edge by more than the edge's weight, so labels still settle at their least distance.
        guide = rest_distances(graph, weight, target_place, limits.banned_edges)
    found, blocked = _label_search(graph, weight, starts, target_place, limits, settle_all, banned_nodes, guide)
    if found and blocked and thorough and not limits.allow_loops:
        # An extension was refused only because its path had passed that place: a loop-free path
        # cheaper than the one found may hide behind it. Look for one where a lower bound of the
        # rest of the way leaves room for it. (When nothing was found, see exact_best_path.)
        bound = min(dist for dist, _ in found.values())
        rest = (lambda state, layer: guide[state]) if guide is not None else _rest_bounds(graph, weight, target_place, limits)
        if any(d + rest(state, ACCESS if limits.corridor else 0) < bound * (1 - 1e-12) for state, d in blocked.items()):
            better, _ = _exact_search(graph, weight, starts, target_place, limits, banned_nodes, bound, rest)
            if better:
                if not settle_all:
                    return better
                found = {**found, **better}
    return found


def _is_end(label: Label, n: int, target_nodes: set[int], rule: CorridorRule | None, settle_all: bool) -> bool:
    node = label[0] if label[0] < n else label[0] - n
    if node not in target_nodes:
        return False
    if rule is None or settle_all:
        return True
    return label[1] in (TRUNK_DONE, EGRESS)


def _passed(graph: CompiledGraph, index: StateIndex, trail: Trail, start_number: int, number: int) -> bool:
    """Whether the path ``trail`` (from a start at place ``start_number``) has passed place ``number``."""
    if start_number == number:
        return True
    numbers, edge_src = index.place_number, graph.edge_src
    while trail is not None:
        trail, edge = trail
        if numbers[edge_src[edge]] == number:
            return True
    return False


# How a compiled edge may be used by a corridor search (see :func:`corridor_classes`).
_FREE, _OFF_TRUNK, _FOREIGN, _TRUNK, _DISTINCTIVE = 0, 1, 2, 3, 4


def corridor_classes(graph: CompiledGraph, rule: CorridorRule) -> bytes:
    """Per compiled edge: a change (any phase), off the trunk (access/egress only), another corridor's own
    main line (no phase), the trunk, or a distinctive trunk link (ends the trunk's first stretch)."""

    def build() -> bytes:
        out = bytearray(len(graph.edge_src))
        for edge, link in enumerate(graph.edge_link):
            if link is None or graph.edge_kind[edge] != LINK:
                continue
            if link in rule.links:
                out[edge] = _DISTINCTIVE if link in rule.distinctive else _TRUNK
            else:
                out[edge] = _FOREIGN if link in rule.foreign else _OFF_TRUNK
        return bytes(out)

    return graph.network.caches.get(_CORRIDOR_CLASSES, rule, build)


_CORRIDOR_CLASSES = CacheSlot[CorridorRule, bytes]("corridor edge classes", max_entries=64)


def _label_search(
    graph: CompiledGraph,
    weight: Sequence[float],
    starts: dict[Label, tuple[float, Trail]],
    target_place: str,
    limits: Limits,
    settle_all: bool,
    banned_nodes: frozenset[int],
    guide: Sequence[float] | None = None,
) -> tuple[dict[Label, tuple[float, Trail]], dict[int, float]]:
    """One label per (state, layer, counters).

    Returns the first label found at each valid end and, per state, the least distance of an
    extension the loop rule refused where it would have been kept (a cheaper loop-free path may
    hide behind it). With ``guide`` (a consistent lower bound of each state's distance to the
    target), labels are taken by distance plus bound (A*): the same labels settle at the same
    distances, fewer of them.
    """
    index = state_index(graph)
    n = index.n
    adj = graph.adj
    node_place = graph.node_place
    border = graph.border
    transship = graph.transship
    is_transfer = index.is_transfer
    place_bit = index.place_bit
    place_number = index.place_number
    exact = index.exact_bits
    loops = limits.allow_loops
    banned = limits.banned_edges
    max_b = limits.max_border_crossings
    max_t = limits.max_transshipments
    rule = limits.corridor
    classes = corridor_classes(graph, rule) if rule is not None else b""
    trunk_places = rule.places if rule is not None else frozenset()
    target_nodes = set(graph.place_nodes.get(target_place, ()))
    inf = float("inf")
    best: dict[Label, float] = {}  # the least distance queued at each label
    settled: set[Label] = set()
    found: dict[Label, tuple[float, Trail]] = {}
    heap: list[tuple[float, int, Label, Trail, int]] = []
    blocked: dict[int, float] = {}
    counter = 0
    start_number = -1
    zero = [0.0] * (2 * n) if guide is None else None
    h = guide if guide is not None else zero
    assert h is not None
    for label, (dist, trail) in starts.items():
        node = label[0] % n
        start_number = place_number[node]
        best[label] = dist
        heap.append((dist + h[label[0]], counter, label, trail, place_bit[node]))
        counter += 1
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        _, _, label, trail, seen = pop(heap)
        if label in settled:
            continue
        settled.add(label)
        dist = best[label]
        if limits.deadline is not None and not len(settled) & _CHECK_MASK:
            check_deadline(limits.deadline)
        state, layer, b, t = label
        node = state if state < n else state - n
        if node in target_nodes and label not in found and (
            rule is None or settle_all or layer in (TRUNK_DONE, EGRESS)
        ):
            found[label] = (dist, trail)
            if not settle_all:
                return found, blocked
        if rule is not None:
            # Zero-cost phase changes: join the trunk at a corridor place, leave it after a distinctive link.
            nl = TRUNK if layer == ACCESS and node_place[node] in trunk_places else EGRESS if layer == TRUNK_DONE else -1
            if nl >= 0:
                nlabel = (state, nl, b, t)
                if nlabel not in settled and dist < best.get(nlabel, inf):
                    best[nlabel] = dist
                    counter += 1
                    push(heap, (dist + h[state], counter, nlabel, trail, seen))
        for target, edge in adj[node]:
            if edge in banned or target in banned_nodes:
                continue
            revisit = False
            if is_transfer[edge]:
                if state >= n:
                    continue  # never two changes in a row at one place
                nstate = target + n
                nseen = seen
            else:
                nstate = target
                bit = place_bit[target]
                nseen = seen | bit
                revisit = not loops and bool(seen & bit)
            nl = layer
            if rule is not None:
                kind = classes[edge]
                if kind != _FREE:
                    if layer in (ACCESS, EGRESS):
                        if kind != _OFF_TRUNK:
                            continue
                    elif kind < _TRUNK:
                        continue
                    elif kind == _DISTINCTIVE:
                        nl = TRUNK_DONE
            nb, nt = b, t
            if max_b is not None:
                nb += border[edge]
                if nb > max_b:
                    continue
            if max_t is not None:
                nt += transship[edge]
                if nt > max_t:
                    continue
            nlabel = (nstate, nl, nb, nt)
            if nlabel in settled:
                continue
            nd = dist + weight[edge]
            if nd < best.get(nlabel, inf):
                if revisit and (exact or _passed(graph, index, trail, start_number, place_number[target])):
                    if nd < blocked.get(nstate, inf):
                        blocked[nstate] = nd
                    continue
                best[nlabel] = nd
                counter += 1
                push(heap, (nd + h[nstate], counter, nlabel, (trail, edge), nseen))
    return found, blocked


class SearchBoundError(Exception):
    """The exact loop-free search created :data:`EXACT_MAX_LABELS` labels without settling the question."""


def _exact_search(
    graph: CompiledGraph,
    weight: Sequence[float],
    starts: dict[Label, tuple[float, Trail]],
    target_place: str,
    limits: Limits,
    banned_nodes: frozenset[int],
    bound: float,
    rest: Callable[[int, int], float],
) -> tuple[dict[Label, tuple[float, Trail]], bool]:
    """The cheapest loop-free path below ``bound``: every label no other at its state dominates on (distance, places passed).

    ``rest`` is a lower bound of the distance from each state to the target (A*: labels are
    expanded by distance plus bound, and dropped when that reaches ``bound``). Returns the end
    label found (or nothing) and whether the search was complete (False: the label cap was
    reached first).
    """
    index = state_index(graph)
    n = index.n
    adj = graph.adj
    node_place = graph.node_place
    numbers = index.place_number
    rule = limits.corridor
    banned = limits.banned_edges
    max_b = limits.max_border_crossings
    max_t = limits.max_transshipments
    target_nodes = set(graph.place_nodes.get(target_place, ()))
    kept: dict[Label, list[tuple[float, int, int]]] = {}  # (distance, places as a bit set, id)
    live: set[int] = set()
    heap: list[tuple[float, int, float, Label, Trail, int]] = []
    counter = 0

    def push(dist: float, label: Label, trail: Trail, mask: int) -> None:
        nonlocal counter
        estimate = dist + rest(label[0], label[1])
        if estimate >= bound:
            return
        others = kept.get(label)
        if others is None:
            others = kept[label] = []
        else:
            dominated = []
            for item in others:
                d, m, i = item
                if d <= dist and m & mask == m:
                    return
                if dist <= d and mask & m == mask:
                    dominated.append(item)
            for item in dominated:
                others.remove(item)
                live.discard(item[2])
        counter += 1
        others.append((dist, mask, counter))
        live.add(counter)
        heapq.heappush(heap, (estimate, counter, dist, label, trail, mask))

    # Places get their bit in the order this search meets them, so the sets stay as small as the
    # part of the graph it explores (a place's global number can be in the hundred thousands).
    bits: dict[int, int] = {}

    def bit_of(node: int) -> int:
        number = numbers[node]
        found = bits.get(number)
        if found is None:
            found = bits[number] = 1 << len(bits)
        return found

    for label, (dist, trail) in starts.items():
        push(dist, label, trail, bit_of(label[0] % n))
    popped = 0
    while heap:
        if counter > EXACT_MAX_LABELS:
            return {}, False
        _, ident, dist, label, trail, mask = heapq.heappop(heap)
        if ident not in live:
            continue  # dominated after it was queued
        popped += 1
        if limits.deadline is not None and not popped & _CHECK_MASK:
            check_deadline(limits.deadline)
        if _is_end(label, n, target_nodes, rule, False):
            return {label: (dist, trail)}, True
        state, layer, b, t = label
        node = state if state < n else state - n
        if rule is not None:
            if layer == ACCESS and node_place[node] in rule.places:
                push(dist, (state, TRUNK, b, t), trail, mask)
            if layer == TRUNK_DONE:
                push(dist, (state, EGRESS, b, t), trail, mask)
        for target, edge in adj[node]:
            if edge in banned or target in banned_nodes:
                continue
            if index.is_transfer[edge]:
                if state >= n:
                    continue
                nstate, nmask = target + n, mask
            else:
                bit = bit_of(target)
                if mask & bit:
                    continue
                nstate, nmask = target, mask | bit
            nb, nt, nl = b + graph.border[edge], t + graph.transship[edge], layer
            if (max_b is not None and nb > max_b) or (max_t is not None and nt > max_t):
                continue
            if rule is not None and graph.edge_kind[edge] == LINK:
                link = graph.edge_link[edge]
                on_trunk = link in rule.links
                if layer in (ACCESS, EGRESS):
                    if on_trunk or link in rule.foreign:
                        continue
                elif not on_trunk:
                    continue
                elif link in rule.distinctive:
                    nl = TRUNK_DONE
            push(dist + weight[edge], (nstate, nl, nb if max_b is not None else 0, nt if max_t is not None else 0), (trail, edge), nmask)
    return {}, True


def _rest_bounds(
    graph: CompiledGraph, weight: Sequence[float], target_place: str, limits: Limits
) -> Callable[[int, int], float]:
    """A lower bound of the distance from (state, layer) to a valid end: the search backwards, loops and counters ignored."""
    if limits.corridor is None:
        dist = rest_distances(graph, weight, target_place, limits.banned_edges)
        return lambda state, layer: dist[state]
    index = state_index(graph)
    n = index.n
    rule = limits.corridor
    classes = corridor_classes(graph, rule)
    on_trunk_place = [graph.node_place[i % n] in rule.places for i in range(2 * n)]
    banned = limits.banned_edges
    radj = index.radj
    inf = float("inf")
    best = [inf] * (8 * n)  # (state, layer) -> 4 * state + layer
    done = bytearray(8 * n)
    heap: list[tuple[float, int]] = []
    for node in graph.place_nodes.get(target_place, ()):
        for state in (node, node + n):
            for layer in (TRUNK_DONE, EGRESS):
                best[4 * state + layer] = 0.0
                heap.append((0.0, 4 * state + layer))
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        d, key = pop(heap)
        if done[key]:
            continue
        done[key] = 1
        state, layer = divmod(key, 4)
        # Phase changes, backwards: (s, ACCESS) -> (s, TRUNK) at a corridor place; (s, TRUNK_DONE) -> (s, EGRESS).
        before = ACCESS if layer == TRUNK and on_trunk_place[state] else TRUNK_DONE if layer == EGRESS else -1
        if before >= 0 and d < best[4 * state + before]:
            best[4 * state + before] = d
            push(heap, (d, 4 * state + before))
        for src, edge in radj[state]:
            if edge in banned:
                continue
            kind = classes[edge]
            if kind == _FREE:
                layers: tuple[int, ...] = (layer,)
            elif layer in (ACCESS, EGRESS):
                if kind != _OFF_TRUNK:
                    continue
                layers = (layer,)
            elif kind < _TRUNK:
                continue
            elif layer == TRUNK_DONE:
                layers = (TRUNK, TRUNK_DONE) if kind == _DISTINCTIVE else (TRUNK_DONE,)
            elif kind == _DISTINCTIVE:
                continue  # a distinctive link always ends the trunk's first stretch
            else:
                layers = (layer,)
            nd = d + weight[edge]
            for layer0 in layers:
                key0 = 4 * src + layer0
                if nd < best[key0]:
                    best[key0] = nd
                    push(heap, (nd, key0))
    return lambda state, layer: best[4 * state + layer]


def exact_best_path(
    graph: CompiledGraph, weight: Sequence[float], stops: Sequence[str], limits: Limits
) -> tuple[float, list[int]] | None:
    """The cheapest loop-free path from ``stops[0]`` to ``stops[-1]`` by the exact search (no via places).

    Raises
    ------
    SearchBoundError
        The search reached its label cap first.
    """
    rest = _rest_bounds(graph, weight, stops[-1], limits)
    found, complete = _exact_search(
        graph, weight, start_labels(graph, stops[0], limits), stops[-1], limits, frozenset(), float("inf"), rest
    )
    if not complete:
        raise SearchBoundError(f"the loop-free search stopped after {EXACT_MAX_LABELS:,} labels")
    if not found:
        return None
    ((dist, trail),) = found.values()
    return dist, trail_edges(trail)


def _plain_search(
    graph: CompiledGraph,
    weight: Sequence[float],
    starts: dict[Label, tuple[float, Trail]],
    target_place: str,
    banned: frozenset[int],
    banned_nodes: frozenset[int],
    deadline: float | None = None,
) -> tuple[dict[Label, tuple[float, Trail]], bool]:
    """:func:`search` without counters, corridor layers or the loop rule: plain Dijkstra on states.

    Returns the label found and whether its path passes every place once. Paths are kept as one
    predecessor edge per state (the edge of its last improvement, which is the entry settled)
    instead of a linked list per heap entry.
    """
    index = state_index(graph)
    n = index.n
    is_target = bytearray(n)
    for node in graph.place_nodes.get(target_place, ()):
        is_target[node] = 1
    inf = float("inf")
    best = [inf] * (2 * n)
    pred = [-2] * (2 * n)  # edge of the state's best arrival; -1 for a start, -2 unreached
    prev = [0] * (2 * n)  # the state that edge leaves
    done = bytearray(2 * n)  # settled
    start_trail: dict[int, Trail] = {}
    heap: list[tuple[float, int, int]] = []
    counter = 0
    for label, (dist, trail) in starts.items():
        state = label[0]
        best[state] = dist
        pred[state] = -1
        start_trail[state] = trail
        heap.append((dist, counter, state))
        counter += 1
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    check = bool(banned) or bool(banned_nodes)
    out = index.out
    settled = 0
    while heap:
        dist, _, state = pop(heap)
        if done[state]:
            continue
        done[state] = 1
        if deadline is not None:
            settled += 1
            if not settled & _CHECK_MASK:
                check_deadline(deadline)
        if is_target[state if state < n else state - n]:
            trail, loopless = _trail_to(graph, index, pred, prev, start_trail, state)
            return {(state, 0, 0, 0): (dist, trail)}, loopless
        for target, edge in out[state]:
            if done[target] or (check and (edge in banned or target % n in banned_nodes)):
                continue
            nd = dist + weight[edge]
            if nd < best[target]:
                best[target] = nd
                pred[target] = edge
                prev[target] = state
                counter += 1
                push(heap, (nd, counter, target))
    return {}, True


def _trail_to(
    graph: CompiledGraph, index: StateIndex, pred: list[int], prev: list[int], start_trail: dict[int, Trail], state: int
) -> tuple[Trail, bool]:
    """The path to ``state`` from its predecessors, and whether it passes every place once."""
    edges: list[int] = []
    numbers, edge_src, is_transfer = index.place_number, graph.edge_src, index.is_transfer
    passed = {numbers[state % index.n]}
    loopless = True
    edge = pred[state]
    while edge != -1:
        edges.append(edge)
        if not is_transfer[edge]:
            number = numbers[edge_src[edge]]
            if number in passed:
                loopless = False
            passed.add(number)
        state = prev[state]
        edge = pred[state]
    trail = start_trail[state]
    for e in reversed(edges):
        trail = (trail, e)
    return trail, loopless


def state_path(
    graph: CompiledGraph, weight: Sequence[float], start: int, end: int, banned: frozenset[int], *, bound: float
) -> list[int] | None:
    """The cheapest path from state ``start`` to state ``end`` if it weighs less than ``bound``, else None."""
    index = state_index(graph)
    n = index.n
    adj, is_transfer = graph.adj, index.is_transfer
    best = {start: 0.0}
    pred: dict[int, tuple[int, int]] = {}
    done: set[int] = set()
    heap = [(0.0, start)]
    while heap:
        dist, state = heapq.heappop(heap)
        if dist >= bound:
            return None
        if state == end:
            edges: list[int] = []
            while state != start:
                state, edge = pred[state]
                edges.append(edge)
            edges.reverse()
            return edges
        if state in done:
            continue
        done.add(state)
        node = state if state < n else state - n
        for target, edge in adj[node]:
            if edge in banned:
                continue
            if is_transfer[edge]:
                if state >= n:
                    continue
                target += n
            nd = dist + weight[edge]
            if target not in done and nd < best.get(target, float("inf")):
                best[target] = nd
                pred[target] = (state, edge)
                heapq.heappush(heap, (nd, target))
    return None


@dataclass(frozen=True, slots=True)
class Tree:
    """Shortest distances over every state, from the sources (forward) or to the targets (backward).

    ``pred[s]`` is the edge of the best path's step at state ``s`` (into ``s`` forward, out of ``s``
    backward), -1 at a source or target, -2 where unreached; ``via[s]`` the state at that step's other end.
    """

    dist: Sequence[float] | np.ndarray
    pred: Sequence[int] | np.ndarray
    via: Sequence[int] | np.ndarray

    def path(self, state: int, *, backward: bool = False) -> list[int]:
        """The tree's path to ``state`` (forward) or from it (backward), as edges in travel order."""
        edges: list[int] = []
        while (edge := int(self.pred[state])) >= 0:
            edges.append(edge)
            state = int(self.via[state])
        if not backward:
            edges.reverse()
        return edges


def shortest_tree(
    graph: CompiledGraph, weight: Sequence[float], place: str, banned: frozenset[int], *, backward: bool = False
) -> Tree:
    """Distances from ``place`` to every state (or, ``backward``, from every state to ``place``)."""
    index = state_index(graph)
    n = index.n
    if n >= COMPILED_KERNEL_MIN_NODES:
        return _kernel_tree(graph, weight, place, banned, backward)
    inf = float("inf")
    dist = [inf] * (2 * n)
    pred = [-2] * (2 * n)
    via = [0] * (2 * n)
    done = bytearray(2 * n)
    heap: list[tuple[float, int]] = []
    # A forward tree starts where routes start (origin nodes: a route never dodges its origin wait).
    for node in (graph.place_nodes if backward else graph.start_nodes).get(place, ()):
        for state in (node, node + n) if backward else (node,):
            dist[state] = 0.0
            pred[state] = -1
            heap.append((0.0, state))
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    adj, radj, is_transfer = graph.adj, index.radj, index.is_transfer
    check = bool(banned)
    while heap:
        d, state = pop(heap)
        if done[state]:
            continue
        done[state] = 1
        if backward:
            for other, edge in radj[state]:
                if done[other] or (check and edge in banned):
                    continue
                nd = d + weight[edge]
                if nd < dist[other]:
                    dist[other] = nd
                    pred[other] = edge
                    via[other] = state
                    push(heap, (nd, other))
            continue
        entered_by_transfer = state >= n
        for other, edge in adj[state - n if entered_by_transfer else state]:
            if is_transfer[edge]:
                if entered_by_transfer:
                    continue
                other += n
            if done[other] or (check and edge in banned):
                continue
            nd = d + weight[edge]
            if nd < dist[other]:
                dist[other] = nd
                pred[other] = edge
                via[other] = state
                push(heap, (nd, other))
    return Tree(dist, pred, via)


COMPILED_KERNEL_MIN_NODES = 50_000
"""From this many graph nodes on, plain searches run on scipy.sparse.csgraph's C Dijkstra."""

GUIDED_SEARCH_MIN_NODES = 5_000
"""From this many graph nodes on, the loop-free label search is guided by distances to the target (A*)."""


class _Kernel:
    """The state graph as CSR arrays: parallel edges (same two states) merge, keeping the lightest.

    A link edge appears twice (from its source entered by a link and by a transfer), a transfer
    edge once (from its source entered by a link, to its target entered by a transfer).
    """

    def __init__(self, graph: CompiledGraph) -> None:
        import numpy as np

        n = len(graph.adj)
        src = np.asarray(graph.edge_src, dtype=np.int64)
        dst = np.asarray(graph.edge_dst, dtype=np.int64)
        transfer = np.asarray(graph.edge_kind, dtype=np.int8) == TRANSFER
        link_ids = np.flatnonzero(~transfer)
        transfer_ids = np.flatnonzero(transfer)
        s = np.concatenate((src[link_ids], src[link_ids] + n, src[transfer_ids]))
        d = np.concatenate((dst[link_ids], dst[link_ids], dst[transfer_ids] + n))
        self.edge_of = np.concatenate((link_ids, link_ids, transfer_ids))
        self.order = np.lexsort((d, s))
        s, d = s[self.order], d[self.order]
        first = np.ones(len(s), dtype=bool)
        first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
        self.group_starts = np.flatnonzero(first)
        self.indices = d[self.group_starts].astype(np.int32)
        counts = np.bincount(s[self.group_starts], minlength=2 * n)
        self.indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
        self.dst_node = dst[self.edge_of[self.order]]
        self.n = n
        # Per merged step: its (from state, to state) as one sorted key, and the step each entry belongs to.
        self.group_key = s[self.group_starts] * (2 * n) + d[self.group_starts]
        self.entry_group = np.repeat(np.arange(len(self.group_starts)), np.diff(np.append(self.group_starts, len(s))))

    def step_edges(self, weight: Sequence[float], banned: frozenset[int], u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The lightest edge (then the lowest id, as :func:`edge_between`) of each step ``u[i] -> v[i]``."""
        import numpy as np

        w = np.asarray(weight, dtype=np.float64).copy()
        if banned:
            w[np.fromiter(banned, dtype=np.int64, count=len(banned))] = np.inf
        entry_edge = self.edge_of[self.order]
        ranked = np.lexsort((entry_edge, w[entry_edge], self.entry_group))
        lightest = entry_edge[ranked[self.group_starts]]
        keys = np.asarray(u, dtype=np.int64) * (2 * self.n) + np.asarray(v, dtype=np.int64)
        where = np.searchsorted(self.group_key, keys)
        assert bool(np.all(self.group_key[np.minimum(where, len(self.group_key) - 1)] == keys)), "a step the graph does not have"
        return lightest[where]

    def matrix(self, weight: Sequence[float], banned: frozenset[int], banned_nodes: frozenset[int]) -> object:
        import numpy as np
        from scipy.sparse import csr_matrix

        w = np.asarray(weight, dtype=np.float64).copy()
        if banned:
            w[np.fromiter(banned, dtype=np.int64, count=len(banned))] = np.inf
        per_entry = w[self.edge_of[self.order]]
        if banned_nodes:
            per_entry[np.isin(self.dst_node, np.fromiter(banned_nodes, dtype=np.int64, count=len(banned_nodes)))] = np.inf
        # csgraph reads explicit zeros as edges only in some versions: keep every weight positive.
        data = np.maximum(np.minimum.reduceat(per_entry, self.group_starts), 1e-300)
        return csr_matrix((data, self.indices, self.indptr), shape=(2 * self.n, 2 * self.n))


_KERNEL = CacheSlot[None, _Kernel]("search kernel", max_entries=1)


def search_kernel(graph: CompiledGraph) -> _Kernel:
    """The graph's CSR arrays for scipy's Dijkstra, built once per network."""
    return graph.network.caches.get(_KERNEL, None, lambda: _Kernel(graph))


def edge_between(graph: CompiledGraph, weight: Sequence[float], banned: frozenset[int], u: int, v: int, n: int) -> int:
    """The lightest edge the kernel's step from state ``u`` to state ``v`` stands for."""
    transfer = v >= n
    target = v - n if transfer else v
    node = u if u < n else u - n
    kind = TRANSFER if transfer else LINK
    return min(
        (e for t, e in graph.adj[node] if t == target and graph.edge_kind[e] == kind and e not in banned),
        key=lambda e: (weight[e], e),
    )


def _kernel_search(
    graph: CompiledGraph,
    weight: Sequence[float],
    starts: dict[Label, tuple[float, Trail]],
    target_place: str,
    banned: frozenset[int],
    banned_nodes: frozenset[int],
    deadline: float | None = None,
) -> tuple[dict[Label, tuple[float, Trail]], bool]:
    """:func:`_plain_search` on scipy's C Dijkstra, for large graphs.

    The same shortest distance; among paths of exactly equal weight it may pick another one.
    """
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    kernel = search_kernel(graph)
    n = kernel.n
    offsets = {label[0]: dist for label, (dist, _) in starts.items()}
    trails = {label[0]: trail for label, (_, trail) in starts.items()}
    if len(set(offsets.values())) > 1:  # starts at different distances: not what the kernel answers
        return _plain_search(graph, weight, starts, target_place, banned, banned_nodes, deadline)
    offset = next(iter(offsets.values()))
    matrix = kernel.matrix(weight, banned, banned_nodes)
    dist, pred, _ = dijkstra(matrix, directed=True, indices=sorted(offsets), min_only=True, return_predecessors=True)
    targets = [s for node in graph.place_nodes.get(target_place, ()) for s in (node, node + n) if np.isfinite(dist[s])]
    if not targets:
        return {}, True
    end = min(targets, key=lambda s: (dist[s], s))
    states = [end]
    while pred[states[-1]] >= 0:
        states.append(int(pred[states[-1]]))
    states.reverse()
    trail = trails[states[0]]
    edges = []
    for u, v in zip(states, states[1:], strict=False):
        edges.append(edge_between(graph, weight, banned, u, v, n))
        trail = (trail, edges[-1])
    return {(end, 0, 0, 0): (offset + float(dist[end]), trail)}, is_loopless(places_of(graph, edges))


def rest_distances(graph: CompiledGraph, weight: Sequence[float], place: str, banned: frozenset[int]) -> Sequence[float]:
    """Each state's least distance to ``place``, loops allowed (per state: 2 x graph nodes)."""
    if len(graph.adj) < COMPILED_KERNEL_MIN_NODES:
        return list(shortest_tree(graph, weight, place, banned, backward=True).dist)
    from scipy.sparse.csgraph import dijkstra

    kernel = search_kernel(graph)
    n = kernel.n
    matrix = kernel.matrix(weight, banned, frozenset())
    sources = sorted(s for node in graph.place_nodes.get(place, ()) for s in (node, node + n))
    if not sources:
        return [float("inf")] * (2 * n)
    dist = dijkstra(matrix.T.tocsr(), directed=True, indices=sources, min_only=True)  # type: ignore[attr-defined]
    return [float(d) for d in dist.tolist()]


def _kernel_tree(graph: CompiledGraph, weight: Sequence[float], place: str, banned: frozenset[int], backward: bool) -> Tree:
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    kernel = search_kernel(graph)
    n = kernel.n
    matrix = kernel.matrix(weight, banned, frozenset())
    starts = graph.place_nodes if backward else graph.start_nodes
    sources = sorted(s for node in starts.get(place, ()) for s in ((node, node + n) if backward else (node,)))
    dist, pred, _ = dijkstra(
        matrix.T.tocsr() if backward else matrix,  # type: ignore[attr-defined]
        directed=True, indices=sources, min_only=True, return_predecessors=True,
    )  # fmt: skip
    edges = np.full(2 * n, -2, dtype=np.int64)
    edges[sources] = -1
    states = np.flatnonzero(pred >= 0)
    others = pred[states].astype(np.int64)
    u, v = (states, others) if backward else (others, states)
    edges[states] = kernel.step_edges(weight, banned, u, v)
    # Paths are walked a step at a time in Python: lists index several times faster than arrays.
    return Tree(dist, edges.tolist(), pred.tolist())


def best_path(
    graph: CompiledGraph,
    weight: Sequence[float],
    stops: Sequence[str],
    limits: Limits,
    *,
    thorough: bool = True,
) -> tuple[float, list[int]] | None:
    """Cheapest path through ``stops`` (origin, via places..., destination) in order, or None.

    With via places the legs are searched one after another from the label reached at each
    via place, and places already passed are closed to later legs so the route never loops.
    ``thorough``: see :func:`search`.
    """
    starts = start_labels(graph, stops[0], limits)
    total = 0.0
    edges: list[int] = []
    visited: set[str] = set()
    for i, stop in enumerate(stops[1:], start=1):
        last = i == len(stops) - 1
        banned_nodes = frozenset(n for p in visited for n in graph.place_nodes.get(p, ()))
        reached = search(
            graph, weight, starts, stop, limits, settle_all=not last, banned_nodes=banned_nodes, thorough=thorough
        )
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
