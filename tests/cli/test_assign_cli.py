"""`corridor assign` from the command line: tables, files, bad demand."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from corridor_cli.main import main


def test_assign_prints_shares_bottlenecks_and_unserved_and_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results"
    assert main(["assign", "graphs/demand/uz_kz_2030.csv", "--method", "fw", "--gap", "1e-4", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Corridor shares" in printed
    assert "Top 10 bottlenecks" in printed
    assert "V/C" in printed
    assert "queue d" in printed
    # Names wrap to fit 100 columns: the link's id goes on the next line.
    lines = printed.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("Saryagash–Keles rail link "))
    assert lines[at + 1] == "(l031)"
    assert max(len(line) for line in printed.splitlines()) <= 100
    assert "Unserved: 0 TEU-eq" in printed
    assert {p.name for p in out.iterdir()} == {"assets.csv", "links.csv", "ods.csv", "corridors.csv", "flows.geojson", "assignment.json"}
    with (out / "assets.csv").open(encoding="utf-8") as handle:
        assets = list(csv.DictReader(handle))
    assert float(assets[0]["vc"]) >= float(assets[-1]["vc"])
    geojson = json.loads((out / "flows.geojson").read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection"
    assert geojson["features"]
    result = json.loads((out / "assignment.json").read_text(encoding="utf-8"))
    assert result["totals"]["tonnes_per_year"] == pytest.approx(29.33e6, rel=0.01)
    assert sum(c["share"] for c in result["corridors"]) == pytest.approx(1.0, abs=1e-3)


def test_bad_demand_rows_are_listed_and_the_command_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demand = tmp_path / "demand.csv"
    demand.write_text("origin,destination,teu_per_year\ntashkent,almaty,100\ntashkent,atlantis,5\nalmaty,tashkent,lots\n", encoding="utf-8")
    assert main(["assign", str(demand)]) == 2
    err = capsys.readouterr().err
    assert "2 bad demand row(s) of 3" in err
    assert "row 2, field 'destination': unknown place 'atlantis'" in err
    assert "row 3, field 'teu_per_year': expected a number" in err
