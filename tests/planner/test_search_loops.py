"""A plain path that comes back to its start is replaced by the cheapest loop-free path."""

from __future__ import annotations

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
