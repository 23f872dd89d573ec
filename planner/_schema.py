"""Pydantic models of the network file format (see docs/network-format.md).

These models only describe the file's shape; cross-references (unknown places, gauges,
corridor continuity, provenance) are checked by :mod:`planner.loader`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
SourceRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)]
PositiveNumber = Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)]
NonNegativeNumber = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]
ModeName = Literal["rail", "road", "sea"]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, strict=True)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, strict=True)]
LatLon = tuple[Latitude, Longitude]
KindName = Literal["city", "border_crossing", "seaport", "dry_port", "gauge_change", "logistics_hub"]
ServiceName = Literal["express", "scheduled", "standard"]
WeekdayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS: tuple[str, ...] = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _one_or_list(value: object) -> str:
    return "source_list" if isinstance(value, list | tuple) else "one_source"


# One source key or a list of them; tagged so a bad value yields one message, not one per branch.
SourceRefs = Annotated[
    Annotated[SourceRef, Tag("one_source")] | Annotated[list[SourceRef], Tag("source_list")],
    Discriminator(_one_or_list),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Provenanced(_Strict):
    source: SourceRefs | None = None
    estimate: Text | None = None

    def source_keys(self) -> tuple[str, ...]:
        if self.source is None:
            return ()
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)


class FigureSpec(Provenanced):
    value: NonNegativeNumber


class PositiveFigureSpec(Provenanced):
    value: PositiveNumber


class RangeSpec(Provenanced):
    typical: NonNegativeNumber
    min: NonNegativeNumber | None = None
    max: NonNegativeNumber | None = None

    @model_validator(mode="after")
    def _ordered(self) -> RangeSpec:
        low = self.typical if self.min is None else self.min
        high = self.typical if self.max is None else self.max
        if not low <= self.typical <= high:
            raise ValueError(f"expected min <= typical <= max, got min={low}, typical={self.typical}, max={high}")
        return self


class PositiveRangeSpec(RangeSpec):
    typical: PositiveNumber


def _number_or_spec(value: object) -> str:
    return "spec" if isinstance(value, dict | BaseModel) else "number"


# A figure is a bare number (provenance from its block) or a mapping with its own provenance.
# The discriminator keeps validation errors to one message per field instead of one per branch.
Figure = Annotated[
    Annotated[NonNegativeNumber, Tag("number")] | Annotated[FigureSpec, Tag("spec")],
    Discriminator(_number_or_spec),
]
PositiveFigure = Annotated[
    Annotated[PositiveNumber, Tag("number")] | Annotated[PositiveFigureSpec, Tag("spec")],
    Discriminator(_number_or_spec),
]
Hours = Annotated[
    Annotated[NonNegativeNumber, Tag("number")] | Annotated[RangeSpec, Tag("spec")],
    Discriminator(_number_or_spec),
]
PositiveHours = Annotated[
    Annotated[PositiveNumber, Tag("number")] | Annotated[PositiveRangeSpec, Tag("spec")],
    Discriminator(_number_or_spec),
]


_LEVEL_KEYS = frozenset(("express", "scheduled", "standard"))
_DIRECTION_KEYS = frozenset(("entering", "leaving"))


def _hours_shape(value: object) -> str:
    """Which form an hours value takes: a number, a range, levels or directions (by its keys)."""
    if not isinstance(value, dict | BaseModel):
        return "number"
    keys = set(value) if isinstance(value, dict) else set(type(value).model_fields)
    if keys & _DIRECTION_KEYS:
        return "directions"
    if keys & _LEVEL_KEYS:
        return "levels"
    return "spec"


class LevelHoursSpec(Provenanced):
    """Hours at each service level; all three are required."""

    express: Hours
    scheduled: Hours
    standard: Hours


# Hours that may differ by service level: a number, a range, or {express, scheduled, standard}.
ServiceHours = Annotated[
    Annotated[NonNegativeNumber, Tag("number")]
    | Annotated[RangeSpec, Tag("spec")]
    | Annotated[LevelHoursSpec, Tag("levels")],
    Discriminator(_hours_shape),
]


class DirectionalHoursSpec(Provenanced):
    """Border dwell by direction: entering the post's country or leaving it."""

    entering: ServiceHours
    leaving: ServiceHours


