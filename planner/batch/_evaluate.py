"""Evaluating batch rows: each row becomes one or more result lines (one per route), or one error line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from ..errors import NoRouteError, PlannerError
from ..network import Network
from ..request import DEFAULT_MAX_STRETCH, DEFAULT_SERVICE, Rank, RouteRequest, resolve_request
from ..route import Route
from ..routing import plan
from ..scenario import Scenario, load_bundled_scenario
from ..scenario_network import scenario_network
from ._rows import BatchRow

__all__ = ["COLUMNS_OUT", "ResultLine", "RowOutcome", "error_message", "evaluate_row", "resolve_row", "route_line"]

COLUMNS_OUT = (
    "row",
    "id",
    "status",
    "error",
    "rank",
    "transit_hours",
    "transit_hours_p50",
    "transit_hours_p90",
    "cost_usd",
    "co2e_kg",
    "distance_km",
    "border_crossings",
    "transshipments",
    "corridors",
    "places",
    "service",
    "arrival_date_p50",
    "arrival_date_p90",
)
"""Output columns, in order. ``row`` is the 1-based input row, ``rank`` the route's place (1 = best);
the arrival dates are filled for rows with a ``departure_date``."""


@dataclass(frozen=True, slots=True)
class ResultLine:
    """One output line: a route's totals for an ``ok`` row, or the message of an ``error`` row."""

    row: int
    id: str
    status: str
    error: str | None = None
    rank: int | None = None
    transit_hours: float | None = None
    transit_hours_p50: float | None = None
    transit_hours_p90: float | None = None
    cost_usd: float | None = None
    co2e_kg: float | None = None
    distance_km: float | None = None
    border_crossings: int | None = None
    transshipments: int | None = None
    corridors: str | None = None
    places: str | None = None
    service: str | None = None
    arrival_date_p50: str | None = None
    arrival_date_p90: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Flat fields only: a plain comprehension, not dataclasses.asdict (which deep-copies every value).
        return {name: getattr(self, name) for name in COLUMNS_OUT}


class RowOutcome(NamedTuple):
    """An evaluated input row: its number, whether it succeeded, and its result lines as JSON text.

    A named tuple: rows are made by the hundred thousand and travel between processes.
    """

    row: int
    ok: bool
    lines_json: str

    def lines(self) -> list[ResultLine]:
        return [ResultLine(**item) for item in json.loads(self.lines_json)]


def route_line(row: int, row_id: str, route: Route) -> ResultLine:
    """The output line of one route; figures rounded as in the JSON export (hours, USD, kg to 2 places, km to 1)."""
    return ResultLine(
        row=row,
        id=row_id,
        status="ok",
        rank=route.rank,
        transit_hours=round(route.transit_hours, 2),
        transit_hours_p50=round(route.transit_hours_p50, 2),
        transit_hours_p90=round(route.transit_hours_p90, 2),
        cost_usd=round(route.cost_usd, 2),
        co2e_kg=round(route.co2e_kg, 2),
        distance_km=round(route.distance_km, 1),
        border_crossings=route.border_crossings,
        transshipments=route.transshipments,
        corridors=";".join(c.id for c in route.corridors),
        places=" > ".join(route.places),
        service=route.service.value,
        arrival_date_p50=route.arrival_date.p50.isoformat() if route.arrival_date else None,
        arrival_date_p90=route.arrival_date.p90.isoformat() if route.arrival_date else None,
    )


def error_message(row: BatchRow, exc: PlannerError) -> str:
    field = getattr(exc, "field", None)
    where = f"row {row.row}, field '{field}'" if field else f"row {row.row}"
    return f"{where}: {exc.message}"


def resolve_row(network: Network, row: BatchRow) -> tuple[RouteRequest, Scenario | None]:
    """A row's request (resolved on ``network``) and its scenario, by bundled name only."""
    # Names only: a row must never make the process read a file of its choosing.
    scenario = load_bundled_scenario(row.scenario, network) if row.scenario is not None else None
    request = resolve_request(
        network,
        row.origin,
        row.destination,
        rank=row.rank if row.rank is not None else Rank.TIME,
        k=row.k if row.k is not None else 1,
        max_stretch=row.max_stretch if row.max_stretch is not None else DEFAULT_MAX_STRETCH,
        teu=row.teu,
        tonnes=row.tonnes,
        avoid_countries=row.avoid_countries,
        via=row.via,
        corridor=row.corridor,
        service=row.service if row.service is not None else DEFAULT_SERVICE,
        container=row.container,
        departure_date=row.departure_date,
        month=row.month,
        avoid_places=row.avoid_places,
        avoid_links=row.avoid_links,
        modes=row.modes or None,
        max_border_crossings=row.max_border_crossings,
        max_transshipments=row.max_transshipments,
    )
    return request, scenario


def _routes(network: Network, row: BatchRow) -> Sequence[Route]:
    request, scenario = resolve_row(network, row)
    if scenario is None:
        return plan(network, request).routes
    try:
        return plan(scenario_network(network, scenario), request).routes
    except NoRouteError as exc:
        raise NoRouteError(f"no route under scenario {scenario.name!r}: {exc.message}", constraints=exc.constraints) from None


def evaluate_row(network: Network, row: BatchRow) -> RowOutcome:
    """Evaluate one row; never raises for a bad row (its error becomes the result)."""
    if row.error is not None:
        return failed(row, row.error)
    try:
        routes = _routes(network, row)
    except PlannerError as exc:
        return failed(row, error_message(row, exc))
    except (ValueError, TypeError, LookupError) as exc:
        return failed(row, f"row {row.row}: {type(exc).__name__}: {exc}")
    if not routes:
        return failed(row, f"row {row.row}: no route found")
    lines = [route_line(row.row, row.output_id, route).to_dict() for route in routes]
    return RowOutcome(row.row, True, orjson.dumps(lines).decode())


def failed(row: BatchRow, message: str) -> RowOutcome:
    line = ResultLine(row=row.row, id=row.output_id, status="error", error=message).to_dict()
    return RowOutcome(row.row, False, orjson.dumps([line]).decode())
