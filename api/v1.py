"""The /v1 endpoints: validate, map to a planner call, map the result back."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Coroutine
from functools import cache
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

import planner
from planner import Network, UnknownCorridorError, UnknownPlaceError, resolve_corridor, search_places, suggest_places
from planner.cache import LRU
from planner.export import corridor_geojson, network_geojson, place_to_dict
from planner.routing import MAX_AVOID, MAX_K, MAX_TEU, MAX_TONNES, MAX_VIA

from . import jobs
from .auth import enforce_rate_limit
from .bodies import loads_bounded
from .compute import ComputePool, DeadlineExceeded, Overloaded, WorkerFailed
from .models import (
    MAX_COMPARE_CORRIDORS,
    PRINTABLE,
    PROBLEM_RESPONSES,
    CompareBody,
    CountryCode,
    Format,
    Identifier,
    PlaceQuery,
    RankName,
    RouteBody,
    ScenarioName,
)
from .problems import ProblemError
from .scenarios import resolve_uploaded

__all__ = ["StrictJSONRoute", "get_network", "json_response", "router"]

GEOJSON = "application/geo+json"



class _StrictJSONRequest(Request):
    """Parses bodies with orjson: NaN, Infinity, lone surrogates and nesting past 32 levels are refused."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_bounded(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON bodies are parsed by :class:`_StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            return await original(_StrictJSONRequest(request.scope, request.receive))

        return handler


router = APIRouter(
    prefix="/v1", dependencies=[Depends(enforce_rate_limit)], responses=PROBLEM_RESPONSES, route_class=StrictJSONRoute
)


async def get_network(request: Request) -> Network:
    """The loaded network (503 until the lifespan has loaded it); async so FastAPI calls it inline."""
    network: Network | None = getattr(request.app.state, "network", None)
    if network is None:
        raise ProblemError(503, "not_ready", "Not ready", "the network is not loaded yet", headers={"Retry-After": "1"})
    return network


NetworkDep = Annotated[Network, Depends(get_network)]


def json_response(body: bytes | Any, media_type: str = "application/json") -> Response:
    """A JSON response from pre-encoded bytes or from data (encoded with orjson)."""
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content, media_type=media_type)


def _ok(description: str, example: Any, media_type: str = "application/json") -> dict[int | str, Any]:
    return {200: {"description": description, "content": {media_type: {"example": example}}}}


@cache
def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _require(name: str) -> None:
    if not _has_module(name):
        raise ProblemError(501, "not_implemented", "Not implemented", f"this server's planner has no {name} module")


RESPONSE_CACHE_SIZE = 512
"""Encoded answers kept per app: every computation is a pure function of the (immutable) network and its arguments."""


def _response_cache(request: Request) -> LRU[bytes]:
    cache: LRU[bytes] | None = getattr(request.app.state, "response_cache", None)
    if cache is None:
        cache = LRU[bytes](RESPONSE_CACHE_SIZE)
        request.app.state.response_cache = cache
    return cache


async def _compute(request: Request, fn: Any, *args: Any) -> bytes:
    pool: ComputePool | None = getattr(request.app.state, "pool", None)
    if pool is None:
        raise ProblemError(503, "not_ready", "Not ready", "the compute workers are not running", headers={"Retry-After": "1"})
    try:
        key: bytes | None = orjson.dumps([fn.__name__, args], option=orjson.OPT_SORT_KEYS)
    except TypeError:
        key = None
    cache = _response_cache(request)
    if key is not None and (hit := cache.get(key)) is not None:
        return hit
    result = await _run_in_pool(pool, fn, *args)
    if key is not None:
        cache.put(key, result)
    return result


