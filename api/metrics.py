"""``/v1/metrics``: this server process's caches and computations, for operators and the benchmarks.

Each server process (``--workers``) answers for itself and says which it is (``pid``). Counters
run from the process's start; the caches are those of the served network in this process (the
compute workers keep plan caches of their own, not listed here). Like every ``/v1`` endpoint it
needs an API key when keys are configured.
"""

from __future__ import annotations

import os
from dataclasses import asdict

from fastapi import Request
from starlette.responses import Response

from .common import NetworkDep, json_response, ok, v1_router
from .dispatch import Dispatcher

__all__ = ["router"]

router = v1_router("service")

_EXAMPLE = {
    "pid": 4242,
    "caches": [{"name": "API responses", "entries": 512, "max_entries": 512, "bytes": 1900000, "max_bytes": 67108864,
                "hits": 120, "misses": 20400}],
    "compute": {"cheap_rule": {"max_k": 3, "max_places": 1000, "inline_budget_seconds": 0.02, "network_places": 162},
                "in_process": {"runs": 20000, "moved_to_pool": 0, "deadline_stops": 0},
                "pool": {"runs": 400, "size": 4, "spares": 1, "computing": 0, "waiting": 0, "queued": 3, "deadline_kills": 0}},
}  # fmt: skip


@router.get("/metrics", responses=ok("Cache and compute counters of the answering server process", _EXAMPLE), summary="Metrics")
async def get_metrics(request: Request, network: NetworkDep) -> Response:
    """Cache sizes and hit counts, and where computations ran, in the server process that answers."""
    dispatcher: Dispatcher | None = getattr(request.app.state, "compute", None)
    return json_response(
        {
            "pid": os.getpid(),
            "caches": [asdict(s) for s in network.caches.stats()],
            "compute": dispatcher.stats() if dispatcher is not None else None,
        }
    )
