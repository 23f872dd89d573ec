"""A real server killed with SIGKILL mid-batch resumes the job at restart; nothing lost or repeated."""

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
from batch_helpers import (
    TINY,
    check_results,
    corridor_command,
    free_port,
    random_rows,
    read_output,
    subprocess_env,
    to_csv,
)  # noqa: E402

import planner  # noqa: E402

pytestmark = pytest.mark.slow


def _serve(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        corridor_command("serve", "--port", str(port), "--network", str(TINY), "--log-level", "warning"),
        env=subprocess_env(CORRIDOR_DATA_DIR=str(data_dir), CORRIDOR_RATE_LIMIT_PER_MINUTE="0"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the kill reaches the server's worker processes too, as a crash would
    )


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 60
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


def test_a_server_killed_mid_job_finishes_it_after_restart(tmp_path: Path, tiny: planner.Network) -> None:
    rows = random_rows(8000, seed=13)
    port, data_dir = free_port(), tmp_path / "data"
    base = f"http://127.0.0.1:{port}"
    server = _serve(port, data_dir)
    try:
        _wait_up(base)
        response = httpx.post(
            base + "/v1/batches", content=to_csv(rows), headers={"Content-Type": "text/csv"}, timeout=60
        )
        assert response.status_code == 202, response.text
        location = base + response.headers["location"]
        job: dict[str, Any] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = httpx.get(location, timeout=5).json()
            if job["rows_done"] > 0 or job["status"] == "done":
                break
            time.sleep(0.02)
        assert 0 < job["rows_done"] < job["rows_total"], f"could not catch the job mid-way: {job}"
        _kill(server)

        server = _serve(port, data_dir)
        _wait_up(base)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job = httpx.get(location, timeout=5).json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.2)
        assert job["status"] == "done"
        assert job["rows_done"] == job["rows_total"] == 8000
        results = httpx.get(location + "/results", timeout=60)
        check_results(tiny, rows, read_output(results.text, "csv"))
    finally:
        if server.poll() is None:
            _kill(server)
