"""One tree per origin answers k=1 requests exactly as plan_routes(k=1) does, P50 and P90 included."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_properties import SETTINGS, networks

import planner
from planner import _search
from planner import matrix as matrix_module
from planner.matrix import RouteFigures, best_routes, best_routes_from

FIELDS = RouteFigures.__slots__


def expected(network: planner.Network, origin: str, destination: str, **options: Any) -> RouteFigures | planner.PlannerError:
    try:
        return RouteFigures.of(planner.plan_routes(network, origin, destination, k=1, use_cache=False, **options).routes[0])
    except planner.PlannerError as exc:
        return exc


def assert_same(got: RouteFigures | planner.PlannerError, want: RouteFigures | planner.PlannerError, where: str) -> None:
    if isinstance(want, planner.PlannerError):
        assert isinstance(got, planner.PlannerError), f"{where}: expected {want!r}, got a route"
        assert (type(got), got.message) == (type(want), want.message), where
        return
    assert isinstance(got, RouteFigures), f"{where}: expected a route, got {got!r}"
    for name in FIELDS:
        assert getattr(got, name) == getattr(want, name), f"{where}: {name} {getattr(got, name)!r} != {getattr(want, name)!r}"


@pytest.fixture
def alone_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The destinations planned one by one instead of from a tree."""
    calls: list[str] = []
    plan = matrix_module.plan

    def counting(network: planner.Network, request: planner.RouteRequest, **kwargs: Any) -> planner.RoutePlan:
        calls.append(request.destination)
        return plan(network, request, **kwargs)

    monkeypatch.setattr(matrix_module, "plan", counting)
    return calls


def random_options(rnd: random.Random) -> dict[str, Any]:
    options: dict[str, Any] = {
        "rank": rnd.choice(["time", "cost", "co2e", "generalized"]),
        "service": rnd.choice(["express", "scheduled", "standard"]),
    }
    roll = rnd.random()
    if roll < 0.2:
        options["month"] = rnd.randint(1, 12)
    elif roll < 0.35:
        options["departure_date"] = f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    roll = rnd.random()
    if roll < 0.2:
        options["container"] = rnd.choice(["40ft", "40hc"])
        options["teu"] = rnd.choice([2, 4, 10])
    elif roll < 0.35:
        options["tonnes"] = rnd.choice([5.0, 64.0, 300.0, 2500.0])
    elif roll < 0.5:
        options["teu"] = rnd.choice([1, 3, 12.5])
    roll = rnd.random()
    if roll < 0.1:
        options["avoid_countries"] = [rnd.choice(["RU", "IR", "KZ", "AZ"])]
    elif roll < 0.15:
        options["modes"] = rnd.choice([["rail", "sea"], ["rail", "road"], ["road"]])
    elif roll < 0.2:
        options["avoid_places"] = [rnd.choice(["almaty", "aktau", "tashkent", "moscow"])]
    if options["rank"] == "generalized" and rnd.random() < 0.5:
        options["value_of_time_usd_per_teu_hour"] = rnd.choice([0.0, 4.5, 60.0])
    return options


def test_1200_random_rows_on_the_bundled_network_equal_plan_routes_k1(
    eurasia: planner.Network, alone_calls: list[str]
) -> None:
    rnd = random.Random(20260415)
    ids = sorted(eurasia.places)
    groups = []
    rows = 0
    while rows < 1200:
        origin = rnd.choice(ids)
        options = random_options(rnd)
        destinations = rnd.sample(ids, rnd.randint(5, 40))
        try:
            request = planner.resolve_request(eurasia, origin, next(d for d in ids if d != origin), k=1, **options)
        except planner.InvalidRequestError:
            continue  # e.g. the origin is in an avoided country: a request of its own
        groups.append((request, destinations, options))
        rows += len(destinations)
    answers = best_routes(eurasia, [(request, destinations) for request, destinations, _ in groups])
    checked = routes = 0
    for (request, destinations, options), got in zip(groups, answers, strict=True):
        for destination, cell in zip(destinations, got, strict=True):
            want = expected(eurasia, request.origin, destination, **options)
            assert_same(cell, want, f"{request.origin} -> {destination} {options}")
            checked += 1
            routes += isinstance(want, RouteFigures)
    assert checked >= 1200
    assert routes >= 900
    # The tree answered nearly every row: the per-request path is the exception, not what passed the test.
    assert len(alone_calls) < 0.1 * routes


