"""The batch runner's worker processes: how many (half the CPUs by default), and stopped when idle."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from api_helpers import TINY, tiny_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))
from batch_helpers import random_rows, to_csv  # noqa: E402

import planner  # noqa: E402
from api.batch_runner import BatchService, batch_workers  # noqa: E402
from planner.batch import JobStatus, read_text_rows  # noqa: E402

TINY_NETWORK = planner.load_network(TINY)


@pytest.mark.parametrize(("cpus", "workers"), [(1, 1), (2, 1), (3, 1), (8, 4), (None, 1)])
def test_the_batch_pool_has_half_the_cpus_by_default(monkeypatch: pytest.MonkeyPatch, cpus: int | None, workers: int) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: cpus)
    assert batch_workers(tiny_settings()) == workers
    assert batch_workers(tiny_settings(batch_workers=3)) == 3


def test_the_batch_workers_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import Settings

    monkeypatch.setenv("CORRIDOR_BATCH_WORKERS", "5")
    assert Settings().batch_workers == 5


def _run(service: BatchService, owner: str) -> None:
    rows = read_text_rows(to_csv(random_rows(30, seed=4)), "csv")
    job, _ = service.store.create_job(rows, owner=owner, network_digest=TINY_NETWORK.digest)
    service.wake()
    deadline = time.monotonic() + 120
    while (current := service.store.get(job.id)) is not None and current.status is not JobStatus.DONE:
        assert time.monotonic() < deadline, current
        time.sleep(0.05)


def test_the_worker_processes_stop_when_no_job_has_run_for_a_while_and_start_again(tmp_path: Path) -> None:
    service = BatchService(tiny_settings(data_dir=tmp_path, batch_workers=1), TINY_NETWORK, idle_seconds=0.5)
    service.start()
    try:
        assert not service.workers_running  # nothing is started before a job comes
        _run(service, "a")
        deadline = time.monotonic() + 30
        while service.workers_running:
            assert time.monotonic() < deadline, "the idle worker processes were not stopped"
            time.sleep(0.05)
        _run(service, "b")  # a later job starts them again
    finally:
        service.stop()
