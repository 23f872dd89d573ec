"""Failed-key throttling, fair batch turns across keys, deleting and expiring batch data, slow bodies."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from api_helpers import KEY_A, KEY_B, TINY, TestClient, assert_problem, digest, started, tiny_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))
from batch_helpers import random_rows, to_csv  # noqa: E402

import planner  # noqa: E402
from api.batch_runner import BatchService  # noqa: E402
from api.middleware import BodyGuardMiddleware  # noqa: E402

TINY_NETWORK = planner.load_network(TINY)

A = {"X-API-Key": KEY_A}
B = {"X-API-Key": KEY_B}


def _keyed(tmp_path: Path, **overrides: Any) -> Any:
    keys = (digest(KEY_A), digest(KEY_B))
    return started(tiny_settings(api_keys=",".join(keys), data_dir=tmp_path / "data", **overrides))


def _wait(client: TestClient, location: str, headers: dict[str, str], until: tuple[str, ...], timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(location, headers=headers).json()
        if job["status"] in until:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


# --- failed authentication ----------------------------------------------------------------------


def test_wrong_keys_are_throttled_per_address_with_retry_after(tmp_path: Path) -> None:
    for client in _keyed(tmp_path, auth_failures_per_minute=5):
        for i in range(5):
            assert_problem(client.get("/v1/version", headers={"X-API-Key": f"guess-{i}"}), 401, "unauthorized")
        throttled = client.get("/v1/version", headers={"X-API-Key": "guess-5"})
        body = assert_problem(throttled, 429, "too_many_auth_failures")
        assert int(throttled.headers["retry-after"]) >= 1
        assert "guess" not in throttled.text
        assert "5 requests" in body["detail"]
        # While locked out, a request is not checked at all, so the answer tells nothing about the key.
        assert_problem(client.get("/v1/version", headers=A), 429, "too_many_auth_failures")
        assert client.get("/healthz").status_code == 200  # open endpoints stay open


def test_missing_keys_count_as_failures_too(tmp_path: Path) -> None:
    for client in _keyed(tmp_path, auth_failures_per_minute=3):
        statuses = [client.get("/v1/version").status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 429, 429]


def test_good_keys_are_not_counted(tmp_path: Path) -> None:
    for client in _keyed(tmp_path, auth_failures_per_minute=3):
        assert {client.get("/v1/version", headers=A).status_code for _ in range(20)} == {200}


# --- fair turns across keys ---------------------------------------------------------------------


@pytest.mark.slow
def test_a_one_row_job_of_one_key_finishes_while_another_keys_20000_rows_run(tmp_path: Path) -> None:
    for client in _keyed(tmp_path):
        big = client.post("/v1/batches", content=to_csv(random_rows(20_000, seed=9)), headers={**B, "Content-Type": "text/csv"})
        assert big.status_code == 202, big.text
        running = _wait(client, big.headers["location"], B, ("running", "done"))
        assert running["status"] == "running", "the 20,000-row job finished before the test could start"
        submitted = time.monotonic()
        small = client.post("/v1/batches", json={"rows": [{"origin": "a1", "destination": "c2"}]}, headers=A)
        assert small.status_code == 202
        done = _wait(client, small.headers["location"], A, ("done", "failed"))
        waited = time.monotonic() - submitted
        big_now = client.get(big.headers["location"], headers=B).json()
        print(f"1-row job done {waited:.2f} s after submission; the 20,000-row job had {big_now['rows_done']:,} rows done")
        assert done["status"] == "done"
        assert big_now["status"] == "running"
        assert big_now["rows_done"] < 20_000
        _wait(client, big.headers["location"], B, ("done",))


def test_turns_go_to_the_key_served_longest_ago_and_a_keys_jobs_run_oldest_first(tmp_path: Path) -> None:
    service = BatchService(tiny_settings(data_dir=tmp_path), TINY_NETWORK)
    try:
        rows = list(__import__("planner.batch", fromlist=["read_text_rows"]).read_text_rows(to_csv(random_rows(3)), "csv"))
        first_b, _ = service.store.create_job(rows, owner="b", network_digest=TINY_NETWORK.digest)
        second_b, _ = service.store.create_job(rows, owner="b", network_digest=TINY_NETWORK.digest)
        first_a, _ = service.store.create_job(rows, owner="a", network_digest=TINY_NETWORK.digest)
        assert service.next_job() == first_b  # nobody served yet: the oldest job
        service._served["b"] = time.monotonic()
        assert service.next_job() == first_a  # b just had a turn
        service._served["a"] = time.monotonic()
        assert service.next_job() == first_b  # back to b, still its oldest job
        assert second_b.created_at >= first_b.created_at
    finally:
        service.stop()


# --- deleting and expiring ----------------------------------------------------------------------


def _db_bytes(data_dir: Path) -> int:
    return sum(f.stat().st_size for f in data_dir.glob("batches.sqlite3*"))


def test_delete_removes_a_finished_jobs_input_and_results_and_gives_the_space_back(tmp_path: Path) -> None:
    for client in _keyed(tmp_path):
        data_dir = tmp_path / "data"
        response = client.post("/v1/batches", content=to_csv(random_rows(20_000, seed=5)), headers={**A, "Content-Type": "text/csv"})
        location = response.headers["location"]
        job = _wait(client, location, A, ("done",))
        assert client.get(location + "/results", headers=A).status_code == 200
        assert list((data_dir / "results").glob(f"{job['id']}.*"))
        grown = _db_bytes(data_dir)
        assert client.delete(location, headers=B).status_code == 404  # not another key's to delete
        deleted = client.delete(location, headers=A)
        assert deleted.status_code == 204
        assert deleted.content == b""
        assert_problem(client.get(location, headers=A), 404, "batch_not_found")
        assert_problem(client.get(location + "/results", headers=A), 404, "batch_not_found")
        assert_problem(client.delete(location, headers=A), 404, "batch_not_found")
        assert not list((data_dir / "results").glob(f"{job['id']}.*"))
        shrunk = _db_bytes(data_dir)
        print(f"batches.sqlite3 with a finished 20,000-row job: {grown:,} bytes; after DELETE: {shrunk:,} bytes")
        assert shrunk < grown / 4


def test_deleting_a_running_job_cancels_it_and_drops_its_rows_at_once(tmp_path: Path) -> None:
    for client in _keyed(tmp_path):
        data_dir = tmp_path / "data"
        response = client.post("/v1/batches", content=to_csv(random_rows(50_000, seed=6)), headers={**A, "Content-Type": "text/csv"})
        location = response.headers["location"]
        grown = _db_bytes(data_dir)
        cancelled = client.delete(location, headers=A)
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert client.get(location, headers=A).status_code == 404
        assert client.delete(location, headers=A).status_code == 404
        assert _db_bytes(data_dir) < grown / 4


def test_finished_jobs_older_than_the_retention_are_purged(tmp_path: Path) -> None:
    from planner.batch import read_text_rows

    service = BatchService(tiny_settings(data_dir=tmp_path, batch_retention_days=7), TINY_NETWORK)
    try:
        rows = read_text_rows(to_csv(random_rows(2_000)), "csv")
        old, _ = service.store.create_job(rows, owner="a", network_digest=TINY_NETWORK.digest)
        recent, _ = service.store.create_job(rows, owner="a", network_digest=TINY_NETWORK.digest)
        running, _ = service.store.create_job(rows, owner="a", network_digest=TINY_NETWORK.digest)
        for job in (old, recent):
            service.store.cancel(job.id)
        service.result_path(old.id, "csv").write_text("row\n")
        now = time.time()
        service.store._db().execute("UPDATE jobs SET finished_at = ? WHERE id = ?", (now - 8 * 86_400, old.id))
        assert service.purge(now) == 1
        assert service.store.get(old.id) is None
        assert not service.result_path(old.id, "csv").exists()
        assert service.store.get(recent.id) is not None
        assert service.store.get(running.id) is not None  # unfinished jobs are never purged
    finally:
        service.stop()


def test_a_retention_of_zero_keeps_everything(tmp_path: Path) -> None:
    service = BatchService(tiny_settings(data_dir=tmp_path, batch_retention_days=0), TINY_NETWORK)
    try:
        assert service.purge(time.time() + 10**9) == 0
    finally:
        service.stop()


def test_the_retention_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import Settings

    monkeypatch.setenv("CORRIDOR_BATCH_RETENTION_DAYS", "3.5")
    assert Settings().batch_retention_days == 3.5
    assert os.environ["CORRIDOR_BATCH_RETENTION_DAYS"] == "3.5"


# --- slow bodies, at the ASGI level ----------------------------------------------------------------


async def _run_guard(pieces: list[tuple[float, bytes]], **options: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    queue = list(pieces)

    async def receive() -> dict[str, Any]:
        delay, body = queue.pop(0)
        await asyncio.sleep(delay)
        return {"type": "http.request", "body": body, "more_body": bool(queue)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    guard = BodyGuardMiddleware(app, max_bytes=1000, **options)
    await guard({"type": "http", "method": "POST", "path": "/", "headers": []}, receive, send)
    return sent


@pytest.mark.parametrize(
    ("pieces", "status"),
    [
        ([(0.0, b"a"), (0.3, b"b")], 408),  # a pause longer than the idle timeout
        ([(0.05, b"a")] * 8, 408),  # steady, but under the minimum rate once the idle timeout has passed
        ([(0.0, b"a" * 600), (0.0, b"a" * 600)], 413),
        ([(0.05, b"a" * 100)] * 6, 200),
    ],
)
def test_the_body_guard_cuts_slow_and_large_bodies(pieces: list[tuple[float, bytes]], status: int) -> None:
    sent = asyncio.run(_run_guard(pieces, idle_timeout=0.2, min_bytes_per_second=100))
    assert sent[0]["status"] == status
