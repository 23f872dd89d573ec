"""Many routes at once: the best route from one origin to many destinations, and origin-destination matrices.

:func:`best_routes_from` answers a k=1 request for many destinations with one shortest-path tree
(:mod:`planner._tree`) priced with arrays (:mod:`planner._tree_pricing`); every figure equals what
:func:`planner.plan_routes` with ``k=1`` gives for the same request, P50 and P90 included. Where the
per-request answer would differ from the tree's path, that destination is planned on its own: a
request with via places, a corridor, border or transshipment limits, ranked ``reliable`` or
``pareto``, or asking for more than one route; a path that passes a place twice; a path whose waits
depend on a departure date; a destination the tree does not reach (for the error that says why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._constraints import unreachable
from ._many import UNREACHED, Answers, answer, tree_applies
from .errors import InvalidRequestError, PlannerError
from .lookup import find_place
from .model import ContainerType, Mode, ServiceLevel
from .network import Network
from .request import (
    DEFAULT_SERVICE,
    DEFAULT_TONNES_PER_TEU,
    DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    Rank,
    RouteRequest,
    check_places,
    resolve_request,
)
from .route import ArrivalDates, CorridorShare, Route
from .routing import plan

__all__ = [
    "Cell",
    "CellError",
    "RouteFigures",
    "RouteMatrix",
    "best_routes",
    "best_routes_from",
    "check_matrix",
    "route_matrix",
    "tree_applies",
]


@dataclass(frozen=True, slots=True)
class RouteFigures:
    """The best route's totals from ``origin`` to ``destination``: a :class:`~planner.Route` without its legs.

    Units as on :class:`~planner.Route`: hours, USD for the whole shipment, kg CO2e, km.
    """

    origin: str
    destination: str
    transit_hours: float
    transit_hours_min: float
    transit_hours_max: float
    transit_hours_p50: float
    transit_hours_p90: float
    cost_usd: float
    co2e_kg: float
    generalized_cost_usd: float
    distance_km: float
    border_crossings: int
    transshipments: int
    corridors: tuple[CorridorShare, ...]
    """Corridors the route runs on with their share of its distance, largest first; the first is its main corridor."""
    places: tuple[str, ...]
    arrival_date: ArrivalDates | None = None

    @property
    def main_corridor(self) -> CorridorShare | None:
        """The corridor with the largest share of the route's distance, if it runs on any."""
        return self.corridors[0] if self.corridors else None

    @classmethod
    def of(cls, route: Route) -> RouteFigures:
        """The figures of a priced route."""
        return cls(
            origin=route.places[0],
            destination=route.places[-1],
            transit_hours=route.transit_hours,
            transit_hours_min=route.transit_hours_min,
            transit_hours_max=route.transit_hours_max,
            transit_hours_p50=route.transit_hours_p50,
            transit_hours_p90=route.transit_hours_p90,
            cost_usd=route.cost_usd,
            co2e_kg=route.co2e_kg,
            generalized_cost_usd=route.generalized_cost_usd,
            distance_km=route.distance_km,
            border_crossings=route.border_crossings,
            transshipments=route.transshipments,
            corridors=route.corridors,
            places=route.places,
            arrival_date=route.arrival_date,
        )


def best_routes_from(
    network: Network,
    request: RouteRequest,
    destinations: Sequence[str],
    *,
    use_cache: bool = True,
    deadline: float | None = None,
) -> list[RouteFigures | PlannerError]:
    """The best route (k=1) of ``request`` from its origin to each of ``destinations`` (place ids).

    ``request.destination`` and ``request.k`` are ignored: each destination takes its place and k is 1.
    A destination without a route, or one the request cannot go to, gets the error
    :func:`planner.resolve_request` or :func:`planner.plan` raises for it. ``use_cache`` and
    ``deadline`` are :func:`planner.plan`'s, for the destinations planned one by one.

    Returns
    -------
    list
        One entry per destination, in order: the route's figures, or the error.

    Raises
    ------
    DeadlineExceededError
        The computation passed ``deadline`` (a ``time.monotonic()`` instant).
    """
    return best_routes(network, [(request, destinations)], use_cache=use_cache, deadline=deadline)[0]


