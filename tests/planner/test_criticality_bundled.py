"""Criticality on the bundled network: the re-planned routes are the router's, the screen changes nothing."""

from __future__ import annotations

import networkx as nx
import pytest

import planner
from planner.criticality import bridge_links


@pytest.fixture(scope="module")
def uz_kz(eurasia: planner.Network) -> planner.Criticality:
    return planner.criticality(eurasia, demand="uz_kz_2030")


def test_every_asset_is_ranked_once_with_consecutive_ranks(eurasia: planner.Network, uz_kz: planner.Criticality) -> None:
    assert len(uz_kz.assets) == len(planner.network_assets(eurasia))
    assert [a.rank for a in uz_kz.assets] == list(range(1, len(uz_kz.assets) + 1))
    assert uz_kz.weighting == "demand"
    assert uz_kz.capacity_checked
    # ranked by extra generalized cost (the criterion's measure), isolated or unserved volume first
    lost = [a for a in uz_kz.assets if a.lost_teu > 1e-6]
    priced = [a for a in uz_kz.assets if a.lost_teu <= 1e-6]
    assert uz_kz.assets[: len(lost)] == tuple(lost)
    values = [a.extra_generalized_usd for a in priced]
    assert values == sorted(values, reverse=True)
    assert all(v >= -1e-6 for v in values)  # a closure can only make the criterion's best route dearer


def test_volumes_add_up_for_every_asset(uz_kz: planner.Criticality) -> None:
    for a in uz_kz.assets:
        assert a.diverted_teu + a.isolated_teu + a.unserved_teu == pytest.approx(a.teu, rel=1e-9, abs=1e-6), a.asset.id
        assert a.teu_per_year <= a.through_teu_per_year * (1 + 1e-12)
        assert sum(c.teu for c in a.corridors) == pytest.approx(a.diverted_teu, rel=1e-9, abs=1e-6)
        assert a.flows_total == a.pairs
        for flow in a.flows:
            served = sum(d.teu_per_year for d in flow.after)
            assert served + flow.isolated_teu_per_year + flow.unserved_teu_per_year == pytest.approx(flow.moved_teu_per_year)


def test_re_planned_routes_are_the_routers_routes_without_the_link(eurasia: planner.Network, uz_kz: planner.Criticality) -> None:
    checked = 0
    for a in uz_kz.assets:
        if a.asset.link is None or not a.flows or a.bridge:
            continue
        for flow in a.flows[:3]:
            before = planner.plan_routes(eurasia, flow.origin, flow.destination, rank="generalized", k=1).routes[0]
            assert flow.before.places == before.places
            assert flow.before.hours == pytest.approx(before.transit_hours)
            assert flow.before.hours_p90 == pytest.approx(before.transit_hours_p90, rel=1e-9)
            if not flow.after:
                continue
            after = planner.plan_routes(
                eurasia, flow.origin, flow.destination, rank="generalized", k=1, avoid_links=[a.asset.link]
            ).routes[0]
            route = flow.after[0].route
            assert route.places == after.places, (a.asset.id, flow.origin, flow.destination)
            assert route.hours == pytest.approx(after.transit_hours)
            assert route.cost_usd_per_teu == pytest.approx(after.cost_usd)
            assert route.hours_p90 == pytest.approx(after.transit_hours_p90, rel=1e-9)
            checked += 1
        if checked >= 40:
            break
    assert checked >= 40


def test_the_screen_gives_the_same_answer_as_re_planning_every_pair(eurasia: planner.Network, uz_kz: planner.Criticality) -> None:
    ids = [a.asset.id for a in uz_kz.assets[:25]] + ["link:l157", "border:altynkol", "port:aktau"]
    screened = planner.criticality(eurasia, demand="uz_kz_2030", assets=ids)
    everything = planner.criticality(eurasia, demand="uz_kz_2030", assets=ids, screen=False)
    assert everything.searches > screened.searches
    for a, b in zip(screened.assets, everything.assets, strict=True):
        assert a.asset.id == b.asset.id
        assert a.pairs == b.pairs
        for name in ("teu", "diverted_teu", "isolated_teu", "unserved_teu", "extra_usd", "extra_teu_days", "extra_co2e_t"):
            assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-9, abs=1e-9), (a.asset.id, name)


def test_bridges_come_from_networkx_on_the_public_graph(eurasia: planner.Network) -> None:
    bridges = bridge_links(eurasia)
    assert bridges
    for link_id in bridges:
        link = eurasia.links[link_id]
        graph = nx.Graph()
        for other in eurasia.operational_links():
            if other.id != link_id:
                graph.add_edge(other.origin, other.destination)
        graph.add_nodes_from(eurasia.places)
        assert not nx.has_path(graph, link.origin, link.destination), link_id


def test_corridors_list_their_assets(eurasia: planner.Network) -> None:
    assets = planner.corridor_assets(eurasia)
    assert set(assets) == set(eurasia.corridors)
    xian = set(assets["xian_tashkent"])
    assert {"gauge_change:altynkol", "border:altynkol", "border:horgos_cn", "link:l013"} <= xian
    titr = set(assets["titr"])
    assert {"port:aktau", "link:l156", "port:alat_port"} <= titr
    known = {a.id for a in planner.network_assets(eurasia)}
    assert all(set(ids) <= known for ids in assets.values())


def test_a_port_closes_its_sea_links_and_its_changes_to_and_from_the_sea(eurasia: planner.Network) -> None:
    table = planner.asset_table(eurasia)
    port = set(table.edges["port:aktau"])
    assert set(table.edges["link:l156"]) <= port  # the Aktau-Alat service calls at Aktau
    assert set(table.edges["transshipment:aktau"]) & port
    assert table.asset("port:aktau").facility == "port"
    assert table.asset("link:l156").facility == "sea service"


def test_halving_the_dostyk_yard_for_a_week_moves_the_capacity_it_takes_away(eurasia: planner.Network) -> None:
    # With every pair on its best route the 2030 and transit flows put the Dostyk yard (597,400 TEU a year) over
    # capacity; halving it takes 298,700 TEU a year of what it carried, which moves; the excess it never carried
    # is not the closure's.
    demand = planner.merge_demand(planner.load_demand("uz_kz_2030", eurasia), planner.load_demand("transit_2024", eurasia))
    result = planner.criticality(
        eurasia, demand=demand, closure="partial", fraction=0.5, days=7, assets=["gauge_change:dostyk"]
    )
    (dostyk,) = result.assets
    (own,) = [q for q in dostyk.queues if q.asset == "gauge_change:dostyk"]
    assert own.vc_before > 1
    assert any("over capacity with every pair on its best route (Dostyk gauge change" in note for note in result.notes)
    assert dostyk.teu_per_year == pytest.approx(597_400 * 0.5)
    assert dostyk.teu == pytest.approx(597_400 * 0.5 * 7 / 365)
    assert dostyk.diverted_teu + dostyk.unserved_teu + dostyk.isolated_teu == pytest.approx(dostyk.teu)
    altynkol = [q for q in dostyk.queues if q.asset == "gauge_change:altynkol" and q.took_flow]
    assert altynkol  # the other Chinese yard takes the diverted flow


def test_two_worker_processes_give_the_same_ranking(eurasia: planner.Network, uz_kz: planner.Criticality) -> None:
    shared = planner.criticality(eurasia, demand="uz_kz_2030", workers=2)
    assert [a.asset.id for a in shared.assets] == [a.asset.id for a in uz_kz.assets]
    assert [a.extra_generalized_usd for a in shared.assets] == pytest.approx([a.extra_generalized_usd for a in uz_kz.assets])
    assert shared.searches == uz_kz.searches
