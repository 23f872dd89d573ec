"""Alternatives and loops on the bundled network, as a planner meets them."""

from __future__ import annotations

import pytest
from route_invariants import check_plan, check_route

import planner

KHORGOS, IRKESHTAM, ALASHANKOU = ("horgos_cn", "altynkol"), ("wuqia", "irkeshtam"), ("alashankou", "dostyk")


def test_xian_to_tashkent_offers_khorgos_irkeshtam_and_alashankou_within_one_and_a_half_times(
    eurasia: planner.Network,
) -> None:
    plan = planner.plan_routes(eurasia, "Xi'an", "Tashkent", k=3, use_cache=False)
    assert [r.border_points[0] for r in plan.routes] == [KHORGOS, IRKESHTAM, ALASHANKOU]
    best = plan.routes[0].transit_hours
    assert all(r.transit_hours <= 1.5 * best for r in plan.routes)
    assert plan.notes == ()
    check_plan(eurasia, plan)
    # The same crossing with another road post near the end is a variant of the best route (it shares 97 % of
    # its distance), not one of the three options.
    variants = planner.plan_routes(eurasia, "Xi'an", "Tashkent", k=3, max_shared_fraction=1.0, use_cache=False)
    assert [r.border_points for r in variants.routes][2] == (KHORGOS, ("zhibekzholy", "gishtkuprik"))


def test_the_sea_detours_come_back_only_with_a_wider_stretch(eurasia: planner.Network) -> None:
    def by_sea(plan: planner.RoutePlan) -> list[planner.Route]:
        return [r for r in plan.routes if any(leg.mode is planner.Mode.SEA for leg in r.legs)]

    assert by_sea(planner.plan_routes(eurasia, "Xi'an", "Tashkent", k=10)) == []
    wide = planner.plan_routes(eurasia, "Xi'an", "Tashkent", k=10, max_stretch=10)
    assert by_sea(wide)
    check_plan(eurasia, wide)


def test_a_corridor_met_only_by_going_out_and_back_is_refused_with_the_places_passed_twice(
    eurasia: planner.Network,
) -> None:
    # The Xi'an–Tashkent route's own links start beyond Almaty: a route on it to Almaty would run on past
    # Almaty and come back.
    with pytest.raises(planner.LoopOnlyError) as caught:
        planner.plan_routes(eurasia, "Xi'an", "Almaty", corridor="xian_tashkent", use_cache=False)
    assert caught.value.constraints == ("corridor",)
    assert caught.value.code == "no_loop_free_route"
    message = str(caught.value)
    assert message.startswith("no route from Xi'an to Almaty on the Xi'an–Tashkent rail route via Khorgos without passing a place twice")
    assert "Arys > Saryagash > Arys" in message
    assert isinstance(caught.value, planner.NoRouteError)


def test_almaty_to_tashkent_on_the_middle_corridor_no_longer_runs_arys_kyzylorda_arys(eurasia: planner.Network) -> None:
    plan = planner.plan_routes(eurasia, "Almaty", "Tashkent", corridor="titr", k=3, use_cache=False)
    check_plan(eurasia, plan)
    assert plan.routes[0].places.count("arys") == 1
    assert any(c.id == "titr" and c.share > 0.5 for c in plan.routes[0].corridors)


@pytest.mark.parametrize(("origin", "destination"), [("Xi'an", "Almaty"), ("Xi'an", "Istanbul"), ("Tashkent", "Duisburg")])
def test_no_row_of_a_corridor_comparison_passes_a_place_twice(eurasia: planner.Network, origin: str, destination: str) -> None:
    rows = planner.compare(eurasia, planner.resolve_request(eurasia, origin, destination), use_cache=False).rows
    routed = [row.route for row in rows if row.route is not None]
    assert len(routed) >= 2
    for route in routed:
        check_route(eurasia, route)


def test_no_route_changes_mode_twice_in_a_row_where_a_direct_change_exists(eurasia: planner.Network) -> None:
    # Poti handles ship <-> rail directly; before, ship -> road -> rail could beat those figures.
    for destination in ("Baku", "Tbilisi", "Kars", "Yerevan", "Tashkent"):
        try:
            plan = planner.plan_routes(eurasia, "Burgas", destination, k=3, rank="cost", use_cache=False)
        except (planner.NoRouteError, planner.UnknownPlaceError):
            continue
        check_plan(eurasia, plan)
