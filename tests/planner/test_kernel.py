"""The compiled (scipy) search kernel used on large graphs answers like the pure-Python search."""

from __future__ import annotations

import itertools
import random

import pytest

import planner
from planner import _search


def _value(route: planner.Route, rank: str) -> float:
    return {"time": route.transit_hours, "cost": route.cost_usd, "co2e": route.co2e_kg}[rank]


@pytest.mark.parametrize("rank", ["time", "cost", "co2e"])
def test_the_kernel_finds_routes_of_the_same_value_as_the_python_search(
    eurasia: planner.Network, rank: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = sorted(eurasia.places)
    pairs = random.Random(3).sample(list(itertools.permutations(ids, 2)), 60)
    options = [{}, {"avoid_countries": ["RU"]}, {"modes": ["rail", "sea"]}, {"via": ["almaty"]}, {"k": 3}]
    expected = {}
    for (a, b), extra in zip(pairs, itertools.cycle(options), strict=False):
        try:
            request = planner.resolve_request(eurasia, a, b, rank=rank, **extra)
        except planner.InvalidRequestError:
            continue
        try:
            expected[request] = planner.plan(eurasia, request, use_cache=False)
        except planner.NoRouteError:
            expected[request] = None
    monkeypatch.setattr(_search, "COMPILED_KERNEL_MIN_NODES", 0)
    checked = 0
    for request, plan in expected.items():
        if plan is None:
            with pytest.raises(planner.NoRouteError):
                planner.plan(eurasia, request, use_cache=False)
            continue
        got = planner.plan(eurasia, request, use_cache=False)
        assert _value(got.routes[0], rank) == pytest.approx(_value(plan.routes[0], rank), rel=1e-9, abs=1e-9)
        assert got.routes[0].places[0] == request.origin
        assert got.routes[0].places[-1] == request.destination
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("backward", [False, True])
def test_the_kernel_tree_names_each_step_by_the_same_edge_as_edge_between(
    eurasia: planner.Network, backward: bool
) -> None:
    from planner._compile import compiled
    from planner.weights import criterion_weights

    graph = compiled(eurasia)
    weights = criterion_weights(graph, planner.Rank.COST, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    banned = frozenset(random.Random(5).sample(range(len(graph.edge_src)), 40))
    n = len(graph.adj)
    steps = 0
    for place in ("almaty", "tashkent", "baku"):
        tree = _search._kernel_tree(graph, weights, place, banned, backward)
        for state in range(2 * n):
            if tree.pred[state] < 0:
                continue
            other = int(tree.via[state])
            u, v = (state, other) if backward else (other, state)
            assert tree.pred[state] == _search.edge_between(graph, weights, banned, u, v, n)
            assert tree.pred[state] not in banned
            steps += 1
    assert steps > 500
