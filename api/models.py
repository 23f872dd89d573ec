"""Request models and OpenAPI documentation pieces: strict, closed (``extra="forbid"``), bounded."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from planner import (
    DEFAULT_MAX_SHARED_FRACTION,
    DEFAULT_MAX_STRETCH,
    DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    MAX_AVOID,
    MAX_K,
    MAX_STRETCH,
    MAX_TEU,
    MAX_TONNES,
    MAX_VIA,
    DemandRow,
)
from planner.criticality import DEFAULT_MAX_FLOWS
from planner.demand import MAX_DEMAND_ROWS, MAX_TEU_PER_YEAR, MAX_TONNES_PER_YEAR

__all__ = [
    "DEMAND_SET",
    "INLINE_SCENARIO",
    "MATRIX_MAX_CELLS",
    "MATRIX_MAX_SIDE",
    "MAX_COMPARE_CORRIDORS",
    "PRINTABLE",
    "PROBLEM_REF",
    "SCENARIO_REF",
    "UPLOADED_SCENARIO_ID",
    "AssignmentBody",
    "AssignmentOptions",
    "AssignmentQuery",
    "BatchRowFields",
    "BatchSubmission",
    "CompareBody",
    "ContainerName",
    "CompareQuery",
    "CountryCode",
    "CriticalityBody",
    "DemandRowIn",
    "Format",
    "Identifier",
    "InlineScenario",
    "IsoDate",
    "MatrixBody",
    "Month",
    "PlaceQuery",
    "RankName",
    "RouteBody",
    "RouteOptions",
    "RouteQuery",
    "ScenarioName",
    "ScenarioRef",
    "SearchOptions",
    "ServiceName",
    "whole_number",
]

MAX_COMPARE_CORRIDORS = 20
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
"""No control characters (NUL, newlines, escapes); any other Unicode is fine."""

PlaceQuery = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=PRINTABLE)]
ListedId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^,\x00-\x1f\x7f]+$")]
"""An id in a query-string list, where a comma separates items."""
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
ScenarioName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
"""What the server reads as a scenario reference: a bundled scenario's name is checked by the planner (422
otherwise), an uploaded id (``sc-`` and 16 hex digits) against the caller's uploads (404 otherwise)."""
UPLOADED_SCENARIO_ID = r"^sc-[0-9a-f]{16}$"

# Placeholders in the JSON schema, filled in by api.openapi when the document is built: the bundled
# scenario names are read from their files then (never at import), the scenario format comes from the planner.
SCENARIO_REF = "x-corridor-scenario-ref"
INLINE_SCENARIO = "x-corridor-inline-scenario"
DEMAND_SET = "x-corridor-demand-set"
ScenarioRef = Annotated[
    ScenarioName,
    WithJsonSchema({SCENARIO_REF: True, "description": "A bundled scenario's name or an uploaded scenario's id"}),
]
InlineScenario = Annotated[dict[str, Any], WithJsonSchema({INLINE_SCENARIO: True})]
RankName = Literal["time", "cost", "co2e", "generalized", "reliable", "pareto"]
CompareRankName = Literal["time", "cost", "co2e", "generalized", "reliable"]
"""A comparison ranks each corridor's best route by one criterion: no Pareto set."""
ServiceName = Literal["express", "scheduled", "standard"]
ContainerName = Literal["20ft", "40ft", "40hc"]
IsoDate = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"),
    # the dates the planner takes: 1990-01-01 to 2100-12-31, each a real day (format: date)
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^(199\d|20\d\d|2100)-\d{2}-\d{2}$"}),
]
ModeName = Literal["rail", "road", "sea"]
Format = Literal["json", "geojson"]
Teu = Annotated[float, Field(gt=0, le=MAX_TEU, allow_inf_nan=False, description="Shipment size in TEU (default 1)")]
Tonnes = Annotated[float, Field(gt=0, le=MAX_TONNES, allow_inf_nan=False, description="Shipment size in tonnes")]


