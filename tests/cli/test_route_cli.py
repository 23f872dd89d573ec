"""``corridor route`` and ``corridor compare`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cli_helpers import table_rows

from corridor_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TINY = str(ROOT / "tests" / "fixtures" / "tiny.yaml")


def test_route_json_names_the_route_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "Xi'an", "Tashkent", "--json", "--k", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    route = data["routes"][0]
    for field in (
        "rank", "transit_hours", "transit_hours_min", "transit_hours_max", "transit_days", "cost_usd", "co2e_kg",
        "generalized_cost_usd", "distance_km", "border_crossings", "transshipments", "countries", "corridors", "legs",
    ):  # fmt: skip
        assert field in route, field
    leg = route["legs"][0]
    assert {"from", "to", "mode", "distance_km", "hours", "cost_usd", "co2e_kg", "events"} <= set(leg)
    assert data["request"]["origin"] == "xian"


def test_xian_tashkent_k3_json_gives_three_border_points_within_one_and_a_half_times(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["route", "Xi'an", "Tashkent", "--k", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    routes = data["routes"]
    assert len(routes) == 3
    assert data["notes"] == []
    assert [(r["borders"][0]["from"], r["borders"][0]["to"]) for r in routes] == [
        ("horgos_cn", "altynkol"), ("wuqia", "irkeshtam"), ("alashankou", "dostyk")
    ]
    assert all(r["transit_hours"] <= 1.5 * routes[0]["transit_hours"] for r in routes)
    assert data["request"]["max_stretch"] == 1.5


def test_route_table_labels_typical_p50_and_p90_and_prints_the_notes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["route", "alpha", "gamma city", "--k", "3", "--network", TINY]) == 0
    out = capsys.readouterr().out
    assert "typical d  P50 d  P90 d  range d" in out
    assert "\nnote: 1 route of the 3 asked for" in out
    assert "raise max_stretch" in out
    assert main(["route", "alpha", "gamma city", "--k", "3", "--max-stretch", "10", "--network", TINY]) == 0
    assert "a1 > a2 > b1 > b2 > c1 > c2" in capsys.readouterr().out


def test_route_table_with_legs_on_the_fixture(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["route", "alpha", "gamma city", "--rank", "cost", "--k", "1", "--legs", "--network", TINY]) == 0
    out = capsys.readouterr().out
    assert "ranked by cost" in out
    assert "a1 > a2 > b1 > b2 > c1 > c2" in out
    lines = out.splitlines()
    assert any(line.split()[:2] == ["gauge_change", "3.0"] for line in lines)
    assert any(line.split()[:2] == ["wait", "42.0"] and "(2 per week)" in line for line in lines)
    assert any(line.split()[:4] == ["border", "leaving", "AA", "4.0"] for line in lines)


def test_route_errors_are_one_line_with_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "Tashkant", "Almaty"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("corridor: error: unknown place 'Tashkant'; did you mean 'Tashkent'")
    assert "Traceback" not in err


def test_route_with_a_scenario_prints_baseline_scenario_and_change_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "Kashgar", "Tashkent", "--rank", "cost", "--k", "1", "--scenario", "cku_opened"]) == 0
    out = capsys.readouterr().out
    labels = [row[0] for row in table_rows(out) if row[0] in ("1", "scenario", "change")]
    assert labels == ["1", "scenario", "change"]
    assert "appears: kashgar > makmal" in out


def test_compare_json_lists_titr_northern_and_the_sea_route(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "Xi'an", "Istanbul", "--json"]) == 0
    rows = {row["label"]: row for row in json.loads(capsys.readouterr().out)["rows"]}
    for corridor in ("titr", "northern"):
        assert rows[corridor]["status"] == "ok"
        assert rows[corridor]["route"]["transit_hours_p90"] >= rows[corridor]["route"]["transit_hours"] * 0.5
    # The sea corridor's row is listed; with the Suez lanes at their residual frequency its best route
    # leaves the sea at Bandar Abbas and runs too little of its distance on the corridor to count.
    assert rows["sea_suez"]["status"] == "ok" or "of its distance on the corridor" in rows["sea_suez"]["reason"]
    assert rows["cku"]["status"] == "no_route"
    assert rows["cku"]["reason"]


def test_compare_table_with_a_scenario_shows_the_change(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", "Xi'an", "Istanbul", "--corridor", "titr", "--scenario", "caspian_ferries_halved"])
    assert code == 0
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines()]
    titr = next(n for n, line in enumerate(lines) if line[:1] == ["titr"])
    assert [lines[titr + 1][0], lines[titr + 2][0]] == ["scenario", "change"]


@pytest.mark.slow
def test_a_plain_wheel_ships_the_bundled_network_and_the_map(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("corridor_planner-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "planner/_graphs/eurasia.yaml" in names
    assert {"planner/_graphs/scenarios/cku_opened.yaml", "api/static/index.html", "planner/py.typed"} <= names
