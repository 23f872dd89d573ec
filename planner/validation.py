"""Checking the planner against published end-to-end transit times (``tests/validation/published_routes.csv``).

Each row is a published figure: a pair of places, a service level, a range of days and the
routing it was published for, written machine-readably in the ``modes``, ``via``, ``corridor``
and ``scenario`` columns. :func:`validate_published_routes` plans every row at its service level,
month and routing and compares the typical time with the published range widened by a
tolerance (30 %): a row is *within* when ``min x 0.7 <= typical <= max x 1.3``. The report's
totals are the share of rows within and the median ``|log(typical / published mid)|``.

Parameters of the network are set from segment-level sources; rows are never fitted one by one.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import PlannerError, PublishedRoutesError
from .model import Mode, ServiceLevel
from .network import Network
from .route import EventKind, Route
from .routing import plan_routes
from .scenario import load_bundled_scenario
from .scenario_network import scenario_network

__all__ = [
    "DEFAULT_TOLERANCE",
    "MAX_PUBLISHED_ROUTES_BYTES",
    "PUBLISHED_ROUTE_COLUMNS",
    "PublishedRoute",
    "RouteCheck",
    "ValidationReport",
    "bundled_published_routes_path",
    "first_wait_hours",
    "load_published_routes",
    "validate_published_routes",
]

DEFAULT_TOLERANCE = 0.3
"""A row is within when its typical time lies in the published range widened by this share on each side."""
MAX_PUBLISHED_ROUTES_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

PUBLISHED_ROUTE_COLUMNS = (
    "id",
    "origin",
    "destination",
    "mode_or_corridor",
    "modes",
    "via",
    "corridor",
    "scenario",
    "measured_from",
    "service_level",
    "published_days_min",
    "published_days_max",
    "cost_usd",
    "cost_unit",
    "month",
    "direction",
    "year",
    "publisher",
    "title",
    "url",
    "note",
    "also_used_for_parameters",
)


@dataclass(frozen=True, slots=True)
class PublishedRoute:
    """One published transit time and the routing it was published for."""

    id: str
    origin: str
    destination: str
    routing: str
    """The published routing in words (``mode_or_corridor``)."""
    modes: tuple[Mode, ...]
    via: tuple[str, ...]
    corridor: str | None
    scenario: str | None
    measured_from: str
    """``departure`` (the published time runs from the first train's or vessel's departure) or ``ready``
    (from the cargo's readiness at the origin, as door-to-door and terminal-to-terminal figures do)."""
    service: ServiceLevel
    days_min: float
    days_max: float
    month: int | None
    year: int
    publisher: str
    independent: bool
    """False when the same article also supplied a segment figure of the network."""

    @property
    def days_mid(self) -> float:
        return (self.days_min + self.days_max) / 2.0


@dataclass(frozen=True, slots=True)
class RouteCheck:
    """The planner's answer for one published row.

    ``typical_days`` is what is compared: the planner's typical time, less the wait for the first
    departure (``first_wait_days``) when the row is measured from the departure.
    """

    row: PublishedRoute
    typical_days: float | None
    p50_days: float | None
    p90_days: float | None
    first_wait_days: float = 0.0
    """The typical wait at the origin for the first departure (timetable or origin wait)."""
    places: tuple[str, ...] = ()
    error: str | None = None
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def ready_days(self) -> float | None:
        """The planner's typical time from readiness at the origin, whatever the row is measured from."""
        if self.typical_days is None:
            return None
        return self.typical_days + (self.first_wait_days if self.row.measured_from == "departure" else 0.0)

    def _days(self, from_ready: bool) -> float | None:
        return self.ready_days if from_ready else self.typical_days

    def is_within(self, *, from_ready: bool = False) -> bool:
        """The typical time lies in the published range widened by the tolerance."""
        days = self._days(from_ready)
        if days is None:
            return False
        low = self.row.days_min * (1 - self.tolerance)
        high = self.row.days_max * (1 + self.tolerance)
        return low <= days <= high

    def log_error_of(self, *, from_ready: bool = False) -> float | None:
        """``log(typical / published mid)``: negative when the planner is faster."""
        days = self._days(from_ready)
        return None if days is None else math.log(days / self.row.days_mid)

    @property
    def within(self) -> bool:
        return self.is_within()

    @property
    def log_error(self) -> float | None:
        return self.log_error_of()


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals over a set of checks."""

    rows: int
    within: int
    median_abs_log: float | None
    median_log: float | None

    @property
    def share_within(self) -> float:
        return self.within / self.rows if self.rows else 0.0


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every row's check and the totals: all rows, by service level, and the independent rows only."""

    checks: tuple[RouteCheck, ...]
    tolerance: float

    def summary(self, checks: Iterable[RouteCheck] | None = None, *, from_ready: bool = False) -> Summary:
        """Totals over ``checks`` (default all); ``from_ready`` counts every row from readiness at the origin,
        keeping the wait for the first departure even where the published figure starts at the departure."""
        chosen = list(self.checks if checks is None else checks)
        logs = [x for c in chosen if (x := c.log_error_of(from_ready=from_ready)) is not None]
        return Summary(
            rows=len(chosen),
            within=sum(1 for c in chosen if c.is_within(from_ready=from_ready)),
            median_abs_log=statistics.median(abs(x) for x in logs) if logs else None,
            median_log=statistics.median(logs) if logs else None,
        )

    def by_service(self) -> dict[ServiceLevel, Summary]:
        return {
            level: self.summary(c for c in self.checks if c.row.service is level)
            for level in ServiceLevel
            if any(c.row.service is level for c in self.checks)
        }

    def independent(self) -> Summary:
        """Totals over the rows whose articles supplied no segment figure of the network."""
        return self.summary(c for c in self.checks if c.row.independent)


def bundled_published_routes_path() -> Path:
    """``tests/validation/published_routes.csv`` of the source checkout this package runs from."""
    return Path(__file__).resolve().parent.parent / "tests" / "validation" / "published_routes.csv"


def _fail(path: str, line: int, column: str, message: str) -> PublishedRoutesError:
    return PublishedRoutesError(f"{path}:{line}: column '{column}': {message}")


def _float(text: str, path: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _fail(path, line, column, f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise _fail(path, line, column, f"expected a positive number, got {text!r}")
    return value


def _parse(row: dict[str, str], path: str, line: int) -> PublishedRoute:
    def text(column: str) -> str:
        return (row.get(column) or "").strip()

    modes = []
    for item in text("modes").split(","):
        try:
            modes.append(Mode(item.strip()))
        except ValueError:
            raise _fail(path, line, "modes", f"expected rail, road and/or sea separated by commas, got {text('modes')!r}") from None
    try:
        service = ServiceLevel(text("service_level"))
    except ValueError:
        choices = ", ".join(s.value for s in ServiceLevel)
        raise _fail(path, line, "service_level", f"expected one of {choices}, got {text('service_level')!r}") from None
    low = _float(text("published_days_min"), path, line, "published_days_min")
    high = _float(text("published_days_max"), path, line, "published_days_max")
    if low > high:
        raise _fail(path, line, "published_days_max", f"is below published_days_min ({high:g} < {low:g})")
    month: int | None = None
    if text("month"):
        if not text("month").isdigit() or not 1 <= int(text("month")) <= 12:
            raise _fail(path, line, "month", f"expected 1-12 or empty, got {text('month')!r}")
        month = int(text("month"))
    if not text("year").isdigit():
        raise _fail(path, line, "year", f"expected a year, got {text('year')!r}")
    measured = text("measured_from")
    if measured not in ("departure", "ready"):
        raise _fail(path, line, "measured_from", f"expected departure or ready, got {measured!r}")
    used = text("also_used_for_parameters")
    if used not in ("yes", "no"):
        raise _fail(path, line, "also_used_for_parameters", f"expected yes or no, got {used!r}")
    for column in ("id", "origin", "destination"):
        if not text(column):
            raise _fail(path, line, column, "is empty")
    return PublishedRoute(
        id=text("id"),
        origin=text("origin"),
        destination=text("destination"),
        routing=text("mode_or_corridor"),
        modes=tuple(dict.fromkeys(modes)),
        via=tuple(v for v in text("via").split(";") if v.strip()),
        corridor=text("corridor") or None,
        scenario=text("scenario") or None,
        measured_from=measured,
        service=service,
        days_min=low,
        days_max=high,
        month=month,
        year=int(text("year")),
        publisher=text("publisher"),
        independent=used == "no",
    )


def load_published_routes(path: str | Path | None = None) -> list[PublishedRoute]:
    """Read a published-routes CSV (columns :data:`PUBLISHED_ROUTE_COLUMNS`).

    Raises
    ------
    PublishedRoutesError
        The file cannot be read, is too large, lacks a column, or a row is malformed
        (the message names the line and column).
    """
    file = Path(path) if path is not None else bundled_published_routes_path()
    name = str(file)
    try:
        if file.stat().st_size > MAX_PUBLISHED_ROUTES_BYTES:
            raise PublishedRoutesError(f"{name}: file is over the {MAX_PUBLISHED_ROUTES_BYTES}-byte cap")
        text = file.read_text(encoding="utf-8")
    except PublishedRoutesError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise PublishedRoutesError(f"{name}: cannot read the file: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in PUBLISHED_ROUTE_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise PublishedRoutesError(f"{name}:1: missing column(s): {', '.join(missing)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise PublishedRoutesError(f"{name}: more than {MAX_ROWS} rows")
        if None in row or None in row.values():
            raise PublishedRoutesError(f"{name}:{number}: the row has a different number of fields than the header")
        rows.append(_parse(row, name, number))
    return rows


def _check(network: Network, row: PublishedRoute, tolerance: float) -> RouteCheck:
    try:
        target = network if row.scenario is None else scenario_network(network, load_bundled_scenario(row.scenario, network))
        route = plan_routes(
            target,
            row.origin,
            row.destination,
            k=1,
            modes=row.modes,
            via=row.via,
            corridor=row.corridor,
            service=row.service,
            month=row.month,
        ).routes[0]
    except PlannerError as exc:
        return RouteCheck(row, None, None, None, error=str(exc), tolerance=tolerance)
    first_wait = first_wait_hours(route) / 24.0
    skip = first_wait if row.measured_from == "departure" else 0.0
    return RouteCheck(
        row,
        route.transit_hours / 24.0 - skip,
        route.transit_hours_p50 / 24.0 - skip,
        route.transit_hours_p90 / 24.0 - skip,
        first_wait,
        route.places,
        tolerance=tolerance,
    )


def first_wait_hours(route: Route) -> float:
    """Typical hours a route waits at its origin for its first departure (a timetable or the mode's origin wait)."""
    if not route.legs:
        return 0.0
    first = route.legs[0]
    return sum(e.hours for e in first.events if e.kind is EventKind.WAIT and e.place == first.origin)


def validate_published_routes(
    network: Network, rows: Sequence[PublishedRoute], *, tolerance: float = DEFAULT_TOLERANCE
) -> ValidationReport:
    """Plan every row (fastest route at its service level, month, modes, via, corridor and scenario) and compare.

    A row the planner cannot route counts as outside the range, with the reason in ``error``.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 <= tolerance < 1:
        raise PublishedRoutesError(f"tolerance must be a number from 0 to below 1, got {tolerance!r}")
    return ValidationReport(tuple(_check(network, row, float(tolerance)) for row in rows), float(tolerance))