async def _run_in_pool(pool: ComputePool, fn: Any, *args: Any) -> bytes:
    try:
        result: bytes = await pool.run(fn, *args)
    except Overloaded:
        raise ProblemError(
            503,
            "overloaded",
            "Too many computations in flight",
            f"all {pool.size} compute workers are busy; retry shortly",
            headers={"Retry-After": "1"},
        ) from None
    except DeadlineExceeded:
        raise ProblemError(
            503,
            "deadline_exceeded",
            "Computation took too long",
            f"the computation took longer than {pool.deadline_seconds:g} s and was stopped; narrow the request (smaller k, fewer via places)",
            headers={"Retry-After": "1"},
        ) from None
    except WorkerFailed:
        raise ProblemError(
            503, "worker_failed", "Computation failed", "a compute worker failed; retry shortly", headers={"Retry-After": "1"}
        ) from None
    return result


# --- routes ---------------------------------------------------------------------------------------

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
        _require("planner.scenario")
        options = body.planner_options()
        scenario = resolve_uploaded(request, body.scenario)
        data = await _compute(request, jobs.plan_scenario, scenario, body.origin, body.destination, options)
        return json_response(data)
    data = await _compute(request, jobs.plan, body.origin, body.destination, body.planner_options(), output == "geojson")
    return json_response(data, GEOJSON if output == "geojson" else "application/json")


_ROUTE_RESPONSES = {**_ok("Ranked routes, best first", _ROUTES_EXAMPLE)}
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
        }
    )
    return await _routes(request, body, format)


@router.post("/routes", responses=_ROUTE_RESPONSES, summary="Ranked routes between two places (full options)")
async def post_routes(request: Request, body: RouteBody, format: FormatQuery = "json") -> Response:
    """Ranked, diverse routes with every option, optionally under an inline what-if scenario."""
    return await _routes(request, body, format)


# --- compare --------------------------------------------------------------------------------------

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
         "status": "no_route", "reason": "... the corridor includes planned links not yet in operation (l084, l085)", "route": None},
    ],
}  # fmt: skip


async def _compare(request: Request, body: CompareBody) -> Response:
    _require("planner.compare")
    if body.scenario is not None:
        _require("planner.scenario")
    scenario = resolve_uploaded(request, body.scenario)
    data = await _compute(
        request, jobs.compare_routes, body.origin, body.destination, body.corridors, scenario, body.planner_options()
    )
    return json_response(data)


@router.get("/compare", responses=_ok("The best route on each corridor", _COMPARE_EXAMPLE), summary="Compare corridors")
async def get_compare(
    request: Request,
    origin: Annotated[PlaceQuery, Query(alias="from", openapi_examples={"xian": {"value": "Xi'an"}})],
    destination: Annotated[PlaceQuery, Query(alias="to", openapi_examples={"istanbul": {"value": "Istanbul"}})],
    corridor: Annotated[list[Identifier], Query(max_length=MAX_COMPARE_CORRIDORS, description="repeatable; default all")] = [],  # noqa: B006
    rank: Annotated[RankName, Query()] = "time",
    teu: Annotated[float | None, Query(gt=0, le=MAX_TEU, allow_inf_nan=False)] = None,
    tonnes: Annotated[float | None, Query(gt=0, le=MAX_TONNES, allow_inf_nan=False)] = None,
    scenario: Annotated[ScenarioName | None, Query(description="a bundled scenario name (see /v1/scenarios)")] = None,
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
        }
    )
    return await _compare(request, body)


@router.post("/compare", responses=_ok("The best route on each corridor", _COMPARE_EXAMPLE), summary="Compare corridors (full options)")
async def post_compare(request: Request, body: CompareBody) -> Response:
    """The best route on each corridor, with every option and an optional (inline or bundled) scenario."""
    return await _compare(request, body)


# --- places, corridors, network -------------------------------------------------------------------

_PLACE_EXAMPLE = {"id": "tashkent", "name": "Tashkent", "aliases": ["Toshkent"], "country": "UZ", "lat": 41.3, "lon": 69.24, "kinds": ["city"]}


