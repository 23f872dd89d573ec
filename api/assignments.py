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
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from corridor_client.models import AssignmentGeoJSON, AssignmentJob, AssignmentJobList, AssignmentResult, DemandSets
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
from .common import GEOJSON, GeoJSONResponse, json_response, reject_unknown_parameters
from .models import PROBLEM_REF, PROBLEM_RESPONSES, AssignmentBody, AssignmentOptions, AssignmentQuery, DemandRowIn
from .openapi import FILE_OPTIONS, schema_ref
from .problems import ProblemError, invalid_field, validation_problem
from .scenarios import resolve_uploaded
from .settings import Settings, get_settings

__all__ = ["ASSIGNMENTS", "demand_router", "router", "shutdown", "startup"]

_GUARDS = [Depends(enforce_rate_limit), Depends(reject_unknown_parameters)]
router = APIRouter(prefix="/v1/assignments", tags=["assignments"], responses=PROBLEM_RESPONSES, dependencies=_GUARDS)
demand_router = APIRouter(prefix="/v1/demand", tags=["assignments"], responses=PROBLEM_RESPONSES, dependencies=_GUARDS)

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
JobId = Annotated[str, PathParam(max_length=100, description="An assignment job's id (32 hex digits)")]
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
) -> tuple[AssignmentOptions, str | list[DemandRowIn] | list[DemandRow]]:
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
        try:
            options = AssignmentOptions.model_validate(in_query, strict=False)
        except ValidationError as exc:
            raise _Invalid(exc) from None
        fmt: Literal["csv", "jsonl"] = "csv" if media in _CSV_TYPES else "jsonl"

        def parse() -> list[DemandRow]:
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


def _check(
    network: Network, request: Request, options: AssignmentOptions, demand: str | list[DemandRowIn] | list[DemandRow]
) -> tuple[dict[str, Any], str | list[dict[str, Any]]]:
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
    given: list[DemandRowIn | DemandRow] = list(demand)
    rows = [item if isinstance(item, DemandRow) else item.row(number) for number, item in enumerate(given, start=1)]
    read_demand(rows, network)  # raises DemandError listing every bad row (404 unknown places, 409 a place to itself)
    as_dicts = [orjson.loads(r.to_json()) for r in rows]
    for item in as_dicts:
        item.pop("row", None)
    return stored, as_dicts


_SUBMIT_DESCRIPTION = """\
Submit demand to assign; answers 202 with the job (`Location`: its URL).

The body is JSON: the demand (a bundled set's name, or rows) and the options (described below). Or,
with its media type, a demand file with the options in the query string (`method`, `gap`,
`max_iterations`, `capacity_mode`, `criterion`, `scenario`): `text/csv` (a header naming origin,
destination and any of id, cargo, teu_per_year, tonnes_per_year, commodity, usd_per_year, note) or
`application/x-ndjson` (one row object a line). Every row is checked on the served network before
the job is stored: rows that cannot be read are a 422, rows naming places the network lacks a 404,
rows from a place to itself a 409, each bad row listed in `errors`.
"""


@router.post(
    "",
    status_code=202,
    response_model=AssignmentJob,
    description=_SUBMIT_DESCRIPTION,
    responses={
        202: {"description": "The job, queued (Location: its URL)"},
        415: {"description": "Not JSON, CSV or JSON Lines", "content": {"application/problem+json": {"schema": PROBLEM_REF}}},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema_ref(AssignmentBody)}}},
        FILE_OPTIONS: True,
    },
)
async def submit_assignment(
    request: Request, service: Service, client: Client, settings: Config, query: Annotated[AssignmentQuery, Query()]
) -> Response:
    """Submit demand to assign (JSON with options, or CSV / JSON Lines rows with options in the query)."""
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
    return Response(orjson.dumps(job_view(job)), status_code=202, media_type="application/json", headers=headers)


@router.get("", response_model=AssignmentJobList, responses={200: {"description": "The caller's jobs, newest first"}})
def list_assignments(service: Service, client: Client) -> Response:
    """The caller's assignment jobs, newest first (at most 100)."""
    return json_response({"assignments": [job_view(job) for job in service.store.list_jobs(client)]})


@router.get("/{job_id}", response_model=AssignmentJob, responses={200: {"description": "The job"}})
def get_assignment(job_id: JobId, service: Service, client: Client) -> Response:
    """An assignment job's status."""
    return json_response(job_view(_job_or_404(service, job_id, client)))


@router.delete(
    "/{job_id}",
    response_model=AssignmentJob,
    responses={
        200: {"description": "The job was queued or running: it is cancelled and deleted; the answer is its last state"},
        204: {"description": "The job was finished: it is deleted with its results"},
    },
)
def delete_assignment(job_id: JobId, service: Service, client: Client) -> Response:
    """Delete an assignment with its results (then 404); a queued or running one is cancelled first (200)."""
    job = _job_or_404(service, job_id, client)
    last = None
    if not job.finished:
        last = service.store.cancel(job_id, owner=client)  # the runner stops at its next chunk
        if last is None:
            raise _not_found()
    if not service.delete(job_id, client):
        raise _not_found()
    return Response(status_code=204) if last is None else json_response(job_view(last))


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
        if "error" in body:  # the job ended without a result: the resource's state, not the request, is the matter
            raise ProblemError(409, body.get("code", "assignment_failed"), "Assignment failed", body["error"])
        return Response(orjson.dumps(body["geojson" if suffix == "geojson" else "result"]), media_type=media)
    raise _not_found()


@router.get("/{job_id}/results", response_model=AssignmentResult, responses={200: {"description": "The result"}})
def assignment_results(job_id: JobId, service: Service, client: Client) -> Response:
    """A finished assignment: totals, corridor shares, bottlenecks (V/C, queue days, capacity to add), links and OD pairs."""
    return _finished(service, _job_or_404(service, job_id, client), "json")


@router.get(
    "/{job_id}/geojson",
    response_model=AssignmentGeoJSON,
    response_class=GeoJSONResponse,
    responses={200: {"description": "The result as GeoJSON"}},
)
def assignment_geojson_view(job_id: JobId, service: Service, client: Client) -> Response:
    """A finished assignment as GeoJSON: links with TEU a year each way and V/C, places with capacity and their queues."""
    return _finished(service, _job_or_404(service, job_id, client), "geojson")


@demand_router.get("", response_model=DemandSets, responses={200: {"description": "The bundled demand sets"}})
def list_demand_sets() -> Response:
    """The bundled demand sets (use the name as ``demand`` in POST /v1/assignments)."""
    return json_response(
        {
            "demand_sets": [
                {"name": s.name, "title": s.title, "description": s.description, "year": s.year, "sources": list(s.sources)}
                for s in bundled_demand_sets()
            ]
        }
    )
