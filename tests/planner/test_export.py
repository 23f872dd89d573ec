"""GeoJSON and JSON views of networks and routes."""

from __future__ import annotations

from pathlib import Path

import pytest

import planner
from planner.export import network_geojson, route_feature, route_to_dict

TINY = Path(__file__).parent.parent / "fixtures" / "tiny.yaml"


def _with_sea_lane() -> planner.Network:
    text = TINY.read_text(encoding="utf-8").replace(
        "departures_per_week: 2, source: TEST}",
        "departures_per_week: 2, waypoints: [[8.0, 14.0], [9.0, 15.0]], source: TEST}",
    )
    return planner.parse_network(text)


def test_link_linestrings_follow_their_waypoints() -> None:
    network = _with_sea_lane()
    feature = next(f for f in network_geojson(network)["features"] if f["id"] == "l4")
    assert feature["geometry"]["coordinates"] == [[13.0, 10.0], [14.0, 8.0], [15.0, 9.0], [16.0, 10.0]]


def test_route_geometry_runs_in_travel_direction_through_the_waypoints() -> None:
    network = _with_sea_lane()
    route = planner.plan_routes(network, "c2", "a1", rank="cost", k=1).routes[0]
    assert route.places == ("c2", "c1", "b2", "b1", "a2", "a1")
    sea = next(leg for leg in route_to_dict(route, network)["legs"] if leg["mode"] == "sea")
    assert sea["geometry"] == [[16.0, 10.0], [15.0, 9.0], [14.0, 8.0], [13.0, 10.0]]
    line = route_feature(route, network)["geometry"]["coordinates"]
    assert line[0] == [16.5, 10.0]
    assert line[-1] == [10.0, 10.0]
    assert [15.0, 9.0] in line
    assert len(line) == len(route.places) + 2


def test_waypoints_out_of_range_are_refused() -> None:
    text = TINY.read_text(encoding="utf-8").replace(
        "departures_per_week: 2, source: TEST}", "departures_per_week: 2, waypoints: [[95.0, 14.0]], source: TEST}"
    )
    with pytest.raises(planner.NetworkValidationError, match=r"waypoints\.0\.0"):
        planner.parse_network(text)
