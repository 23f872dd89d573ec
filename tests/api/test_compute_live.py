"""The queue, the deadlines and the spare worker, through real HTTP on a loopback ``corridor serve``.

Every request here is distinct, so none is answered from a cache.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_helpers import assert_problem, grid_network_yaml
from test_live_server import running

import planner

SIDE = 30  # 900 places
DEADLINE_SECONDS = 1.0


@pytest.fixture(scope="module")
def grid_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a 900-place grid that counts as a large network: every request is computed by its 2 workers."""
    path: Path = tmp_path_factory.mktemp("grid") / "grid.yaml"
    path.write_text(grid_network_yaml(SIDE))
    env = {
        "CORRIDOR_MAX_CONCURRENT_COMPUTATIONS": "2",
        "CORRIDOR_INLINE_MAX_PLACES": "500",
        "CORRIDOR_COMPUTE_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
    }
    yield from running("--network", str(path), env=env)


@pytest.fixture(scope="module")
def bundled_server() -> Iterator[str]:
    """A server on the bundled network with the default cheap rule and 2 workers."""
    yield from running(env={"CORRIDOR_MAX_CONCURRENT_COMPUTATIONS": "2"})


def _grid_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    ids = [f"g{x}_{y}" for x in range(SIDE) for y in range(SIDE)]
    rnd = random.Random(seed)
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < n:
        a, b = rnd.sample(ids, 2)
        pairs.add((a, b))
    return sorted(pairs)


async def _all_at_once(base: str, requests: list[tuple[str, dict[str, Any]]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=len(requests))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        return list(await asyncio.gather(*(http.get(path, params=params) for path, params in requests)))


def _metrics(base: str) -> dict[str, Any]:
    metrics: dict[str, Any] = httpx.get(base + "/v1/metrics", timeout=10).json()
    return metrics


def test_32_concurrent_uncached_requests_wait_for_the_2_workers_and_none_is_refused(grid_server: str) -> None:
    requests = [("/v1/routes", {"from": a, "to": b, "k": 1}) for a, b in _grid_pairs(32, seed=1)]
    before = _metrics(grid_server)["compute"]["pool"]
    responses = asyncio.run(_all_at_once(grid_server, requests))
    assert [r.status_code for r in responses] == [200] * 32, [r.text[:200] for r in responses if r.status_code != 200]
    after = _metrics(grid_server)["compute"]["pool"]
    assert after["jobs"] - before["jobs"] == 32
    assert after["queued"] - before["queued"] > 0, "more requests than workers: some waited for a slot"
    assert after["refused_queue_full"] == after["refused_queue_timeout"] == 0


def test_requests_over_their_deadline_are_cut_and_a_cheap_request_right_after_answers_within_its_deadline(
    grid_server: str,
) -> None:
    kills = _metrics(grid_server)["compute"]["pool"]["deadline_kills"]
    corner = f"g{SIDE - 1}_{SIDE - 1}"
    # Every non-dominated route across the whole grid is seconds of work: both workers are killed.
    slow = [("/v1/routes", {"from": a, "to": b, "k": 20, "rank": "pareto"}) for a, b in (("g0_0", corner), (corner, "g0_0"))]
    began = time.monotonic()
    for response in asyncio.run(_all_at_once(grid_server, slow)):
        assert_problem(response, 503, "deadline_exceeded")
        assert response.headers["retry-after"] == "1"
    assert DEADLINE_SECONDS * 0.9 <= time.monotonic() - began < DEADLINE_SECONDS + 2
    # Replacing a worker takes longer than the deadline; the spare answers meanwhile.
    with httpx.Client(base_url=grid_server, timeout=30) as http:
        for a, b in _grid_pairs(3, seed=2):
            began = time.monotonic()
            cheap = http.get("/v1/routes", params={"from": a, "to": b, "k": 1})
            assert cheap.status_code == 200, cheap.text
            assert time.monotonic() - began < DEADLINE_SECONDS
    assert _metrics(grid_server)["compute"]["pool"]["deadline_kills"] == kills + 2


def test_32_concurrent_uncached_cheap_and_expensive_requests_are_all_answered(bundled_server: str) -> None:
    network = planner.load_network()
    ids = sorted(pid for pid, place in network.places.items() if place.country != "RU")  # some avoid RU
    rnd = random.Random(3)
    pairs = [tuple(rnd.sample(ids, 2)) for _ in range(32)]
    kinds = itertools.cycle([("/v1/routes", {"k": 1}), ("/v1/routes", {"k": 3, "avoid_country": "RU"}),
                             ("/v1/routes", {"k": 5}), ("/v1/compare", {})])  # fmt: skip
    requests = [(path, {"from": a, "to": b, **extra}) for (a, b), (path, extra) in zip(pairs, kinds, strict=False)]
    before = _metrics(bundled_server)["compute"]
    responses = asyncio.run(_all_at_once(bundled_server, requests))
    # 409 is a pair with no route under its constraints: an answer, not a refusal.
    assert all(r.status_code in (200, 409) for r in responses), [r.text[:200] for r in responses if r.status_code >= 500]
    assert sum(r.status_code == 200 for r in responses) >= 24
    after = _metrics(bundled_server)["compute"]
    cheap = after["in_process"]["runs"] - before["in_process"]["runs"]
    assert cheap == 16  # k=1 and k=3 with an avoid list
    moved = after["in_process"]["moved_to_pool"] - before["in_process"]["moved_to_pool"]
    assert after["pool"]["jobs"] - before["pool"]["jobs"] == 16 + moved  # k=5 and comparisons
    assert after["pool"]["refused_queue_full"] == after["pool"]["refused_queue_timeout"] == 0
