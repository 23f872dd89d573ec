"""``/v1/compare``: the best route on each corridor between two places, side by side."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from . import jobs
from .common import compute, json_response, ok, v1_router
from .models import CompareBody, CompareQuery
from .scenarios import resolve_uploaded

__all__ = ["router"]

router = v1_router("compare")

_COMPARE_EXAMPLE = {  # real output on the bundled network, abbreviated
    "request": {"origin": "xian", "destination": "istanbul", "rank": "time", "k": 1},
    "scenario": None,
    "rows": [
        {"corridor": None, "label": "best (any corridor)", "status": "ok", "reason": None,
         "route": {"transit_days": 15.33, "transit_hours_p90": 452.6, "cost_usd": 3880.05, "co2e_kg": 2612.0}},
        {"corridor": {"id": "northern", "name": "Northern corridor (China–Kazakhstan–Russia–Belarus–EU)"}, "label": "northern",
         "status": "ok", "reason": None,
         "route": {"transit_days": 16.77, "transit_hours_p90": 507.5, "cost_usd": 3754.12, "co2e_kg": 2744.8}},
        {"corridor": {"id": "cku", "name": "China–Kyrgyzstan–Uzbekistan railway (planned)"}, "label": "cku",
         "status": "no_route", "reason": "... the corridor includes planned links not yet in operation (Kashgar–Makmal rail link (l084), Makmal–Jalal-Abad rail link (l085))", "route": None},
    ],
}  # fmt: skip


async def _compare(request: Request, body: CompareBody) -> Response:
    scenario = resolve_uploaded(request, body.scenario)
    data = await compute(
        request, jobs.compare_routes, body.origin, body.destination, body.corridors, scenario, body.planner_options()
    )
    return json_response(data)


@router.get("/compare", responses=ok("The best route on each corridor", _COMPARE_EXAMPLE), summary="Compare corridors")
async def get_compare(request: Request, query: Annotated[CompareQuery, Query()]) -> Response:
    """The best route on each corridor between two places, side by side (the query-string form of POST /v1/compare)."""
    return await _compare(request, query)


@router.post("/compare", responses=ok("The best route on each corridor", _COMPARE_EXAMPLE), summary="Compare corridors (full options)")
async def post_compare(request: Request, body: CompareBody) -> Response:
    """The best route on each corridor, with every option and an optional (inline or bundled) scenario."""
    return await _compare(request, body)
