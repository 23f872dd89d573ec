"""``corridor batch``: results, progress, and resuming after the process is killed."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from batch_helpers import TINY, check_results, corridor_command, random_rows, read_output, subprocess_env, to_csv

import planner


def _checkpoints(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*.batch.sqlite"))


def _slow_batch(tmp_path: Path, n: int, seed: int) -> tuple[list[dict[str, str]], Path, list[str]]:
    """Input rows, the output path and a one-worker command in small chunks (slow enough to interrupt)."""
    rows = random_rows(n, seed=seed)
    source = tmp_path / "pairs.csv"
    source.write_text(to_csv(rows))
    out = tmp_path / "results.csv"
    command = corridor_command(
        "batch", str(source), "-o", str(out), "--network", str(TINY), "--workers", "1", "--chunk-rows", "50"
    )
    return rows, out, command


def test_batch_writes_one_result_per_row_and_removes_its_checkpoint(tmp_path: Path, tiny: planner.Network) -> None:
    rows = random_rows(400, seed=11)
    source = tmp_path / "pairs.csv"
    source.write_text(to_csv(rows))
    out = tmp_path / "results.jsonl"
    done = subprocess.run(
        corridor_command("batch", str(source), "-o", str(out), "--network", str(TINY), "--workers", "1"),
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "batch: 400/400 rows" in done.stderr  # plain progress lines when stderr is not a terminal
    check_results(tiny, rows, read_output(out.read_text(), "jsonl"))
    assert _checkpoints(out) == []


def test_a_killed_batch_resumes_where_it_stopped(tmp_path: Path, tiny: planner.Network) -> None:
    rows, out, command = _slow_batch(tmp_path, 5000, seed=5)
    process = subprocess.Popen(
        command, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    done = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        checkpoints = _checkpoints(out)
        if checkpoints:
            try:
                with sqlite3.connect(checkpoints[0], timeout=5) as db:
                    found = db.execute("SELECT rows_done FROM jobs").fetchone()
                done = found[0] if found else 0
            except sqlite3.OperationalError:
                done = 0
            if done >= 500:
                break
        time.sleep(0.05)
    assert process.poll() is None, "the batch finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.stderr is not None
    process.stderr.close()
    assert not out.exists()
    assert len(_checkpoints(out)) == 1

    resumed = subprocess.run(command, env=subprocess_env(), capture_output=True, text=True, timeout=120, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr
    check_results(tiny, rows, read_output(out.read_text(), "csv"))
    assert _checkpoints(out) == []


def test_sigterm_stops_cleanly_and_the_rerun_finishes(tmp_path: Path, tiny: planner.Network) -> None:
    rows, out, command = _slow_batch(tmp_path, 10_000, seed=9)
    process = subprocess.Popen(
        command, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("batch: ") and not line.startswith("batch: 0/"):
            break
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err  # stopped after its first chunks, well before 10,000 rows
    assert not out.exists()
    again = subprocess.run(command, env=subprocess_env(), capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    check_results(tiny, rows, read_output(out.read_text(), "csv"))
