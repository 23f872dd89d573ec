"""Durable jobs whose input is one stored request and whose results are a JSON and a GeoJSON file.

Assignments and criticality runs are such jobs: the request is checked whole, stored as the job's only
row in its own :class:`~planner.batch.JobStore` (SQLite in the data directory, per API key,
``Idempotency-Key`` honoured) and run by its own runner in a worker process, like a batch; a server
killed while one runs runs it again at the next start. :class:`RequestJobs` holds what the endpoints of
one kind share: the lifespan, the job's view, submission, results, listing and deletion.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoints' Annotated types at run time,
# and those made in RequestJobs.add_routes are local names it could not resolve from strings.
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from planner.batch import Job, JobStatus, TooManyJobsError, write_atomically

from .auth import current_client
from .batch_runner import BatchService, JobKind
from .common import GEOJSON
from .problems import ProblemError, invalid_field
from .settings import Settings, get_settings

__all__ = ["RequestJobs", "write_json_and_geojson"]

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")


def write_json_and_geojson(service: BatchService, job: Job) -> None:
    """A finished job's files: ``<id>.json`` and ``<id>.geojson`` from its stored outcome ``{"result", "geojson"}``."""
    for outcome in service.store.outcomes(job.id):
        body = orjson.loads(outcome.lines_json)
        if "error" in body:  # served from the stored outcome as a 422
            continue
        write_atomically(service.result_path(job.id, "geojson"), [orjson.dumps(body["geojson"]).decode()])
        write_atomically(service.result_path(job.id, "json"), [orjson.dumps(body["result"]).decode()])


def _time(value: float | None) -> str | None:
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds") if value is not None else None


def _settings_of(app: FastAPI) -> Settings:
    factory = app.dependency_overrides.get(get_settings, get_settings)
    settings = factory()
    assert isinstance(settings, Settings)
    return settings


