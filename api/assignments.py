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
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
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
from planner.batch import BatchInputError, TooManyRowsError, read_counted
from planner.demand import DEMAND_ROWS, MAX_DEMAND_ROWS

from .auth import current_client, enforce_rate_limit
from .batch_runner import BatchService, JobKind
from .bodies import body_chunks, loads_bounded
from .common import json_response, reject_unknown_parameters
from .models import PROBLEM_REF, PROBLEM_RESPONSES, AssignmentBody, AssignmentOptions, AssignmentQuery, DemandRowIn
from .openapi import schema_ref
from .problems import ProblemError, invalid_field, validation_problem
from .request_jobs import RequestJobs, write_json_and_geojson
from .scenarios import resolve_uploaded
from .settings import Settings, get_settings

__all__ = ["ASSIGNMENTS", "JOBS", "demand_router", "router"]

_GUARDS = [Depends(enforce_rate_limit), Depends(reject_unknown_parameters)]
router = APIRouter(prefix="/v1/assignments", tags=["assignments"], responses=PROBLEM_RESPONSES, dependencies=_GUARDS)
demand_router = APIRouter(prefix="/v1/demand", tags=["assignments"], responses=PROBLEM_RESPONSES, dependencies=_GUARDS)

_CSV_TYPES = ("text/csv", "application/csv", "text/plain")
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson")


ASSIGNMENTS = JobKind("assignments", AssignmentInput, evaluate_assignment, write_json_and_geojson, ("json", "geojson"))
"""Assignment jobs: one stored request each, run one at a time in a worker process."""
JOBS = RequestJobs(ASSIGNMENTS, "/v1/assignments", "assignment", "assignments")


Service = Annotated[BatchService, Depends(JOBS.dependency())]
Client = Annotated[str, Depends(current_client)]
Config = Annotated[Settings, Depends(get_settings)]


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
    job=AssignmentJob,
    jobs=AssignmentJobList,
    result=AssignmentResult,
    result_geojson=AssignmentGeoJSON,
    results="A finished assignment: totals, corridor shares, bottlenecks (V/C, queue days, capacity to add), links and OD pairs.",
    geojson="A finished assignment as GeoJSON: links with TEU a year each way and V/C, places with capacity and their queues.",
)


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
