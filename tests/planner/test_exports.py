"""The public surface of ``planner`` (the direction of imports is checked in tests/test_architecture.py)."""

from __future__ import annotations

import planner

EXPECTED = {
    "DEFAULT_K", "DEFAULT_MAX_SHARED_FRACTION", "DEFAULT_MAX_STRETCH", "DEFAULT_MIN_CORRIDOR_SHARE", "DEFAULT_SERVICE", "DEFAULT_TONNES_PER_TEU",
    "ArrivalDates", "BorderControls", "BorderDirection", "ContainerType", "Season", "ServiceDepartures", "ServiceHours",
    "ServiceLevel", "Timetable", "PublishedRoutesError",
    "DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR", "MAX_AVOID", "MAX_K", "MAX_STRETCH", "MAX_TEU", "MAX_TONNES", "MAX_VIA",
    "Border", "BorderCrossing", "CacheSlot", "Comparison", "ComparisonRow", "Corridor", "CorridorShare", "DeadlineExceededError", "Event", "EventKind", "Figure",
    "GaugeChange", "HoursRange", "InvalidRequestError", "Leg", "Link", "LinkStatus", "LoopOnlyError", "Mode", "ModeDefaults", "Network",
    "NetworkCaches", "NetworkConflictError", "NetworkError", "NetworkFileError", "NetworkInfo", "NetworkIssue", "NetworkValidationError",
    "NoRouteError", "Place", "PlaceKind", "PlaceMatch", "PlannerError", "Provenance", "Rank", "Route", "RoutePlan",
    "RouteRequest", "SamePlaceError", "Scenario", "ScenarioConflictError", "ScenarioError", "ScenarioPlan", "ScenarioReferenceError", "Source", "TimePart",
    "Transshipment", "UnknownCorridorError", "UnknownCountryError", "UnknownLinkError", "UnknownModeError",
    "UnknownPlaceError", "UnreachableError", "__version__", "apply_scenario", "bundled_network_path",
    "bundled_scenarios", "compare", "corridor_links", "find_place", "load_bundled_scenario", "load_network",
    "load_scenario", "normalize_name", "parse_network", "parse_scenario", "plan", "plan_routes", "plan_with_scenario",
    "keep_resident", "resolve_corridor", "resolve_request", "search_places", "suggest_places", "weight",
    # volumes and capacity
    "Asset", "AssetFlow", "AssetKind", "AssetQueue", "Assignment", "AssignmentConvergenceWarning", "BPRDelay",
    "CARGO_CLASSES", "METHODS", "Capacity", "CapacityDirection", "Cargo", "CargoClass", "CorridorFlow", "DelayFunction", "Demand",
    "DemandConflictError", "DemandError", "DemandPlaceError", "DemandRow", "DemandSet", "Flow", "LinkFlow", "LoadUnit", "ODFlow", "ODPath", "PlaceCapacity",
    "QueueDelay", "Throughput", "asset_table", "assign", "bundled_demand_sets", "cargo_class", "load_demand",
    "merge_demand", "network_assets", "parse_demand", "read_demand", "throughput",
    "CellError", "RouteFigures", "RouteMatrix", "best_routes", "best_routes_from", "check_matrix", "check_places", "route_matrix",
    # criticality
    "AffectedFlow", "AssetCriticality", "CorridorShift", "Criticality", "Diversion", "QueueChange", "FlowFigures",
    "corridor_assets", "criticality",
}  # fmt: skip


def test_all_is_pinned() -> None:
    assert set(planner.__all__) == EXPECTED


def test_nothing_public_comes_from_a_private_module() -> None:
    for name in planner.__all__:
        module = getattr(getattr(planner, name), "__module__", "planner") or "planner"
        assert not any(part.startswith("_") for part in module.split(".")[1:]), (name, module)


def test_every_error_has_a_code_and_inherits_a_builtin() -> None:
    for name in planner.__all__:
        obj = getattr(planner, name)
        if isinstance(obj, type) and issubclass(obj, planner.PlannerError) and obj not in (planner.PlannerError, planner.NetworkError):
            assert obj.code
            assert obj.code != "planner_error"
            assert any(issubclass(obj, b) for b in (ValueError, LookupError, OSError))
