"""``/v1/matrix``: the best route between every origin and every destination, with several figures per cell.

A synchronous answer holds at most :data:`~api.models.MATRIX_MAX_CELLS` cells (100 x 100) and is
computed by the compute workers like every expensive request (one shortest-path tree per origin,
see :func:`planner.route_matrix`). ``POST /v1/matrix?async=true`` runs a matrix of up to 1,000 x
1,000 cells as a batch job instead: one row per cell (row ``i * len(destinations) + j + 1``, id
``"i:j"`` counted from 1), answered 202 with the job, its results at ``/v1/batches/{id}/results``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from corridor_client.models import RouteMatrix
from planner import check_matrix
from planner.batch import BatchRow

from . import jobs
from .batches import Client, Config, create_job, get_service
from .common import Effort, compute, get_network, json_response, ok, v1_router
from .models import MATRIX_MAX_CELLS, MatrixBody
from .problems import ProblemError, invalid_field
from .scenarios import UPLOAD_PREFIX, resolve_uploaded
from .settings import Settings

__all__ = ["router"]

router = v1_router("matrix")

AsyncQuery = Annotated[
    str | None,
    Query(
        alias="async",
        description="Present (`?async`, `?async=true`): run the matrix as a batch job and answer 202 with it",
        pattern=r"^(|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0|[Yy][Ee][Ss]|[Nn][Oo])$",
    ),
]


def _is_async(value: str | None) -> bool:
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in ("", "true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise invalid_field("async", "expected true or false (or no value)")


@router.post(
    "/matrix",
    response_model=RouteMatrix,
    responses={
        **ok("A route (or an error) per origin and destination: cells[i][j]"),
        202: {"description": "With ?async: the batch job computing the matrix (Location: /v1/batches/{id})"},
    },
    summary="Best routes between many origins and destinations",
)
async def post_matrix(request: Request, body: MatrixBody, client: Client, settings: Config, run_async: AsyncQuery = None) -> Response:
    """The best route from every origin to every destination: typical, P50 and P90 hours, USD, CO2e, borders and main corridor per cell."""
    cells = len(body.origins) * len(body.destinations)
    if _is_async(run_async):
        return await _submit(request, body, client, settings)
    if cells > MATRIX_MAX_CELLS:
        raise ProblemError(
            413,
            "matrix_too_large",
            "Matrix too large",
            f"{len(body.origins)} origins x {len(body.destinations)} destinations is {cells:,} cells; a synchronous "
            f"answer holds at most {MATRIX_MAX_CELLS:,} (100 x 100): POST /v1/matrix?async=true runs it as a batch "
            "job (results at /v1/batches/{id}/results)",
            limit=MATRIX_MAX_CELLS,
        )
    scenario = resolve_uploaded(request, body.scenario)
    data = await compute(
        request,
        jobs.matrix,
        body.origins,
        body.destinations,
        body.planner_options(),
        scenario,
        effort=Effort(k=1, searches=cells, scenario=scenario is not None),
    )
    return json_response(data)


async def _submit(request: Request, body: MatrixBody, client: str, settings: Settings) -> Response:
    service = get_service(request)
    scenario = body.scenario
    if scenario is not None and (not isinstance(scenario, str) or scenario.startswith(UPLOAD_PREFIX)):
        raise ProblemError(
            409,
            "scenario_conflict",
            "Scenario not available to a matrix job",
            "a matrix job takes a bundled scenario by name (batch rows name scenarios, they do not carry them); "
            "ask for a synchronous matrix (100 x 100 at most) with an inline or uploaded scenario",
            errors=[{"field": "scenario", "message": "a matrix job takes a bundled scenario by name"}],
        )
    cells = len(body.origins) * len(body.destinations)
    if cells > settings.batch_max_rows:
        raise ProblemError(
            413,
            "too_many_rows",
            "Too many rows",
            f"the matrix has {cells:,} cells, more than the {settings.batch_max_rows:,} rows a batch job may have",
            limit=settings.batch_max_rows,
        )
    options = body.planner_options()
    network = await get_network(request)
    # Names and options checked now (404/422 for the whole matrix), not in each of a million rows.
    await run_in_threadpool(check_matrix, network, body.origins, body.destinations, **options)
    return await create_job(request, service, client, settings, _rows(body, options, scenario), "csv")


def _rows(body: MatrixBody, options: dict[str, Any], scenario: str | None) -> Iterator[BatchRow]:
    """One row per cell, made as the store reads them (a million cells are never all in memory)."""
    width = len(body.destinations)

    def items(name: str) -> tuple[str, ...]:
        return tuple(options.get(name) or ())

    return (
        BatchRow(
            row=i * width + j + 1,
            id=f"{i + 1}:{j + 1}",
            origin=origin,
            destination=destination,
            rank=options["rank"],
            k=1,
            teu=options.get("teu"),
            tonnes=options.get("tonnes"),
            corridor=options.get("corridor"),
            scenario=scenario,
            service=options["service"],
            container=options.get("container"),
            departure_date=options.get("departure_date"),
            month=options.get("month"),
            max_border_crossings=options.get("max_border_crossings"),
            max_transshipments=options.get("max_transshipments"),
            avoid_countries=items("avoid_countries"),
            avoid_places=items("avoid_places"),
            avoid_links=items("avoid_links"),
            modes=items("modes"),
            via=items("via"),
        )
        for i, origin in enumerate(body.origins)
        for j, destination in enumerate(body.destinations)
    )
