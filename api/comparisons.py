"""``/v1/compare``: the best route on each corridor between two places, side by side."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from corridor_client.models import Comparison

from . import jobs
from .common import compute, json_response, ok, v1_router
from .models import CompareBody, CompareQuery
from .scenarios import resolve_uploaded

__all__ = ["router"]

router = v1_router("compare")

async def _compare(request: Request, body: CompareBody) -> Response:
    scenario = resolve_uploaded(request, body.scenario)
    data = await compute(
        request, jobs.compare_routes, body.origin, body.destination, body.corridors, scenario, body.planner_options()
    )
    return json_response(data)


_ANSWER = ok("The best route on each corridor, the best on any corridor first; with a scenario, each row's change")


@router.get("/compare", response_model=Comparison, responses=_ANSWER, summary="Compare corridors")
async def get_compare(request: Request, query: Annotated[CompareQuery, Query()]) -> Response:
    """The best route on each corridor between two places, side by side (the query-string form of POST /v1/compare)."""
    return await _compare(request, query)


@router.post("/compare", response_model=Comparison, responses=_ANSWER, summary="Compare corridors (full options)")
async def post_compare(request: Request, body: CompareBody) -> Response:
    """The best route on each corridor, with every option and an optional (inline or bundled) scenario."""
    return await _compare(request, body)
