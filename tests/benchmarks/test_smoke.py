"""Smoke run of the benchmark suite at tiny size: every section but HTTP and batch (which start servers/pools)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_module():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT))
    from benchmarks import run

    return run


def test_quick_run_writes_table_and_json(run_module, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "quick.json"
    assert run_module.main(["--quick", "--only", "inproc,alternatives,scale", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["quick"] is True
    assert data["machine"]["nproc"] >= 1
    figures = {row["figure"]: row for row in data["rows"]}
    k1 = figures["k=1 full route, cold p50"]
    assert k1["ours"] > 0
    assert k1["baseline"] > 0
    assert k1["ratio"] == pytest.approx(k1["ours"] / k1["baseline"])
    assert "k=5 p50" in figures
    assert "Pareto front p50" in figures
    scale = data["details"]["scale"]["2000"]
    assert scale["scipy_totals_agree"] is True
    assert "| section | figure |" in capsys.readouterr().out


def test_unknown_section_is_refused(run_module) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        run_module.main(["--only", "nope"])


def test_quick_criticality_run_compares_the_screen_with_re_planning_every_pair(run_module, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "quick.json"
    assert run_module.main(["--quick", "--only", "criticality", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())["details"]["criticality"]
    assert [r["case"] for r in rows] == ["screen", "screen_2_processes"]
    for row in rows:
        assert row["same_answer"] is True
        assert row["ours_searches"] < row["baseline_searches"]
        assert row["ratio"] == pytest.approx(row["ours_wall_s"] / row["baseline_wall_s"])