# Border dwell: the same everywhere, by level, or by direction (each by level or not).
DwellHours = Annotated[
    Annotated[NonNegativeNumber, Tag("number")]
    | Annotated[RangeSpec, Tag("spec")]
    | Annotated[LevelHoursSpec, Tag("levels")]
    | Annotated[DirectionalHoursSpec, Tag("directions")],
    Discriminator(_hours_shape),
]


class DirectionalFeeSpec(Provenanced):
    entering: Figure
    leaving: Figure


def _fee_shape(value: object) -> str:
    if not isinstance(value, dict | BaseModel):
        return "number"
    keys = set(value) if isinstance(value, dict) else set(type(value).model_fields)
    return "directions" if keys & _DIRECTION_KEYS else "spec"


Fee = Annotated[
    Annotated[NonNegativeNumber, Tag("number")]
    | Annotated[FigureSpec, Tag("spec")]
    | Annotated[DirectionalFeeSpec, Tag("directions")],
    Discriminator(_fee_shape),
]


class TimetableSpec(Provenanced):
    """Departures per week, with the weekdays where they are published."""

    value: PositiveNumber
    weekdays: Annotated[list[WeekdayName], Field(max_length=7)] = []
    weekdays_back: Annotated[list[WeekdayName], Field(max_length=7)] = []
    both_directions: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> TimetableSpec:
        for name in ("weekdays", "weekdays_back"):
            days = getattr(self, name)
            if len(set(days)) != len(days):
                raise ValueError(f"{name} lists a day twice: {days}")
            if days and abs(len(days) - self.value) > 1e-9:
                raise ValueError(f"{name} lists {len(days)} day(s) but value is {self.value:g} departures per week")
        if self.weekdays_back and not self.both_directions:
            raise ValueError("weekdays_back is for departures from the 'to' end, but both_directions is false")
        return self


def _departures_shape(value: object) -> str:
    if not isinstance(value, dict | BaseModel):
        return "number"
    keys = set(value) if isinstance(value, dict) else set(type(value).model_fields)
    return "levels" if keys & _LEVEL_KEYS else "spec"


Timetable = Annotated[
    Annotated[PositiveNumber, Tag("number")] | Annotated[TimetableSpec, Tag("spec")],
    Discriminator(_number_or_spec),
]


class LevelDeparturesSpec(Provenanced):
    """Departures by service level; a level left out has no timetabled service on the link."""

    express: Timetable | None = None
    scheduled: Timetable | None = None
    standard: Timetable | None = None

    @model_validator(mode="after")
    def _some(self) -> LevelDeparturesSpec:
        if self.express is None and self.scheduled is None and self.standard is None:
            raise ValueError("give departures for at least one of express, scheduled, standard")
        return self


Departures = Annotated[
    Annotated[PositiveNumber, Tag("number")]
    | Annotated[TimetableSpec, Tag("spec")]
    | Annotated[LevelDeparturesSpec, Tag("levels")],
    Discriminator(_departures_shape),
]


class SeasonSpec(Provenanced):
    """Extra wait by month (jan..dec; months left out add nothing) on the links naming this season."""

    description: Text
    jan: Hours | None = None
    feb: Hours | None = None
    mar: Hours | None = None
    apr: Hours | None = None
    may: Hours | None = None
    jun: Hours | None = None
    jul: Hours | None = None
    aug: Hours | None = None
    sep: Hours | None = None
    oct: Hours | None = None
    nov: Hours | None = None
    dec: Hours | None = None


class NetworkHeader(_Strict):
    id: Slug
    name: Text
    version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    description: Text
    currency_year: Annotated[int, Field(ge=1990, le=2100, strict=True)]


