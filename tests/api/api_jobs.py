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



def digest_of(network: Any) -> str:
    """The content digest of the network the worker holds."""
    return str(network.digest)


def direct_road_hours(network: Any) -> float:
    """Hours of the tiny network's direct road a1 -> c2, as the worker's network has it."""
    return float(network.graph.edges["a1", "c2", "l6"]["hours"])
