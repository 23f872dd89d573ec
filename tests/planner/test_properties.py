"""Property-based routing invariants on generated networks, against independent brute force.

Networks are small random rail/road graphs over two countries. Every place allows rail<->road
at the same cost, so a detour to change mode elsewhere never pays and optimal routes are loopless.
"""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner
from planner.pareto import dominates

RAIL_KMH, ROAD_KMH = 40.0, 20.0
RAIL_USD, ROAD_USD = 0.3, 1.0
RAIL_G, ROAD_G = 20.0, 80.0
TRANSFER_H, TRANSFER_USD = 3.0, 50.0
TONNES = planner.DEFAULT_TONNES_PER_TEU  # one TEU of default cargo


@st.composite
def networks(draw: st.DrawFn) -> planner.Network:
    n = draw(st.integers(min_value=3, max_value=7))
    countries = [draw(st.sampled_from(["AA", "BB"])) for _ in range(n)]
    pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=n - 1, max_size=min(len(pairs), 2 * n), unique=True))
    links = []
    for i, (a, b) in enumerate(chosen):
        mode = draw(st.sampled_from(["rail", "road"]))
        km = draw(st.integers(min_value=10, max_value=900))
        gauge = ", gauge_mm: 1520" if mode == "rail" else ""
        links.append(f"  - {{id: l{i}, from: p{a}, to: p{b}, mode: {mode}{gauge}, distance_km: {km}, source: T}}")
    places = []
    for i in range(n):
        dwell = draw(st.integers(min_value=1, max_value=30))
        places.append(
            f"""  - id: p{i}
    name: Place {i}
    country: {countries[i]}
    lat: {i}
    lon: {i}
    kinds: [city]
    source: T
    transshipment: [{{modes: [rail, road], hours: {TRANSFER_H}, cost_usd_per_teu: {TRANSFER_USD}, source: T}}]
    border: {{dwell_hours: {{typical: {dwell}, min: 0, max: {dwell * 2}}}, fee_usd_per_teu: {dwell * 3}, source: T}}"""
        )
    text = f"""network: {{id: gen, name: Generated, version: "1", description: generated, currency_year: 2024}}
sources: {{T: {{publisher: tests, title: generated, year: 2026}}}}
modes:
  rail: {{speed_kmh: {{value: {RAIL_KMH}, source: T}}, cost_usd_per_teu_km: {{value: {RAIL_USD}, source: T}}, co2e_g_per_tonne_km: {{value: {RAIL_G}, source: T}}}}
  road: {{speed_kmh: {{value: {ROAD_KMH}, source: T}}, cost_usd_per_teu_km: {{value: {ROAD_USD}, source: T}}, co2e_g_per_tonne_km: {{value: {ROAD_G}, source: T}}}}
  sea: {{speed_kmh: {{value: 30, source: T}}, cost_usd_per_teu_km: {{value: 0.05, source: T}}, co2e_g_per_tonne_km: {{value: 10, source: T}}}}
places:
{chr(10).join(places)}
links:
{chr(10).join(links)}
"""
    return planner.parse_network(text)


def reference_graph(network: planner.Network) -> nx.DiGraph:
    """The state-expanded graph built independently of the planner's compiler, with (hours, usd, kg/t) per edge."""
    g = nx.DiGraph()
    speed = {"rail": RAIL_KMH, "road": ROAD_KMH}
    tariff = {"rail": RAIL_USD, "road": ROAD_USD}
    factor = {"rail": RAIL_G, "road": ROAD_G}
    for link in network.links.values():
        a, b = network.places[link.origin], network.places[link.destination]
        km = link.distance_km.value
        hours, usd = km / speed[link.mode], km * tariff[link.mode]
        if a.country != b.country:
            for p in (a, b):
                assert p.border is not None
                hours += p.border.controls.entering.scheduled.typical  # one dwell for every direction and level
                usd += p.border.controls.fee_entering_usd_per_teu.value
        vec = (hours, usd, km * factor[link.mode] / 1000 * TONNES)
        for u, v in ((a.id, b.id), (b.id, a.id)):
            key = ((u, link.mode), (v, link.mode))
            if key not in g.edges or g.edges[key]["vec"][0] > vec[0]:
                g.add_edge(*key, vec=vec, link=link.id)
    for place in network.places:
        if g.has_node((place, "rail")) and g.has_node((place, "road")):
            for m1, m2 in (("rail", "road"), ("road", "rail")):
                g.add_edge((place, m1), (place, m2), vec=(TRANSFER_H, TRANSFER_USD, 0.0), link=None)
    for place in network.places:
        for mode in ("rail", "road"):
            if g.has_node((place, mode)):
                g.add_edge(("src", place), (place, mode), vec=(0.0, 0.0, 0.0), link=None)
                g.add_edge((place, mode), ("dst", place), vec=(0.0, 0.0, 0.0), link=None)
    return g


CRITERIA = {"time": 0, "cost": 1, "co2e": 2}


def route_value(route: planner.Route, rank: str) -> float:
    return {"time": route.transit_hours, "cost": route.cost_usd, "co2e": route.co2e_kg}[rank]


