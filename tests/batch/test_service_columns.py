"""Batch rows with service, container and departure_date (arithmetic in tests/planner/test_services.py)."""

from __future__ import annotations

from pathlib import Path

from batch_helpers import read_output

import planner
from planner.batch import evaluate_rows, read_text_rows, render

SERVICES = Path(__file__).resolve().parent.parent / "fixtures" / "services.yaml"

ROWS = """id,origin,destination,service,container,departure_date
a,o1,d1,express,,2025-03-04
b,o1,d1,standard,40ft,
c,o1,d1,economy,,
d,o1,d1,,,2025-02-30
"""


def test_rows_take_a_service_level_container_and_departure_date() -> None:
    network = planner.load_network(SERVICES)
    lines = read_output("".join(render(evaluate_rows(network, read_text_rows(ROWS, "csv")), "csv")), "csv")
    by_id = {line["id"]: line for line in lines if line["rank"] in ("", "1")}
    assert by_id["a"]["service"] == "express"
    assert by_id["a"]["arrival_date_p50"] <= by_id["a"]["arrival_date_p90"]
    assert by_id["a"]["arrival_date_p50"] >= "2025-03-10"
    assert by_id["b"]["service"] == "standard"
    assert by_id["b"]["arrival_date_p50"] == ""
    assert by_id["c"]["status"] == "error"
    assert "field 'service'" in by_id["c"]["error"]
    assert "express, scheduled, standard" in by_id["c"]["error"]
    assert "field 'departure_date'" in by_id["d"]["error"]
