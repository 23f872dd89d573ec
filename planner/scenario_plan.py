"""Planning one request on the baseline network and under a scenario, side by side."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import NoRouteError
from .network import Network
from .request import RouteRequest
from .route import Route
from .routing import RoutePlan, plan
from .scenario import Scenario
from .scenario_network import scenario_network

__all__ = ["ScenarioPlan", "plan_with_scenario", "route_delta"]


def route_delta(base: Route, new: Route) -> dict[str, float]:
    """Scenario minus baseline: typical, P50 and P90 hours, USD, kg CO2e and generalized USD."""
    return {
        "transit_hours": round(new.transit_hours - base.transit_hours, 2),
        "transit_hours_p50": round(new.transit_hours_p50 - base.transit_hours_p50, 2),
        "transit_hours_p90": round(new.transit_hours_p90 - base.transit_hours_p90, 2),
        "cost_usd": round(new.cost_usd - base.cost_usd, 2),
        "co2e_kg": round(new.co2e_kg - base.co2e_kg, 2),
        "generalized_cost_usd": round(new.generalized_cost_usd - base.generalized_cost_usd, 2),
    }


@dataclass(frozen=True, slots=True)
class ScenarioPlan:
    """Routes planned on the baseline network and under a scenario, side by side."""

    scenario: Scenario
    baseline: RoutePlan | None
    baseline_error: str | None
    planned: RoutePlan | None
    planned_error: str | None

    def best_delta(self) -> dict[str, float] | None:
        """Scenario minus baseline for the best route of each, or None when either has none."""
        if self.baseline and self.planned and self.baseline.routes and self.planned.routes:
            return route_delta(self.baseline.routes[0], self.planned.routes[0])
        return None

    def appeared(self) -> list[tuple[str, ...]]:
        """Paths (as places) among the scenario's routes that the baseline's routes do not have."""
        base = {r.places for r in self.baseline.routes} if self.baseline else set()
        return [r.places for r in self.planned.routes if r.places not in base] if self.planned else []

    def vanished(self) -> list[tuple[str, ...]]:
        """Paths (as places) among the baseline's routes that the scenario's routes do not have."""
        new = {r.places for r in self.planned.routes} if self.planned else set()
        return [r.places for r in self.baseline.routes if r.places not in new] if self.baseline else []


def plan_with_scenario(
    network: Network, scenario: Scenario, request: RouteRequest, *, use_cache: bool = True
) -> ScenarioPlan:
    """Plan the same request (from :func:`planner.resolve_request`) on ``network`` and under ``scenario``.

    The scenario's network is built once per scenario content and kept in ``network``'s bounded
    cache; ``use_cache=False`` also plans both afresh.

    Raises
    ------
    NoRouteError
        Neither the baseline nor the scenario has a route (the scenario's reason is given).
    """
    changed = scenario_network(network, scenario)
    results: list[tuple[RoutePlan | None, str | None]] = []
    errors: list[NoRouteError] = []
    for net in (network, changed):
        try:
            results.append((plan(net, request, use_cache=use_cache), None))
        except NoRouteError as exc:
            results.append((None, str(exc)))
            errors.append(exc)
    if len(errors) == 2:
        raise errors[1]
    (base, base_error), (new, new_error) = results
    return ScenarioPlan(scenario, base, base_error, new, new_error)
