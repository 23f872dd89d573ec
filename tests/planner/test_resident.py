"""keep_resident: a large network's indexes are built once and kept out of the cyclic collector."""

from __future__ import annotations

import gc

import pytest

import planner
from planner import _search


def test_a_small_network_is_left_to_the_collector(eurasia: planner.Network) -> None:
    before = gc.get_freeze_count()
    assert planner.keep_resident(eurasia) is False
    assert gc.get_freeze_count() == before


def test_a_large_network_is_frozen_and_answers_as_before(
    eurasia: planner.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = planner.plan_routes(eurasia, "andijan", "aktau", k=3, use_cache=False)
    monkeypatch.setattr(_search, "COMPILED_KERNEL_MIN_NODES", 0)  # the bundled network counts as large
    try:
        assert planner.keep_resident(eurasia) is True
        assert gc.get_freeze_count() > 0
        got = planner.plan_routes(eurasia, "andijan", "aktau", k=3, use_cache=False)
    finally:
        gc.unfreeze()
    assert [r.transit_hours for r in got.routes] == pytest.approx([r.transit_hours for r in expected.routes], rel=1e-9)
    assert all(len(set(r.places)) == len(r.places) for r in got.routes)
