"""Hand-computed assignments on tests/fixtures/flows.yaml (two parallel corridors) and tiny.yaml.

flows.yaml, rail at 50 km/h, ranking by time:
  north  o -> d        500 km = 10 h, 100 TEU a year
  south  o -> m -> d   250 km = 5 h (200 TEU a year) + 500 km = 10 h (200 TEU a year)
With linear delay (BPR, alpha = 1, beta = 1: a link's delay is its free-flow hours x V/C):
  north: 10 + 10 x / 100 = 10 + 0.1 x        south: 15 + (5 + 10) y / 200 = 15 + 0.075 y
Wardrop with x + y = 300:  10 + 0.1 x = 15 + 0.075 (300 - x)  ->  x = 27.5 / 0.175 = 157.142857.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import planner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LINEAR = planner.BPRDelay(alpha=1.0, beta=1.0)
O_TO_D = [{"origin": "o", "destination": "d", "teu_per_year": 300}]


@pytest.fixture(scope="module")
def flows() -> planner.Network:
    return planner.load_network(FIXTURES / "flows.yaml")


def volume(result: planner.Assignment, asset: str, direction: str) -> float:
    return next(a.teu_per_year for a in result.assets if a.asset == asset and a.direction == direction)


def queue_days(result: planner.Assignment, asset: str, direction: str) -> float:
    return next(a.queue_days for a in result.assets if a.asset == asset and a.direction == direction)


def test_all_or_nothing_loads_every_pair_on_its_free_flow_path(flows: planner.Network) -> None:
    demand = [*O_TO_D, {"origin": "m", "destination": "d", "teu_per_year": 50}, {"origin": "d", "destination": "o", "teu_per_year": 7}]
    result = planner.assign(flows, demand, method="aon", criterion="time", delay=LINEAR)
    assert volume(result, "link:north", "o>d") == pytest.approx(300)  # 10 h beats 15 h
    assert volume(result, "link:north", "d>o") == pytest.approx(7)
    assert volume(result, "link:s1", "o>m") == 0
    assert volume(result, "link:s2", "m>d") == pytest.approx(50)  # 10 h beats m-o-d 15 h
    # north carries 300 on 100: delay 10 h x 3 = 30 h, 3.0 V/C; the gap is what rerouting would save
    north = next(a for a in result.assets if a.asset == "link:north" and a.direction == "o>d")
    assert north.vc == pytest.approx(3.0)
    assert north.queue_days == pytest.approx(30 / 24)
    od = next(o for o in result.ods if o.origin == "o")
    assert od.hours == pytest.approx(40.0)
    assert od.free_flow_hours == pytest.approx(10.0)
    assert od.cost_usd_per_teu == pytest.approx(500.0)  # 500 km x $1/TEU-km
    assert od.corridors == (("north_line", 1.0),)


@pytest.mark.parametrize("method", ["fw", "bfw", "msa"])
def test_two_parallel_corridors_with_linear_delay_split_as_solved_by_hand(flows: planner.Network, method: str) -> None:
    result = planner.assign(flows, O_TO_D, method=method, criterion="time", delay=LINEAR, gap=1e-7, max_iterations=5000)
    x = 27.5 / 0.175
    assert result.converged
    assert result.gap <= 1e-7
    assert volume(result, "link:north", "o>d") == pytest.approx(x, rel=1e-4)
    assert volume(result, "link:s1", "o>m") == pytest.approx(300 - x, rel=1e-4)
    assert volume(result, "link:s2", "m>d") == pytest.approx(300 - x, rel=1e-4)
    od = result.ods[0]
    assert od.hours == pytest.approx(10 + 0.1 * x, rel=1e-4)  # both paths take the same time
    assert {p.places for p in od.paths} == {("o", "d"), ("o", "m", "d")}
    shares = dict(od.corridors)
    assert shares["north_line"] == pytest.approx(x / 300, rel=1e-4)
    corridor = {c.id: c for c in result.corridors}
    assert corridor["south_line"].teu_per_year == pytest.approx(300 - x, rel=1e-4)
    assert corridor["north_line"].share + corridor["south_line"].share == pytest.approx(1.0)


def test_incremental_loading_moves_slices_to_the_other_corridor_once_north_slows(flows: planner.Network) -> None:
    # Slices of 30: north costs 10, 13, 16 h after 0, 30, 60 TEU; south 15 h at 0. Slice 1 and 2 go north
    # (10, 13 < 15), slice 3 south (16 > 15), then they alternate by the cheaper of the two.
    result = planner.assign(flows, O_TO_D, method="incremental", increments=10, criterion="time", delay=LINEAR)
    north = volume(result, "link:north", "o>d")
    assert north + volume(result, "link:s1", "o>m") == pytest.approx(300)
    assert north in (150.0, 180.0, 120.0)
    assert abs(north - 27.5 / 0.175) <= 30  # within one slice of the equilibrium


def test_hard_capacity_all_or_nothing_keeps_the_path_to_its_capacity(flows: planner.Network) -> None:
    result = planner.assign(flows, O_TO_D, method="aon", capacity_mode="hard", criterion="time", delay=LINEAR)
    assert volume(result, "link:north", "o>d") == pytest.approx(100)
    assert result.served_teu_per_year == pytest.approx(100)
    assert result.unserved_teu_per_year == pytest.approx(200)
    assert result.unserved[0].unserved_reason == "capacity"
    north = next(a for a in result.assets if a.asset == "link:north" and a.direction == "o>d")
    # 300 TEU want the link; at V/C 0.85 that needs 300 / 0.85 = 352.9 TEU a year, 252.9 more than today
    assert north.extra_teu_per_year == pytest.approx(300 / 0.85 - 100)


def test_hard_capacity_equilibrium_serves_what_queues_at_most_max_queue_days(flows: planner.Network) -> None:
    # South closed. The queue of 100 TEU a year in trains of 104 TEU: mu = 100 / 365 / 104 trains a day, M/D/1
    # (v = 0.5): W = 0.5 rho / (mu (1 - rho)) days. Volume stays home once W passes 30 days: rho = 30 mu / (0.5 + 30 mu).
    mu = 100 / 365 / 104
    rho = 30 * mu / (0.5 + 30 * mu)
    result = planner.assign(
        flows, O_TO_D, method="fw", capacity_mode="hard", criterion="time", closed_assets=["link:s1"], gap=1e-6, max_iterations=2000
    )
    assert result.served_teu_per_year == pytest.approx(100 * rho, rel=1e-3)
    assert result.unserved_teu_per_year == pytest.approx(300 - 100 * rho, rel=1e-3)
    assert queue_days(result, "link:north", "o>d") == pytest.approx(30, rel=1e-3)


def test_hard_capacity_never_puts_an_asset_over_capacity(flows: planner.Network) -> None:
    demand = [*O_TO_D, {"origin": "m", "destination": "d", "teu_per_year": 400}]
    for method in ("aon", "incremental", "bfw", "msa"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", planner.AssignmentConvergenceWarning)
            result = planner.assign(flows, demand, method=method, capacity_mode="hard", criterion="time", delay=LINEAR, max_iterations=300)
        assert all(a.vc <= 1.0 + 1e-6 for a in result.assets), method
        assert result.served_teu_per_year + result.unserved_teu_per_year == pytest.approx(700)
        assert result.unserved_teu_per_year > 0


def test_equilibrium_meets_wardrop_within_the_reported_gap(flows: planner.Network) -> None:
    # Queue delay, a second pair, and demand past capacity. Path times come back from the assets' queue days,
    # independently of how the solver costs paths.
    demand = [
        {"origin": "o", "destination": "d", "teu_per_year": 250},
        {"origin": "m", "destination": "d", "teu_per_year": 120},
        {"origin": "o", "destination": "m", "teu_per_year": 60},
    ]
    result = planner.assign(flows, demand, method="bfw", criterion="time", gap=1e-5, max_iterations=3000)
    assert result.converged

    def hours(places: tuple[str, ...]) -> float:
        base = {("o", "d"): 10.0, ("o", "m"): 5.0, ("m", "d"): 10.0, ("m", "o"): 5.0, ("d", "m"): 10.0}
        link = {("o", "d"): "link:north", ("o", "m"): "link:s1", ("m", "d"): "link:s2", ("m", "o"): "link:s1", ("d", "m"): "link:s2"}
        total = 0.0
        for a, b in zip(places, places[1:], strict=False):
            total += base[(a, b)] + 24 * queue_days(result, link[(a, b)], f"{a}>{b}")
        return total

    candidates = {("o", "d"): [("o", "d"), ("o", "m", "d")], ("m", "d"): [("m", "d"), ("m", "o", "d")], ("o", "m"): [("o", "m"), ("o", "d", "m")]}
    total_cost = excess = 0.0
    for od in result.ods:
        best = min(hours(c) for c in candidates[(od.origin, od.destination)])
        for path in od.paths:
            cost = hours(path.places)
            total_cost += od.served_teu_per_year * path.share * cost
            excess += od.served_teu_per_year * path.share * (cost - best)
            if path.share > 1e-3:  # a used path is no slower than the best by more than the gap allows
                assert cost - best <= result.gap * total_cost / od.served_teu_per_year + 1e-5
    # the tie-break on cost (1e-9 h per USD) is all that separates the two measures
    assert excess / total_cost <= result.gap + 1e-9


def test_a_run_that_stops_early_says_so(flows: planner.Network) -> None:
    with pytest.warns(planner.AssignmentConvergenceWarning, match="did not reach"):
        result = planner.assign(flows, O_TO_D, method="msa", criterion="time", gap=1e-12, max_iterations=3)
    assert not result.converged
    assert result.iterations == 3
    assert result.gap > 1e-12
    assert result.warnings


def test_queue_delay_follows_kingman_below_capacity_and_the_deterministic_queue_above() -> None:
    delay = planner.QueueDelay(period_days=365)
    mu, v = np.array([20.0]), np.array([0.5])

    def days(rho: float) -> float:
        return float(delay.hours(np.array([rho]), mu, v, np.array([0.0]), hard=False)[0]) / 24

    assert days(0.0) == 0.0
    assert days(0.9) == pytest.approx(0.5 * 0.9 / (20 * 0.1), rel=0.02)  # M/D/1: 0.225 days
    assert days(1.2) == pytest.approx(365 * 0.2 / 2, rel=0.01)  # backlog over a year: 36.5 days
    assert math.isfinite(days(1.0))
    hard = float(delay.hours(np.array([0.9]), mu, v, np.array([0.0]), hard=True)[0]) / 24
    assert hard == pytest.approx(0.225)
    assert math.isinf(float(delay.hours(np.array([1.0]), mu, v, np.array([0.0]), hard=True)[0]))


def test_a_capacity_factor_and_a_closed_asset_act_without_another_network(flows: planner.Network) -> None:
    halved = planner.assign(flows, O_TO_D, method="aon", criterion="time", delay=LINEAR, capacity_factors={"link:north": 0.5})
    north = next(a for a in halved.assets if a.asset == "link:north" and a.direction == "o>d")
    assert north.capacity_teu_per_year == pytest.approx(50)
    assert north.vc == pytest.approx(6.0)
    closed = planner.assign(flows, O_TO_D, method="aon", criterion="time", delay=LINEAR, closed_assets=["link:north"])
    assert volume(closed, "link:s1", "o>m") == pytest.approx(300)
    with pytest.raises(planner.InvalidRequestError, match="unknown asset"):
        planner.assign(flows, O_TO_D, closed_assets=["link:nowhere"])


def test_place_capacity_counts_border_crossings_gauge_changes_and_port_handling(tiny: planner.Network) -> None:
    text = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    gauge_change: {hours: {typical: 3, min: 1, max: 5}, cost_usd_per_teu: 30, source: TEST}\n",
        "    gauge_change: {hours: {typical: 3, min: 1, max: 5}, cost_usd_per_teu: 30, source: TEST}\n"
        "    capacity:\n"
        "      border: {teu_per_year: 50, direction: inbound, source: TEST}\n"
        "      gauge_change: {trains_per_day: 1, teu_per_train: 10, source: TEST}\n",
    )
    text = text.replace(
        "      - {modes: [rail, sea], hours: {typical: 10, min: 5, max: 20}, cost_usd_per_teu: 50, source: TEST}\n",
        "      - {modes: [rail, sea], hours: {typical: 10, min: 5, max: 20}, cost_usd_per_teu: 50, source: TEST}\n"
        "    capacity:\n"
        "      transshipment: {teu_per_year: 40, direction: both, source: TEST}\n",
    )
    network = planner.parse_network(text, path="tiny-capacity.yaml")
    demand = [{"origin": "a1", "destination": "c2", "teu_per_year": 100}]
    result = planner.assign(network, demand, method="aon", criterion="time", closed_assets=["link:l6"])
    by = {(a.asset, a.direction): a for a in result.assets}
    assert by[("border:b1", "inbound")].teu_per_year == pytest.approx(100)
    assert by[("border:b1", "inbound")].vc == pytest.approx(2.0)
    assert ("border:b1", "outbound") not in by  # the figure is for inbound traffic only
    yard = by[("gauge_change:b1", "rail1435>rail1520")]
    assert yard.capacity_teu_per_year == pytest.approx(10 * 365)
    assert yard.vc == pytest.approx(100 / 3650)
    port = by[("transshipment:b2", "both")]
    assert port.teu_per_year == pytest.approx(100)
    assert port.vc == pytest.approx(2.5)
    assert result.bottlenecks[0].asset == "transshipment:b2"
