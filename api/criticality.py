"""``/v1/criticality``: rank the network's assets by what closing them costs the flows, as a durable job.

A submission is a JSON object of options (and the demand: a bundled set's name, rows, or none for
every OD pair weighted equally), checked whole against the served network before it is stored: an
unknown field, a bad demand row or an option out of range is a 422 naming it; an asset id the network lacks a 404.
The job then runs like an assignment (:mod:`api.request_jobs`): stored in
``<data_dir>/criticality.sqlite3``, run in a worker process, resumed after a restart.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from corridor_client.models import CriticalityGeoJSON, CriticalityJob, CriticalityJobList, CriticalityResult
from planner import (
    Network,
    asset_table,
    bundled_demand_sets,
    load_bundled_scenario,
    parse_scenario,
    read_demand,
)
from planner.criticality_job import CriticalityInput, evaluate_criticality

from .auth import current_client, enforce_rate_limit
from .batch_runner import BatchService, JobKind
from .bodies import loads_bounded
from .common import reject_unknown_parameters
from .models import PROBLEM_REF, PROBLEM_RESPONSES, CriticalityBody
from .openapi import schema_ref
from .problems import ProblemError, invalid_field, validation_problem
from .request_jobs import RequestJobs, write_json_and_geojson
from .scenarios import resolve_uploaded
from .settings import Settings, get_settings

__all__ = ["CRITICALITY", "JOBS", "router"]

router = APIRouter(
    prefix="/v1/criticality",
    tags=["criticality"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(enforce_rate_limit), Depends(reject_unknown_parameters)],
)

CRITICALITY = JobKind("criticality", CriticalityInput, evaluate_criticality, write_json_and_geojson, ("json", "geojson"))
"""Criticality jobs: one stored request each, run one at a time in a worker process."""
JOBS = RequestJobs(CRITICALITY, "/v1/criticality", "criticality", "criticality")

Service = Annotated[BatchService, Depends(JOBS.dependency())]
Client = Annotated[str, Depends(current_client)]
Config = Annotated[Settings, Depends(get_settings)]


# --- submissions ---------------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, exc: ValidationError) -> None:
        self.errors = exc.errors()


async def _read(request: Request) -> CriticalityBody:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("application/json", ""):
        raise ProblemError(415, "unsupported_media_type", "Unsupported media type", 'send application/json: {"demand": ..., "closure": ...}')
    data = await request.body()
    if not data.strip():
        raise invalid_field("body", 'empty; expected a JSON object of options ({} for every default)')
    try:
        raw = loads_bounded(data)
    except orjson.JSONDecodeError as exc:
        raise invalid_field("body", f"malformed JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(raw, dict):
        raise invalid_field("body", "expected an object of options")
    try:
        return CriticalityBody.model_validate(raw)
    except ValidationError as exc:
        raise _Invalid(exc) from None


def _check(network: Network, request: Request, body: CriticalityBody) -> tuple[dict[str, Any], str | list[dict[str, Any]] | None]:
    """The options and demand as stored, every one checked on the served network first."""
    if body.closure == "full" and body.fraction not in (None, 1.0):
        raise invalid_field("fraction", "applies to partial closures; a full closure takes all capacity")
    if body.closure == "partial" and body.demand is None:
        raise invalid_field("demand", "a partial closure needs a demand set: capacity is cut against volumes")
    if body.assets is not None:
        known = asset_table(network).by_id
        unknown = [a for a in body.assets if a not in known]
        if unknown:
            raise ProblemError(
                404, "unknown_asset", "Unknown asset", f"assets: {len(unknown)} unknown asset id(s); each is listed in errors",
                errors=[{"field": f"assets[{body.assets.index(a)}]", "message": "no asset of the served network has this id"} for a in unknown[:20]],
            )  # fmt: skip
    stored = body.model_dump(exclude_none=True, exclude={"demand", "scenario"})
    scenario = resolve_uploaded(request, body.scenario)
    if scenario is not None:
        parsed = load_bundled_scenario(scenario, network) if isinstance(scenario, str) else parse_scenario(scenario, network)
        stored["scenario"] = scenario if isinstance(scenario, str) else parsed.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    demand = body.demand
    if demand is None or isinstance(demand, str):
        if isinstance(demand, str) and demand not in {s.name for s in bundled_demand_sets()}:
            names = ", ".join(sorted(s.name for s in bundled_demand_sets()))
            raise invalid_field("demand", f"no bundled demand set has this name; bundled sets: {names}")
        return stored, demand
    rows = [item.row(number) for number, item in enumerate(demand, start=1)]
    read_demand(rows, network)  # raises DemandError listing every bad row (404 unknown places, 409 a place to itself)
    as_dicts = [orjson.loads(r.to_json()) for r in rows]
    for item in as_dicts:
        item.pop("row", None)
    return stored, as_dicts


@router.post(
    "",
    status_code=202,
    response_model=CriticalityJob,
    responses={
        202: {"description": "The job, queued (Location: its URL)"},
        415: {"description": "Not JSON", "content": {"application/problem+json": {"schema": PROBLEM_REF}}},
    },
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": schema_ref(CriticalityBody)}}}},
)
async def submit_criticality(request: Request, service: Service, client: Client, settings: Config) -> Response:
    """Rank assets by what closing them (or cutting their capacity for some days) costs the flows."""
    replayed = await JOBS.replay(request, service, client)
    if replayed is not None:
        return replayed
    try:
        body = await _read(request)
    except _Invalid as exc:
        return validation_problem(exc.errors)
    options, demand = await run_in_threadpool(_check, service.network, request, body)
    shown = {k: v for k, v in options.items() if k != "scenario" or isinstance(v, str)}
    if isinstance(demand, str) or demand is None:
        shown["demand"] = demand
    else:
        shown["demand"] = f"{len(demand)} row(s)"
    return await JOBS.submit(request, service, client, settings, CriticalityInput(1, options, demand), shown)


JOBS.add_routes(
    router,
    job=CriticalityJob,
    jobs=CriticalityJobList,
    result=CriticalityResult,
    result_geojson=CriticalityGeoJSON,
    results="A finished criticality run: every asset ranked, with TEU affected, extra days (typical and P90), USD and CO2e, "
    "isolated and unserved volume, the corridors and links its flow moves to, V/C after, and the affected OD pairs.",
    geojson="A finished criticality run as GeoJSON: link assets as lines, places' facilities as points, each with its figures "
    "and the links its flow moves to (diverted_links) and leaves (vacated_links).",
)