@dataclass(frozen=True, slots=True)
class RequestJobs:
    """One kind of request job: its runner's kind, its URL path, its noun in messages and problem codes."""

    kind: JobKind
    path: str
    """``/v1/assignments``"""
    noun: str
    """``assignment``: problem codes are ``<noun>_not_found`` and ``<noun>_not_done``."""
    state: str
    """The app-state attribute holding the running service."""

    # --- lifespan ---------------------------------------------------------------------------------

    async def startup(self, app: FastAPI) -> None:
        """Open the job store and start its runner (resuming unfinished jobs)."""
        service = await run_in_threadpool(BatchService, _settings_of(app), app.state.network, kind=self.kind)
        service.start()
        setattr(app.state, self.state, service)

    async def shutdown(self, app: FastAPI) -> None:
        service: BatchService | None = getattr(app.state, self.state, None)
        if service is not None:
            await run_in_threadpool(service.stop)
            setattr(app.state, self.state, None)

    def dependency(self) -> Callable[[Request], BatchService]:
        """The running service of this kind, for ``Depends`` (503 while the server starts)."""

        def service(request: Request) -> BatchService:
            found: BatchService | None = getattr(request.app.state, self.state, None)
            if found is None:
                raise ProblemError(503, "unavailable", "Service unavailable", f"{self.noun} jobs are not available yet")
            return found

        return service

    # --- views ------------------------------------------------------------------------------------

    def view(self, job: Job) -> dict[str, Any]:
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
                "self": f"{self.path}/{job.id}",
                "results": f"{self.path}/{job.id}/results",
                "geojson": f"{self.path}/{job.id}/geojson",
            },
        }

    def not_found(self) -> ProblemError:
        title = f"{self.noun.capitalize()} not found"
        return ProblemError(404, f"{self.noun}_not_found", title, f"no {self.noun} job with this id belongs to this key")

    def job_or_404(self, service: BatchService, job_id: str, owner: str) -> Job:
        job = service.store.get(job_id, owner=owner) if _JOB_ID.match(job_id) else None
        if job is None:
            raise self.not_found()
        return job

    def accepted(self, job: Job, *, replayed: bool) -> Response:
        headers = {"Location": f"{self.path}/{job.id}"}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(self.view(job), status_code=202, headers=headers)

    # --- submission -------------------------------------------------------------------------------

    async def replay(self, request: Request, service: BatchService, client: str) -> Response | None:
        """The job an earlier request with the same ``Idempotency-Key`` made, if any (422 for a bad key)."""
        key = request.headers.get("idempotency-key")
        if key is not None and not 0 < len(key) <= 200:
            raise invalid_field("Idempotency-Key", "too long or empty", "Idempotency-Key: must be 1 to 200 characters")
        if key is None:
            return None
        existing = await run_in_threadpool(service.store.find_by_key, client, key)
        return self.accepted(existing, replayed=True) if existing is not None else None

    async def submit(
        self, request: Request, service: BatchService, client: str, settings: Settings, item: Any, options: dict[str, Any]
    ) -> Response:
        """Store ``item`` (the checked request) as a new job and answer 202 with its view and Location."""
        try:
            job, created = await run_in_threadpool(
                service.store.create_job,
                [item],
                owner=client,
                network_digest=service.network.digest,
                output_format="json",
                options=orjson.dumps(options).decode(),
                idempotency_key=request.headers.get("idempotency-key"),
                max_in_flight=settings.batch_max_jobs_in_flight,
            )
        except TooManyJobsError as exc:
            raise ProblemError(429, exc.code, "Too many jobs in flight", exc.message, headers={"Retry-After": "30"}, limit=exc.limit) from None
        if created:
            service.wake()
        return self.accepted(job, replayed=not created)

    # --- results and the other endpoints ------------------------------------------------------------

    def finished(self, service: BatchService, job: Job, suffix: str) -> Response:
        if job.status is not JobStatus.DONE:
            raise ProblemError(
                409, f"{self.noun}_not_done", f"{self.noun.capitalize()} not finished",
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
                raise ProblemError(422, body.get("code", "invalid_request"), f"{self.noun.capitalize()} failed", body["error"])
            return Response(orjson.dumps(body["geojson" if suffix == "geojson" else "result"]), media_type=media)
        raise self.not_found()

    def add_routes(self, router: APIRouter, *, results: str, geojson: str) -> None:
        """Add ``GET ""`` (list), ``GET /{id}``, ``DELETE /{id}``, ``GET /{id}/results`` and ``/{id}/geojson``.

        ``results`` and ``geojson`` describe the two result documents in the OpenAPI description.
        """
        Service = Annotated[BatchService, Depends(self.dependency())]
        Client = Annotated[str, Depends(current_client)]
        plural = self.path.rsplit("/", 1)[-1]

        def list_jobs(service: Service, client: Client) -> dict[str, Any]:
            return {plural: [self.view(job) for job in service.store.list_jobs(client)]}

        def get_job(job_id: str, service: Service, client: Client) -> dict[str, Any]:
            return self.view(self.job_or_404(service, job_id, client))

        def delete_job(job_id: str, service: Service, client: Client) -> Response:
            job = self.job_or_404(service, job_id, client)
            if not job.finished:
                cancelled = service.store.cancel(job_id, owner=client)
                if cancelled is None:
                    raise self.not_found()
                return JSONResponse(self.view(cancelled))
            if not service.delete(job_id, client):
                raise self.not_found()
            return Response(status_code=204)

        def job_results(job_id: str, service: Service, client: Client) -> Response:
            return self.finished(service, self.job_or_404(service, job_id, client), "json")

        def job_geojson(job_id: str, service: Service, client: Client) -> Response:
            return self.finished(service, self.job_or_404(service, job_id, client), "geojson")

        noun = self.noun
        router.add_api_route("", list_jobs, methods=["GET"], description=f"The caller's {noun} jobs, newest first (at most 100).", name=f"list_{plural}")
        router.add_api_route("/{job_id}", get_job, methods=["GET"], description=f"{noun.capitalize()} job status.", name=f"get_{noun}")
        router.add_api_route(
            "/{job_id}", delete_job, methods=["DELETE"], name=f"delete_{noun}",
            description=f"Cancel a queued or running {noun} (200), or delete a finished one with its results (204).",
            responses={200: {"description": "cancelled"}, 204: {"description": "deleted"}},
        )  # fmt: skip
        router.add_api_route("/{job_id}/results", job_results, methods=["GET"], description=results, name=f"{noun}_results")
        router.add_api_route(
            "/{job_id}/geojson", job_geojson, methods=["GET"], description=geojson, name=f"{noun}_geojson",
            responses={200: {"content": {GEOJSON: {}}}},
        )  # fmt: skip
