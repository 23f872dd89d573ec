"""``corridor matrix ORIGINS DESTINATIONS`` as a user runs it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import planner
from corridor_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TINY = str(ROOT / "tests" / "fixtures" / "tiny.yaml")


def test_a_csv_file_has_one_line_per_cell_with_the_figures_of_plan_routes(tmp_path: Path, tiny: planner.Network) -> None:
    out = tmp_path / "out.csv"
    places = tmp_path / "origins.txt"
    places.write_text("# origins\na1\n\nGamma City\n")
    assert main(["matrix", str(places), "c2,a2,a1", "-o", str(out), "--network", TINY, "--rank", "cost"]) == 0
    lines = list(csv.DictReader(out.read_text().splitlines()))
    assert [(r["origin"], r["destination"]) for r in lines] == [
        ("a1", "c2"), ("a1", "a2"), ("a1", "a1"), ("c2", "c2"), ("c2", "a2"), ("c2", "a1"),
    ]  # fmt: skip
    assert [r["status"] for r in lines] == ["ok", "ok", "error", "error", "ok", "ok"]
    assert lines[2]["error_code"] == "same_place"
    route = planner.plan_routes(tiny, "c2", "a2", k=1, rank="cost").routes[0]
    cell = lines[4]
    assert float(cell["transit_hours_p50"]) == round(route.transit_hours_p50, 2)
    assert float(cell["transit_hours_p90"]) == round(route.transit_hours_p90, 2)
    assert float(cell["cost_usd"]) == round(route.cost_usd, 2)
    assert cell["places"] == " > ".join(route.places)


def test_json_output_is_the_api_body_and_the_table_goes_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.json"
    assert main(["matrix", "a1,b1", "c2", "-o", str(out), "--network", TINY]) == 0
    data = json.loads(out.read_text())
    assert [p["id"] for p in data["origins"]] == ["a1", "b1"]
    assert "transit_hours_p90" in data["cells"][0][0]
    capsys.readouterr()
    assert main(["matrix", "a1,b1", "c2", "--network", TINY]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split()[:5] == ["from", "to", "days", "p50", "p90"]
    assert len(text.splitlines()) == 4


def test_bad_input_is_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["matrix", "a1", "c2", "-o", str(tmp_path / "out.xlsx"), "--network", TINY])
    assert refused.value.code == 2
    assert ".xlsx is not a format this command writes; allowed extensions: .csv (CSV), .json (JSON)" in capsys.readouterr().err
    assert not (tmp_path / "out.xlsx").exists()
    assert main(["matrix", "a1,Atlantis", "c2", "--network", TINY]) == 2
    assert "Atlantis" in capsys.readouterr().err
    assert main(["matrix", " , ", "c2", "--network", TINY]) == 2
    assert "origins names no place" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["matrix", "a1", "c2", "--network", TINY, "--rank", "pareto"])
    assert usage.value.code == 2
