"""HTTP section: a real ``corridor serve`` (uvicorn) on loopback, loaded from a second process.

The load generator is ``wrk`` when installed (C, little client cost), else an async httpx
client in a separate Python process (``_loadgen.py``). Requests cycle over a list of paths; each
wrk thread starts on its own slice of the list, so a list longer than the run's requests is
sent without a repeat. Server-side cache and compute counters come from ``GET /v1/metrics`` of
every server process.
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
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``corridor serve --port N --workers W`` (or ``command`` with ``{port}``) in its own process group."""

    def __init__(self, workers: int, env: dict[str, str] | None = None, command: list[str] | None = None) -> None:
        self.port = free_port()
        self.workers = workers
        self.data_dir = tempfile.TemporaryDirectory(prefix="corridor-bench-")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
        environment.update(
            CORRIDOR_RATE_LIMIT_PER_MINUTE="0",  # the benchmark is one client; don't measure 429s (unless env says)
            CORRIDOR_DATA_DIR=self.data_dir.name,
            PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        )
        environment.update(env or {})
        cmd = [sys.executable, "-m", "corridor_cli.main", "serve", "--port", str(self.port), "--workers", str(workers),
               "--log-level", "warning"]
        if command is not None:
            cmd = [part.format(port=self.port, workers=workers) for part in command]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=environment, stdout=self.log, stderr=self.log, start_new_session=True)
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
        self.data_dir.cleanup()


    def metrics(self, attempts: int = 200) -> dict[int, dict[str, Any]]:
        """``/v1/metrics`` of every server process, by pid (new connections until each has answered)."""
        seen: dict[int, dict[str, Any]] = {}
        for _ in range(attempts):
            r = httpx.get(self.base + "/v1/metrics", headers={"Connection": "close"}, timeout=10.0)
            r.raise_for_status()
            data = r.json()
            seen[int(data["pid"])] = data
            if len(seen) == self.workers:
                break
        return seen


    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by every live process of the server (its process group)."""
        return self.sched()[0]

    def sched(self) -> tuple[float, float]:
        """Seconds on a CPU and seconds runnable but waiting for one, so far, summed over the server's threads."""
        run = wait = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[2]) != self.proc.pid:  # process group
                        continue
                for tid in os.listdir(f"/proc/{entry}/task"):
                    with open(f"/proc/{entry}/task/{tid}/schedstat") as f:
                        on_cpu, waiting, _ = f.read().split()
                    run += int(on_cpu)
                    wait += int(waiting)
            except (OSError, ValueError):
                continue
        return run / 1e9, wait / 1e9

    def wait_workers(self, timeout: float = 120.0) -> None:
        """Wait until every server process has all its compute workers loaded (they start in the background)."""
        stop = time.monotonic() + timeout
        while time.monotonic() < stop:
            pools = [m["compute"]["pool"] for m in self.metrics().values()]
            if len(pools) == self.workers and all(
                p["starting_workers"] == 0 and p["idle_workers"] + p["computing"] >= p["size"] + p["spares"] for p in pools
            ):
                return
            time.sleep(0.5)
        raise RuntimeError("the compute workers did not all start in time")


def route_paths(pairs: list[tuple[str, str]], k: int = 1) -> list[str]:
    return [f"/v1/routes?from={quote(a)}&to={quote(b)}&k={k}" for a, b in pairs]


def counters(before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]]) -> dict[str, float]:
    """What the server processes did between two :meth:`Server.metrics` snapshots, summed over processes."""
    out: dict[str, float] = {}

    def add(name: str, value: float) -> None:
        out[name] = out.get(name, 0.0) + value

    for pid, now in after.items():
        then = before.get(pid)
        if then is None:
            continue
        caches_then = {c["name"]: c for c in then["caches"]}
        for cache in now["caches"]:
            old = caches_then.get(cache["name"], {"hits": 0, "misses": 0})
            add(f"{cache['name']} hits", cache["hits"] - old["hits"])
            add(f"{cache['name']} misses", cache["misses"] - old["misses"])
        c_now, c_then = now["compute"], then["compute"]
        for group in ("in_process", "pool"):
            for key, value in c_now[group].items():
                if isinstance(value, int) and key in c_then[group] and key not in ("computing", "waiting", "idle_workers",
                                                                                   "starting_workers", "size", "spares",
                                                                                   "queue_length"):
                    add(f"{group} {key}", value - c_then[group][key])
    out["processes"] = float(len(set(before) & set(after)))
    return out


def hit_rate(c: dict[str, float], cache: str) -> float:
    hits, misses = c.get(f"{cache} hits", 0.0), c.get(f"{cache} misses", 0.0)
    return hits / (hits + misses) if hits + misses else float("nan")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        return float("nan")
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(base: str, paths: list[str], connections: int, seconds: float) -> dict[str, float]:
    threads = max(1, min(2, connections))
    lines = ",\n".join(json.dumps(p) for p in paths)
    script = (
        "local paths = {\n" + lines + "\n}\n"
        "local counter = 0\n"
        "function setup(thread)\n  thread:set('id', counter)\n  counter = counter + 1\nend\n"
        f"function init(args)\n  i = math.floor(id * #paths / {threads})\nend\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('BENCH %d %d %d %d %d %d\\n', summary.requests, summary.errors.status,"
        " summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,"
        " latency:percentile(50), latency:percentile(99), summary.duration))\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", f.name, base],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    m = re.search(r"BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    assert m, out
    n, bad_status, sock_err, p50_us, p99_us, duration_us = (int(x) for x in m.groups())
    seconds_run = duration_us / 1e6
    ok = n - bad_status - sock_err
    return {"p50_ms": p50_us / 1e3, "p99_ms": p99_us / 1e3, "rps": n / seconds_run, "ok_rps": ok / seconds_run,
            "requests": float(n), "ok": float(ok), "non_2xx": float(bad_status), "socket_errors": float(sock_err),
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
    res["ok"] = res["requests"] - res["errors"]
    res["ok_rps"] = res["rps"] * res["ok"] / res["requests"] if res["requests"] else 0.0
    res["non_2xx"] = res["errors"]
    return res


def load(base: str, paths: list[str], connections: int, seconds: float) -> dict[str, float]:
    if shutil.which("wrk"):
        return run_wrk(base, paths, connections, seconds)
    return run_httpx(base, paths, connections, seconds)
