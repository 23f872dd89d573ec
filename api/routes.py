"""``/v1/routes``: ranked routes between two places, optionally under a what-if scenario."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from planner import MAX_AVOID, MAX_K, MAX_TEU, MAX_TONNES, MAX_VIA

from . import jobs
from .common import GEOJSON, compute, json_response, ok, v1_router
from .models import (
    ContainerName,
    CountryCode,
    Format,
    Identifier,
    IsoDate,
    Month,
    PlaceQuery,
    RankName,
    RouteBody,
    ScenarioName,
    ServiceName,
)
from .scenarios import resolve_uploaded

__all__ = ["router"]

router = v1_router("routes")

_ROUTES_EXAMPLE = {  # real output on the bundled network, abbreviated
    "request": {"origin": "xian", "destination": "duisburg", "rank": "time", "k": 1, "teu": 1.0, "modes": ["rail", "road", "sea"]},
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
    data = await compute(request, jobs.plan, body.origin, body.destination, body.planner_options(), output == "geojson")
    return json_response(data, GEOJSON if output == "geojson" else "application/json")


_ROUTE_RESPONSES = {**ok("Ranked routes, best first", _ROUTES_EXAMPLE)}
_ROUTE_RESPONSES[200]["content"][GEOJSON] = {"example": {"type": "FeatureCollection", "features": ["..."]}}


@router.get("/routes", responses=_ROUTE_RESPONSES, summary="Ranked routes between two places")
async def get_routes(
    request: Request,
    origin: Annotated[PlaceQuery, Query(alias="from", description="Place id, name or alias", openapi_examples={"xian": {"value": "Xi'an"}})],
    destination: Annotated[PlaceQuery, Query(alias="to", description="Place id, name or alias", openapi_examples={"duisburg": {"value": "Duisburg"}})],
    rank: Annotated[RankName, Query()] = "time",
    k: Annotated[int, Query(ge=1, le=MAX_K, description=f"Number of routes, 1..{MAX_K}")] = 3,
    teu: Annotated[float | None, Query(gt=0, le=MAX_TEU, allow_inf_nan=False)] = None,
    tonnes: Annotated[float | None, Query(gt=0, le=MAX_TONNES, allow_inf_nan=False)] = None,
    avoid_country: Annotated[list[CountryCode], Query(max_length=MAX_AVOID, description="ISO code; repeatable")] = [],  # noqa: B006
    avoid_place: Annotated[list[PlaceQuery], Query(max_length=MAX_AVOID, description="repeatable")] = [],  # noqa: B006
    modes: Annotated[str | None, Query(pattern=r"^(rail|road|sea)(,(rail|road|sea)){0,2}$", description="e.g. rail,sea")] = None,
    via: Annotated[list[PlaceQuery], Query(max_length=MAX_VIA, description="ordered; repeatable")] = [],  # noqa: B006
    corridor: Annotated[Identifier | None, Query(description="stay on this corridor")] = None,
    scenario: Annotated[ScenarioName | None, Query(description="a bundled scenario name (see /v1/scenarios)")] = None,
    service: Annotated[ServiceName, Query(description="express, scheduled or standard")] = "scheduled",
    container: Annotated[ContainerName | None, Query(description="20ft (default), 40ft or 40hc")] = None,
    departure_date: Annotated[IsoDate | None, Query(description="YYYY-MM-DD the cargo is ready")] = None,
    month: Annotated[Month | None, Query(description="1-12, for seasonal waits")] = None,
    format: FormatQuery = "json",
) -> Response:
    """Ranked, diverse routes between two places (query-string form of POST /v1/routes)."""
    body = RouteBody.model_validate(
        {
            "origin": origin,
            "destination": destination,
            "rank": rank,
            "k": k,
            "teu": teu,
            "tonnes": tonnes,
            "avoid_countries": avoid_country,
            "avoid_places": avoid_place,
            "modes": modes.split(",") if modes else None,
            "via": via,
            "corridor": corridor,
            "scenario": scenario,
            "service": service,
            "container": container,
            "departure_date": departure_date,
            "month": month,
        }
    )
    return await _routes(request, body, format)


@router.post("/routes", responses=_ROUTE_RESPONSES, summary="Ranked routes between two places (full options)")
async def post_routes(request: Request, body: RouteBody, format: FormatQuery = "json") -> Response:
    """Ranked, diverse routes with every option, optionally under an inline what-if scenario."""
    return await _routes(request, body, format)
