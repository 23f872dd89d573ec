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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._many import Answers, answer, refused, tree_applies
from .errors import PlannerError
from .network import Network
from .request import RouteRequest, resolve_request
from .route import ArrivalDates, CorridorShare, Route
from .routing import plan

__all__ = ["RouteFigures", "best_routes", "best_routes_from", "request_options", "tree_applies"]


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
    network: Network, request: RouteRequest, destinations: Sequence[str]
) -> list[RouteFigures | PlannerError]:
    """The best route (k=1) of ``request`` from its origin to each of ``destinations`` (place ids).

    ``request.destination`` and ``request.k`` are ignored: each destination takes its place and k is 1.
    A destination without a route, or one the request cannot go to, gets the error
    :func:`planner.resolve_request` or :func:`planner.plan` raises for it.

    Returns
    -------
    list
        One entry per destination, in order: the route's figures, or the error.
    """
    return best_routes(network, [(request, destinations)])[0]


def best_routes(
    network: Network, requests: Sequence[tuple[RouteRequest, Sequence[str]]]
) -> list[list[RouteFigures | PlannerError]]:
    """:func:`best_routes_from` for several requests (origins, options) at once: their trees are priced together."""
    ones = [(replace(request, k=1), destinations) for request, destinations in requests]
    out = []
    for answers, (request, destinations) in zip(answer(network, ones), ones, strict=True):
        figures = _figures(network, answers)
        out.append(
            [figures[r] if r >= 0 else _alone(network, request, d) for r, d in zip(answers.rows, destinations, strict=True)]
        )
    return out


def _alone(network: Network, request: RouteRequest, destination: str) -> RouteFigures | PlannerError:
    try:
        if refused(network, request, destination):
            # What resolve_request says of this destination with these options, in its own words.
            resolve_request(network, request.origin, destination, **request_options(request))
        routes = plan(network, replace(request, destination=destination)).routes
    except PlannerError as exc:
        return exc
    return RouteFigures.of(routes[0])


def request_options(request: RouteRequest) -> dict[str, Any]:
    """The options of a resolved request as :func:`planner.resolve_request` takes them."""
    bulk = request.shipment == "tonnes"
    return {
        "rank": request.rank,
        "k": request.k,
        "teu": None if bulk else request.teu,
        "tonnes": request.tonnes if bulk else None,
        "avoid_countries": request.avoid_countries,
        "avoid_places": request.avoid_places,
        "avoid_links": request.avoid_links,
        "modes": request.modes,
        "via": request.via,
        "corridor": request.corridor,
        "max_border_crossings": request.max_border_crossings,
        "max_transshipments": request.max_transshipments,
        "max_shared_fraction": request.max_shared_fraction,
        "value_of_time_usd_per_teu_hour": request.value_of_time_usd_per_teu_hour,
        "tonnes_per_teu": request.tonnes_per_teu,
        "service": request.service,
        "container": request.container,
        "departure_date": request.departure_date,
        "month": request.month,
    }


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
