"""The network's elements: immutable places, links, corridors, mode defaults and sources.

Units are in the names: ``distance_km``, ``hours``, ``cost_usd_per_teu``, ``co2e_g_per_tonne_km``.
The :class:`~planner.network.Network` that holds them is built once and never changed afterwards;
scenarios and request options act on copies or on weights, never on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Border",
    "Capacity",
    "CapacityDirection",
    "BorderControls",
    "BorderDirection",
    "ContainerType",
    "Corridor",
    "Figure",
    "GaugeChange",
    "HoursRange",
    "Link",
    "LinkStatus",
    "Mode",
    "ModeDefaults",
    "NetworkInfo",
    "Place",
    "PlaceCapacity",
    "PlaceKind",
    "Provenance",
    "Season",
    "ServiceDepartures",
    "ServiceHours",
    "ServiceLevel",
    "Source",
    "Timetable",
    "Transshipment",
]


class Mode(StrEnum):
    """A transport mode."""

    RAIL = "rail"
    ROAD = "road"
    SEA = "sea"


class PlaceKind(StrEnum):
    """What a place is; a place may be several kinds at once."""

    CITY = "city"
    BORDER_CROSSING = "border_crossing"
    SEAPORT = "seaport"
    DRY_PORT = "dry_port"
    GAUGE_CHANGE = "gauge_change"
    LOGISTICS_HUB = "logistics_hub"


class ServiceLevel(StrEnum):
    """How a shipment travels, which decides dwell, queues and waits (docs/cost-model.md).

    ``express``: priority block trains and green-lane clearance; ``scheduled``: regular block
    trains and liner services with a booked slot; ``standard``: ordinary wagonload, groupage and trucks.
    """

    EXPRESS = "express"
    SCHEDULED = "scheduled"
    STANDARD = "standard"


class BorderDirection(StrEnum):
    """Which side of a border a post's figures are for: the country being entered or the one being left."""

    ENTERING = "entering"
    LEAVING = "leaving"


class ContainerType(StrEnum):
    """A container size; a 20 ft box is one TEU, a 40 ft or 40 ft high-cube box two."""

    FT20 = "20ft"
    FT40 = "40ft"
    FT40HC = "40hc"

    @property
    def teu(self) -> int:
        """TEU per box."""
        return 1 if self is ContainerType.FT20 else 2


class LinkStatus(StrEnum):
    """Whether a link carries traffic today; planned links are ignored unless a scenario opens them."""

    OPERATIONAL = "operational"
    PLANNED = "planned"


@dataclass(frozen=True, slots=True)
class Source:
    """A publication figures are taken from."""

    key: str
    publisher: str
    title: str
    year: int
    url: str | None = None

    def cite(self) -> str:
        """Return ``publisher, title, year``."""
        return f"{self.publisher}, {self.title}, {self.year}"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a figure comes from: source keys, an estimate's reason, or both."""

    sources: tuple[str, ...] = ()
    estimate: str | None = None

    @property
    def is_estimate(self) -> bool:
        return self.estimate is not None


@dataclass(frozen=True, slots=True)
class Figure:
    """A number with its provenance."""

    value: float
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class HoursRange:
    """A duration in hours: typical, with the min and max observed or assumed."""

    typical: float
    min: float
    max: float
    provenance: Provenance

    @classmethod
    def exact(cls, hours: float, provenance: Provenance) -> HoursRange:
        return cls(hours, hours, hours, provenance)


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """A duration at each service level (a figure written once holds for all three)."""

    express: HoursRange
    scheduled: HoursRange
    standard: HoursRange

    @classmethod
    def same(cls, hours: HoursRange) -> ServiceHours:
        """The same hours at every level."""
        return cls(hours, hours, hours)

    def at(self, service: ServiceLevel) -> HoursRange:
        """The hours at one service level."""
        if service is ServiceLevel.EXPRESS:
            return self.express
        if service is ServiceLevel.STANDARD:
            return self.standard
        return self.scheduled


@dataclass(frozen=True, slots=True)
class Transshipment:
    """Handling a unit between two modes at a place, per TEU."""

    modes: frozenset[Mode]
    hours: ServiceHours
    cost_usd_per_teu: Figure


@dataclass(frozen=True, slots=True)
class BorderControls:
    """Dwell and fees at a border post, by direction (entering or leaving its country) and service level."""

    entering: ServiceHours
    leaving: ServiceHours
    fee_entering_usd_per_teu: Figure
    fee_leaving_usd_per_teu: Figure

    @classmethod
    def same(cls, dwell: HoursRange, fee: Figure) -> BorderControls:
        """One dwell and one fee for every direction and level."""
        hours = ServiceHours.same(dwell)
        return cls(hours, hours, fee, fee)

    def dwell(self, direction: BorderDirection, service: ServiceLevel) -> HoursRange:
        """Hours at the post for a crossing in ``direction`` at ``service`` level."""
        return (self.entering if direction is BorderDirection.ENTERING else self.leaving).at(service)

    def fee(self, direction: BorderDirection) -> Figure:
        """Fees per TEU for a crossing in ``direction``."""
        return self.fee_entering_usd_per_teu if direction is BorderDirection.ENTERING else self.fee_leaving_usd_per_teu


