"""Pydantic models of the network file format (see docs/network-format.md).

These models only describe the file's shape; cross-references (unknown places, gauges,
corridor continuity, provenance) are checked by :mod:`planner.loader`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

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


def _whole(value: object) -> object:
    # JSON Schema (and so an API client) counts 2024.0 as an integer; true and "2024" stay refused.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# The bounds sit inside the validator: pydantic writes them into the JSON schema only there.
Year = Annotated[Annotated[int, Field(ge=1800, le=2100, strict=True)], BeforeValidator(_whole)]


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
    year: Year
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
