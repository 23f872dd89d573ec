"""Criticality of every asset of the bundled network against a full OD demand: the screen beside no screen.

    python benchmarks/criticality.py            # all 390 assets x every OD pair of the 162 places (100 TEU-eq each)
    python benchmarks/criticality.py --quick    # the border assets x the OD pairs among 60 places

Ours is ``planner.criticality`` as shipped: only the OD pairs whose baseline route uses an asset are
re-planned, and bridges of the public graph isolate their pairs without a search. The baseline is the
same engine with ``screen=False``: for every asset it re-plans every OD pair (one Dijkstra tree per
origin, every path walked and compared with the baseline route) and keeps those whose route changed,
then prices them as ours does (P90 included). Both must give the same ranking (checked, ``same_answer``).

Each case runs in its own process on a freshly loaded network, so every cache is cold (the compiled
graph, the Monte Carlo draws, the P90 of every path); the figures are the wall and CPU seconds of the
``criticality`` call alone, with the machine's load average beside them (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402

TEU_PER_PAIR = 100.0
QUICK_PLACES = 60
CASES = {
    "screen": {"screen": True, "workers": 1},
    "screen_2_processes": {"screen": True, "workers": 2},
    "no_screen": {"screen": False, "workers": 1},
}


def full_demand(network: planner.Network, places: int | None) -> planner.Demand:
    """Every ordered pair of (the first ``places``) places, TEU_PER_PAIR TEU-eq of containers a year each."""
    ids = list(network.places)[:places] if places else list(network.places)
    rows = [{"origin": a, "destination": b, "teu_per_year": TEU_PER_PAIR} for a in ids for b in ids if a != b]
    return planner.read_demand(rows, network, name=f"all_pairs_{len(ids)}")


def one_case(name: str, quick: bool) -> dict[str, Any]:
    """Run one case in this process (cold network) and return its figures."""
    network = planner.load_network()
    demand = full_demand(network, QUICK_PLACES if quick else None)
    kinds = ["border"] if quick else None
    load_before = os.getloadavg()[0]
    cpu_before = os.times()
    started = time.perf_counter()
    result = planner.criticality(network, demand=demand, kinds=kinds, **CASES[name])  # type: ignore[arg-type]
    wall = time.perf_counter() - started
    cpu_after = os.times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    cpu += (cpu_after.children_user - cpu_before.children_user) + (cpu_after.children_system - cpu_before.children_system)
    return {
        "case": name,
        "wall_s": wall,
        "cpu_s": cpu,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "assets": len(result.assets),
        "assets_with_flow": sum(1 for a in result.assets if a.pairs),
        "pairs": result.pairs,
        "teu_per_year": result.teu_per_year,
        "searches": result.searches,
        "bridges": result.bridges,
        "capacity_checked": result.capacity_checked,
        "ranking": [[a.asset.id, round(a.extra_generalized_usd, 3), round(a.lost_teu, 6)] for a in result.assets],
    }


def _in_subprocess(name: str, quick: bool) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--case", name] + (["--quick"] if quick else [])
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"criticality case {name} failed:\n{done.stderr}")
    data: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return data


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if [r[0] for r in a["ranking"]] != [r[0] for r in b["ranking"]]:
        return False
    return all(abs(x[1] - y[1]) <= 1e-6 * max(1.0, abs(x[1])) and abs(x[2] - y[2]) <= 1e-6 for x, y in zip(a["ranking"], b["ranking"], strict=True))


def run(quick: bool) -> list[dict[str, Any]]:
    """Every case, each in its own process; rows for the suite's table (benchmarks/run.py)."""
    results = {name: _in_subprocess(name, quick) for name in CASES}
    baseline = results["no_screen"]
    rows = []
    for name in ("screen", "screen_2_processes"):
        ours = results[name]
        rows.append(
            {
                "case": name,
                "assets": ours["assets"],
                "assets_with_flow": ours["assets_with_flow"],
                "pairs": ours["pairs"],
                "ours_wall_s": ours["wall_s"],
                "ours_cpu_s": ours["cpu_s"],
                "baseline_wall_s": baseline["wall_s"],
                "baseline_cpu_s": baseline["cpu_s"],
                "ratio": ours["wall_s"] / baseline["wall_s"],
                "ours_searches": ours["searches"],
                "baseline_searches": baseline["searches"],
                "load": [ours["load_before"], ours["load_after"], baseline["load_before"], baseline["load_after"]],
                "same_answer": _same(ours, baseline),
                "capacity_checked": ours["capacity_checked"],
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    head = "| case | assets (with flow) x OD pairs | ours wall / CPU s | no screen wall / CPU s | ratio | trees grown ours / no screen | same answer | load avg |"
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['assets']} ({r['assets_with_flow']}) x {r['pairs']:,} | {r['ours_wall_s']:.1f} / {r['ours_cpu_s']:.1f} "
            f"| {r['baseline_wall_s']:.1f} / {r['baseline_cpu_s']:.1f} | {r['ratio']:.2f} | {r['ours_searches']:,} / {r['baseline_searches']:,} "
            f"| {r['same_answer']} | {r['load'][0]:.1f}-{r['load'][1]:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the border assets x the OD pairs among 60 places")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(one_case(args.case, args.quick)))
        return 0
    rows = run(args.quick)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
