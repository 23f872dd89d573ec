"""Finding ranked, diverse routes between two places.

The facade :func:`plan_routes` checks the request, picks the search, and returns routes
priced on every criterion. See docs/cost-model.md for the formulas and defaults.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from . import _search
from ._compile import LINK, CompiledGraph, compiled
from ._pricing import corridor_links, price
from .cache import LRU
from .errors import (
    InvalidRequestError,
    NoRouteError,
    SamePlaceError,
    UnknownCorridorError,
    UnknownCountryError,
    UnknownLinkError,
    UnknownModeError,
    UnreachableError,
)
from .lookup import find_place, normalize_name
from .model import Corridor, Mode, Network
from .route import Route

__all__ = [
    "DEFAULT_K",
    "DEFAULT_MAX_SHARED_FRACTION",
    "DEFAULT_TONNES_PER_TEU",
    "DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR",
    "MAX_AVOID",
    "MAX_K",
    "MAX_VIA",
    "Rank",
    "RoutePlan",
    "RouteRequest",
    "plan_routes",
    "resolve_corridor",
    "resolve_request",
]

DEFAULT_K = 3
MAX_K = 20
MAX_VIA = 10
MAX_AVOID = 50
DEFAULT_MAX_SHARED_FRACTION = 0.5
"""Two returned routes may share at most this fraction of the shorter one's distance."""
DEFAULT_TONNES_PER_TEU = 10.0
"""Cargo tonnes per loaded TEU (GLEC Framework default average load; docs/cost-model.md)."""
DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR = 15.0
"""USD per TEU per hour in transit (estimate anchored on Hummels & Schaur 2013; docs/cost-model.md)."""
MAX_TEU = 100_000.0
MAX_TONNES = 1_000_000.0
_EPSILON = 1e-9  # tie-break weight: among equal routes prefer the faster/cheaper one


class Rank(StrEnum):
    """What routes are ranked by."""

    TIME = "time"
    COST = "cost"
    CO2E = "co2e"
    GENERALIZED = "generalized"
    RELIABLE = "reliable"
    PARETO = "pareto"


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """A validated request, with places and corridor resolved to ids."""

    origin: str
    destination: str
    rank: Rank = Rank.TIME
    k: int = DEFAULT_K
    teu: float = 1.0
    tonnes: float = DEFAULT_TONNES_PER_TEU
    shipment: str = "teu"
    avoid_countries: tuple[str, ...] = ()
    avoid_places: tuple[str, ...] = ()
    avoid_links: tuple[str, ...] = ()
    modes: tuple[Mode, ...] = (Mode.RAIL, Mode.ROAD, Mode.SEA)
    via: tuple[str, ...] = ()
    corridor: str | None = None
    max_border_crossings: int | None = None
    max_transshipments: int | None = None
    max_shared_fraction: float = DEFAULT_MAX_SHARED_FRACTION
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR
    tonnes_per_teu: float = DEFAULT_TONNES_PER_TEU


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """The resolved request and the routes found, best first."""

    request: RouteRequest
    routes: tuple[Route, ...]
    notes: tuple[str, ...] = field(default=())


def resolve_corridor(network: Network, query: str) -> Corridor:
    """Return the corridor whose id, name or alias matches ``query`` (case and punctuation ignored)."""
    if query in network.corridors:
        return network.corridors[query]
    key = normalize_name(query)
    for corridor in network.corridors.values():
        if key in {normalize_name(x) for x in (corridor.id, corridor.name, *corridor.aliases)}:
            return corridor
    known = ", ".join(sorted(network.corridors))
    raise UnknownCorridorError(f"unknown corridor {query!r}; known corridors: {known}", field="corridor")


