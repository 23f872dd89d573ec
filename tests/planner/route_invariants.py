"""What every plan must satisfy, checked on public names only (shared by the property tests)."""

from __future__ import annotations

import itertools

import planner

CHANGES = (planner.EventKind.TRANSSHIPMENT, planner.EventKind.GAUGE_CHANGE)


def value(route: planner.Route, rank: str) -> float:
    """The figure a route is ranked by."""
    return {
        "time": route.transit_hours,
        "cost": route.cost_usd,
        "co2e": route.co2e_kg,
        "generalized": route.generalized_cost_usd,
        "reliable": route.transit_hours_p90,
    }[rank]


def _mode_before(event: planner.Event) -> planner.Mode:
    return planner.Mode.RAIL if event.kind is planner.EventKind.GAUGE_CHANGE else event.from_mode  # type: ignore[return-value]


def _mode_after(event: planner.Event) -> planner.Mode:
    return planner.Mode.RAIL if event.kind is planner.EventKind.GAUGE_CHANGE else event.to_mode  # type: ignore[return-value]


def check_route(network: planner.Network, route: planner.Route) -> None:
    """No place twice; at most one change at a place unless the place has no direct change for it."""
    assert len(set(route.places)) == len(route.places), f"passes a place twice: {route.places}"
    for leg in route.legs:
        changes = [e for e in leg.events if e.kind in CHANGES]
        if len(changes) < 2:
            continue
        assert len({e.place for e in changes}) == 1, [e.description for e in changes]
        place = network.places[changes[0].place]
        first, last = _mode_before(changes[0]), _mode_after(changes[-1])
        direct = place.gauge_change is not None if first is last is planner.Mode.RAIL else place.transshipment(first, last)
        assert not direct, f"two changes in a row at {place.id} where a direct one exists: {[e.description for e in changes]}"


def check_plan(network: planner.Network, plan: planner.RoutePlan) -> None:
    """Every route passes :func:`check_route`; alternatives are admissible and differ at decision level."""
    request = plan.request
    routes = plan.routes
    assert 1 <= len(routes) <= request.k
    for route in routes:
        check_route(network, route)
        assert route.places[0] == request.origin
        assert route.places[-1] == request.destination
    if request.rank is planner.Rank.PARETO:
        return
    rank = request.rank.value
    best = value(routes[0], rank)
    for route in routes[1:]:
        assert value(route, rank) <= request.max_stretch * best * (1 + 1e-6) + 1e-6, (rank, best, value(route, rank))
    for a, b in itertools.combinations(routes, 2):
        assert a.border_points != b.border_points or a.main_corridor != b.main_corridor, (a.places, b.places)
        shorter = min(a.distance_km, b.distance_km)
        km_a = {leg.link: leg.distance_km for leg in a.legs}
        shared = sum(leg.distance_km for leg in b.legs if leg.link in km_a)
        assert shared <= request.max_shared_fraction * shorter + 1e-6, (a.places, b.places)
    if len(routes) < request.k:
        assert plan.notes, "fewer routes than asked for, and no note saying why"