@router.get(
    "/places",
    responses=_ok("Matching places, best first", {"places": [{**_PLACE_EXAMPLE, "matched": "Tashkent", "score": 0.9}]}),
    summary="Search places",
)
def get_places(
    network: NetworkDep,
    q: Annotated[str, Query(min_length=1, max_length=200, pattern=PRINTABLE, openapi_examples={"tash": {"value": "tash"}})],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Places whose id, name or alias matches a query (for autocomplete)."""
    matches = search_places(network, q, limit=limit)
    places = [{**place_to_dict(m.place), "matched": m.matched, "score": round(m.score, 3)} for m in matches]
    return json_response({"places": places})


@router.get("/places/{place_id}", responses=_ok("The place", _PLACE_EXAMPLE), summary="One place")
def get_place(
    network: NetworkDep,
    place_id: Annotated[str, Path(max_length=200, openapi_examples={"tashkent": {"value": "tashkent"}})],
) -> Response:
    """One place by id (404 with suggestions for unknown ids)."""
    place = network.places.get(place_id)
    if place is None:
        raise UnknownPlaceError(place_id, suggest_places(network, place_id), field="id")
    return json_response(place_to_dict(place))


def _corridor_dict(network: Network, corridor_id: str) -> dict[str, Any]:
    corridor = network.corridors[corridor_id]
    return {
        "id": corridor.id,
        "name": corridor.name,
        "aliases": list(corridor.aliases),
        "description": corridor.description,
        "places": list(corridor.places),
        "branches": [list(b) for b in corridor.branches],
    }


_CORRIDOR_EXAMPLE = {"id": "titr", "name": "Middle Corridor (Trans-Caspian)", "aliases": ["TITR"], "places": ["xian", "...", "istanbul"]}


@router.get("/corridors", responses=_ok("Every corridor", {"corridors": [_CORRIDOR_EXAMPLE]}), summary="List corridors")
def get_corridors(network: NetworkDep) -> Response:
    """Every named corridor in the network."""
    return json_response({"corridors": [_corridor_dict(network, c) for c in network.corridors]})


@router.get(
    "/corridors/{corridor_id}",
    responses=_ok("The corridor and its geometry", {**_CORRIDOR_EXAMPLE, "geometry": {"type": "MultiLineString", "coordinates": [[[108.9, 34.3], [69.2, 41.3]]]}}),
    summary="One corridor",
)
def get_corridor(
    network: NetworkDep,
    corridor_id: Annotated[str, Path(max_length=100, openapi_examples={"titr": {"value": "titr"}})],
) -> Response:
    """One corridor by id or alias, with its lines as a GeoJSON MultiLineString."""
    try:
        corridor = resolve_corridor(network, corridor_id)
    except UnknownCorridorError:
        known = ", ".join(sorted(network.corridors))
        raise ProblemError(
            404, "unknown_corridor", "Unknown corridor", f"no corridor has this id, name or alias; known corridors: {known}",
            errors=[{"field": "corridor_id", "message": "no corridor has this id, name or alias"}],
            suggestions=sorted(network.corridors),
        ) from None
    return json_response({**_corridor_dict(network, corridor.id), "geometry": corridor_geojson(network, corridor.id)["geometry"]})


@router.get(
    "/network",
    responses=_ok("GeoJSON FeatureCollection: places as Points, links as LineStrings", {"type": "FeatureCollection", "features": ["..."]}, GEOJSON),
    summary="The whole network as GeoJSON",
)
def get_network_geojson(request: Request, network: NetworkDep) -> Response:
    """The whole network as GeoJSON (places and links with their figures and sources)."""
    body: bytes | None = getattr(request.app.state, "network_geojson", None)
    if body is None:
        body = orjson.dumps(network_geojson(network))
        request.app.state.network_geojson = body
    return json_response(body, GEOJSON)


@router.get(
    "/version",
    responses=_ok("Package and network versions", {"version": "0.1.0", "network": {"id": "eurasia", "name": "Eurasian freight corridors", "version": "2026.11"}}),
    summary="Versions",
)
def get_version(network: NetworkDep) -> Response:
    """The planner package version and the served network's id, name and version."""
    info = network.info
    return json_response({"version": planner.__version__, "network": {"id": info.id, "name": info.name, "version": info.version}})
