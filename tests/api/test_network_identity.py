"""A changed network file never yields an answer of the old network: not from a cache, not from a worker.

The tiny network's direct road l6 (a1 -> c2) is 1000 km at 50 km/h: 20 h. The edited file makes it 500 km: 10 h.
"""

from __future__ import annotations

import asyncio
import pickle
import time
from pathlib import Path

import pytest
from api_helpers import TINY, TestClient, tiny_settings, wait_ready
from api_jobs import digest_of, direct_road_hours, sleep_job

import planner
from api.app import create_app
from api.compute import ComputePool, DeadlineExceeded
from planner.batch import NetworkSource

ROUTE = {"from": "a1", "to": "c2", "k": 1}


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "network.yaml"
    path.write_text(TINY.read_text())
    return path


def _edit(path: Path) -> None:
    text = path.read_text()
    old = "{id: l6, from: a1, to: c2, mode: road, distance_km: 1000,"
    assert old in text
    path.write_text(text.replace(old, "{id: l6, from: a1, to: c2, mode: road, distance_km: 500,"))


def _hours(client: TestClient, **params: object) -> float:
    response = client.get("/v1/routes", params={**ROUTE, **params})
    assert response.status_code == 200, response.text
    return float(response.json()["routes"][0]["transit_hours"])


def test_an_app_reentered_with_an_edited_network_file_answers_from_the_new_network(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    app = create_app(tiny_settings(network=path))
    with TestClient(app) as client:
        wait_ready(client)
        assert _hours(client) == 20.0
        assert _hours(client) == 20.0  # now also in the response cache
        old = client.get("/v1/version").json()["network"]["digest"]
        assert client.get("/v1/network").status_code == 200
    _edit(path)
    with TestClient(app) as client:  # the same app, its lifespan entered again
        wait_ready(client)
        assert _hours(client) == 10.0
        new = client.get("/v1/version").json()["network"]["digest"]
        features = client.get("/v1/network").json()["features"]
        assert next(f for f in features if f["id"] == "l6")["properties"]["distance_km"] == 500.0
    assert new != old
    assert new == planner.load_network(path).digest


def test_a_file_edited_while_serving_changes_no_answer_even_from_a_replaced_worker(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    with TestClient(create_app(tiny_settings(network=path, max_concurrent_computations=1))) as client:
        wait_ready(client)
        assert _hours(client) == 20.0
        _edit(path)
        pool: ComputePool = client.app.state.pool  # type: ignore[attr-defined]
        assert pool.wait_ready(60)
        before = [w.process for w in pool._idle]  # noqa: SLF001 - to see that a worker really was replaced
        with pytest.raises(DeadlineExceeded):
            client.portal.call(lambda: pool.run(sleep_job, 60, deadline=time.monotonic() + 0.5))  # type: ignore[union-attr]
        assert sum(p.poll() is not None for p in before) == 1
        assert pool.wait_ready(60)
        assert _hours(client, k=5) == 20.0  # not cached; k=5 is computed by a worker


def test_workers_hold_the_network_they_were_given_never_the_file(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    network = planner.load_network(path)
    pool = ComputePool(network, size=1, deadline_seconds=0.5)
    pool.start()
    assert pool.wait_ready(60)

    async def scenario() -> None:
        assert await pool.run(digest_of) == network.digest
        _edit(path)
        with pytest.raises(DeadlineExceeded):
            await pool.run(sleep_job, 60)
        assert await pool.run(digest_of) == network.digest  # the replacement worker
        assert await pool.run(direct_road_hours) == 20.0

    try:
        asyncio.run(scenario())
    finally:
        pool.close()
    assert planner.load_network(path).digest != network.digest


def test_a_packed_network_is_refused_when_its_digest_does_not_match(tiny: planner.Network) -> None:
    source = NetworkSource.of(tiny)
    assert source.load().digest == tiny.digest
    with pytest.raises(planner.NetworkError, match="not the one expected"):
        NetworkSource(source.data, "0" * 64, source.path).load()
    with pytest.raises(planner.NetworkError):
        NetworkSource(pickle.dumps({"not": "a network"}), tiny.digest, "x").load()


def test_a_batch_submitted_for_another_network_fails_instead_of_running_on_this_one(tmp_path: Path) -> None:
    from planner.batch import JobStore, parse_objects

    settings = tiny_settings()
    other = planner.load_network()  # the job was submitted while the bundled network was served
    store = JobStore(Path(settings.data_dir) / "batches.sqlite3")
    job, _ = store.create_job(
        parse_objects([{"origin": "a1", "destination": "c2"}]), owner="anonymous", network_digest=other.digest
    )
    store.close()
    with TestClient(create_app(settings)) as client:
        wait_ready(client)
        for _ in range(600):
            view = client.get(f"/v1/batches/{job.id}").json()
            if view["status"] != "queued":
                break
            time.sleep(0.05)
    assert view["status"] == "failed"
    assert view["network"] == other.digest
    assert view["rows_done"] == 0
    assert other.digest[:12] in view["error"]
    assert planner.load_network(TINY).digest[:12] in view["error"]
