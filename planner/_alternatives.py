"""Admissible, decision-level alternatives to the best route.

Freight routes differ where a planner decides something: which border crossings, which corridor.
Two routes that share those decisions are one route with different kilometres, not two options.
So, starting from the best route, a candidate is kept, in order of the ranked criterion, when it is

* **admissible**: no worse than ``max_stretch`` x the best route on the criterion;
* **loop-free**: it passes every place once;
* **decision-level diverse**: its sequence of border crossings (the places either side of each
  crossing) or its main corridor (the one it runs on longest) differs from every route kept so
  far, and it shares at most ``max_shared_fraction`` of the shorter one's distance with each (by
  default 0.9: a route that differs from a better one only over its last or first tenth, such as
  another road post just before the destination, is a variant of it);
* **locally optimal**: between two consecutive decision points (a border crossing, a change of
  mode or gauge, a via place) it runs within :data:`LOCAL_TOLERANCE` of the best path between the
  same two points. A candidate that does not is repaired, the better stretch spliced in, and
  considered again as the route it has become.

Candidates come, for plain requests, from every link ``e``: the best route forced over ``e`` (the
shortest path tree from the origin to ``e``, ``e``, the tree to the destination from ``e``), which
covers every border crossing and every corridor; and for requests with via places, a corridor or
maxima, from repeated searches with the links of each route found made dearer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import _search
from ._compile import LINK, CompiledGraph
from ._pricing import corridor_shares

__all__ = [
    "LOCAL_TOLERANCE",
    "Choice",
    "choose_paths",
    "link_km",
    "shared_fraction",
]

LOCAL_TOLERANCE = 0.02
"""A stretch between two decision points may be this fraction worse than the best between them."""

_PENALTY = 2.0
_LOOK_BEYOND = 8  # candidates past max_stretch looked at to tell whether raising it would admit more
_SLACK = 1e-9  # relative: weights carry a 1e-9 tie-break, see planner.weights


def link_km(graph: CompiledGraph, edges: Sequence[int]) -> dict[str, float]:
    """Kilometres travelled on each link of a path."""
    km: dict[str, float] = {}
    for e in edges:
        link = graph.edge_link[e]
        if link is not None and graph.edge_kind[e] == LINK:
            km[link] = graph.distance[e]
    return km


def shared_fraction(a: dict[str, float], b: dict[str, float]) -> float:
    """Distance both routes share (by link), as a fraction of the shorter route's distance."""
    shorter = min(sum(a.values()), sum(b.values()))
    if shorter <= 0:
        return 1.0
    shared = sum(km for link, km in a.items() if link in b)
    return shared / shorter


Signature = tuple[tuple[tuple[str, str], ...], str | None]


@dataclass(slots=True)
class _Candidate:
    edges: list[int]
    weight: float
    km: dict[str, float]
    signature: Signature
    value: float = 0.0


@dataclass(slots=True)
class Choice:
    """The paths chosen (the best first) and, when there are fewer than asked for, why."""

    paths: list[list[int]]
    beyond_stretch: bool = False
    same_decisions: int = 0
    too_shared: int = 0
    """Candidates left out because they repeat a kept route's decisions, or share too much with one."""
    values: list[float] = field(default_factory=list)


def _signature(graph: CompiledGraph, edges: Sequence[int], km: dict[str, float]) -> Signature:
    place = graph.node_place
    borders = tuple((place[graph.edge_src[e]], place[graph.edge_dst[e]]) for e in edges if graph.border[e])
    shares = corridor_shares(graph.network, km)
    return borders, shares[0].id if shares else None


def _candidate(graph: CompiledGraph, weights: Sequence[float], edges: list[int]) -> _Candidate:
    km = link_km(graph, edges)
    return _Candidate(edges, sum(weights[e] for e in edges), km, _signature(graph, edges, km))


