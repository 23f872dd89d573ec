"""The network is a networkx graph: frozen, with every figure on its nodes and edges, and weights networkx can use.

Figures on tests/fixtures/tiny.yaml are hand-computed (see test_routing_tiny.py for the network's numbers).
"""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

import planner

TINY_ROAD_L6 = 1000 / 50  # 1000 km at 50 km/h, no border blocks at a1 or c2


def test_every_place_is_a_node_with_its_attributes(eurasia: planner.Network) -> None:
    graph = eurasia.graph
    assert nx.number_of_nodes(graph) == len(eurasia.places)
    assert set(graph.nodes) == set(eurasia.places)
    tashkent = graph.nodes["tashkent"]
    place = eurasia.places["tashkent"]
    assert (tashkent["name"], tashkent["country"], tashkent["lat"], tashkent["lon"]) == (place.name, "UZ", place.lat, place.lon)
    assert tashkent["kinds"] == place.kinds
    assert tashkent["transshipments"] == place.transshipments
    assert tashkent["sources"] == place.provenance.sources
    assert graph.nodes["dostyk"]["border"] == eurasia.places["dostyk"].border
    assert graph.graph["id"] == "eurasia"


def test_every_link_is_one_keyed_edge_per_direction_it_runs(eurasia: planner.Network) -> None:
    graph = eurasia.graph
    assert graph.number_of_edges() == sum(2 if link.bidirectional else 1 for link in eurasia.links.values())
    corridors = planner.corridor_links(eurasia)
    for link in eurasia.links.values():
        ends = [(link.origin, link.destination)] + ([(link.destination, link.origin)] if link.bidirectional else [])
        for a, b in ends:
            data = graph.edges[a, b, link.id]
            assert data["link"] is link
            assert (data["id"], data["mode"], data["gauge_mm"], data["status"]) == (link.id, link.mode, link.gauge_mm, link.status)
            assert data["distance_km"] == link.distance_km.value
            assert data["sources"] == link.provenance.sources
            assert set(data["corridors"]) == {c for c, ids in corridors.items() if link.id in ids}
            transit = link.transit_countries if a == link.origin else link.transit_countries[::-1]
            assert data["countries"] == (eurasia.places[a].country, *transit, eurasia.places[b].country)
            assert data["transit_countries"] == transit


def test_edge_figures_are_the_links_with_waits_borders_and_defaults_applied(tiny: planner.Network) -> None:
    border = tiny.graph.edges["a2", "b1", "l2"]
    # 10 km of rail at 50 km/h, then border dwell at a2 (4, 2..10 h) and b1 (6 h); $10 tariff + $20 + $40 fees.
    assert (border["hours"], border["hours_min"], border["hours_max"]) == pytest.approx((10.2, 8.2, 16.2))
    assert border["cost_usd_per_teu"] == pytest.approx(70.0)
    assert border["co2e_kg_per_tonne"] == pytest.approx(10 * 20 / 1000)
    assert border["border_crossing"] is True
    assert [(p.kind, p.place) for p in border["hours_parts"]] == [("running", None), ("border", "a2"), ("border", "b1")]
    ferry = tiny.graph.edges["b2", "c1", "l4"]
    # Half the headway of 2 departures a week (42 h, 0..84) plus 12 h (10..20) at sea; the link's own $150.
    assert (ferry["hours"], ferry["hours_min"], ferry["hours_max"]) == (54.0, 10.0, 104.0)
    assert ferry["cost_usd_per_teu"] == 150.0
    assert ferry["departures_per_week"] == 2.0
    road = tiny.graph.edges["c2", "a1", "l6"]
    assert road["hours"] == TINY_ROAD_L6
    assert road["border_crossing"] is True
    assert road["corridors"] == ("direct",)


def test_the_graph_is_frozen_and_its_attributes_are_read_only(tiny: planner.Network) -> None:
    graph = tiny.graph
    assert nx.is_frozen(graph)
    with pytest.raises(nx.NetworkXError):
        graph.add_edge("a1", "b2")
    with pytest.raises(nx.NetworkXError):
        graph.remove_node("a1")
    with pytest.raises(TypeError):
        graph.nodes["a1"]["name"] = "Omega"
    with pytest.raises(TypeError):
        graph.edges["a1", "c2", "l6"]["hours"] = 1.0
    with pytest.raises(TypeError):
        graph.graph["name"] = "renamed"
    own = graph.copy()
    own.nodes["a1"]["name"] = "Omega"
    own.add_edge("a1", "b2", key="new")
    assert graph.nodes["a1"]["name"] == "Alpha"
    assert not graph.has_edge("a1", "b2")
    assert nx.to_undirected(graph).number_of_nodes() == 6


