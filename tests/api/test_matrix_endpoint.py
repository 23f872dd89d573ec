"""POST /v1/matrix through the application: cells equal plan_routes, per-cell errors, strictness, the cap, async jobs."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import TestClient, assert_problem, grid_network_yaml, started, tiny_settings

import planner

PLACES = ["a1", "a2", "b1", "c1", "c2"]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    yield from started(tiny_settings(batch_max_rows=50))


def test_every_cell_is_what_plan_routes_says_and_errors_stay_in_their_cell(client: TestClient, tiny: planner.Network) -> None:
    body = {"origins": ["a1", "Gamma City"], "destinations": PLACES, "rank": "cost", "teu": 2, "service": "express"}
    response = client.post("/v1/matrix", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert [p["id"] for p in data["origins"]] == ["a1", "c2"]
    assert data["request"]["rank"] == "cost"
    for origin, row in zip(["a1", "c2"], data["cells"], strict=True):
        assert len(row) == len(PLACES)
        for destination, cell in zip(PLACES, row, strict=True):
            if origin == destination:
                assert cell == {"error": {"code": "same_place", "message": "origin and destination are the same place "
                                          f"({tiny.places[origin].name})"}}  # fmt: skip
                continue
            route = planner.plan_routes(tiny, origin, destination, k=1, rank="cost", teu=2, service="express").routes[0]
            expected = {
                "transit_hours": round(route.transit_hours, 2),
                "transit_hours_p50": round(route.transit_hours_p50, 2),
                "transit_hours_p90": round(route.transit_hours_p90, 2),
                "cost_usd": round(route.cost_usd, 2),
                "co2e_kg": round(route.co2e_kg, 2),
                "border_crossings": route.border_crossings,
                "main_corridor": route.main_corridor,
                "places": list(route.places),
            }
            assert {k: cell[k] for k in expected} == expected, (origin, destination)


def test_the_body_is_as_strict_as_routes(client: TestClient) -> None:
    base = {"origins": ["a1"], "destinations": ["c2"]}
    for extra, field in (({"k": 3}, "k"), ({"origin": "a1"}, "origin"), ({"teu": "2"}, "teu"), ({"rank": "pareto"}, "rank")):
        problem = assert_problem(client.post("/v1/matrix", json={**base, **extra}), 422, "invalid_request")
        assert any(e["field"].startswith(field) for e in problem["errors"]), problem
    problem = assert_problem(client.post("/v1/matrix", json={**base, "service": "overnight"}), 422)
    assert "express" in problem["detail"]
    problem = assert_problem(client.post("/v1/matrix", json={"origins": ["a1", "Atlantis"], "destinations": ["c2"]}), 404)
    assert problem["code"] == "unknown_place"
    assert "origins[1]" in problem["detail"] or any(e["field"] == "origins[1]" for e in problem.get("errors", []))
    assert_problem(client.post("/v1/matrix", json={"origins": [], "destinations": ["c2"]}), 422)
    assert_problem(client.post("/v1/matrix?bogus=1", json=base), 422)
    # An end that is avoided is its cell's error.
    cells = client.post("/v1/matrix", json={**base, "origins": ["a1", "c1"], "avoid_places": ["c1"]}).json()["cells"]
    assert "transit_hours" in cells[0][0]
    assert cells[1][0]["error"]["code"] == "conflicts_with_network"  # the network rules it out (409 for a single route)


def test_over_the_synchronous_cap_the_answer_points_to_the_batch_job(client: TestClient) -> None:
    many = [f"p{i}" for i in range(101)]
    problem = assert_problem(client.post("/v1/matrix", json={"origins": many, "destinations": many[:100]}), 413)
    assert problem["code"] == "matrix_too_large"
    assert "?async" in problem["detail"]
    assert "10,100 cells" in problem["detail"]


def test_a_matrix_job_runs_as_a_batch_with_one_row_per_cell(client: TestClient, tiny: planner.Network) -> None:
    body = {"origins": ["a1", "b1"], "destinations": ["c2", "b1", "a2"], "rank": "time", "tonnes": 30}
    response = client.post("/v1/matrix?async", json=body)
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert location.startswith("/v1/batches/")
    deadline = time.monotonic() + 60
    while (job := client.get(location).json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "done"
    assert job["rows_total"] == 6
    lines = list(csv.DictReader(io.StringIO(client.get(f"{location}/results?format=csv").text)))
    assert [line["id"] for line in lines] == ["1:1", "1:2", "1:3", "2:1", "2:2", "2:3"]
    assert lines[4]["status"] == "error"  # b1 -> b1
    route = planner.plan_routes(tiny, "b1", "a2", k=1, tonnes=30).routes[0]
    assert float(lines[5]["transit_hours_p50"]) == round(route.transit_hours_p50, 2)
    assert float(lines[5]["cost_usd"]) == round(route.cost_usd, 2)


def test_a_matrix_job_is_refused_whole_when_it_cannot_run(client: TestClient) -> None:
    base = {"origins": ["a1"], "destinations": ["c2"]}
    problem = assert_problem(client.post("/v1/matrix?async=true", json={**base, "origins": ["Atlantis"]}), 404)
    assert problem["code"] == "unknown_place"
    inline = {"name": "slow", "title": "Slow", "changes": [{"add_delay": {"place": "c2", "hours": 5}}]}
    problem = assert_problem(client.post("/v1/matrix?async", json={**base, "scenario": inline}), 409)
    assert problem["errors"][0]["field"] == "scenario"
    problem = assert_problem(client.post("/v1/matrix?async", json={"origins": PLACES * 3, "destinations": PLACES}), 413)
    assert problem["code"] == "too_many_rows"
    assert_problem(client.post("/v1/matrix?async=maybe", json=base), 422)


def test_a_matrix_runs_in_a_compute_worker_and_is_cut_at_the_deadline(tmp_path: Path) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(grid_network_yaml(30))
    ids = [f"g{x}_{y}" for x in range(0, 30, 3) for y in range(0, 30, 3)]  # 100 places: 10,000 cells
    for served in started(tiny_settings(network=grid, compute_deadline_seconds=0.05)):
        problem = assert_problem(served.post("/v1/matrix", json={"origins": ids, "destinations": ids}), 503)
        assert problem["code"] == "deadline_exceeded"
        assert served.get("/v1/metrics").json()["compute"]["pool"]["runs"] >= 1