def best_routes(
    network: Network,
    requests: Sequence[tuple[RouteRequest, Sequence[str]]],
    *,
    use_cache: bool = True,
    deadline: float | None = None,
) -> list[list[RouteFigures | PlannerError]]:
    """:func:`best_routes_from` for several requests (origins, options) at once: their trees are priced together."""
    ones = [(replace(request, k=1), destinations) for request, destinations in requests]
    out = []
    for answers, (request, destinations) in zip(answer(network, ones, deadline=deadline), ones, strict=True):
        figures = _figures(network, answers)
        row: list[RouteFigures | PlannerError] = []
        for r, d in zip(answers.rows, destinations, strict=True):
            if r >= 0:
                row.append(figures[r])
            elif r == UNREACHED:
                row.append(unreachable(network, replace(request, destination=d)))
            else:
                row.append(_alone(network, request, d, use_cache, deadline))
        out.append(row)
    return out


@dataclass(frozen=True, slots=True)
class CellError:
    """Why a matrix cell has no route: the error's stable ``code`` (``no_route``, ``same_place``, ...) and message."""

    code: str
    message: str

    @classmethod
    def of(cls, error: PlannerError) -> CellError:
        return cls(error.code, error.message)


Cell = RouteFigures | CellError


@dataclass(frozen=True, slots=True)
class RouteMatrix:
    """The best route between every origin and every destination: ``cells[i][j]`` from ``origins[i]`` to ``destinations[j]``."""

    request: RouteRequest
    """The options (the origin and destination it names are the first cell's)."""
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]

    def cell(self, origin: str, destination: str) -> Cell:
        """The cell of two place ids of the matrix."""
        return self.cells[self.origins.index(origin)][self.destinations.index(destination)]


def route_matrix(
    network: Network,
    origins: Sequence[str],
    destinations: Sequence[str],
    *,
    rank: Rank | str = Rank.TIME,
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
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    tonnes_per_teu: float = DEFAULT_TONNES_PER_TEU,
    service: ServiceLevel | str = DEFAULT_SERVICE,
    container: ContainerType | str | None = None,
    departure_date: dt.date | str | None = None,
    month: int | None = None,
    use_cache: bool = True,
    deadline: float | None = None,
) -> RouteMatrix:
    """The best route (k=1) from each origin to each destination, every cell as :func:`planner.plan_routes` gives it.

    Parameters
    ----------
    network
        A loaded network (never modified).
    origins, destinations
        Place ids, names or aliases.
    rank, teu, tonnes, avoid_countries, avoid_places, avoid_links, modes, via, corridor, max_border_crossings, \
max_transshipments, value_of_time_usd_per_teu_hour, tonnes_per_teu, service, container, departure_date, month
        The options of every cell, as for :func:`planner.resolve_request` (``rank`` is one criterion: not ``pareto``).
    use_cache, deadline
        As for :func:`planner.plan`.

    Returns
    -------
    RouteMatrix
        A cell per origin and destination: the route's figures, or a :class:`CellError` (``no_route``,
        ``unreachable``, ``same_place``, an end avoided).

    Raises
    ------
    UnknownPlaceError
        A place matches nothing; ``field`` is ``origins[i]`` or ``destinations[j]``.
    InvalidRequestError
        An option is out of range or contradicts another (``field`` names it).
    DeadlineExceededError
        The computation passed ``deadline``.

    Examples
    --------
    >>> import planner
    >>> net = planner.load_network()
    >>> m = planner.route_matrix(net, ["Xi'an", "Almaty"], ["Tashkent", "Baku"], rank="cost")  # doctest: +SKIP
    >>> m.cell("xian", "tashkent").cost_usd  # doctest: +SKIP
    """
    origin_ids, destination_ids, request = check_matrix(
        network,
        origins,
        destinations,
        rank=rank,
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
        value_of_time_usd_per_teu_hour=value_of_time_usd_per_teu_hour,
        tonnes_per_teu=tonnes_per_teu,
        service=service,
        container=container,
        departure_date=departure_date,
        month=month,
    )
    rows = best_routes(
        network,
        [(replace(request, origin=origin), destination_ids) for origin in origin_ids],
        use_cache=use_cache,
        deadline=deadline,
    )
    cells = tuple(tuple(c if isinstance(c, RouteFigures) else CellError.of(c) for c in row) for row in rows)
    return RouteMatrix(request, origin_ids, destination_ids, cells)


