"""``/v1/batches``: durable batch jobs of route requests, evaluated in the background.

A submitted body is counted as it streams (a worker thread pulls its chunks, spools them to disk
and counts their rows from the bytes, :func:`planner.batch.read_counted`: the row cap, the size
limit and a bad start are answered as soon as they are reached, and memory stays flat), then
parsed and stored whole (job and rows, one transaction) in ``<data_dir>/batches.sqlite3`` and answered
with 202. The runner (:mod:`api.batch_runner`) feeds jobs to a process pool (or a Dask cluster
when ``dask_scheduler`` is set) in fair turns across keys, and records each chunk in one
transaction; at start-up, jobs left unfinished by a stopped server are resumed. Only one server
process per data directory runs jobs (a lock file), so several workers never evaluate the same job twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from corridor_client.models import BatchJob, BatchJobList
from planner import Network
from planner.batch import (
    BatchRow,
    InputFormat,
    Job,
    JobStatus,
    OutputFormat,
    TooManyJobsError,
    TooManyRowsError,
    detect_format,
    parse_json_body,
    parse_rows,
    read_counted,
    render,
)

from .auth import current_client, enforce_rate_limit
from .batch_runner import BatchService
from .bodies import body_chunks
from .common import json_response, reject_unknown_parameters
from .models import PROBLEM_REF, PROBLEM_RESPONSES, BatchSubmission
from .openapi import schema_ref
from .problems import ProblemError, invalid_field
from .settings import Settings, get_settings

__all__ = ["BatchService", "create_job", "get_service", "router", "shutdown", "startup"]

router = APIRouter(
    prefix="/v1/batches",
    tags=["batches"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(enforce_rate_limit), Depends(reject_unknown_parameters)],
)

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
JobId = Annotated[str, PathParam(max_length=100, description="A batch job's id (32 hex digits)")]
_MAX_IDEMPOTENCY_KEY = 200
_READ_CHUNK = 1 << 16
_CSV_TYPES = ("text/csv", "application/csv", "text/plain")
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson")
_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


# --- lifespan hooks ---------------------------------------------------------------------------


def _settings_of(app: FastAPI) -> Settings:
    factory = app.dependency_overrides.get(get_settings, get_settings)
    settings = factory()
    assert isinstance(settings, Settings)
    return settings


async def startup(app: FastAPI) -> None:
    """Open the job store and start the runner (resuming unfinished jobs)."""
    settings = _settings_of(app)
    network: Network = app.state.network
    service = await run_in_threadpool(BatchService, settings, network)
    service.start()
    app.state.batches = service


async def shutdown(app: FastAPI) -> None:
    """Stop the runner after the chunk in progress; unfinished jobs resume at the next start."""
    service: BatchService | None = getattr(app.state, "batches", None)
    if service is not None:
        await run_in_threadpool(service.stop)
        app.state.batches = None


def get_service(request: Request) -> BatchService:
    service: BatchService | None = getattr(request.app.state, "batches", None)
    if service is None:
        raise ProblemError(503, "unavailable", "Service unavailable", "batch jobs are not available yet")
    return service


Service = Annotated[BatchService, Depends(get_service)]
Client = Annotated[str, Depends(current_client)]
Config = Annotated[Settings, Depends(get_settings)]


# --- views ------------------------------------------------------------------------------------


def _time(value: float | None) -> str | None:
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds") if value is not None else None


def job_view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status.value,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "rows_failed": job.rows_failed,
        "rows_per_second": round(job.rows_per_second(), 1),
        "format": job.output_format,
        "created_at": _time(job.created_at),
        "started_at": _time(job.started_at),
        "finished_at": _time(job.finished_at),
        "error": job.error,
        "network": job.network_digest,
        "links": {"self": f"/v1/batches/{job.id}", "results": f"/v1/batches/{job.id}/results"},
    }


def _not_found() -> ProblemError:
    return ProblemError(404, "batch_not_found", "Batch not found", "no batch job with this id belongs to this key")


def _job_or_404(service: BatchService, job_id: str, owner: str) -> Job:
    job = service.store.get(job_id, owner=owner) if _JOB_ID.match(job_id) else None
    if job is None:
        raise _not_found()
    return job


def _format_choice(value: str | None) -> OutputFormat | None:
    if value is None:
        return None
    if value == "csv":
        return "csv"
    if value == "jsonl":
        return "jsonl"
    raise invalid_field("format", "expected csv or jsonl")


# --- reading a submission -----------------------------------------------------------------------


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        413, "body_too_large", "Request body too large", f"the upload is larger than the limit of {limit:,} bytes"
    )


def _file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    file.seek(0)
    while piece := file.read(_READ_CHUNK):
        yield piece


class Submission:
    """The rows of a submission (parsed lazily, in a worker thread), their format, and the format asked for."""

    def __init__(
        self, rows: Iterable[BatchRow], input_format: InputFormat, requested: Any = None, form: FormData | None = None
    ) -> None:
        self.rows = rows
        self.input_format = input_format
        self._requested = requested
        self.form = form

    def requested(self) -> str | None:
        """The results format named in the body (known once the rows have been read)."""
        value = self._requested() if callable(self._requested) else self._requested
        return value if isinstance(value, str) else None


async def _submission(request: Request, settings: Settings, spool_dir: Path) -> Submission:
    limit = settings.batch_max_upload_bytes
    max_rows = settings.batch_max_rows
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        # Spooled to a temporary file by the form parser (a disk file past 1 MiB), then parsed from it.
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            await form.close()
            raise invalid_field(
                "file",
                "field required",
                "file: a multipart upload needs a 'file' part with the CSV or JSON Lines input",
            )
        if upload.size is not None and upload.size > limit:
            await form.close()
            raise _too_large(limit)
        head = await upload.read(1024)
        part_type = (upload.content_type or "").split(";")[0].strip().lower()
        fmt: InputFormat = "jsonl" if part_type in _JSONL_TYPES else detect_format(upload.filename, head)
        file = upload.file
        counted = read_counted(_file_chunks(file), fmt, max_rows=max_rows, replay=lambda: _file_chunks(file))
        return Submission(parse_rows(counted, fmt), fmt, form.get("format"), form)
    # A raw body is read as it arrives, in the thread that stores the job (see body_chunks): its
    # rows are counted (the row cap answers at once) and it is spooled to disk, then parsed.
    if media in ("application/json", ""):
        body = parse_json_body(read_counted(body_chunks(request), "json", max_rows=max_rows, spool_dir=spool_dir))
        return Submission(body.rows, "jsonl", lambda: body.format)
    if media in _CSV_TYPES or media in _JSONL_TYPES:
        kind: InputFormat = "csv" if media in _CSV_TYPES else "jsonl"
        counted = read_counted(body_chunks(request), kind, max_rows=max_rows, spool_dir=spool_dir)
        return Submission(parse_rows(counted, kind), kind)
    raise ProblemError(
        415,
        "unsupported_media_type",
        "Unsupported media type",
        'send application/json ({"rows": [...]}), text/csv, application/x-ndjson or a multipart upload',
    )


# --- endpoints ----------------------------------------------------------------------------------


_SUBMIT_BODY = {"required": True, "content": {"application/json": {"schema": schema_ref(BatchSubmission)}}}
_SUBMIT_DESCRIPTION = """\
Submit a batch of route requests; answers 202 with the job (`Location`: its URL).

