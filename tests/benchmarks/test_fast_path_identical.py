"""The plain-Dijkstra fast path in planner/_search.py returns what the general search returned.

Three checks on the bundled network:

* plan_routes results (k=1 on every rank, k=5, with constraints) equal those recorded with the
  search as it was before the fast path (tests/benchmarks/data/plan_routes_before.json);
* fast-path totals equal a straightforward reference: networkx Dijkstra on a DiGraph built
  from the CompiledGraph with the same weights (cheapest of parallel edges), from every state
  of the origin to any state of the destination;
* the fast path and the general label-setting search (settling every label) give the same totals.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import networkx as nx
import pytest

import planner
from planner import _search
from planner._compile import compiled
from planner.routing import Rank, criterion_weights

DATA = Path(__file__).with_name("data") / "plan_routes_before.json"
RANKS = (Rank.TIME, Rank.COST, Rank.CO2E, Rank.GENERALIZED)


@pytest.fixture(scope="module")
def network() -> planner.Network:
    return planner.load_network()


def _pairs(network: planner.Network, n: int, seed: int) -> list[tuple[str, str]]:
    ids = sorted(p for p in network.places if compiled(network).place_nodes.get(p))
    rnd = random.Random(seed)
    return [tuple(rnd.sample(ids, 2)) for _ in range(n)]  # type: ignore[misc]


def test_plan_routes_same_as_before(network: planner.Network) -> None:
    cases = json.loads(DATA.read_text())["cases"]
    assert len(cases) > 500
    for case in cases:
        if "error" in case:
            with pytest.raises(planner.PlannerError) as info:
                planner.plan_routes(network, case["origin"], case["destination"], **case["options"])
            assert type(info.value).__name__ == case["error"]
            continue
        plan = planner.plan_routes(network, case["origin"], case["destination"], **case["options"])
        got = [
            {"transit_hours": r.transit_hours, "cost_usd": r.cost_usd, "co2e_kg": r.co2e_kg, "places": list(r.places)}
            for r in plan.routes
        ]
        assert got == case["routes"], case


def _reference_graph(network: planner.Network, weights: list[float]) -> nx.DiGraph:
    graph = compiled(network)
    g = nx.DiGraph()
    g.add_nodes_from(range(len(graph.node_place)))
    for e, (u, v) in enumerate(zip(graph.edge_src, graph.edge_dst, strict=True)):
        if not g.has_edge(u, v) or weights[e] < g[u][v]["w"]:
            g.add_edge(u, v, w=weights[e])
    return g


@pytest.mark.parametrize("rank", RANKS, ids=[r.value for r in RANKS])
def test_fast_path_totals_equal_networkx_reference(network: planner.Network, rank: Rank) -> None:
    graph = compiled(network)
    weights = criterion_weights(graph, rank, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    ref = _reference_graph(network, weights)
    checked = 0
    for a, b in _pairs(network, 300, seed=hash(rank.value) % 1000):
        found = _search.best_path(graph, weights, [a, b], _search.Limits())
        dist = nx.multi_source_dijkstra_path_length(ref, set(graph.place_nodes[a]), weight="w")
        want = min((dist[n] for n in graph.place_nodes[b] if n in dist), default=None)
        if want is None:
            assert found is None
            continue
        assert found is not None
        total, edges = found
        assert total == pytest.approx(want, rel=1e-12, abs=1e-9)
        assert sum(weights[e] for e in edges) == pytest.approx(total, rel=1e-12, abs=1e-9)
        assert graph.node_place[graph.edge_src[edges[0]]] == a
        assert graph.node_place[graph.edge_dst[edges[-1]]] == b
        checked += 1
    assert checked > 200


def test_fast_path_equals_general_search(network: planner.Network) -> None:
    """The general label-setting search, settling everything (settle_all bypasses the fast path), agrees."""
    graph = compiled(network)
    weights = criterion_weights(graph, Rank.TIME, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    banned = _search.edges_by_link(graph, list(network.links)[::7])
    for a, b in _pairs(network, 200, seed=9):
        for limits in (_search.Limits(), _search.Limits(banned_edges=banned)):
            fast = _search.best_path(graph, weights, [a, b], limits)
            starts = _search.start_labels(graph, a, limits)
            reached = _search.search(graph, weights, starts, b, limits, settle_all=True)
            assert (fast is None) == (not reached)
            if fast is not None:
                slow = min(dist for dist, _ in reached.values())
                assert fast[0] == pytest.approx(slow, rel=1e-12, abs=1e-9)
                assert fast[0] == min(dist for dist, _ in reached.values())
