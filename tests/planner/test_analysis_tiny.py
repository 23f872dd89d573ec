"""Hand-computed checks of percentiles, the Pareto front and every scenario change on tests/fixtures/tiny.yaml."""

from __future__ import annotations

import math

import numpy as np
import pytest

import planner
from planner import apply_scenario, compare, parse_scenario, plan_with_scenario, resolve_request
from planner._pricing import percentiles
from planner.export import scenario_plan_to_dict

SOUTH = ("a1", "a2", "b1", "b2", "c1", "c2")
SOUTH_HOURS = 92.2
SOUTH_COST = 740.0


def test_p50_and_p90_of_one_symmetric_triangular_part() -> None:
    # Triangular(0, 42, 84): median 42; P90 solves (84 - x)^2 = 0.1 * 84 * 42.
    p50, p90 = percentiles([(0.0, 42.0, 84.0)])
    assert p50 == pytest.approx(42.0, abs=0.8)
    assert p90 == pytest.approx(84 - math.sqrt(0.1 * 84 * 42), abs=0.8)


def test_constant_parts_shift_the_percentiles() -> None:
    p50, p90 = percentiles([(0.0, 42.0, 84.0), (10.0, 10.0, 10.0)])
    assert p50 == pytest.approx(52.0, abs=0.8)
    assert p90 == pytest.approx(94 - math.sqrt(0.1 * 84 * 42), abs=0.8)


def test_p90_of_a_chain_of_skewed_parts_matches_a_numerical_convolution() -> None:
    parts = [(0.0, 2.0, 10.0), (1.0, 1.0, 13.0), (4.0, 6.0, 8.0)]
    step = 0.01
    grid = np.arange(0, 14 + step, step)
    density = np.array([1.0])
    for a, c, b in parts:
        pdf = np.where(grid < a, 0.0, np.where(grid <= c, 2 * (grid - a) / ((b - a) * max(c - a, 1e-12)), 0.0))
        pdf = np.where((grid > c) & (grid <= b), 2 * (b - grid) / ((b - a) * (b - c)), pdf)
        if c == a:
            pdf = np.where((grid >= a) & (grid <= b), 2 * (b - grid) / ((b - a) * (b - c)), 0.0)
        density = np.convolve(density, pdf * step)
    cdf = np.cumsum(density)
    cdf /= cdf[-1]
    expected = [np.searchsorted(cdf, q) * step for q in (0.5, 0.9)]
    p50, p90 = percentiles(parts)
    assert p50 == pytest.approx(expected[0], abs=0.15)
    assert p90 == pytest.approx(expected[1], abs=0.15)


def test_route_percentiles_lie_inside_the_range(tiny: planner.Network) -> None:
    route = planner.plan_routes(tiny, "a1", "c2", rank="cost", k=1).routes[0]
    assert route.transit_hours_min <= route.transit_hours_p50 <= route.transit_hours_p90 <= route.transit_hours_max


def test_pareto_front_holds_both_undominated_routes_and_says_what_each_is_best_on(tiny: planner.Network) -> None:
    routes = planner.plan_routes(tiny, "a1", "c2", rank="pareto", k=5).routes
    assert [r.places for r in routes] == [("a1", "c2"), SOUTH]
    assert routes[0].best_on == ("time",)
    assert routes[1].best_on == ("cost", "co2e")


def test_pareto_front_drops_a_route_dominated_on_every_criterion(tiny: planner.Network) -> None:
    # A slow, dear, dirty road a1 -> c1 makes a1-c1-c2 worse than the direct road on all three criteria.
    scenario = parse_scenario(
        {
            "name": "detour",
            "title": "Dominated detour",
            "estimate": "test figures",
            "changes": [{"add_link": {"id": "l9", "from": "a1", "to": "c1", "mode": "road", "distance_km": 1200, "estimate": "test"}}],
        },
        tiny,
    )
    network = apply_scenario(tiny, scenario)
    routes = planner.plan_routes(network, "a1", "c2", rank="pareto", k=10).routes
    assert ("a1", "c1", "c2") not in [r.places for r in routes]
    assert [r.places for r in routes] == [("a1", "c2"), SOUTH]


