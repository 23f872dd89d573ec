"""corridor_client against a real server (routes, comparisons, a batch) and its retries on 429 and 503."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from test_live_server import ROOT, running

from corridor_client import (
    Client,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    UnavailableError,
)
from corridor_client.models import BundledScenario, RoutePlan, UploadedScenario


@pytest.fixture(scope="module")
def api() -> Iterator[Client]:
    """A client of ``corridor serve`` on the bundled network."""
    for base in running():
        with Client(base, timeout=60) as client:
            yield client


def test_the_client_plans_a_route_typed_to_the_last_event(api: Client) -> None:
    plan = api.plan_routes("Xi'an", "Tashkent", k=3, rank="cost", teu=2)
    assert isinstance(plan, RoutePlan)
    assert plan.request.origin == "xian"
    assert plan.request.teu == 2
    best = plan.routes[0]
    assert best.rank == 1
    assert best.place_names[0] == "Xi'an"
    assert best.places[-1] == "tashkent"
    assert sum(leg.cost_usd for leg in best.legs) == pytest.approx(best.cost_usd, abs=0.05)
    assert {event.type for leg in best.legs for event in leg.events} >= {"border"}
    assert best.legs[0].from_.id == "xian"
    costs = [route.cost_usd for route in plan.routes]
    assert costs == sorted(costs)
    geojson = api.plan_routes_geojson("Xi'an", "Tashkent", k=1, rank="cost", teu=2)
    assert geojson.features[0].geometry.type == "LineString"
    assert geojson.features[0].properties.places == best.places


def test_the_client_compares_corridors_and_uses_scenarios(api: Client) -> None:
    comparison = api.compare("Xi'an", "Istanbul", corridors=["titr", "northern"])
    labels = [row.label for row in comparison.rows]
    assert labels == ["best (any corridor)", "titr", "northern"]
    assert all(row.status == "ok" and row.route is not None for row in comparison.rows)
    opened = api.compare("Kashgar", "Tashkent", corridors="cku", rank="cost", scenario="cku_opened")
    assert opened.scenario is not None
    assert opened.scenario.name == "cku_opened"
    assert opened.rows[1].scenario_route is not None
    assert opened.rows[1].delta is not None
    assert opened.rows[1].delta.cost_usd < 0
    bundled = api.scenario("cku_opened")
    assert isinstance(bundled, BundledScenario)
    assert bundled.applies
    uploaded = api.upload_scenario(
        {"name": "no_khorgos", "title": "Khorgos closed", "estimate": "test", "changes": [{"close_place": "altynkol"}]}
    )
    assert isinstance(api.scenario(uploaded.id), UploadedScenario)
    detour = api.plan_with_scenario("Xi'an", "Tashkent", uploaded.id, k=1)
    assert "altynkol" not in detour.routes[0].places
    api.delete_scenario(uploaded.id)
    with pytest.raises(NotFoundError):
        api.scenario(uploaded.id)


def test_the_client_runs_a_small_batch(api: Client) -> None:
    rows = [
        {"id": "r1", "origin": "Xi'an", "destination": "Tashkent"},
        {"id": "r2", "origin": "Almaty", "destination": "Baku", "rank": "cost", "k": 2},
        {"id": "r3", "origin": "Atlantis", "destination": "Baku"},
    ]
    job = api.submit_batch(rows, idempotency_key="client-test-1")
    assert api.submit_batch(rows, idempotency_key="client-test-1").id == job.id  # a retried submission
    done = api.wait_for_batch(job.id, timeout=120, poll_seconds=0.1)
    assert (done.status, done.rows_total, done.rows_failed) == ("done", 3, 1)
    results = api.batch_results(job.id)
    assert [r["id"] for r in results if r["rank"] in (1, None)][:3] == ["r1", "r2", "r3"]
    assert "unknown place" in next(r["error"] for r in results if r["id"] == "r3")
    assert {r["id"] for r in api.batch_results_csv(job.id)} == {"r1", "r2", "r3"}
    assert job.id in [b.id for b in api.batches()]
    api.delete_batch(job.id)
    with pytest.raises(NotFoundError):
        api.batch(job.id)


def test_the_client_raises_the_servers_problem(api: Client) -> None:
    with pytest.raises(NotFoundError) as unknown:
        api.plan_routes("Tashkant", "Almaty")
    assert unknown.value.problem.suggestions
    assert "Tashkent" in unknown.value.problem.suggestions
    with pytest.raises(ConflictError) as none:
        api.plan_routes("Almaty", "Baku", modes=["road"])
    assert none.value.problem.constraints == ["modes"]
    with pytest.raises(InvalidRequestError) as bad:
        api.plan_routes("Almaty", "Baku", teu=1, tonnes=5)
    assert bad.value.status == 422
    assert [p.id for p in api.places("tashk", limit=1)] == ["tashkent"]
    assert api.place("altynkol").border is not None
    assert {c.id for c in api.corridors()} >= {"titr", "northern", "cku"}
    assert api.corridor("titr").geometry.type == "MultiLineString"
    assert api.version().network.id == "eurasia"


# --- retries ------------------------------------------------------------------------------------------


def _scripted(answers: list[httpx.Response]) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    return httpx.Client(base_url="http://test", transport=httpx.MockTransport(handler)), seen


def _problem(status: int, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = {"type": "urn:x", "title": "t", "status": status, "detail": "busy", "code": "rate_limited" if status == 429 else "overloaded"}
    return httpx.Response(status, json=body, headers=headers)


VERSION = {"version": "0.1.0", "network": {"id": "n", "name": "N", "version": "1", "digest": "d"}}


def test_429_and_503_are_retried_after_the_time_retry_after_gives() -> None:
    http, seen = _scripted([_problem(429, "2"), _problem(503, "1"), httpx.Response(200, json=VERSION)])
    slept: list[float] = []
    client = Client(http=http, sleep=slept.append)
    assert client.version().network.id == "n"
    assert slept == [2.0, 1.0]
    assert len(seen) == 3


def test_without_retry_after_the_waits_double_and_the_attempts_are_bounded() -> None:
    http, seen = _scripted([_problem(503) for _ in range(4)])
    slept: list[float] = []
    client = Client(http=http, retry=RetryPolicy(attempts=4, backoff_seconds=0.25), sleep=slept.append)
    with pytest.raises(UnavailableError):
        client.version()
    assert slept == [0.25, 0.5, 1.0]
    assert len(seen) == 4


def test_a_wait_past_the_budget_is_not_made_and_the_error_says_when_to_retry() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    http, seen = _scripted([_problem(429, "5"), _problem(429, when)])
    slept: list[float] = []
    client = Client(http=http, retry=RetryPolicy(max_wait_seconds=10), sleep=slept.append)
    with pytest.raises(RateLimitedError) as late:
        client.version()
    assert slept == [5.0]  # the second answer asks for two minutes: more than is left of the 10 s
    assert late.value.retry_after_seconds is not None
    assert 100 < late.value.retry_after_seconds <= 120
    assert len(seen) == 2


def test_other_errors_are_never_retried() -> None:
    http, seen = _scripted([_problem(422)])
    with pytest.raises(InvalidRequestError):
        Client(http=http, sleep=lambda s: None).version()
    assert len(seen) == 1


@pytest.fixture(scope="module")
def limited() -> Iterator[str]:
    """``corridor serve`` on the tiny network, 30 requests a minute per client (a token every 2 s)."""
    yield from running("--network", str(ROOT / "tests" / "fixtures" / "tiny.yaml"), env={"CORRIDOR_RATE_LIMIT_PER_MINUTE": "30"})


def test_against_a_rate_limited_server_the_client_waits_as_told_and_gets_through(limited: str) -> None:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    with Client(limited, sleep=sleep, retry=RetryPolicy(attempts=3, max_wait_seconds=10)) as api:
        answers: list[Any] = [api.version() for _ in range(34)]
    assert len(answers) == 34
    assert slept
    assert set(slept) == {2.0}
    refused = _first_refusal(Client(limited, retry=RetryPolicy(attempts=1)), 40)
    assert refused.retry_after_seconds == 2


def _first_refusal(client: Client, tries: int) -> RateLimitedError:
    with client:
        for _ in range(tries):
            try:
                client.version()
            except RateLimitedError as refused:
                return refused
    raise AssertionError(f"{tries} requests at once never met the limit")


def test_the_client_package_needs_neither_the_server_nor_the_planner() -> None:
    code = "import sys, corridor_client; print(sorted(m for m in ('api', 'planner', 'fastapi', 'networkx', 'uvicorn') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_the_readme_python_example_prints_what_the_readme_shows(api: Client) -> None:
    import contextlib
    import io
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code, shown = re.findall(r"```python\n(from corridor_client.*?)```\n\n```\n(.*?)```", readme, re.S)[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code.replace("http://127.0.0.1:8000", str(api.http.base_url).rstrip("/")), {})  # noqa: S102 - the README's own example
    assert printed.getvalue() == shown
