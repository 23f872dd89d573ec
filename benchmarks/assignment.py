"""Assignment against AequilibraE: the same network and OD matrix through both, in one run, to the same gap.

    python benchmarks/assignment.py            # bundled network (full OD of all places) + a 900-place synthetic network
    python benchmarks/assignment.py --large    # ... and the 10,000-place synthetic network, 1,000 x 1,000 OD
                                               #     (hours on 2 cores: AequilibraE alone runs 1,000 iterations)

AequilibraE (``pip install 'corridor-planner[bench]'``, or ``make bench``) assigns road traffic: it has no
node delays, no transfers and no queue delay of its own. So the comparison is made equal on a problem
both can state: our assignment graph as plain links (every mode and gauge change and border crossing is
already an edge there; each mode state twice, entered by a link or by a change, so that no path changes
twice in a row at a place, and each link edge from both), one zone per place joined to its mode states,
a BPR curve (alpha 0.15, beta 4) on every edge with its own capacity, bi-conjugate Frank–Wolfe on both, to the same relative gap. Our solver
gets one virtual origin and one destination node per place (a path never runs through a zone); theirs
one centroid per place with flows through centroids blocked. Both relative gaps are recomputed on the
volumes each returns, with one function (theirs reports the gap of the step before its last). Times:
their ``execute()`` against our solver call (graph building excluded from both); AequilibraE on one core.
AequilibraE: P. Camargo et al., https://www.aequilibrae.com/ (cited as its licence asks).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import identity

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from benchmarks._synthetic import synthetic_network  # noqa: E402
from planner import _flows  # noqa: E402
from planner._flow_graph import flow_graph  # noqa: E402
from planner.delay import BPRDelay  # noqa: E402

ALPHA, BETA = 0.15, 4.0


def problem_for(network: planner.Network, zones: np.ndarray, demand: np.ndarray, *, load: float) -> tuple[_flows.Problem, Any]:
    """Our array problem: generalized cost per edge, a BPR queue per real edge, capacities making the network busy."""
    g = flow_graph(network)
    n = g.zones
    p = len(g.places)
    base = (g.cost + 15.0 * g.hours).copy()
    base[g.n_real :] = 1e-6
    rows, cols = np.nonzero(demand)
    od_demand = np.vstack([demand[rows, cols], demand[rows, cols] * 10.0])
    problem = _flows.Problem(
        n_nodes=g.n_nodes,
        src=g.src,
        dst=g.dst,
        base_cost=base,
        od_origin=n + zones[rows],
        od_destination=n + p + zones[cols],
        od_demand=od_demand,
        queues=identity(len(g.src), format="csr")[: g.n_real],
        capacity=np.vstack([np.full(g.n_real, np.inf), np.full(g.n_real, np.inf)]),
        services_per_day=np.ones(g.n_real),
        variability=np.ones(g.n_real),
        base_hours=base[: g.n_real].copy(),
        cost_per_hour=1.0,
    )
    # Capacity: `load` times the free-flow all-or-nothing volume (and at least 1% of the mean demand), so
    # the busiest edges queue well past capacity at first and the equilibrium spreads the flow.
    free = _flows.Solver(problem, BPRDelay(ALPHA, BETA), hard=False, keep_trees=False, max_tree_bytes=0).aon(base)
    floor = max(od_demand[0].mean() * 0.01, 1.0)
    capacity = np.maximum(free.flows[0, : g.n_real] * load, floor)
    problem = _replace(problem, capacity=np.vstack([capacity, np.full(g.n_real, np.inf)]))
    return problem, g


def _replace(problem: _flows.Problem, **changes: Any) -> _flows.Problem:
    fields = {name: getattr(problem, name) for name in problem.__dataclass_fields__}
    fields.update(changes)
    return _flows.Problem(**fields)


def gap_of(problem: _flows.Problem, flows_teu: np.ndarray) -> float:
    """The relative gap of edge volumes (TEU, real edges) under the BPR costs, computed the same way for both tools."""
    solver = _flows.Solver(problem, BPRDelay(ALPHA, BETA), hard=False, keep_trees=False, max_tree_bytes=0)
    flows = np.zeros((2, len(problem.src)))
    flows[0, : len(flows_teu)] = flows_teu
    cost, _ = solver.costs(flows)
    shortest = solver.aon(cost)
    # Zone connectors carry each pair's demand at (almost) no cost: the total is over real edges.
    return solver.gap(flows, cost, shortest.od_cost)


def run_ours(problem: _flows.Problem, target: float, max_iterations: int) -> tuple[np.ndarray, float, int]:
    started = time.perf_counter()
    solution = _flows.solve(
        problem, BPRDelay(ALPHA, BETA), method="bfw", gap=target, max_iterations=max_iterations, keep_trees=False
    )
    seconds = time.perf_counter() - started
    n_real = problem.queues.shape[0]
    return solution.flows[0, :n_real], seconds, solution.iterations


def run_aequilibrae(problem: _flows.Problem, g: Any, zones_used: np.ndarray, demand: np.ndarray, target: float, max_iterations: int) -> tuple[np.ndarray, float, int]:
    import pandas as pd
    from aequilibrae.matrix import AequilibraeMatrix  # noqa: I001
    from aequilibrae.paths import Graph, TrafficAssignment, TrafficClass

    p = len(g.places)
    n_real = problem.queues.shape[0]
    # Nodes: zones 1..p (centroids), then our states p+1..p+2n (a compiled node entered by a link, then by a change).
    src = problem.src[:n_real] + p + 1
    dst = problem.dst[:n_real] + p + 1
    conn_src, conn_dst = [], []
    # Only zones get connectors (a place's states never meet through it otherwise), as in our graph: out of
    # a zone to the place's start nodes (where routes start, with the first departure wait), into it from
    # every node of the place entered by a link.
    for place_index in zones_used:
        place = g.places[place_index]
        for node in g.compiled.start_nodes.get(place, ()):
            conn_src.append(int(place_index) + 1)
            conn_dst.append(node + p + 1)
        for node in g.compiled.place_nodes.get(place, ()):
            conn_src.append(node + p + 1)
            conn_dst.append(int(place_index) + 1)
    a = np.concatenate([src, np.array(conn_src, dtype=np.int64)])
    b = np.concatenate([dst, np.array(conn_dst, dtype=np.int64)])
    k = len(conn_src)
    network = pd.DataFrame(
        {
            "link_id": np.arange(1, len(a) + 1),
            "a_node": a,
            "b_node": b,
            "direction": np.ones(len(a), dtype=int),
            "free_flow_time": np.concatenate([problem.base_cost[:n_real], np.full(k, 1e-6)]),
            "capacity": np.concatenate([problem.capacity[0], np.full(k, 1e12)]),
            "alpha": ALPHA,
            "beta": BETA,
        }
    )
    graph = Graph()
    graph.network = network
    graph.mode = "f"
    centroids = zones_used.astype(np.int64) + 1
    graph.prepare_graph(centroids)
    graph.set_graph("free_flow_time")
    graph.set_skimming(["free_flow_time"])
    graph.set_blocked_centroid_flows(True)
    matrix = AequilibraeMatrix()
    matrix.create_empty(zones=len(centroids), matrix_names=["teu"], memory_only=True)
    matrix.index[:] = centroids[:]
    matrix.matrix["teu"][:, :] = demand
    matrix.computational_view(["teu"])
    traffic = TrafficClass("freight", graph, matrix)
    assignment = TrafficAssignment()
    assignment.set_classes([traffic])
    assignment.set_vdf("BPR")
    assignment.set_vdf_parameters({"alpha": "alpha", "beta": "beta"})
    assignment.set_capacity_field("capacity")
    assignment.set_time_field("free_flow_time")
    assignment.set_algorithm("bfw")
    assignment.max_iter = max_iterations
    assignment.rgap_target = target
    assignment.set_cores(1)
    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # its progress bars
        assignment.execute()
    seconds = time.perf_counter() - started
    results = assignment.results()
    column = "teu_ab" if "teu_ab" in results.columns else [c for c in results.columns if c.endswith("_ab")][0]
    volumes = results[column].reindex(np.arange(1, n_real + 1)).fillna(0.0).to_numpy()
    iterations = len(assignment.assignment.convergence_report["iteration"]) if hasattr(assignment.assignment, "convergence_report") else -1
    return volumes, seconds, iterations


def compare(name: str, network: planner.Network, zones: np.ndarray, demand: np.ndarray, target: float, max_iterations: int) -> dict[str, Any]:
    problem, g = problem_for(network, zones, demand, load=0.6)
    ours, ours_s, ours_it = run_ours(problem, target, max_iterations)
    # Its stopping test uses the costs of the step before: asked for the target, it returns volumes whose
    # own gap is larger. Ask again with tighter targets until the volumes it returns meet ours.
    asked = target
    for _ in range(4):
        theirs, theirs_s, theirs_it = run_aequilibrae(problem, g, zones, demand, asked, max_iterations)
        if gap_of(problem, theirs) <= target:
            break
        asked /= 4
    busy = np.maximum(ours, theirs) >= 0.01 * max(ours.max(), theirs.max())
    rel = np.abs(ours - theirs)[busy] / np.maximum(theirs[busy], 1e-9)
    return {
        "case": name,
        "places": len(g.places),
        "edges": int(problem.queues.shape[0]),
        "od_pairs": int(np.count_nonzero(demand)),
        "target_gap": target,
        "theirs_target_asked": asked,
        "ours_gap": gap_of(problem, ours),
        "theirs_gap": gap_of(problem, theirs),
        "ours_seconds": ours_s,
        "theirs_seconds": theirs_s,
        "ratio": ours_s / theirs_s,
        "ours_iterations": ours_it,
        "theirs_iterations": theirs_it,
        "max_rel_diff_busy_edges": float(rel.max(initial=0.0)),
        "p99_rel_diff_busy_edges": float(np.quantile(rel, 0.99)) if len(rel) else 0.0,
        "total_abs_diff_share": float(np.abs(ours - theirs).sum() / max(theirs.sum(), 1e-9)),
        "busy_edges": int(busy.sum()),
    }


def bundled_case(target: float, max_iterations: int) -> dict[str, Any]:
    network = planner.load_network()
    g = flow_graph(network)
    reachable = [i for i, place in enumerate(g.places) if g.compiled.place_nodes.get(place)]
    zones = np.array(reachable)
    rng = np.random.default_rng(17)
    demand = rng.uniform(100.0, 1000.0, size=(len(zones), len(zones)))
    np.fill_diagonal(demand, 0.0)
    return compare("bundled network, full OD of all places", network, zones, demand, target, max_iterations)


def synthetic_case(n_places: int, n_zones: int, target: float, max_iterations: int) -> dict[str, Any]:
    network = synthetic_network(n_places)
    g = flow_graph(network)
    candidates = [i for i, place in enumerate(g.places) if g.compiled.place_nodes.get(place)]
    rng = np.random.default_rng(23)
    zones = np.sort(rng.choice(candidates, size=min(n_zones, len(candidates)), replace=False))
    demand = rng.uniform(0.0, 10.0, size=(len(zones), len(zones)))
    np.fill_diagonal(demand, 0.0)
    return compare(f"synthetic {n_places:,} places, {len(zones):,} x {len(zones):,} OD", network, zones, demand, target, max_iterations)


def table(rows: list[dict[str, Any]]) -> str:
    head = f"{'case':48s} {'gap ours':>9s} {'gap AeQ':>9s} {'it ours':>7s} {'it AeQ':>6s} {'s ours':>8s} {'s AeQ':>8s} {'ratio':>6s} {'max dV':>7s} {'p99 dV':>7s} {'sum dV':>7s}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['case']:48s} {r['ours_gap']:9.2e} {r['theirs_gap']:9.2e} {r['ours_iterations']:7d} {r['theirs_iterations']:6d} "
            f"{r['ours_seconds']:8.2f} {r['theirs_seconds']:8.2f} {r['ratio']:6.2f} {r['max_rel_diff_busy_edges']:7.2%} "
            f"{r['p99_rel_diff_busy_edges']:7.2%} {r['total_abs_diff_share']:7.2%}"
        )
    return "\n".join(lines)


def run(large: bool = False) -> list[dict[str, Any]]:
    """The bundled case and the 900-place synthetic case; with ``large`` the 10,000-place case too."""
    rows = [bundled_case(1e-5, 2000), synthetic_case(900, 100, 1e-4, 1000)]
    if large:
        rows.append(synthetic_case(10_000, 1_000, 1e-4, 1000))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="add the 10,000-place network with a 1,000 x 1,000 OD (hours)")
    args = parser.parse_args()
    try:
        version = importlib.metadata.version("aequilibrae")
    except importlib.metadata.PackageNotFoundError:
        print("AequilibraE is not installed: pip install 'corridor-planner[bench]' (or make bench)", file=sys.stderr)
        return 2
    rows = run(args.large)
    print(f"assignment vs AequilibraE {version} (bfw, BPR 0.15/4, same relative gap recomputed on both; {os.cpu_count()} cores)")
    print(table(rows))
    out = ROOT / "benchmarks" / "results" / "assignment.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
