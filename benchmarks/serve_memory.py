"""Memory of ``corridor serve`` under hostile volume: every process, while 2,000 inline scenarios and a 64 MiB batch arrive.

Starts ``corridor serve`` on the bundled network on a free loopback port, waits until it is ready,
then at the same time

* sends 2,000 POST /v1/routes, each with a distinct inline scenario (4 clients), and
* uploads a 64 MiB CSV batch (about a million rows, under the default row cap, so it is counted,
  parsed, stored and starts running),

sampling the memory of the server and all its descendants (compute workers, batch workers)
every 0.2 s, from /proc, two ways:

* PSS (proportional set size) summed over the processes: each page counted once however many
  processes share it -- the memory the machine spends;
* RSS summed over the processes: a page shared by several processes (the interpreter's and
  numpy's, scipy's and networkx's code) counted once in each, so more than is spent.

It prints both before, at the peak and after, by kind of process, and exits 1 when the growth at
the peak passes either bound. The bounds, for the default settings on a 2-CPU machine (4 compute
workers, 1 batch worker), add up what may grow:

==========================================  ============  ============
                                            PSS, MiB      RSS, MiB
==========================================  ============  ============
the server (rows counted, spooled, stored)  20            20
4 compute workers' bounded caches           4 x 30        4 x 32
1 batch worker (one interpreter, spawned)   50            70
its multiprocessing resource tracker        6             12
bound (rounded up)                          +200          +250
==========================================  ============  ============

On another machine, each compute worker adds about 32 MiB (RSS) and each batch worker about 70.
The batch job is deleted at the end. Usage::

    python benchmarks/serve_memory.py [--scenarios 2000] [--upload-mib 64] [--bound-mib 200] [--rss-bound-mib 250]
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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
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


def _mib(pid: int, file: str, field: str) -> float:
    """A ``field: N kB`` line of ``/proc/<pid>/<file>``, in MiB (0 for a process gone)."""
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _rss_mib(pid: int) -> float:
    return _mib(pid, "status", "VmRSS:")


def _pss_mib(pid: int) -> float:
    """Proportional set size: each shared page counted once over all the processes that map it."""
    return _mib(pid, "smaps_rollup", "Pss:")


def rss(root: int) -> tuple[float, int]:
    """Total RSS in MiB of ``root`` and its descendants, and how many processes that is."""
    pids = _tree(root)
    return sum(_rss_mib(p) for p in pids), len(pids)


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "server"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return "other"
    if b"api.compute" in command:
        return "compute workers"
    if b"resource_tracker" in command:
        return "resource tracker"
    if b"multiprocessing" in command:
        return "batch workers"
    return "other"


@dataclass
class Sample:
    """RSS and PSS in MiB, and process counts, by role."""

    rss: dict[str, float] = field(default_factory=dict)
    pss: dict[str, float] = field(default_factory=dict)
    count: dict[str, int] = field(default_factory=dict)

    @property
    def total_rss(self) -> float:
        return sum(self.rss.values())

    @property
    def total_pss(self) -> float:
        return sum(self.pss.values())


def sample(root: int) -> Sample:
    """RSS and PSS of ``root`` and every descendant, by role."""
    taken = Sample()
    for pid in _tree(root):
        role = _role(pid, root)
        taken.rss[role] = taken.rss.get(role, 0.0) + _rss_mib(pid)
        taken.pss[role] = taken.pss.get(role, 0.0) + _pss_mib(pid)
        taken.count[role] = taken.count.get(role, 0) + 1
    return taken


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
    parser.add_argument("--bound-mib", type=float, default=200.0, help="bound on the growth of the summed PSS")
    parser.add_argument("--rss-bound-mib", type=float, default=250.0, help="bound on the growth of the summed RSS")
    args = parser.parse_args()

    with serving() as (pid, base):
        return _measure(pid, base, args)


@contextmanager
def serving(**settings: str) -> Iterator[tuple[int, str]]:
    """``corridor serve`` on the bundled network and a free loopback port, once ready: its pid and address.

    A temporary data directory, no rate limit, and ``settings`` (``CORRIDOR_*`` variables) on top.
    """
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryFile("w+") as log:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
        env.update(CORRIDOR_DATA_DIR=data_dir, CORRIDOR_RATE_LIMIT_PER_MINUTE="0", PYTHONPATH=str(ROOT), **settings)
        server = subprocess.Popen(
            [sys.executable, "-m", "corridor_cli.main", "serve", "--port", str(port), "--no-access-log"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        try:
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
            yield server.pid, base
        finally:
            server.terminate()
            server.wait(timeout=30)


def _measure(pid: int, base: str, args: argparse.Namespace) -> int:
    # One request of each kind first, so lazily loaded code is in the baseline.
    httpx.post(base + "/v1/routes", json=_scenario(-1), timeout=60)
    time.sleep(1.0)
    before = sample(pid)
    body = _upload(args.upload_mib)

    peak = {"rss": before.total_rss, "pss": before.total_pss}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            now = sample(pid)
            peak["rss"] = max(peak["rss"], now.total_rss)
            peak["pss"] = max(peak["pss"], now.total_pss)
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

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    batch = threading.Thread(target=send_batch)
    batch.start()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(route, range(args.scenarios)))
    batch.join()
    elapsed = time.monotonic() - started
    time.sleep(2.0)
    stop.set()
    watcher.join()
    after = sample(pid)
    if upload.get("location"):
        httpx.delete(base + str(upload["location"]), timeout=30)  # cancel the running job

    growth = {m: peak[m] - (before.total_rss if m == "rss" else before.total_pss) for m in peak}
    ok = growth["pss"] <= args.bound_mib and growth["rss"] <= args.rss_bound_mib
    print(f"corridor serve, bundled network; {args.scenarios:,} distinct inline scenarios + a {len(body) / MIB:.0f} MiB CSV batch")
    print()
    print("| MiB | RSS, summed over processes | PSS, summed over processes |")
    print("| --- | ---: | ---: |")
    print(f"| before | {before.total_rss:.0f} | {before.total_pss:.0f} |")
    print(f"| peak while sending | {peak['rss']:.0f} | {peak['pss']:.0f} |")
    print(f"| 2 s after | {after.total_rss:.0f} | {after.total_pss:.0f} |")
    print(
        f"| growth at peak | {growth['rss']:+.0f} (bound +{args.rss_bound_mib:.0f}) "
        f"| {growth['pss']:+.0f} (bound +{args.bound_mib:.0f}) |"
    )
    print()
    print("| by process, before -> 2 s after | processes | RSS, MiB | PSS, MiB |")
    print("| --- | ---: | ---: | ---: |")
    for role in sorted(set(before.rss) | set(after.rss), key=_ROLES.index):
        print(
            f"| {role} | {before.count.get(role, 0)} -> {after.count.get(role, 0)} "
            f"| {before.rss.get(role, 0):.0f} -> {after.rss.get(role, 0):.0f} "
            f"| {before.pss.get(role, 0):.0f} -> {after.pss.get(role, 0):.0f} |"
        )
    print()
    print(f"route answers: {dict(sorted(statuses.items()))} in {elapsed:.1f} s")
    print(f"batch upload: HTTP {upload.get('status')} after {float(upload.get('seconds', 0)):.1f} s")
    print(f"within the bounds: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


_ROLES = ["server", "compute workers", "batch workers", "resource tracker", "other"]


if __name__ == "__main__":
    raise SystemExit(main())
