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
    "Source",
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
class Transshipment:
    """Handling a unit between two modes at a place, per TEU."""

    modes: frozenset[Mode]
    hours: HoursRange
    cost_usd_per_teu: Figure


@dataclass(frozen=True, slots=True)
class Border:
    """Controls at a border crossing place, charged each time a route crosses the border there."""

    dwell_hours: HoursRange
    fee_usd_per_teu: Figure


@dataclass(frozen=True, slots=True)
class GaugeChange:
    """Moving a unit between 1435 mm and 1520 mm rail at a place, per TEU."""

    hours: HoursRange
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
    departures_per_week: Figure | None = None
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
