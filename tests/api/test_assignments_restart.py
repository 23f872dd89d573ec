"""A real server killed with SIGKILL while an assignment runs finishes the job after a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))
from batch_helpers import corridor_command, free_port, subprocess_env  # noqa: E402

pytestmark = pytest.mark.slow


def _serve(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        corridor_command("serve", "--port", str(port), "--log-level", "warning"),
        env=subprocess_env(CORRIDOR_DATA_DIR=str(data_dir), CORRIDOR_RATE_LIMIT_PER_MINUTE="0"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the kill reaches the server's worker processes too, as a crash would
    )


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not start")


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_a_server_killed_while_an_assignment_runs_finishes_it_after_restart(tmp_path: Path) -> None:
    port, data_dir = free_port(), tmp_path / "data"
    base = f"http://127.0.0.1:{port}"
    # MSA to a gap it cannot reach: it runs its 1,500 iterations, long enough to be caught running.
    body = {"demand": "transit_2024", "method": "msa", "gap": 1e-12, "max_iterations": 1500}
    server = _serve(port, data_dir)
    try:
        _wait_up(base)
        response = httpx.post(base + "/v1/assignments", json=body, timeout=60)
        assert response.status_code == 202, response.text
        location = base + response.headers["location"]
        job: dict[str, Any] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = httpx.get(location, timeout=5).json()
            if job["status"] != "queued":
                break
            time.sleep(0.05)
        assert job["status"] == "running", f"could not catch the job running: {job}"
        time.sleep(0.5)
        _kill(server)

        server = _serve(port, data_dir)
        _wait_up(base)
        assert httpx.get(location, timeout=5).json()["status"] in ("queued", "running")
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            job = httpx.get(location, timeout=5).json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.25)
        assert job["status"] == "done", job
        result = httpx.get(location + "/results", timeout=60).json()
        assert result["iterations"] == 1500
        assert not result["converged"]
        assert result["warnings"]
        assert "did not reach" in result["warnings"][0]
        assert result["totals"]["teu_per_year"] == pytest.approx(1_405_670, rel=1e-3)
    finally:
        if server.poll() is None:
            _kill(server)
