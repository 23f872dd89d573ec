"""Rate limits shared by every server process, and the RateLimit headers (IETF draft) that count them down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_helpers import TestClient, assert_problem, started, tiny_settings
from test_live_server import running

from api.ratelimit import SharedRateLimiter


def test_two_limiters_on_one_file_share_one_allowance(tmp_path: Path) -> None:
    # Two server processes open the same file: what one takes, the other cannot.
    first, second = (SharedRateLimiter(tmp_path / "limits.sqlite3", 6) for _ in range(2))
    try:
        taken = [(first if i % 2 else second).take("client-a") for i in range(8)]
        assert [a.allowed for a in taken] == [True] * 6 + [False] * 2
        assert [a.remaining for a in taken] == [5, 4, 3, 2, 1, 0, 0, 0]
        assert all(a.limit == 6 for a in taken)
        assert taken[-1].retry_after_seconds == 10  # a token every 10 s at 6 a minute
        assert 50 <= taken[-1].reset_seconds <= 60
        assert second.take("client-b").remaining == 5  # every client has its own bucket
        assert first.peek("client-a").remaining == 0  # peeking takes nothing
        assert first.peek("client-c").remaining == 6
    finally:
        first.close()
        second.close()


def test_a_bucket_refills_at_the_rate_and_the_file_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = SharedRateLimiter(tmp_path / "limits.sqlite3", 60, max_clients=50)
    clock = [1_000_000.0]
    monkeypatch.setattr("api.ratelimit.time.time", lambda: clock[0])
    try:
        for _ in range(60):
            limiter.take("a")
        assert not limiter.take("a").allowed
        clock[0] += 2.5  # one token a second
        assert [limiter.take("a").allowed for _ in range(3)] == [True, True, False]
        for i in range(200):
            limiter.take(f"client-{i}")
        monkeypatch.setattr("api.ratelimit._PRUNE_EVERY_SECONDS", -1.0)
        limiter.take("last")
        assert limiter.rows() <= 50
        clock[0] += 61  # every bucket has refilled: the same as none, forgotten
        limiter.take("last")
        assert limiter.rows() == 1
    finally:
        limiter.close()


def test_answers_carry_the_headers_and_429_says_when_to_retry() -> None:
    for client in started(tiny_settings(rate_limit_per_minute=3)):
        answers = [client.get("/v1/version") for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert [r.headers["ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]
        assert {r.headers["ratelimit-limit"] for r in answers} == {"3"}
        assert all(int(r.headers["ratelimit-reset"]) > 0 for r in answers)
        assert int(answers[-1].headers["retry-after"]) == 20  # a token every 20 s at 3 a minute
        assert_problem(answers[-1], 429, "rate_limited")
        unknown = client.get("/v1/places/nowhere")  # a refused request counts too, and says so
        assert unknown.status_code == 429
        assert "ratelimit-remaining" not in client.get("/healthz").headers  # not rate-limited


def test_without_a_limit_no_header_is_sent(client: TestClient) -> None:
    assert "ratelimit-limit" not in client.get("/v1/version").headers


@pytest.fixture(scope="module")
def two_workers() -> Iterator[str]:
    """``corridor serve --workers 2`` on the tiny network, 40 requests a minute per client."""
    yield from running("--network", str(Path(__file__).parents[1] / "fixtures" / "tiny.yaml"), "--workers", "2",
                       env={"CORRIDOR_RATE_LIMIT_PER_MINUTE": "40", "CORRIDOR_MAX_CONCURRENT_COMPUTATIONS": "1"})  # fmt: skip


@pytest.mark.slow
def test_with_two_workers_one_limit_holds_and_the_headers_count_down_across_them(two_workers: str) -> None:
    began = time.monotonic()
    answers: list[httpx.Response] = []
    while len(answers) < 120:
        # A new connection each time, so either worker process may answer.
        with httpx.Client(base_url=two_workers, timeout=10) as http:
            answer = http.get("/v1/metrics")
        answers.append(answer)
        if answer.status_code == 429:
            break
    elapsed = time.monotonic() - began
    allowed = [a for a in answers if a.status_code == 200]
    pids = {a.json()["pid"] for a in allowed}
    assert len(pids) == 2, f"one worker answered every request ({len(allowed)}): the test shows nothing"
    # 40 a minute in all (plus what refilled meanwhile, 2 every 3 s), not 40 per worker.
    assert 40 <= len(allowed) <= 40 + int(elapsed * 40 / 60) + 1, (len(allowed), elapsed)
    remaining = [int(a.headers["ratelimit-remaining"]) for a in allowed]
    assert remaining[0] == 39
    assert remaining[-1] <= 1
    assert all(later <= earlier for earlier, later in zip(remaining, remaining[1:], strict=False)), remaining
    assert {a.headers["ratelimit-limit"] for a in answers} == {"40"}
    refused = answers[-1]
    assert_problem(refused, 429, "rate_limited")
    assert refused.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 2
