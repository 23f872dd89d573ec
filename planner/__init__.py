"""corridor-planner's domain core: the network model, the cost model and routing.

Load a network, then ask for routes::

    >>> import planner
    >>> network = planner.load_network()            # the bundled Eurasian network
    >>> plan = planner.plan_routes(network, "Xi'an", "Tashkent", rank="time", k=3)
    >>> plan.routes[0].transit_days                 # doctest: +SKIP

The network is a networkx graph too (``network.graph``, frozen), with a weight function per
criterion (:func:`weight`) for running networkx on it; see docs/networkx.md.
"""

from .cache import CacheSlot, NetworkCaches
from .compare import DEFAULT_MIN_CORRIDOR_SHARE, Comparison, ComparisonRow, compare
from .corridors import corridor_links, resolve_corridor
from .errors import (
    DeadlineExceededError,
    InvalidRequestError,
    LoopOnlyError,
    NetworkError,
    NetworkFileError,
    NetworkIssue,
    NetworkValidationError,
    NoRouteError,
    PlannerError,
    PublishedRoutesError,
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
    BorderControls,
    BorderDirection,
    ContainerType,
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
    PlaceKind,
    Provenance,
    Season,
    ServiceDepartures,
    ServiceHours,
    ServiceLevel,
    Source,
    Timetable,
    Transshipment,
)
from .network import Network
from .request import (
    DEFAULT_K,
    DEFAULT_MAX_SHARED_FRACTION,
    DEFAULT_MAX_STRETCH,
    DEFAULT_SERVICE,
    DEFAULT_TONNES_PER_TEU,
    DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    MAX_AVOID,
    MAX_K,
    MAX_STRETCH,
    MAX_TEU,
    MAX_TONNES,
    MAX_VIA,
    Rank,
    RouteRequest,
    resolve_request,
)
from .route import ArrivalDates, BorderCrossing, CorridorShare, Event, EventKind, Leg, Route
from .routing import RoutePlan, plan, plan_routes
from .scenario import Scenario, bundled_scenarios, load_bundled_scenario, load_scenario, parse_scenario
from .scenario_network import apply_scenario
from .scenario_plan import ScenarioPlan, plan_with_scenario
from .weights import weight

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_K",
    "DEFAULT_MAX_SHARED_FRACTION",
    "DEFAULT_MAX_STRETCH",
    "DEFAULT_MIN_CORRIDOR_SHARE",
    "DEFAULT_SERVICE",
    "DEFAULT_TONNES_PER_TEU",
    "DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR",
    "MAX_AVOID",
    "MAX_K",
    "MAX_STRETCH",
    "MAX_TEU",
    "MAX_TONNES",
    "MAX_VIA",
    "ArrivalDates",
    "Border",
    "BorderControls",
    "BorderDirection",
    "BorderCrossing",
    "CacheSlot",
    "Comparison",
    "ComparisonRow",
    "ContainerType",
    "Corridor",
    "CorridorShare",
    "DeadlineExceededError",
    "Event",
    "EventKind",
    "Figure",
    "GaugeChange",
    "HoursRange",
    "InvalidRequestError",
    "Leg",
    "Link",
    "LinkStatus",
    "LoopOnlyError",
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
    "Place",
    "PlaceKind",
    "PlaceMatch",
    "PlannerError",
    "Provenance",
    "PublishedRoutesError",
    "Rank",
    "Route",
    "RoutePlan",
    "RouteRequest",
    "SamePlaceError",
    "Scenario",
    "ScenarioError",
    "ScenarioPlan",
    "Season",
    "ServiceDepartures",
    "ServiceHours",
    "ServiceLevel",
    "Source",
    "TimePart",
    "Timetable",
    "Transshipment",
    "UnknownCorridorError",
    "UnknownCountryError",
    "UnknownLinkError",
    "UnknownModeError",
    "UnknownPlaceError",
    "UnreachableError",
    "__version__",
    "apply_scenario",
    "bundled_network_path",
    "bundled_scenarios",
    "compare",
    "corridor_links",
    "find_place",
    "load_bundled_scenario",
    "load_network",
    "load_scenario",
    "normalize_name",
    "parse_network",
    "parse_scenario",
    "plan",
    "plan_routes",
    "plan_with_scenario",
    "resolve_corridor",
    "resolve_request",
    "search_places",
    "suggest_places",
    "weight",
]
