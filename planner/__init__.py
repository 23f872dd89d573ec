"""corridor-planner's domain core: the network model, the cost model and routing.

Load a network, then ask for routes::

    >>> import planner
    >>> network = planner.load_network()            # the bundled Eurasian network
    >>> plan = planner.plan_routes(network, "Xi'an", "Tashkent", rank="time", k=3)
    >>> plan.routes[0].transit_days                 # doctest: +SKIP
"""

from .errors import (
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
from .loader import bundled_network_path, load_network, parse_network
from .lookup import PlaceMatch, find_place, normalize_name, search_places, suggest_places
from .model import (
    Border,
    Corridor,
    Figure,
    GaugeChange,
    HoursRange,
    Link,
    LinkStatus,
    Mode,
    ModeDefaults,
    Network,
    NetworkInfo,
    Place,
    PlaceKind,
    Provenance,
    Source,
    Transshipment,
)
from .route import CorridorShare, Event, EventKind, Leg, Route
from .routing import (
    DEFAULT_MAX_SHARED_FRACTION,
    DEFAULT_TONNES_PER_TEU,
    DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    MAX_K,
    Rank,
    RoutePlan,
    RouteRequest,
    plan,
    plan_routes,
    resolve_corridor,
    resolve_request,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_SHARED_FRACTION",
    "DEFAULT_TONNES_PER_TEU",
    "DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR",
    "MAX_K",
    "Border",
    "Corridor",
    "CorridorShare",
    "Event",
    "EventKind",
    "Figure",
    "GaugeChange",
    "HoursRange",
    "InvalidRequestError",
    "Leg",
    "Link",
    "LinkStatus",
    "Mode",
    "ModeDefaults",
    "Network",
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
    "Rank",
    "Route",
    "RoutePlan",
    "RouteRequest",
    "SamePlaceError",
    "ScenarioError",
    "Source",
    "Transshipment",
    "UnknownCorridorError",
    "UnknownCountryError",
    "UnknownLinkError",
    "UnknownModeError",
    "UnknownPlaceError",
    "UnreachableError",
    "__version__",
    "bundled_network_path",
    "find_place",
    "load_network",
    "normalize_name",
    "parse_network",
    "plan",
    "plan_routes",
    "resolve_corridor",
    "resolve_request",
    "search_places",
    "suggest_places",
]