def whole_number(value: Any) -> Any:
    """A whole float as an int: JSON Schema counts 3.0 as an integer (never 3.5, never true, never \"3\" in a body)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# The bounds sit inside the validator (pydantic writes them into the JSON schema only there).
Count = Annotated[Annotated[int, Field(ge=0, le=100)], BeforeValidator(whole_number)]
RouteCount = Annotated[Annotated[int, Field(ge=1, le=MAX_K)], BeforeValidator(whole_number)]
Month = Annotated[Annotated[int, Field(ge=1, le=12)], BeforeValidator(whole_number)]


def _request_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """What JSON Schema can say beyond the fields: each alias a property, one name per field, teu or tonnes."""
    properties: dict[str, Any] = schema.get("properties", {})
    required: list[str] = schema.get("required", [])
    rules: list[dict[str, Any]] = []
    for primary, alias in ALIASES.items():
        if primary not in properties:
            continue
        properties[alias] = {k: v for k, v in properties[primary].items() if k not in ("title", "description")}
        if primary in LIST_ALIASES:
            properties[alias]["description"] = f"Alias of `{primary}`; items given under both names are joined"
            continue
        properties[alias]["description"] = f"Alias of `{primary}` (give one of the two)"
        if primary in required:
            required.remove(primary)
            rules.append({"oneOf": [{"required": [primary]}, {"required": [alias]}]})
        else:
            rules.append({"not": {"required": [primary, alias]}})
    if "teu" in properties and "tonnes" in properties:
        rules.append(SHIPMENT_RULE)
    if "month" in properties and "departure_date" in properties:
        rules.append(SEASON_RULE)
    if "pareto" in properties.get("rank", {}).get("enum", []) and "via" in properties:
        rules.append(PARETO_RULE)
    rules += getattr(model, "schema_rules", [])
    if rules:
        schema["allOf"] = rules
    if not required:
        schema.pop("required", None)
    examples: list[dict[str, Any]] | None = getattr(model, "schema_examples", None)
    if examples:
        schema["examples"] = examples


_WHOLE_BOXES = {
    "anyOf": [
        {"title": "20 ft boxes", "properties": {"container": {"enum": ["20ft", None]}}},
        {"title": "40 ft boxes, 2 TEU each", "properties": {"teu": {"multipleOf": 2}}},
    ]
}
SHIPMENT_RULE: dict[str, Any] = {
    "description": "The shipment is given as teu (in whole boxes of the container) or as tonnes (no container), "
    "not both; neither: one box",
    "oneOf": [
        {"title": "teu", "required": ["teu"], "properties": {"teu": {"type": "number"}, "tonnes": {"type": "null"}}, **_WHOLE_BOXES},
        {"title": "tonnes", "required": ["tonnes"], "properties": {"tonnes": {"type": "number"}, "teu": {"type": "null"}, "container": {"type": "null"}}},
        {"title": "neither (one box)", "properties": {"teu": {"type": "null"}, "tonnes": {"type": "null"}}},
    ],
}  # fmt: skip
"""teu XOR tonnes, null counting as not given (as the server reads it); a container only with teu."""
PARETO_RULE: dict[str, Any] = {
    "description": "rank=pareto takes avoid lists and modes, not via, corridor, max_border_crossings or max_transshipments",
    "anyOf": [
        {"title": "one criterion", "properties": {"rank": {"enum": ["time", "cost", "co2e", "generalized", "reliable"]}}},
        {
            "title": "pareto",
            "properties": {
                "via": {"maxItems": 0},
                "corridor": {"type": "null"},
                "max_border_crossings": {"type": "null"},
                "max_transshipments": {"type": "null"},
            },
        },
    ],
}
SEASON_RULE: dict[str, Any] = {
    "description": "month or departure_date (whose month then applies), not both",
    "anyOf": [
        {"title": "no month", "properties": {"month": {"type": "null"}}},
        {"title": "no departure date", "properties": {"departure_date": {"type": "null"}}},
    ],
}


class _Strict(BaseModel):
    # strict: no "3" for an int, no 3.0 for an int, no true for a number.
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_request_schema)


def _names(primary: str, alias: str) -> AliasChoices:
    return AliasChoices(primary, alias)


# Every field of a request has one primary name and at most one alias; the same in a query string and a body.
ALIASES = {
    "origin": "from",
    "destination": "to",
    "avoid_countries": "avoid_country",
    "avoid_places": "avoid_place",
    "avoid_links": "avoid_link",
    "corridors": "corridor",
}
LIST_ALIASES = frozenset({"avoid_countries", "avoid_places", "avoid_links", "corridors"})
"""Lists given under both names are joined (``avoid_country=RU&avoid_countries=BY`` avoids both); a single
value under both names is an error."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class SearchOptions(_Strict):
    """Options shared by routes, comparisons and matrices (see planner.resolve_request).

    Each field has one name, in a query string and in a body alike; the singular
    ``avoid_country``/``avoid_place``/``avoid_link`` are accepted as aliases. Giving a field under
    both names is an error.
    """

    rank: RankName = Field("time", description="What routes are ranked by: time, cost, co2e, generalized, reliable, pareto")
    teu: Teu | None = None
    tonnes: Tonnes | None = None
    avoid_countries: list[CountryCode] = Field(
        default_factory=list,
        max_length=MAX_AVOID,
        description="ISO 3166-1 alpha-2 codes (a route never enters them, in transit either); alias `avoid_country`",
        validation_alias=_names("avoid_countries", "avoid_country"),
    )
    avoid_places: list[PlaceQuery] = Field(
        default_factory=list, max_length=MAX_AVOID, description="alias `avoid_place`", validation_alias=_names("avoid_places", "avoid_place")
    )
    avoid_links: list[Identifier] = Field(
        default_factory=list, max_length=MAX_AVOID, description="alias `avoid_link`", validation_alias=_names("avoid_links", "avoid_link")
    )
    modes: list[ModeName] | None = Field(None, min_length=1, max_length=3, description="Allowed modes (default all)")
    max_border_crossings: Count | None = Field(None, description="Border crossings at most (a transit country counts its entry and exit)")
    max_transshipments: Count | None = None
    service: ServiceName = Field(
        "scheduled",
        description="express (priority block trains, green-lane clearance), scheduled (regular block trains and "
        "liners) or standard (wagonload, groupage, ordinary trucks): which dwell, queue and wait figures apply",
    )
    container: ContainerName | None = Field(
        None, description="20ft (default), 40ft or 40hc for a TEU shipment; a 40 ft box counts 2 TEU"
    )
    departure_date: IsoDate | None = Field(
        None, description="YYYY-MM-DD the cargo is ready at the origin: waits for services with published weekdays are exact and routes carry arrival dates"
    )
    month: Month | None = Field(None, description="1-12: that month's seasonal waits (default: the month of departure_date)")

    @model_validator(mode="before")
    @classmethod
    def _one_name_per_field(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for primary, alias in ALIASES.items():
                if primary in cls.model_fields and primary in data and alias in data:
                    if primary not in LIST_ALIASES:
                        raise ValueError(f"{primary} and {alias} name the same field: give one of them")
                    nullable = cls.model_fields[primary].default is None  # there, null means not given
                    given = [data[name] for name in (primary, alias) if not (nullable and data[name] is None)]
                    data = {k: v for k, v in data.items() if k != alias}
                    data[primary] = [item for value in given for item in _as_list(value)] if given else None
        return data

    @field_validator("tonnes")
    @classmethod
    def _teu_or_tonnes(cls, tonnes: float | None, info: ValidationInfo) -> float | None:
        if tonnes is not None and info.data.get("teu") is not None:
            raise ValueError("give teu or tonnes, not both")
        return tonnes

    @field_validator("month")
    @classmethod
    def _month_or_date(cls, month: int | None, info: ValidationInfo) -> int | None:
        # The planner takes both when they agree; the API asks for one, which JSON Schema can say.
        date = info.data.get("departure_date")
        if month is not None and date is not None:
            if date[5:7] != f"{month:02d}":
                raise ValueError(f"month {month} contradicts departure_date {date}; give one of them")
            raise ValueError("give month or departure_date (whose month then applies), not both")
        return month

    def planner_options(self) -> dict[str, Any]:
        """Keyword options for planner.resolve_request (places and API-only fields left out)."""
        skip = {"origin", "destination", "origins", "destinations", "scenario", "corridors", "format"}
        return {k: v for k, v in self.model_dump(exclude=skip).items() if v is not None}


class _Ends(_Strict):
    """One origin and one destination (``from``/``to`` are accepted as aliases)."""

    origin: PlaceQuery = Field(
        description="Place id, name or alias. Primary name; `from` is accepted as an alias",
        validation_alias=_names("origin", "from"),
    )
    destination: PlaceQuery = Field(
        description="Place id, name or alias. Primary name; `to` is accepted as an alias",
        validation_alias=_names("destination", "to"),
    )


class RouteOptions(SearchOptions, _Ends):
    """Options shared by routes and comparisons: the search options between one origin and one destination.

    ``from``/``to`` are accepted as aliases of ``origin``/``destination`` (listed first).
    """


class RouteBody(RouteOptions):
    """A route request."""

    schema_examples: ClassVar[list[dict[str, Any]]] = [
        {"origin": "Xi'an", "destination": "Duisburg", "rank": "time", "k": 3, "teu": 2, "avoid_countries": ["RU"]},
        {
            "origin": "Tashkent",
            "destination": "Istanbul",
            "rank": "cost",
            "scenario": {"name": "ru_closed", "title": "Russian border closed", "changes": [{"close_border": "RU"}]},
        },
    ]

    k: RouteCount = Field(3, description=f"Number of routes, 1..{MAX_K}")
    via: list[PlaceQuery] = Field(default_factory=list, max_length=MAX_VIA, description="Places to pass, in order")
    corridor: Identifier | None = Field(None, description="Stay on this corridor (id or alias)")
    max_stretch: float = Field(
        DEFAULT_MAX_STRETCH,
        ge=1,
        le=MAX_STRETCH,
        allow_inf_nan=False,
        description=f"No alternative worse than this factor times the best route on the ranked criterion (1..{MAX_STRETCH:g})",
    )
    max_shared_fraction: float = Field(
        DEFAULT_MAX_SHARED_FRACTION,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Two routes share at most this fraction of the shorter one's distance (1: no bound)",
    )
    scenario: InlineScenario | ScenarioRef | None = Field(
        None, description="A bundled scenario's name, an uploaded scenario's id, or a scenario given inline"
    )


class CompareBody(RouteOptions):
    """A corridor comparison request."""

    schema_examples: ClassVar[list[dict[str, Any]]] = [
        {"origin": "Xi'an", "destination": "Istanbul", "corridors": ["titr", "northern"], "rank": "time", "teu": 1},
        {"origin": "Almaty", "destination": "Baku", "scenario": "caspian_ferries_halved"},
    ]

    rank: CompareRankName = Field(
        "time", description="What each corridor's best route is chosen by: time, cost, co2e, generalized, reliable"
    )
    corridors: list[Identifier] | None = Field(
        None,
        max_length=MAX_COMPARE_CORRIDORS,
        description="Corridors to compare (default: every corridor); alias `corridor`",
        validation_alias=_names("corridors", "corridor"),
    )
    scenario: InlineScenario | ScenarioRef | None = Field(
        None, description="A bundled scenario's name, an uploaded scenario's id, or a scenario given inline"
    )


def _split_commas(data: Any, names: tuple[str, ...]) -> Any:
    """Query-string lists may also be comma-separated (``modes=rail,sea``)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for name in names:
        value = out.get(name)
        items = [value] if isinstance(value, str) else value
        if isinstance(items, list) and all(isinstance(v, str) for v in items):
            out[name] = [part for v in items for part in v.split(",")]  # an empty item stays, and is refused
    return out


_QUERY = ConfigDict(extra="forbid", strict=False, json_schema_extra=_request_schema)


MATRIX_MAX_SIDE = 1_000
"""Origins (and destinations) one matrix request may name."""
MATRIX_MAX_CELLS = 10_000
"""Cells a synchronous matrix answer holds at most (100 x 100); a larger one runs as a batch job."""
MatrixRankName = Literal["time", "cost", "co2e", "generalized", "reliable"]


class _MatrixEnds(_Strict):
    """Origins and destinations of a matrix."""

    origins: list[PlaceQuery] = Field(min_length=1, max_length=MATRIX_MAX_SIDE, description="Place ids, names or aliases")
    destinations: list[PlaceQuery] = Field(min_length=1, max_length=MATRIX_MAX_SIDE, description="Place ids, names or aliases")


class MatrixBody(SearchOptions, _MatrixEnds):
    """A matrix request: the best route (k=1) from every origin to every destination, with one set of options."""

    schema_examples: ClassVar[list[dict[str, Any]]] = [
        {"origins": ["Xi'an", "Almaty"], "destinations": ["Tashkent", "Baku", "Istanbul"], "rank": "cost", "teu": 2},
        {"origins": ["Kashgar"], "destinations": ["Tashkent", "Andijan"], "scenario": "cku_opened"},
    ]

    rank: MatrixRankName = Field(
        "time", description="What each cell's route is the best by: time, cost, co2e, generalized or reliable"
    )
    via: list[PlaceQuery] = Field(default_factory=list, max_length=MAX_VIA, description="Places to pass, in order")
    corridor: Identifier | None = Field(None, description="Stay on this corridor (id or alias)")
    scenario: dict[str, Any] | ScenarioName | None = Field(
        None, description="An inline scenario object, a bundled scenario's name or an uploaded scenario's id"
    )


class RouteQuery(RouteBody):
    """GET /v1/routes: the fields of a route request as query parameters (repeat a list parameter, or separate by commas)."""

    model_config = _QUERY
    schema_examples: ClassVar[list[dict[str, Any]]] = [
        {"from": "Xi'an", "to": "Duisburg", "k": 3, "avoid_countries": ["RU"]},
        {"origin": "Kashgar", "destination": "Tashkent", "rank": "cost", "scenario": "cku_opened"},
    ]

    scenario: ScenarioRef | None = Field(None, description="A bundled scenario's name or an uploaded scenario's id")
    format: Format = Field("json", description="json (default) or geojson: a FeatureCollection of the routes")
    avoid_links: list[ListedId] = Field(
        default_factory=list, max_length=MAX_AVOID, description="alias `avoid_link`", validation_alias=_names("avoid_links", "avoid_link")
    )

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: Any) -> Any:
        return _split_commas(data, ("modes", "avoid_countries", "avoid_country", "avoid_links", "avoid_link"))


class CompareQuery(CompareBody):
    """GET /v1/compare: the fields of a comparison as query parameters."""

    model_config = _QUERY
    schema_examples: ClassVar[list[dict[str, Any]]] = [
        {"from": "Xi'an", "to": "Istanbul", "corridors": ["titr", "northern"]},
        {"origin": "Almaty", "destination": "Baku", "scenario": "caspian_ferries_halved"},
    ]

    scenario: ScenarioRef | None = Field(None, description="A bundled scenario's name or an uploaded scenario's id")
    avoid_links: list[ListedId] = Field(
        default_factory=list, max_length=MAX_AVOID, description="alias `avoid_link`", validation_alias=_names("avoid_links", "avoid_link")
    )
    corridors: list[ListedId] | None = Field(
        None,
        max_length=MAX_COMPARE_CORRIDORS,
        description="Corridors to compare (default: every corridor); alias `corridor`",
        validation_alias=_names("corridors", "corridor"),
    )

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: Any) -> Any:
        return _split_commas(
            data, ("modes", "avoid_countries", "avoid_country", "avoid_links", "avoid_link", "corridors", "corridor")
        )


class BatchRowFields(BaseModel):
    """One row of a batch (a JSON object, a CSV record under a header or a JSON Lines line): a route request."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, description="Your id for the row, echoed in the results (default: the row number)")
    origin: str = Field(description="Place id, name or alias")
    destination: str = Field(description="Place id, name or alias")
    rank: RankName | None = None
    k: int | None = Field(None, ge=1, le=MAX_K)
    max_stretch: float | None = None
    teu: float | None = None
    tonnes: float | None = None
    avoid_countries: list[str] | str | None = Field(None, description="A list, or codes separated by ';' or '|'")
    via: list[str] | str | None = Field(None, description="A list, or places separated by ';' or '|'")
    corridor: str | None = None
    scenario: str | None = Field(None, description="A bundled scenario's name")
    service: ServiceName | None = None
    container: ContainerName | None = None
    departure_date: str | None = Field(None, description="YYYY-MM-DD")


class BatchSubmission(BaseModel):
    """A batch as JSON: its rows and the results format.

    Each row is read on its own: a row that is not a valid route request (see BatchRowFields) does
    not refuse the batch, it gets its error in its place in the results. Only the body's shape
    (an object with ``rows``, and ``format`` if given) is checked before the job is accepted.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"rows": [{"id": "r1", "origin": "Xi'an", "destination": "Tashkent"},
                                               {"id": "r2", "origin": "Almaty", "destination": "Baku", "rank": "cost"}],
                                      "format": "csv"}]},
    )  # fmt: skip

    rows: list[Annotated[Any, WithJsonSchema({"anyOf": [{"$ref": "#/components/schemas/BatchRowFields"}, {}]})]] = Field(
        description="Route requests, one per row; a row that cannot be read is reported in its place in the results"
    )
    format: Literal["csv", "jsonl"] | None = Field(None, description="Results format (default: csv)")


# --- assignments -----------------------------------------------------------------------------------

Iterations = Annotated[Annotated[int, Field(ge=1, le=10_000)], BeforeValidator(whole_number)]
CargoName = Literal["container", "bulk_grain", "coal", "liquid_bulk", "metals", "construction", "bulk_fertiliser"]
DemandSetName = Annotated[str, Field(min_length=1, max_length=200, json_schema_extra={DEMAND_SET: True})]

Text = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=PRINTABLE)]
Volume = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class AssignmentOptions(_Strict):
    """Options of an assignment (see planner.assign)."""

    method: Literal["aon", "incremental", "msa", "fw", "bfw"] = "bfw"
    gap: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] = 1e-4
    max_iterations: Iterations = 500
    capacity_mode: Literal["queue", "hard"] = "queue"
    criterion: Literal["generalized", "time"] = "generalized"
    scenario: InlineScenario | ScenarioRef | None = Field(
        None, description="A bundled scenario's name, an uploaded scenario's id, or a scenario given inline"
    )


class AssignmentQuery(BaseModel):
    """The options of a CSV or JSON Lines submission, in the query string (a JSON submission has them in its body)."""

    method: Literal["aon", "incremental", "msa", "fw", "bfw"] | None = None
    gap: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] | None = None
    max_iterations: Annotated[int, Field(ge=1, le=10_000)] | None = None
    capacity_mode: Literal["queue", "hard"] | None = None
    criterion: Literal["generalized", "time"] | None = None
    scenario: ScenarioRef | None = Field(None, description="a bundled scenario's name or an uploaded scenario's id (sc-...)")


class DemandRowIn(BaseModel):
    """One demand row of a JSON submission: a yearly volume between two places."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={  # the rule the validator below enforces
            "anyOf": [
                {"title": "teu_per_year", "required": ["teu_per_year"], "properties": {"teu_per_year": {"type": "number"}}},
                {"title": "tonnes_per_year", "required": ["tonnes_per_year"], "properties": {"tonnes_per_year": {"type": "number"}}},
            ]
        },
    )

    id: Text | None = Field(None, description="Your id for the row")
    origin: PlaceQuery = Field(description="Place id, name or alias")
    destination: PlaceQuery = Field(description="Place id, name or alias")
    cargo: CargoName = Field("container", description="The cargo class (how tonnes become load units)")
    teu_per_year: Annotated[Volume, Field(le=MAX_TEU_PER_YEAR)] | None = Field(None, description="TEU a year")
    tonnes_per_year: Annotated[Volume, Field(le=MAX_TONNES_PER_YEAR)] | None = Field(None, description="Tonnes a year")
    commodity: Text | None = None
    usd_per_year: Annotated[float, Field(allow_inf_nan=False)] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _volume(self) -> DemandRowIn:
        if self.teu_per_year is None and self.tonnes_per_year is None:
            raise ValueError("give teu_per_year, tonnes_per_year or both")
        return self

    def row(self, number: int) -> DemandRow:
        """The planner's row (places not yet looked up)."""
        return DemandRow(number, **self.model_dump())


