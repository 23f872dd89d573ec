"""Criticality on the tiny fixture, computed by hand (tests/fixtures/tiny.yaml; figures made up for arithmetic).

Rail 50 km/h and $1/TEU-km, road 50 km/h and $2/TEU-km, sea $0.5/TEU-km; CO2e 20 / 80 / 10 g per tonne-km.
  a1 -> b2 by rail (l1 100 km, l2 10 km, l3 200 km):
      2 + 0.2 + 4 (Alpha border) + 6 (Beta border) + 3 (gauge change) + 4 = 19.2 h;
      $100 + 10 + 20 + 40 (border fees) + 30 (gauge change) + 200 = $400 a TEU; 310 rail km = 6.2 kg CO2e a tonne.
  a1 -> b2 without l1: road l6 1000 km (20 h) + road l5 50 km (1 h) + road->sea at c1 (8 h, $40)
      + a departure of the twice-weekly ferry l4 (42 h on average) + 12 h at sea:
      83 h; $2,000 + 100 + 40 + 150 = $2,290 a TEU; 1,050 road km + 300 sea km = 87 kg CO2e a tonne.
  a1 -> c2 by time: the direct road l6, 20 h.
The spur: a place d1 joined by one rail link l7 (b2 - d1, 100 km) only, so l7 is a bridge of the public graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import planner
from planner.criticality import bridge_links

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONTAINER_TONNES = 12.0  # the container cargo class: 12 t a TEU


def _tiny_text() -> str:
    return (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")


def _with_spur(text: str) -> str:
    place = (
        "  - {id: d1, name: Delta Mine, country: BB, lat: 11.0, lon: 13.0, kinds: [city], source: TEST}\n"
        "links:\n"
    )
    link = "  - {id: l7, from: b2, to: d1, mode: rail, gauge_mm: 1520, distance_km: 100, source: TEST}\ncorridors:\n"
    return text.replace("links:\n", place, 1).replace("corridors:\n", link, 1)


@pytest.fixture(scope="module")
def spur(tmp_path_factory: pytest.TempPathFactory) -> planner.Network:
    path = tmp_path_factory.mktemp("spur") / "tiny_spur.yaml"
    path.write_text(_with_spur(_tiny_text()), encoding="utf-8")
    return planner.load_network(path)


@pytest.fixture(scope="module")
def capacitated(tmp_path_factory: pytest.TempPathFactory) -> planner.Network:
    """tiny.yaml with 100 TEU a year each way on the rail link l1 and 25 on the direct road l6."""
    text = _tiny_text()
    text = text.replace(
        "distance_km: 100, source: TEST}\n", "distance_km: 100, source: TEST, capacity: {teu_per_year: 100, source: TEST}}\n", 1
    )
    text = text.replace(
        "distance_km: 1000, source: TEST}\n", "distance_km: 1000, source: TEST, capacity: {teu_per_year: 25, source: TEST}}\n", 1
    )
    path = tmp_path_factory.mktemp("capacity") / "tiny_capacity.yaml"
    path.write_text(text, encoding="utf-8")
    return planner.load_network(path)


def row(result: planner.Criticality, asset_id: str) -> planner.AssetCriticality:
    return next(a for a in result.assets if a.asset.id == asset_id)


def test_the_spur_link_is_the_public_graphs_only_bridge(spur: planner.Network, tiny: planner.Network) -> None:
    assert bridge_links(spur) == {"l7"}
    assert bridge_links(tiny) == frozenset()  # tiny itself is a ring


def test_a_bridge_asset_isolates_its_flows_which_are_reported_and_never_priced_as_zero(spur: planner.Network) -> None:
    demand = [
        {"origin": "a1", "destination": "d1", "teu_per_year": 100},
        {"origin": "a1", "destination": "b2", "teu_per_year": 100},
    ]
    result = planner.criticality(spur, demand=demand, criterion="time")
    l7 = row(result, "link:l7")
    assert l7.bridge
    assert l7.pairs == 1
    assert l7.teu_per_year == pytest.approx(100)
    assert l7.isolated_teu == pytest.approx(100)  # a year-long closure: the whole year's flow
    assert l7.diverted_teu == 0
    assert l7.unserved_teu == 0
    # not priced: no extra days or dollars are made up for it, and it is not a zero-cost closure either
    assert l7.extra_days is None
    assert l7.extra_usd == 0
    assert l7.lost_teu == pytest.approx(100)
    flow = l7.flows[0]
    assert (flow.origin, flow.destination, flow.status) == ("a1", "d1", "isolated")
    assert flow.after == ()
    # isolated volume ranks above every detour, however costly: l1 diverts 200 TEU at +63.8 h each
    l1 = row(result, "link:l1")
    assert l1.extra_teu_days > 0
    assert l1.lost_teu == 0
    assert l7.rank < l1.rank
    assert result.assets[0].asset.id == "link:l7"
    assert result.bridges == 1


def test_without_the_screen_the_search_finds_the_same_isolation(spur: planner.Network) -> None:
    demand = [{"origin": "a1", "destination": "d1", "teu_per_year": 100}]
    screened = planner.criticality(spur, demand=demand, assets=["link:l7"])
    searched = planner.criticality(spur, demand=demand, assets=["link:l7"], screen=False)
    assert row(searched, "link:l7").isolated_teu == pytest.approx(row(screened, "link:l7").isolated_teu) == pytest.approx(100)
    assert screened.searches == 0  # the bridge needed no search
    assert searched.searches > 0


def test_without_demand_every_pair_weighs_the_same_and_the_result_says_so(spur: planner.Network) -> None:
    result = planner.criticality(spur, assets=["link:l7"])
    assert result.weighting == "equal"
    assert "no demand given" in result.notes[0]
    assert result.pairs == 7 * 6
    assert not result.capacity_checked
    # d1 to and from each of the 6 other places
    assert row(result, "link:l7").isolated_teu == pytest.approx(12)


def test_a_parallel_corridor_asset_diverts_flow_with_the_extra_days_and_dollars_computed_by_hand(tiny: planner.Network) -> None:
    result = planner.criticality(
        tiny, demand=[{"origin": "a1", "destination": "b2", "teu_per_year": 100}], criterion="time", days=7
    )
    l1 = row(result, "link:l1")
    share = 7 / 365
    assert l1.teu_per_year == pytest.approx(100)
    assert l1.teu == pytest.approx(100 * share)
    assert l1.diverted_teu == pytest.approx(100 * share)
    assert l1.isolated_teu == l1.unserved_teu == 0
    assert l1.extra_days == pytest.approx((83.0 - 19.2) / 24)
    assert l1.extra_usd_per_teu == pytest.approx(2290 - 400)
    assert l1.extra_usd == pytest.approx(1890 * 100 * share)
    assert l1.extra_teu_days == pytest.approx(63.8 / 24 * 100 * share)
    assert l1.extra_co2e_t == pytest.approx((87.0 - 6.2) * 100 * CONTAINER_TONNES * share / 1000)
    # the flow moves from the southern line to the direct road (1,000 of its 1,350 km)
    assert [(c.id, c.teu) for c in l1.corridors] == [("direct", pytest.approx(100 * share))]
    flow = l1.flows[0]
    assert flow.before.places == ("a1", "a2", "b1", "b2")
    assert flow.before.corridor == "south"
    (diversion,) = flow.after
    assert diversion.route.places == ("a1", "c2", "c1", "b2")
    assert diversion.route.hours == pytest.approx(83.0)
    assert diversion.route.cost_usd_per_teu == pytest.approx(2290)
    # P90: the router's own Monte Carlo figure for the same two routes
    before = planner.plan_routes(tiny, "a1", "b2", rank="time", k=1).routes[0]
    after = planner.plan_routes(tiny, "a1", "b2", rank="time", k=1, avoid_links=["l1"]).routes[0]
    assert flow.before.hours_p90 == pytest.approx(before.transit_hours_p90, rel=1e-9)
    assert diversion.route.hours_p90 == pytest.approx(after.transit_hours_p90, rel=1e-9)
    assert l1.extra_days_p90 == pytest.approx((after.transit_hours_p90 - before.transit_hours_p90) / 24, rel=1e-9)
    # where the flow went before and where it goes now, link by link
    assert dict(l1.vacated_links) == pytest.approx({"l1": 100 * share, "l2": 100 * share, "l3": 100 * share})
    assert dict(l1.diverted_links) == pytest.approx({"l6": 100 * share, "l5": 100 * share, "l4": 100 * share})


def test_partial_closure_with_capacity_leaves_the_unserved_volume_computed_by_hand(capacitated: planner.Network) -> None:
    # l1 carries a1 -> b2, 100 TEU a year on 100 of capacity; cut by 60 % for 73 days (a fifth of the year) it
    # keeps 40: 60 TEU a year must move. Their only other route is the direct road l6, 25 TEU a year, of which
    # a1 -> c2 already takes 10: 15 fit, 45 find every route full. Over 73 days: 12 moved, 3 diverted, 9 unserved.
    demand = [
        {"origin": "a1", "destination": "b2", "teu_per_year": 100},
        {"origin": "a1", "destination": "c2", "teu_per_year": 10},
    ]
    result = planner.criticality(
        capacitated, demand=demand, closure="partial", fraction=0.6, days=73, criterion="time", assets=["link:l1"]
    )
    assert result.capacity_checked
    l1 = row(result, "link:l1")
    assert l1.through_teu_per_year == pytest.approx(100)
    assert l1.teu_per_year == pytest.approx(60)
    assert l1.teu == pytest.approx(12)
    assert l1.diverted_teu == pytest.approx(3)
    assert l1.unserved_teu == pytest.approx(9)
    assert l1.isolated_teu == 0
    assert l1.extra_usd == pytest.approx(3 * 1890)  # only the served volume is priced
    queues = {(q.asset, q.direction): q for q in l1.queues}
    assert queues[("link:l6", "a1>c2")].vc_before == pytest.approx(0.4)
    assert queues[("link:l6", "a1>c2")].vc_after == pytest.approx(1.0)
    assert queues[("link:l6", "a1>c2")].full
    assert queues[("link:l1", "a1>a2")].vc_before == pytest.approx(1.0)  # 100 on 100
    assert queues[("link:l1", "a1>a2")].vc_after == pytest.approx(1.0)  # 40 on the 40 left
    flow = l1.flows[0]
    assert flow.moved_teu_per_year == pytest.approx(60)
    assert flow.unserved_teu_per_year == pytest.approx(45)
    assert flow.status == "partly diverted"
    assert [d.teu_per_year for d in flow.after] == [pytest.approx(15)]


def test_partial_closure_that_fits_moves_nothing(capacitated: planner.Network) -> None:
    # 30 TEU a year on l1 fit in the 40 left after a 60 % cut
    result = planner.criticality(
        capacitated, demand=[{"origin": "a1", "destination": "b2", "teu_per_year": 30}], closure="partial", fraction=0.6,
        criterion="time", assets=["link:l1"],
    )  # fmt: skip
    l1 = row(result, "link:l1")
    assert l1.teu == 0
    assert l1.note == "its flow fits in the capacity left"


def test_a_full_closure_with_capacity_reports_where_the_fallback_fills(capacitated: planner.Network) -> None:
    # Closing l1 sends all 100 TEU a year to l6, which has 15 left: 15 served, 85 unserved (a year-long closure)
    demand = [
        {"origin": "a1", "destination": "b2", "teu_per_year": 100},
        {"origin": "a1", "destination": "c2", "teu_per_year": 10},
    ]
    l1 = row(planner.criticality(capacitated, demand=demand, criterion="time", assets=["link:l1"]), "link:l1")
    assert l1.diverted_teu == pytest.approx(15)
    assert l1.unserved_teu == pytest.approx(85)
    unchecked = planner.criticality(capacitated, demand=demand, criterion="time", assets=["link:l1"], check_capacity=False)
    assert row(unchecked, "link:l1").diverted_teu == pytest.approx(100)


def test_assets_without_capacity_are_not_assessed_for_a_partial_closure(capacitated: planner.Network) -> None:
    result = planner.criticality(capacitated, demand=[{"origin": "a1", "destination": "b2", "teu_per_year": 30}], closure="partial")
    l2 = row(result, "link:l2")
    assert not l2.assessed
    assert l2.note == "no published capacity to cut"
    assert result.assets[-1].assessed is False
    assert any("not assessed" in note for note in result.notes)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"closure": "half"}, "closure"),
        ({"closure": "full", "fraction": 0.5}, "fraction"),
        ({"closure": "partial", "fraction": 1.5}, "fraction"),
        ({"closure": "partial", "fraction": 0.5, "demand": None}, "demand"),
        ({"days": 0}, "days"),
        ({"days": 400}, "days"),
        ({"days": float("nan")}, "days"),
        ({"metric": "fun"}, "metric"),
        ({"criterion": "reliable"}, "criterion"),
        ({"assets": ["link:nowhere"]}, "assets"),
        ({"assets": "link:l1"}, "assets"),
        ({"kinds": ["tunnel"]}, "kinds"),
        ({"max_flows": -1}, "max_flows"),
    ],
)
def test_bad_options_name_their_field(tiny: planner.Network, options: dict[str, object], field: str) -> None:
    options = {"demand": [{"origin": "a1", "destination": "b2", "teu_per_year": 1}], **options}
    with pytest.raises(planner.InvalidRequestError) as caught:
        planner.criticality(tiny, **options)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_kinds_select_assets_and_the_default_metric_follows_the_criterion(tiny: planner.Network) -> None:
    demand = [{"origin": "a1", "destination": "b2", "teu_per_year": 1}]
    result = planner.criticality(tiny, demand=demand, kinds=["border", "port"], criterion="cost")
    assert {a.asset.kind.value for a in result.assets} == {"border", "port"}
    assert result.metric == "usd"
    assert [a.rank for a in result.assets] == list(range(1, len(result.assets) + 1))


def test_a_partial_closure_of_an_asset_already_over_capacity_moves_only_what_the_cut_takes(capacitated: planner.Network) -> None:
    # 150 TEU a year on l1's 100: it carried 100; cut by 60 % it carries 40, so 60 move (not the 110 past 40)
    demand = [{"origin": "a1", "destination": "b2", "teu_per_year": 150}]
    result = planner.criticality(
        capacitated, demand=demand, closure="partial", fraction=0.6, criterion="time", assets=["link:l1"], check_capacity=False
    )
    assert row(result, "link:l1").teu_per_year == pytest.approx(60)
    assert any("over capacity" in note for note in result.notes)


def test_pairs_with_no_route_on_the_open_network_are_left_out_and_counted(tmp_path: Path) -> None:
    # the spur network with one more place that no link reaches: its 2 x 7 pairs have no route at all
    text = _with_spur(_tiny_text()).replace(
        "links:\n", "  - {id: e1, name: Epsilon, country: BB, lat: 12.0, lon: 14.0, kinds: [city], source: TEST}\nlinks:\n", 1
    )
    path = tmp_path / "tiny_lonely.yaml"
    path.write_text(text, encoding="utf-8")
    result = planner.criticality(planner.load_network(path), assets=["link:l7"])
    assert result.unrouted_pairs == 14
    assert result.pairs == 7 * 6
    assert any(note.startswith("14 OD pair(s) have no route on the open network") for note in result.notes)
    assert row(result, "link:l7").isolated_teu == pytest.approx(12)  # as without the lonely place
