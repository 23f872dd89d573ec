"""Finding ranked, diverse routes between two places: the facade.

:func:`plan_routes` checks the request (:mod:`planner.request`), picks the search, and returns
routes priced on every criterion. See docs/cost-model.md for the formulas and defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from . import _search
from ._alternatives import Choice, choose_paths
from ._compile import compiled
from ._constraints import constraints_of, explain_no_route, limits_for, stops
from ._pricing import price
from ._shipment import shipment_of
from .cache import CacheSlot, MiB
from .errors import NoRouteError
from .model import ContainerType, Mode, ServiceLevel
from .network import Network
from .pareto import pareto_routes
from .request import (
    DEFAULT_K,
    DEFAULT_MAX_SHARED_FRACTION,
    DEFAULT_MAX_STRETCH,
    DEFAULT_SERVICE,
    DEFAULT_TONNES_PER_TEU,
    DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    MAX_STRETCH,
    Rank,
    RouteRequest,
    check_request,
    resolve_request,
)
from .route import Route
from .weights import criterion_weights

__all__ = ["PLAN_CACHE_BYTES", "PLAN_CACHE_SIZE", "RoutePlan", "plan", "plan_routes"]


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """The resolved request and the routes found, best first.

    ``notes`` say why there are fewer routes than ``k`` asked for (only so many are admissible and
    different enough), in plain sentences.
    """

    request: RouteRequest
    routes: tuple[Route, ...]
    notes: tuple[str, ...] = field(default=())


def plan_routes(
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
    max_stretch: float = DEFAULT_MAX_STRETCH,
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    tonnes_per_teu: float = DEFAULT_TONNES_PER_TEU,
    service: ServiceLevel | str = DEFAULT_SERVICE,
    container: ContainerType | str | None = None,
    departure_date: dt.date | str | None = None,
    month: int | None = None,
    use_cache: bool = True,
    deadline: float | None = None,
) -> RoutePlan:
    """Find up to ``k`` ranked routes from ``origin`` to ``destination``: the best, then real alternatives.

    Alternatives are within ``max_stretch`` of the best on the ranked criterion, pass no place
    twice, are locally optimal, and each crosses other borders or follows another main corridor
    than every route before it (see :mod:`planner._alternatives`); fewer than ``k`` come back,
    with a note in :attr:`RoutePlan.notes`, when fewer qualify.

    Parameters
    ----------
    network
        A loaded network (never modified).
    origin, destination
        Place ids, names or aliases.
    rank, k, teu, tonnes, avoid_countries, avoid_places, avoid_links, modes, via, corridor, \
