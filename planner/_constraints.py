"""A request's constraints as search limits, and why no route satisfies them.

Each option that restricts routes (avoid lists, modes, via places, a corridor, counters) is a
named :class:`Constraint`. :func:`limits_for` turns the active ones into the search's
:class:`~planner._search.Limits`; :func:`explain_no_route` finds which of them cut every route
and says so with place and link names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from . import _search
from ._compile import CompiledGraph
from .cache import CacheSlot
from .corridors import corridor_links
from .errors import LoopOnlyError, NoRouteError, UnreachableError
from .graph import link_label
from .model import LinkStatus, Mode
from .network import Network
from .request import Rank, RouteRequest
from .weights import criterion_weights

__all__ = [
    "Constraint",
    "EdgeIndex",
    "banned_edges",
    "constraints_of",
    "corridor_rule",
    "edge_index",
    "explain_no_route",
    "limits_for",
    "link_names",
    "stops",
    "unreachable",
]


@dataclass(frozen=True, slots=True)
class Constraint:
    """One restricting option of a request: its field name and how to say it in a sentence."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class EdgeIndex:
    """Compiled edges by the places they touch, by link, by the mode they run in and by the countries they pass in transit."""

    by_place: dict[str, list[int]]
    by_link: dict[str, list[int]]
    by_mode: dict[Mode, list[int]]
    by_transit_country: dict[str, list[int]]


_EDGE_INDEX = CacheSlot[None, EdgeIndex]("edge index", max_entries=1)
_CORRIDOR_RULES = CacheSlot[str, _search.CorridorRule]("corridor rules", max_entries=64)


def link_names(network: Network, link_ids: Iterable[str]) -> str:
    """Links as people read them on the map, e.g. ``"Aktau port–Port of Baku at Alat sea link (l156)"``."""
    return ", ".join(link_label(network.links[i], network.places) if i in network.links else i for i in link_ids)


def constraints_of(network: Network, request: RouteRequest) -> list[Constraint]:
    """The request's restricting options, in a fixed order."""
    out = []
    if request.avoid_countries:
        out.append(Constraint("avoid_countries", "avoiding " + ", ".join(request.avoid_countries)))
    if request.avoid_places:
        names = ", ".join(network.places[p].name for p in request.avoid_places)
        out.append(Constraint("avoid_places", f"avoiding {names}"))
    if request.avoid_links:
        out.append(Constraint("avoid_links", "avoiding " + link_names(network, request.avoid_links)))
    if set(request.modes) != set(Mode):
        out.append(Constraint("modes", "by " + "/".join(m.value for m in request.modes) + " only"))
    if request.via:
        out.append(Constraint("via", "via " + ", ".join(network.places[p].name for p in request.via)))
    if request.corridor:
        out.append(Constraint("corridor", f"on the {network.corridors[request.corridor].name}"))
    if request.max_border_crossings is not None:
        out.append(Constraint("max_border_crossings", f"with at most {request.max_border_crossings} border crossings"))
    if request.max_transshipments is not None:
        out.append(Constraint("max_transshipments", f"with at most {request.max_transshipments} transshipments"))
    return out


def edge_index(graph: CompiledGraph) -> EdgeIndex:
    """The compiled graph's edges by place, link and mode; built once per network."""
    return graph.network.caches.get(_EDGE_INDEX, None, lambda: _build_edge_index(graph))


def _build_edge_index(graph: CompiledGraph) -> EdgeIndex:
    by_place: dict[str, list[int]] = {}
    by_link: dict[str, list[int]] = {}
    by_mode: dict[Mode, list[int]] = {}
    by_transit_country: dict[str, list[int]] = {}
    links = graph.network.links
    for edge in range(len(graph.edge_src)):
        src = graph.node_place[graph.edge_src[edge]]
        dst = graph.node_place[graph.edge_dst[edge]]
        by_place.setdefault(src, []).append(edge)
        if dst != src:
            by_place.setdefault(dst, []).append(edge)
        link = graph.edge_link[edge]
        if link is not None:
            by_link.setdefault(link, []).append(edge)
            for country in links[link].transit_countries:
                by_transit_country.setdefault(country, []).append(edge)
        state = graph.node_state[graph.edge_dst[edge]]
        by_mode.setdefault(Mode.RAIL if state.startswith("rail") else Mode(state), []).append(edge)
    return EdgeIndex(by_place, by_link, by_mode, by_transit_country)