def choose_paths(
    graph: CompiledGraph,
    weights: Sequence[float],
    stops: list[str],
    limits: _search.Limits,
    first: list[int],
    *,
    k: int,
    max_stretch: float,
    max_shared: float,
    value: Callable[[list[int]], float] | None = None,
    pool: int = 0,
) -> Choice:
    """Up to ``k`` paths (as compiled edges): ``first``, then admissible, diverse, locally optimal alternatives.

    ``value`` ranks and stretches by another figure than the path weight (the P90 of ``reliable``):
    then ``pool`` candidates within ``max_stretch`` by weight are valued, the least value comes first.
    """
    best = _candidate(graph, weights, first)
    choice = Choice([])
    if k == 1 and value is None:
        choice.paths.append(first)
        return choice
    plain = (
        len(stops) == 2
        and limits.corridor is None
        and limits.max_border_crossings is None
        and limits.max_transshipments is None
    )
    bound = max_stretch * best.weight * (1 + _SLACK) + _SLACK
    source = (
        _via_link_candidates(graph, weights, stops[0], stops[1], limits.banned_edges)
        if plain
        else _penalty_candidates(graph, weights, stops, limits, first, pool or k, bound)
    )
    via_places = frozenset(stops[1:-1])
    seen = {tuple(first)}
    ranked: list[_Candidate] = [best]
    beyond = 0  # candidates looked at past the stretch, to tell whether a wider one would admit more
    for weight, edges, straddling in source:
        _search.check_deadline(limits.deadline)
        if value is None and len(ranked) >= k:
            break
        if value is not None and len(ranked) >= pool:
            break
        if weight > bound:
            beyond += 1
            if beyond > _LOOK_BEYOND or value is not None:
                break
        candidate = _fresh(graph, weights, edges, seen)
        if candidate is None:
            continue
        if beyond:
            if candidate.weight > bound and _admit(candidate, ranked, max_shared, Choice([])):
                choice.beyond_stretch = True
                break
            continue
        # The cheap tests first: a candidate that repeats a kept route's decisions is not checked further.
        if value is None and not _admit(candidate, ranked, max_shared, choice):
            continue
        checked = _locally_optimal(graph, weights, edges, limits, via_places, straddling)
        if checked != edges:
            candidate = _fresh(graph, weights, checked, seen)
            if candidate is None or (value is None and not _admit(candidate, ranked, max_shared, choice)):
                continue
        ranked.append(candidate)
    if value is None:
        choice.paths = [c.edges for c in ranked]
        choice.values = [c.weight for c in ranked]
        return choice
    for candidate in ranked:
        candidate.value = value(candidate.edges)
    ranked.sort(key=lambda c: c.value)
    top = ranked[0]
    kept = [top]
    for candidate in ranked[1:]:
        if len(kept) == k:
            break
        if candidate.value > max_stretch * top.value * (1 + _SLACK) + _SLACK:
            if _admit(candidate, kept, max_shared, Choice([])):
                choice.beyond_stretch = True
                break
            continue
        if _admit(candidate, kept, max_shared, choice):
            kept.append(candidate)
    choice.paths = [c.edges for c in kept]
    choice.values = [c.value for c in kept]
    return choice


def _fresh(graph: CompiledGraph, weights: Sequence[float], edges: list[int], seen: set[tuple[int, ...]]) -> _Candidate | None:
    """The candidate of a path not seen before that passes every place once, else None."""
    key = tuple(edges)
    if key in seen:
        return None
    seen.add(key)
    if not _search.is_loopless(_search.places_of(graph, edges)):
        return None
    return _candidate(graph, weights, edges)


def _admit(candidate: _Candidate, kept: list[_Candidate], max_shared: float, choice: Choice) -> bool:
    """Whether ``candidate`` differs from every kept route in its decisions and shares little enough with each."""
    if any(candidate.signature == other.signature for other in kept):
        choice.same_decisions += 1
        return False
    if any(shared_fraction(candidate.km, other.km) > max_shared + 1e-12 for other in kept):
        choice.too_shared += 1
        return False
    return True


# --- candidates ---------------------------------------------------------------------------------


