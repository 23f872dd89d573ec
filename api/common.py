"""What every /v1 router shares: strict JSON bodies, the served network, responses, and computing answers.

Computed answers are kept in the served network's caches (:data:`RESPONSES`): an answer is a pure
function of the network's content and the job's arguments, and a network re-loaded from another
file is another network with caches of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from starlette.responses import JSONResponse, Response

from planner import CacheSlot, DeadlineExceededError, Network
from planner.cache import MiB

from .auth import enforce_rate_limit
from .bodies import loads_bounded
from .compute import DeadlineExceeded, Overloaded, WorkerFailed
from .dispatch import Dispatcher, Effort
from .models import PROBLEM_RESPONSES
from .params import unknown_query_errors
from .problems import ProblemError

__all__ = [
    "GEOJSON",
    "RESPONSES",
    "Effort",
    "GeoJSONResponse",
    "NetworkDep",
    "StrictJSONRoute",
    "compute",
    "get_network",
    "json_response",
    "ok",
    "reject_unknown_parameters",
    "v1_router",
]

GEOJSON = "application/geo+json"

RESPONSES = CacheSlot[bytes, bytes]("API responses", max_entries=512, max_bytes=64 * MiB, sizeof=len)
"""Encoded answers of computations, by job name and arguments, in the served network's caches."""


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


async def reject_unknown_parameters(request: Request) -> None:
    """422 naming every query parameter the endpoint does not accept, with a suggestion for near misses."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    errors = unknown_query_errors(route, request.query_params.keys())
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise ProblemError(422, "invalid_request", "Invalid request", detail, errors=errors)


def v1_router(tag: str) -> APIRouter:
    """A router for one resource under /v1: rate-limited, no unknown parameters, strict JSON bodies, problems documented."""
    return APIRouter(
        prefix="/v1",
        tags=[tag],
        dependencies=[Depends(enforce_rate_limit), Depends(reject_unknown_parameters)],
        responses=PROBLEM_RESPONSES,
        route_class=StrictJSONRoute,
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


def ok(description: str, status: int = 200) -> dict[int | str, Any]:
    """The OpenAPI description of a success; its schema is the route's ``response_model``, its examples real
    answers (:mod:`api.openapi`)."""
    return {status: {"description": description}}


class GeoJSONResponse(JSONResponse):
    """Declares ``application/geo+json`` answers (endpoints return pre-encoded bytes with :func:`json_response`)."""

    media_type = GEOJSON


async def compute(request: Request, fn: Callable[..., bytes], *args: Any, effort: Effort | None = None) -> bytes:
    """``fn(network, *args)``'s answer, kept from an earlier identical call or computed now.

    Computed in the server process when ``effort`` is cheap (:class:`~api.dispatch.CheapRule`),
    else in a compute worker; ``effort=None`` always means a worker. The request's deadline
    (``compute_deadline_seconds``) counts from here and covers any wait for a slot.
    """
    started = time.monotonic()
    network = await get_network(request)
    dispatcher: Dispatcher | None = getattr(request.app.state, "compute", None)
    if dispatcher is None:
        raise ProblemError(503, "not_ready", "Not ready", "the compute workers are not running", headers={"Retry-After": "1"})
    try:
        key: bytes | None = orjson.dumps([fn.__name__, args], option=orjson.OPT_SORT_KEYS)
    except TypeError:
        key = None
    if key is not None and (hit := network.caches.peek(RESPONSES, key)) is not None:
        return hit
    try:
        result = await dispatcher.run(fn, args, effort=effort, deadline=started + dispatcher.deadline_seconds)
    except (DeadlineExceeded, DeadlineExceededError):
        raise ProblemError(
            503,
            "deadline_exceeded",
            "Computation took too long",
            f"the computation took longer than {dispatcher.deadline_seconds:g} s and was stopped; narrow the request (smaller k, fewer via places)",
            headers={"Retry-After": "1"},
        ) from None
    except Overloaded as exc:
        raise ProblemError(
            503, "overloaded", "Too many computations in flight", f"{exc}; retry shortly", headers={"Retry-After": "1"}
        ) from None
    except WorkerFailed:
        raise ProblemError(
            503, "worker_failed", "Computation failed", "a compute worker failed; retry shortly", headers={"Retry-After": "1"}
        ) from None
    if key is not None:
        network.caches.put(RESPONSES, key, result)
    return result
