"""The planner calls the API runs in worker processes; each returns the response body as JSON bytes.

Jobs are ``fn(network, *args)`` with plain, picklable arguments (see :mod:`api.compute`). A job
that may run in the server process (see :mod:`api.dispatch`) also takes a keyword ``deadline``.
"""

from __future__ import annotations

from typing import Any

import orjson

from planner import (
    Network,
    Scenario,
    compare,
    load_bundled_scenario,
    parse_scenario,
    plan_routes,
    plan_with_scenario,
    resolve_request,
    route_matrix,
)
from planner.export import (
    comparison_to_dict,
    matrix_to_dict,
    request_to_dict,
    route_feature,
    route_to_dict,
    scenario_plan_to_dict,
)
from planner.scenario_network import scenario_network

__all__ = ["compare_routes", "matrix", "plan", "plan_scenario", "resolve_scenario"]


def resolve_scenario(network: Network, scenario: str | dict[str, Any]) -> Scenario:
    """A Scenario from a bundled scenario name or an inline scenario object."""
    if isinstance(scenario, str):
        return load_bundled_scenario(scenario, network)
    return parse_scenario(scenario, network)


def plan(
    network: Network,
    origin: str,
    destination: str,
    options: dict[str, Any],
    geojson: bool,
    *,
    deadline: float | None = None,
) -> bytes:
    """Routes as the API's JSON body, or as a GeoJSON FeatureCollection (searching until ``deadline``, if given)."""
    result = plan_routes(network, origin, destination, **options, deadline=deadline)
    if geojson:
        features = [route_feature(r, network) for r in result.routes]
        return orjson.dumps(
            {"type": "FeatureCollection", "request": request_to_dict(result.request, network), "notes": list(result.notes), "features": features}
        )
    return orjson.dumps(
        {
            "request": request_to_dict(result.request, network),
            "notes": list(result.notes),
            "routes": [route_to_dict(r, network) for r in result.routes],
        }
    )


def plan_scenario(
    network: Network, scenario: str | dict[str, Any], origin: str, destination: str, options: dict[str, Any]
) -> bytes:
    """Routes with and without a scenario (:func:`planner.plan_with_scenario`)."""
    parsed = resolve_scenario(network, scenario)
    request = resolve_request(network, origin, destination, **options)
    return orjson.dumps(scenario_plan_to_dict(plan_with_scenario(network, parsed, request), network))


def compare_routes(
    network: Network,
    origin: str,
    destination: str,
    corridors: list[str] | None,
    scenario: str | dict[str, Any] | None,
    options: dict[str, Any],
) -> bytes:
    """A corridor comparison (:func:`planner.compare`)."""
    parsed = resolve_scenario(network, scenario) if scenario is not None else None
    request = resolve_request(network, origin, destination, **options)
    return orjson.dumps(comparison_to_dict(compare(network, request, corridors, scenario=parsed), network))


def matrix(
    network: Network,
    origins: list[str],
    destinations: list[str],
    options: dict[str, Any],
    scenario: str | dict[str, Any] | None,
    *,
    deadline: float | None = None,
) -> bytes:
    """A route matrix (:func:`planner.route_matrix`), under a scenario if one is given."""
    served = network if scenario is None else scenario_network(network, resolve_scenario(network, scenario))
    return orjson.dumps(matrix_to_dict(route_matrix(served, origins, destinations, **options, deadline=deadline), served))
