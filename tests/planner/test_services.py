"""Service levels, directional borders, departures, queues, seasons, container types and dates, hand-computed.

The fixture tests/fixtures/services.yaml (rail and road 50 km/h, sea 25 km/h; rail $1, road $2, sea $0.5
per TEU-km) runs o1 -r1-> x1 (AA) -r2-> y1 (BB, gauge change) -r3-> p1 =s1=> p2 (CC) -r4-> d1.
At the scheduled level, o1 -> d1 by rail and sea is, in hours:

    r1   12 wait (7 departures a week: half of 24)    + 2 running
    r2   0.2 running + 5 leaving AA at x1 + 7 entering BB at y1
    y1   4 gauge change, then r3: 24 wait (3.5 a week: half of 48) + 4 running
    p1   6 transshipment, then s1: 42 wait (2 a week) + 6 queue + 12 sailing + 2 leaving BB + 4 entering CC
    p2   6 transshipment, then r4: 1 running (no timetable after a change: no wait)
    = 137.2 h, and USD per TEU 100 + (10 + 10 + 20) + 40 + 200 + 50 + (150 + 5 + 15) + 50 + 50 = 700.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import planner
from planner.export import request_to_dict

SERVICES = Path(__file__).resolve().parent.parent / "fixtures" / "services.yaml"


@pytest.fixture(scope="module")
def net() -> planner.Network:
    return planner.load_network(SERVICES)


def _route(net: planner.Network, a: str, b: str, **options: object) -> planner.Route:
    options.setdefault("modes", ["rail", "sea"])
    return planner.plan_routes(net, a, b, k=1, use_cache=False, **options).routes[0]  # type: ignore[arg-type]


def _events(route: planner.Route, kind: str) -> list[planner.Event]:
    return [e for leg in route.legs for e in leg.events if e.kind.value == kind]


def test_the_scheduled_level_is_the_default_and_sums_every_wait_queue_dwell_and_change(net: planner.Network) -> None:
    route = _route(net, "o1", "d1")
    assert route.service is planner.ServiceLevel.SCHEDULED
    assert route.places == ("o1", "x1", "y1", "p1", "p2", "d1")
    assert route.transit_hours == pytest.approx(137.2)
    assert route.cost_usd == pytest.approx(700.0)
    assert sum(leg.hours for leg in route.legs) == pytest.approx(route.transit_hours)
    assert [e.hours for e in _events(route, "wait")] == pytest.approx([12.0, 24.0, 42.0])
    assert [e.hours for e in _events(route, "queue")] == pytest.approx([6.0])


@pytest.mark.parametrize(
    ("service", "hours"),
    [
        # 42 wait (2 express departures a week) + 2; 0.2 + 1 leaving + 3 entering; 1 gauge; 24 + 4; 2 reload;
        # 42 + 0 queue + 12 + 2 + 4; 6; 1
        ("express", 146.2),
        ("scheduled", 137.2),
        # no standard timetable on r1: the rail origin wait 40; 0.2 + 20 leaving + 30 entering; 12 gauge; 24 + 4;
        # 10 reload; 42 + 24 queue + 12 + 2 + 4; 6; 1
        ("standard", 233.2),
    ],
)
def test_each_service_level_takes_its_own_dwell_queue_and_waits(net: planner.Network, service: str, hours: float) -> None:
    route = _route(net, "o1", "d1", service=service)
    assert route.service.value == service
    assert route.transit_hours == pytest.approx(hours)


def test_a_border_post_charges_its_leaving_dwell_and_fee_one_way_and_its_entering_ones_the_other(
    net: planner.Network,
) -> None:
    out = _route(net, "o1", "d1")
    back = _route(net, "d1", "o1")
    out_r2 = next(leg for leg in out.legs if leg.link == "r2")
    back_r2 = next(leg for leg in back.legs if leg.link == "r2")
    assert [(e.place, e.direction, e.hours, e.cost_usd) for e in out_r2.events] == [
        ("x1", "leaving", 5.0, 10.0),
        ("y1", "entering", 7.0, 20.0),
    ]
    # The other way y1 charges its leaving figures (2 h, $20) and x1 its entering ones (3 h, $30).
    assert [(e.place, e.direction, e.hours, e.cost_usd) for e in back_r2.events if e.kind.value == "border"] == [
        ("y1", "leaving", 2.0, 20.0),
        ("x1", "entering", 3.0, 30.0),
    ]
    # d1 -> o1: 10 origin wait (no timetable on r4) + 1; 6 + 42 + 6 + 12 + 4 + 2; 6 + 24 + 4; 4 gauge;
    # 0.2 + 2 + 3; then r1 after boarding r2 (no timetable): 12 wait for r1's service + 2.
    assert back.transit_hours == pytest.approx(140.2)
    assert back.cost_usd == pytest.approx(720.0)


def test_a_road_link_meets_the_road_posts_figures(net: planner.Network) -> None:
    route = _route(net, "o1", "y1", modes=["road"])
    # 2 + 0.2 running, x1's road post 0.5 h ($1), y1 entering by its block (7 h, $20); $200 + $20 tariffs.
    assert route.transit_hours == pytest.approx(9.7)
    assert route.cost_usd == pytest.approx(241.0)


def test_departure_waits_at_the_origin_after_a_reload_and_none_on_a_service_running_through(
    net: planner.Network,
) -> None:
    # At the origin: r3's own timetable (24 h), not the rail origin wait (10 h).
    assert _route(net, "y1", "p1").transit_hours == pytest.approx(24 + 4)
    # On r3's service from p1 the train runs through y1 onto r5: no wait there.
    through = _route(net, "p1", "q1")
    assert through.transit_hours == pytest.approx(24 + 4 + 1)
    assert [(e.place, e.hours) for e in _events(through, "wait")] == [("p1", 24.0)]
    # From q1 the route starts on r5 (no timetable: the origin wait 10) and joins r3's service at y1 (24):
    # a detour cannot reach a timetabled link as if it were on that service.
    joined = _route(net, "q1", "p1")
    assert joined.places == ("q1", "y1", "p1")
    assert joined.transit_hours == pytest.approx(10 + 1 + 24 + 4)
    # After the gauge change at y1 the route waits for r3's departure.
    reload = next(leg for leg in _route(net, "o1", "d1").legs if leg.link == "r3")
    assert [(e.kind.value, e.hours) for e in reload.events] == [("gauge_change", 4.0), ("wait", 24.0)]


def test_a_seasonal_wait_applies_in_its_month_only(net: planner.Network) -> None:
    june = _route(net, "o1", "d1", month=6)
    december = _route(net, "o1", "d1", month=12)
    assert june.transit_hours == pytest.approx(137.2)
    assert december.transit_hours == pytest.approx(137.2 + 24)
    [storm] = _events(december, "season")
    assert (storm.hours, storm.hours_min, storm.hours_max) == (24.0, 0.0, 72.0)
    assert december.transit_hours_p90 > june.transit_hours_p90 + 24
    assert december.month == 12


def test_a_40ft_box_costs_each_modes_ratio_of_a_20ft_box(net: planner.Network) -> None:
    # Rail-priced figures 100 + 40 + 40 + 200 + 50 (sea->rail reload) + 50 = 480 x 1.5;
    # sea-priced 50 (rail->sea reload) + 170 = 220 x 1.9: 720 + 418.
    for container in ("40ft", "40hc"):
        route = _route(net, "o1", "d1", container=container, teu=2)
        assert route.cost_usd == pytest.approx(1138.0)
        assert route.container is not None
        assert route.container.value == container
    assert _route(net, "o1", "d1", teu=2).cost_usd == pytest.approx(1400.0)
    assert _route(net, "o1", "d1", container="40ft").cost_usd == pytest.approx(1138.0)  # one box (2 TEU) by default
    with pytest.raises(planner.InvalidRequestError, match="multiple of 2") as caught:
        _route(net, "o1", "d1", container="40ft", teu=3)
    assert caught.value.field == "teu"


def test_bulk_tonnes_are_priced_per_whole_wagon_and_box(net: planner.Network) -> None:
    # 130 t: 3 wagons of 60 t, each priced as a 40 ft box by rail (x 1.5); 6 boxes of 24 t at sea (x 1.9).
    route = _route(net, "o1", "d1", tonnes=130)
    assert route.cost_usd == pytest.approx(480 * 3 * 1.5 + 220 * 6 * 1.9)
    assert route.container is None
    request = planner.resolve_request(net, "o1", "d1", tonnes=130)
    units = request_to_dict(request, net)["load_units"]
    assert {(u["mode"], u["unit"], u["units"]) for u in units} == {("rail", "wagon", 3), ("road", "truck", 7), ("sea", "40ft container", 6)}
    with pytest.raises(planner.InvalidRequestError, match="bulk") as caught:
        planner.resolve_request(net, "o1", "d1", tonnes=130, container="40ft")
    assert caught.value.field == "container"


def test_a_departure_date_gives_the_actual_wait_for_a_weekday_service_and_arrival_dates(net: planner.Network) -> None:
    # Express r1 departs Mondays and Thursdays. Without a date: half the 84 h headway.
    undated = _route(net, "o1", "d1", service="express")
    assert _events(undated, "wait")[0].hours == pytest.approx(42.0)
    monday = _route(net, "o1", "d1", service="express", departure_date="2025-03-03")
    assert _events(monday, "wait")[0].hours == pytest.approx(0.0)
    assert monday.transit_hours == pytest.approx(146.2 - 42)
    assert monday.arrival_date is not None
    assert monday.arrival_date.departure == dt.date(2025, 3, 3)
    assert monday.arrival_date.typical == dt.date(2025, 3, 7)  # 104.2 h after Monday 00:00
    assert monday.arrival_date.p50 <= monday.arrival_date.p90
    tuesday = _route(net, "o1", "d1", service="express", departure_date="2025-03-04")
    first = _events(tuesday, "wait")[0]
    assert (first.hours, first.hours_min, first.hours_max) == (48.0, 48.0, 48.0)  # to Thursday 00:00
    assert tuesday.transit_hours == pytest.approx(146.2 - 42 + 48)
    assert tuesday.arrival_date is not None
    assert tuesday.arrival_date.typical == dt.date(2025, 3, 10)
    assert tuesday.month == 3  # the month of the date


def test_service_container_date_and_month_are_checked_with_the_allowed_values(net: planner.Network) -> None:
    cases = [
        ({"service": "economy"}, "service", "express, scheduled, standard"),
        ({"container": "45ft"}, "container", "20ft, 40ft, 40hc"),
        ({"departure_date": "2025-02-30"}, "departure_date", "not a valid date"),
        ({"departure_date": "3/4/2025"}, "departure_date", "YYYY-MM-DD"),
        ({"month": 13}, "month", "1 to 12"),
        ({"month": 2, "departure_date": "2025-03-04"}, "month", "contradicts"),
    ]
    for options, field, words in cases:
        with pytest.raises(planner.InvalidRequestError, match=words) as caught:
            planner.resolve_request(net, "o1", "d1", **options)  # type: ignore[arg-type]
        assert caught.value.field == field, options


def test_the_networkx_weight_takes_a_service_level(net: planner.Network) -> None:
    import networkx as nx

    express = planner.weight("time", service="express", modes=["rail"])
    standard = planner.weight("time", service="standard", modes=["rail"])
    # o1 -> x1 -> y1 on the graph's edges: running and border dwell (boarding waits are not on edges).
    assert nx.shortest_path_length(net.graph, "o1", "y1", weight=express) == pytest.approx(2 + 0.2 + 1 + 3)
    assert nx.shortest_path_length(net.graph, "o1", "y1", weight=standard) == pytest.approx(2 + 0.2 + 20 + 30)
    with pytest.raises(planner.InvalidRequestError, match="express, scheduled, standard"):
        planner.weight("time", service="fast")
