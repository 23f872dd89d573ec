"""``/v1/assignments``: yearly demand assigned to the corridors as a durable job; ``/v1/demand``: the bundled demand sets.

A submission is checked whole before it is stored: options, scenario and every demand row against
the served network (422 listing each bad row). The job (its request as one row) then lives in
``<data_dir>/assignments.sqlite3`` and is run by its own runner in a worker process, like a batch:
queued jobs and jobs a killed server left running are run at the next start. Results are kept as
JSON and GeoJSON files per job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from planner import (
    DemandRow,
    Network,
    bundled_demand_sets,
    load_bundled_scenario,
    parse_demand,
    parse_scenario,
    read_demand,
)
from planner.assignment_job import AssignmentInput, evaluate_assignment
from planner.batch import BatchInputError, TooManyRowsError, read_counted
from planner.demand import DEMAND_ROWS, MAX_DEMAND_ROWS

from .auth import current_client, enforce_rate_limit
from .batch_runner import BatchService, JobKind
from .bodies import body_chunks, loads_bounded
from .common import reject_unknown_parameters
from .models import PROBLEM_RESPONSES
from .problems import ProblemError, invalid_field, validation_problem
from .request_jobs import RequestJobs, write_json_and_geojson
from .scenarios import resolve_uploaded
from .settings import Settings, get_settings

__all__ = ["ASSIGNMENTS", "JOBS", "demand_router", "router", "shutdown", "startup"]

_GUARDS = [Depends(enforce_rate_limit), Depends(reject_unknown_parameters)]
router = APIRouter(prefix="/v1/assignments", tags=["assignments"], responses=PROBLEM_RESPONSES, dependencies=_GUARDS)
demand_router = APIRouter(prefix="/v1/demand", tags=["assignments"], responses=PROBLEM_RESPONSES, dependencies=_GUARDS)

_CSV_TYPES = ("text/csv", "application/csv", "text/plain")
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson")


ASSIGNMENTS = JobKind("assignments", AssignmentInput, evaluate_assignment, write_json_and_geojson, ("json", "geojson"))
"""Assignment jobs: one stored request each, run one at a time in a worker process."""
JOBS = RequestJobs(ASSIGNMENTS, "/v1/assignments", "assignment", "assignments")


class AssignmentOptions(BaseModel):
    """Options of an assignment (see planner.assign)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["aon", "incremental", "msa", "fw", "bfw"] = "bfw"
    gap: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] = 1e-4
    max_iterations: Annotated[int, Field(ge=1, le=10_000)] = 500
    capacity_mode: Literal["queue", "hard"] = "queue"
    criterion: Literal["generalized", "time"] = "generalized"
    scenario: dict[str, Any] | Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="a bundled scenario's name, an uploaded scenario's id (sc-...) or an inline scenario"
    )


class AssignmentQuery(BaseModel):
    """The options of a CSV or JSON Lines submission, in the query string (a JSON submission has them in its body)."""

    method: Literal["aon", "incremental", "msa", "fw", "bfw"] | None = None
    gap: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] | None = None
    max_iterations: Annotated[int, Field(ge=1, le=10_000)] | None = None
    capacity_mode: Literal["queue", "hard"] | None = None
    criterion: Literal["generalized", "time"] | None = None
    scenario: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="a bundled scenario's name or an uploaded scenario's id (sc-...)"
    )


class AssignmentBody(AssignmentOptions):
    """A JSON submission: the demand (a bundled set's name or rows) and the options."""

    demand: Annotated[str, Field(min_length=1, max_length=200)] | Annotated[list[Any], Field(max_length=MAX_DEMAND_ROWS)] = Field(
        description="a bundled demand set (GET /v1/demand) or rows: {origin, destination, cargo, teu_per_year, tonnes_per_year}"
    )


# --- lifespan ------------------------------------------------------------------------------------


async def startup(app: FastAPI) -> None:
    """Open the assignment job store and start its runner (resuming unfinished jobs)."""
    await JOBS.startup(app)


async def shutdown(app: FastAPI) -> None:
    await JOBS.shutdown(app)


Service = Annotated[BatchService, Depends(JOBS.dependency())]
Client = Annotated[str, Depends(current_client)]
Config = Annotated[Settings, Depends(get_settings)]


# --- submissions ---------------------------------------------------------------------------------


_BODY_NAMES = {"body": {name: name for name in AssignmentBody.model_fields}}