@dataclass(frozen=True, slots=True)
class Border:
    """Controls at a border crossing place, charged each time a route crosses the border there.

    ``controls`` hold for every mode unless ``by_mode`` names the mode (a place with a rail and a
    road post, whose dwell differs by an order of magnitude).
    """

    controls: BorderControls
    by_mode: tuple[tuple[Mode, BorderControls], ...] = ()

    @classmethod
    def same(cls, dwell: HoursRange, fee: Figure) -> Border:
        """One dwell and one fee for every mode, direction and level."""
        return cls(BorderControls.same(dwell, fee))

    def for_mode(self, mode: Mode) -> BorderControls:
        """The controls a link of ``mode`` meets here."""
        for item, controls in self.by_mode:
            if item is mode:
                return controls
        return self.controls


@dataclass(frozen=True, slots=True)
class GaugeChange:
    """Moving a unit between 1435 mm and 1520 mm rail at a place, per TEU."""

    hours: ServiceHours
    cost_usd_per_teu: Figure


class CapacityDirection(StrEnum):
    """Which traffic a capacity figure limits.

    ``each``: each direction separately (a line's trains per day each way, "pairs per day");
    ``both``: both directions together (a port's TEU a year); ``forward``/``reverse``: one
    direction of a link (from -> to, to -> from); ``inbound``/``outbound``: a border crossing's
    traffic into or out of the place's country.
    """

    EACH = "each"
    BOTH = "both"
    FORWARD = "forward"
    REVERSE = "reverse"
    INBOUND = "inbound"
    OUTBOUND = "outbound"


@dataclass(frozen=True, slots=True)
class Capacity:
    """One published capacity figure: services a period times units per service, or units a period.

    Exactly one rate is given: ``trains_per_day`` (with ``teu_per_train`` or ``wagons_per_train``),
    ``sailings_per_week`` (with ``teu_per_sailing``, ``wagons_per_sailing`` or ``trucks_per_sailing``;
    on a link with ``departures_per_week`` the sailings may be left out and are its departures),
    ``trucks_per_day``, ``wagons_per_day``, ``teu_per_day``, ``teu_per_year`` or ``tonnes_per_year``.
    :mod:`planner.capacity` turns it into TEU-equivalents (or tonnes) a year.
    """

    direction: CapacityDirection = CapacityDirection.EACH
    trains_per_day: Figure | None = None
    teu_per_train: Figure | None = None
    wagons_per_train: Figure | None = None
    sailings_per_week: Figure | None = None
    teu_per_sailing: Figure | None = None
    wagons_per_sailing: Figure | None = None
    trucks_per_sailing: Figure | None = None
    trucks_per_day: Figure | None = None
    wagons_per_day: Figure | None = None
    teu_per_day: Figure | None = None
    teu_per_year: Figure | None = None
    tonnes_per_year: Figure | None = None
    operating_days_per_year: Figure | None = None
    """Days a year the facility works (e.g. a road crossing closed at weekends); 365 when not given."""
    modes: frozenset[Mode] = frozenset()
    """For a transshipment capacity: the one pair of modes it limits (empty: every mode change at the place)."""
    provenance: Provenance = Provenance()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceCapacity:
    """Capacity of a place's facilities: its border controls, its gauge-change yard, its mode changes (port)."""

    border: tuple[Capacity, ...] = ()
    gauge_change: tuple[Capacity, ...] = ()
    transshipment: tuple[Capacity, ...] = ()


@dataclass(frozen=True, slots=True)
class Timetable:
    """A scheduled service on a link: departures per week and, where published, their weekdays.

    Weekdays are 0 (Monday) to 6 (Sunday): ``weekdays`` for departures from the link's ``from``
    end, ``weekdays_back`` from its ``to`` end. Without weekdays only the headway is known.
    ``both_directions`` False: the service departs from the ``from`` end only (a hub's trains);
    travel the other way has no timetable.
    """

    per_week: Figure
    weekdays: tuple[int, ...] = ()
    weekdays_back: tuple[int, ...] = ()
    both_directions: bool = True

    def applies(self, forward: bool) -> bool:
        """Whether the timetable holds for travel from the ``from`` end (``forward``) or the other way."""
        return forward or self.both_directions

    @property
    def headway_hours(self) -> float:
        return 168.0 / self.per_week.value


@dataclass(frozen=True, slots=True)
class ServiceDepartures:
    """A link's timetables by service level; None where the level has no timetabled service on it."""

    express: Timetable | None
    scheduled: Timetable | None
    standard: Timetable | None

    @classmethod
    def same(cls, timetable: Timetable) -> ServiceDepartures:
        return cls(timetable, timetable, timetable)

    def at(self, service: ServiceLevel) -> Timetable | None:
        if service is ServiceLevel.EXPRESS:
            return self.express
        if service is ServiceLevel.STANDARD:
            return self.standard
        return self.scheduled


