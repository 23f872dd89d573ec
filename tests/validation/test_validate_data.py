"""``corridor validate-data`` and planner.validation on a hand-computed fixture."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

import planner
from corridor_cli.main import main
from planner.validation import PUBLISHED_ROUTE_COLUMNS, load_published_routes, validate_published_routes

SERVICES = Path(__file__).resolve().parent.parent / "fixtures" / "services.yaml"
ROW = {
    "id": "T1", "origin": "o1", "destination": "d1", "mode_or_corridor": "rail and ferry", "modes": "rail,sea",
    "via": "", "corridor": "", "scenario": "", "measured_from": "ready", "service_level": "scheduled",
    "published_days_min": "5", "published_days_max": "5", "cost_usd": "", "cost_unit": "", "month": "",
    "direction": "eastbound", "year": "2025", "publisher": "tests", "title": "t", "url": "https://example.org",
    "note": "n", "also_used_for_parameters": "no",
}  # fmt: skip


def _csv(tmp_path: Path, *rows: dict[str, str]) -> Path:
    path = tmp_path / "published.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=PUBLISHED_ROUTE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_row_is_within_when_the_typical_time_lies_in_the_widened_range(tmp_path: Path) -> None:
    network = planner.load_network(SERVICES)
    rows = load_published_routes(
        _csv(
            tmp_path,
            ROW,  # 137.2 h = 5.717 d against 5 d: within 3.5-6.5 d
            {**ROW, "id": "T2", "published_days_min": "4", "published_days_max": "4"},  # 5.717 > 4 x 1.3 = 5.2
            {**ROW, "id": "T3", "published_days_min": "4", "published_days_max": "4", "measured_from": "departure"},
            {**ROW, "id": "T4", "service_level": "standard", "month": "12"},  # 233.2 + 24 h = 10.72 d
        ),
    )
    report = validate_published_routes(network, rows)
    one, two, three, four = report.checks
    assert one.typical_days == pytest.approx(137.2 / 24)
    assert one.within
    assert one.log_error == pytest.approx(math.log(137.2 / 24 / 5))
    assert not two.within
    # Measured from the departure: the 12 h wait for r1's first departure is left out, 125.2 h = 5.217 d <= 5.2? no.
    assert three.first_wait_days == pytest.approx(0.5)
    assert three.typical_days == pytest.approx(125.2 / 24)
    assert not three.within
    assert three.ready_days == pytest.approx(137.2 / 24)
    assert four.typical_days == pytest.approx((233.2 + 24) / 24)
    summary = report.summary()
    assert (summary.rows, summary.within) == (4, 1)
    assert report.by_service()[planner.ServiceLevel.STANDARD].rows == 1


def test_a_malformed_row_is_named_by_line_and_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, ROW, {**ROW, "id": "T2", "service_level": "premium"})
    with pytest.raises(planner.PublishedRoutesError, match=r"published.csv:3: column 'service_level': expected one of express, scheduled, standard"):
        load_published_routes(path)
    with pytest.raises(planner.PublishedRoutesError, match="column 'measured_from'"):
        load_published_routes(_csv(tmp_path, {**ROW, "measured_from": "door"}))
    with pytest.raises(planner.PublishedRoutesError, match="column 'modes'"):
        load_published_routes(_csv(tmp_path, {**ROW, "modes": "rail,air"}))
    path.write_text("id,origin\nT1,o1\n", encoding="utf-8")
    with pytest.raises(planner.PublishedRoutesError, match="missing column"):
        load_published_routes(path)


def test_the_command_prints_every_row_and_the_totals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, ROW, {**ROW, "id": "T2", "origin": "o1", "destination": "nowhere"})
    assert main(["validate-data", str(path), "--network", str(SERVICES)]) == 0
    out = capsys.readouterr().out
    assert "T1" in out
    # A row that cannot be planned says why below the table, whatever columns fit.
    assert "\nrow T2: unknown place 'nowhere'" in out
    assert any(line.split()[:4] == ["all", "rows", "1/2", "within"] and "50.0%" in line for line in out.splitlines())
    assert "median |log| 0.134" in out  # log(5.717 / 5), the only row with a time


def test_the_command_reports_a_bad_file_as_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-data", str(tmp_path / "missing.csv")]) == 2
    assert capsys.readouterr().err.startswith("corridor: error:")