The body is JSON (`{"rows": [...], "format": "csv"}`, described below) or, with its media type, a file:

* `text/csv`: a header row naming `origin` and `destination` (and any of id, rank, k, max_stretch, teu,
  tonnes, avoid_countries, via, corridor, scenario), then one request per row;
* `application/x-ndjson`: one JSON object (BatchRowFields) per line;
* `multipart/form-data`: either file as the `file` part (CSV unless its name or first character says JSON Lines),
  the results format as an optional `format` part.

A whole input that cannot be read (no header, an unknown column, not UTF-8) is a 422 naming the line; a row
that cannot be read is reported in its place in the results. JSON Schema cannot describe a CSV file, so only
the JSON body has a schema here. `Idempotency-Key` makes a retried submission return the first job.
"""


@router.post(
    "",
    status_code=202,
    response_model=BatchJob,
    responses={
        202: {"description": "The job, queued (Location: its URL)"},
        415: {"description": "Not JSON, CSV, JSON Lines or a multipart upload", "content": {"application/problem+json": {"schema": PROBLEM_REF}}},
    },
    openapi_extra={"requestBody": _SUBMIT_BODY},
    description=_SUBMIT_DESCRIPTION,
)
async def submit_batch(
    request: Request,
    service: Service,
    client: Client,
    settings: Config,
    format: Annotated[Literal["csv", "jsonl"] | None, Query(description="results format")] = None,
) -> Response:
    """Submit a batch of route requests (JSON rows, CSV or JSON Lines, also as a multipart upload's `file` part); answers 202 with the job."""
    key = request.headers.get("idempotency-key")
    if key is not None and not 0 < len(key) <= _MAX_IDEMPOTENCY_KEY:
        raise invalid_field(
            "Idempotency-Key", "too long or empty", f"Idempotency-Key: must be 1 to {_MAX_IDEMPOTENCY_KEY} characters"
        )
    if key is not None:
        existing = await run_in_threadpool(service.store.find_by_key, client, key)
        if existing is not None:
            return _accepted(existing, replayed=True)
    submission = await _submission(request, settings, service.store.path.parent)

    def output_format() -> str:
        given = _format_choice(submission.requested())  # checked even when the query names the format
        return format or given or submission.input_format

    try:
        return await create_job(request, service, client, settings, submission.rows, output_format, key)
    finally:
        if submission.form is not None:
            await submission.form.close()


async def create_job(
    request: Request,
    service: BatchService,
    client: str,
    settings: Settings,
    rows: Iterable[BatchRow],
    output_format: str | Callable[[], str | None],
    key: str | None = None,
) -> Response:
    """Store a job of ``rows`` (read as they are stored) and answer 202 with it (also for /v1/matrix?async)."""
    try:
        job, created = await run_in_threadpool(
            service.store.create_job,
            rows,
            owner=client,
            network_digest=service.network.digest,
            output_format=output_format,
            idempotency_key=key,
            max_rows=settings.batch_max_rows,
            max_in_flight=settings.batch_max_jobs_in_flight,
        )
    except TooManyRowsError as exc:
        raise ProblemError(
            413, exc.code, "Too many rows", exc.message, headers={"Connection": "close"}, limit=exc.limit
        ) from None
    except TooManyJobsError as exc:
        raise ProblemError(
            429, exc.code, "Too many jobs in flight", exc.message, headers={"Retry-After": "30"}, limit=exc.limit
        ) from None
    if created:
        service.wake()
    return _accepted(job, replayed=not created)


def _accepted(job: Job, *, replayed: bool) -> Response:
    headers = {"Location": f"/v1/batches/{job.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(orjson.dumps(job_view(job)), status_code=202, media_type="application/json", headers=headers)


@router.get("", response_model=BatchJobList, responses={200: {"description": "The caller's jobs, newest first"}})
def list_batches(service: Service, client: Client) -> Response:
    """The caller's batch jobs, newest first (at most 100)."""
    return json_response({"batches": [job_view(job) for job in service.store.list_jobs(client)]})


@router.get("/{job_id}", response_model=BatchJob, responses={200: {"description": "The job"}})
def get_batch(job_id: JobId, service: Service, client: Client) -> Response:
    """A batch job's status and progress."""
    return json_response(job_view(_job_or_404(service, job_id, client)))


@router.delete(
    "/{job_id}",
    response_model=BatchJob,
    responses={
        200: {"description": "The job was queued or running: it is cancelled and deleted; the answer is its last state"},
        204: {"description": "The job was finished (done, failed or cancelled): it is deleted"},
    },
)
def delete_batch(job_id: JobId, service: Service, client: Client) -> Response:
    """Delete a batch job with its input and results (then 404); a queued or running one is cancelled first (200)."""
    job = _job_or_404(service, job_id, client)
    last = None
    if not job.finished:
        last = service.store.cancel(job_id, owner=client)  # the runner stops at its next chunk
        if last is None:
            raise _not_found()
    if not service.delete(job_id, client):
        raise _not_found()
    return Response(status_code=204) if last is None else json_response(job_view(last))


def _accepted_format(request: Request, query: str | None, default: str) -> OutputFormat:
    chosen = _format_choice(query)
    if chosen is not None:
        return chosen
    accept = request.headers.get("accept", "").lower()
    if any(t in accept for t in _JSONL_TYPES):
        return "jsonl"
    if "text/csv" in accept:
        return "csv"
    return "jsonl" if default == "jsonl" else "csv"


@router.get(
    "/{job_id}/results",
    response_class=Response,
    responses={
        200: {
            "description": "One row per input row, in input order",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string", "description": "One JSON object per line"}},
            },
        }
    },
)
def batch_results(
    job_id: JobId,
    request: Request,
    service: Service,
    client: Client,
    format: Annotated[Literal["csv", "jsonl"] | None, Query(description="csv or jsonl (else by Accept)")] = None,
) -> Response:
    """A finished batch's results, one row per input row in input order (CSV or JSON Lines)."""
    job = _job_or_404(service, job_id, client)
    if job.status is not JobStatus.DONE:
        raise ProblemError(
            409,
            "batch_not_done",
            "Batch not finished",
            f"the job is {job.status.value} ({job.rows_done:,} of {job.rows_total:,} rows done); results are served once it is done",
            status_value=job.status.value,
        )
    fmt = _accepted_format(request, format, job.output_format)
    headers = {"Content-Disposition": f'attachment; filename="batch-{job.id}.{fmt}"'}
    stored = service.result_path(job.id, fmt)
    if stored.is_file():
        return FileResponse(stored, media_type=_MEDIA[fmt], headers=headers)
    return StreamingResponse(render(service.store.outcomes(job.id), fmt), media_type=_MEDIA[fmt], headers=headers)
