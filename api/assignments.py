"""``/v1/assignments``: yearly demand assigned to the corridors as a durable job; ``/v1/demand``: the bundled demand sets.

A submission is checked whole before it is stored: options, scenario and every demand row against
the served network (422 listing each bad row). The job (its request as one row) then lives in
``<data_dir>/assignments.sqlite3`` and is run by its own runner in a worker process, like a batch:
queued jobs and jobs a killed server left running are run at the next start. Results are kept as
JSON and GeoJSON files per job.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
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
from planner.batch import (
    BatchInputError,
    Job,
    JobStatus,
    TooManyJobsError,
    TooManyRowsError,
    read_counted,
    write_atomically,
)
from planner.demand import DEMAND_ROWS, MAX_DEMAND_ROWS

from .auth import current_client, enforce_rate_limit
from .batch_runner import BatchService, JobKind
from .bodies import body_chunks, loads_bounded
from .common import GEOJSON, reject_unknown_parameters
from .models import PROBLEM_RESPONSES
from .problems import ProblemError, invalid_field, validation_problem
from .scenarios import resolve_uploaded
from .settings import Settings, get_settings

__all__ = ["ASSIGNMENTS", "demand_router", "router", "shutdown", "startup"]

_GUARDS = [Depends(enforce_rate_limit), Depends(reject_unknown_parameters)]
router = APIRouter(prefix="/v1/assignments", tags=["assignments"], responses=PROBLEM_RESPONSES, dependencies=_GUARDS)
demand_router = APIRouter(prefix="/v1/demand", tags=["assignments"], responses=PROBLEM_RESPONSES, dependencies=_GUARDS)

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
_CSV_TYPES = ("text/csv", "application/csv", "text/plain")
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson")


def _write(service: BatchService, job: Job) -> None:
    for outcome in service.store.outcomes(job.id):
        body = orjson.loads(outcome.lines_json)
        if "error" in body:  # served from the stored outcome as a 422
            continue
        write_atomically(service.result_path(job.id, "geojson"), [orjson.dumps(body["geojson"]).decode()])
        write_atomically(service.result_path(job.id, "json"), [orjson.dumps(body["result"]).decode()])


ASSIGNMENTS = JobKind("assignments", AssignmentInput, evaluate_assignment, _write, ("json", "geojson"))
"""Assignment jobs: one stored request each, run one at a time in a worker process."""


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


def _settings_of(app: FastAPI) -> Settings:
    factory = app.dependency_overrides.get(get_settings, get_settings)
    settings = factory()
    assert isinstance(settings, Settings)
    return settings


async def startup(app: FastAPI) -> None:
    """Open the assignment job store and start its runner (resuming unfinished jobs)."""
    service = await run_in_threadpool(BatchService, _settings_of(app), app.state.network, kind=ASSIGNMENTS)
    service.start()
    app.state.assignments = service


async def shutdown(app: FastAPI) -> None:
    service: BatchService | None = getattr(app.state, "assignments", None)
    if service is not None:
        await run_in_threadpool(service.stop)
        app.state.assignments = None


def _service(request: Request) -> BatchService:
    service: BatchService | None = getattr(request.app.state, "assignments", None)
    if service is None:
        raise ProblemError(503, "unavailable", "Service unavailable", "assignment jobs are not available yet")
    return service


Service = Annotated[BatchService, Depends(_service)]
Client = Annotated[str, Depends(current_client)]
Config = Annotated[Settings, Depends(get_settings)]


def _time(value: float | None) -> str | None:
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds") if value is not None else None


def job_view(job: Job) -> dict[str, Any]:
    options = orjson.loads(job.options) if job.options else {}
    return {
        "id": job.id,
        "status": job.status.value,
        "options": options,
        "created_at": _time(job.created_at),
        "started_at": _time(job.started_at),
        "finished_at": _time(job.finished_at),
        "error": job.error,
        "network": job.network_digest,
        "links": {
            "self": f"/v1/assignments/{job.id}",
            "results": f"/v1/assignments/{job.id}/results",
            "geojson": f"/v1/assignments/{job.id}/geojson",
        },
    }


def _not_found() -> ProblemError:
    return ProblemError(404, "assignment_not_found", "Assignment not found", "no assignment job with this id belongs to this key")


def _job_or_404(service: BatchService, job_id: str, owner: str) -> Job:
    job = service.store.get(job_id, owner=owner) if _JOB_ID.match(job_id) else None
    if job is None:
        raise _not_found()
    return job


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
    request: Request, service: Service, client: Client, settings: Config, query: Annotated[AssignmentQuery, Query()]
) -> Response:
    """Submit demand to assign (JSON with options, or CSV / JSON Lines rows with options in the query); 202 with the job."""
    key = request.headers.get("idempotency-key")
    if key is not None and not 0 < len(key) <= 200:
        raise invalid_field("Idempotency-Key", "too long or empty", "Idempotency-Key: must be 1 to 200 characters")
    if key is not None:
        existing = await run_in_threadpool(service.store.find_by_key, client, key)
        if existing is not None:
            return _accepted(existing, replayed=True)
    try:
        options, demand = await _read(request, query, service.store.path.parent)
    except _Invalid as exc:
        return validation_problem(exc.errors, _BODY_NAMES)
    except BatchInputError as exc:
        raise ProblemError(422, exc.code, "Invalid demand", exc.message, errors=[{"field": exc.field or "demand", "message": exc.message}]) from None
    network = service.network
    stored, rows = await run_in_threadpool(_check, network, request, options, demand)
    item = AssignmentInput(1, stored, rows)
    try:
        job, created = await run_in_threadpool(
            service.store.create_job,
            [item],
            owner=client,
            network_digest=network.digest,
            output_format="json",
            options=orjson.dumps({k: v for k, v in stored.items() if k != "scenario" or isinstance(v, str)}).decode(),
            idempotency_key=key,
            max_in_flight=settings.batch_max_jobs_in_flight,
        )
    except TooManyJobsError as exc:
        raise ProblemError(429, exc.code, "Too many jobs in flight", exc.message, headers={"Retry-After": "30"}, limit=exc.limit) from None
    if created:
        service.wake()
    return _accepted(job, replayed=not created)


def _accepted(job: Job, *, replayed: bool) -> Response:
    headers = {"Location": f"/v1/assignments/{job.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(job_view(job), status_code=202, headers=headers)


@router.get("")
def list_assignments(service: Service, client: Client) -> dict[str, Any]:
    """The caller's assignment jobs, newest first (at most 100)."""
    return {"assignments": [job_view(job) for job in service.store.list_jobs(client)]}