def check_matrix(
    network: Network, origins: Sequence[str], destinations: Sequence[str], **options: Any
) -> tuple[tuple[str, ...], tuple[str, ...], RouteRequest]:
    """Resolve a matrix's places and options as :func:`route_matrix` does, without computing a cell.

    Returns the origin ids, the destination ids and the options as a request (for the first cell).

    Raises
    ------
    UnknownPlaceError, InvalidRequestError
        As :func:`route_matrix`.
    """
    origin_ids = tuple(find_place(network, name, field=f"origins[{i}]").id for i, name in enumerate(origins))
    destination_ids = tuple(find_place(network, name, field=f"destinations[{j}]").id for j, name in enumerate(destinations))
    if not origin_ids or not destination_ids:
        side = "origins" if not origin_ids else "destinations"
        raise InvalidRequestError("a matrix needs at least one origin and one destination", field=side)
    request = resolve_request(network, origin_ids[0], destination_ids[0], k=1, check_places=False, **options)
    if request.rank is Rank.PARETO:
        raise InvalidRequestError(
            "a matrix cell holds one route: rank by time, cost, co2e, generalized or reliable", field="rank"
        )
    return origin_ids, destination_ids, request


def _alone(
    network: Network, request: RouteRequest, destination: str, use_cache: bool, deadline: float | None
) -> RouteFigures | PlannerError:
    try:
        if destination in network.places:  # else plan says the id is unknown
            check_places(network, request, request.origin, destination)
        routes = plan(network, replace(request, destination=destination), use_cache=use_cache, deadline=deadline).routes
    except PlannerError as exc:
        return exc
    return RouteFigures.of(routes[0])


def _figures(network: Network, answers: Answers) -> list[RouteFigures]:
    """Every priced path of a request's tree as :class:`RouteFigures`."""
    prices, request = answers.prices, answers.request
    if prices is None:
        return []
    hours = prices.transit_hours
    cost = prices.cost_usd
    generalized = cost + request.value_of_time_usd_per_teu_hour * answers.teu_value * hours
    columns = zip(
        hours.tolist(),
        prices.transit_hours_min.tolist(),
        prices.transit_hours_max.tolist(),
        prices.quantiles[50.0].tolist(),
        prices.quantiles[90.0].tolist(),
        cost.tolist(),
        prices.co2e_kg.tolist(),
        generalized.tolist(),
        prices.distance_km.tolist(),
        prices.border_crossings.tolist(),
        prices.transshipments.tolist(),
        prices.places,
        answers.shares,
        strict=True,
    )
    departure = request.departure_date
    start = dt.datetime.combine(departure, dt.time()) if departure is not None else None
    return [
        RouteFigures(
            request.origin, places[-1], h, low, high, p50, p90, usd, kg, gen, km, borders, trans, shares, places,
            None if start is None or departure is None else ArrivalDates(
                departure,
                (start + dt.timedelta(hours=h)).date(),
                (start + dt.timedelta(hours=p50)).date(),
                (start + dt.timedelta(hours=p90)).date(),
            ),
        )
        for h, low, high, p50, p90, usd, kg, gen, km, borders, trans, places, shares in columns
    ]  # fmt: skip
