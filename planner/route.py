"""What the planner returns: routes, their legs and the events on the way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from .model import ContainerType, Mode, ServiceLevel

__all__ = ["ArrivalDates", "BorderCrossing", "CorridorShare", "Event", "EventKind", "Leg", "Route"]


class EventKind(StrEnum):
    """Something that takes time or money on a leg besides moving."""

    WAIT = "wait"
    QUEUE = "queue"
    SEASON = "season"
    BORDER = "border"
    TRANSSHIPMENT = "transshipment"
    GAUGE_CHANGE = "gauge_change"
    DELAY = "delay"


@dataclass(frozen=True, slots=True)
class Event:
    """An event on a leg: waiting for a departure, a border crossing, a mode or gauge change.

    ``hours``/``hours_min``/``hours_max`` and ``cost_usd`` are already included in the leg's totals.
    """

    kind: EventKind
    place: str
    place_name: str
    hours: float
    hours_min: float
    hours_max: float
    cost_usd: float
    description: str
    from_mode: Mode | None = None
    to_mode: Mode | None = None
    from_country: str | None = None
    to_country: str | None = None
    from_gauge_mm: int | None = None
    to_gauge_mm: int | None = None
    departures_per_week: float | None = None
    direction: str | None = None
    """For a border: ``leaving`` (the country of the post) or ``entering`` it."""


@dataclass(frozen=True, slots=True)
class Leg:
    """One link travelled, with the events that happen at its start (changes, waits) and on it (borders)."""

    origin: str
    origin_name: str
    destination: str
    destination_name: str
    link: str
    mode: Mode
    distance_km: float
    hours: float
    hours_min: float
    hours_max: float
    cost_usd: float
    co2e_kg: float
    gauge_mm: int | None = None
    events: tuple[Event, ...] = ()


@dataclass(frozen=True, slots=True)
class CorridorShare:
    """A named corridor a route follows and the share of the route's distance on it (0..1)."""

    id: str
    name: str
    share: float


@dataclass(frozen=True, slots=True)
class ArrivalDates:
    """Arrival dates for a departure date: at the typical time, and the P50 and P90 of the transit time."""

    departure: dt.date
    typical: dt.date
    p50: dt.date
    p90: dt.date


@dataclass(frozen=True, slots=True)
class BorderCrossing:
    """A leg that crosses borders: where it runs from and to, and the countries it passes in travel order.

    A leg through transit countries crosses several borders (``len(countries) - 1``).
    """

    link: str
    origin: str
    destination: str
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Route:
    """A priced route. Totals are the sums of the legs; every criterion is filled whatever the ranking."""

    rank: int
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
    countries: tuple[str, ...]
    corridors: tuple[CorridorShare, ...]
    places: tuple[str, ...]
    legs: tuple[Leg, ...]
    best_on: tuple[str, ...] = field(default=())
    service: ServiceLevel = ServiceLevel.SCHEDULED
    """The service level the route is priced at."""
    container: ContainerType | None = ContainerType.FT20
    """The container type priced (None for bulk tonnes)."""
    month: int | None = None
    """The month whose seasonal waits are included, if any."""
    arrival_date: ArrivalDates | None = None
    """Arrival dates, when the request gave a departure date."""
    borders: tuple[BorderCrossing, ...] = field(default=())
    """Where the route crosses borders, in travel order (one item per border-crossing leg)."""

    @property
    def transit_days(self) -> float:
        """Typical transit time in days."""
        return self.transit_hours / 24.0

    @property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(leg.link for leg in self.legs)

    @property
    def main_corridor(self) -> str | None:
        """The id of the corridor the route runs on longest (ties: the first id alphabetically), or None."""
        return self.corridors[0].id if self.corridors else None

    @property
    def border_points(self) -> tuple[tuple[str, str], ...]:
        """The places either side of each border-crossing leg, in travel order: the route's border decisions."""
        return tuple((b.origin, b.destination) for b in self.borders)