def banned_edges(graph: CompiledGraph, request: RouteRequest, active: set[str]) -> frozenset[int]:
    """Edges touching an avoided place or country (at an end or in transit), on an avoided link, or into a disallowed mode."""
    network = graph.network
    places = set(request.avoid_places) if "avoid_places" in active else set()
    countries = set(request.avoid_countries) if "avoid_countries" in active else set()
    links = set(request.avoid_links) if "avoid_links" in active else set()
    modes = set(request.modes) if "modes" in active else set(Mode)
    if not (places or countries or links) and modes == set(Mode):
        return frozenset()
    index = edge_index(graph)
    if countries:
        places |= {p.id for p in network.places.values() if p.country in countries}
    banned: set[int] = set()
    for country in countries:
        banned.update(index.by_transit_country.get(country, ()))
    for place in places:
        banned.update(index.by_place.get(place, ()))
    for link in links:
        banned.update(index.by_link.get(link, ()))
    for mode in set(Mode) - modes:
        banned.update(index.by_mode.get(mode, ()))
    return frozenset(banned)


def corridor_rule(network: Network, corridor_id: str) -> _search.CorridorRule:
    """The trunk of a corridor-restricted search; built once per network and corridor.

    The route runs access -> trunk -> egress: the trunk uses only the corridor's links, in
    one stretch, and must include at least one link no other corridor has; access and egress
    legs may not use the corridor's own links nor another corridor's main line where that
    main line is its own (so "the Northern corridor" cannot reach Istanbul over the Caspian).
    """
    return network.caches.get(_CORRIDOR_RULES, corridor_id, lambda: _build_corridor_rule(network, corridor_id))


def _build_corridor_rule(network: Network, corridor_id: str) -> _search.CorridorRule:
    by_corridor = corridor_links(network)
    own = by_corridor[corridor_id]
    others = [ids for cid, ids in by_corridor.items() if cid != corridor_id]
    shared = frozenset().union(*others) if others else frozenset()
    distinctive = own - shared
    main_lines = corridor_links(network, main_line_only=True)
    foreign: set[str] = set()
    for cid, ids in main_lines.items():
        if cid == corridor_id:
            continue
        rest = frozenset().union(*(v for c, v in by_corridor.items() if c != cid))
        foreign.update(ids - rest)
    corridor = network.corridors[corridor_id]
    places = frozenset(p for line in corridor.lines for p in line)
    return _search.CorridorRule(places, own, distinctive or own, frozenset(foreign) - own)


def limits_for(graph: CompiledGraph, request: RouteRequest, active: set[str]) -> _search.Limits:
    """The search limits of the request's ``active`` constraints (by name)."""
    rule = corridor_rule(graph.network, request.corridor) if request.corridor and "corridor" in active else None
    return _search.Limits(
        banned_edges=banned_edges(graph, request, active),
        max_border_crossings=request.max_border_crossings if "max_border_crossings" in active else None,
        max_transshipments=request.max_transshipments if "max_transshipments" in active else None,
        corridor=rule,
    )


def stops(request: RouteRequest, active: set[str]) -> list[str]:
    """Origin, the via places when ``via`` is active, destination."""
    via = list(request.via) if "via" in active else []
    return [request.origin, *via, request.destination]


def explain_no_route(
    graph: CompiledGraph, request: RouteRequest, weights: Sequence[float], *, proven: bool = False
) -> NoRouteError:
    """The error to raise when no route satisfies ``request``: which constraints cut it, and where.

    ``proven``: the exact loop-free search found none (else only the label searches did), which
    decides how firmly a :class:`~planner.errors.LoopOnlyError` is worded.
    """
    network = graph.network
    a = network.places[request.origin].name
    b = network.places[request.destination].name
    constraints = constraints_of(network, request)
    names = {c.name for c in constraints}
    def routed(active: set[str]) -> bool:
        # The culprits only: a quick search (it can miss a loop-free route the exact one would find).
        found = _search.best_path(graph, weights, stops(request, active), limits_for(graph, request, active), thorough=False)
        return found is not None

    if not routed(set()):
        looping = _looping_route(graph, request, weights, set())
        if looping is not None:
            return _loop_only(graph, f"no route from {a} to {b}", looping, [], proven)
        return unreachable(network, request)
    # Constraints that alone leave no route (with one constraint, the search that failed already said so).
    alone = constraints if len(constraints) == 1 else [c for c in constraints if not routed({c.name})]
    culprits = alone
    if not culprits:
        # Drop constraints one by one until a route appears: the last one dropped completes the cut.
        kept = set(names)
        culprits = []
        for c in constraints:
            kept.discard(c.name)
            if routed(kept):
                culprits = [x for x in constraints if x.name in kept or x.name == c.name]
                break
    described = "; ".join(c.description for c in culprits) or "the constraints"
    looping = _looping_route(graph, request, weights, {c.name for c in culprits})
    if looping is not None:
        return _loop_only(graph, f"no route from {a} to {b} {described}", looping, [c.name for c in culprits], proven)
    detail = _cut_detail(graph, request, culprits)
    message = f"no route from {a} to {b} {described}" + (f": {detail}" if detail else "")
    return NoRouteError(message, constraints=[c.name for c in culprits])


