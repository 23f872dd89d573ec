"""A plain path that comes back to its start is replaced by the cheapest loop-free path."""

from __future__ import annotations

import itertools
import random

import pytest

import planner
from planner import _search
from planner._compile import compiled
from planner.weights import criterion_weights

# Origins whose fastest plain path to some places leaves by one mode and comes back by another
# (to skip the origin's wait for a first departure), found on the bundled network.
LOOPING = [("andijan", "aktau"), ("andijan", "alat_port"), ("andijan", "aktobe")]


@pytest.mark.parametrize(("origin", "destination"), LOOPING)
def test_a_route_that_would_come_back_to_its_origin_is_the_cheapest_loop_free_one(
    eurasia: planner.Network, origin: str, destination: str
) -> None:
    graph = compiled(eurasia)
    weights = criterion_weights(graph, planner.Rank.TIME, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    starts = _search.start_labels(graph, origin, _search.Limits())
    # The plain search alone (loops allowed) would come back to the origin ...
    plain = _search.search(graph, weights, starts, destination, _search.Limits(allow_loops=True))
    ((_, trail),) = plain.values()
    places = _search.places_of(graph, _search.trail_edges(trail))
    assert places.count(origin) == 2
    # ... the route planned passes every place once and weighs what the exhaustive loop-free search finds.
    route = planner.plan_routes(eurasia, origin, destination, k=1, use_cache=False).routes[0]
    assert len(set(route.places)) == len(route.places)
    exact = _search.exact_best_path(graph, weights, [origin, destination], _search.Limits())
    assert exact is not None
    found = _search.best_path(graph, weights, [origin, destination], _search.Limits())
    assert found is not None
    assert found[0] == pytest.approx(exact[0], rel=1e-12)
    assert tuple(_search.places_of(graph, found[1])) == route.places


@pytest.mark.parametrize("kernel", [True, False], ids=["scipy guide", "python guide"])
@pytest.mark.parametrize(("origin", "destination"), LOOPING)
def test_on_the_large_graph_path_the_guided_search_finds_the_same_loop_free_route(
    eurasia: planner.Network, origin: str, destination: str, kernel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From GUIDED_SEARCH_MIN_NODES nodes on, the loop-free label search is guided by distances to the
    # target (A*; scipy's from COMPILED_KERNEL_MIN_NODES on); here the bundled network takes that path.
    graph = compiled(eurasia)
    weights = criterion_weights(graph, planner.Rank.TIME, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    exact = _search.exact_best_path(graph, weights, [origin, destination], _search.Limits())
    assert exact is not None
    monkeypatch.setattr(_search, "GUIDED_SEARCH_MIN_NODES", 0)
    if kernel:
        monkeypatch.setattr(_search, "COMPILED_KERNEL_MIN_NODES", 0)
    found = _search.best_path(graph, weights, [origin, destination], _search.Limits())
    assert found is not None
    assert found[0] == pytest.approx(exact[0], rel=1e-12)
    places = _search.places_of(graph, found[1])
    assert len(set(places)) == len(places)


@pytest.mark.parametrize("rank", [planner.Rank.TIME, planner.Rank.COST])
def test_the_guide_changes_which_labels_are_settled_never_the_distance_found(
    eurasia: planner.Network, rank: planner.Rank
) -> None:
    graph = compiled(eurasia)
    weights = criterion_weights(graph, rank, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    limits = _search.Limits()
    pairs = random.Random(7).sample(list(itertools.permutations(sorted(eurasia.places), 2)), 400)
    compared = 0
    for origin, destination in pairs:
        starts = _search.start_labels(graph, origin, limits)
        plain, _ = _search._label_search(graph, weights, starts, destination, limits, False, frozenset())
        guide = _search.rest_distances(graph, weights, destination, limits.banned_edges)
        guided, _ = _search._label_search(graph, weights, starts, destination, limits, False, frozenset(), guide)
        assert bool(plain) == bool(guided), (origin, destination)
        if plain:
            ((d_plain, _),) = plain.values()
            ((d_guided, _),) = guided.values()
            assert d_guided == pytest.approx(d_plain, rel=1e-12), (origin, destination)
            compared += 1
    assert compared > 300
