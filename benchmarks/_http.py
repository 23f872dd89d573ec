"""HTTP section: a real ``corridor serve`` (uvicorn) on loopback, loaded from a second process.

The load generator is ``wrk`` when installed (C, negligible client cost), else an async httpx
client in a separate Python process (``_loadgen.py``). Requests cycle over fixed OD pairs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``corridor serve --port N --workers W`` in its own process group."""

    def __init__(self, workers: int) -> None:
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            CORRIDOR_RATE_LIMIT_PER_MINUTE="0",  # the benchmark is one client; don't measure 429s
            PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        )
        cmd = [sys.executable, "-m", "corridor_cli.main", "serve", "--port", str(self.port), "--workers", str(workers),
               "--log-level", "warning"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        stop = time.monotonic() + timeout
        while time.monotonic() < stop:
            if self.proc.poll() is not None:
                break
            try:
                r = httpx.get(self.base + path, timeout=5.0)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.log.seek(0)
        raise RuntimeError(f"server did not answer 200 on {path}: {self.log.read()[-2000:].decode(errors='replace')}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def route_paths(pairs: list[tuple[str, str]], k: int = 1) -> list[str]:
    return [f"/v1/routes?from={quote(a)}&to={quote(b)}&k={k}" for a, b in pairs]


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        return float("nan")
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(base: str, paths: list[str], connections: int, seconds: float) -> dict[str, float]:
    lines = ",\n".join(json.dumps(p) for p in paths)
    script = (
        "local paths = {\n" + lines + "\n}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('BENCH %d %d %d %d %d\\n', summary.requests, summary.errors.status,"
        " summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,"
        " latency:percentile(50), latency:percentile(99)))\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        threads = max(1, min(2, connections))
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", f.name, base],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]
    m = re.search(r"BENCH (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    assert m, out
    n, bad_status, sock_err, p50_us, p99_us = (int(x) for x in m.groups())
    return {"p50_ms": p50_us / 1e3, "p99_ms": p99_us / 1e3, "rps": rps, "requests": float(n),
            "errors": float(bad_status + sock_err), "client": 0.0}


def run_httpx(base: str, paths: list[str], connections: int, seconds: float) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(paths, f)
    try:
        out = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("_loadgen.py")), base, f.name, str(connections), str(seconds)],
            capture_output=True, text=True, timeout=seconds + 120, check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    res: dict[str, float] = json.loads(out)
    res["client"] = 1.0
    return res


def load(base: str, paths: list[str], connections: int, seconds: float) -> dict[str, float]:
    if shutil.which("wrk"):
        return run_wrk(base, paths, connections, seconds)
    return run_httpx(base, paths, connections, seconds)
