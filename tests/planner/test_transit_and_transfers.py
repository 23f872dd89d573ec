"""Hand-computed expectations on tests/fixtures/transit.yaml: transit countries, and one change of mode at a place.

Road 50 km/h, $2/TEU-km; rail 50 km/h, $1/TEU-km; sea 25 km/h, $0.5/TEU-km.
Aleph (AA) -> Gimel (CC) by road: t1 100 km (2 h, $200); t2 200 km through BB (4 h, $400) with the border
dwell at Aleph Border leaving AA (2 h, $10), entering BB (4 h, 1..10; $15), leaving BB (4 h; $15), at Gimel
Border entering CC (3 h, $20); t3 50 km (1 h, $100). Total 20 h, $760, two border crossings.
By rail t4 1500 km: 30 h, $1500, plus the border blocks of Aleph and Gimel (1 h, $5 each): 32 h, $1510.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import planner

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "transit.yaml"
ROAD = ("a", "ab", "cb", "c")
ROAD_HOURS = 2 + (2 + 4 + 4 + 4 + 3) + 1
ROAD_COST = 200 + (400 + 10 + 15 + 15 + 20) + 100
RAIL_HOURS = 30 + 1 + 1
RAIL_COST = 1500 + 5 + 5


@pytest.fixture(scope="module")
def transit() -> planner.Network:
    return planner.load_network(FIXTURE)


def test_a_link_through_a_transit_country_lists_it_and_charges_both_its_borders(transit: planner.Network) -> None:
    route = planner.plan_routes(transit, "a", "c", k=1).routes[0]
    assert route.places == ROAD
    assert route.transit_hours == pytest.approx(ROAD_HOURS)
    assert route.cost_usd == pytest.approx(ROAD_COST)
    assert route.countries == ("AA", "BB", "CC")
    assert route.border_crossings == 2
    assert [(b.link, b.origin, b.destination, b.countries) for b in route.borders] == [("t2", "ab", "cb", ("AA", "BB", "CC"))]
    events = [(e.description, e.hours, e.cost_usd, e.from_country, e.to_country) for leg in route.legs for e in leg.events]
    assert events == [
        ("border controls at Aleph Border, leaving AA (AA -> BB)", 2.0, 10.0, "AA", "BB"),
        ("border controls entering BB in transit (AA -> BB) between Aleph Border and Gimel Border", 4.0, 15.0, "AA", "BB"),
        ("border controls leaving BB in transit (BB -> CC) between Aleph Border and Gimel Border", 4.0, 15.0, "BB", "CC"),
        ("border controls at Gimel Border, entering CC (BB -> CC)", 3.0, 20.0, "BB", "CC"),
    ]
    transit_leg = route.legs[1]
    assert (transit_leg.hours_min, transit_leg.hours_max) == (4 + 2 + 1 + 1 + 3, 4 + 2 + 10 + 10 + 3)


def test_the_way_back_passes_the_transit_country_in_reverse_order(transit: planner.Network) -> None:
    route = planner.plan_routes(transit, "c", "a", k=1).routes[0]
    assert route.places == ROAD[::-1]
    assert route.countries == ("CC", "BB", "AA")
    assert route.transit_hours == pytest.approx(ROAD_HOURS)
    assert route.legs[1].events[1].description.startswith("border controls entering BB in transit (CC -> BB)")


def test_avoiding_the_transit_country_avoids_the_link_and_its_borders_count(transit: planner.Network) -> None:
    avoiding = planner.plan_routes(transit, "a", "c", k=1, avoid_countries=["BB"]).routes[0]
    assert avoiding.places == ("a", "c")
    assert avoiding.countries == ("AA", "CC")
    assert avoiding.border_crossings == 1
    assert avoiding.transit_hours == pytest.approx(RAIL_HOURS)
    assert avoiding.cost_usd == pytest.approx(RAIL_COST)
    # Two crossings on the road: at most one border leaves the rail.
    assert planner.plan_routes(transit, "a", "c", k=1, max_border_crossings=1).routes[0].places == ("a", "c")
    assert planner.plan_routes(transit, "a", "c", k=1, max_border_crossings=2).routes[0].places == ROAD
    with pytest.raises(planner.NoRouteError, match="at most 0 border crossings"):
        planner.plan_routes(transit, "a", "c", max_border_crossings=0)
    assert "BB" in transit.countries  # no place in BB, yet a country of the network


def test_the_public_graph_gives_networkx_the_transit_countries(transit: planner.Network) -> None:
    edge = transit.graph.edges["ab", "cb", "t2"]
    assert edge["countries"] == ("AA", "BB", "CC")
    assert edge["transit_countries"] == ("BB",)
    assert (edge["border_crossing"], edge["border_crossings"]) == (True, 2)
    assert transit.graph.edges["cb", "ab", "t2"]["countries"] == ("CC", "BB", "AA")
    assert edge["hours"] == pytest.approx(4 + 2 + 4 + 4 + 3)
    assert edge["cost_usd_per_teu"] == pytest.approx(400 + 10 + 15 + 15 + 20)
    hours = planner.weight("time")
    assert nx.shortest_path(transit.graph, "a", "c", weight=hours) == list(ROAD)
    assert nx.shortest_path(transit.graph, "a", "c", weight=planner.weight("time", avoid_countries=["BB"])) == ["a", "c"]


def test_closing_the_transit_countrys_borders_closes_the_link(transit: planner.Network) -> None:
    scenario = planner.parse_scenario({"name": "bb", "title": "BB closed", "changes": [{"close_border": "BB"}]}, transit)
    changed = planner.apply_scenario(transit, scenario)
    assert "t2" not in changed.links
    assert planner.plan_routes(changed, "a", "c", k=1).routes[0].places == ("a", "c")


def test_a_route_changes_mode_once_at_a_place_where_a_direct_change_exists(transit: planner.Network) -> None:
    # Port A: sea -> rail directly takes 10 h ($100); sea -> road -> rail would take 2 + 2 h ($20) but is never used.
    route = planner.plan_routes(transit, "s0", "ra", k=1, modes=["sea", "rail"]).routes[0]
    assert route.places == ("s0", "pa", "ra")
    assert route.transit_hours == pytest.approx(4 + 10 + 2)
    assert route.transshipments == 1
    assert [e.description for leg in route.legs for e in leg.events] == ["transshipment sea -> rail at Port A"]


def test_two_changes_at_a_place_only_where_the_data_has_no_direct_one(transit: planner.Network) -> None:
    # Port B has no sea/rail handling: sea -> road -> rail (1 h + 1 h, $10 + $10) is its only way, one step.
    route = planner.plan_routes(transit, "s0", "rb", k=1, modes=["sea", "rail"]).routes[0]
    assert route.places == ("s0", "pb", "rb")
    assert route.transit_hours == pytest.approx(4 + 1 + 1 + 2)
    assert route.cost_usd == pytest.approx(50 + 10 + 10 + 100)
    assert route.transshipments == 2
    assert [e.description for leg in route.legs for e in leg.events] == [
        "transshipment sea -> road at Port B",
        "transshipment road -> rail at Port B",
    ]


@pytest.mark.parametrize(
    ("link", "match"),
    [
        ("{id: x, from: a, to: cb, mode: road, distance_km: 5, transit_countries: [AA], source: TEST}", "from AA to AA"),
        ("{id: x, from: a, to: cb, mode: road, distance_km: 5, transit_countries: [BB, BB], source: TEST}", "from BB to BB"),
        ("{id: x, from: a, to: cb, mode: road, distance_km: 5, source: TEST, "
         "transit_border: {dwell_hours: 1, fee_usd_per_teu: 1, source: TEST}}", "only to a link with transit_countries"),
        ("{id: x, from: a, to: cb, mode: road, distance_km: 5, transit_countries: [bb], source: TEST}", "transit_countries"),
        ("{id: x, from: a, to: cb, mode: road, distance_km: 5, transit_countries: [BB], source: TEST, "
         "transit_border: {dwell_hours: 1, fee_usd_per_teu: 1}}", "no provenance"),
    ],
)
def test_bad_transit_countries_are_refused_with_the_link_and_field(link: str, match: str) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("corridors: []", f"  - {link}\ncorridors: []")
    with pytest.raises(planner.NetworkValidationError, match=match) as info:
        planner.parse_network(text, path="transit.yaml")
    assert "link 'x'" in str(info.value)


def test_a_transit_country_without_a_transit_border_block_is_a_warning() -> None:
    link = "{id: x, from: a, to: cb, mode: road, distance_km: 5, transit_countries: [BB], source: TEST}"
    text = FIXTURE.read_text(encoding="utf-8").replace("corridors: []", f"  - {link}\ncorridors: []")
    network = planner.parse_network(text, path="transit.yaml")
    assert any("link 'x'" in w and "passes BB but has no transit_border block" in w for w in network.warnings)
