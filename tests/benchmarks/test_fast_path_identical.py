"""The plain-Dijkstra fast path in planner/_search.py returns what the general search returned.

Three checks on the bundled network:

* plan_routes results (k=1 on every rank, k=5, with constraints) equal those computed with the
  search as it was before the fast path (reference_search.py, a verbatim copy, patched in);
* fast-path totals equal a straightforward reference: networkx Dijkstra on a DiGraph built
  from the CompiledGraph with the same weights (cheapest of parallel edges), from every state
  of the origin to any state of the destination;
* the fast path and the general label-setting search (settling every label) give the same totals.
"""

from __future__ import annotations

import importlib.util
import random
import sys
import types
from pathlib import Path

import networkx as nx
import pytest

import planner
from planner import _search
from planner._compile import compiled
from planner.routing import Rank, criterion_weights


def _load_reference() -> types.ModuleType:
    path = Path(__file__).with_name("reference_search.py")
    spec = importlib.util.spec_from_file_location("_reference_search", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


reference_search = _load_reference()

RANKS = (Rank.TIME, Rank.COST, Rank.CO2E, Rank.GENERALIZED)


@pytest.fixture(scope="module")
def network() -> planner.Network:
    return planner.load_network()


def _pairs(network: planner.Network, n: int, seed: int) -> list[tuple[str, str]]:
    ids = sorted(p for p in network.places if compiled(network).place_nodes.get(p))
    rnd = random.Random(seed)
    return [tuple(rnd.sample(ids, 2)) for _ in range(n)]  # type: ignore[misc]


def _cases(network: planner.Network) -> list[tuple[str, str, dict[str, object]]]:
    cases: list[tuple[str, str, dict[str, object]]] = []
    for i, (a, b) in enumerate(_pairs(network, 150, seed=2024)):
        options: list[dict[str, object]] = [{"k": 1, "rank": r} for r in ("time", "cost", "co2e", "generalized", "reliable")]
        if i < 60:
            options += [{"k": 5}, {"k": 3, "rank": "cost"}, {"k": 2, "max_border_crossings": 3}, {"k": 1, "avoid_countries": ["RU"]}]
        cases += [(a, b, o) for o in options]
    return cases


def _outcome(network: planner.Network, a: str, b: str, options: dict[str, object]) -> object:
    try:
        plan = planner.plan_routes(network, a, b, **options)
    except planner.PlannerError as exc:
        return type(exc).__name__
    return [(r.transit_hours, r.cost_usd, r.co2e_kg, r.places) for r in plan.routes]


def test_plan_routes_same_as_before(network: planner.Network, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(network)
    assert len(cases) > 900
    with monkeypatch.context() as patch:
        patch.setattr(_search, "search", reference_search.search)  # best_path calls the module-global search
        before = [_outcome(network, a, b, o) for a, b, o in cases]
    after = [_outcome(network, a, b, o) for a, b, o in cases]
    routed = sum(1 for x in before if isinstance(x, list))
    assert routed > 800
    for case, old, new in zip(cases, before, after, strict=True):
        assert new == old, case


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