def unreachable(network: Network, request: RouteRequest) -> UnreachableError:
    """The error of a request whose places no path joins, loops or not, under no constraint."""
    a = network.places[request.origin].name
    b = network.places[request.destination].name
    return UnreachableError(f"no route from {a} to {b}: the network does not connect them")


def _looping_route(graph: CompiledGraph, request: RouteRequest, weights: Sequence[float], active: set[str]) -> list[int] | None:
    """The best route under the ``active`` constraints when it may pass a place twice, or None."""
    limits = replace(limits_for(graph, request, active), allow_loops=True)
    found = _search.best_path(graph, weights, stops(request, active), limits)
    return None if found is None else found[1]


def _loop_only(graph: CompiledGraph, head: str, edges: list[int], culprits: list[str], proven: bool) -> LoopOnlyError:
    """Say which places the routes meeting the constraints pass twice, with the stretch that loops."""
    network = graph.network
    places = _search.places_of(graph, edges)
    twice = list(dict.fromkeys(p for i, p in enumerate(places) if p in places[:i]))
    first = places.index(twice[0])
    again = places.index(twice[0], first + 1)
    stretch = places[max(first - 1, 0) : again + 2]
    shown = " > ".join(network.places[p].name for p in stretch)
    them = "it" if len(culprits) == 1 else "them"
    found = f"no loop-free route meets {them}" if proven else "no loop-free route was found (the search for one is bounded)"
    names = ", ".join(network.places[p].name for p in twice)
    return LoopOnlyError(
        f"{head} without passing a place twice: {found}; the best route meeting {them} goes out and back "
        f"(... {shown} ...), passing {names} twice",
        constraints=culprits,
    )


def _cut_detail(graph: CompiledGraph, request: RouteRequest, culprits: list[Constraint]) -> str:
    network = graph.network
    names = {c.name for c in culprits}
    if names <= {"avoid_countries", "avoid_places", "avoid_links", "modes"}:
        # Describe what every unconstrained alternative runs into.
        weights = criterion_weights(graph, Rank.TIME, 0.0)
        found = _search.best_path(graph, weights, stops(request, set()), limits_for(graph, request, set()))
        if found is None:
            return ""
        _, edges = found
        hits: list[str] = []
        for e in edges:
            src, dst = graph.node_place[graph.edge_src[e]], graph.node_place[graph.edge_dst[e]]
            link = graph.edge_link[e]
            passed = network.graph._succ[src][dst][link]["countries"] if link is not None else (network.places[src].country,)
            for p, country in ((src, network.places[src].country), *((None, c) for c in passed), (dst, network.places[dst].country)):
                if country in request.avoid_countries and "avoid_countries" in names:
                    hits.append(country)
                elif p in request.avoid_places and "avoid_places" in names:
                    hits.append(network.places[p].name)
        hits = list(dict.fromkeys(hits))
        used_modes = sorted({graph.node_state[graph.edge_dst[e]].rstrip("0123456789") for e in edges})
        excluded_links = [link for e in edges if (link := graph.edge_link[e]) is not None and link in request.avoid_links]
        parts = []
        if hits:
            parts.append("every path crosses something avoided; without that constraint the fastest route passes " + ", ".join(hits))
        if "modes" in names and set(used_modes) - {m.value for m in request.modes}:
            parts.append("no path uses only " + "/".join(m.value for m in request.modes) + "; the fastest route needs " + ", ".join(used_modes))
        if "avoid_links" in names and excluded_links:
            parts.append("the fastest route needs " + link_names(network, dict.fromkeys(excluded_links)))
        return "; ".join(parts) or "every path uses an excluded place, link or mode"
    if "max_border_crossings" in names:
        return f"every path crosses more than {request.max_border_crossings} borders"
    if "max_transshipments" in names:
        return f"every path needs more than {request.max_transshipments} transshipments"
    if "corridor" in names and request.corridor:
        corridor = network.corridors[request.corridor]
        planned = sorted(
            link_id for link_id in corridor_links(network)[corridor.id]
            if network.links[link_id].status is LinkStatus.PLANNED
        )  # fmt: skip
        if planned:
            return f"the corridor includes planned links not yet in operation ({link_names(network, planned)})"
        return "the corridor cannot connect them"
    return ""
