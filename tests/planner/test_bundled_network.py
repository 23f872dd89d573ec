"""Realistic checks on the bundled Eurasian network (graphs/eurasia.yaml)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

import planner
from planner import bundled_scenarios, compare, load_scenario, plan_with_scenario, resolve_request
from planner.model import Figure, HoursRange

CASPIAN_PORTS = {"aktau", "kuryk", "turkmenbashi", "alat_port"}


def _walk(where: str, value: object, out: list[tuple[str, Figure | HoursRange]]) -> None:
    """Every figure and hours range inside a model object (borders by mode, direction and level, timetables...)."""
    if isinstance(value, Figure | HoursRange):
        out.append((where, value))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _walk(f"{where}.{f.name}", getattr(value, f.name), out)
    elif isinstance(value, tuple | list):
        for i, item in enumerate(value):
            _walk(f"{where}[{i}]", item, out)


def _figures(network: planner.Network) -> list[tuple[str, Figure | HoursRange]]:
    out: list[tuple[str, Figure | HoursRange]] = []
    for mode in network.modes.values():
        _walk(f"mode {mode.mode}", mode, out)
    for season in network.seasons.values():
        _walk(f"season {season.id}", season, out)
    for place in network.places.values():
        for name in ("border", "gauge_change", "transshipments"):
            _walk(f"place {place.id} {name}", getattr(place, name), out)
    for link in network.links.values():
        _walk(f"link {link.id}", link, out)
    return out


def test_every_numeric_figure_has_a_source_or_an_estimate_reason(eurasia: planner.Network) -> None:
    figures = _figures(eurasia)
    assert len(figures) > 500
    for where, figure in figures:
        prov = figure.provenance
        assert prov.sources or (prov.estimate and len(prov.estimate) > 10), where
        for key in prov.sources:
            source = eurasia.sources[key]
            assert source.publisher, key
            assert source.title, key
            assert source.year, key
    for place in eurasia.places.values():
        assert place.provenance.sources or place.provenance.estimate, f"coordinates of {place.id}"


def test_the_network_covers_the_reference_and_the_required_corridors(eurasia: planner.Network) -> None:
    assert len(eurasia.places) >= 121
    assert len(eurasia.links) >= 167
    assert {"xian_tashkent", "titr", "northern", "tm_uz_kz_ru", "sea_suez"} <= set(eurasia.corridors)
    titr = planner.resolve_corridor(eurasia, "Middle Corridor")
    assert titr.id == "titr"


def test_xian_to_tashkent_by_time_runs_through_khorgos_and_altynkol(eurasia: planner.Network) -> None:
    route = planner.plan_routes(eurasia, "Xi'an", "Tashkent", rank="time", k=1).routes[0]
    assert {"horgos_cn", "altynkol"} <= set(route.places)
    kinds = {e.kind.value for leg in route.legs for e in leg.events}
    assert {"border", "gauge_change"} <= kinds


def test_tashkent_to_duisburg_avoiding_russia_goes_through_iran_or_over_the_caspian(eurasia: planner.Network) -> None:
    routes = planner.plan_routes(eurasia, "Tashkent", "Duisburg", avoid_countries=["RU"], k=3).routes
    for route in routes:
        assert "RU" not in route.countries
        sea = [leg for leg in route.legs if leg.mode.value == "sea"]
        assert "IR" in route.countries or any({leg.origin, leg.destination} <= CASPIAN_PORTS for leg in sea)


def test_tashkent_to_duisburg_avoiding_russia_and_iran_crosses_the_caspian(eurasia: planner.Network) -> None:
    routes = planner.plan_routes(eurasia, "Tashkent", "Duisburg", avoid_countries=["RU", "IR"], k=3).routes
    for route in routes:
        assert not {"RU", "IR"} & set(route.countries)
        sea = [leg for leg in route.legs if leg.mode.value == "sea"]
        assert any({leg.origin, leg.destination} <= CASPIAN_PORTS for leg in sea)


def test_the_caspian_crossing_shows_a_wide_time_range(eurasia: planner.Network) -> None:
    route = planner.plan_routes(eurasia, "Tashkent", "Duisburg", avoid_countries=["RU", "IR"], k=1).routes[0]
    ferry = next(leg for leg in route.legs if {leg.origin, leg.destination} <= CASPIAN_PORTS)
    assert ferry.hours_max - ferry.hours_min >= 24
    assert route.transit_hours_p90 > route.transit_hours_p50


def test_three_routes_from_xian_to_istanbul_follow_different_named_corridors(eurasia: planner.Network) -> None:
    routes = planner.plan_routes(eurasia, "Xi'an", "Istanbul", rank="time", k=3).routes
    leading = {route.corridors[0].id for route in routes if route.corridors}
    assert len(leading) >= 2


def test_compare_xian_istanbul_lists_titr_northern_and_the_sea_route(eurasia: planner.Network) -> None:
    result = compare(eurasia, resolve_request(eurasia, "Xi'an", "Istanbul"))
    rows = {row.corridor: row for row in result.rows}
    for corridor in ("titr", "northern"):
        assert rows[corridor].route is not None, rows[corridor].reason
    # With the Suez lanes at their residual frequency the sea corridor's best route leaves the sea at
    # Bandar Abbas; under red_sea_closed it is slower still. Either way it is no faster than the TITR.
    sea = rows["sea_suez"]
    assert sea.route is None or sea.route.transit_hours > rows["titr"].route.transit_hours  # type: ignore[union-attr]
    if sea.route is None:
        assert "of its distance on the corridor" in (sea.reason or "")
    assert rows["cku"].route is None
    assert "planned links not yet in operation (Kashgar–Makmal rail link (l084), Makmal–Jalal-Abad rail link (l085))" in (
        rows["cku"].reason or ""
    )
    # A corridor that would carry only a sliver of the route does not count as serving the pair.
    assert rows["tm_uz_kz_ru"].route is None
    assert "of its distance on the corridor" in (rows["tm_uz_kz_ru"].reason or "")


def test_cku_scenario_adds_a_cheaper_more_reliable_kashgar_tashkent_route(eurasia: planner.Network) -> None:
    scenario = load_scenario("cku_opened", eurasia)
    by_cost = plan_with_scenario(eurasia, scenario, resolve_request(eurasia, "Kashgar", "Tashkent", rank="cost", k=1))
    assert by_cost.planned is not None
    assert by_cost.baseline is not None
    assert "makmal" in by_cost.planned.routes[0].places
    delta = by_cost.best_delta()
    assert delta is not None
    assert delta["cost_usd"] < 0
    assert delta["transit_hours_p90"] < 0
    # Ranked by time the CKU line is among the alternatives whether or not it is the fastest: by rail it
    # waits for wagons and a train at Kashgar, so it takes about 1.7 times the road over Irkeshtam.
    by_time = plan_with_scenario(
        eurasia, scenario, resolve_request(eurasia, "Kashgar", "Tashkent", rank="time", k=5, max_stretch=2.0)
    )
    assert by_time.planned is not None
    assert any("makmal" in r.places for r in by_time.planned.routes)


def test_three_bundled_scenarios_load_and_cite_sources(eurasia: planner.Network) -> None:
    scenarios = bundled_scenarios()
    assert len(scenarios) >= 3
    for item in scenarios:
        assert item["sources"]
        load_scenario(item["name"], eurasia)


def test_geojson_export_has_every_place_and_link() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "corridor_cli.main", "network", "export", "--geojson"], capture_output=True, text=True, check=True
    ).stdout
    data = json.loads(out)
    kinds = [f["geometry"]["type"] for f in data["features"]]
    assert kinds.count("Point") >= 120
    assert kinds.count("LineString") >= 160


@pytest.mark.parametrize("spelling", ["Xi'an", "Xian", "xi’an", "XIAN", "西安"])
def test_xian_is_found_by_every_spelling(eurasia: planner.Network, spelling: str) -> None:
    assert planner.find_place(eurasia, spelling).id == "xian"


def test_a_near_miss_gets_a_suggestion(eurasia: planner.Network) -> None:
    with pytest.raises(planner.UnknownPlaceError) as info:
        planner.find_place(eurasia, "Tashkant")
    assert "Tashkent" in info.value.suggestions