@router.get("/{job_id}")
def get_assignment(job_id: str, service: Service, client: Client) -> dict[str, Any]:
    """An assignment job's status."""
    return job_view(_job_or_404(service, job_id, client))


@router.delete("/{job_id}", responses={200: {"description": "cancelled"}, 204: {"description": "deleted"}})
def delete_assignment(job_id: str, service: Service, client: Client) -> Response:
    """Cancel a queued or running assignment (200), or delete a finished one with its results (204)."""
    job = _job_or_404(service, job_id, client)
    if not job.finished:
        cancelled = service.store.cancel(job_id, owner=client)
        if cancelled is None:
            raise _not_found()
        return JSONResponse(job_view(cancelled))
    if not service.delete(job_id, client):
        raise _not_found()
    return Response(status_code=204)


def _finished(service: BatchService, job: Job, suffix: str) -> Response:
    if job.status is not JobStatus.DONE:
        raise ProblemError(
            409, "assignment_not_done", "Assignment not finished",
            f"the job is {job.status.value}; results are served once it is done", status_value=job.status.value,
        )  # fmt: skip
    media = GEOJSON if suffix == "geojson" else "application/json"
    path = service.result_path(job.id, suffix)
    if path.is_file():
        return FileResponse(path, media_type=media)
    # Done, but its files not written yet (or lost): the stored outcome holds the same data.
    for outcome in service.store.outcomes(job.id):
        body = orjson.loads(outcome.lines_json)
        if "error" in body:
            raise ProblemError(422, body.get("code", "invalid_request"), "Assignment failed", body["error"])
        return Response(orjson.dumps(body["geojson" if suffix == "geojson" else "result"]), media_type=media)
    raise _not_found()


@router.get("/{job_id}/results")
def assignment_results(job_id: str, service: Service, client: Client) -> Response:
    """A finished assignment: totals, corridor shares, bottlenecks (V/C, queue days, capacity to add), links and OD pairs."""
    return _finished(service, _job_or_404(service, job_id, client), "json")


@router.get("/{job_id}/geojson", responses={200: {"content": {GEOJSON: {}}}})
def assignment_geojson_view(job_id: str, service: Service, client: Client) -> Response:
    """A finished assignment as GeoJSON: links with TEU a year each way and V/C, places with capacity and their queues."""
    return _finished(service, _job_or_404(service, job_id, client), "geojson")


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

