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


class ModesSpec(_Strict):
    rail: ModeSpec
    road: ModeSpec
    sea: ModeSpec


class TransshipmentSpec(Provenanced):
    modes: Annotated[list[ModeName], Field(min_length=2, max_length=2)]
    hours: Hours
    cost_usd_per_teu: Figure

    @model_validator(mode="after")
    def _two_modes(self) -> TransshipmentSpec:
        if self.modes[0] == self.modes[1]:
            raise ValueError(f"expected two different modes, got {self.modes}")
        return self


class BorderSpec(Provenanced):
    dwell_hours: Hours
    fee_usd_per_teu: Figure


class GaugeChangeSpec(Provenanced):
    hours: Hours
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
    departures_per_week: PositiveFigure | None = None
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
    modes: ModesSpec
    places: Annotated[list[PlaceSpec], Field(min_length=1)]
    links: list[LinkSpec] = []
    corridors: list[CorridorSpec] = []
