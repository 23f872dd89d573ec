"""Jobs for the compute-pool tests; kept free of heavy imports because worker processes import this module."""

from __future__ import annotations

import time
from typing import Any


def count_places(network: Any) -> int:
    """A job for the compute pool (runs in a worker process)."""
    return len(network.places)


def sleep_job(network: Any, seconds: float) -> float:
    """A job that outlives any test deadline."""
    time.sleep(seconds)
    return seconds