_SOME_VOLUME = {
    "anyOf": [
        {"title": "TEU", "required": ["teu_per_year"], "properties": {"teu_per_year": {"type": "number", "exclusiveMinimum": 0}}},
        {"title": "tonnes", "required": ["tonnes_per_year"], "properties": {"tonnes_per_year": {"type": "number", "exclusiveMinimum": 0}}},
    ]
}  # fmt: skip


def _name_or_rows(value: Any) -> str:
    return "name" if isinstance(value, str) else "rows"


DemandIn = Annotated[
    Annotated[DemandSetName, Tag("name")]
    | Annotated[
        list[DemandRowIn],
        Field(min_length=1, max_length=MAX_DEMAND_ROWS, json_schema_extra={"contains": _SOME_VOLUME}),
        Tag("rows"),
    ],
    Discriminator(_name_or_rows),  # errors name the branch: demand.rows[2].cargo
]
"""Demand in a JSON body: a bundled set's name, or rows of which at least one has a volume."""


class AssignmentBody(AssignmentOptions):
    """A JSON submission: the demand (a bundled set's name, or rows) and the options."""

    schema_examples: ClassVar[list[dict[str, Any]]] = [
        {"demand": "uz_kz_2030", "method": "bfw", "gap": 1e-4, "capacity_mode": "queue", "scenario": "cku_opened"},
        {"demand": [{"origin": "Tashkent", "destination": "Almaty", "cargo": "container", "teu_per_year": 40000}]},
    ]
    demand: DemandIn = Field(description="A bundled demand set (GET /v1/demand), or rows of which at least one has a volume above zero")


