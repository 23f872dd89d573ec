"""A real ``corridor serve`` process on a free loopback port, spoken to over HTTP (and fuzzed by schemathesis)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
from api_helpers import TINY, assert_problem, free_port

import planner

ROOT = Path(__file__).resolve().parents[2]


def serve(*args: str, env: dict[str, str] | None = None, log: IO[str] | None = None) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    environment.update({"CORRIDOR_MAX_CONCURRENT_COMPUTATIONS": "2", "PYTHONPATH": str(ROOT)}, **(env or {}))
    return subprocess.Popen(
        [sys.executable, "-m", "corridor_cli.main", "serve", *args],
        cwd=ROOT,
        env=environment,
        # a log file, not a pipe: nobody reads a pipe while the server runs, and a full one blocks it
        stdout=log if log is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``corridor serve`` on the tiny fixture network."""
    yield from running("--network", str(TINY))


@pytest.fixture(scope="module")
def bundled_server() -> Iterator[str]:
    """``corridor serve`` exactly as ``make serve`` runs it: the bundled network (its OpenAPI examples are real)."""
    if not planner.bundled_network_path().exists():
        pytest.skip("the bundled network file is not written yet")
    yield from running()


@pytest.fixture(scope="module")
def guarded_server() -> Iterator[str]:
    """``corridor serve`` with small limits, to reach each of them quickly."""
    yield from running(
        "--network", str(TINY), "--header-timeout", "1", "--body-timeout", "1", "--max-connections", "6",
        "--max-header-bytes", "4096",
    )  # fmt: skip


