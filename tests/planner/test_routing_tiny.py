"""Hand-computed expectations on tests/fixtures/tiny.yaml.

Rail 50 km/h, $1/TEU-km, 20 g/t-km; road 50 km/h, $2/TEU-km, 80 g/t-km; sea $0.5/TEU-km, 10 g/t-km;
10 t per TEU. Southern route a1-a2-b1-b2-c1-c2:
  l1 rail 100 km: 2 h, $100                         l2 rail 10 km: 0.2 h, $10 + borders a2 (4 h, $20) and b1 (6 h, $40)
  gauge change at b1: 3 h (1..5), $30               l3 rail 200 km: 4 h, $200
  transshipment rail->sea at b2: 10 h (5..20), $50   l4 sea: wait 42 h (0..84, 2/week) + 12 h (10..20), $150
  transshipment sea->road at c1: 8 h, $40            l5 road 50 km: 1 h, $100
Direct road l6 a1-c2 1000 km: 20 h, $2000, 800 kg CO2e (no border blocks at its ends).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import planner

SOUTH = ("a1", "a2", "b1", "b2", "c1", "c2")
SOUTH_HOURS = 2 + 0.2 + 4 + 6 + 3 + 4 + 10 + 42 + 12 + 8 + 1
SOUTH_MIN = 2 + 0.2 + 2 + 6 + 1 + 4 + 5 + 0 + 10 + 8 + 1
SOUTH_MAX = 2 + 0.2 + 10 + 6 + 5 + 4 + 20 + 84 + 20 + 8 + 1
SOUTH_COST = 100 + 10 + 20 + 40 + 30 + 200 + 50 + 150 + 40 + 100
SOUTH_CO2E = (310 * 20 + 300 * 10 + 50 * 80) * 10 / 1000


def assert_totals_match_legs(route: planner.Route) -> None:
    assert route.transit_hours == pytest.approx(sum(leg.hours for leg in route.legs))
    assert route.cost_usd == pytest.approx(sum(leg.cost_usd for leg in route.legs))
    assert route.co2e_kg == pytest.approx(sum(leg.co2e_kg for leg in route.legs))
    assert route.distance_km == pytest.approx(sum(leg.distance_km for leg in route.legs))
    for a, b in zip(route.legs, route.legs[1:], strict=False):
        assert a.destination == b.origin


def test_fastest_route_is_the_direct_road(tiny: planner.Network) -> None:
    route = planner.plan_routes(tiny, "a1", "c2", rank="time", k=1).routes[0]
    assert route.places == ("a1", "c2")
    assert route.transit_hours == pytest.approx(20.0)
    assert route.cost_usd == pytest.approx(2000.0)
    assert route.co2e_kg == pytest.approx(800.0)
    assert_totals_match_legs(route)


def test_cheapest_route_takes_rail_ferry_and_road_with_every_charge(tiny: planner.Network) -> None:
    route = planner.plan_routes(tiny, "a1", "c2", rank="cost", k=1).routes[0]
    assert route.places == SOUTH
    assert route.cost_usd == pytest.approx(SOUTH_COST)
    assert route.transit_hours == pytest.approx(SOUTH_HOURS)
    assert route.transit_hours_min == pytest.approx(SOUTH_MIN)
    assert route.transit_hours_max == pytest.approx(SOUTH_MAX)
    assert route.co2e_kg == pytest.approx(SOUTH_CO2E)
    assert route.border_crossings == 1
    assert route.transshipments == 3  # gauge change, rail->sea, sea->road
    assert route.countries == ("AA", "BB")
    assert_totals_match_legs(route)


def test_events_name_the_border_gauge_change_transshipments_and_ferry_wait(tiny: planner.Network) -> None:
    route = planner.plan_routes(tiny, "a1", "c2", rank="cost", k=1).routes[0]
    kinds = [(e.kind.value, e.place) for leg in route.legs for e in leg.events]
    assert kinds == [
        ("border", "a2"),
        ("border", "b1"),
        ("gauge_change", "b1"),
        ("transshipment", "b2"),
        ("wait", "b2"),
        ("transshipment", "c1"),
    ]
    wait = next(e for leg in route.legs for e in leg.events if e.kind.value == "wait")
    assert (wait.hours_min, wait.hours, wait.hours_max) == (0.0, 42.0, 84.0)
    gauge = next(e for leg in route.legs for e in leg.events if e.kind.value == "gauge_change")
    assert (gauge.from_gauge_mm, gauge.to_gauge_mm) == (1435, 1520)


def test_teu_scale_cost_and_tonnes_scale_co2e(tiny: planner.Network) -> None:
    two = planner.plan_routes(tiny, "a1", "c2", rank="cost", k=1, teu=2).routes[0]
    assert two.cost_usd == pytest.approx(2 * SOUTH_COST)
    assert two.co2e_kg == pytest.approx(2 * SOUTH_CO2E)
    bulk = planner.plan_routes(tiny, "a1", "c2", rank="cost", k=1, tonnes=25).routes[0]
    # 25 t of bulk = 2.5 TEU-equivalents at 10 t per TEU; CO2e from the real tonnes.
    assert bulk.cost_usd == pytest.approx(2.5 * SOUTH_COST)
    assert bulk.co2e_kg == pytest.approx(SOUTH_CO2E * 25 / 10)


def test_generalized_cost_adds_value_of_time_per_teu_hour(tiny: planner.Network) -> None:
    plan = planner.plan_routes(tiny, "a1", "c2", rank="generalized", k=2, value_of_time_usd_per_teu_hour=10)
    by_places = {r.places: r for r in plan.routes}
    assert by_places[SOUTH].generalized_cost_usd == pytest.approx(SOUTH_COST + 10 * SOUTH_HOURS)
    assert by_places[("a1", "c2")].generalized_cost_usd == pytest.approx(2000 + 10 * 20)
    assert plan.routes[0].places == SOUTH  # 740 + 922 < 2000 + 200


def test_avoiding_the_border_place_leaves_the_direct_road(tiny: planner.Network) -> None:
    routes = planner.plan_routes(tiny, "a1", "c2", rank="cost", avoid_places=["Beta Border"]).routes
    assert [r.places for r in routes] == [("a1", "c2")]


def test_rail_only_has_no_route_and_says_which_constraint_cut_it(tiny: planner.Network) -> None:
    with pytest.raises(planner.NoRouteError, match="by rail only") as info:
        planner.plan_routes(tiny, "a1", "c2", modes=["rail"])
    assert info.value.constraints == ("modes",)


def test_a_no_route_message_names_links_by_their_places(tiny: planner.Network) -> None:
    with pytest.raises(planner.NoRouteError) as info:
        planner.plan_routes(tiny, "a1", "c2", avoid_links=["l6", "l4"])
    assert str(info.value) == (
        "no route from Alpha to Gamma City avoiding Alpha–Gamma City road link (l6), Beta Port–Gamma Port sea link (l4): "
        "the fastest route needs Alpha–Gamma City road link (l6)"
    )
    assert info.value.constraints == ("avoid_links",)


def test_via_forces_the_ferry_route(tiny: planner.Network) -> None:
    route = planner.plan_routes(tiny, "a1", "c2", rank="time", k=1, via=["Beta Port"]).routes[0]
    assert route.places == SOUTH


def test_corridor_restriction_keeps_the_route_on_the_corridor(tiny: planner.Network) -> None:
    route = planner.plan_routes(tiny, "a1", "c2", rank="time", k=1, corridor="Ferry route").routes[0]
    assert route.places == SOUTH
    assert route.corridors[0].id == "south"
    assert route.corridors[0].share == pytest.approx(1.0)


def test_max_border_crossings_zero_leaves_no_route(tiny: planner.Network) -> None:
    with pytest.raises(planner.NoRouteError, match="at most 0 border crossings"):
        planner.plan_routes(tiny, "a1", "c2", max_border_crossings=0)


def test_max_transshipments_excludes_the_ferry_route(tiny: planner.Network) -> None:
    routes = planner.plan_routes(tiny, "a1", "c2", rank="cost", k=2, max_transshipments=2).routes
    assert [r.places for r in routes] == [("a1", "c2")]


def test_diversity_bound_holds_and_both_routes_are_returned(tiny: planner.Network) -> None:
    routes = planner.plan_routes(tiny, "a1", "c2", rank="time", k=3, max_shared_fraction=0.0, max_stretch=10).routes
    assert [r.places for r in routes] == [("a1", "c2"), SOUTH]
    assert [r.rank for r in routes] == [1, 2]


def test_an_alternative_over_max_stretch_is_left_out_with_a_note_saying_why(tiny: planner.Network) -> None:
    # The southern route takes SOUTH_HOURS = 92.2 h against the direct road's 20 h: 4.61 times as long.
    assert round(SOUTH_HOURS / 20, 2) == 4.61
    plan = planner.plan_routes(tiny, "a1", "c2", rank="time", k=3, max_stretch=4.6)
    assert [r.places for r in plan.routes] == [("a1", "c2")]
    (note,) = plan.notes
    assert note.startswith("1 route of the 3 asked for: no other route within 4.6x the best route's typical transit time")
    assert "raise max_stretch (now 4.6, at most 10)" in note
    wider = planner.plan_routes(tiny, "a1", "c2", rank="time", k=3, max_stretch=4.62)
    assert [r.places for r in wider.routes] == [("a1", "c2"), SOUTH]
    assert wider.notes == ("2 routes of the 3 asked for: no further route within 4.62x the best route's typical "
                           "transit time crosses other borders or follows another main corridor than these",)


@pytest.mark.parametrize("stretch", [0.99, 10.01, float("nan"), True, "2"])
def test_max_stretch_outside_1_to_10_is_refused(tiny: planner.Network, stretch: object) -> None:
    with pytest.raises(planner.InvalidRequestError, match="max_stretch must be a number from 1 to 10"):
        planner.plan_routes(tiny, "a1", "c2", max_stretch=stretch)  # type: ignore[arg-type]


def test_time_range_and_percentiles_are_ordered(tiny: planner.Network) -> None:
    route = planner.plan_routes(tiny, "a1", "c2", rank="cost", k=1).routes[0]
    assert route.transit_hours_min <= route.transit_hours_p50 <= route.transit_hours_p90 <= route.transit_hours_max


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"k": 0}, planner.InvalidRequestError, "k must be"),
        ({"k": 21}, planner.InvalidRequestError, "k must be"),
        ({"rank": "fastest"}, planner.InvalidRequestError, "unknown rank"),
        ({"teu": 1, "tonnes": 5}, planner.InvalidRequestError, "not both"),
        ({"teu": float("nan")}, planner.InvalidRequestError, "finite"),
        ({"corridor": "nowhere"}, planner.UnknownCorridorError, "unknown corridor"),
        ({"avoid_countries": ["XX"]}, planner.UnknownCountryError, "no place in the network"),
        ({"avoid_countries": ["Russia"]}, planner.UnknownCountryError, "alpha-2"),
        ({"modes": ["air"]}, planner.UnknownModeError, "unknown mode"),
        ({"avoid_links": ["l99"]}, planner.UnknownLinkError, "unknown link"),
    ],
)
def test_bad_options_raise_specific_errors(tiny: planner.Network, options: dict[str, object], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        planner.plan_routes(tiny, "a1", "c2", **options)


def test_unknown_place_suggests_near_misses(tiny: planner.Network) -> None:
    with pytest.raises(planner.UnknownPlaceError) as info:
        planner.plan_routes(tiny, "Alpah", "c2")
    assert "Alpha" in info.value.suggestions


def test_same_origin_and_destination_is_refused(tiny: planner.Network) -> None:
    with pytest.raises(planner.SamePlaceError):
        planner.plan_routes(tiny, "Alpha", "a1")


@pytest.mark.parametrize("spelling", ["Al'pha City", "al’pha city", "ALPHACITY", "Альфа", "alpha"])
def test_places_are_found_by_any_spelling(tiny: planner.Network, spelling: str) -> None:
    assert planner.find_place(tiny, spelling).id == "a1"


def test_plans_are_remembered_per_network_and_equal_a_fresh_computation(tiny: planner.Network) -> None:
    request = planner.resolve_request(tiny, "a1", "c2", k=2, rank="cost")
    first = planner.plan(tiny, request)
    assert planner.plan(tiny, request) is first
    assert planner.plan(tiny, request, use_cache=False) == first


def test_a_remembered_no_route_raises_a_fresh_error_each_time(tiny: planner.Network) -> None:
    request = planner.resolve_request(tiny, "a1", "c2", modes=["rail"])
    errors = []
    for _ in range(2):
        with pytest.raises(planner.NoRouteError) as info:
            planner.plan(tiny, request)
        errors.append(info.value)
    assert errors[0] is not errors[1]
    assert str(errors[0]) == str(errors[1])
    assert errors[1].constraints == ("modes",)


def test_a_spelling_shared_by_two_places_is_refused_as_ambiguous(tiny: planner.Network) -> None:
    text = (Path(__file__).parent.parent / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
    network = planner.parse_network(text.replace("name: Gamma Port", "name: Gamma Port\n    aliases: [Al'pha City]"))
    with pytest.raises(planner.UnknownPlaceError, match="ambiguous: it names Alpha \\(a1\\), Gamma Port \\(c1\\)") as info:
        planner.find_place(network, "alpha city")
    assert info.value.ambiguous
