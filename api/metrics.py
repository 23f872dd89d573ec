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

from corridor_client.models import Metrics

from .common import NetworkDep, json_response, ok, v1_router
from .dispatch import Dispatcher

__all__ = ["router"]

router = v1_router("service")

@router.get(
    "/metrics", response_model=Metrics, responses=ok("Cache and compute counters of the answering server process"), summary="Metrics"
)
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
