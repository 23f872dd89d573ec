"""/v1/batches through the application: submit in every format, poll, fetch results, limits and ownership."""

from __future__ import annotations

import hashlib
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))
from batch_helpers import TINY, check_results, random_rows, read_output, to_csv  # noqa: E402

import planner  # noqa: E402
from api.app import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402

with warnings.catch_warnings():
    # starlette warns when its test client runs on httpx rather than httpx2; nothing to do with batches.
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

KEY_A, KEY_B = "key-a-0123456789", "key-b-0123456789"
A = {"Authorization": f"Bearer {KEY_A}"}
B = {"Authorization": f"Bearer {KEY_B}"}


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _client(tmp_path: Path, **overrides: Any) -> TestClient:
    settings = Settings(
        network=TINY,
        data_dir=tmp_path / "data",
        api_keys=(_digest(KEY_A), _digest(KEY_B)),
        rate_limit_per_minute=0,
        max_concurrent_computations=1,
        **overrides,
    )
    return TestClient(create_app(settings))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path) as test_client:
        yield test_client


def _wait(client: TestClient, location: str, headers: dict[str, str], *, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(location, headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job not finished in {timeout} s: {job}")


def test_a_csv_batch_is_accepted_evaluated_and_served_in_order(client: TestClient, tiny: planner.Network) -> None:
    rows = random_rows(300, seed=2)
    response = client.post("/v1/batches", content=to_csv(rows), headers={**A, "Content-Type": "text/csv"})
    assert response.status_code == 202
    location = response.headers["location"]
    assert location == f"/v1/batches/{response.json()['id']}"
    job = _wait(client, location, A)
    assert job["status"] == "done"
    assert job["network"] == tiny.digest
    assert job["rows_total"] == job["rows_done"] == 300
    assert job["rows_failed"] == len([r for r in rows if "lots" in r["teu"] or r["destination"] == "Atlantis"]) + sum(
        1 for r in rows if planner.find_place(tiny, r["origin"]).id == _place_id(tiny, r["destination"])
    )
    csv_results = client.get(location + "/results", headers=A)
    assert csv_results.headers["content-type"].startswith("text/csv")
    check_results(tiny, rows, read_output(csv_results.text, "csv"))
    as_jsonl = client.get(location + "/results", headers={**A, "Accept": "application/x-ndjson"})
    assert as_jsonl.headers["content-type"].startswith("application/x-ndjson")
    check_results(tiny, rows, read_output(as_jsonl.text, "jsonl"))
    assert client.get(location + "/results?format=jsonl", headers=A).text == as_jsonl.text


def _place_id(network: planner.Network, query: str) -> str | None:
    try:
        return planner.find_place(network, query).id
    except planner.PlannerError:
        return None


def test_json_rows_jsonl_and_multipart_uploads_are_accepted(client: TestClient) -> None:
    body = {"rows": [{"origin": "a1", "destination": "c2", "k": 2, "id": "=1+1"}, {"origin": "", "destination": "c2"}]}
    first = client.post("/v1/batches", json={**body, "format": "csv"}, headers=A)
    ndjson = client.post(
        "/v1/batches",
        content=b'{"origin": "a1", "destination": "b2"}\n{"origin": "a1"\n',
        headers={**A, "Content-Type": "application/x-ndjson"},
    )
    upload = client.post(
        "/v1/batches",
        files={"file": ("pairs.csv", b"origin,destination\na1,b2\n", "text/csv")},
        headers=A,
    )
    for response in (first, ndjson, upload):
        assert response.status_code == 202, response.text
    done = _wait(client, first.headers["location"], A)
    assert done["rows_failed"] == 1
    text = client.get(first.headers["location"] + "/results", headers=A).text
    assert "'=1+1" in text
    assert "row 2, field 'origin': is empty" in text
    _wait(client, ndjson.headers["location"], A)
    lines = read_output(client.get(ndjson.headers["location"] + "/results", headers=A).text, "jsonl")
    assert [line["status"] for line in lines] == ["ok", "error"]
    assert lines[1]["error"].startswith("row 2: malformed JSON")
    _wait(client, upload.headers["location"], A)


def test_a_job_belongs_to_the_key_that_submitted_it(client: TestClient) -> None:
    response = client.post("/v1/batches", json={"rows": [{"origin": "a1", "destination": "c2"}]}, headers=A)
    location = response.headers["location"]
    assert client.get(location, headers=B).status_code == 404
    assert client.get(location + "/results", headers=B).status_code == 404
    assert client.delete(location, headers=B).status_code == 404
    assert client.get(location).status_code == 401
    assert [job["id"] for job in client.get("/v1/batches", headers=A).json()["batches"]] == [response.json()["id"]]
    assert client.get("/v1/batches", headers=B).json()["batches"] == []
    missing = client.get("/v1/batches/not-a-job", headers=A)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_same_idempotency_key_returns_the_same_job(client: TestClient) -> None:
    body = {"rows": [{"origin": "a1", "destination": "c2"}]}
    first = client.post("/v1/batches", json=body, headers={**A, "Idempotency-Key": "order-42"})
    again = client.post("/v1/batches", json=body, headers={**A, "Idempotency-Key": "order-42"})
    other_key = client.post("/v1/batches", json=body, headers={**B, "Idempotency-Key": "order-42"})
    assert first.json()["id"] == again.json()["id"] != other_key.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(client.get("/v1/batches", headers=A).json()["batches"]) == 1


def test_over_a_limit_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with _client(tmp_path, batch_max_rows=10, batch_max_upload_bytes=2000, batch_max_jobs_in_flight=1) as client:
        rows = {"rows": [{"origin": "a1", "destination": "c2"}] * 11}
        too_many = client.post("/v1/batches", json=rows, headers=A)
        assert too_many.status_code == 413
        assert too_many.json()["code"] == "too_many_rows"
        too_big = client.post(
            "/v1/batches", content="origin,destination\n" + "a1,c2\n" * 400, headers={**A, "Content-Type": "text/csv"}
        )
        assert too_big.status_code == 413
        assert too_big.headers["content-type"] == "application/problem+json"
        first = client.post("/v1/batches", json={"rows": [{"origin": "a1", "destination": "c2"}]}, headers=A)
        assert first.status_code == 202
        second = client.post("/v1/batches", json={"rows": [{"origin": "a1", "destination": "c2"}]}, headers=A)
        if second.status_code != 202:  # unless the first one finished in between
            assert second.status_code == 429
            assert second.json()["code"] == "too_many_jobs"
            assert "retry-after" in second.headers
        client.delete(first.headers["location"], headers=A)
        bad = client.post("/v1/batches", content="origin,to\na1,c2\n", headers={**B, "Content-Type": "text/csv"})
        assert bad.status_code == 422
        assert bad.json()["code"] == "invalid_batch_input"
        assert client.post("/v1/batches", content=b"x", headers={**B, "Content-Type": "image/png"}).status_code == 415


def test_results_wait_for_the_job_and_deleting_a_running_job_cancels_it_and_leaves_nothing(client: TestClient) -> None:
    rows = random_rows(20_000, seed=4)
    response = client.post("/v1/batches", content=to_csv(rows), headers={**A, "Content-Type": "text/csv"})
    location = response.headers["location"]
    early = client.get(location + "/results", headers=A)
    assert early.status_code == 409
    assert early.json()["code"] == "batch_not_done"
    cancelled = client.delete(location, headers=A)  # a running job is cancelled and deleted: its last state comes back
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["rows_done"] < 20_000
    assert client.get(location, headers=A).status_code == 404
    assert client.delete(location, headers=A).status_code == 404
    done = client.post("/v1/batches", content=to_csv(rows[:3]), headers={**A, "Content-Type": "text/csv"})
    assert _wait(client, done.headers["location"], A)["status"] == "done"
    deleted = client.delete(done.headers["location"], headers=A)  # a finished job is deleted
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get(done.headers["location"], headers=A).status_code == 404
