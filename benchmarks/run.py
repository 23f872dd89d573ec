"""corridor-planner benchmark suite: one entry point, a table on stdout, figures in results/latest.json.

    python benchmarks/run.py            # full run (< 10 minutes on 2 cores)
    python benchmarks/run.py --quick    # tiny sizes, a smoke run (seconds)
    python benchmarks/run.py --only inproc,alternatives   # other sections' rows in the file are kept

Every figure of ours is measured beside a baseline answering the same query the plain way, in
the same run, and reported as a ratio ours / baseline (for latency lower is better; for
throughput, higher). See README.md, "Benchmarks".
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

import planner  # noqa: E402
from api.common import RESPONSES  # noqa: E402
from benchmarks import _baseline as base  # noqa: E402
from benchmarks._stats import latencies, pct, ratio, summary  # noqa: E402
from planner import _search  # noqa: E402
from planner._compile import compiled  # noqa: E402
from planner.pareto import dominates  # noqa: E402
from planner.request import Rank  # noqa: E402
from planner.weights import criterion_weights  # noqa: E402

SECTIONS = ("inproc", "http", "alternatives", "batch", "scale", "assignment", "matrix", "criticality")


class Report:
    """Rows of the table: a figure of ours, its baseline, the ratio, and the target if there is one."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.details: dict[str, Any] = {}
        self.suite = ""

    def add(
        self,
        section: str,
        figure: str,
        ours: float,
        unit: str,
        baseline: float | None = None,
        baseline_name: str = "",
        *,
        target: float | None = None,
        higher_is_better: bool = False,
        note: str = "",
    ) -> None:
        met = None
        if target is not None and ours == ours:
            met = ours >= target if higher_is_better else ours <= target
        self.rows.append(
            {
                "suite": self.suite,
                "section": section,
                "figure": figure,
                "ours": ours,
                "unit": unit,
                "baseline": baseline,
                "baseline_name": baseline_name,
                "ratio": ratio(ours, baseline) if baseline is not None else None,
                "target": target,
                "target_op": ">=" if higher_is_better else "<=",
                "met": met,
                "note": note,
            }
        )
        print(f"  {figure}: {ours:.4g} {unit}" + (f"  (baseline {baseline:.4g})" if baseline is not None else ""),
              flush=True)

    def table(self) -> str:
        head = "| section | figure | ours | baseline | ours/baseline | target | met |"
        lines = [head, "|---|---|---|---|---|---|---|"]
        for r in self.rows:
            b = "" if r["baseline"] is None else f"{_fmt(r['baseline'])} ({r['baseline_name']})"
            rt = "" if r["ratio"] is None else f"{r['ratio']:.3g}"
            tg = "" if r["target"] is None else f"{r['target_op']} {_fmt(r['target'])}"
            met = {None: "", True: "yes", False: "**no**"}[r["met"]]
            note = f" — {r['note']}" if r["note"] else ""
            lines.append(
                f"| {r['section']} | {r['figure']}{note} | {_fmt(r['ours'])} {r['unit']} | {b} | {rt} | {tg} | {met} |"
            )
        return "\n".join(lines)


def _fmt(v: float) -> str:
    if v != v:
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "networkx": nx.__version__,
        "commit": commit,
    }


