"""One scale measurement in a fresh process (so peak memory is this size's own): prints JSON.

Usage: python benchmarks/_scale_worker.py PLACES [--pairs N] [--budget SECONDS]
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx  # noqa: E402

import planner  # noqa: E402
from benchmarks._baseline import csr_of, nx_unexpanded, nx_weight, scipy_best  # noqa: E402
from benchmarks._stats import summary  # noqa: E402
from benchmarks._synthetic import od_pairs, synthetic_network  # noqa: E402
from planner import _search  # noqa: E402
from planner._compile import compiled  # noqa: E402
from planner.request import Rank  # noqa: E402
from planner.weights import criterion_weights  # noqa: E402

QUERY_DEADLINE_S = 60.0
"""Each k=5 query stops here (one took 656 s at 300,000 places without it)."""


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed_each(pairs: list[tuple[str, str]], fn: object, budget: float) -> list[float]:
    out: list[float] = []
    stop = time.perf_counter() + budget
    for a, b in pairs:
        t0 = time.perf_counter()
        fn(a, b)  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1e3)
        if time.perf_counter() > stop:
            break
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("places", type=int)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=30.0, help="seconds per measured query kind")
    ap.add_argument("--skip-nx-k5", action="store_true", help="skip the networkx k=5 baseline (Yen's; minutes at 100k+)")
    args = ap.parse_args()
    res: dict[str, object] = {"places": args.places}
    rss0 = maxrss_mib()
    t0 = time.perf_counter()
    network = synthetic_network(args.places)
    t1 = time.perf_counter()
    graph = compiled(network)
    weights = criterion_weights(graph, Rank.TIME, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    t2 = time.perf_counter()
    # As `corridor serve` and its workers do with the network they keep: indexes built, collector off it.
    planner.keep_resident(network)
    t3 = time.perf_counter()
    res.update(
        links=len(network.links),
        nodes=len(graph.node_place),
        edges=len(graph.edge_src),
        build_network_s=t1 - t0,
        compile_s=t2 - t1,
        load_s=t2 - t0,
        resident_s=t3 - t2,
        rss_after_load_mib=maxrss_mib(),
        rss_interpreter_mib=rss0,
    )
    pairs = od_pairs(sorted(network.places), args.pairs)
    limits = _search.Limits()

    # ours: the whole facade (request checks, search, pricing) and the search core alone
    ours_k1 = timed_each(pairs, lambda a, b: planner.plan_routes(network, a, b, k=1), args.budget)
    core = timed_each(pairs, lambda a, b: _search.best_path(graph, weights, [a, b], limits), args.budget)
    stopped: list[tuple[str, str]] = []

    def k5(a: str, b: str) -> None:
        # A query past its deadline stops there (as it would in `corridor serve`); its time counts as the deadline.
        try:
            planner.plan_routes(network, a, b, k=5, deadline=time.monotonic() + QUERY_DEADLINE_S)
        except planner.DeadlineExceededError:
            stopped.append((a, b))

    ours_k5 = timed_each(pairs, k5, args.budget)
    res["ours_k1"] = summary(ours_k1)
    res["ours_core_k1"] = summary(core)
    res["ours_k5"] = {**summary(ours_k5), "stopped_at_deadline": len(stopped), "deadline_s": QUERY_DEADLINE_S}
    res["rss_peak_mib"] = maxrss_mib()

    # scipy on the same expanded graph and weights
    t = time.perf_counter()
    matrix = csr_of(graph, weights)
    res["scipy_build_s"] = time.perf_counter() - t
    agree = True
    for a, b in pairs:
        found = _search.best_path(graph, weights, [a, b], limits)
        want = scipy_best(matrix, graph, a, b)
        got = found[0] if found else float("inf")
        agree = agree and abs(got - want) <= 1e-6 * max(1.0, abs(want))
    res["scipy_totals_agree"] = agree
    res["scipy_k1"] = summary(timed_each(pairs, lambda a, b: scipy_best(matrix, graph, a, b), args.budget))

    # networkx on the unexpanded graph, weight function computing hours
    t = time.perf_counter()
    g = nx_unexpanded(network)
    weight = nx_weight(network)
    res["nx_build_s"] = time.perf_counter() - t
    res["nx_k1"] = summary(timed_each(pairs, lambda a, b: nx.dijkstra_path(g, a, b, weight=weight), args.budget))
    if not args.skip_nx_k5:
        res["nx_k5"] = summary(
            timed_each(
                pairs,
                lambda a, b: list(itertools.islice(nx.shortest_simple_paths(g, a, b, weight=weight), 5)),
                args.budget,
            )
        )
    res["rss_peak_with_baselines_mib"] = maxrss_mib()
    print(json.dumps(res))


if __name__ == "__main__":
    main()