def _scenario(tiny: planner.Network, *changes: dict[str, object]) -> planner.Network:
    return apply_scenario(tiny, parse_scenario({"name": "t", "title": "T", "changes": list(changes)}, tiny))


def _south(network: planner.Network) -> planner.Route:
    return planner.plan_routes(network, "a1", "c2", rank="time", k=1, via=["b2"]).routes[0]


def test_close_place_leaves_only_the_direct_road(tiny: planner.Network) -> None:
    network = _scenario(tiny, {"close_place": "b1"})
    assert [r.places for r in planner.plan_routes(network, "a1", "c2", k=3).routes] == [("a1", "c2")]


def test_close_link_removes_the_direct_road(tiny: planner.Network) -> None:
    network = _scenario(tiny, {"close_link": "l6"})
    assert [r.places for r in planner.plan_routes(network, "a1", "c2", k=3).routes] == [SOUTH]


def test_close_border_of_the_destination_country_leaves_no_route(tiny: planner.Network) -> None:
    network = _scenario(tiny, {"close_border": "BB"})
    with pytest.raises(planner.NoRouteError):
        planner.plan_routes(network, "a1", "c2")


def test_add_delay_adds_hours_on_arrival(tiny: planner.Network) -> None:
    network = _scenario(tiny, {"add_delay": {"place": "b2", "hours": 10}})
    assert _south(network).transit_hours == pytest.approx(SOUTH_HOURS + 10)


def test_set_border_dwell_replaces_the_dwell(tiny: planner.Network) -> None:
    network = _scenario(tiny, {"set_border_dwell": {"place": "a2", "hours": {"typical": 20, "min": 10, "max": 30}}})
    route = _south(network)
    assert route.transit_hours == pytest.approx(SOUTH_HOURS + 16)
    assert route.cost_usd == pytest.approx(SOUTH_COST)  # the fee is unchanged


@pytest.mark.parametrize(
    ("target", "extra_usd"),
    [
        ({"mode": "rail"}, 310.0),  # l1 100 + l2 10 + l3 200
        ({"link": "l4"}, 150.0),
        ({"country": "BB"}, 10.0 + 200.0 + 150.0 + 100.0),  # links touching BB: l2, l3, l4, l5 (border fees stay)
    ],
)
def test_multiply_tariff_doubles_the_matching_link_charges(tiny: planner.Network, target: dict[str, str], extra_usd: float) -> None:
    network = _scenario(tiny, {"multiply_tariff": {**target, "factor": 2.0}})
    assert _south(network).cost_usd == pytest.approx(SOUTH_COST + extra_usd)


def test_set_departures_changes_the_ferry_wait(tiny: planner.Network) -> None:
    network = _scenario(tiny, {"set_departures": {"link": "l4", "per_week": 4}})
    assert _south(network).transit_hours == pytest.approx(SOUTH_HOURS - 42 + 21)


def test_add_link_and_open_link_create_a_faster_route(tiny: planner.Network) -> None:
    network = _scenario(
        tiny,
        {"add_link": {"id": "l7", "from": "a1", "to": "c1", "mode": "road", "distance_km": 200, "status": "planned", "estimate": "test"}},
        {"open_link": "l7"},
    )
    route = planner.plan_routes(network, "a1", "c2", k=1).routes[0]
    assert route.places == ("a1", "c1", "c2")
    assert route.transit_hours == pytest.approx(4 + 1)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ([{"close_place": "zz"}], "unknown place 'zz'"),
        ([{"close_link": "l99"}], "unknown link 'l99'"),
        ([{"close_border": "RU"}], "country RU"),
        ([{"set_border_dwell": {"place": "a1", "hours": 5}}], "no border controls"),
        ([{"open_link": "l1"}], "already operational"),
        ([{"multiply_tariff": {"mode": "rail", "link": "l1", "factor": 2}}], "exactly one of mode, link or country"),
        ([{"close_place": "a1", "close_link": "l1"}], "exactly one of"),
        ([{"fly_over": "a1"}], "invalid scenario"),
        ([], "invalid scenario"),
    ],
)
def test_bad_scenarios_are_refused_with_a_specific_message(tiny: planner.Network, changes: list[object], match: str) -> None:
    with pytest.raises(planner.ScenarioError, match=match):
        parse_scenario({"name": "bad", "title": "Bad", "changes": changes}, tiny)


