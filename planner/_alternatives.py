"""Diverse alternatives to the best route, by iterative penalties.

Each route found makes its links dearer (x2) for the next search; a path is kept when it is new,
loopless (unless the request passes via places) and shares at most ``max_shared`` of the shorter
route's distance with every route kept so far.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import _search
from ._compile import LINK, CompiledGraph

__all__ = ["diverse_paths", "is_loopless", "link_km", "places_of", "shared_fraction"]


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


def diverse_paths(
    graph: CompiledGraph,
    weights: Sequence[float],
    stops: list[str],
    limits: _search.Limits,
    first: list[int],
    k: int,
    max_shared: float,
) -> list[list[int]]:
    """Up to ``k`` paths (as compiled edges), ``first`` first, each new one found with the previous links penalized."""
    accepted = [first]
    accepted_km = [link_km(graph, first)]
    if k == 1:
        return accepted
    penalized = list(weights)  # a copy: the shared weights of the network stay as they are
    link_edges: dict[str, list[int]] = {}
    for e, link in enumerate(graph.edge_link):
        if link is not None:
            link_edges.setdefault(link, []).append(e)
    seen = {tuple(first)}
    last = first
    for _ in range(6 * k + 10):
        for link in link_km(graph, last):
            for e in link_edges[link]:
                penalized[e] *= 2.0
        found = _search.best_path(graph, penalized, stops, limits)
        if found is None:
            break
        _, edges = found
        last = edges
        key = tuple(edges)
        if key in seen:
            continue
        seen.add(key)
        if not stops[1:-1] and not is_loopless(places_of(graph, edges)):
            continue
        km = link_km(graph, edges)
        if all(shared_fraction(km, other) <= max_shared + 1e-12 for other in accepted_km):
            accepted.append(edges)
            accepted_km.append(km)
            if len(accepted) == k:
                break
    return accepted
