"""`corridor criticality` from the command line: the ranked table, the files, bad options."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridor_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TINY = str(ROOT / "tests" / "fixtures" / "tiny.yaml")


def test_the_bundled_2030_demand_ranks_the_bundled_networks_assets_from_the_installed_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "corridor_cli.main", "criticality", "--demand", "graphs/demand/uz_kz_2030.csv", "--top", "10"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("criticality of 390 asset(s): full closure for 365 day(s); demand uz_kz_2030")
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("#  asset"))
    body = lines[header + 2 : lines.index("", header)]  # the table, up to the blank line after it
    ranks = [int(line.split()[0]) for line in body if line.split()[0].isdigit()]  # long names wrap onto more lines
    assert ranks == list(range(1, 11))  # exactly ten rows
    assert "moves to" in lines[header]
    names = "".join(line[4:] for line in body)  # asset names, wrapped or not, run together
    assert "Saryagash" in names.replace(" ", "") or "Saryagash" in done.stdout


def test_a_partial_closure_names_its_cut_and_days(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["criticality", "--demand", "uz_kz_2030", "--demand", "transit_2024", "--closure", "partial", "--fraction", "0.5", "--days", "7", "--top", "5"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "capacity cut by 50% for 7 day(s)" in out
    assert "demand uz_kz_2030+transit_2024" in out
    assert "not assessed" in out


def test_without_demand_every_pair_weighs_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criticality", "--network", TINY, "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "every OD pair weighted equally (30 pairs)" in out
    assert "note: no demand given" in out


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".json"])
def test_the_ranking_is_written_as_csv_geojson_or_json(tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"ranking{suffix}"
    assert main(["criticality", "--network", TINY, "--demand", str(_tiny_demand(tmp_path)), "--criterion", "time", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    if suffix == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0]["asset"] in {"link:l1", "border:a2", "border:b1", "link:l2", "gauge_change:b1"}
        assert float(rows[0]["extra_days"]) > 0
    elif suffix == ".geojson":
        data = json.loads(text)
        assert data["type"] == "FeatureCollection"
        kinds = {f["geometry"]["type"] for f in data["features"]}
        assert kinds == {"LineString", "Point"}
        l1 = next(f for f in data["features"] if f["id"] == "link:l1")
        assert {d["link"] for d in l1["properties"]["diverted_links"]} == {"l6", "l5", "l4"}
    else:
        data = json.loads(text)
        assert data["weighting"] == "demand"
        assert data["assets"][0]["flows"][0]["before"]["places"] == ["a1", "a2", "b1", "b2"]


def test_an_unknown_output_extension_is_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ranking.xlsx"
    with pytest.raises(SystemExit) as usage:
        main(["criticality", "--network", TINY, "-o", str(out)])
    assert usage.value.code == 2
    assert ".xlsx is not a format this command writes; allowed extensions: .csv (CSV), .geojson (GeoJSON), .json (JSON)" in (
        capsys.readouterr().err
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fraction", "0.5"], "fraction applies to partial closures"),
        (["--closure", "partial"], "a partial closure needs a demand set"),
        (["--days", "0"], "days must be a number in (0, 365]"),
        (["--asset", "link:nowhere"], "unknown asset 'link:nowhere'"),
    ],
)
def test_bad_options_are_errors_that_name_the_field(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criticality", "--network", TINY, *args]) == 2
    assert message in capsys.readouterr().err


def _tiny_demand(tmp_path: Path) -> Path:
    path = tmp_path / "demand.csv"
    path.write_text("origin,destination,teu_per_year\na1,b2,100\n", encoding="utf-8")
    return path
