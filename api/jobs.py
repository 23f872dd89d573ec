"""The planner calls the API runs in worker processes; each returns the response body as JSON bytes.

Jobs are ``fn(network, *args)`` with plain, picklable arguments (see :mod:`api.compute`).
"""

from __future__ import annotations

import importlib
from typing import Any

import orjson

from planner import Network, plan_routes
from planner.export import request_to_dict, route_feature, route_to_dict

__all__ = ["compare_routes", "plan", "plan_scenario", "resolve_scenario"]


def _scenario_module() -> Any:
    return importlib.import_module("planner.scenario")


def resolve_scenario(network: Network, scenario: str | dict[str, Any] | None) -> Any:
    """A Scenario from a bundled scenario name or an inline scenario object (None stays None)."""
    if scenario is None:
        return None
    module = _scenario_module()
    if isinstance(scenario, str):
        return module.load_bundled_scenario(scenario, network)
    return module.parse_scenario(scenario, network)


def plan(network: Network, origin: str, destination: str, options: dict[str, Any], geojson: bool) -> bytes:
    """Routes as the API's JSON body, or as a GeoJSON FeatureCollection."""
    result = plan_routes(network, origin, destination, **options)
    if geojson:
        features = [route_feature(r, network) for r in result.routes]
        return orjson.dumps({"type": "FeatureCollection", "request": request_to_dict(result.request), "features": features})
    return orjson.dumps(
        {"request": request_to_dict(result.request), "routes": [route_to_dict(r, network) for r in result.routes]}
    )


def plan_scenario(
    network: Network, scenario: str | dict[str, Any], origin: str, destination: str, options: dict[str, Any]
) -> bytes:
    """Routes with and without a scenario (``planner.scenario.plan_with_scenario``)."""
    parsed = resolve_scenario(network, scenario)
    result = _scenario_module().plan_with_scenario(network, parsed, origin, destination, **options)
    return orjson.dumps(result.to_dict(network))


def compare_routes(
    network: Network,
    origin: str,
    destination: str,
    corridors: list[str] | None,
    scenario: str | dict[str, Any] | None,
    options: dict[str, Any],
) -> bytes:
    """A corridor comparison (``planner.compare.compare``)."""
    compare = importlib.import_module("planner.compare").compare
    parsed = resolve_scenario(network, scenario)
    result = compare(network, origin, destination, corridors, scenario=parsed, **options)
    return orjson.dumps(result.to_dict(network))
