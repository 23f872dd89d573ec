"""/v1/criticality through the application: submit, poll, results, GeoJSON, strict and bounded options, ownership."""

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

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny.yaml"
KEY_A, KEY_B = "key-a-0123456789", "key-b-0123456789"
A = {"Authorization": f"Bearer {KEY_A}"}
B = {"Authorization": f"Bearer {KEY_B}"}
A_TO_B2 = [{"origin": "a1", "destination": "b2", "teu_per_year": 100}]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        network=TINY,
        data_dir=tmp_path_factory.mktemp("data"),
        api_keys=(_digest(KEY_A), _digest(KEY_B)),
        rate_limit_per_minute=0,
        max_concurrent_computations=1,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _wait(client: TestClient, location: str, headers: dict[str, str], timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(location, headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still unfinished: {job}")


def test_a_criticality_job_runs_and_serves_the_ranking_and_geojson(client: TestClient) -> None:
    body = {"demand": A_TO_B2, "criterion": "time", "days": 7}
    response = client.post("/v1/criticality", json=body, headers=A)
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert location.startswith("/v1/criticality/")
    assert response.json()["options"]["demand"] == "1 row(s)"
    job = _wait(client, location, A)
    assert job["status"] == "done", job
    result = client.get(location + "/results", headers=A).json()
    assert result["weighting"] == "demand"
    assert result["days"] == 7
    assert [a["rank"] for a in result["assets"]] == list(range(1, len(result["assets"]) + 1))
    l1 = next(a for a in result["assets"] if a["asset"] == "link:l1")
    assert l1["extra_days"] == pytest.approx((83.0 - 19.2) / 24, abs=1e-3)
    assert l1["extra_usd_per_teu"] == pytest.approx(1890)
    assert l1["flows"][0]["after"][0]["route"]["places"] == ["a1", "c2", "c1", "b2"]
    geojson = client.get(location + "/geojson", headers=A)
    assert geojson.headers["content-type"].startswith("application/geo+json")
    features = {f["id"]: f for f in geojson.json()["features"]}
    assert features["link:l1"]["geometry"]["type"] == "LineString"
    assert features["gauge_change:b1"]["geometry"]["type"] == "Point"
    assert {d["link"] for d in features["link:l1"]["properties"]["diverted_links"]} == {"l4", "l5", "l6"}
    # another key sees none of it; the owner lists and deletes it
    assert client.get(location, headers=B).status_code == 404
    assert client.get(location + "/results", headers=B).status_code == 404
    assert [j["id"] for j in client.get("/v1/criticality", headers=A).json()["criticality"]][0] == job["id"]
    assert client.delete(location, headers=A).status_code == 204
    assert client.get(location, headers=A).status_code == 404


def test_without_demand_every_pair_weighs_the_same(client: TestClient) -> None:
    response = client.post("/v1/criticality", json={"kinds": ["border"]}, headers=A)
    assert response.status_code == 202, response.text
    assert _wait(client, response.headers["location"], A)["status"] == "done"
    result = client.get(response.headers["location"] + "/results", headers=A).json()
    assert result["weighting"] == "equal"
    assert result["notes"][0].startswith("no demand given")
    assert {a["kind"] for a in result["assets"]} == {"border"}


def test_the_same_idempotency_key_returns_the_same_job(client: TestClient) -> None:
    headers = {**A, "Idempotency-Key": "run-1"}
    first = client.post("/v1/criticality", json={"demand": A_TO_B2}, headers=headers)
    again = client.post("/v1/criticality", json={"demand": A_TO_B2}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"demand": A_TO_B2, "closure": "half"}, "closure"),
        ({"demand": A_TO_B2, "fraction": 0.5}, "fraction"),
        ({"demand": A_TO_B2, "closure": "partial", "fraction": 0}, "fraction"),
        ({"closure": "partial"}, "demand"),
        ({"demand": A_TO_B2, "days": 0}, "days"),
        ({"demand": A_TO_B2, "days": 366}, "days"),
        ({"demand": A_TO_B2, "metric": "fun"}, "metric"),
        ({"demand": A_TO_B2, "criterion": "reliable"}, "criterion"),
        ({"demand": A_TO_B2, "kinds": ["tunnel"]}, "kinds[0]"),
        ({"demand": A_TO_B2, "assets": ["link:l1", "link:nowhere"]}, "assets[1]"),
        ({"demand": A_TO_B2, "assets": []}, "assets"),
        ({"demand": A_TO_B2, "assets": [f"link:x{i}" for i in range(5001)]}, "assets"),
        ({"demand": A_TO_B2, "max_flows": 1000}, "max_flows"),
        ({"demand": A_TO_B2, "top": 5}, "top"),
        ({"demand": "nowhere_2030"}, "demand"),
        ({"demand": A_TO_B2, "scenario": "no_such_scenario"}, "scenario"),
    ],
)
def test_bad_or_unknown_options_are_refused_naming_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = client.post("/v1/criticality", json=body, headers=A)
    # An asset id the network lacks depends on the network: 404, like an unknown place.
    assert response.status_code == (404 if field == "assets[1]" else 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}


def test_bad_demand_rows_are_refused_with_an_error_each(client: TestClient) -> None:
    body = {"demand": [*A_TO_B2, {"origin": "a1", "destination": "atlantis", "teu_per_year": 1}, {"origin": "a1", "destination": "b2", "teu_per_year": "x"}]}
    response = client.post("/v1/criticality", json=body, headers=A)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_demand"
    assert [e["message"].split(":")[0] for e in problem["errors"]] == ["row 2, field 'destination'", "row 3, field 'teu_per_year'"]


def test_query_parameters_bodies_and_media_types_are_strict(client: TestClient) -> None:
    unknown = client.post("/v1/criticality?days=7", json={"demand": A_TO_B2}, headers=A)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "days"
    assert client.post("/v1/criticality", headers=A).status_code == 422
    assert client.post("/v1/criticality", json=[1, 2], headers=A).status_code == 422
    malformed = client.post("/v1/criticality", content=b'{"demand": ', headers={**A, "Content-Type": "application/json"})
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "body"
    assert client.post("/v1/criticality", content=b"a,b\n", headers={**A, "Content-Type": "text/csv"}).status_code == 415
    deep = b'{"scenario": ' + b"[" * 40 + b"]" * 40 + b"}"
    assert client.post("/v1/criticality", content=deep, headers={**A, "Content-Type": "application/json"}).status_code == 422


def test_results_of_an_unknown_or_unfinished_job(client: TestClient) -> None:
    assert client.get("/v1/criticality/0123456789abcdef0123456789abcdef", headers=A).json()["code"] == "criticality_not_found"
    assert client.get("/v1/criticality/not-an-id/results", headers=A).status_code == 404