class SourceSpec(_Strict):
    publisher: Text
    title: Text
    year: Annotated[int, Field(ge=1800, le=2100, strict=True)]
    url: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ModeSpec(_Strict):
    speed_kmh: PositiveFigureSpec
    cost_usd_per_teu_km: FigureSpec
    co2e_g_per_tonne_km: FigureSpec
    origin_wait_hours: ServiceHours | None = None
    cost_ratio_40ft: PositiveFigureSpec | None = None
    bulk_load_tonnes: PositiveFigureSpec | None = None


class ModesSpec(_Strict):
    rail: ModeSpec
    road: ModeSpec
    sea: ModeSpec


class TransshipmentSpec(Provenanced):
    modes: Annotated[list[ModeName], Field(min_length=2, max_length=2)]
    hours: ServiceHours
    cost_usd_per_teu: Figure

    @model_validator(mode="after")
    def _two_modes(self) -> TransshipmentSpec:
        if self.modes[0] == self.modes[1]:
            raise ValueError(f"expected two different modes, got {self.modes}")
        return self


class BorderModeSpec(Provenanced):
    """A border post's figures for links of one mode, where they differ from the block's."""

    dwell_hours: DwellHours | None = None
    fee_usd_per_teu: Fee | None = None

    @model_validator(mode="after")
    def _some(self) -> BorderModeSpec:
        if self.dwell_hours is None and self.fee_usd_per_teu is None:
            raise ValueError("give dwell_hours, fee_usd_per_teu or both for this mode")
        return self


class BorderSpec(Provenanced):
    dwell_hours: DwellHours
    fee_usd_per_teu: Fee
    rail: BorderModeSpec | None = None
    road: BorderModeSpec | None = None
    sea: BorderModeSpec | None = None


class GaugeChangeSpec(Provenanced):
    hours: ServiceHours
    cost_usd_per_teu: Figure


CAPACITY_RATES = (
    "trains_per_day",
    "sailings_per_week",
    "trucks_per_day",
    "wagons_per_day",
    "teu_per_day",
    "teu_per_year",
    "tonnes_per_year",
)
"""The rates a capacity figure may give; exactly one per figure."""
_LOADS = {
    "trains_per_day": ("teu_per_train", "wagons_per_train"),
    "sailings_per_week": ("teu_per_sailing", "wagons_per_sailing", "trucks_per_sailing"),
}
_FIGURE_FIELDS = (
    *CAPACITY_RATES,
    *(name for names in _LOADS.values() for name in names),
    "operating_days_per_year",
)
CapacityDirectionName = Literal["each", "both", "forward", "reverse", "inbound", "outbound"]


class CapacitySpec(Provenanced):
    trains_per_day: PositiveFigure | None = None
    teu_per_train: PositiveFigure | None = None
    wagons_per_train: PositiveFigure | None = None
    sailings_per_week: PositiveFigure | None = None
    teu_per_sailing: PositiveFigure | None = None
    wagons_per_sailing: PositiveFigure | None = None
    trucks_per_sailing: PositiveFigure | None = None
    trucks_per_day: PositiveFigure | None = None
    wagons_per_day: PositiveFigure | None = None
    teu_per_day: PositiveFigure | None = None
    teu_per_year: PositiveFigure | None = None
    tonnes_per_year: PositiveFigure | None = None
    operating_days_per_year: PositiveFigure | None = None
    direction: CapacityDirectionName = "each"
    modes: Annotated[list[ModeName], Field(min_length=2, max_length=2)] | None = None
    note: Text | None = None

    def figures(self) -> list[tuple[str, object]]:
        """The figures given, by field name (rates, loads and operating days)."""
        return [(name, value) for name in _FIGURE_FIELDS if (value := getattr(self, name)) is not None]

    def rates_per_sailing(self) -> list[str]:
        return [name for name in _LOADS["sailings_per_week"] if getattr(self, name) is not None]

    @model_validator(mode="after")
    def _one_rate(self) -> CapacitySpec:
        rates = [name for name in CAPACITY_RATES if getattr(self, name) is not None]
        loads = [name for names in _LOADS.values() for name in names if getattr(self, name) is not None]
        per_sailing = [name for name in _LOADS["sailings_per_week"] if getattr(self, name) is not None]
        if not rates and per_sailing:
            rates = ["sailings_per_week"]  # sailings taken from the link's departures_per_week
        if len(rates) != 1:
            given = ", ".join(rates) if rates else "none"
            raise ValueError(f"give exactly one rate of {', '.join(CAPACITY_RATES)}; got {given}")
        allowed = _LOADS.get(rates[0], ())
        wrong = [name for name in loads if name not in allowed]
        if wrong:
            raise ValueError(f"{wrong[0]} does not go with {rates[0]}")
        if len(loads) > 1:
            raise ValueError(f"give one load per service, got {', '.join(loads)}")
        if rates[0] == "sailings_per_week" and not loads:
            raise ValueError("sailings_per_week needs teu_per_sailing, wagons_per_sailing or trucks_per_sailing")
        if self.operating_days_per_year is not None:
            days = self.operating_days_per_year
            value = days if isinstance(days, int | float) else days.value
            if value > 366:
                raise ValueError(f"operating_days_per_year must be at most 366, got {value}")
        if self.modes is not None and self.modes[0] == self.modes[1]:
            raise ValueError(f"expected two different modes, got {self.modes}")
        return self