async def _read(
    request: Request, query: AssignmentQuery, spool_dir: Path
) -> tuple[AssignmentOptions, str | list[Any]]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    in_query = query.model_dump(exclude_none=True)
    if media in ("application/json", ""):
        if in_query:
            names = ", ".join(sorted(in_query))
            raise invalid_field(names.split(", ")[0], f"a JSON submission takes its options in the body, not the query ({names})")
        data = await request.body()
        if not data.strip():
            raise invalid_field("body", "empty; expected a JSON object with demand and options")
        try:
            raw = loads_bounded(data)
        except orjson.JSONDecodeError as exc:
            raise invalid_field("body", f"malformed JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(raw, dict):
            raise invalid_field("body", "expected an object with demand and options")
        try:
            body = AssignmentBody.model_validate(raw)
        except ValidationError as exc:
            raise _Invalid(exc) from None
        options = AssignmentOptions.model_validate(body.model_dump(exclude={"demand"}))
        return options, body.demand
    if media in _CSV_TYPES or media in _JSONL_TYPES:
        options = AssignmentOptions.model_validate(in_query)
        fmt: Literal["csv", "jsonl"] = "csv" if media in _CSV_TYPES else "jsonl"

        def parse() -> list[Any]:
            # Rows counted from the bytes as they arrive (the row past the cap is answered at once), then parsed.
            counted = read_counted(body_chunks(request), fmt, max_rows=MAX_DEMAND_ROWS, spool_dir=spool_dir, schema=DEMAND_ROWS)
            return list(parse_demand(counted, fmt))

        try:
            return options, await run_in_threadpool(parse)
        except TooManyRowsError:
            detail = f"the demand has more than {MAX_DEMAND_ROWS:,} rows, the most one assignment may have"
            raise ProblemError(413, "too_many_rows", "Too many rows", detail, headers={"Connection": "close"}, limit=MAX_DEMAND_ROWS) from None
    raise ProblemError(
        415, "unsupported_media_type", "Unsupported media type",
        'send application/json ({"demand": ..., "method": ...}), or demand rows as text/csv or application/x-ndjson',
    )  # fmt: skip


class _Invalid(Exception):
    def __init__(self, exc: ValidationError) -> None:
        self.errors = exc.errors()


def _check(network: Network, request: Request, options: AssignmentOptions, demand: str | list[Any]) -> tuple[dict[str, Any], str | list[dict[str, Any]]]:
    """The options and demand as stored: every row checked on the served network (DemandError lists the bad ones)."""
    stored = options.model_dump(exclude_none=True)
    scenario = resolve_uploaded(request, options.scenario)
    if scenario is not None:
        parsed = load_bundled_scenario(scenario, network) if isinstance(scenario, str) else parse_scenario(scenario, network)
        stored["scenario"] = parsed.spec.model_dump(mode="json", by_alias=True, exclude_none=True) if not isinstance(scenario, str) else scenario
    if isinstance(demand, str):
        names = {s.name for s in bundled_demand_sets()}
        if demand not in names:
            raise invalid_field("demand", f"no bundled demand set has this name; bundled sets: {', '.join(sorted(names))}")
        return stored, demand
    read_demand(demand, network)  # raises DemandError listing every bad row
    as_dicts = [orjson.loads(r.to_json()) if isinstance(r, DemandRow) else r for r in demand]
    for item in as_dicts:
        if isinstance(item, dict):
            item.pop("row", None)
    return stored, as_dicts


_EXAMPLE_BODY = {"demand": "uz_kz_2030", "method": "bfw", "gap": 1e-4, "capacity_mode": "queue", "scenario": "cku_opened"}


@router.post(
    "",
    status_code=202,
    responses={
        202: {"description": "the job, queued (Location: /v1/assignments/{id})"},
        415: {"description": "Unsupported media type", "content": {"application/problem+json": {}}},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": AssignmentBody.model_json_schema(), "example": _EXAMPLE_BODY},
                "text/csv": {"schema": {"type": "string"}, "example": "origin,destination,cargo,teu_per_year\ntashkent,almaty,container,100\n"},
            },
        }
    },
)
async def submit_assignment(
    request: Request,
    service: Service,
    client: Client,
    settings: Config,
    query: Annotated[AssignmentQuery, Query(include_in_schema=False)],
) -> Response:
    """Submit demand to assign: JSON with the options in the body, or CSV / JSON Lines rows with the options in the
    query string (`method`, `gap`, `max_iterations`, `capacity_mode`, `criterion`, `scenario`: the body's names;
    not given with a JSON body). 202 with the job."""
    replayed = await JOBS.replay(request, service, client)
    if replayed is not None:
        return replayed
    try:
        options, demand = await _read(request, query, service.store.path.parent)
    except _Invalid as exc:
        return validation_problem(exc.errors, _BODY_NAMES)
    except BatchInputError as exc:
        raise ProblemError(422, exc.code, "Invalid demand", exc.message, errors=[{"field": exc.field or "demand", "message": exc.message}]) from None
    stored, rows = await run_in_threadpool(_check, service.network, request, options, demand)
    shown = {k: v for k, v in stored.items() if k != "scenario" or isinstance(v, str)}
    return await JOBS.submit(request, service, client, settings, AssignmentInput(1, stored, rows), shown)


JOBS.add_routes(
    router,
    results="A finished assignment: totals, corridor shares, bottlenecks (V/C, queue days, capacity to add), links and OD pairs.",
    geojson="A finished assignment as GeoJSON: links with TEU a year each way and V/C, places with capacity and their queues.",
)


@demand_router.get(
    "",
    responses={
        200: {
            "description": "The bundled demand sets",
            "content": {"application/json": {"example": {"demand_sets": [{"name": "uz_kz_2030", "title": "Uzbekistan–Kazakhstan trade 2030 target ($10 bn)", "year": 2030}]}}},
        }
    },
)
def list_demand_sets() -> dict[str, Any]:
    """The bundled demand sets (use the name as ``demand`` in POST /v1/assignments)."""
    return {
        "demand_sets": [
            {"name": s.name, "title": s.title, "description": s.description, "year": s.year, "sources": list(s.sources)}
            for s in bundled_demand_sets()
        ]
    }