def test_a_scenario_never_leaks_into_the_next_request(tiny: planner.Network) -> None:
    # Every plan is computed afresh (use_cache=False): a cached answer would hide a leak.
    before = planner.plan_routes(tiny, "a1", "c2", k=3, use_cache=False)
    scenario = parse_scenario({"name": "closed", "title": "Closed", "changes": [{"close_link": "l6"}]}, tiny)
    result = plan_with_scenario(tiny, scenario, resolve_request(tiny, "a1", "c2", k=3), use_cache=False)
    assert result.planned is not None
    assert [r.places for r in result.planned.routes] == [SOUTH]
    after = planner.plan_routes(tiny, "a1", "c2", k=3, use_cache=False)
    assert after == before
    assert "l6" in tiny.links
    assert tiny.graph.has_edge("a1", "c2", "l6")


def test_scenario_plan_reports_deltas_and_vanished_routes(tiny: planner.Network) -> None:
    scenario = parse_scenario({"name": "closed", "title": "Closed", "changes": [{"close_link": "l6"}]}, tiny)
    # max_stretch 10: the southern route (4.6 times the direct road's hours) is among the baseline's routes.
    result = plan_with_scenario(tiny, scenario, resolve_request(tiny, "a1", "c2", k=3, max_stretch=10))
    data = scenario_plan_to_dict(result, tiny)
    assert data["delta"]["transit_hours"] == pytest.approx(SOUTH_HOURS - 20)
    assert data["delta"]["cost_usd"] == pytest.approx(SOUTH_COST - 2000)
    assert data["vanished"] == [["a1", "c2"]]
    assert data["appeared"] == []


def test_compare_lists_every_corridor_with_a_reason_when_it_cannot_serve(tiny: planner.Network) -> None:
    result = compare(tiny, resolve_request(tiny, "a1", "b2"))
    rows = {row.corridor: row for row in result.rows}
    assert rows[None].route is not None
    assert rows["south"].route is not None
    assert rows["direct"].route is None
    assert rows["direct"].reason
    assert "Direct road" in rows["direct"].reason


def test_an_unchanged_path_keeps_its_exact_p50_and_p90_under_a_scenario(tiny: planner.Network) -> None:
    # Each part's draws are seeded by its name, so a path the scenario does not touch has no Monte Carlo noise.
    scenario = parse_scenario({"name": "closed", "title": "Closed", "changes": [{"close_link": "l6"}]}, tiny)
    result = plan_with_scenario(tiny, scenario, resolve_request(tiny, "a1", "c2", k=2, max_stretch=10))
    assert result.baseline is not None
    assert result.planned is not None
    base = next(r for r in result.baseline.routes if r.places == SOUTH)
    new = next(r for r in result.planned.routes if r.places == SOUTH)
    assert (new.transit_hours_p50, new.transit_hours_p90) == (base.transit_hours_p50, base.transit_hours_p90)
    assert scenario_plan_to_dict(result, tiny)["routes"][0]["delta"]["transit_hours_p90"] == 0.0


def test_percentiles_do_not_depend_on_where_a_named_part_sits() -> None:
    parts = [(0.0, 2.0, 10.0), (1.0, 1.0, 13.0), (4.0, 6.0, 8.0)]
    keys = ["a", "b", "c"]
    forward = percentiles(parts, keys=keys)
    backward = percentiles(parts[::-1], keys=keys[::-1])
    assert forward == pytest.approx(backward, abs=1e-9)