# --- criticality -----------------------------------------------------------------------------------

MAX_ASSETS = 5_000
MAX_FLOWS_PER_ASSET = 200
AssetId = Annotated[str, StringConstraints(min_length=3, max_length=100, pattern=PRINTABLE)]
AssetKindName = Literal["link", "border", "gauge_change", "transshipment", "port"]
FlowCount = Annotated[Annotated[int, Field(ge=0, le=MAX_FLOWS_PER_ASSET)], BeforeValidator(whole_number)]


class CriticalityBody(_Strict):
    """A criticality run (see planner.criticality): the demand and the options; every field is optional."""

    schema_rules: ClassVar[list[dict[str, Any]]] = [
        {
            "description": "a fraction (other than 1) only with a partial closure",
            "anyOf": [
                {"properties": {"closure": {"const": "partial"}}, "required": ["closure"]},
                {"properties": {"fraction": {"enum": [None, 1.0]}}},
            ],
        },
        {
            "description": "a partial closure needs a demand set (capacity is cut against volumes)",
            "anyOf": [
                {"properties": {"closure": {"const": "full"}}},
                {"required": ["demand"], "properties": {"demand": {"type": ["string", "array"]}}},
            ],
        },
    ]
    schema_examples: ClassVar[list[dict[str, Any]]] = [
        {"demand": "uz_kz_2030", "closure": "partial", "fraction": 0.5, "days": 7, "kinds": ["border", "gauge_change", "port"]},
        {"kinds": ["border"], "metric": "teu"},
    ]

    demand: DemandIn | None = Field(
        None,
        description="A bundled demand set (GET /v1/demand), demand rows, or null: every OD pair of the network "
        "weighs 1 TEU-eq a year",
    )
    assets: Annotated[list[AssetId], Field(min_length=1, max_length=MAX_ASSETS)] | None = Field(
        None, description="asset ids to assess (link:l013, border:altynkol, gauge_change:altynkol, port:aktau); all by default"
    )
    kinds: Annotated[list[AssetKindName], Field(min_length=1, max_length=5)] | None = None
    closure: Literal["full", "partial"] = "full"
    fraction: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = Field(
        None, description="share of capacity lost in a partial closure (default 0.5)"
    )
    days: Annotated[float, Field(gt=0, le=365, allow_inf_nan=False)] = 365.0
    metric: Literal["generalized", "teu_days", "usd", "co2e", "teu"] | None = Field(
        None, description="what ranks the assets; by default the criterion's own measure"
    )
    criterion: Literal["generalized", "time", "cost", "co2e"] = "generalized"
    value_of_time_usd_per_teu_hour: Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)] = (
        DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR
    )
    scenario: InlineScenario | ScenarioRef | None = Field(
        None, description="A bundled scenario's name, an uploaded scenario's id, or a scenario given inline"
    )
    max_flows: FlowCount = Field(DEFAULT_MAX_FLOWS, description="Affected OD pairs listed per asset")


