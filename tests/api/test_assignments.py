"""/v1/assignments and /v1/demand through the application: submit, poll, results, GeoJSON, bad rows, ownership."""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.settings import Settings
from planner.demand import MAX_DEMAND_ROWS

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

FLOWS = Path(__file__).resolve().parents[1] / "fixtures" / "flows.yaml"
KEY_A, KEY_B = "key-a-0123456789", "key-b-0123456789"
A = {"Authorization": f"Bearer {KEY_A}"}
B = {"Authorization": f"Bearer {KEY_B}"}


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        network=FLOWS,
        data_dir=tmp_path_factory.mktemp("data"),
        api_keys=(_digest(KEY_A), _digest(KEY_B)),
        rate_limit_per_minute=0,
        max_concurrent_computations=1,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _wait(client: TestClient, location: str, headers: dict[str, str], timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(location, headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still unfinished: {job}")


def test_an_assignment_job_runs_and_serves_results_and_geojson(client: TestClient) -> None:
    body = {
        "demand": [{"origin": "o", "destination": "d", "teu_per_year": 300}],
        "method": "fw",
        "gap": 1e-6,
        "criterion": "time",
    }
    response = client.post("/v1/assignments", json=body, headers=A)
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert location.startswith("/v1/assignments/")
    job = _wait(client, location, A)
    assert job["status"] == "done", job
    result = client.get(location + "/results", headers=A).json()
    assert result.get("converged"), result
    assert result["gap"] <= 1e-6
    assert result["totals"]["served_teu_per_year"] == pytest.approx(300)
    assert {c["id"] for c in result["corridors"]} == {"north_line", "south_line"}
    assert result["bottlenecks"][0]["vc"] > 1  # 300 TEU a year on 300 TEU of capacity, queues past capacity
    geojson = client.get(location + "/geojson", headers=A)
    assert geojson.headers["content-type"].startswith("application/geo+json")
    features = geojson.json()["features"]
    lines = {f["properties"]["link"]: f for f in features if f["properties"]["kind"] == "link"}
    assert lines["north"]["properties"]["teu_per_year"] + lines["s1"]["properties"]["teu_per_year"] == pytest.approx(300)
    # another key sees none of it
    assert client.get(location, headers=B).status_code == 404
    assert client.get(location + "/geojson", headers=B).status_code == 404
    assert [j["id"] for j in client.get("/v1/assignments", headers=A).json()["assignments"]][0] == job["id"]
    assert client.delete(location, headers=A).status_code == 204
    assert client.get(location, headers=A).status_code == 404


def test_csv_demand_with_options_in_the_query(client: TestClient) -> None:
    csv_body = "origin,destination,cargo,tonnes_per_year\no,d,bulk_grain,70500\n"
    response = client.post(
        "/v1/assignments?method=aon&criterion=time", content=csv_body, headers={**A, "Content-Type": "text/csv"}
    )
    assert response.status_code == 202, response.text
    job = _wait(client, response.headers["location"], A)
    assert job["status"] == "done", job
    result = client.get(response.headers["location"] + "/results", headers=A).json()
    assert job["options"]["method"] == "aon", result
    assert result["totals"]["teu_per_year"] == pytest.approx(1000 * 104 / 70, rel=1e-4)


def test_bad_demand_rows_are_refused_with_an_error_each(client: TestClient) -> None:
    body = {
        "demand": [
            {"origin": "o", "destination": "d", "teu_per_year": 10},
            {"origin": "o", "destination": "nowhere", "teu_per_year": 10},
            {"origin": "o", "destination": "d", "cargo": "sand", "teu_per_year": 10},
            {"origin": "o", "destination": "d", "teu_per_year": "many"},
            {"origin": "o", "destination": "d"},
        ]
    }
    response = client.post("/v1/assignments", json=body, headers=A)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_demand"
    messages = [e["message"] for e in problem["errors"]]
    assert len(messages) == 4
    assert messages[0].startswith("row 2, field 'destination'")
    assert messages[1].startswith("row 3, field 'cargo'")
    assert messages[2].startswith("row 4, field 'teu_per_year'")
    assert messages[3].startswith("row 5, field 'teu_per_year'")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"demand": "uz_kz_2030", "method": "newton"}, "method"),
        ({"demand": "uz_kz_2030", "gap": 0}, "gap"),
        ({"demand": "uz_kz_2030", "iterations": 5}, "iterations"),
        ({"demand": "nowhere_2030"}, "demand"),
        ({"demand": "uz_kz_2030", "scenario": "no_such_scenario"}, "scenario"),
    ],
)
def test_bad_options_are_refused_naming_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = client.post("/v1/assignments", json=body, headers=A)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