def test_percentiles_come_from_the_same_draws_as_plan_routes(eurasia: planner.Network) -> None:
    request = planner.resolve_request(eurasia, "Xi'an", "Tashkent", k=1, service="standard", month=12)
    got = best_routes_from(eurasia, request, ["tashkent", "tbilisi", "duisburg"])
    for cell, destination in zip(got, ["tashkent", "tbilisi", "duisburg"], strict=True):
        route = planner.plan_routes(eurasia, "xian", destination, k=1, service="standard", month=12).routes[0]
        assert isinstance(cell, RouteFigures)
        assert (cell.transit_hours_p50, cell.transit_hours_p90) == (route.transit_hours_p50, route.transit_hours_p90)
        assert cell.transit_hours_p90 > cell.transit_hours_p50 > cell.transit_hours_min


def test_the_scipy_kernel_trees_answer_as_the_kernel_search(
    eurasia: planner.Network, monkeypatch: pytest.MonkeyPatch, alone_calls: list[str]
) -> None:
    monkeypatch.setattr(_search, "COMPILED_KERNEL_MIN_NODES", 0)
    # Places with operational links (the kernel search has no start at the others).
    ids = sorted({p for link in eurasia.operational_links() for p in (link.origin, link.destination)})
    rnd = random.Random(7)
    checked = 0
    for origin in rnd.sample(ids, 6):
        options = {"rank": rnd.choice(["time", "cost"]), "service": rnd.choice(["express", "standard"])}
        request = planner.resolve_request(eurasia, origin, next(d for d in ids if d != origin), k=1, **options)
        for destination, cell in zip(ids, best_routes_from(eurasia, request, ids), strict=True):
            assert_same(cell, expected(eurasia, origin, destination, **options), f"{origin} -> {destination}")
            checked += 1
    assert checked == 6 * len(ids)
    assert len(alone_calls) < 0.15 * checked


def test_a_tiny_matrix_has_the_hand_computed_figures(tiny: planner.Network) -> None:
    request = planner.resolve_request(tiny, "a1", "c2", k=1)
    direct, same, unknown = best_routes_from(tiny, request, ["c2", "a1", "nowhere"])
    # Link l6 a1-c2 by road: 1000 km at 50 km/h, $2/TEU-km, 80 g/t-km x 10 t, one border.
    assert isinstance(direct, RouteFigures)
    assert (direct.transit_hours, direct.cost_usd, direct.co2e_kg, direct.distance_km) == (20.0, 2000.0, 800.0, 1000.0)
    assert (direct.border_crossings, direct.transshipments, direct.places) == (1, 0, ("a1", "c2"))
    assert direct.main_corridor is not None
    assert direct.main_corridor.id == "direct"
    assert isinstance(same, planner.SamePlaceError)
    assert isinstance(unknown, planner.UnknownPlaceError)


@pytest.mark.parametrize(
    "options",
    [{"via": ["almaty"]}, {"corridor": "titr"}, {"rank": "reliable"}, {"max_border_crossings": 2}],
)
def test_requests_a_tree_cannot_answer_are_planned_one_by_one(
    eurasia: planner.Network, options: dict[str, Any], alone_calls: list[str]
) -> None:
    destinations = ["tbilisi", "istanbul", "aktau", "moscow", "xian"]
    request = planner.resolve_request(eurasia, "tashkent", "tbilisi", **options)
    got = best_routes_from(eurasia, request, destinations)
    for destination, cell in zip(destinations, got, strict=True):
        assert_same(cell, expected(eurasia, "tashkent", destination, **options), destination)
    assert sorted(alone_calls) == sorted(destinations)