_PROBLEM_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    401: ("Missing or invalid API key", {"code": "unauthorized", "detail": "the API key is not valid"}),
    404: (
        "A name the network lacks: a place (with suggestions), corridor, country, link or scenario; or an unknown path",
        {
            "code": "unknown_place",
            "detail": "origin: no place has this id, name or alias; did you mean Tashkent?",
            "errors": [{"field": "origin", "message": "no place has this id, name or alias"}],
            "suggestions": ["Tashkent"],
        },
    ),
    409: (
        "No route satisfies the constraints (the planner's message names them), or the network's content rules the "
        "request out (two names of one place, a via place that is an end, a scenario change that does not fit)",
        {
            "code": "no_route",
            "detail": "no route from Almaty to Baku by road only: no path uses only road; the fastest route needs rail, road, sea",
            "constraints": ["modes"],
        },
    ),
    413: ("Request body over the size limit", {"code": "body_too_large", "detail": "the request body is larger than the limit of 1048576 bytes"}),
    422: (
        "Invalid input; each error names the field and the expectation",
        {
            "code": "invalid_request",
            "detail": "k: Input should be less than or equal to 20",
            "errors": [{"field": "k", "message": "Input should be less than or equal to 20"}],
        },
    ),
    429: ("Over the per-client rate limit (see Retry-After)", {"code": "rate_limited", "detail": "over the limit of 600 requests per minute; retry in 1 s"}),
    503: (
        "Computation past its deadline, or all workers busy (see Retry-After)",
        {"code": "deadline_exceeded", "detail": "the computation took longer than 5 s and was stopped"},
    ),
}


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _problem(status: int) -> dict[str, Any]:
    description, example = _PROBLEM_EXAMPLES[status]
    title = {401: "Missing or invalid API key", 404: "Unknown place", 409: "No route under these constraints"}.get(status, description)
    full = {"type": "urn:corridor-planner:problem:" + example["code"], "title": title, "status": status, **example}
    return {"description": description, "content": {"application/problem+json": {"schema": PROBLEM_REF, "example": full}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {status: _problem(status) for status in _PROBLEM_EXAMPLES}
"""Problem responses every /v1 endpoint may give, for the OpenAPI document."""
