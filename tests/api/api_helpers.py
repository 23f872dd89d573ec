"""Helpers for the API tests: settings on the tiny network, a started TestClient, the problem shape."""

from __future__ import annotations

import hashlib
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package (not on PyPI yet) instead of httpx; the client works the same.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TINY = FIXTURES / "tiny.yaml"
KEY_A = "test-key-alpha-0123456789"
KEY_B = "test-key-beta-9876543210"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def tiny_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "network": TINY,
        "max_concurrent_computations": 2,
        "rate_limit_per_minute": 0,
        "data_dir": Path(tempfile.mkdtemp(prefix="corridor-test-")),  # never the checkout's ./data
    }
    values.update(overrides)
    return Settings(**values)


def wait_ready(client: TestClient, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < end, "the server did not become ready"
        time.sleep(0.05)


def started(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        wait_ready(client)
        yield client


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with our members; return its body."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    for member in ("type", "title", "status", "detail", "code"):
        assert isinstance(body.get(member), int if member == "status" else str), (member, body)
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    for error in body.get("errors", []):
        assert set(error) == {"field", "message"}
    return body


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def grid_network_yaml(side: int) -> str:
    """A network file of ``side`` x ``side`` places joined to their east and south neighbours by rail and road.

    Many equally good paths: a Pareto front on it is slow to find, which is what deadline tests need.
    """
    lines = [
        "network: {id: grid, name: Grid test network, version: '1', description: A square grid, currency_year: 2024}",
        "sources:",
        "  TEST: {publisher: corridor-planner tests, title: Made-up grid, year: 2026}",
        "modes:",
    ]
    for mode, speed, cost, co2e in (("rail", 50, 1, 20), ("road", 60, 2, 80), ("sea", 25, 0.5, 10)):
        lines += [
            f"  {mode}:",
            f"    speed_kmh: {{value: {speed}, source: TEST}}",
            f"    cost_usd_per_teu_km: {{value: {cost}, source: TEST}}",
            f"    co2e_g_per_tonne_km: {{value: {co2e}, source: TEST}}",
        ]
    lines.append("places:")
    for y in range(side):
        for x in range(side):
            lines.append(
                f"  - {{id: g{x}_{y}, name: Grid {x} {y}, country: AA, lat: {10 + y * 0.1:.1f}, lon: {10 + x * 0.1:.1f},"
                " kinds: [city], source: TEST, transshipment: [{modes: [rail, road], hours: 1, cost_usd_per_teu: 5, source: TEST}]}"
            )
    lines.append("links:")
    n = 0
    for y in range(side):
        for x in range(side):
            for dx, dy in ((1, 0), (0, 1)):
                if x + dx < side and y + dy < side:
                    for mode in ("rail", "road"):
                        n += 1
                        gauge = ", gauge_mm: 1435" if mode == "rail" else ""
                        km = 10 + (x * 7 + y * 3 + dx) % 5
                        lines.append(
                            f"  - {{id: l{n}, from: g{x}_{y}, to: g{x + dx}_{y + dy}, mode: {mode}, distance_km: {km}{gauge}, source: TEST}}"
                        )
    return "\n".join(lines) + "\n"
