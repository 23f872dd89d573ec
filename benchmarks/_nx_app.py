"""Baseline server for the HTTP section: a minimal FastAPI app answering k=1 routes with networkx.

What a user gets by wrapping the public graph in FastAPI: ``GET /v1/routes?from=&to=&rank=``
runs ``nx.dijkstra_path`` on the unexpanded graph (places as nodes, see ``_baseline.py``) with
a weight function for the rank, and returns the path and its total as FastAPI's default JSON.
No caches, no validation beyond FastAPI's, no pricing of legs or P50/P90.

    uvicorn benchmarks._nx_app:create_app --factory --workers 2
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import networkx as nx
from fastapi import FastAPI, HTTPException, Query

import planner
from benchmarks import _baseline as base
from planner.model import Link


def _weights(network: planner.Network) -> dict[str, Any]:
    def cost(link: Link) -> float:
        if link.cost_usd_per_teu is not None:
            return link.cost_usd_per_teu.value
        return link.distance_km.value * network.modes[link.mode].cost_usd_per_teu_km.value

    def co2e(link: Link) -> float:
        factor = link.co2e_g_per_tonne_km or network.modes[link.mode].co2e_g_per_tonne_km
        return link.distance_km.value * factor.value

    per_link = {"time": lambda link: base.link_hours(network, link), "cost": cost, "co2e": co2e}
    return {rank: (lambda u, v, d, f=f: min(f(link) for link in d["links"])) for rank, f in per_link.items()}


def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        network = planner.load_network()
        app.state.graph = base.nx_unexpanded(network)
        app.state.weights = _weights(network)
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/v1/routes")
    def routes(
        origin: Annotated[str, Query(alias="from")],
        destination: Annotated[str, Query(alias="to")],
        k: int = 1,
        rank: str = "time",
    ) -> dict[str, Any]:
        graph = app.state.graph
        weight = app.state.weights.get(rank)
        if weight is None or origin not in graph or destination not in graph:
            raise HTTPException(422, "unknown place or rank")
        try:
            path = nx.dijkstra_path(graph, origin, destination, weight=weight)
        except nx.NetworkXNoPath:
            raise HTTPException(409, "no route") from None
        total = sum(weight(u, v, graph[u][v]) for u, v in zip(path, path[1:], strict=False))
        return {"places": path, "total": total, "rank": rank}

    return app