@SETTINGS
@given(network=networks(), rank=st.sampled_from(["time", "cost", "co2e", "generalized"]), data=st.data())
def test_on_generated_networks_every_cell_equals_plan_routes(
    network: planner.Network, rank: str, data: st.DataObject
) -> None:
    ids = sorted(network.places)
    origin = data.draw(st.sampled_from(ids))
    teu = data.draw(st.sampled_from([1.0, 2.0, 7.5]))
    request = planner.resolve_request(network, origin, next(d for d in ids if d != origin), rank=rank, k=1, teu=teu)
    for destination, cell in zip(ids, best_routes_from(network, request, ids), strict=True):
        assert_same(cell, expected(network, origin, destination, rank=rank, teu=teu), f"{origin} -> {destination}")


def test_route_matrix_names_places_by_name_and_gives_each_cell_a_route_or_an_error(tiny: planner.Network) -> None:
    m = planner.route_matrix(tiny, ["a1", "Gamma City"], ["c2", "a1"], rank="cost", teu=2)
    assert (m.origins, m.destinations) == (("a1", "c2"), ("c2", "a1"))
    for i, origin in enumerate(m.origins):
        for j, destination in enumerate(m.destinations):
            assert_same(
                m.cells[i][j] if isinstance(m.cells[i][j], RouteFigures) else _error_of(tiny, origin, destination),
                expected(tiny, origin, destination, rank="cost", teu=2),
                f"{origin} -> {destination}",
            )
    same = m.cell("c2", "c2")
    assert isinstance(same, planner.CellError)
    assert same.code == "same_place"
    assert "same place" in same.message


def _error_of(network: planner.Network, origin: str, destination: str) -> planner.PlannerError:
    try:
        planner.resolve_request(network, origin, destination, rank="cost", teu=2)
    except planner.PlannerError as exc:
        return exc
    raise AssertionError("expected an error")


def test_route_matrix_refuses_unknown_places_and_options_for_the_whole_matrix(tiny: planner.Network) -> None:
    with pytest.raises(planner.UnknownPlaceError) as place:
        planner.route_matrix(tiny, ["a1", "Atlantis"], ["c2"])
    assert place.value.field == "origins[1]"
    with pytest.raises(planner.InvalidRequestError) as option:
        planner.route_matrix(tiny, ["a1"], ["c2"], service="overnight")
    assert option.value.field == "service"
    with pytest.raises(planner.InvalidRequestError, match="one route"):
        planner.route_matrix(tiny, ["a1"], ["c2"], rank="pareto")
    # An end that is avoided is that cell's error, not the matrix's.
    m = planner.route_matrix(tiny, ["a1", "c1"], ["c2"], avoid_places=["c1"])
    assert isinstance(m.cell("a1", "c2"), RouteFigures)
    avoided = m.cell("c1", "c2")
    assert isinstance(avoided, planner.CellError)
    assert avoided.code == "conflicts_with_network"  # the network rules the cell out
    assert "origin" in avoided.message


def test_a_matrix_past_its_deadline_stops(eurasia: planner.Network) -> None:
    import time

    with pytest.raises(planner.DeadlineExceededError):
        planner.route_matrix(eurasia, ["xian", "almaty"], ["tashkent", "baku"], deadline=time.monotonic() - 0.001)


def test_trees_grown_on_scipy_answer_as_the_python_search(
    eurasia: planner.Network, monkeypatch: pytest.MonkeyPatch, alone_calls: list[str]
) -> None:
    from planner import _tree

    monkeypatch.setattr(_tree, "CHECKED_KERNEL_MIN_NODES", 0)
    ids = sorted(eurasia.places)
    rnd = random.Random(17)
    checked = 0
    for origin in rnd.sample(ids, 12):
        options = {"rank": rnd.choice(["time", "cost", "co2e"]), "service": rnd.choice(["express", "standard"])}
        request = planner.resolve_request(eurasia, origin, next(d for d in ids if d != origin), k=1, **options)
        for destination, cell in zip(ids, best_routes_from(eurasia, request, ids), strict=True):
            assert_same(cell, expected(eurasia, origin, destination, **options), f"{origin} -> {destination}")
            checked += 1
    assert checked == 12 * len(ids)
    assert len(alone_calls) < 0.1 * checked