def test_a_weight_hides_planned_links_and_what_the_request_leaves_out(eurasia: planner.Network) -> None:
    planned = next(link for link in eurasia.links.values() if link.status is planner.LinkStatus.PLANNED)
    data = eurasia.graph.edges[planned.origin, planned.destination, planned.id]
    assert planner.weight("time")(planned.origin, planned.destination, data) is None
    assert planner.weight("time", include_planned=True)(planned.origin, planned.destination, data) == data["hours"]
    ferry = eurasia.graph.edges["aktau", "alat_port", "l156"]
    assert planner.weight("cost")("aktau", "alat_port", ferry) == ferry["cost_usd_per_teu"]
    assert planner.weight("co2e")("aktau", "alat_port", ferry) == ferry["co2e_kg_per_tonne"]
    assert planner.weight("generalized", value_of_time_usd_per_teu_hour=10)("aktau", "alat_port", ferry) == pytest.approx(
        ferry["cost_usd_per_teu"] + 10 * ferry["hours"]
    )
    assert planner.weight("time", modes=["rail", "road"])("aktau", "alat_port", ferry) is None
    assert planner.weight("time", avoid_countries=["az"])("aktau", "alat_port", ferry) is None
    assert planner.weight("time", avoid_links=["l156"])("aktau", "alat_port", ferry) is None


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"criterion": "fastest"}, planner.InvalidRequestError),
        ({"criterion": "pareto"}, planner.InvalidRequestError),
        ({"modes": ["air"]}, planner.UnknownModeError),
        ({"avoid_countries": ["Russia"]}, planner.UnknownCountryError),
        ({"value_of_time_usd_per_teu_hour": -1}, planner.InvalidRequestError),
    ],
)
def test_a_weight_refuses_what_it_does_not_know(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        planner.weight(**kwargs)  # type: ignore[arg-type]


def _parallel(tiny: planner.Network) -> planner.Network:
    """tiny plus two links parallel to l6 (a1-c2): a faster rail line and a still faster planned road."""
    scenario = planner.parse_scenario(
        {
            "name": "parallel",
            "title": "Parallel links",
            "changes": [
                {"add_link": {"id": "l7", "from": "a1", "to": "c2", "mode": "rail", "gauge_mm": 1435, "distance_km": 800, "estimate": "test"}},
                {"add_link": {"id": "l8", "from": "a1", "to": "c2", "mode": "road", "distance_km": 100, "status": "planned", "estimate": "test"}},
            ],
        },
        tiny,
    )
    return planner.apply_scenario(tiny, scenario)


def test_on_parallel_links_a_weight_takes_the_lightest_visible_one(tiny: planner.Network) -> None:
    network = _parallel(tiny)
    parallel = network.graph.adj["a1"]["c2"]  # what networkx passes for a multigraph: the edges by key
    assert set(parallel) == {"l6", "l7", "l8"}
    time = planner.weight("time")
    assert time("a1", "c2", parallel) == 800 / 50  # l7; l8 is planned
    assert planner.weight("time", include_planned=True)("a1", "c2", parallel) == 100 / 50
    assert planner.weight("time", modes=["road"])("a1", "c2", parallel) == TINY_ROAD_L6
    assert planner.weight("time", modes=["sea"])("a1", "c2", parallel) is None
    assert nx.shortest_path_length(network.graph, "a1", "c2", weight=time) == 800 / 50
    assert nx.shortest_path_length(network.graph, "c2", "a1", weight=planner.weight("time", modes=["road"])) == TINY_ROAD_L6
    with pytest.raises(nx.NetworkXNoPath):
        nx.shortest_path_length(network.graph, "a1", "c2", weight=planner.weight("time", modes=["sea"]))


def test_edge_betweenness_gives_each_parallel_link_its_own_share(tiny: planner.Network) -> None:
    network = _parallel(tiny)
    graph = network.graph
    operational = nx.subgraph_view(graph, filter_edge=lambda u, v, k: graph.edges[u, v, k]["status"] == "operational")
    shares = nx.edge_betweenness_centrality(operational, weight=planner.weight("time"), normalized=False)
    assert shares[("a1", "c2", "l7")] > 0
    assert shares[("a1", "c2", "l6")] == 0  # slower than l7 between the same places: on no shortest path
    assert ("a1", "c2", "l8") not in shares


def test_networkx_on_the_road_network_finds_the_planners_route_values_for_600_pairs(eurasia: planner.Network) -> None:
    graph = eurasia.graph
    road = nx.subgraph_view(graph, filter_edge=lambda u, v, k: graph.edges[u, v, k]["mode"] == "road")
    places = sorted({p for u, v in road.edges() for p in (u, v)})
    joined = [c for c in nx.strongly_connected_components(road) if len(c) > 1]
    connected = sorted((a, b) for c in joined for a, b in itertools.permutations(c, 2))
    apart = sorted(set(itertools.permutations(places, 2)) - set(connected))
    rnd = random.Random(11)
    pairs = rnd.sample(connected, 600) + rnd.sample(apart, 100)
    criteria = itertools.cycle(["time", "cost", "co2e", "generalized"])
    routed = unreachable = 0
    for (a, b), criterion in zip(pairs, criteria, strict=False):
        try:
            want = nx.shortest_path_length(road, a, b, weight=planner.weight(criterion))
        except nx.NetworkXNoPath:
            with pytest.raises(planner.NoRouteError):
                planner.plan_routes(eurasia, a, b, modes=["road"], k=1, use_cache=False)
            unreachable += 1
            continue
        route = planner.plan_routes(eurasia, a, b, rank=criterion, modes=["road"], k=1, use_cache=False).routes[0]
        got = {
            "time": route.transit_hours,
            "cost": route.cost_usd,
            "co2e": route.co2e_kg / planner.DEFAULT_TONNES_PER_TEU,
            "generalized": route.generalized_cost_usd,
        }[criterion]
        assert got == pytest.approx(want, rel=1e-9, abs=1e-5), (a, b, criterion)
        routed += 1
    assert (routed, unreachable) == (600, 100)
