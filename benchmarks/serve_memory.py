"""Memory of ``corridor serve`` under hostile volume: RSS of every process while 2,000 inline scenarios and a 64 MiB batch arrive.

Starts ``corridor serve`` on the bundled network on a free loopback port, waits until it is ready,
then at the same time

* sends 2,000 POST /v1/routes, each with a distinct inline scenario (4 clients), and
* uploads a 64 MiB CSV batch (about a million rows, under the default row cap, so it is parsed,
  stored and starts running),

sampling the resident memory (RSS, from /proc) of the server and all its descendants (compute
workers, batch workers) every 0.2 s. It prints a table and whether the peak stays within the
stated bound over the baseline (default +200 MiB), and exits 1 when it does not. The batch job
is deleted at the end. Usage::

    python benchmarks/serve_memory.py [--scenarios 2000] [--upload-mib 64] [--bound-mib 200]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MIB = 1 << 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree(root: int) -> list[int]:
    """``root`` and every descendant, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss(root: int) -> tuple[float, int]:
    """Total RSS in MiB of ``root`` and its descendants, and how many processes that is."""
    pids = _tree(root)
    return sum(_rss_mib(p) for p in pids), len(pids)


def _scenario(i: int) -> dict[str, object]:
    return {
        "origin": "xian",
        "destination": "tashkent",
        "k": 1,
        "scenario": {
            "name": f"mem_{i}",
            "title": f"Delay number {i}",
            "estimate": "a synthetic delay to make every scenario distinct",
            "changes": [{"add_delay": {"place": "almaty", "hours": 1 + i / 1000}}],
        },
    }


def _upload(size_mib: int) -> bytes:
    header = b"id,origin,destination,k\n"
    row = b"r%07d,xian,tashkent,1" + b" " * 43 + b"\n"  # 68 bytes: 64 MiB is 987,000 rows, under the row cap
    count = (size_mib * MIB - len(header)) // len(row % 0)
    return header + b"".join(row % i for i in range(count))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--upload-mib", type=int, default=64)
    parser.add_argument("--bound-mib", type=float, default=200.0)
    args = parser.parse_args()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryFile("w+") as log:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
        env.update(CORRIDOR_DATA_DIR=data_dir, CORRIDOR_RATE_LIMIT_PER_MINUTE="0", PYTHONPATH=str(ROOT))
        server = subprocess.Popen(
            [sys.executable, "-m", "corridor_cli.main", "serve", "--port", str(port), "--no-access-log"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        try:
            return _measure(server.pid, base, args)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _measure(pid: int, base: str, args: argparse.Namespace) -> int:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("corridor serve did not become ready")
        time.sleep(0.2)
    # One request of each kind first, so lazily loaded code is in the baseline.
    httpx.post(base + "/v1/routes", json=_scenario(-1), timeout=60)
    time.sleep(1.0)
    baseline, processes = rss(pid)
    body = _upload(args.upload_mib)

    peak = [baseline]
    server_baseline = _rss_mib(pid)
    server_peak = [server_baseline]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss(pid)[0])
            server_peak[0] = max(server_peak[0], _rss_mib(pid))
            stop.wait(0.2)

    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def route(i: int) -> None:
        with httpx.Client(timeout=60) as http:
            status = http.post(base + "/v1/routes", json=_scenario(i)).status_code
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    upload: dict[str, object] = {}

    def send_batch() -> None:
        started = time.monotonic()
        response = httpx.post(base + "/v1/batches", content=body, headers={"content-type": "text/csv"}, timeout=300)
        upload.update(status=response.status_code, seconds=time.monotonic() - started, location=response.headers.get("location"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    batch = threading.Thread(target=send_batch)
    batch.start()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(route, range(args.scenarios)))
    batch.join()
    elapsed = time.monotonic() - started
    time.sleep(2.0)
    stop.set()
    sampler.join()
    after, processes_after = rss(pid)
    if upload.get("location"):
        httpx.delete(base + str(upload["location"]), timeout=30)  # cancel the running job

    growth = peak[0] - baseline
    ok = growth <= args.bound_mib
    print(f"corridor serve, bundled network; {args.scenarios:,} distinct inline scenarios + a {len(body) / MIB:.0f} MiB CSV batch")
    print()
    print("measure                          value")
    print("-------------------------------  ----------------")
    print(f"RSS before (all processes)       {baseline:8.0f} MiB ({processes} processes)")
    print(f"RSS peak while sending           {peak[0]:8.0f} MiB")
    print(f"RSS 2 s after                    {after:8.0f} MiB ({processes_after} processes)")
    print(f"growth at peak                   {growth:+8.0f} MiB (bound +{args.bound_mib:.0f} MiB: {'within' if ok else 'OVER'})")
    print(f"  server process alone           {server_baseline:8.0f} -> {server_peak[0]:.0f} MiB (HTTP, batch parsing and storing)")
    print(f"  its descendants (workers)      {baseline - server_baseline:8.0f} -> {after - _rss_mib(pid):.0f} MiB after")
    print(f"route answers                    {dict(sorted(statuses.items()))} in {elapsed:.1f} s")
    print(f"batch upload                     HTTP {upload.get('status')} after {float(upload.get('seconds', 0)):.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