def _number(value: float, name: str, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRequestError(f"{name} must be a finite number, got {value!r}", field=name)
    if not low < value <= high:
        raise InvalidRequestError(f"{name} must be > {low:g} and <= {high:g}, got {value:g}", field=name)
    return float(value)


def _count(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRequestError(f"{name} must be a whole number >= 0, got {value!r}", field=name)
    return value


def _list(values: Iterable[str] | None, name: str, limit: int) -> list[str]:
    items = [] if values is None else list(values)
    if len(items) > limit:
        raise InvalidRequestError(f"{name} has {len(items)} items, at most {limit} are allowed", field=name)
    return items


def resolve_request(
    network: Network,
    origin: str,
    destination: str,
    *,
    rank: Rank | str = Rank.TIME,
    k: int = DEFAULT_K,
    teu: float | None = None,
    tonnes: float | None = None,
    avoid_countries: Iterable[str] | None = None,
    avoid_places: Iterable[str] | None = None,
    avoid_links: Iterable[str] | None = None,
    modes: Iterable[Mode | str] | None = None,
    via: Iterable[str] | None = None,
    corridor: str | None = None,
    max_border_crossings: int | None = None,
    max_transshipments: int | None = None,
    max_shared_fraction: float = DEFAULT_MAX_SHARED_FRACTION,
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    tonnes_per_teu: float = DEFAULT_TONNES_PER_TEU,
) -> RouteRequest:
    """Check a request's options and resolve names to ids; see :func:`plan_routes`."""
    try:
        rank = Rank(rank)
    except ValueError:
        choices = ", ".join(r.value for r in Rank)
        raise InvalidRequestError(f"unknown rank {rank!r}; expected one of {choices}", field="rank") from None
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidRequestError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}", field="k")
    if teu is not None and tonnes is not None:
        raise InvalidRequestError("give teu or tonnes, not both", field="tonnes")
    tonnes_per_teu = _number(tonnes_per_teu, "tonnes_per_teu", low=0.0, high=40.0)
    if tonnes is not None:
        tonnes = _number(tonnes, "tonnes", low=0.0, high=MAX_TONNES)
        teu_value, shipment = tonnes / tonnes_per_teu, "tonnes"
    else:
        teu_value = _number(1.0 if teu is None else teu, "teu", low=0.0, high=MAX_TEU)
        tonnes, shipment = teu_value * tonnes_per_teu, "teu"
    fraction = max_shared_fraction
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0.0 <= fraction <= 1.0:
        raise InvalidRequestError(
            f"max_shared_fraction must be between 0 and 1, got {fraction!r}", field="max_shared_fraction"
        )
    vot = value_of_time_usd_per_teu_hour
    if isinstance(vot, bool) or not isinstance(vot, int | float) or not math.isfinite(vot) or vot < 0:
        raise InvalidRequestError(
            f"value_of_time_usd_per_teu_hour must be a finite number >= 0, got {vot!r}",
            field="value_of_time_usd_per_teu_hour",
        )
    origin_id = find_place(network, origin, field="origin").id
    destination_id = find_place(network, destination, field="destination").id
    if origin_id == destination_id:
        raise SamePlaceError(
            f"origin and destination are the same place ({network.places[origin_id].name})", field="destination"
        )
    countries = []
    for code in _list(avoid_countries, "avoid_countries", MAX_AVOID):
        normalized = str(code).strip().upper()
        if len(normalized) != 2 or not normalized.isalpha() or not normalized.isascii():
            raise UnknownCountryError(
                f"country code {code!r} is not an ISO 3166-1 alpha-2 code (two letters, e.g. RU)",
                field="avoid_countries",
            )
        if normalized not in network.countries:
            known = ", ".join(sorted(network.countries))
            raise UnknownCountryError(
                f"country {normalized} has no place in the network; known: {known}", field="avoid_countries"
            )
        if normalized not in countries:
            countries.append(normalized)
    places = []
    for query in _list(avoid_places, "avoid_places", MAX_AVOID):
        place_id = find_place(network, query, field="avoid_places").id
        if place_id not in places:
            places.append(place_id)
    links = []
    for link_id in _list(avoid_links, "avoid_links", MAX_AVOID):
        if link_id not in network.links:
            raise UnknownLinkError(f"unknown link {link_id!r} in avoid_links", field="avoid_links")
        if link_id not in links:
            links.append(link_id)
    mode_list: list[Mode] = []
    for item in _list(modes, "modes", 3) if modes is not None else [m.value for m in Mode]:
        try:
            mode = Mode(str(item).strip().lower())
        except ValueError:
            raise UnknownModeError(f"unknown mode {item!r}; expected rail, road or sea", field="modes") from None
        if mode not in mode_list:
            mode_list.append(mode)
    if not mode_list:
        raise InvalidRequestError("modes must name at least one of rail, road, sea", field="modes")
    via_ids = []
    for query in _list(via, "via", MAX_VIA):
        place_id = find_place(network, query, field="via").id
        if place_id in (origin_id, destination_id):
            raise InvalidRequestError(
                f"via place {network.places[place_id].name} is the origin or destination", field="via"
            )
        via_ids.append(place_id)
    corridor_id = resolve_corridor(network, corridor).id if corridor else None
    for end, place_id in (("origin", origin_id), ("destination", destination_id), *(("via", v) for v in via_ids)):
        place = network.places[place_id]
        if place_id in places:
            raise InvalidRequestError(f"{end} {place.name} is also in avoid_places", field="avoid_places")
        if place.country in countries:
            raise InvalidRequestError(
                f"{end} {place.name} is in {place.country}, which avoid_countries excludes", field="avoid_countries"
            )
    return RouteRequest(
        origin=origin_id,
        destination=destination_id,
        rank=rank,
        k=k,
        teu=teu_value,
        tonnes=float(tonnes),
        shipment=shipment,
        avoid_countries=tuple(countries),
        avoid_places=tuple(places),
        avoid_links=tuple(links),
        modes=tuple(mode_list),
        via=tuple(via_ids),
        corridor=corridor_id,
        max_border_crossings=_count(max_border_crossings, "max_border_crossings"),
        max_transshipments=_count(max_transshipments, "max_transshipments"),
        max_shared_fraction=float(fraction),
        value_of_time_usd_per_teu_hour=float(vot),
        tonnes_per_teu=tonnes_per_teu,
    )


# --- weights and limits ---------------------------------------------------------------------


def criterion_weights(graph: CompiledGraph, rank: Rank, value_of_time: float) -> list[float]:
    """Edge weights for a ranking criterion (per TEU / per tonne; the shipment size does not change the order)."""
    key = (rank.value, value_of_time)
    cache: dict[tuple[str, float], list[float]] = graph.__dict__.setdefault("_weights", {})
    if key in cache:
        return cache[key]
    hours, cost, co2e = graph.hours, graph.cost_teu, graph.co2e_t
    n = len(hours)
    if rank is Rank.COST:
        weights = [cost[i] + _EPSILON * hours[i] for i in range(n)]
    elif rank is Rank.CO2E:
        weights = [co2e[i] + _EPSILON * (hours[i] + cost[i]) for i in range(n)]
    elif rank is Rank.GENERALIZED:
        weights = [cost[i] + value_of_time * hours[i] for i in range(n)]
    else:
        weights = [hours[i] + _EPSILON * cost[i] for i in range(n)]
    cache[key] = weights
    return weights


def _corridor_rule(network: Network, corridor_id: str) -> _search.CorridorRule:
    """The trunk of a corridor-restricted search.

    The route runs access -> trunk -> egress: the trunk uses only the corridor's links, in
    one stretch, and must include at least one link no other corridor has; access and egress
    legs may not use the corridor's own links nor another corridor's main line where that
    main line is its own (so "the Northern corridor" cannot reach Istanbul over the Caspian).
    """
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


@dataclass(frozen=True, slots=True)
class _Constraint:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class _EdgeIndex:
    by_place: dict[str, list[int]]
    by_link: dict[str, list[int]]
    by_mode: dict[Mode, list[int]]


def _edge_index(graph: CompiledGraph) -> _EdgeIndex:
    """Edges by the places they touch, by link and by the mode they run in; built once per graph."""
    cache: dict[str, _EdgeIndex] = graph.__dict__.setdefault("_edge_index", {})
    if "index" not in cache:
        by_place: dict[str, list[int]] = {}
        by_link: dict[str, list[int]] = {}
        by_mode: dict[Mode, list[int]] = {}
        for edge in range(len(graph.edge_src)):
            src = graph.node_place[graph.edge_src[edge]]
            dst = graph.node_place[graph.edge_dst[edge]]
            by_place.setdefault(src, []).append(edge)
            if dst != src:
                by_place.setdefault(dst, []).append(edge)
            link = graph.edge_link[edge]
            if link is not None:
                by_link.setdefault(link, []).append(edge)
            state = graph.node_state[graph.edge_dst[edge]]
            by_mode.setdefault(Mode.RAIL if state.startswith("rail") else Mode(state), []).append(edge)
        cache["index"] = _EdgeIndex(by_place, by_link, by_mode)
    return cache["index"]


def _banned_edges(graph: CompiledGraph, request: RouteRequest, active: set[str]) -> frozenset[int]:
    """Edges touching an avoided place or country, on an avoided link, or into a disallowed mode."""
    network = graph.network
    places = set(request.avoid_places) if "avoid_places" in active else set()
    countries = set(request.avoid_countries) if "avoid_countries" in active else set()
    links = set(request.avoid_links) if "avoid_links" in active else set()
    modes = set(request.modes) if "modes" in active else set(Mode)
    if not (places or countries or links) and modes == set(Mode):
        return frozenset()
    index = _edge_index(graph)
    if countries:
        places |= {p.id for p in network.places.values() if p.country in countries}
    banned: set[int] = set()
    for place in places:
        banned.update(index.by_place.get(place, ()))
    for link in links:
        banned.update(index.by_link.get(link, ()))
    for mode in set(Mode) - modes:
        banned.update(index.by_mode.get(mode, ()))
    return frozenset(banned)


def _limits(graph: CompiledGraph, request: RouteRequest, active: set[str]) -> _search.Limits:
    rule: _search.CorridorRule | None = None
    if request.corridor and "corridor" in active:
        corridor_id = request.corridor
        built = graph.network.cached(f"corridor_rule:{corridor_id}", lambda: _corridor_rule(graph.network, corridor_id))
        assert isinstance(built, _search.CorridorRule)
        rule = built
    return _search.Limits(
        banned_edges=_banned_edges(graph, request, active),
        max_border_crossings=request.max_border_crossings if "max_border_crossings" in active else None,
        max_transshipments=request.max_transshipments if "max_transshipments" in active else None,
        corridor=rule,
    )


def _constraints(network: Network, request: RouteRequest) -> list[_Constraint]:
    out = []
    if request.avoid_countries:
        out.append(_Constraint("avoid_countries", "avoiding " + ", ".join(request.avoid_countries)))
    if request.avoid_places:
        names = ", ".join(network.places[p].name for p in request.avoid_places)
        out.append(_Constraint("avoid_places", f"avoiding {names}"))
    if request.avoid_links:
        out.append(_Constraint("avoid_links", "avoiding links " + ", ".join(request.avoid_links)))
    if set(request.modes) != set(Mode):
        out.append(_Constraint("modes", "by " + "/".join(m.value for m in request.modes) + " only"))
    if request.via:
        out.append(_Constraint("via", "via " + ", ".join(network.places[p].name for p in request.via)))
    if request.corridor:
        out.append(_Constraint("corridor", f"on the {network.corridors[request.corridor].name}"))
    if request.max_border_crossings is not None:
        out.append(_Constraint("max_border_crossings", f"with at most {request.max_border_crossings} border crossings"))
    if request.max_transshipments is not None:
        out.append(_Constraint("max_transshipments", f"with at most {request.max_transshipments} transshipments"))
    return out


def _stops(request: RouteRequest, active: set[str]) -> list[str]:
    via = list(request.via) if "via" in active else []
    return [request.origin, *via, request.destination]


def _explain(graph: CompiledGraph, request: RouteRequest, weights: Sequence[float]) -> NoRouteError:
    network = graph.network
    a = network.places[request.origin].name
    b = network.places[request.destination].name
    constraints = _constraints(network, request)
    names = {c.name for c in constraints}
    if _search.best_path(graph, weights, _stops(request, set()), _limits(graph, request, set())) is None:
        return UnreachableError(f"no route from {a} to {b}: the network does not connect them")
    # Constraints that alone leave no route.
    alone = [
        c for c in constraints
        if _search.best_path(graph, weights, _stops(request, {c.name}), _limits(graph, request, {c.name})) is None
    ]
    culprits = alone
    if not culprits:
        # Drop constraints one by one until a route appears: the last one dropped completes the cut.
        kept = set(names)
        culprits = []
        for c in constraints:
            kept.discard(c.name)
            if _search.best_path(graph, weights, _stops(request, kept), _limits(graph, request, kept)) is not None:
                culprits = [x for x in constraints if x.name in kept or x.name == c.name]
                break
    described = "; ".join(c.description for c in culprits) or "the constraints"
    detail = _cut_detail(graph, request, culprits)
    message = f"no route from {a} to {b} {described}" + (f": {detail}" if detail else "")
    return NoRouteError(message, constraints=[c.name for c in culprits])


def _cut_detail(graph: CompiledGraph, request: RouteRequest, culprits: list[_Constraint]) -> str:
    network = graph.network
    names = {c.name for c in culprits}
    if names <= {"avoid_countries", "avoid_places", "avoid_links", "modes"}:
        # Describe what every unconstrained alternative runs into.
        weights = criterion_weights(graph, Rank.TIME, 0.0)
        found = _search.best_path(graph, weights, _stops(request, set()), _limits(graph, request, set()))
        if found is None:
            return ""
        _, edges = found
        route_places = [graph.node_place[graph.edge_src[e]] for e in edges] + [graph.node_place[graph.edge_dst[edges[-1]]]]
        hits: list[str] = []
        for p in route_places:
            place = network.places[p]
            if place.country in request.avoid_countries and "avoid_countries" in names:
                hits.append(place.country)
            elif p in request.avoid_places and "avoid_places" in names:
                hits.append(place.name)
        hits = list(dict.fromkeys(hits))
        used_modes = sorted({graph.node_state[graph.edge_dst[e]].rstrip("0123456789") for e in edges})
        excluded_links = [graph.edge_link[e] for e in edges if graph.edge_link[e] in request.avoid_links]
        parts = []
        if hits:
            parts.append("every path crosses something avoided; without that constraint the fastest route passes " + ", ".join(hits))
        if "modes" in names and set(used_modes) - {m.value for m in request.modes}:
            parts.append("no path uses only " + "/".join(m.value for m in request.modes) + "; the fastest route needs " + ", ".join(used_modes))
        if "avoid_links" in names and excluded_links:
            parts.append("the fastest route needs " + ", ".join(dict.fromkeys(str(x) for x in excluded_links)))
        return "; ".join(parts) or "every path uses an excluded place, link or mode"
    if "max_border_crossings" in names:
        return f"every path crosses more than {request.max_border_crossings} borders"
    if "max_transshipments" in names:
        return f"every path needs more than {request.max_transshipments} transshipments"
    if "corridor" in names and request.corridor:
        corridor = network.corridors[request.corridor]
        planned = [
            link_id for link_id in corridor_links(network)[corridor.id]
            if network.links[link_id].status.value == "planned"
        ]
        if planned:
            return f"the corridor includes planned links not yet in operation ({', '.join(sorted(planned))})"
        return "the corridor cannot connect them"
    return ""


# --- alternatives -------------------------------------------------------------------------


def _link_km(graph: CompiledGraph, edges: Sequence[int]) -> dict[str, float]:
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


def _places_of(graph: CompiledGraph, edges: Sequence[int]) -> list[str]:
    places = [graph.node_place[graph.edge_src[edges[0]]]] if edges else []
    for e in edges:
        p = graph.node_place[graph.edge_dst[e]]
        if p != places[-1]:
            places.append(p)
    return places


def is_loopless(places: Sequence[str]) -> bool:
    return len(set(places)) == len(places)


def _alternatives(
    graph: CompiledGraph,
    weights: list[float],
    stops: list[str],
    limits: _search.Limits,
    first: list[int],
    k: int,
    max_shared: float,
) -> list[list[int]]:
    """Diverse alternatives by iterative penalties: each found route makes its links dearer."""
    accepted = [first]
    accepted_km = [_link_km(graph, first)]
    if k == 1:
        return accepted
    penalized = list(weights)
    link_edges: dict[str, list[int]] = {}
    for e, link in enumerate(graph.edge_link):
        if link is not None:
            link_edges.setdefault(link, []).append(e)
    seen = {tuple(first)}
    last = first
    for _ in range(6 * k + 10):
        for link in _link_km(graph, last):
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
        if not stops[1:-1] and not is_loopless(_places_of(graph, edges)):
            continue
        km = _link_km(graph, edges)
        if all(shared_fraction(km, other) <= max_shared + 1e-12 for other in accepted_km):
            accepted.append(edges)
            accepted_km.append(km)
            if len(accepted) == k:
                break
    return accepted


def _value(route: Route, rank: Rank) -> float:
    if rank is Rank.COST:
        return route.cost_usd
    if rank is Rank.CO2E:
        return route.co2e_kg
    if rank is Rank.GENERALIZED:
        return route.generalized_cost_usd
    if rank is Rank.RELIABLE:
        return route.transit_hours_p90
    return route.transit_hours


def plan_routes(network: Network, origin: str, destination: str, **options: object) -> RoutePlan:
    """Find up to ``k`` ranked, diverse routes from ``origin`` to ``destination``.

    Parameters
    ----------
    network
        A loaded network (never modified).
    origin, destination
        Place ids, names or aliases.
    **options
        Keyword options of :func:`resolve_request`: ``rank`` (time, cost, co2e, generalized,
        reliable, pareto), ``k`` (1..20), ``teu`` or ``tonnes``, ``avoid_countries``,
        ``avoid_places``, ``avoid_links``, ``modes``, ``via``, ``corridor``,
        ``max_border_crossings``, ``max_transshipments``, ``max_shared_fraction``,
        ``value_of_time_usd_per_teu_hour``, ``tonnes_per_teu``.

    Returns
    -------
    RoutePlan
        The resolved request and routes sorted by the criterion; the first is the optimum.

    Raises
    ------
    UnknownPlaceError, InvalidRequestError
        The request is malformed (which field, what was expected).
    NoRouteError
        No route satisfies the constraints; the message names the constraints that cut it.
    """
    request = resolve_request(network, origin, destination, **options)  # type: ignore[arg-type]
    return plan(network, request)


PLAN_CACHE_SIZE = 1024
"""Resolved requests whose plans (or no-route errors) each network keeps; plans are immutable."""


def _plan_cache(network: Network) -> LRU[RoutePlan | NoRouteError]:
    cache = network.cached("plan_cache", lambda: LRU[RoutePlan | NoRouteError](PLAN_CACHE_SIZE))
    assert isinstance(cache, LRU)
    return cache


def plan(network: Network, request: RouteRequest, *, use_cache: bool = True) -> RoutePlan:
    """Plan routes for an already resolved request.

    The same request on the same network always gives the same plan, so plans are kept in a
    per-network LRU (``use_cache=False`` computes afresh, e.g. to measure the work itself).
    """
    if not use_cache:
        return _plan(network, request)
    cache = _plan_cache(network)
    hit = cache.get(request)
    if hit is None:
        try:
            hit = _plan(network, request)
        except NoRouteError as exc:
            hit = exc
        cache.put(request, hit)
    if isinstance(hit, NoRouteError):
        # A fresh exception each time: re-raising one instance would keep growing its traceback.
        raise type(hit)(hit.message, constraints=hit.constraints)
    return hit


def _plan(network: Network, request: RouteRequest) -> RoutePlan:
    graph = compiled(network)
    if request.rank is Rank.PARETO:
        from .pareto import pareto_routes

        return RoutePlan(request, tuple(pareto_routes(graph, request)))
    search_rank = Rank.TIME if request.rank is Rank.RELIABLE else request.rank
    weights = criterion_weights(graph, search_rank, request.value_of_time_usd_per_teu_hour)
    active = {c.name for c in _constraints(network, request)}
    limits = _limits(graph, request, active)
    stops = _stops(request, active)
    found = _search.best_path(graph, weights, stops, limits)
    if found is None:
        raise _explain(graph, request, weights)
    _, first = found
    pool = request.k if request.rank is not Rank.RELIABLE else max(request.k * 2, request.k + 4)
    paths = _alternatives(graph, weights, stops, limits, first, pool, request.max_shared_fraction)
    routes = [
        price(graph, p, teu=request.teu, tonnes=request.tonnes, value_of_time=request.value_of_time_usd_per_teu_hour)
        for p in paths
    ]
    routes.sort(key=lambda r: _value(r, request.rank))
    routes = routes[: request.k]
    return RoutePlan(request, tuple(replace(r, rank=i) for i, r in enumerate(routes, start=1)))