def _via_link_candidates(
    graph: CompiledGraph, weights: Sequence[float], origin: str, destination: str, banned: frozenset[int]
) -> Iterator[tuple[float, list[int], int | None]]:
    """For every link edge, the best path forced over it, cheapest first; each distinct path once.

    Yields (weight, edges, index of the forced edge in the path).
    """
    forward = _search.shortest_tree(graph, weights, origin, banned)
    backward = _search.shortest_tree(graph, weights, destination, banned, backward=True)
    n = len(graph.adj)
    fdist = np.asarray(forward.dist, dtype=np.float64)
    bdist = np.asarray(backward.dist, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    src = np.asarray(graph.edge_src, dtype=np.int64)
    dst = np.asarray(graph.edge_dst, dtype=np.int64)
    links = np.flatnonzero(np.asarray(graph.edge_kind) == LINK)
    if banned:
        links = links[~np.isin(links, np.fromiter(banned, dtype=np.int64, count=len(banned)))]
    enter_by_link = fdist[src[links]] <= fdist[src[links] + n]
    entry = np.where(enter_by_link, src[links], src[links] + n)
    cost = fdist[entry] + w[links] + bdist[dst[links]]
    finite = np.isfinite(cost)
    links, entry, cost = links[finite], entry[finite], cost[finite]
    order = np.argsort(cost, kind="stable")
    by_edge = dict(zip(links.tolist(), cost.tolist(), strict=True))
    explained: set[int] = set()
    for i in order.tolist():
        edge = int(links[i])
        if edge in explained:
            continue
        c = float(cost[i])
        head = forward.path(int(entry[i]))
        path = [*head, edge, *backward.path(int(dst[edge]), backward=True)]
        # Every link of this path forced gives this very path (at the same cost): skip them later.
        for e in path:
            if abs(by_edge.get(e, -1.0) - c) <= 1e-12 * max(1.0, c):
                explained.add(e)
        yield c, path, len(head)


def _penalty_candidates(
    graph: CompiledGraph,
    weights: Sequence[float],
    stops: list[str],
    limits: _search.Limits,
    first: list[int],
    k: int,
    bound: float,
) -> Iterator[tuple[float, list[int], int | None]]:
    """Paths found by searching again with the links of each path found made dearer, cheapest (true weight) first.

    Stops after ``2k + 4`` searches, when ``k + 1`` new paths weigh at most ``bound``, or when
    three searches in a row find nothing new.
    """
    penalized = list(weights)  # a copy: the shared weights of the network stay as they are
    link_edges: dict[str, list[int]] = {}
    for e, link in enumerate(graph.edge_link):
        if link is not None:
            link_edges.setdefault(link, []).append(e)
    found: dict[tuple[int, ...], float] = {tuple(first): sum(weights[e] for e in first)}
    last = first
    stale = 0
    for _ in range(2 * k + 4):
        for link in link_km(graph, last):
            for e in link_edges[link]:
                penalized[e] *= _PENALTY
        result = _search.best_path(graph, penalized, stops, limits, thorough=False)
        if result is None:
            break
        last = result[1]
        key = tuple(last)
        stale = stale + 1 if key in found else 0
        found.setdefault(key, sum(weights[e] for e in last))
        if stale >= 3 or sum(1 for w in found.values() if w <= bound) > k + 1:
            break
    for path, weight in sorted(found.items(), key=lambda item: item[1]):
        yield weight, list(path), None


# --- local optimality ---------------------------------------------------------------------------


def _states(graph: CompiledGraph, edges: Sequence[int]) -> list[int]:
    """The search state before the first edge and after each edge (see planner._search)."""
    n = len(graph.adj)
    states = [graph.edge_src[edges[0]]]
    for e in edges:
        states.append(graph.edge_dst[e] + n if graph.edge_kind[e] != LINK else graph.edge_dst[e])
    return states


def _segments(graph: CompiledGraph, edges: Sequence[int], via_places: frozenset[str]) -> list[tuple[int, int]]:
    """Maximal runs ``[i, j)`` of edges with no decision inside: border crossings, changes, via places."""
    out: list[tuple[int, int]] = []
    start = 0
    for i, e in enumerate(edges):
        decision = graph.edge_kind[e] != LINK or graph.border[e] > 0
        if decision:
            if start < i:
                out.append((start, i))
            start = i + 1
        elif graph.node_place[graph.edge_dst[e]] in via_places:
            out.append((start, i + 1))
            start = i + 1
    if start < len(edges):
        out.append((start, len(edges)))
    return out


def _locally_optimal(
    graph: CompiledGraph,
    weights: Sequence[float],
    edges: list[int],
    limits: _search.Limits,
    via_places: frozenset[str],
    straddling: int | None,
) -> list[int]:
    """``edges`` with every stretch between decision points within tolerance of the best (repaired where not).

    ``straddling`` is the index of the one edge whose stretch needs checking (the rest of the
    path lies on shortest-path trees); None checks every stretch.
    """
    states = _states(graph, edges)
    path = edges
    for i, j in reversed(_segments(graph, edges, via_places)):
        if straddling is not None and not i <= straddling < j:
            continue
        length = sum(weights[e] for e in path[i:j])
        better = _search.state_path(
            graph, weights, states[i], states[j], limits.banned_edges, bound=length / (1 + LOCAL_TOLERANCE)
        )
        if better is None:
            continue
        repaired = [*path[:i], *better, *path[j:]]
        if straddling is not None or _meets(graph, repaired, limits):
            path = repaired
    return path


def _meets(graph: CompiledGraph, edges: Sequence[int], limits: _search.Limits) -> bool:
    """Whether a path keeps the request's maxima and corridor rule."""
    if limits.max_border_crossings is not None and sum(graph.border[e] for e in edges) > limits.max_border_crossings:
        return False
    if limits.max_transshipments is not None and sum(graph.transship[e] for e in edges) > limits.max_transshipments:
        return False
    rule = limits.corridor
    if rule is None:
        return True
    layers = {_search.ACCESS}
    for e in edges:
        layers = _phase_changes(layers, graph.node_place[graph.edge_src[e]], rule)
        if graph.edge_kind[e] != LINK:
            continue
        link = graph.edge_link[e]
        on_trunk = link in rule.links
        after: set[int] = set()
        for layer in layers:
            if layer in (_search.ACCESS, _search.EGRESS):
                if not (on_trunk or link in rule.foreign):
                    after.add(layer)
            elif on_trunk:
                after.add(_search.TRUNK_DONE if link in rule.distinctive else layer)
        layers = after
        if not layers:
            return False
    layers = _phase_changes(layers, graph.node_place[graph.edge_dst[edges[-1]]], rule)
    return bool(layers & {_search.TRUNK_DONE, _search.EGRESS})


def _phase_changes(layers: set[int], place: str, rule: _search.CorridorRule) -> set[int]:
    out = set(layers)
    if _search.ACCESS in out and place in rule.places:
        out.add(_search.TRUNK)
    if _search.TRUNK_DONE in out:
        out.add(_search.EGRESS)
    return out
