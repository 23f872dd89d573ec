"""``corridor network validate|info|export``, run in-process on the tiny fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor_cli.main import main

FIXTURES = Path(__file__).parent.parent / "fixtures"
TINY = FIXTURES / "tiny.yaml"
LINK_L5 = "{id: l5, from: c1, to: c2, mode: road, distance_km: 50, source: TEST}"


def line_of(text: str, snippet: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if snippet in line)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The tiny fixture with two independent errors: a zero distance on l5 and a longitude of 190 on c2."""
    text = TINY.read_text(encoding="utf-8")
    assert text.count(LINK_L5) == 1
    assert text.count("lon: 16.5") == 1
    text = text.replace(LINK_L5, LINK_L5.replace("distance_km: 50", "distance_km: 0")).replace("lon: 16.5", "lon: 190")
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_accepts_the_tiny_fixture_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "validate", str(TINY)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{TINY}: valid (6 places, 6 links, 2 corridors, 2 warnings)"
    # warnings go to stderr and do not fail validation
    assert err.count("warning: ") == 2
    assert "place 'a1' has no border block" in err


def test_validate_lists_every_error_on_stderr_and_exits_one(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "validate", str(broken)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "2 error(s) in network file" in err
    text = broken.read_text(encoding="utf-8")
    assert f"{broken}:{line_of(text, 'lon: 190')}: place 'c2': field 'lon': " in err
    assert "less than or equal to 180, got 190" in err
    assert f"{broken}:{line_of(text, '{id: l5,')}: link 'l5': field 'distance_km': " in err
    assert "greater than 0, got 0" in err
    assert "Traceback" not in err


def test_validate_reports_a_file_error_with_its_line_and_exits_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "anchor.yaml"
    path.write_text("network: &n {id: x}\n", encoding="utf-8")
    assert main(["network", "validate", str(path)]) == 1
    _, err = capsys.readouterr()
    assert f"{path}:1: YAML anchor '&n' is not allowed" in err


def test_validate_reports_a_missing_file_and_exits_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nowhere.yaml"
    assert main(["network", "validate", str(path)]) == 1
    _, err = capsys.readouterr()
    assert f"{path}: cannot read file" in err


def test_info_on_a_broken_file_exits_one_with_the_errors(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "info", str(broken)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("corridor: error: 2 error(s) in network file")


def test_info_prints_counts_by_mode_and_country_and_the_corridors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "info", str(TINY)]) == 0
    out, _ = capsys.readouterr()
    lines = [line.split() for line in out.splitlines()]
    assert out.startswith("Tiny test network (id tiny, version 1, tariffs in 2024 USD)")
    assert "6 places, 6 links, 2 corridors, 1 sources" in out
    # mode, links, km, planned
    assert ["rail", "3", "310", "0"] in lines
    assert ["road", "2", "1,050", "0"] in lines
    assert ["sea", "1", "300", "0"] in lines
    # country, places
    assert ["AA", "2"] in lines
    assert ["BB", "4"] in lines
    # corridor, name, places, aliases
    assert ["south", "Southern", "line", "6", "15", "Ferry", "route"] in lines  # 5 links and 10 facilities of its places
    assert ["direct", "Direct", "road", "2", "4"] in lines


def test_export_geojson_prints_six_points_and_six_linestrings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "export", str(TINY), "--geojson"]) == 0
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert data["type"] == "FeatureCollection"
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in data["features"] if f["geometry"]["type"] == "LineString"]
    assert len(points) == 6
    assert len(lines) == 6
    assert len(data["features"]) == 12
    assert {f["id"] for f in points} == {"a1", "a2", "b1", "b2", "c1", "c2"}
    assert {f["id"] for f in lines} == {"l1", "l2", "l3", "l4", "l5", "l6"}
    a1 = next(f for f in points if f["id"] == "a1")
    assert a1["geometry"]["coordinates"] == [10.0, 10.0]  # GeoJSON is [lon, lat]
    l1 = next(f for f in lines if f["id"] == "l1")
    assert l1["geometry"]["coordinates"] == [[10.0, 10.0], [11.0, 10.0]]


def test_export_requires_the_geojson_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["network", "export", str(TINY)])
    assert info.value.code == 2
    assert "--geojson" in capsys.readouterr().err
