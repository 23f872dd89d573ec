"""corridor-planner's domain core: the network model, the cost model and routing.

Load a network, then ask for routes::

    >>> import planner
    >>> network = planner.load_network()            # the bundled Eurasian network
    >>> plan = planner.plan_routes(network, "Xi'an", "Tashkent", rank="time", k=3)
    >>> plan.routes[0].transit_days                 # doctest: +SKIP

The network is a networkx graph too (``network.graph``, frozen), with a weight function per
criterion (:func:`weight`) for running networkx on it; see docs/networkx.md.
"""

from .assets import Asset, AssetKind, AssetQueue, asset_table, network_assets
from .assignment import (
    METHODS,
    AssetFlow,
    Assignment,
    AssignmentConvergenceWarning,
    CorridorFlow,
    LinkFlow,
    ODFlow,
    ODPath,
    assign,
)
from .cache import CacheSlot, NetworkCaches
from .capacity import Throughput, throughput
from .cargo import CARGO_CLASSES, Cargo, CargoClass, LoadUnit, cargo_class
from .compare import DEFAULT_MIN_CORRIDOR_SHARE, Comparison, ComparisonRow, compare
from .corridors import corridor_links, resolve_corridor
from .delay import BPRDelay, DelayFunction, QueueDelay
from .demand import (
    Demand,
    DemandRow,
    DemandSet,
    Flow,
    bundled_demand_sets,
    load_demand,
    merge_demand,
    parse_demand,
    read_demand,
)
from .errors import (
    DemandError,
    InvalidRequestError,
    NetworkError,
    NetworkFileError,
    NetworkIssue,
    NetworkValidationError,
    NoRouteError,
    PlannerError,
    SamePlaceError,
    ScenarioError,
    UnknownCorridorError,
    UnknownCountryError,
    UnknownLinkError,
    UnknownModeError,
    UnknownPlaceError,
    UnreachableError,
)
from .graph import TimePart
from .loader import bundled_network_path, load_network, parse_network
from .lookup import PlaceMatch, find_place, normalize_name, search_places, suggest_places
from .model import (
    Border,
    Capacity,
    CapacityDirection,
    Corridor,
    Figure,
    GaugeChange,
    HoursRange,
    Link,
    LinkStatus,
    Mode,
    ModeDefaults,
    NetworkInfo,
    Place,
    PlaceCapacity,
    PlaceKind,
    Provenance,
    Source,
    Transshipment,
)
from .network import Network
from .request import (
    DEFAULT_K,
    DEFAULT_MAX_SHARED_FRACTION,
    DEFAULT_TONNES_PER_TEU,
    DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    MAX_AVOID,
    MAX_K,
    MAX_TEU,
    MAX_TONNES,
    MAX_VIA,
    Rank,
    RouteRequest,
    resolve_request,
)
from .route import CorridorShare, Event, EventKind, Leg, Route
from .routing import RoutePlan, plan, plan_routes
from .scenario import Scenario, bundled_scenarios, load_bundled_scenario, load_scenario, parse_scenario
from .scenario_network import apply_scenario
from .scenario_plan import ScenarioPlan, plan_with_scenario
from .weights import weight

__version__ = "0.1.0"

__all__ = [
    "CARGO_CLASSES",
    "DEFAULT_K",
    "DEFAULT_MAX_SHARED_FRACTION",
    "DEFAULT_MIN_CORRIDOR_SHARE",
    "DEFAULT_TONNES_PER_TEU",
    "DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR",
    "MAX_AVOID",
    "MAX_K",
    "MAX_TEU",
    "MAX_TONNES",
    "MAX_VIA",
    "METHODS",
    "Asset",
    "AssetFlow",
    "AssetKind",
    "AssetQueue",
    "Assignment",
    "AssignmentConvergenceWarning",
    "BPRDelay",
    "Border",
    "CacheSlot",
    "Capacity",
    "CapacityDirection",
    "Cargo",
    "CargoClass",
    "Comparison",
    "ComparisonRow",
    "Corridor",
    "CorridorFlow",
    "CorridorShare",
    "DelayFunction",
    "Demand",
    "DemandError",
    "DemandRow",
    "DemandSet",
    "Event",
    "EventKind",
    "Figure",
    "Flow",
    "GaugeChange",
    "HoursRange",
    "InvalidRequestError",
    "Leg",
    "Link",
    "LinkFlow",
    "LinkStatus",
    "LoadUnit",
    "Mode",
    "ModeDefaults",
    "Network",
    "NetworkCaches",
    "NetworkError",
    "NetworkFileError",
    "NetworkInfo",
    "NetworkIssue",
    "NetworkValidationError",
    "NoRouteError",
    "ODFlow",
    "ODPath",
    "Place",
    "PlaceCapacity",
    "PlaceKind",
    "PlaceMatch",
    "PlannerError",
    "Provenance",
    "QueueDelay",
    "Rank",
    "Route",
    "RoutePlan",
    "RouteRequest",
    "SamePlaceError",
    "Scenario",
    "ScenarioError",
    "ScenarioPlan",
    "Source",
    "Throughput",
    "TimePart",
    "Transshipment",
    "UnknownCorridorError",
    "UnknownCountryError",
    "UnknownLinkError",
    "UnknownModeError",
    "UnknownPlaceError",
    "UnreachableError",
    "apply_scenario",
    "asset_table",
    "assign",
    "bundled_demand_sets",
    "bundled_network_path",
    "bundled_scenarios",
    "cargo_class",
    "compare",
    "corridor_links",
    "find_place",
    "load_bundled_scenario",
    "load_demand",
    "load_network",
    "load_scenario",
    "merge_demand",
    "network_assets",
    "normalize_name",
    "parse_demand",
    "parse_network",
    "parse_scenario",
    "plan",
    "plan_routes",
    "plan_with_scenario",
    "read_demand",
    "resolve_corridor",
    "resolve_request",
    "search_places",
    "suggest_places",
    "throughput",
    "weight",
    "__version__",
]
