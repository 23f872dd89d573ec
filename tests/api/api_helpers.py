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
