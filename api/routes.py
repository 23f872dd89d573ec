"""``/v1/routes``: ranked routes between two places, optionally under a what-if scenario."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from . import jobs
from .common import GEOJSON, Effort, compute, json_response, ok, v1_router
from .models import Format, RouteBody, RouteQuery
from .scenarios import resolve_uploaded

__all__ = ["router"]

router = v1_router("routes")

_ROUTES_EXAMPLE = {  # real output on the bundled network, abbreviated
    "request": {"origin": "xian", "destination": "duisburg", "rank": "time", "k": 1, "teu": 1.0, "modes": ["rail", "road", "sea"]},
    "notes": [],
    "routes": [
        {
            "rank": 1,
            "transit_hours": 324.79,
            "transit_days": 13.53,
            "cost_usd": 3047.88,
            "co2e_kg": 2167.33,
            "distance_km": 9851.5,
            "border_crossings": 5,
            "places": ["xian", "lanzhou", "urumqi", "jinghe", "alashankou", "dostyk", "...", "warsaw", "duisburg"],
            "legs": ["..."],
        }
    ],
}

FormatQuery = Annotated[Format, Query(description="json (default) or geojson: a FeatureCollection of the routes")]


async def _routes(request: Request, body: RouteBody, output: Format) -> Response:
    if body.scenario is not None:
        options = body.planner_options()
        scenario = resolve_uploaded(request, body.scenario)
        data = await compute(request, jobs.plan_scenario, scenario, body.origin, body.destination, options)
        return json_response(data)
    effort = Effort(k=body.k, pareto=body.rank == "pareto")
    data = await compute(
        request, jobs.plan, body.origin, body.destination, body.planner_options(), output == "geojson", effort=effort
    )
    return json_response(data, GEOJSON if output == "geojson" else "application/json")


_ROUTE_RESPONSES = {**ok("Ranked routes, best first", _ROUTES_EXAMPLE)}
_ROUTE_RESPONSES[200]["content"][GEOJSON] = {"example": {"type": "FeatureCollection", "features": ["..."]}}


@router.get("/routes", responses=_ROUTE_RESPONSES, summary="Ranked routes between two places")
async def get_routes(request: Request, query: Annotated[RouteQuery, Query()]) -> Response:
    """Ranked routes between two places: the query-string form of POST /v1/routes, with the same names."""
    return await _routes(request, query, query.format)


@router.post("/routes", responses=_ROUTE_RESPONSES, summary="Ranked routes between two places (full options)")
async def post_routes(request: Request, body: RouteBody, format: FormatQuery = "json") -> Response:
    """Ranked, diverse routes with every option, optionally under an inline what-if scenario."""
    return await _routes(request, body, format)