def _capacity_one_or_list(value: object) -> str:
    return "capacity_list" if isinstance(value, list | tuple) else "one_capacity"


# One capacity figure or a list of them (one per direction, or one per unit such as TEU and tonnes).
Capacities = Annotated[
    Annotated[CapacitySpec, Tag("one_capacity")]
    | Annotated[Annotated[list[CapacitySpec], Field(min_length=1, max_length=20)], Tag("capacity_list")],
    Discriminator(_capacity_one_or_list),
]


def capacity_list(value: CapacitySpec | list[CapacitySpec] | None) -> list[CapacitySpec]:
    """The capacity figures of a ``capacity`` value, one or a list."""
    if value is None:
        return []
    return [value] if isinstance(value, CapacitySpec) else list(value)


class PlaceCapacitySpec(_Strict):
    border: Capacities | None = None
    gauge_change: Capacities | None = None
    transshipment: Capacities | None = None


class PlaceSpec(Provenanced):
    id: Slug
    name: Text
    aliases: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []
    country: Country
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, strict=True)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, strict=True)]
    kinds: Annotated[list[KindName], Field(min_length=1)]
    transshipment: list[TransshipmentSpec] = []
    border: BorderSpec | None = None
    gauge_change: GaugeChangeSpec | None = None
    capacity: PlaceCapacitySpec | None = None
    note: Text | None = None


class LinkSpec(Provenanced):
    id: Slug
    from_: Slug = Field(alias="from")
    to: Slug
    mode: ModeName
    distance_km: PositiveFigure
    gauge_mm: Literal[1435, 1520] | None = None
    transit_hours: PositiveHours | None = None
    cost_usd_per_teu: Figure | None = None
    departures_per_week: Departures | None = None
    queue_hours: ServiceHours | None = None
    season: Slug | None = None
    co2e_g_per_tonne_km: Figure | None = None
    border_controls: bool = True
    transit_countries: Annotated[list[Country], Field(max_length=10)] = []
    transit_border: BorderSpec | None = None
    waypoints: Annotated[list[LatLon], Field(max_length=200)] = []
    bidirectional: bool = True
    status: Literal["operational", "planned"] = "operational"
    capacity: Capacities | None = None
    note: Text | None = None


class CorridorSpec(Provenanced):
    id: Slug
    name: Text
    aliases: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []
    description: Text
    places: Annotated[list[Slug], Field(min_length=2)]
    branches: list[Annotated[list[Slug], Field(min_length=2)]] = []


class NetworkFile(_Strict):
    network: NetworkHeader
    sources: dict[SourceRef, SourceSpec] = {}
    seasons: dict[Slug, SeasonSpec] = {}
    modes: ModesSpec
    places: Annotated[list[PlaceSpec], Field(min_length=1)]
    links: list[LinkSpec] = []
    corridors: list[CorridorSpec] = []
