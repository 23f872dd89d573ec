"""Running ``corridor`` in-process (``main``) or as a process, and reading its tables."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from corridor_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TINY = str(ROOT / "tests" / "fixtures" / "tiny.yaml")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Standard output of ``corridor ARGS`` run in-process; the command must succeed."""
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def words(text: str) -> str:
    """The text with every run of whitespace made one space: a wrapped cell reads as one string again."""
    return " ".join(text.split())


def table_rows(text: str) -> list[list[str]]:
    """Lines of the first table in ``text`` (after its dashed rule), each split on whitespace."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("--"))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith("("):
            break
        rows.append(line.split())
    return rows


def env(**extra: str) -> dict[str, str]:
    """The environment for ``python -m corridor_cli.main`` from a checkout, without COLUMNS unless given."""
    out = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    out["PYTHONPATH"] = os.pathsep.join([str(ROOT), out.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out.update(extra)
    return out


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "corridor_cli.main", *args]


def run_process(*args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), env=env(**extra), capture_output=True, text=True, timeout=timeout, check=False)


def run_in_terminal(args: list[str], *, columns: int, timeout: float = 120) -> tuple[int, str]:
    """Exit code and everything ``corridor ARGS`` wrote to a pseudo-terminal ``columns`` wide (no COLUMNS set)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    process = subprocess.Popen(
        command(*args), env=env(TERM="xterm"), stdin=follower, stdout=follower, stderr=follower, close_fds=True
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process has exited
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    code = process.wait(timeout=30)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace")
