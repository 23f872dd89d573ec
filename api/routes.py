"""``/v1/routes``: ranked routes between two places, optionally under a what-if scenario."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from corridor_client.models import RouteFeatureCollection, RoutePlan, ScenarioRoutes

from . import jobs
from .common import GEOJSON, Effort, compute, json_response, ok, v1_router
from .models import Format, RouteBody, RouteQuery
from .openapi import schema_ref
from .scenarios import resolve_uploaded

__all__ = ["router"]

router = v1_router("routes")

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


_ROUTE_RESPONSES = ok(
    "Ranked routes, best first; with a scenario, the scenario's routes beside the baseline's (as JSON, "
    "whatever the format); format=geojson: the routes as a GeoJSON FeatureCollection"
)
_ROUTE_RESPONSES[200]["content"] = {GEOJSON: {"schema": schema_ref(RouteFeatureCollection)}}
_ANSWER = RoutePlan | ScenarioRoutes


@router.get("/routes", response_model=_ANSWER, responses=_ROUTE_RESPONSES, summary="Ranked routes between two places")
async def get_routes(request: Request, query: Annotated[RouteQuery, Query()]) -> Response:
    """Ranked routes between two places: the query-string form of POST /v1/routes, with the same names."""
    return await _routes(request, query, query.format)


@router.post("/routes", response_model=_ANSWER, responses=_ROUTE_RESPONSES, summary="Ranked routes between two places (full options)")
async def post_routes(request: Request, body: RouteBody, format: FormatQuery = "json") -> Response:
    """Ranked, diverse routes with every option, optionally under an inline what-if scenario."""
    return await _routes(request, body, format)