def running(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``corridor serve ARGS`` on a free port until the generator is closed; ``env`` adds CORRIDOR_* settings."""
    port = free_port()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log, tempfile.TemporaryDirectory() as data_dir:
        env = {"CORRIDOR_RATE_LIMIT_PER_MINUTE": "0", "CORRIDOR_DATA_DIR": data_dir, **(env or {})}
        process = serve("--port", str(port), *args, env=env, log=log)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, _read(log)
                try:
                    if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "corridor serve did not become ready"
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert "auth off" in _read(log)


def _read(log: IO[str]) -> str:
    log.seek(0)
    return log.read()


def test_a_real_server_answers_routes_unknown_places_and_bad_fields(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        route = http.get("/v1/routes", params={"from": "Alpha", "to": "Gamma City", "k": 2})
        assert route.status_code == 200
        assert route.json()["routes"][0]["places"][0] == "a1"
        unknown = http.get("/v1/routes", params={"from": "Alpah", "to": "c2"})
        assert "Alpha" in assert_problem(unknown, 404, "unknown_place")["suggestions"]
        bad = http.post("/v1/routes", json={"origin": "a1", "destination": "c2", "k": "many"})
        assert assert_problem(bad, 422, "invalid_request")["errors"][0]["field"] == "k"


def _schemathesis(base: str, tmp_path: Path, *, examples: int, timeout: float) -> subprocess.CompletedProcess[str]:
    """``schemathesis run --checks all`` (positive data acceptance included) against ``base``; nothing excluded.

    The hooks (schemathesis_hooks.py) teach the generator the two scenario rules JSON Schema cannot
    state; the seed makes the run repeat itself.
    """
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if cli is None:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(Path(__file__).parent)}
    return subprocess.run(
        [
            cli,
            "run",
            base + "/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(examples),
            "--seed",
            "1",
            # one worker: schemathesis' own schema compilation is not thread-safe on Python 3.11
            # ("AST constructor recursion depth mismatch" seen with two)
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
        env=env,
    )


def _assert_clean(result: subprocess.CompletedProcess[str], examples: int) -> None:
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "excluded" not in result.stdout.lower()
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert counts is not None, result.stdout[-3000:]
    operations = re.search(r"Tested: (\d+)", result.stdout)
    assert operations is not None, result.stdout[-3000:]
    assert int(operations.group(1)) >= 22, result.stdout[-3000:]
    print(f"schemathesis --checks all: {counts.group(1)} cases generated, {counts.group(2)} passed")
    assert int(counts.group(1)) == int(counts.group(2)) >= examples * int(operations.group(1))


@pytest.mark.slow
def test_schemathesis_every_check_200_examples_per_operation_on_the_bundled_network(bundled_server: str, tmp_path: Path) -> None:
    _assert_clean(_schemathesis(bundled_server, tmp_path, examples=200, timeout=600), 200)


@pytest.mark.slow
def test_schemathesis_every_check_200_examples_per_operation_on_the_tiny_network(server: str, tmp_path: Path) -> None:
    _assert_clean(_schemathesis(server, tmp_path, examples=200, timeout=600), 200)


def test_serve_refuses_a_public_address_without_keys() -> None:
    process = serve("--host", "0.0.0.0", "--port", str(free_port()))
    output = process.communicate(timeout=30)[0]
    assert process.returncode == 2
    assert "refusing to bind 0.0.0.0 without API keys" in output


def test_serve_fails_at_start_up_on_a_bad_network_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(TINY.read_text().replace("distance_km: 100,", "distance_km: -100,"))
    process = serve("--port", str(free_port()), "--network", str(broken))
    output = process.communicate(timeout=30)[0]
    assert process.returncode == 1
    assert "broken.yaml" in output
    assert "distance_km" in output


def _exchange(base: str, pieces: list[bytes], *, pause: float = 0.0, wait: float = 5.0) -> tuple[float, bytes]:
    """Send raw bytes on a fresh connection (``pause`` s between pieces); return the seconds taken and all it got."""
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    received = b""
    with socket.create_connection((host, int(port)), timeout=wait) as conn:
        try:
            for piece in pieces:
                conn.sendall(piece)
                time.sleep(pause)
        except OSError:
            pass  # the server may close before everything is sent: what it answered is still read
        try:
            while chunk := conn.recv(65536):
                received += chunk
        except OSError:
            pass
    return time.monotonic() - started, received


def _problem_of(raw: bytes, status: int) -> dict[str, object]:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), raw[:300]
    assert b"content-type: application/problem+json" in head.lower(), head
    problem: dict[str, object] = json.loads(body)
    assert problem["status"] == status
    return problem


def test_uvicorns_own_400_is_problem_json(guarded_server: str) -> None:
    _, raw = _exchange(guarded_server, [b"NOT HTTP AT ALL\r\n\r\n"])
    assert _problem_of(raw, 400)["code"] == "bad_request"


def test_headers_sent_a_line_a_second_are_cut_at_the_header_timeout(guarded_server: str) -> None:
    lines = [b"GET /healthz HTTP/1.1\r\n", b"Host: x\r\n"] + [b"X-Slow: 1\r\n"] * 10
    took, raw = _exchange(guarded_server, lines, pause=0.5)
    assert _problem_of(raw, 408)["code"] == "request_timeout"
    assert took < 4


def test_an_idle_connection_is_closed_at_the_header_timeout(guarded_server: str) -> None:
    took, raw = _exchange(guarded_server, [])
    assert raw == b""
    assert took < 3


def test_headers_over_the_cap_get_431(guarded_server: str) -> None:
    _, raw = _exchange(guarded_server, [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n"])
    assert _problem_of(raw, 431)["code"] == "headers_too_large"


def test_a_body_sent_a_byte_at_a_time_is_cut_with_408(guarded_server: str) -> None:
    head = b"POST /v1/routes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    took, raw = _exchange(guarded_server, [head] + [b" "] * 20, pause=0.25)
    assert _problem_of(raw, 408)["code"] == "request_timeout"
    assert took < 5


def test_connections_past_the_cap_get_503_with_retry_after_and_the_server_recovers(guarded_server: str) -> None:
    host, port = guarded_server.removeprefix("http://").split(":")
    held = [socket.create_connection((host, int(port))) for _ in range(8)]
    try:
        time.sleep(0.2)
        _, raw = _exchange(guarded_server, [b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"])
        _problem_of(raw, 503)
        assert b"retry-after: 1" in raw.lower()
    finally:
        for conn in held:
            conn.close()
    time.sleep(0.3)
    assert httpx.get(guarded_server + "/healthz", timeout=5).status_code == 200


def test_head_is_answered_like_get_without_a_body(guarded_server: str) -> None:
    with httpx.Client(base_url=guarded_server, timeout=10) as http:
        for path in ("/healthz", "/v1/version", "/v1/places?q=alpha", "/openapi.json"):
            head, get = http.head(path), http.get(path)
            assert head.status_code == get.status_code == 200, path
            assert head.content == b""
            assert head.headers["content-type"] == get.headers["content-type"]
        post_only = http.head("/v1/batches/0123")
        assert post_only.status_code == 404


def test_a_real_server_never_drops_a_route_parameter(bundled_server: str) -> None:
    with httpx.Client(base_url=bundled_server, timeout=30) as http:
        honoured = http.get("/v1/routes", params={"from": "Xian", "to": "Duisburg", "avoid_countries": "RU"})
        assert honoured.status_code == 200, honoured.text
        assert all("RU" not in route["countries"] for route in honoured.json()["routes"])
        misspelt = http.get("/v1/routes", params={"from": "Xian", "to": "Duisburg", "avoid_countrys": "RU"})
        assert assert_problem(misspelt, 422)["errors"][0] == {
            "field": "avoid_countrys", "message": "unknown query parameter; did you mean avoid_countries?"
        }
        rank = http.get("/v1/routes", params={"from": "Xian", "to": "Duisburg", "rank": "fastest"})
        assert assert_problem(rank, 422)["detail"] == "rank: expected one of time, cost, co2e, generalized, reliable, pareto"
        none = http.get("/v1/routes", params={"from": "Xian", "to": "Tashkent", "max_border_crossings": "0"})
        assert assert_problem(none, 409, "no_route")["constraints"] == ["max_border_crossings"]