def test_the_bundled_demand_sets_are_listed(client: TestClient) -> None:
    sets = client.get("/v1/demand", headers=A).json()["demand_sets"]
    assert [s["name"] for s in sets] == ["uz_kz_2024", "uz_kz_2030", "transit_2024"]
    assert all(s["title"] and s["sources"] for s in sets)


def test_an_empty_or_malformed_body_or_another_media_type_is_refused(client: TestClient) -> None:
    assert client.post("/v1/assignments", headers=A).status_code == 422
    bad = client.post("/v1/assignments", content=b'{"demand": ', headers={**A, "Content-Type": "application/json"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body"
    other = client.post("/v1/assignments", content=b"<x/>", headers={**A, "Content-Type": "application/xml"})
    assert other.status_code == 415


@pytest.mark.parametrize(
    ("method", "path", "params", "message"),
    [
        ("GET", "/v1/assignments", {"status": "done"}, "unknown query parameter; this endpoint takes none"),
        ("GET", "/v1/demand", {"year": 2030}, "unknown query parameter; this endpoint takes none"),
        ("POST", "/v1/assignments", {"metod": "aon"}, "unknown query parameter; did you mean method?"),
    ],
)
def test_an_unknown_query_parameter_is_refused_naming_it(
    client: TestClient, method: str, path: str, params: dict[str, object], message: str
) -> None:
    csv_body = "origin,destination,teu_per_year\no,d,10\n"
    content = csv_body.encode() if method == "POST" else None
    response = client.request(method, path, params=params, content=content, headers={**A, "Content-Type": "text/csv"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": next(iter(params)), "message": message}]


def test_a_json_submission_refuses_options_in_the_query_instead_of_dropping_them(client: TestClient) -> None:
    body = {"demand": [{"origin": "o", "destination": "d", "teu_per_year": 10}]}
    response = client.post("/v1/assignments?method=aon", json=body, headers=A)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "method"
    assert "in the body" in response.json()["errors"][0]["message"]


def test_a_misspelt_body_option_is_named_with_a_suggestion(client: TestClient) -> None:
    response = client.post("/v1/assignments", json={"demand": "uz_kz_2030", "max_iteration": 5}, headers=A)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"field": "max_iteration", "message": "unknown field (not part of this request's schema); did you mean max_iterations?"}
    ]


def test_a_bad_csv_header_and_a_demand_past_the_row_cap_are_refused(client: TestClient) -> None:
    header = b"origin,destination,teu_per_yer\no,d,1\n"
    bad = client.post("/v1/assignments", content=header, headers={**A, "Content-Type": "text/csv"})
    assert bad.status_code == 422, bad.text
    assert bad.json()["errors"][0]["field"] == "teu_per_yer"
    assert "unknown column 'teu_per_yer'; did you mean teu_per_year?" in bad.json()["detail"]
    rows = "".join("o,d,1\n" for _ in range(MAX_DEMAND_ROWS + 1))
    response = client.post(
        "/v1/assignments", content=("origin,destination,teu_per_year\n" + rows).encode(), headers={**A, "Content-Type": "text/csv"}
    )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "too_many_rows"
    assert f"more than {MAX_DEMAND_ROWS:,} rows" in response.json()["detail"]
