"""Where computations run, and the deadlines and queue that bound them.

Cheap requests run in the server process with a cooperative deadline; the rest run in worker
processes that are killed at their deadline, behind a bounded queue with a time budget, with a
warm spare worker so a kill never makes the next request wait for a process to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

import pytest
from api_helpers import TINY, TestClient, assert_problem, started, tiny_settings
from api_jobs import count_places, sleep_job

import planner
from api.compute import ComputePool, DeadlineExceeded, Overloaded, WorkerFailed
from api.dispatch import CheapRule, Effort
from planner.batch import NetworkSource


@contextlib.contextmanager
def _pool(**options: float) -> Iterator[ComputePool]:
    values = {"size": 1, "deadline_seconds": 10.0, **options}
    pool = ComputePool(planner.load_network(TINY), **values)  # type: ignore[arg-type]
    pool.start()
    try:
        assert pool.wait_ready(60), "the workers did not start"
        yield pool
    finally:
        pool.close()


def _processes(pool: ComputePool) -> list[object]:
    return [w.process for w in pool._idle]  # noqa: SLF001 - to see which processes were killed


def test_a_job_past_its_deadline_is_killed_and_its_worker_replaced() -> None:
    with _pool(deadline_seconds=1.5) as pool:

        async def scenario() -> None:
            assert await pool.run(count_places) == 6
            before = _processes(pool)
            began = time.monotonic()
            with pytest.raises(DeadlineExceeded):
                await pool.run(sleep_job, 60)
            assert time.monotonic() - began < 5
            assert sum(p.poll() is not None for p in before) == 1, "the worker running the job was killed"  # type: ignore[attr-defined]
            assert await pool.run(count_places) == 6

        asyncio.run(scenario())
        assert pool.wait_ready(60), "the killed worker was replaced"
        assert pool.counters.deadline_kills == 1


def test_planner_errors_cross_the_process_boundary_with_their_attributes() -> None:
    with _pool() as pool:
        with pytest.raises(planner.UnknownPlaceError) as caught:
            asyncio.run(pool.run(planner.find_place, "Alpah"))
        assert caught.value.suggestions == ("Alpha",)
        assert caught.value.code == "unknown_place"


def test_after_a_deadline_kill_the_next_job_is_served_by_the_spare_within_its_own_deadline() -> None:
    with _pool(spares=1) as pool:
        # How long a worker takes to start; the deadline below is shorter, so a job waiting for
        # the replacement of the killed worker could not meet it.
        probe = ComputePool(planner.load_network(TINY), size=1, spares=0, deadline_seconds=1)
        began = time.monotonic()
        probe.start()
        try:
            assert probe.wait_ready(60)
            start_seconds = time.monotonic() - began
        finally:
            probe.close()
        deadline = max(0.2, start_seconds / 2)

        async def scenario() -> float:
            with pytest.raises(DeadlineExceeded):
                await pool.run(sleep_job, 60, deadline=time.monotonic() + deadline)
            began = time.monotonic()
            assert await pool.run(count_places, deadline=began + deadline) == 6
            return time.monotonic() - began

        assert asyncio.run(scenario()) < deadline
        assert pool.counters.deadline_kills == 1


def test_without_a_spare_the_job_after_a_kill_waits_no_longer_than_its_deadline() -> None:
    with _pool(spares=0, queue_seconds=5) as pool:

        async def scenario() -> float:
            with pytest.raises(DeadlineExceeded):
                await pool.run(sleep_job, 60, deadline=time.monotonic() + 0.3)
            began = time.monotonic()
            with pytest.raises(DeadlineExceeded, match="waiting for a compute slot"):
                await pool.run(count_places, deadline=began + 0.05)  # the only worker is still starting
            return time.monotonic() - began

        assert asyncio.run(scenario()) < 1.0  # its deadline, not the start of a new worker


def test_when_no_worker_can_load_the_network_a_job_fails_after_the_queue_time(capfd: pytest.CaptureFixture[str]) -> None:
    pool = ComputePool(planner.load_network(TINY), size=1, deadline_seconds=10, queue_seconds=0.5)
    pool.source = NetworkSource(pool.source.data, "0" * 64, "<another network>")  # every worker refuses it
    pool.start()
    try:
        end = time.monotonic() + 60
        while pool.counters.worker_failures == 0:
            assert time.monotonic() < end, "the worker never reported"
            time.sleep(0.05)
        with pytest.raises(WorkerFailed, match="no compute worker has loaded the network"):
            asyncio.run(pool.run(count_places))
        assert not pool.ready()
    finally:
        pool.close()
    assert "a compute worker failed to start" in capfd.readouterr().err


def test_jobs_beyond_the_free_slots_wait_in_the_queue_and_all_are_answered() -> None:
    with _pool(size=2, spares=1, queue_seconds=30) as pool:

        async def scenario() -> list[float]:
            return list(await asyncio.gather(*(pool.run(sleep_job, 0.05) for _ in range(12))))

        began = time.monotonic()
        assert asyncio.run(scenario()) == [0.05] * 12
        # Two at a time, never three: the spare does not compute.
        assert time.monotonic() - began >= 6 * 0.05
        assert pool.counters.queued >= 10
        assert pool.counters.refused_queue_full == pool.counters.refused_queue_timeout == 0


def test_past_the_queue_time_a_waiting_job_is_refused() -> None:
    with _pool(queue_seconds=0.2) as pool:

        async def scenario() -> None:
            slow = asyncio.ensure_future(pool.run(sleep_job, 3.0))
            await asyncio.sleep(0.1)
            began = time.monotonic()
            with pytest.raises(Overloaded, match="no compute slot came free"):
                await pool.run(count_places)
            assert 0.15 < time.monotonic() - began < 2.0  # the queue time, not the 3 s job
            assert await slow == 3.0
            assert await pool.run(count_places) == 6  # the slot is free again

        asyncio.run(scenario())
        assert pool.counters.refused_queue_timeout == 1


def test_a_full_queue_refuses_at_once() -> None:
    with _pool(queue_length=1, queue_seconds=10) as pool:

        async def scenario() -> None:
            slow = asyncio.ensure_future(pool.run(sleep_job, 2.0))
            await asyncio.sleep(0.1)
            queued = asyncio.ensure_future(pool.run(count_places))
            await asyncio.sleep(0.05)
            began = time.monotonic()
            with pytest.raises(Overloaded, match="already waiting"):
                await pool.run(count_places)
            assert time.monotonic() - began < 0.5  # not the queue time (10 s), nor the job (2 s)
            assert await slow == 2.0
            assert await queued == 6

        asyncio.run(scenario())


def test_the_cheap_rule() -> None:
    tiny = planner.load_network(TINY)
    rule = CheapRule(max_k=3, max_places=6)
    assert rule.admits(Effort(k=3), tiny)
    assert not rule.admits(Effort(k=4), tiny)
    assert not rule.admits(Effort(k=1, pareto=True), tiny)
    assert not rule.admits(Effort(k=1, scenario=True), tiny)
    assert not rule.admits(Effort(k=1, searches=2), tiny)
    assert not rule.admits(None, tiny)
    assert not CheapRule(max_k=3, max_places=5).admits(Effort(k=1), tiny)  # a larger network than allowed


def _compute_stats(client: TestClient) -> dict[str, dict[str, int]]:
    stats: dict[str, dict[str, int]] = client.get("/v1/metrics").json()["compute"]
    return stats


@pytest.mark.parametrize("mode", ["loop", "thread"])
def test_cheap_requests_run_in_the_server_process_and_the_rest_in_the_workers(mode: str) -> None:
    for client in started(tiny_settings(inline_mode=mode)):
        assert client.get("/v1/routes", params={"from": "a1", "to": "c2", "k": 1}).status_code == 200
        assert client.get("/v1/routes", params={"from": "a1", "to": "c2", "k": 3, "rank": "cost"}).status_code == 200
        stats = _compute_stats(client)
        moved = stats["in_process"]["moved_to_pool"]  # 0 unless the machine stalled past the in-process budget
        assert (stats["in_process"]["runs"], stats["pool"]["runs"]) == (2, moved)
        assert client.get("/v1/routes", params={"from": "a1", "to": "c2", "k": 4}).status_code == 200
        assert client.get("/v1/routes", params={"from": "a1", "to": "c2", "k": 1, "rank": "pareto"}).status_code == 200
        assert client.get("/v1/compare", params={"from": "a1", "to": "c2"}).status_code == 200
        stats = _compute_stats(client)
        assert (stats["in_process"]["runs"], stats["pool"]["runs"], stats["pool"]["jobs"]) == (2, 3 + moved, 3 + moved)


def test_with_inline_max_k_0_every_request_goes_to_the_workers() -> None:
    for client in started(tiny_settings(inline_max_k=0)):
        assert client.get("/v1/routes", params={"from": "a1", "to": "c2", "k": 1}).status_code == 200
        stats = _compute_stats(client)
        assert (stats["in_process"]["runs"], stats["pool"]["runs"]) == (0, 1)


@pytest.mark.parametrize("mode", ["loop", "thread"])
def test_a_cheap_request_past_its_deadline_is_stopped_in_the_server_process_with_503(mode: str) -> None:
    for client in started(tiny_settings(compute_deadline_seconds=0.000_001, inline_mode=mode)):
        response = client.get("/v1/routes", params={"from": "a1", "to": "c2"})
        problem = assert_problem(response, 503, "deadline_exceeded")
        assert response.headers["retry-after"] == "1"
        assert "was stopped" in problem["detail"]
        stats = _compute_stats(client)
        assert stats["in_process"]["deadline_stops"] == 1
        assert stats["pool"]["runs"] == 0


def test_a_worker_request_past_its_deadline_is_cut_with_503() -> None:
    for client in started(tiny_settings(compute_deadline_seconds=0.000_001)):
        response = client.get("/v1/compare", params={"from": "a1", "to": "c2"})
        assert_problem(response, 503, "deadline_exceeded")
        assert response.headers["retry-after"] == "1"


def test_a_cheap_request_past_the_in_process_budget_moves_to_a_worker_and_is_answered() -> None:
    for client in started(tiny_settings(inline_budget_seconds=1e-9)):
        response = client.get("/v1/routes", params={"from": "a1", "to": "c2", "k": 2})
        assert response.status_code == 200, response.text
        stats = _compute_stats(client)
        assert stats["in_process"]["moved_to_pool"] == 1
        assert stats["pool"]["jobs"] == 1


def test_when_every_worker_is_busy_requests_wait_for_a_slot_and_healthz_stays_fast() -> None:
    settings = tiny_settings(max_concurrent_computations=1, compute_deadline_seconds=30, compute_queue_seconds=20,
                             inline_max_k=0)  # fmt: skip
    for client in started(settings):
        pool: ComputePool = client.app.state.pool  # type: ignore[attr-defined]
        busy = client.portal.start_task_soon(pool.run, sleep_job, 3.0)  # type: ignore[union-attr]
        while pool.in_flight == 0:
            time.sleep(0.01)
        began = time.monotonic()
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/places", params={"q": "alpha"}).status_code == 200
        assert time.monotonic() - began < 1.5
        response = client.get("/v1/routes", params={"from": "a1", "to": "c2"})
        assert response.status_code == 200, response.text
        assert busy.result(timeout=30) == 3.0
        assert _compute_stats(client)["pool"]["queued"] == 1


def test_past_the_queue_time_the_api_answers_503_overloaded_with_retry_after() -> None:
    settings = tiny_settings(
        max_concurrent_computations=1, compute_queue_seconds=0.2, compute_deadline_seconds=30, inline_max_k=0
    )
    for client in started(settings):
        pool: ComputePool = client.app.state.pool  # type: ignore[attr-defined]
        busy = client.portal.start_task_soon(pool.run, sleep_job, 5.0)  # type: ignore[union-attr]
        while pool.in_flight == 0:
            time.sleep(0.01)
        began = time.monotonic()
        response = client.get("/v1/routes", params={"from": "a1", "to": "c2"})
        assert time.monotonic() - began < 3.0  # the queue time, not the 5 s job
        problem = assert_problem(response, 503, "overloaded")
        assert response.headers["retry-after"] == "1"
        assert "no compute slot came free" in problem["detail"]
        # A cheap request does not need a worker: it is answered while the worker is busy.
        client.app.state.compute.rule = CheapRule(max_k=3)  # type: ignore[attr-defined]
        assert client.get("/v1/routes", params={"from": "a1", "to": "c2", "k": 1}).status_code == 200
        assert busy.result(timeout=30) == 5.0