def bundled_pairs(network: planner.Network, n: int, seed: int = 5) -> list[tuple[str, str]]:
    """Deterministic OD pairs of the bundled network that have a route."""
    graph = compiled(network)
    weights = criterion_weights(graph, Rank.TIME, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    ids = sorted(network.places)
    rnd = random.Random(seed)
    out: list[tuple[str, str]] = []
    while len(out) < n:
        a, b = rnd.sample(ids, 2)
        if _search.best_path(graph, weights, [a, b], _search.Limits()) is not None:
            out.append((a, b))
    return out


# --- (a) one best route, in process ---------------------------------------------------------------


def cold_plan(network: planner.Network, a: str, b: str, **options: Any) -> planner.RoutePlan:
    """A plan computed afresh, without the plan cache.

    What is built once per network stays built, as in a running server: the compiled graph, its
    weights and each part's Monte Carlo draws.
    """
    return planner.plan(network, planner.resolve_request(network, a, b, **options), use_cache=False)


def bench_inproc(rep: Report, network: planner.Network, pairs: list[tuple[str, str]], rounds: int) -> None:
    print("(a) one best route, in process", flush=True)
    for a, b in pairs[:20]:  # warm caches (compiled graph, weights, lookup index)
        planner.plan_routes(network, a, b, k=1)
    cold = latencies([lambda a=a, b=b: cold_plan(network, a, b, k=1) for a, b in pairs], rounds=rounds)
    ours = latencies([lambda a=a, b=b: planner.plan_routes(network, a, b, k=1) for a, b in pairs], rounds=rounds)
    g = base.nx_unexpanded(network)
    w = base.nx_weight(network)
    nxl = latencies([lambda a=a, b=b: nx.dijkstra_path(g, a, b, weight=w) for a, b in pairs], rounds=rounds)
    graph = compiled(network)
    weights = criterion_weights(graph, Rank.TIME, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    limits = _search.Limits()
    core = latencies([lambda a=a, b=b: _search.best_path(graph, weights, [a, b], limits) for a, b in pairs], rounds=rounds)
    matrix = base.csr_of(graph, weights)
    sp = latencies([lambda a=a, b=b: base.scipy_best(matrix, graph, a, b) for a, b in pairs], rounds=rounds)
    s_ours, s_nx, s_cold = summary(ours), summary(nxl), summary(cold)
    rep.details["inproc"] = {"plan_routes_k1": s_ours, "plan_k1_cold": s_cold, "nx_dijkstra_path": s_nx,
                             "search_core": summary(core), "scipy_expanded": summary(sp), "pairs": len(pairs),
                             "rounds": rounds}
    rep.add("a in-process", "k=1 full route, cold p50", s_cold["p50_ms"], "ms", s_nx["p50_ms"], "nx dijkstra_path",
            target=0.3)
    rep.add("a in-process", "k=1 full route, cold p99", s_cold["p99_ms"], "ms", s_nx["p99_ms"], "nx dijkstra_path")
    rep.add("a in-process", "plan_routes k=1 repeated query p50", s_ours["p50_ms"], "ms", s_nx["p50_ms"],
            "nx dijkstra_path", note="per-network plan cache")
    rep.add("a in-process", "search core only (best_path) p50", summary(core)["p50_ms"], "ms", summary(sp)["p50_ms"],
            "scipy csgraph, expanded")


# --- (a) over HTTP ------------------------------------------------------------------------------


def bench_http(rep: Report, network: planner.Network, seconds: float, quick: bool) -> None:
    from benchmarks import _http, _http_mix

    print("(a) routes over HTTP (uvicorn, 2 server processes, loopback), uncached", flush=True)
    mixes = _http_mix.build(network, mixed_size=2_000 if quick else 30_000)
    warm, k1_c1, k1_c32 = mixes.k1[:4_000], mixes.k1[4_000:24_000], mixes.k1[24_000:]
    wrk = _http.shutil.which("wrk") is not None
    if not wrk:
        print("  note: wrk is not installed; load comes from an async httpx client in one Python process "
              "(it costs server CPU on the same cores: figures are lower than with wrk)", flush=True)
    out: dict[str, Any] = {
        "load_generator": "wrk" if wrk else "httpx (async, 1 process)",
        "server_processes": 2,
        "distinct": {"k1": len(mixes.k1), "k1_c1": len(k1_c1), "k1_c32": len(k1_c32), "mixed": len(mixes.mixed),
                     "fixed": len(mixes.fixed), "routable_pairs": mixes.pairs},
        "cache_bounds": {"API responses": RESPONSES.max_entries, "plans": planner.routing.PLAN_CACHE_SIZE},
    }  # fmt: skip
    servers: list[tuple[str, dict[str, str] | None, list[str] | None, list[tuple[str, list[str], int]]]] = [
        ("ours", None, None, [("k1_c1", k1_c1, 1), ("k1_c32", k1_c32, 32), ("mixed_c32", mixes.mixed, 32),
                              ("fixed_c32", mixes.fixed, 32)]),
        ("all_in_workers", {"CORRIDOR_INLINE_MAX_K": "0"}, None, [("k1_c32", k1_c32, 32), ("mixed_c32", mixes.mixed, 32)]),
        ("loop", {"CORRIDOR_INLINE_MODE": "loop"}, None, [("k1_c1", k1_c1, 1), ("k1_c32", k1_c32, 32)]),
        # every request takes a token from the bucket both server processes share (one client: one hot row)
        ("rate_limited", {"CORRIDOR_RATE_LIMIT_PER_MINUTE": "1000000000"}, None, [("k1_c1", k1_c1, 1), ("k1_c32", k1_c32, 32)]),
        ("nx_app", None, [sys.executable, "-m", "uvicorn", "benchmarks._nx_app:create_app", "--factory", "--port", "{port}",
                          "--workers", "{workers}", "--log-level", "warning", "--no-access-log"],
         [("k1_c1", k1_c1, 1), ("k1_c32", k1_c32, 32)]),
    ]  # fmt: skip
    for name, env, command, runs in servers:
        server = _http.Server(2, env=env, command=command)
        res: dict[str, Any] = {}
        try:
            server.wait_ready(warm[0])
            if command is None:
                server.wait_workers()
            _http.load(server.base, warm, 4, min(2.0, seconds))  # every process and worker warm
            for run, paths, conns in runs:
                before = server.metrics() if command is None else {}
                on_cpu, waiting = server.sched()
                began = time.perf_counter()
                r: dict[str, Any] = dict(_http.load(server.base, paths, conns, seconds))
                wall = time.perf_counter() - began
                on_cpu_after, waiting_after = server.sched()
                r["server_cpu_ms_per_2xx"] = 1e3 * (on_cpu_after - on_cpu) / r["ok"] if r["ok"] else float("nan")
                r["server_cores_used"] = (on_cpu_after - on_cpu) / wall
                r["server_cores_waiting"] = (waiting_after - waiting) / wall  # runnable, no CPU free
                if command is None:
                    r["server"] = _http.counters(before, server.metrics())
                r["distinct_in_list"] = len(paths)
                r["repeats"] = r["requests"] > len(paths)
                res[run] = r
                print(f"  {name} {run}: {r['ok_rps']:.0f} 2xx/s, {r['non_2xx']:.0f} non-2xx of {r['requests']:.0f}, "
                      f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
                      f"server CPU {r['server_cpu_ms_per_2xx']:.3f} ms per 2xx, on {r['server_cores_used']:.2f} cores, "
                      f"{r['server_cores_waiting']:.2f} cores' worth of threads waiting for a CPU", flush=True)
        except Exception as exc:  # report and go on
            res["error"] = repr(exc)[:500]
            print(f"  HTTP server {name} failed: {exc!r}"[:600], flush=True)
        finally:
            server.stop()
        out[name] = res
    rep.details["http"] = out
    _http_rows(rep, out)


def _http_rows(rep: Report, out: dict[str, Any]) -> None:
    from benchmarks._http import hit_rate

    def get(server: str, run: str, key: str) -> float:
        value = out.get(server, {}).get(run, {}).get(key)
        return float(value) if value is not None else float("nan")

    def shed(server: str, run: str) -> float:
        r = out.get(server, {}).get(run, {})
        return 100.0 * r["non_2xx"] / r["requests"] if r.get("requests") else float("nan")

    def cores(server: str, run: str) -> str:
        r = out.get(server, {}).get(run, {})
        if "server_cores_used" not in r:
            return ""
        return (f"server on {r['server_cores_used']:.2f} of 2 cores, threads waiting for a CPU "
                f"{r['server_cores_waiting']:.2f} cores' worth")

    def rates(run: str) -> str:
        c = out.get("ours", {}).get(run, {}).get("server", {})
        return (f"response cache hits {100 * hit_rate(c, 'API responses'):.1f} %, plan cache hits "
                f"{100 * hit_rate(c, 'plans'):.1f} %") if c else ""

    n = out["distinct"]
    k1 = f"{n['k1']:,} distinct (every routable pair x 3 ranks)"
    sec = "a HTTP"
    rep.add(sec, "uncached GET /v1/routes k=1, c=1: p50", get("ours", "k1_c1", "p50_ms"), "ms",
            get("nx_app", "k1_c1", "p50_ms"), "FastAPI + nx dijkstra_path", target=1.0, note=k1)
    rep.add(sec, "uncached k=1, c=1: p99", get("ours", "k1_c1", "p99_ms"), "ms",
            get("nx_app", "k1_c1", "p99_ms"), "FastAPI + nx dijkstra_path")
    rep.add(sec, "uncached k=1, c=1: 2xx answers/s", get("ours", "k1_c1", "ok_rps"), "req/s",
            get("nx_app", "k1_c1", "ok_rps"), "FastAPI + nx dijkstra_path", higher_is_better=True)
    rep.add(sec, "uncached k=1, c=32: 2xx answers/s", get("ours", "k1_c32", "ok_rps"), "req/s",
            get("nx_app", "k1_c32", "ok_rps"), "FastAPI + nx dijkstra_path", target=2_500.0, higher_is_better=True,
            note="; ".join(x for x in (rates("k1_c32"), cores("ours", "k1_c32")) if x))
    rep.add(sec, "uncached k=1, c=32: 2xx answers/s vs all in workers", get("ours", "k1_c32", "ok_rps"), "req/s",
            get("all_in_workers", "k1_c32", "ok_rps"), "all in workers, queued", higher_is_better=True,
            note=cores("all_in_workers", "k1_c32").replace("server", "all in workers:"))
    rep.add(sec, "uncached k=1, c=32: shed (non-2xx)", shed("ours", "k1_c32"), "%", shed("all_in_workers", "k1_c32"),
            "all in workers, queued", target=0.0)
    rep.add(sec, "uncached k=1, c=32: server CPU per 2xx answer", get("ours", "k1_c32", "server_cpu_ms_per_2xx"), "ms",
            get("nx_app", "k1_c32", "server_cpu_ms_per_2xx"), "FastAPI + nx dijkstra_path",
            note="every process of the server; less sensitive to a busy machine than req/s")
    rep.add(sec, "uncached k=1, c=32: p50", get("ours", "k1_c32", "p50_ms"), "ms",
            get("nx_app", "k1_c32", "p50_ms"), "FastAPI + nx dijkstra_path")
    rep.add(sec, "uncached k=1, c=32: p99", get("ours", "k1_c32", "p99_ms"), "ms",
            get("nx_app", "k1_c32", "p99_ms"), "FastAPI + nx dijkstra_path", target=50.0)
    rep.add(sec, "uncached k=1, c=32: 2xx answers/s, cheap requests on the event loop", get("loop", "k1_c32", "ok_rps"),
            "req/s", get("ours", "k1_c32", "ok_rps"), "in a compute thread (default)", higher_is_better=True)
    rep.add(sec, "uncached k=1, c=32: server CPU per 2xx, on the event loop", get("loop", "k1_c32", "server_cpu_ms_per_2xx"),
            "ms", get("ours", "k1_c32", "server_cpu_ms_per_2xx"), "in a compute thread (default)")
    rep.add(sec, "uncached k=1, c=1: p50, on the event loop", get("loop", "k1_c1", "p50_ms"), "ms",
            get("ours", "k1_c1", "p50_ms"), "in a compute thread (default)")
    limited = "a limit shared by both server processes (SQLite, api/ratelimit.py), every request of one client"
    rep.add(sec, "uncached k=1, c=32: 2xx answers/s, rate limit on", get("rate_limited", "k1_c32", "ok_rps"), "req/s",
            get("ours", "k1_c32", "ok_rps"), "rate limit off", higher_is_better=True, note=limited)
    rep.add(sec, "uncached k=1, c=32: server CPU per 2xx, rate limit on", get("rate_limited", "k1_c32", "server_cpu_ms_per_2xx"),
            "ms", get("ours", "k1_c32", "server_cpu_ms_per_2xx"), "rate limit off")
    rep.add(sec, "uncached k=1, c=1: p50, rate limit on", get("rate_limited", "k1_c1", "p50_ms"), "ms",
            get("ours", "k1_c1", "p50_ms"), "rate limit off")
    mixed = f"{n['mixed']:,} distinct: 70 % k=1, 20 % k=3 avoiding a country, 10 % compare"
    rep.add(sec, "mixed, c=32: 2xx answers/s", get("ours", "mixed_c32", "ok_rps"), "req/s",
            get("all_in_workers", "mixed_c32", "ok_rps"), "all in workers, queued", higher_is_better=True, note=mixed)
    rep.add(sec, "mixed, c=32: shed (non-2xx)", shed("ours", "mixed_c32"), "%", shed("all_in_workers", "mixed_c32"),
            "all in workers, queued", target=0.0, note=rates("mixed_c32"))
    rep.add(sec, "mixed, c=32: p50", get("ours", "mixed_c32", "p50_ms"), "ms",
            get("all_in_workers", "mixed_c32", "p50_ms"), "all in workers, queued")
    rep.add(sec, "mixed, c=32: p99", get("ours", "mixed_c32", "p99_ms"), "ms",
            get("all_in_workers", "mixed_c32", "p99_ms"), "all in workers, queued")
    rep.add(sec, "cached: 100 fixed k=1 requests, c=32: 2xx answers/s", get("ours", "fixed_c32", "ok_rps"), "req/s",
            get("ours", "k1_c32", "ok_rps"), "ours, uncached", higher_is_better=True, note=rates("fixed_c32"))
    rep.add(sec, "cached, c=32: p99", get("ours", "fixed_c32", "p99_ms"), "ms", get("ours", "k1_c32", "p99_ms"),
            "ours, uncached")


# --- (b) k=5 alternatives and the Pareto front -------------------------------------------------


def _nx_pareto(network: planner.Network, g: nx.DiGraph, a: str, b: str, w: Any, paths: int = 20) -> list[Any]:
    """Plain approach: the first ``paths`` simple paths by hours, priced, non-dominated ones kept."""
    vecs = []
    for p in itertools.islice(nx.shortest_simple_paths(g, a, b, weight=w), paths):
        h = c = e = 0.0
        for u, v in itertools.pairwise(p):
            link = min(g[u][v]["links"], key=lambda x: base.link_hours(network, x, u))
            h += base.link_hours(network, link, u)
            d = link.distance_km.value
            defaults = network.modes[link.mode]
            c += link.cost_usd_per_teu.value if link.cost_usd_per_teu else d * defaults.cost_usd_per_teu_km.value
            e += d * (link.co2e_g_per_tonne_km or defaults.co2e_g_per_tonne_km).value
        vecs.append((h, c, e))
    return [v for v in vecs if not any(dominates(o, v) for o in vecs)]


def bench_alternatives(rep: Report, network: planner.Network, pairs: list[tuple[str, str]], rounds: int) -> None:
    print("(b) k=5 diverse alternatives and the Pareto front", flush=True)
    g = base.nx_unexpanded(network)
    w = base.nx_weight(network)
    k5 = latencies([lambda a=a, b=b: cold_plan(network, a, b, k=5) for a, b in pairs], rounds=rounds)
    nx5 = latencies(
        [lambda a=a, b=b: list(itertools.islice(nx.shortest_simple_paths(g, a, b, weight=w), 5)) for a, b in pairs],
        rounds=rounds,
    )
    par = latencies([lambda a=a, b=b: cold_plan(network, a, b, k=20, rank="pareto") for a, b in pairs], rounds=rounds)
    nxp = latencies([lambda a=a, b=b: _nx_pareto(network, g, a, b, w) for a, b in pairs], rounds=rounds)
    rep.details["alternatives"] = {"k5": summary(k5), "nx_k5": summary(nx5), "pareto": summary(par),
                                   "nx_pareto_filter20": summary(nxp)}
    rep.add("b alternatives", "k=5 p50", pct(k5, 50), "ms", pct(nx5, 50), "nx shortest_simple_paths x5", target=5.0)
    rep.add("b alternatives", "k=5 p99", pct(k5, 99), "ms", pct(nx5, 99), "nx shortest_simple_paths x5")
    rep.add("b alternatives", "Pareto front p50", pct(par, 50), "ms", pct(nxp, 50), "nx 20 simple paths + filter",
            target=30.0)
    rep.add("b alternatives", "Pareto front p99", pct(par, 99), "ms", pct(nxp, 99), "nx 20 simple paths + filter")


# --- (c) batch ----------------------------------------------------------------------------------


def bench_batch(rep: Report, network: planner.Network, *, quick: bool) -> None:
    from benchmarks import matrix

    matrix.bench_batch(rep, network, quick=quick)


def bench_matrix(rep: Report, network: planner.Network, *, quick: bool) -> None:
    from benchmarks import matrix

    matrix.bench_matrix(rep, network, quick=quick)


# --- (d) scale ----------------------------------------------------------------------------------


def bench_scale(rep: Report, sizes: list[int], pairs: int, budget: float, timeout: float) -> None:
    print(f"(d) scale: synthetic networks of {sizes} places", flush=True)
    out: dict[str, Any] = {}
    worker = Path(__file__).with_name("_scale_worker.py")
    for n in sizes:
        cmd = [sys.executable, str(worker), str(n), "--pairs", str(pairs), "--budget", str(budget)]
        if n > 20_000:
            cmd += ["--skip-nx-k5"]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            out[str(n)] = {"error": f"did not finish within {timeout:.0f} s"}
            rep.add("d scale", f"{n:,} places", float("nan"), "", note=f"did not finish within {timeout:.0f} s")
            continue
        except (subprocess.CalledProcessError, ValueError, IndexError) as exc:
            err = getattr(exc, "stderr", "") or ""
            out[str(n)] = {"error": repr(exc)[:300], "stderr": err[-1500:]}
            rep.add("d scale", f"{n:,} places", float("nan"), "", note=f"failed: {type(exc).__name__}")
            continue
        r["wall_s"] = time.perf_counter() - t0
        out[str(n)] = r
        big = n >= 300_000
        s = f"{n:,} places"
        rep.add("d scale", f"{s}: load (build + compile)", r["load_s"], "s", r["nx_build_s"], "nx graph build",
                target=30.0 if big else None, note=f"{r['nodes']:,} states, {r['edges']:,} edges")
        rep.add("d scale", f"{s}: peak RSS", r["rss_peak_mib"] / 1024.0, "GiB", target=4.0 if big else None)
        rep.add("d scale", f"{s}: plan_routes k=1 p50", r["ours_k1"]["p50_ms"], "ms", r["scipy_k1"]["p50_ms"],
                "scipy csgraph, expanded", target=2 * r["scipy_k1"]["p50_ms"] if big else None,
                note="target = 2x scipy" if big else "")
        rep.add("d scale", f"{s}: search core k=1 p50", r["ours_core_k1"]["p50_ms"], "ms", r["scipy_k1"]["p50_ms"],
                "scipy csgraph, expanded")
        rep.add("d scale", f"{s}: k=1 vs networkx", r["ours_k1"]["p50_ms"], "ms", r["nx_k1"]["p50_ms"],
                "nx dijkstra_path")
        nx5 = r.get("nx_k5")
        rep.add("d scale", f"{s}: plan_routes k=5 p50", r["ours_k5"]["p50_ms"], "ms",
                nx5["p50_ms"] if nx5 else None, "nx shortest_simple_paths x5" if nx5 else "",
                target=2000.0 if big else None,
                note="; ".join(x for x in (
                    "" if nx5 else "nx k=5 baseline skipped (too slow at this size)",
                    f"{r['ours_k5']['stopped_at_deadline']} of {r['ours_k5']['n']:.0f} stopped at their "
                    f"{r['ours_k5']['deadline_s']:.0f} s deadline" if r["ours_k5"].get("stopped_at_deadline") else "",
                ) if x))  # fmt: skip
    rep.details["scale"] = out


def bench_assignment(rep: Report, *, quick: bool) -> None:
    """Ours against AequilibraE on the same problems (benchmarks/assignment.py); skipped without AequilibraE."""
    from benchmarks import assignment

    try:
        # The bundled case and the 900-place one; the 10,000-place case (hours) is `assignment.py --large`.
        rows = assignment.run() if not quick else [assignment.bundled_case(1e-4, 500)]
    except ImportError:
        print("assignment: AequilibraE is not installed (make bench installs it); section skipped", flush=True)
        return
    rep.details["assignment"] = rows
    for row in rows:
        rep.add(
            "assignment",
            f"{row['case']}: seconds to gap {row['target_gap']:g}",
            row["ours_seconds"],
            "s",
            row["theirs_seconds"],
            "AequilibraE bfw",
            target=row["theirs_seconds"],
            note=f"max volume difference {row['max_rel_diff_busy_edges']:.2%} on busy edges; gaps {row['ours_gap']:.1e} / {row['theirs_gap']:.1e}",
        )


def bench_criticality(rep: Report, *, quick: bool) -> None:
    """Every asset against a full OD demand, with the screen and without it (benchmarks/criticality.py)."""
    from benchmarks import criticality

    rows = criticality.run(quick)
    rep.details["criticality"] = rows
    for row in rows:
        processes = "2 processes" if row["case"] == "screen_2_processes" else "1 process"
        rep.add(
            "criticality",
            f"{row['assets']} assets x {row['pairs']:,} OD pairs, {processes}: seconds",
            row["ours_wall_s"],
            "s",
            row["baseline_wall_s"],
            "no screen (every pair re-planned)",
            target=30.0,
            note=f"CPU {row['ours_cpu_s']:.1f} / {row['baseline_cpu_s']:.1f} s; same answer: {row['same_answer']}",
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    ap.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    ap.add_argument("--out", type=Path, default=None, help="JSON output (default benchmarks/results/latest.json)")
    args = ap.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    unknown = only - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")
    q = args.quick
    out = args.out or (ROOT / "benchmarks" / "results" / ("quick.json" if q else "latest.json"))
    rep = Report()
    info = machine()
    print(f"machine: {info['nproc']} cpus, {info['cpu']}, Python {info['python']}", flush=True)
    t_start = time.perf_counter()
    network = planner.load_network()
    pairs = bundled_pairs(network, 10 if q else 100)
    runs: dict[str, Any] = {}
    for suite in (s for s in SECTIONS if s in only):
        rep.suite = suite
        began = time.perf_counter()
        if suite == "inproc":
            bench_inproc(rep, network, pairs, rounds=1 if q else 5)
        elif suite == "http":
            bench_http(rep, network, seconds=1.0 if q else 8.0, quick=q)
        elif suite == "alternatives":
            bench_alternatives(rep, network, pairs[:5] if q else pairs, rounds=1 if q else 2)
        elif suite == "batch":
            bench_batch(rep, network, quick=q)
        elif suite == "scale":
            sizes = [2_000] if q else [10_000, 100_000, 300_000]
            bench_scale(rep, sizes, pairs=2 if q else 5, budget=5.0 if q else 20.0, timeout=120.0 if q else 900.0)
        elif suite == "assignment":
            bench_assignment(rep, quick=q)
        elif suite == "matrix":
            bench_matrix(rep, network, quick=q)
        elif suite == "criticality":
            bench_criticality(rep, quick=q)
        runs[suite] = {"commit": info["commit"], "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
                       "elapsed_s": round(time.perf_counter() - began, 1)}  # fmt: skip
    result = {
        "machine": info,
        "quick": q,
        "sections": sorted(only),
        "elapsed_s": time.perf_counter() - t_start,
        "runs": runs,
        "rows": rep.rows,
        "details": rep.details,
        "command": "python benchmarks/run.py" + (" --quick" if q else ""),
    }
    if only != set(SECTIONS):
        result = _merge(out, result, only)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print()
    print(f"Machine: nproc={info['nproc']}, CPU: {info['cpu']}, Python {info['python']}")
    print(rep.table())
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} in {result['elapsed_s']:.0f} s")
    return 0


_LEGACY_SUITES = {"a in-process": "inproc", "a HTTP": "http", "b alternatives": "alternatives", "c batch": "batch",
                  "d scale": "scale", "g matrix": "matrix"}  # fmt: skip


def _merge(out: Path, result: dict[str, Any], only: set[str]) -> dict[str, Any]:
    """``result`` with the rows and details of the sections not run taken from the file already at ``out``."""
    try:
        old = json.loads(out.read_text())
    except (OSError, ValueError):
        return result
    if old.get("quick") != result["quick"]:
        return result

    def suite(row: dict[str, Any]) -> str:
        return str(row.get("suite") or _LEGACY_SUITES.get(row.get("section", ""), ""))

    rows = [r for r in old.get("rows", []) if suite(r) not in only] + result["rows"]
    rows.sort(key=lambda r: SECTIONS.index(suite(r)) if suite(r) in SECTIONS else len(SECTIONS))
    old_runs = old.get("runs") or {s: {"commit": old.get("machine", {}).get("commit")} for s in old.get("sections", [])}
    runs = {s: v for s, v in old_runs.items() if s not in only} | result["runs"]
    details = {k: v for k, v in old.get("details", {}).items() if k not in only} | result["details"]
    sections = sorted(set(old.get("sections", [])) | only)
    return {**result, "sections": sections, "runs": runs, "rows": rows, "details": details,
            "command": "python benchmarks/run.py (sections run separately, see runs)"}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
