"""Assignment follows the routing model on tests/fixtures/transit.yaml: one change of mode at a place, composite
changes use each facility they chain, and a link through a transit country passes the border controls at its ends.

From s0 to ra (port pa), generalized cost with value of time v (USD per TEU-hour):
  sea t5 (100 km: 4 h, $50) + direct sea -> rail (10 h, $100) + rail t6 (100 km: 2 h, $100)  = $250 + 16 h
  sea t5 + sea -> road (2 h, $10) + road t7 (400 km: 8 h, $800)                              = $860 + 14 h
  sea t5 + sea -> road + road -> rail (4 h, $20) + rail t6: two changes at pa, never taken   = $170 + 10 h
From s0 to rb (port pb, no sea/rail handling): sea t8 + sea -> road -> rail as one change (2 h, $20) + rail t9
  (2 h, $100) = $170 + 8 h.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import planner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def transit() -> planner.Network:
    return planner.load_network(FIXTURES / "transit.yaml")


def _with(tmp_path: Path, places: dict[str, dict[str, object]], new_places: list[dict[str, object]], links: list[dict[str, object]]) -> planner.Network:
    data = yaml.safe_load((FIXTURES / "transit.yaml").read_text())
    for place in data["places"]:
        place.update(places.get(place["id"], {}))
    data["places"].extend(new_places)
    data["links"].extend(links)
    path = tmp_path / "transit.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return planner.load_network(path)


def test_assignment_changes_mode_once_at_a_place_like_a_route(transit: planner.Network) -> None:
    vot = planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR
    assert 250 + 16 * vot < 860 + 14 * vot  # the direct change beats the road at this value of time
    result = planner.assign(transit, [{"origin": "s0", "destination": "ra", "teu_per_year": 10}], method="aon")
    (od,) = result.ods
    assert od.free_flow_hours == pytest.approx(16.0)
    assert od.cost_usd_per_teu == pytest.approx(250.0)
    assert od.paths[0].places == ("s0", "pa", "ra")
    route = planner.plan_routes(transit, "s0", "ra", k=1, rank="generalized").routes[0]
    assert route.transit_hours == pytest.approx(od.free_flow_hours)
    assert route.cost_usd == pytest.approx(od.cost_usd_per_teu)  # one TEU by default


def test_a_composite_change_loads_each_transshipment_it_chains(tmp_path: Path) -> None:
    capacity = {"transshipment": [{"teu_per_year": 50, "modes": ["road", "rail"], "source": "TEST"}]}
    network = _with(tmp_path, {"pb": {"capacity": capacity}}, [], [])
    result = planner.assign(network, [{"origin": "s0", "destination": "rb", "teu_per_year": 100}], method="aon")
    (od,) = result.ods
    assert od.free_flow_hours == pytest.approx(8.0)
    assert od.cost_usd_per_teu == pytest.approx(170.0)
    queues = {a.direction: a for a in result.assets if a.asset == "transshipment:pb"}
    assert set(queues) == {"road>rail", "rail>road"}  # each direction of the road/rail handling
    assert queues["rail>road"].teu_per_year == 0
    queue = queues["road>rail"]
    assert queue.teu_per_year == pytest.approx(100.0)  # the sea -> road -> rail change passes the road/rail handling
    assert queue.vc == pytest.approx(2.0)


def test_a_link_through_a_transit_country_loads_the_border_controls_at_both_ends(tmp_path: Path) -> None:
    border = {"dwell_hours": 1, "fee_usd_per_teu": 5, "source": "TEST"}
    a2 = {"id": "a2", "name": "Aleph Two", "country": "AA", "lat": 1.0, "lon": 1.0, "kinds": ["city"], "source": "TEST", "border": border}
    transit_border = {"dwell_hours": 4, "fee_usd_per_teu": 15, "source": "TEST"}
    link = {"id": "t12", "from": "ab", "to": "a2", "mode": "road", "distance_km": 100, "transit_countries": ["BB"], "transit_border": transit_border, "source": "TEST"}
    network = _with(tmp_path, {}, [a2], [link])
    result = planner.assign(network, [{"origin": "ab", "destination": "a2", "teu_per_year": 30}], method="aon")
    assert result.asset_volumes["border:ab"][0] == pytest.approx(30.0)
    assert result.asset_volumes["border:a2"][0] == pytest.approx(30.0)  # AA to AA, but through BB: controls at both ends


def test_a_path_passing_a_place_twice_is_reported_in_the_warnings(tmp_path: Path) -> None:
    # o -road-> x -road-> y, change to rail at y, y -rail-> x -rail-> d: x has no change of its own.
    data = yaml.safe_load((FIXTURES / "transit.yaml").read_text())
    city = {"country": "AA", "kinds": ["city"], "source": "TEST"}
    data["places"] = [
        {"id": "o", "name": "O", "lat": 0.0, "lon": 0.0, **city},
        {"id": "x", "name": "X", "lat": 0.0, "lon": 1.0, **city},
        {"id": "y", "name": "Y", "lat": 1.0, "lon": 1.0, **city,
         "transshipment": [{"modes": ["road", "rail"], "hours": 1, "cost_usd_per_teu": 10, "source": "TEST"}]},
        {"id": "d", "name": "D", "lat": 0.0, "lon": 2.0, **city},
    ]  # fmt: skip
    data["links"] = [
        {"id": "ox", "from": "o", "to": "x", "mode": "road", "distance_km": 100, "source": "TEST"},
        {"id": "xy", "from": "x", "to": "y", "mode": "road", "distance_km": 100, "source": "TEST"},
        {"id": "yx", "from": "y", "to": "x", "mode": "rail", "gauge_mm": 1435, "distance_km": 100, "source": "TEST"},
        {"id": "xd", "from": "x", "to": "d", "mode": "rail", "gauge_mm": 1435, "distance_km": 100, "source": "TEST"},
    ]
    path = tmp_path / "loop.yaml"
    path.write_text(yaml.safe_dump(json.loads(json.dumps(data)), sort_keys=False))  # written out: no YAML anchors
    network = planner.load_network(path)
    with pytest.raises(planner.LoopOnlyError):
        planner.plan_routes(network, "o", "d")
    result = planner.assign(network, [{"origin": "o", "destination": "d", "teu_per_year": 5}], method="aon")
    assert result.ods[0].paths[0].places == ("o", "x", "y", "x", "d")
    assert any("1 OD pair(s) have a path that passes a place twice" in w for w in result.warnings)