@dataclass(frozen=True, slots=True)
class Season:
    """Extra waiting by month on the links that name this season (e.g. Caspian storm closures).

    ``months[i]`` is the added wait in month ``i + 1`` (January first), or None for no change.
    """

    id: str
    description: str
    months: tuple[HoursRange | None, ...]
    provenance: Provenance = Provenance()

    def at(self, month: int) -> HoursRange | None:
        """The added wait in ``month`` (1-12)."""
        return self.months[month - 1]


@dataclass(frozen=True, slots=True)
class Place:
    """A city, border crossing, port or terminal."""

    id: str
    name: str
    country: str
    lat: float
    lon: float
    kinds: frozenset[PlaceKind]
    aliases: tuple[str, ...] = ()
    transshipments: tuple[Transshipment, ...] = ()
    border: Border | None = None
    gauge_change: GaugeChange | None = None
    provenance: Provenance = Provenance()
    note: str | None = None
    delay_hours: float = 0.0
    """Extra hours added to every arrival here; set only by scenarios (see :mod:`planner.scenario`)."""
    capacity: PlaceCapacity | None = None
    """Throughput of the place's border controls, gauge-change yard and mode changes (volumes and capacity)."""

    def transshipment(self, a: Mode, b: Mode) -> Transshipment | None:
        """Return the handling between modes ``a`` and ``b`` here, or None when no change is possible."""
        pair = frozenset((a, b))
        for item in self.transshipments:
            if item.modes == pair:
                return item
        return None


@dataclass(frozen=True, slots=True)
class Link:
    """A rail, road or sea connection between two places."""

    id: str
    origin: str
    destination: str
    mode: Mode
    distance_km: Figure
    gauge_mm: int | None = None
    transit_hours: HoursRange | None = None
    cost_usd_per_teu: Figure | None = None
    departures: ServiceDepartures | None = None
    """Timetabled services and their waits; see docs/cost-model.md for where the wait applies."""
    queue_hours: ServiceHours | None = None
    """Waiting for a slot or berth on top of the departure wait (e.g. Caspian ferries), each time the link is used."""
    season: str | None = None
    """Id of a :class:`Season` adding wait by month."""
    co2e_g_per_tonne_km: Figure | None = None
    border_controls: bool = True
    """False where a link crosses a border without controls (inside a customs union): no dwell or fee."""
    transit_countries: tuple[str, ...] = ()
    """Countries the link passes between its ends, in order from ``origin`` (it enters and leaves each)."""
    transit_border: Border | None = None
    """Controls of one transit country at one of its borders, charged at its entry and at its exit."""
    waypoints: tuple[tuple[float, float], ...] = ()
    """Intermediate (lat, lon) points from origin to destination, for drawing only (sea lanes, long lines)."""
    bidirectional: bool = True
    status: LinkStatus = LinkStatus.OPERATIONAL
    provenance: Provenance = Provenance()
    note: str | None = None
    capacity: tuple[Capacity, ...] = ()
    """Published capacity figures of the link (per direction where published)."""

    @property
    def ends(self) -> tuple[str, str]:
        return (self.origin, self.destination)

    def countries_between(self, origin_country: str, destination_country: str, *, reverse: bool = False) -> tuple[str, ...]:
        """The countries a journey on this link passes, in travel order: ends and transit countries.

        ``origin_country`` and ``destination_country`` are those of the link's ``origin`` and
        ``destination`` places; ``reverse`` travels from ``destination`` to ``origin``.
        """
        sequence = (origin_country, *self.transit_countries, destination_country)
        return sequence[::-1] if reverse else sequence


@dataclass(frozen=True, slots=True)
class ModeDefaults:
    """Per-mode defaults used when a link gives no figure of its own."""

    mode: Mode
    speed_kmh: Figure
    cost_usd_per_teu_km: Figure
    co2e_g_per_tonne_km: Figure
    origin_wait_hours: ServiceHours | None = None
    """Hours from readiness at the origin to the first departure of this mode, besides any timetable wait."""
    cost_ratio_40ft: Figure | None = None
    """Price of a 40 ft box over that of a 20 ft box on this mode; 2 (two TEU) when not given."""
    bulk_load_tonnes: Figure | None = None
    """Bulk tonnes per load unit of this mode (rail wagon, truck, 40 ft box at sea); bulk is priced per whole unit."""


@dataclass(frozen=True, slots=True)
class Corridor:
    """A named corridor: ordered places (a main line and optional branches)."""

    id: str
    name: str
    places: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    description: str = ""
    branches: tuple[tuple[str, ...], ...] = ()
    provenance: Provenance = Provenance()

    @property
    def lines(self) -> tuple[tuple[str, ...], ...]:
        """The main line followed by the branches."""
        return (self.places, *self.branches)


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """The network file's header."""

    id: str
    name: str
    version: str
    description: str
    currency_year: int
