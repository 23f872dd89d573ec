"""A deadline given to the planner stops its searches, mid-search, and nothing half-done is kept."""

from __future__ import annotations

import time
from typing import Any

import pytest

import planner


class _Clock:
    """``time.monotonic`` that reads 0 on its first call and 10 afterwards: a deadline of 5 passes mid-search."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return 0.0 if self.calls == 1 else 10.0


def test_a_deadline_already_past_stops_the_search_at_once(tiny: planner.Network) -> None:
    with pytest.raises(planner.DeadlineExceededError) as caught:
        planner.plan_routes(tiny, "a1", "c2", k=2, deadline=time.monotonic() - 1, use_cache=False)
    assert caught.value.code == "deadline_exceeded"
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.late_seconds >= 1


def test_a_stopped_search_leaves_nothing_in_the_plan_cache(tiny: planner.Network) -> None:
    request = planner.resolve_request(tiny, "a1", "c2", k=2, rank="co2e", avoid_places=["b2"])
    with pytest.raises(planner.DeadlineExceededError):
        planner.plan(tiny, request, deadline=time.monotonic() - 1)
    fresh = planner.plan(tiny, request, use_cache=False)
    assert planner.plan(tiny, request) == fresh


def test_a_deadline_in_the_future_changes_no_answer(eurasia: planner.Network) -> None:
    far = time.monotonic() + 3600
    for options in ({"k": 1}, {"k": 3, "rank": "cost"}, {"k": 2, "max_border_crossings": 4}, {"k": 5, "rank": "pareto"}):
        with_deadline = planner.plan_routes(eurasia, "xian", "duisburg", **options, deadline=far, use_cache=False)
        assert with_deadline == planner.plan_routes(eurasia, "xian", "duisburg", **options, use_cache=False)


@pytest.mark.parametrize(
    "options",
    [{"k": 1}, {"k": 1, "max_border_crossings": 6}, {"k": 3, "via": ["tashkent"]}, {"k": 3, "rank": "pareto"}],
    ids=["plain search", "search with counters", "via places", "pareto"],
)
def test_the_clock_is_checked_inside_the_search_loop(
    eurasia: planner.Network, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    # Vladivostok to Rotterdam settles far more than the labels between two looks at the clock.
    clock = _Clock()
    monkeypatch.setattr(time, "monotonic", clock)
    with pytest.raises(planner.DeadlineExceededError):
        planner.plan_routes(eurasia, "vladivostok", "rotterdam", **options, deadline=5.0, use_cache=False)
    assert clock.calls == 2, "the start check passed; the check after some settled labels stopped the search"
