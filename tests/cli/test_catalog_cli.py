"""``corridor places``, ``corridor corridors`` and ``corridor scenarios``: what exists, as tables and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import TINY, run, table_rows, words

import planner
from corridor_cli.main import main


def test_places_lists_every_place_by_country_then_name(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "places", "--network", TINY)
    rows = table_rows(out)
    assert [r[0] for r in rows] == ["a1", "a2", "b1", "b2", "c2", "c1"]  # AA, then BB by name: Beta, Gamma City, Gamma Port
    assert rows[0] == ["a1", "Alpha", "AA", "city,", "logistics_hub", "Al'pha", "City,", "Альфа"]
    assert out.rstrip().endswith("6 of 6 places")


def test_places_filtered_by_country_and_kind(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "places", "--network", TINY, "--country", "bb", "--kind", "seaport")
    assert [r[:3] for r in table_rows(out)] == [["b2", "Beta", "Port"], ["c1", "Gamma", "Port"]]
    assert out.rstrip().endswith("2 of 6 places")
    out = run(capsys, "places", "--network", TINY, "--kind", "border_crossing", "--kind", "city")
    assert [r[0] for r in table_rows(out)] == ["a1", "a2", "b1", "c2"]


def test_places_as_json_lists_ids_names_countries_kinds_and_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "places", "--network", TINY, "--country", "AA", "--json"))
    assert data == [
        {"id": "a1", "name": "Alpha", "country": "AA", "kinds": ["city", "logistics_hub"], "aliases": ["Al'pha City", "Альфа"]},
        {"id": "a2", "name": "Alpha Border", "country": "AA", "kinds": ["border_crossing"], "aliases": []},
    ]


def test_places_with_an_unknown_country_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "--network", TINY, "--country", "XX"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "corridor places: error: no place in country XX; countries: AA, BB"


def test_places_with_an_unknown_kind_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["places", "--kind", "harbour"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'harbour'" in capsys.readouterr().err


def test_places_finds_alpha_by_an_alias_with_an_apostrophe(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "places", "al'pha", "--network", TINY)
    rows = table_rows(out)
    assert rows[0][:3] == ["a1", "Alpha", "AA"]


def test_places_search_as_json_lists_a1_first(capsys: pytest.CaptureFixture[str]) -> None:
    matches = json.loads(run(capsys, "places", "al'pha", "--network", TINY, "--json"))
    assert matches[0]["id"] == "a1"
    assert matches[0]["country"] == "AA"
    assert set(matches[0]) == {"id", "name", "country", "kinds", "matched", "score"}


def test_places_search_keeps_the_filters(capsys: pytest.CaptureFixture[str]) -> None:
    # "gamma" matches Gamma City and Gamma Port; only the port is a seaport.
    out = run(capsys, "places", "gamma", "--network", TINY, "--kind", "seaport")
    assert [r[0] for r in table_rows(out)] == ["c1"]


def test_places_with_no_match_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "zzqqxx", "--network", TINY]) == 1
    assert "no place matches 'zzqqxx'" in capsys.readouterr().err


def test_corridors_lists_ids_names_aliases_place_counts_and_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "corridors", "--network", TINY, "--wide")
    assert table_rows(out) == [
        ["south", "Southern", "line", "Ferry", "route", "6", "0", "Alpha", "to", "Gamma", "by", "rail", "and", "ferry."],
        ["direct", "Direct", "road", "-", "2", "0", "Alpha", "to", "Gamma", "by", "road."],
    ]


def test_one_corridor_shows_its_description_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "corridors", "ferry route", "--network", TINY)
    assert out.splitlines()[0] == "south: Southern line (also Ferry route)"
    assert "Alpha to Gamma by rail and ferry." in out
    assert "main line:\n  a1 > a2 > b1 > b2 > c1 > c2" in out
    data = json.loads(run(capsys, "corridors", "south", "--network", TINY, "--json"))
    assert data["places"] == ["a1", "a2", "b1", "b2", "c1", "c2"]


def test_corridors_on_the_bundled_network_name_all_seven_and_fit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, eurasia: planner.Network
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run(capsys, "corridors")
    first = [r[0] for r in table_rows(out) if r[0] in eurasia.corridors]
    assert first == list(eurasia.corridors)
    data = json.loads(run(capsys, "corridors", "--json"))
    assert [c["id"] for c in data["corridors"]] == list(eurasia.corridors)
    assert all(c["description"] for c in data["corridors"])


def test_an_unknown_corridor_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corridors", "nowhere", "--network", TINY]) == 2
    assert "unknown corridor 'nowhere'; known corridors: direct, south" in capsys.readouterr().err


def test_scenarios_lists_the_bundled_names_titles_and_descriptions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run(capsys, "scenarios")
    bundled = planner.bundled_scenarios()
    names = [r[0] for r in table_rows(out) if r[0] in {s["name"] for s in bundled}]
    assert names == ["caspian_ferries_halved", "cku_opened", "khorgos_congestion", "red_sea_closed"]
    assert "Red Sea closed to container shipping" in words(out)
    assert json.loads(run(capsys, "scenarios", "--json")) == {"scenarios": bundled}


def test_one_scenario_shows_its_changes_by_name_and_its_sources(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "scenarios", "cku_opened")
    assert out.splitlines()[0] == "cku_opened: China–Kyrgyzstan–Uzbekistan railway opened"
    assert "changes:\n  open_link: l084 (Kashgar – Makmal, rail)\n  open_link: l085 (Makmal – Jalal-Abad, rail)" in out
    assert "sources:\n  Railway Gazette International: China–Kyrgyzstan–Uzbekistan railway construction" in out


def test_a_scenario_file_is_checked_against_the_network(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "closed.yaml"
    path.write_text("name: closed\ntitle: Beta Border closed\nchanges:\n  - close_place: b1\n", encoding="utf-8")
    out = run(capsys, "scenarios", str(path), "--network", TINY)
    assert "changes:\n  close_place: b1 (Beta Border)" in out
    assert main(["scenarios", "cku_opened", "--network", TINY]) == 2
    assert "unknown link 'l084'" in capsys.readouterr().err
