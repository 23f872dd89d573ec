"""The API's wire format as pydantic models: what every endpoint answers, field by field, with units in the names.

These models are the contract. The server documents its responses with them (``/openapi.json``,
where every object is closed: a member the models do not declare fails the contract tests), and
:class:`corridor_client.Client` parses answers into them (tolerantly: a member added by a newer
server is ignored, never an error). Adding a field to an answer means adding one line here.

Members present only in some answers (an event's ``from_mode``, a place's ``border``) default to
None; every other member is always present, ``null`` where the type says so.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CellError",
    "MatrixCellError",
    "MatrixRequest",
    "MatrixRoute",
    "RouteMatrix",
    "ArrivalDates",
    "BatchJob",
    "BatchJobList",
    "BatchLinks",
    "Border",
    "BorderControls",
    "BorderPassage",
    "BundledScenario",
    "BundledScenarioInfo",
    "CacheStats",
    "Comparison",
    "ComparisonRow",
    "ComputeStats",
    "Corridor",
    "CorridorDetail",
    "CorridorList",
    "CorridorRef",
    "CorridorShare",
    "Delta",
    "Event",
    "EventKind",
    "GaugeChange",
    "Health",
    "Leg",
    "LineString",
    "LinkFeature",
    "LinkProperties",
    "LoadUnit",
    "Metrics",
    "ModeName",
    "MultiLineString",
    "NetworkGeoJSON",
    "NetworkVersion",
    "Place",
    "PlaceFeature",
    "PlaceKind",
    "PlaceMatch",
    "PlaceMatches",
    "PlaceProperties",
    "PlaceRef",
    "Point",
    "Pointers",
    "Problem",
    "ProblemItem",
    "RankName",
    "Readiness",
    "ResolvedRequest",
    "Route",
    "RouteFeature",
    "RouteFeatureCollection",
    "RoutePlan",
    "ScenarioBaseline",
    "ScenarioList",
    "ScenarioRoute",
    "ScenarioRoutes",
    "ScenarioSummary",
    "SourceRef",
    "Transshipment",
    "UploadedScenario",
    "UploadedScenarioInfo",
    "Version",
    "WireModel",
]

RankName = Literal["time", "cost", "co2e", "generalized", "reliable", "pareto"]
ModeName = Literal["rail", "road", "sea"]
EventKind = Literal["wait", "queue", "season", "border", "transshipment", "gauge_change", "delay"]
"""What an event on a leg is (the planner's ``EventKind``)."""
ServiceName = Literal["express", "scheduled", "standard"]
"""Service level: which dwell, queue and wait figures apply."""
ContainerName = Literal["20ft", "40ft", "40hc"]
Direction = Literal["entering", "leaving"]
HoursRange = Annotated[list[float], Field(min_length=3, max_length=3, description="[min, typical, max] hours")]
HoursByService = Annotated[dict[ServiceName, HoursRange], Field(description="Hours at each service level that has them")]
PlaceKind = Literal["city", "border_crossing", "seaport", "dry_port", "gauge_change", "logistics_hub"]
LinkStatusName = Literal["operational", "planned"]
JobStatusName = Literal["queued", "running", "done", "failed", "cancelled"]
Position = Annotated[list[float], Field(min_length=2, max_length=2, description="[lon, lat] in degrees (WGS 84)")]


class WireModel(BaseModel):
    """Base of every answer: frozen, fields given by name or by their wire alias (``from``), unknown members ignored."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


# --- routes -------------------------------------------------------------------------------------


class PlaceRef(WireModel):
    id: str
    name: str


class Event(WireModel):
    """Time or money spent on a leg besides moving (already included in the leg's totals)."""

    type: EventKind
    place: str = Field(description="Place id")
    place_name: str
    hours: float = Field(description="Typical hours")
    hours_min: float
    hours_max: float
    cost_usd: float = Field(description="USD for the whole shipment")
    description: str
    from_mode: ModeName | None = None
    to_mode: ModeName | None = None
    from_country: str | None = None
    to_country: str | None = None
    from_gauge_mm: int | None = None
    to_gauge_mm: int | None = None
    departures_per_week: float | None = None
    direction: Direction | None = Field(None, description="At a border post: the figures of entering or of leaving")


class Leg(WireModel):
    """One link travelled, with the events on it."""

    from_: PlaceRef = Field(alias="from")
    to: PlaceRef
    link: str = Field(description="Link id")
    mode: ModeName
    gauge_mm: int | None
    distance_km: float
    hours: float = Field(description="Typical hours, events included")
    hours_min: float
    hours_max: float
    cost_usd: float
    co2e_kg: float
    events: list[Event]
    geometry: list[Position] = Field(description="The leg's line from its start, [lon, lat] points")


class BorderPassage(WireModel):
    """A border crossed on a link."""

    link: str
    from_: str = Field(alias="from", description="Place id on the exit side")
    to: str = Field(description="Place id on the entry side")
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes, exit then entry")
    from_name: str
    to_name: str


class CorridorShare(WireModel):
    id: str
    name: str
    share: float = Field(description="Share of the route's distance on the corridor, 0..1")


class ArrivalDates(WireModel):
    """Dates of a route with a departure date: typical, P50 and P90 arrival (ISO 8601)."""

    departure: str
    typical: str
    p50: str
    p90: str


class Route(WireModel):
    """A route, best first (``rank`` 1): totals, borders, corridors and legs."""

    rank: int
    transit_hours: float = Field(description="Sum of each part's most likely time")
    transit_hours_min: float
    transit_hours_max: float
    transit_hours_p50: float = Field(description="Half of the runs take longer")
    transit_hours_p90: float = Field(description="One run in ten takes longer")
    transit_days: float
    cost_usd: float
    co2e_kg: float
    generalized_cost_usd: float = Field(description="USD plus the value of time")
    distance_km: float
    border_crossings: int
    borders: list[BorderPassage]
    transshipments: int
    countries: list[str]
    main_corridor: str | None
    corridors: list[CorridorShare]
    places: list[str] = Field(description="Place ids, origin first")
    best_on: list[RankName] = Field(description="Criteria this route is best on (Pareto answers)")
    service: ServiceName
    container: ContainerName | None = Field(description="The box of a TEU shipment; null for bulk tonnes")
    month: int | None = Field(description="The month whose seasonal waits applied, if any")
    arrival_date: ArrivalDates | None = Field(description="With a departure date: when the cargo arrives")
    legs: list[Leg]
    place_names: list[str]


class LoadUnit(WireModel):
    """How bulk tonnes travel on one mode: the unit, tonnes per unit and whole units needed."""

    mode: ModeName
    unit: str
    tonnes_per_unit: float
    units: int


class ResolvedRequest(WireModel):
    """The request as the planner read it: place and corridor ids in place of names, defaults filled in."""

    origin: str
    destination: str
    rank: RankName
    k: int
    teu: float
    tonnes: float
    shipment: Literal["teu", "tonnes"] = Field(description="How the shipment size was given")
    avoid_countries: list[str]
    avoid_places: list[str]
    avoid_links: list[str]
    modes: list[ModeName]
    via: list[str]
    corridor: str | None
    max_border_crossings: int | None
    max_transshipments: int | None
    max_shared_fraction: float
    max_stretch: float
    value_of_time_usd_per_teu_hour: float
    tonnes_per_teu: float
    service: ServiceName
    container: ContainerName | None
    departure_date: str | None = Field(description="YYYY-MM-DD")
    month: int | None
    load_units: list[LoadUnit] | None = Field(None, description="A shipment in tonnes: its units on each mode")


class RoutePlan(WireModel):
    """Ranked routes between two places, best first; ``notes`` say why fewer than ``k`` came back."""

    request: ResolvedRequest
    notes: list[str]
    routes: list[Route]


class Delta(WireModel):
    """Scenario minus baseline."""

    transit_hours: float
    transit_hours_p50: float
    transit_hours_p90: float
    cost_usd: float
    co2e_kg: float
    generalized_cost_usd: float


class SourceRef(WireModel):
    publisher: str
    title: str
    year: int
    url: str | None = None


class ScenarioSummary(WireModel):
    """A scenario as applied: its name, title, sources and changes."""

    name: str
    title: str
    description: str
    sources: list[SourceRef]
    estimate: str | None
    changes: list[dict[str, object]] = Field(description="The changes, as in the scenario format")


class ScenarioRoute(Route):
    """A route under a scenario, with its change against the baseline's route on the same path."""

    delta: Delta | None
    change: Literal["unchanged-path", "appears"]


class ScenarioBaseline(WireModel):
    routes: list[Route]
    notes: list[str]
    error: str | None


class ScenarioRoutes(WireModel):
    """Routes under a scenario beside the baseline's (``scenario`` given)."""

    request: ResolvedRequest | None
    scenario: ScenarioSummary
    routes: list[ScenarioRoute]
    notes: list[str]
    error: str | None = Field(description="Why the scenario has no route, if it has none")
    baseline: ScenarioBaseline
    delta: Delta | None = Field(description="Best route under the scenario minus the baseline's best")
    appeared: list[list[str]] = Field(description="Paths (place ids) only the scenario's routes take")
    vanished: list[list[str]] = Field(description="Paths (place ids) only the baseline's routes take")


# --- GeoJSON ------------------------------------------------------------------------------------


class Point(WireModel):
    type: Literal["Point"]
    coordinates: Position


class LineString(WireModel):
    type: Literal["LineString"]
    coordinates: list[Position]


class MultiLineString(WireModel):
    type: Literal["MultiLineString"]
    coordinates: list[list[Position]]


class RouteFeature(WireModel):
    type: Literal["Feature"]
    geometry: LineString
    properties: Route


class RouteFeatureCollection(WireModel):
    """Routes as a GeoJSON FeatureCollection (``format=geojson``): each route's line, its figures as properties."""

    type: Literal["FeatureCollection"]
    request: ResolvedRequest
    notes: list[str]
    features: list[RouteFeature]


# --- comparisons --------------------------------------------------------------------------------


class CorridorRef(WireModel):
    id: str
    name: str


class ComparisonRow(WireModel):
    """One corridor's best route (``corridor`` null: the best on any corridor), and under a scenario its change."""

    corridor: CorridorRef | None
    label: str
    status: Literal["ok", "no_route"]
    reason: str | None
    route: Route | None
    scenario_status: Literal["ok", "no_route"] | None = None
    scenario_reason: str | None = None
    scenario_route: Route | None = None
    delta: Delta | None = None
    change: Literal["appears", "vanishes", "same path", "new path", "no route either way"] | None = None


class Comparison(WireModel):
    """Corridors side by side for one pair, the unconstrained best first."""

    request: ResolvedRequest
    scenario: ScenarioSummary | None
    rows: list[ComparisonRow]


# --- matrices ----------------------------------------------------------------------------------


class MatrixRequest(WireModel):
    """A matrix's options as the planner read them (one best route per cell: no origin, destination or k)."""

    rank: RankName
    teu: float
    tonnes: float
    shipment: Literal["teu", "tonnes"] = Field(description="How the shipment size was given")
    avoid_countries: list[str]
    avoid_places: list[str]
    avoid_links: list[str]
    modes: list[ModeName]
    via: list[str]
    corridor: str | None
    max_border_crossings: int | None
    max_transshipments: int | None
    value_of_time_usd_per_teu_hour: float
    tonnes_per_teu: float
    service: ServiceName
    container: ContainerName | None
    departure_date: str | None = Field(description="YYYY-MM-DD")
    month: int | None
    load_units: list[LoadUnit] | None = Field(None, description="A shipment in tonnes: its units on each mode")


class MatrixRoute(WireModel):
    """A cell's best route: the totals of a route, without legs."""

    transit_hours: float = Field(description="Sum of each part's most likely time")
    transit_hours_min: float
    transit_hours_max: float
    transit_hours_p50: float = Field(description="Half of the runs take longer")
    transit_hours_p90: float = Field(description="One run in ten takes longer")
    transit_days: float
    cost_usd: float
    co2e_kg: float
    generalized_cost_usd: float = Field(description="USD plus the value of time")
    distance_km: float
    border_crossings: int
    transshipments: int
    main_corridor: str | None
    corridors: list[CorridorShare]
    places: list[str] = Field(description="Place ids, origin first")
    arrival_date: ArrivalDates | None = Field(description="With a departure date: when the cargo arrives")


class CellError(WireModel):
    code: str = Field(description="e.g. no_route, same_place, no_loop_free_route")
    message: str


class MatrixCellError(WireModel):
    """A cell with no route: why."""

    error: CellError


class RouteMatrix(WireModel):
    """The best route from every origin to every destination: ``cells[i][j]`` from origin i to destination j."""

    request: MatrixRequest
    origins: list[PlaceRef]
    destinations: list[PlaceRef]
    cells: list[list[MatrixRoute | MatrixCellError]]


# --- places, corridors, the network ---------------------------------------------------------------


class BorderControls(WireModel):
    """A border post's dwell by direction and service level, and its fees by direction."""

    dwell_by_service: dict[Direction, HoursByService]
    fees_usd_per_teu: dict[Direction, float]


class Border(BorderControls):
    """Border controls; the first four figures are the scheduled level entering the country (a map's tooltip)."""

    dwell_hours: float
    dwell_hours_min: float
    dwell_hours_max: float
    fee_usd_per_teu: float
    by_mode: dict[ModeName, BorderControls] = Field(description="Controls of their own for some modes")


class GaugeChange(WireModel):
    hours: float = Field(description="Scheduled level, typical")
    hours_by_service: HoursByService
    cost_usd_per_teu: float


class Transshipment(WireModel):
    modes: list[ModeName]
    hours: float = Field(description="Scheduled level, typical")
    hours_by_service: HoursByService
    cost_usd_per_teu: float


class Place(WireModel):
    """A place of the network: a city, border post, port, dry port or gauge-change yard."""

    id: str
    name: str
    aliases: list[str]
    country: str = Field(description="ISO 3166-1 alpha-2")
    lat: float
    lon: float
    kinds: list[PlaceKind]
    border: Border | None = None
    gauge_change: GaugeChange | None = None
    transshipment: list[Transshipment] | None = None


class PlaceMatch(Place):
    matched: str = Field(description="The name or alias that matched")
    score: float = Field(description="Match quality, 0..1")


class PlaceMatches(WireModel):
    places: list[PlaceMatch]


class Corridor(WireModel):
    id: str
    name: str
    aliases: list[str]
    description: str
    places: list[str] = Field(description="The trunk's place ids, in order")
    branches: list[list[str]]
    assets: list[str] = Field(description="Ids of the assets on its lines (links, borders, gauge changes, ports ...)")


class CorridorList(WireModel):
    corridors: list[Corridor]


class CorridorDetail(Corridor):
    geometry: MultiLineString


class PlaceProperties(Place):
    feature: Literal["place"]


class PlaceFeature(WireModel):
    type: Literal["Feature"]
    id: str
    geometry: Point
    properties: PlaceProperties


class LinkProperties(WireModel):
    feature: Literal["link"]
    id: str
    from_: str = Field(alias="from")
    to: str
    mode: ModeName
    gauge_mm: int | None
    distance_km: float
    transit_hours: float | None
    cost_usd_per_teu: float | None
    departures_per_week: float | None = Field(description="Scheduled level")
    departures_by_service: dict[ServiceName, float] | None
    season: str | None = Field(description="The seasonal waits the link follows, if any")
    bidirectional: bool
    status: LinkStatusName
    source: str = Field(description="Publisher, title and year of each source, or the estimate's reason")


class LinkFeature(WireModel):
    type: Literal["Feature"]
    id: str
    geometry: LineString
    properties: LinkProperties


class NetworkInfoProperties(WireModel):
    name: str
    version: str


class NetworkGeoJSON(WireModel):
    """The whole network: places as Points, links as LineStrings, each with its figures and sources."""

    type: Literal["FeatureCollection"]
    name: str
    properties: NetworkInfoProperties
    features: list[PlaceFeature | LinkFeature]


# --- scenarios ----------------------------------------------------------------------------------


class BundledScenarioInfo(WireModel):
    name: str
    title: str
    description: str
    sources: list[SourceRef]


class UploadedScenarioInfo(WireModel):
    id: str = Field(description="Use it as `scenario` in routes and comparisons")
    name: str
    title: str
    description: str
    sources: list[SourceRef]
    uploaded: Literal[True]
    created: str = Field(description="ISO 8601, UTC")


class ScenarioList(WireModel):
    scenarios: list[UploadedScenarioInfo | BundledScenarioInfo]


class BundledScenario(WireModel):
    """A bundled scenario with its changes; ``applies`` false (with the reason) when the served network lacks what it changes."""

    name: str
    title: str
    description: str
    sources: list[SourceRef]
    estimate: str | None = None
    changes: list[dict[str, object]] | None = None
    applies: bool
    reason: str | None = None


class UploadedScenario(WireModel):
    """A scenario this key uploaded, as stored (its changes as given)."""

    id: str
    name: str
    title: str
    description: str
    sources: list[SourceRef]
    estimate: str | None
    changes: list[dict[str, object]]
    uploaded: Literal[True]
    created: str


# --- batches ------------------------------------------------------------------------------------


class BatchLinks(WireModel):
    self_: str = Field(alias="self")
    results: str


class BatchJob(WireModel):
    """A batch job's status and progress."""

    id: str
    status: JobStatusName
    rows_total: int
    rows_done: int
    rows_failed: int
    rows_per_second: float
    format: Literal["csv", "jsonl"] = Field(description="Format the results are served in by default")
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    error: str | None
    network: str = Field(description="SHA-256 digest of the network the job is evaluated on")
    links: BatchLinks


class BatchJobList(WireModel):
    batches: list[BatchJob]


# --- the service --------------------------------------------------------------------------------


class NetworkVersion(WireModel):
    id: str
    name: str
    version: str
    digest: str = Field(description="SHA-256 of the network's content")


class Version(WireModel):
    version: str = Field(description="The planner package version")
    network: NetworkVersion


class CacheStats(WireModel):
    name: str
    entries: int
    max_entries: int
    bytes: int
    max_bytes: int | None
    hits: int
    misses: int


class ComputeStats(WireModel):
    cheap_rule: dict[str, int | float | str]
    in_process: dict[str, int]
    pool: dict[str, int | float]


class Metrics(WireModel):
    pid: int = Field(description="The server process that answered")
    caches: list[CacheStats]
    compute: ComputeStats | None


class Pointers(WireModel):
    """Where to start (``GET /`` when the map is not installed)."""

    name: str
    docs: str
    openapi: str
    api: str


class Health(WireModel):
    status: Literal["ok"]


class Readiness(WireModel):
    status: Literal["ready"]
    network: str


# --- problems -----------------------------------------------------------------------------------


class ProblemItem(WireModel):
    field: str
    message: str


class Problem(WireModel):
    """An error (RFC 9457 problem details) with a stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemItem] | None = Field(None, description="Each invalid field and what was expected")
    suggestions: list[str] | None = Field(None, description="Near misses for an unknown name")
    constraints: list[str] | None = Field(None, description="The request's constraints that leave no route")
    limit: int | None = Field(None, description="The limit passed (rows, jobs in flight)")
    status_value: str | None = Field(None, description="A batch job's status, when it is not done")
