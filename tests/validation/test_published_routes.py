"""Shape of the validation set tests/validation/published_routes.csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import planner
from planner.validation import PUBLISHED_ROUTE_COLUMNS, load_published_routes

CSV_PATH = Path(__file__).parent / "published_routes.csv"
COLUMNS = list(PUBLISHED_ROUTE_COLUMNS)
SERVICE_LEVELS = {"express", "scheduled", "standard"}
DIRECTIONS = {"westbound", "eastbound", "northbound", "southbound"}


def _rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        assert None not in row, f"line {number}: more fields than columns"
        assert None not in row.values(), f"line {number}: fewer fields than columns"
    return rows


ROWS = _rows()


def test_the_set_has_at_least_forty_rows_with_unique_ids() -> None:
    assert len(ROWS) >= 40
    ids = [row["id"] for row in ROWS]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_row(row: dict[str, str], eurasia: planner.Network) -> None:
    assert row["origin"] in eurasia.places, f"unknown origin {row['origin']!r}"
    assert row["destination"] in eurasia.places, f"unknown destination {row['destination']!r}"
    assert row["origin"] != row["destination"]
    low, high = float(row["published_days_min"]), float(row["published_days_max"])
    assert 0 < low <= high
    assert row["service_level"] in SERVICE_LEVELS
    assert row["direction"] in DIRECTIONS
    assert row["publisher"].strip()
    assert row["title"].strip()
    assert row["url"].startswith("http")
    assert 1990 <= int(row["year"]) <= 2100
    if row["month"]:
        assert 1 <= int(row["month"]) <= 12
    if row["cost_usd"]:
        assert float(row["cost_usd"]) > 0
        assert row["cost_unit"]
    assert row["also_used_for_parameters"] in {"yes", "no"}
    assert row["mode_or_corridor"].strip()
    assert row["note"].strip()
    # The machine-readable routing, derived from mode_or_corridor and note.
    assert row["modes"]
    assert set(row["modes"].split(",")) <= {"rail", "road", "sea"}
    for place in filter(None, row["via"].split(";")):
        assert place in eurasia.places, f"unknown via place {place!r}"
    if row["corridor"]:
        assert row["corridor"] in eurasia.corridors
    if row["scenario"]:
        assert row["scenario"] in {s["name"] for s in planner.bundled_scenarios()}
    assert row["measured_from"] in {"departure", "ready"}


def test_the_loader_reads_every_row_the_shape_test_reads() -> None:
    assert [r.id for r in load_published_routes(CSV_PATH)] == [row["id"] for row in ROWS]
