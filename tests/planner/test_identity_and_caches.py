"""One identity per network (its content digest) and one bounded cache holder per network."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
import yaml

import planner
from planner.cache import LRU, CacheSlot, NetworkCaches
from planner.scenario_network import SCENARIO_CACHE_SIZE, scenario_network

TINY = Path(__file__).resolve().parent.parent / "fixtures" / "tiny.yaml"


def test_the_digest_names_the_content_not_the_file(tmp_path: Path, tiny: planner.Network) -> None:
    data = yaml.safe_load(TINY.read_text())
    as_json = tmp_path / "tiny.json"
    as_json.write_text(json.dumps(data, indent=4))  # another file, another layout, no comments
    assert planner.load_network(as_json).digest == tiny.digest
    data["links"][5]["distance_km"] = 999
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    assert planner.load_network(changed).digest != tiny.digest
    assert len(tiny.digest) == 64


def test_the_digest_is_the_same_in_every_process(tiny: planner.Network) -> None:
    code = f"import planner; print(planner.load_network({str(TINY)!r}).digest)"
    for seed in ("1", "2"):  # sets of kinds are hashed differently under each seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        assert out.stdout.strip() == tiny.digest


def test_a_pickled_network_arrives_whole_with_a_frozen_graph_and_fresh_caches(tiny: planner.Network) -> None:
    planner.plan_routes(tiny, "a1", "c2")
    copy = pickle.loads(pickle.dumps(tiny))
    assert copy.digest == tiny.digest
    assert nx.is_frozen(copy.graph)
    assert nx.utils.edges_equal(copy.graph.edges(keys=True), tiny.graph.edges(keys=True))
    assert copy.caches is not tiny.caches
    assert [s.name for s in copy.caches.stats()] == ["digest"]
    assert planner.plan_routes(copy, "a1", "c2") == planner.plan_routes(tiny, "a1", "c2")


def test_a_scenario_network_has_its_own_digest_and_graph(tiny: planner.Network) -> None:
    scenario = planner.parse_scenario({"name": "slow", "title": "Slow", "changes": [{"add_delay": {"place": "c2", "hours": 5}}]}, tiny)
    changed = planner.apply_scenario(tiny, scenario)
    assert changed.digest != tiny.digest
    assert changed.graph.edges["a1", "c2", "l6"]["hours"] == tiny.graph.edges["a1", "c2", "l6"]["hours"] + 5
    assert tiny.graph.nodes["c2"]["delay_hours"] == 0.0


def test_an_lru_is_bounded_by_entries_and_by_bytes() -> None:
    by_count = LRU[int, str](3)
    for i in range(10):
        by_count.put(i, str(i))
    assert len(by_count) == 3
    assert by_count.get(0) is None
    assert by_count.get(9) == "9"
    by_size = LRU[int, bytes](100, max_bytes=1000, sizeof=len)
    for i in range(10):
        by_size.put(i, bytes(300))
    assert len(by_size) == 3
    assert by_size.stats().bytes == 900
    by_size.put(99, bytes(1001))  # larger than the whole cache: not kept, nothing dropped for it
    assert 99 not in by_size
    assert len(by_size) == 3
    by_size.get(7)  # now the most recently used
    by_size.put(10, bytes(300))
    assert 7 in by_size
    assert 8 not in by_size


def test_a_holder_keeps_one_bounded_table_per_slot_and_scales_them_by_its_share() -> None:
    slot = CacheSlot[str, bytes]("test", max_entries=32, max_bytes=3200, sizeof=len)
    full, small = NetworkCaches(), NetworkCaches(share=1 / 16)
    for i in range(100):
        full.get(slot, str(i), lambda: bytes(10))
        small.get(slot, str(i), lambda: bytes(10))
    assert (len(full.table(slot)), len(small.table(slot))) == (32, 2)
    built = []
    assert full.get(slot, "99", lambda: built.append(1) or b"") == bytes(10)
    assert built == []
    with pytest.raises(ValueError, match="max_bytes and sizeof together"):
        CacheSlot[str, bytes]("bad", max_entries=1, max_bytes=10)


def _entries(network: planner.Network, name: str) -> int:
    return next((s.entries for s in network.caches.stats() if s.name == name), 0)


def test_two_loads_of_one_file_share_no_cache(tiny: planner.Network) -> None:
    other = planner.load_network(TINY)
    assert other.digest == tiny.digest
    assert other.caches is not tiny.caches
    before = _entries(tiny, "plans")
    planner.plan_routes(other, "a1", "b2", k=2, teu=3)
    assert _entries(other, "plans") == 1
    assert _entries(tiny, "plans") == before


def test_cached_plans_equal_plans_computed_afresh(eurasia: planner.Network) -> None:
    cases = [
        ("xian", "duisburg", {"k": 3}),
        ("almaty", "baku", {"rank": "cost", "k": 2}),
        ("kashgar", "tashkent", {"rank": "generalized", "value_of_time_usd_per_teu_hour": 40}),
        ("xian", "istanbul", {"rank": "pareto", "k": 5}),
        ("urumqi", "tbilisi", {"corridor": "titr", "k": 1}),
    ]
    for a, b, options in cases:
        request = planner.resolve_request(eurasia, a, b, **options)  # type: ignore[arg-type]
        cached = planner.plan(eurasia, request)
        assert planner.plan(eurasia, request) is cached
        assert planner.plan(eurasia, request, use_cache=False) == cached


def test_value_of_time_is_in_the_weights_key_only_when_it_can_change_the_order() -> None:
    network = planner.load_network(TINY)
    for rank in ("time", "cost", "generalized"):
        for value_of_time in (1.0, 99.0):
            planner.plan_routes(network, "a1", "c2", rank=rank, value_of_time_usd_per_teu_hour=value_of_time, use_cache=False)
    assert _entries(network, "weights") == 4  # time, cost, and generalized at each value of time


def test_scenario_networks_are_kept_within_their_bound(tiny: planner.Network) -> None:
    network = planner.load_network(TINY)
    for hours in range(1, 3 * SCENARIO_CACHE_SIZE):
        scenario = planner.parse_scenario(
            {"name": f"s{hours}", "title": "Delay", "changes": [{"add_delay": {"place": "b2", "hours": hours}}]}, network
        )
        changed = scenario_network(network, scenario)
        assert scenario_network(network, scenario) is changed
        assert changed.caches.share == 1 / SCENARIO_CACHE_SIZE
    stats = {s.name: s for s in network.caches.stats()}
    assert stats["scenario networks"].entries == SCENARIO_CACHE_SIZE
    assert stats["scenario networks"].bytes <= stats["scenario networks"].max_bytes  # type: ignore[operator]


def test_a_request_is_built_only_by_resolve_request(tiny: planner.Network) -> None:
    with pytest.raises(planner.InvalidRequestError, match="resolve_request"):
        planner.RouteRequest(origin="a1", destination="c2")


def test_a_request_resolved_on_another_network_is_refused_by_name_not_with_a_key_error(
    tiny: planner.Network, eurasia: planner.Network
) -> None:
    request = planner.resolve_request(eurasia, "Xi'an", "Tashkent", corridor="titr")
    with pytest.raises(planner.UnknownPlaceError) as caught:
        planner.plan(tiny, request)
    assert caught.value.field == "origin"
    with pytest.raises(planner.InvalidRequestError, match="RouteRequest"):
        planner.plan(tiny, "a1 to c2")  # type: ignore[arg-type]


def test_the_plan_cache_keeps_at_most_its_bound() -> None:
    network = planner.load_network(TINY)
    for i in range(planner.routing.PLAN_CACHE_SIZE + 50):
        planner.plan_routes(network, "a1", "c2", k=1, teu=1 + i / 1000)
    stats = next(s for s in network.caches.stats() if s.name == "plans")
    assert stats.entries == stats.max_entries == planner.routing.PLAN_CACHE_SIZE
    assert stats.bytes <= planner.routing.PLAN_CACHE_BYTES


@pytest.mark.parametrize(
    "changes",
    [
        [{"add_delay": {"place": "tashkent", "hours": 7}}],
        [{"close_link": "l156"}],
        [{"set_border_dwell": {"place": "dostyk", "hours": 30}}],
        [{"multiply_tariff": {"mode": "rail", "factor": 1.5}}],
        [{"open_link": "l084"}, {"open_link": "l085"}],  # Makmal gets two gauges: a gauge change the base never had
        [{"add_link": {"id": "l900", "from": "makmal", "to": "osh", "mode": "road", "distance_km": 120, "estimate": "test"}}],
    ],
)
def test_a_scenario_network_shares_what_did_not_change_and_plans_as_one_built_afresh(
    eurasia: planner.Network, changes: list[dict[str, object]]
) -> None:
    from planner._compile import compiled

    planner.plan_routes(eurasia, "xian", "tashkent")  # the base is compiled: the scenario copies from it
    scenario = planner.parse_scenario({"name": "t", "title": "T", "changes": changes}, eurasia)
    derived = planner.apply_scenario(eurasia, scenario)
    afresh = planner.Network(
        derived.info, derived.places, derived.links, derived.corridors, derived.modes, derived.sources, seasons=derived.seasons
    )
    assert derived.derived_from is eurasia
    assert afresh.derived_from is None
    assert derived.digest == afresh.digest
    assert sorted(derived.graph.edges(keys=True, data=True)) == sorted(afresh.graph.edges(keys=True, data=True))
    shared = sum(
        1 for u, v, k, d in derived.graph.edges(keys=True, data=True) if eurasia.graph.has_edge(u, v, k) and eurasia.graph.edges[u, v, k] is d
    )
    assert 0 < shared <= derived.graph.number_of_edges()
    one, other = compiled(derived), compiled(afresh)
    for name in ("node_place", "node_state", "edge_src", "edge_dst", "edge_link", "hours", "cost_teu", "co2e_t", "parts", "part_keys", "events"):
        assert getattr(one, name) == getattr(other, name), name
    for a, b in (("xian", "tashkent"), ("almaty", "baku"), ("kashgar", "tashkent"), ("kashgar", "andijan")):
        assert planner.plan_routes(derived, a, b, k=3, use_cache=False) == planner.plan_routes(afresh, a, b, k=3, use_cache=False)


def test_building_a_network_leaves_the_garbage_collector_as_it_was() -> None:
    import gc

    assert gc.isenabled()
    planner.load_network(TINY)
    assert gc.isenabled()
    gc.disable()
    try:
        planner.load_network(TINY)
        assert not gc.isenabled()
    finally:
        gc.enable()