def pairs_of(network: planner.Network) -> list[tuple[str, str]]:
    ids = sorted(network.places)
    return [(a, b) for a in ids for b in ids if a < b]


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(network=networks(), rank=st.sampled_from(["time", "cost", "co2e"]), k=st.integers(1, 4))
def test_routes_are_sorted_loopless_diverse_and_the_first_equals_an_independent_dijkstra(
    network: planner.Network, rank: str, k: int
) -> None:
    graph = reference_graph(network)
    index = CRITERIA[rank]
    for origin, destination in pairs_of(network):
        source, target = ("src", origin), ("dst", destination)
        try:
            expected = nx.dijkstra_path_length(graph, source, target, weight=lambda u, v, d: d["vec"][index])
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            with pytest.raises(planner.NoRouteError):
                planner.plan_routes(network, origin, destination, rank=rank, k=k)
            continue
        routes = planner.plan_routes(network, origin, destination, rank=rank, k=k, max_shared_fraction=0.6).routes
        values = [route_value(r, rank) for r in routes]
        # sorted, where equal values may differ in the last bit (the planner sums weights in search order)
        assert all(later >= earlier * (1 - 1e-12) for earlier, later in itertools.pairwise(values)), values
        assert values[0] == pytest.approx(expected, rel=1e-6, abs=1e-6)
        for route in routes:
            assert len(set(route.places)) == len(route.places)
            assert route.places[0] == origin
            assert route.places[-1] == destination
        for r1, r2 in itertools.combinations(routes, 2):
            km1 = {leg.link: leg.distance_km for leg in r1.legs}
            km2 = {leg.link: leg.distance_km for leg in r2.legs}
            shared = sum(km for link, km in km1.items() if link in km2)
            assert shared <= 0.6 * min(r1.distance_km, r2.distance_km) + 1e-6


def without(graph: nx.DiGraph, network: planner.Network, places: set[str], countries: set[str], mode: str) -> nx.DiGraph:
    """The reference graph without the avoided places and countries and without the other mode."""

    def keep(node: tuple[str, str]) -> bool:
        if node[0] in ("src", "dst"):
            return True
        place, node_mode = node
        return node_mode == mode and place not in places and network.places[place].country not in countries

    return nx.subgraph_view(graph, filter_node=keep)


@SETTINGS
@given(network=networks(), data=st.data())
def test_avoided_places_countries_and_modes_never_appear_and_no_route_means_none_exists(
    network: planner.Network, data: st.DataObject
) -> None:
    ids = sorted(network.places)
    origin, destination = data.draw(st.sampled_from(pairs_of(network)))
    others = [p for p in ids if p not in (origin, destination)]
    avoid = data.draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else []
    mode = data.draw(st.sampled_from(["rail", "road"]))
    countries = {network.places[origin].country, network.places[destination].country}
    avoid_country = [c for c in sorted(network.countries) if c not in countries]
    allowed = without(reference_graph(network), network, set(avoid), set(avoid_country), mode)
    source, target = ("src", origin), ("dst", destination)
    exists = allowed.has_node(source) and allowed.has_node(target) and nx.has_path(allowed, source, target)
    options = {"k": 3, "avoid_places": avoid, "modes": [mode], "avoid_countries": avoid_country, "use_cache": False}
    if not exists:
        with pytest.raises(planner.NoRouteError):
            planner.plan_routes(network, origin, destination, **options)  # type: ignore[arg-type]
        return
    routes = planner.plan_routes(network, origin, destination, **options).routes  # type: ignore[arg-type]
    assert routes
    for route in routes:
        assert not set(route.places) & set(avoid)
        assert all(leg.mode.value == mode for leg in route.legs)
        assert not set(route.countries) & set(avoid_country)


def _outcome(network: planner.Network, origin: str, destination: str, **options: object) -> object:
    """Routes (as places) computed afresh, never from the plan cache, or the no-route message."""
    try:
        plan = planner.plan_routes(network, origin, destination, use_cache=False, **options)  # type: ignore[arg-type]
    except planner.NoRouteError as exc:
        return str(exc)
    return [(r.places, r.cost_usd) for r in plan.routes]


@SETTINGS
@given(network=networks(), data=st.data())
def test_a_request_never_leaks_its_options_into_the_next(network: planner.Network, data: st.DataObject) -> None:
    origin, destination = data.draw(st.sampled_from(pairs_of(network)))
    others = [p for p in network.places if p not in (origin, destination)]
    first = _outcome(network, origin, destination, k=3)
    _outcome(network, origin, destination, k=2, rank="cost", avoid_places=others[:1], modes=["road"], teu=7)
    assert _outcome(network, origin, destination, k=3) == first


@SETTINGS
@given(network=networks())
def test_pareto_front_matches_brute_force_over_all_simple_paths(network: planner.Network) -> None:
    graph = reference_graph(network)
    for origin, destination in pairs_of(network):
        source, target = ("src", origin), ("dst", destination)
        if not (graph.has_node(source) and graph.has_node(target)) or not nx.has_path(graph, source, target):
            with pytest.raises(planner.NoRouteError):
                planner.plan_routes(network, origin, destination, rank="pareto", k=20)
            continue
        vectors = []
        for path in nx.all_simple_paths(graph, source, target):
            vec = [0.0, 0.0, 0.0]
            for u, v in zip(path, path[1:], strict=False):
                for i in range(3):
                    vec[i] += graph.edges[u, v]["vec"][i]
            vectors.append(tuple(vec))
        front = {v for v in vectors if not any(dominates(o, v) for o in vectors)}
        routes = planner.plan_routes(network, origin, destination, rank="pareto", k=20).routes
        got = [(r.transit_hours, r.cost_usd, r.co2e_kg) for r in routes]
        for a, b in itertools.permutations(got, 2):
            assert not dominates(a, b)
        for v in vectors:
            assert any(dominates(g, v) or all(abs(x - y) < 1e-6 for x, y in zip(g, v, strict=True)) for g in got)
        assert len(got) == len({tuple(round(x, 6) for x in v) for v in front}) or len(got) == 20
        for route in routes:
            assert route.transit_hours_p50 <= route.transit_hours_p90 + 1e-9
            assert route.transit_hours_p90 <= route.transit_hours_max + 1e-9
