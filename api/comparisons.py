"""``/v1/compare``: the best route on each corridor between two places, side by side."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from planner import MAX_TEU, MAX_TONNES

from . import jobs
from .common import compute, json_response, ok, v1_router
from .models import (
    MAX_COMPARE_CORRIDORS,
    CompareBody,
    ContainerName,
    Identifier,
    IsoDate,
    Month,
    PlaceQuery,
    RankName,
    ScenarioName,
    ServiceName,
)
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
async def get_compare(
    request: Request,
    origin: Annotated[PlaceQuery, Query(alias="from", openapi_examples={"xian": {"value": "Xi'an"}})],
    destination: Annotated[PlaceQuery, Query(alias="to", openapi_examples={"istanbul": {"value": "Istanbul"}})],
    corridor: Annotated[list[Identifier], Query(max_length=MAX_COMPARE_CORRIDORS, description="repeatable; default all")] = [],  # noqa: B006
    rank: Annotated[RankName, Query()] = "time",
    teu: Annotated[float | None, Query(gt=0, le=MAX_TEU, allow_inf_nan=False)] = None,
    tonnes: Annotated[float | None, Query(gt=0, le=MAX_TONNES, allow_inf_nan=False)] = None,
    scenario: Annotated[ScenarioName | None, Query(description="a bundled scenario name (see /v1/scenarios)")] = None,
    service: Annotated[ServiceName, Query(description="express, scheduled or standard")] = "scheduled",
    container: Annotated[ContainerName | None, Query(description="20ft (default), 40ft or 40hc")] = None,
    departure_date: Annotated[IsoDate | None, Query(description="YYYY-MM-DD the cargo is ready")] = None,
    month: Annotated[Month | None, Query(description="1-12, for seasonal waits")] = None,
) -> Response:
    """The best route on each corridor between two places, side by side."""
    body = CompareBody.model_validate(
        {
            "origin": origin,
            "destination": destination,
            "corridors": corridor or None,
            "rank": rank,
            "teu": teu,
            "tonnes": tonnes,
            "scenario": scenario,
            "service": service,
            "container": container,
            "departure_date": departure_date,
            "month": month,
        }
    )
    return await _compare(request, body)


@router.post("/compare", responses=ok("The best route on each corridor", _COMPARE_EXAMPLE), summary="Compare corridors (full options)")
async def post_compare(request: Request, body: CompareBody) -> Response:
    """The best route on each corridor, with every option and an optional (inline or bundled) scenario."""
    return await _compare(request, body)
