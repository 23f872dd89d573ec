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