max_border_crossings, max_transshipments, max_shared_fraction, max_stretch, value_of_time_usd_per_teu_hour, \
tonnes_per_teu, service, container, departure_date, month
        The request's options, as for :func:`planner.resolve_request`.
    use_cache
        False computes the plan afresh instead of taking it from the network's plan cache.
    deadline
        A ``time.monotonic()`` instant: the search stops once past it (None: no limit).

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
    DeadlineExceededError
        The search passed ``deadline``.

    Examples
    --------
    >>> import planner
    >>> net = planner.load_network()
    >>> best = planner.plan_routes(net, "Xi'an", "Tashkent", rank="cost", k=1).routes[0]  # doctest: +SKIP
    """
    request = resolve_request(
        network,
        origin,
        destination,
        rank=rank,
        k=k,
        teu=teu,
        tonnes=tonnes,
        avoid_countries=avoid_countries,
        avoid_places=avoid_places,
        avoid_links=avoid_links,
        modes=modes,
        via=via,
        corridor=corridor,
        max_border_crossings=max_border_crossings,
        max_transshipments=max_transshipments,
        max_shared_fraction=max_shared_fraction,
        max_stretch=max_stretch,
        value_of_time_usd_per_teu_hour=value_of_time_usd_per_teu_hour,
        tonnes_per_teu=tonnes_per_teu,
        service=service,
        container=container,
        departure_date=departure_date,
        month=month,
    )
    return plan(network, request, use_cache=use_cache, deadline=deadline)


PLAN_CACHE_SIZE = 1024
"""Resolved requests whose plans (or no-route errors) each network keeps; plans are immutable."""
PLAN_CACHE_BYTES = 64 * MiB
"""Estimated bytes of the plans each network keeps."""


def _plan_bytes(value: RoutePlan | NoRouteError) -> int:
    # An estimate from counts, a little above what tracemalloc measures on the bundled network
    # (about 740 bytes per route, 220 per leg and 220 per event).
    if isinstance(value, NoRouteError):
        return 512 + 2 * len(value.message)
    legs = sum(len(route.legs) for route in value.routes)
    events = sum(len(leg.events) for route in value.routes for leg in route.legs)
    return 512 + 1024 * len(value.routes) + 256 * legs + 256 * events


_PLANS = CacheSlot[RouteRequest, RoutePlan | NoRouteError](
    "plans", max_entries=PLAN_CACHE_SIZE, max_bytes=PLAN_CACHE_BYTES, sizeof=_plan_bytes
)


def plan(network: Network, request: RouteRequest, *, use_cache: bool = True, deadline: float | None = None) -> RoutePlan:
    """Plan routes for a request built by :func:`planner.resolve_request`.

    The same request on the same network always gives the same plan, so plans (and no-route
    errors) are kept in the network's bounded plan cache; ``use_cache=False`` computes afresh.
    A ``deadline`` (a ``time.monotonic()`` instant) stops the search once past it; the cache
    answers without looking at it.

    Raises
    ------
    UnknownPlaceError, UnknownCorridorError
        The request names ids this network does not have (it was resolved on another one).
    NoRouteError
        No route satisfies the constraints.
    DeadlineExceededError
        The search passed ``deadline`` (nothing is cached).
    """
    if not use_cache:
        check_request(network, request)
        return _plan(network, request, deadline)
    hit = network.caches.peek(_PLANS, request)
    if hit is None:
        check_request(network, request)  # a plan in the cache was checked when it was made
        try:
            hit = _plan(network, request, deadline)
        except NoRouteError as exc:
            hit = exc
        network.caches.put(_PLANS, request, hit)
    if isinstance(hit, NoRouteError):
        # A fresh exception each time: re-raising one instance would keep growing its traceback.
        raise type(hit)(hit.message, constraints=hit.constraints)
    return hit


_CRITERION = {
    Rank.TIME: "typical transit time",
    Rank.COST: "cost",
    Rank.CO2E: "CO2e",
    Rank.GENERALIZED: "generalized cost",
    Rank.RELIABLE: "P90 transit time",
}


def _notes(request: RouteRequest, found: int, choice: Choice) -> tuple[str, ...]:
    """Why a plan has fewer routes than asked for."""
    if found >= request.k:
        return ()
    stretch = f"{request.max_stretch:g}x the best route's {_CRITERION[request.rank]}"
    head = f"{found} route{'s' if found != 1 else ''} of the {request.k} asked for: "
    if found == 1:
        text = head + f"no other route within {stretch} crosses other borders or follows another main corridor"
    else:
        text = head + f"no further route within {stretch} crosses other borders or follows another main corridor than these"
    if choice.too_shared:
        text += (
            f"; routes that do but share over {request.max_shared_fraction:.0%} of their distance with a route "
            "above are left out (max_shared_fraction)"
        )
    if choice.beyond_stretch and request.max_stretch < MAX_STRETCH:
        text += f"; raise max_stretch (now {request.max_stretch:g}, at most {MAX_STRETCH:g}) to admit routes further from the best"
    return (text,)


def _plan(network: Network, request: RouteRequest, deadline: float | None = None) -> RoutePlan:
    graph = compiled(network)
    if request.rank is Rank.PARETO:
        routes = pareto_routes(graph, request, deadline=deadline)
        notes = () if len(routes) >= request.k else (f"the Pareto front has {len(routes)} route{'s' if len(routes) != 1 else ''}",)
        return RoutePlan(request, tuple(routes), notes)
    search_rank = Rank.TIME if request.rank is Rank.RELIABLE else request.rank
    weights = criterion_weights(
        graph,
        search_rank,
        request.value_of_time_usd_per_teu_hour,
        service=request.service,
        month=request.month,
        cost_factors=shipment_of(network, request).per_teu,
    )
    active = {c.name for c in constraints_of(network, request)}
    limits = replace(limits_for(graph, request, active), deadline=deadline)
    route_stops = stops(request, active)
    found = _search.best_path(graph, weights, route_stops, limits)
    proven = False
    if found is None and len(route_stops) == 2:
        # The label searches keep one (then a few) labels per state and can miss a loop-free route
        # hidden behind a cheaper looping one: look again exhaustively, within a bound.
        try:
            found = _search.exact_best_path(graph, weights, route_stops, limits)
            proven = found is None
        except _search.SearchBoundError:
            pass
    if found is None:
        raise explain_no_route(graph, request, weights, proven=proven)
    _, first = found
    priced: dict[tuple[int, ...], Route] = {}

    def route_of(edges: list[int]) -> Route:
        key = tuple(edges)
        if key not in priced:
            priced[key] = price(graph, edges, request)
        return priced[key]

    reliable = request.rank is Rank.RELIABLE
    choice = choose_paths(
        graph,
        weights,
        route_stops,
        limits,
        first,
        k=request.k,
        max_stretch=request.max_stretch,
        max_shared=request.max_shared_fraction,
        value=(lambda edges: route_of(edges).transit_hours_p90) if reliable else None,
        pool=max(request.k * 2, request.k + 4) if reliable else 0,
    )
    routes = [replace(route_of(p), rank=i) for i, p in enumerate(choice.paths, start=1)]
    return RoutePlan(request, tuple(routes), _notes(request, len(routes), choice))
