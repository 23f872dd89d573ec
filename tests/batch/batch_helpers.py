"""Checking batch results against planner.plan_routes, row by row (shared by the batch and API tests)."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import planner

TINY_PLACES = ("a1", "a2", "b1", "b2", "c1", "c2", "Alpha", "Gamma City")
NUMBERS = (
    "transit_hours",
    "transit_hours_p50",
    "transit_hours_p90",
    "cost_usd",
    "co2e_kg",
    "distance_km",
    "border_crossings",
    "transshipments",
)


def random_rows(n: int, *, seed: int = 7, bad_every: int = 97) -> list[dict[str, str]]:
    """Random OD pairs among the tiny network's places, some k=2, and a bad row every ``bad_every``."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        origin, destination = rng.sample(TINY_PLACES, 2)
        row = {"id": f"r{i}", "origin": origin, "destination": destination, "k": "", "teu": ""}
        if i % bad_every == 0:
            row["destination"] = "Atlantis"
        elif i % bad_every == 1:
            row["teu"] = "lots"
        elif i % 5 == 0:
            row["k"] = "2"
        rows.append(row)
    return rows


def to_csv(rows: Sequence[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read_output(text: str, fmt: str) -> list[dict[str, Any]]:
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return list(csv.DictReader(io.StringIO(text)))


def expected_lines(network: planner.Network, row: dict[str, str]) -> list[dict[str, Any]] | str:
    """What plan_routes says for a row: its routes' totals, or the name of the bad field."""
    if row["teu"] and not row["teu"].replace(".", "").isdigit():
        return "teu"
    try:
        plan = planner.plan_routes(network, row["origin"], row["destination"], k=int(row["k"] or 1))
    except planner.PlannerError as exc:
        return getattr(exc, "field", None) or exc.code
    return [
        {
            "rank": r.rank,
            "transit_hours": round(r.transit_hours, 2),
            "transit_hours_p50": round(r.transit_hours_p50, 2),
            "transit_hours_p90": round(r.transit_hours_p90, 2),
            "cost_usd": round(r.cost_usd, 2),
            "co2e_kg": round(r.co2e_kg, 2),
            "distance_km": round(r.distance_km, 1),
            "border_crossings": r.border_crossings,
            "transshipments": r.transshipments,
            "corridors": ";".join(c.id for c in r.corridors),
            "places": " > ".join(r.places),
        }
        for r in plan.routes
    ]


def check_results(network: planner.Network, rows: Sequence[dict[str, str]], output: list[dict[str, Any]]) -> None:
    """Every input row exactly once, in order, each ok row equal to plan_routes, each bad row an error naming it."""
    by_row: dict[int, list[dict[str, Any]]] = {}
    order: list[int] = []
    for line in output:
        n = int(line["row"])
        if not order or order[-1] != n:
            assert n not in by_row, f"row {n} appears twice or out of order"
            order.append(n)
        by_row.setdefault(n, []).append(line)
    assert order == list(range(1, len(rows) + 1))
    for n, row in enumerate(rows, start=1):
        lines, expected = by_row[n], expected_lines(network, row)
        assert all(line["id"] == row["id"] for line in lines)
        if isinstance(expected, str):
            assert len(lines) == 1
            assert lines[0]["status"] == "error"
            assert f"row {n}, field '{expected}'" in lines[0]["error"]
            continue
        assert [line["status"] for line in lines] == ["ok"] * len(expected)
        for line, want in zip(lines, expected, strict=True):
            for name, value in want.items():
                got = line[name]
                if isinstance(value, int | float):
                    assert float(got) == value, (n, name)
                else:
                    assert got == value, (n, name)


ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny.yaml"


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for running ``corridor`` as ``python -m corridor_cli.main`` from a checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def corridor_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "corridor_cli.main", *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
