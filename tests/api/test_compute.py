"""Deadlines that really stop work, and load shedding, in the worker-process pool."""

from __future__ import annotations

import asyncio
import time

import pytest
from api_helpers import TINY, TestClient, assert_problem, started, tiny_settings
from api_jobs import count_places, sleep_job

import planner
from api.compute import ComputePool, DeadlineExceeded, Overloaded


def test_a_job_past_its_deadline_is_killed_and_its_worker_replaced() -> None:
    pool = ComputePool(planner.load_network(TINY), size=1, deadline_seconds=1.5)
    pool.start()

    async def scenario() -> None:
        assert await pool.run(count_places) == 6
        first = pool._idle[0].process
        began = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            await pool.run(sleep_job, 60)
        assert time.monotonic() - began < 5
        assert first.poll() is not None, "the worker running the job was killed"
        assert await pool.run(count_places) == 6  # a fresh worker took its place

    try:
        asyncio.run(scenario())
    finally:
        pool.close()


def test_planner_errors_cross_the_process_boundary_with_their_attributes() -> None:
    pool = ComputePool(planner.load_network(TINY), size=1, deadline_seconds=10)
    pool.start()
    try:
        with pytest.raises(planner.UnknownPlaceError) as caught:
            asyncio.run(pool.run(planner.find_place, "Alpah"))
        assert caught.value.suggestions == ("Alpha",)
        assert caught.value.code == "unknown_place"
    finally:
        pool.close()


def test_past_the_deadline_the_api_answers_503_with_retry_after() -> None:
    for client in started(tiny_settings(compute_deadline_seconds=0.000_001)):
        response = client.get("/v1/routes", params={"from": "a1", "to": "c2"})
        problem = assert_problem(response, 503, "deadline_exceeded")
        assert response.headers["retry-after"] == "1"
        assert "was stopped" in problem["detail"]


def test_when_every_worker_is_busy_requests_are_shed_at_once_and_healthz_stays_fast() -> None:
    for client in started(tiny_settings(max_concurrent_computations=1, compute_deadline_seconds=30)):
        pool: ComputePool = client.app.state.pool  # type: ignore[attr-defined]
        busy = client.portal.start_task_soon(pool.run, sleep_job, 3.0)  # type: ignore[union-attr]
        while pool.in_flight == 0:
            time.sleep(0.01)
        began = time.monotonic()
        response = client.get("/v1/routes", params={"from": "a1", "to": "c2"})
        assert time.monotonic() - began < 1.0
        assert_problem(response, 503, "overloaded")
        assert response.headers["retry-after"] == "1"
        began = time.monotonic()
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/places", params={"q": "alpha"}).status_code == 200
        assert time.monotonic() - began < 0.5
        assert busy.result(timeout=30) == 3.0
        assert client.get("/v1/routes", params={"from": "a1", "to": "c2"}).status_code == 200


def test_overloaded_is_raised_without_waiting() -> None:
    pool = ComputePool(planner.load_network(TINY), size=1, deadline_seconds=10)
    pool.start()

    async def scenario() -> None:
        slow = asyncio.ensure_future(pool.run(sleep_job, 1.0))
        await asyncio.sleep(0.05)
        with pytest.raises(Overloaded):
            await pool.run(count_places)
        assert await slow == 1.0

    try:
        asyncio.run(scenario())
    finally:
        pool.close()


def test_route_latency_through_the_pool_stays_in_milliseconds(client: TestClient) -> None:
    params = {"from": "a1", "to": "c2", "k": 1}
    client.get("/v1/routes", params=params)
    began = time.perf_counter()
    for _ in range(50):
        assert client.get("/v1/routes", params=params).status_code == 200
    per_request = (time.perf_counter() - began) / 50
    assert per_request < 0.05
