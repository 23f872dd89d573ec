"""The client: one method per thing the API does, typed answers, retries on 429 and 503 that honour Retry-After."""

from __future__ import annotations

import csv
import email.utils
import io
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import ApiError, error_for
from .models import (
    BatchJob,
    BatchJobList,
    BundledScenario,
    BundledScenarioInfo,
    Comparison,
    Corridor,
    CorridorDetail,
    CorridorList,
    NetworkGeoJSON,
    Place,
    PlaceMatch,
    PlaceMatches,
    Problem,
    RankName,
    RouteFeatureCollection,
    RoutePlan,
    ScenarioList,
    ScenarioRoutes,
    UploadedScenario,
    UploadedScenarioInfo,
    Version,
)

__all__ = ["DEFAULT_BASE_URL", "Client", "RetryPolicy"]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
M = TypeVar("M", bound=BaseModel)
_SCENARIO = TypeAdapter(UploadedScenario | BundledScenario)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a 429 or 503 answer is tried again.

    At most ``attempts`` tries in all, waiting what the answer's ``Retry-After`` says (else
    ``backoff_seconds``, doubling), never more than ``max_wait_seconds`` in all: an answer asking
    for a longer wait than is left is raised at once (its ``retry_after_seconds`` says how long).
    ``RetryPolicy(attempts=1)`` never retries.
    """

    attempts: int = 4
    max_wait_seconds: float = 30.0
    backoff_seconds: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.max_wait_seconds < 0 or self.backoff_seconds < 0:
            raise ValueError("waits must be >= 0 seconds")


_RETRIED = frozenset({429, 503})


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), or None."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _listed(values: Iterable[str] | str | None) -> list[str] | None:
    if values is None:
        return None
    return [values] if isinstance(values, str) else list(values)


class Client:
    """A client of one corridor-planner server.

    >>> with Client("http://127.0.0.1:8000") as api:                       # doctest: +SKIP
    ...     best = api.plan_routes("Xi'an", "Tashkent", k=3).routes[0]
    ...     print(best.transit_days, best.cost_usd, " > ".join(best.place_names))

    ``api_key`` is sent as ``Authorization: Bearer``. Answers are parsed into the models of
    :mod:`corridor_client.models`; error answers raise :class:`~corridor_client.errors.ApiError`
    (a subclass per status). ``http`` takes an ``httpx.Client`` of your own (its base URL is used);
    ``sleep`` is what waits between retries.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._own_http = http is None
        self.http = http if http is not None else httpx.Client(base_url=base_url, timeout=timeout)
        self.http.headers.update(headers)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections (only those of an ``httpx.Client`` this client made)."""
        if self._own_http:
            self.http.close()

    # --- routes and comparisons -----------------------------------------------------------------

    def plan_routes(
        self,
        origin: str,
        destination: str,
        *,
        rank: RankName = "time",
        k: int | None = None,
        teu: float | None = None,
        tonnes: float | None = None,
        modes: Sequence[Literal["rail", "road", "sea"]] | None = None,
        avoid_countries: Iterable[str] | str | None = None,
        avoid_places: Iterable[str] | str | None = None,
        avoid_links: Iterable[str] | str | None = None,
        via: Iterable[str] | str | None = None,
        corridor: str | None = None,
        max_border_crossings: int | None = None,
        max_transshipments: int | None = None,
        max_stretch: float | None = None,
        max_shared_fraction: float | None = None,
    ) -> RoutePlan:
        """Ranked routes from ``origin`` to ``destination`` (ids, names or aliases), best first.

        ``teu`` or ``tonnes`` size the shipment (default 1 TEU); hours, USD and kg CO2e in the answer
        are for the whole shipment. Fewer than ``k`` routes come back when fewer qualify (``notes``).
        """
        body = self._route_body(locals())
        return self._post("/v1/routes", RoutePlan, body)

    def plan_routes_geojson(self, origin: str, destination: str, **options: Any) -> RouteFeatureCollection:
        """The same routes as :meth:`plan_routes`, as a GeoJSON FeatureCollection (one LineString per route)."""
        body = self._route_body({"origin": origin, "destination": destination, **options})
        return self._post("/v1/routes", RouteFeatureCollection, body, params={"format": "geojson"})

    def plan_with_scenario(
        self, origin: str, destination: str, scenario: str | Mapping[str, Any], **options: Any
    ) -> ScenarioRoutes:
        """Routes under a scenario (a bundled name, an uploaded id, or a scenario object) beside the baseline's."""
        body = self._route_body({"origin": origin, "destination": destination, "scenario": scenario, **options})
        return self._post("/v1/routes", ScenarioRoutes, body)

    def compare(
        self,
        origin: str,
        destination: str,
        *,
        corridors: Iterable[str] | str | None = None,
        scenario: str | Mapping[str, Any] | None = None,
        rank: RankName = "time",
        teu: float | None = None,
        tonnes: float | None = None,
        modes: Sequence[Literal["rail", "road", "sea"]] | None = None,
        avoid_countries: Iterable[str] | str | None = None,
        avoid_places: Iterable[str] | str | None = None,
        avoid_links: Iterable[str] | str | None = None,
        max_border_crossings: int | None = None,
        max_transshipments: int | None = None,
    ) -> Comparison:
        """The best route on each corridor (default: every corridor) beside the best on any, optionally under a scenario."""
        return self._post("/v1/compare", Comparison, self._route_body(locals()))

    @staticmethod
    def _route_body(given: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name, value in given.items():
            if name == "self" or value is None:
                continue
            if name in ("avoid_countries", "avoid_places", "avoid_links", "via", "corridors", "modes"):
                value = _listed(value)
            body[name] = value
        return body

    # --- places, corridors, the network ---------------------------------------------------------

    def places(self, query: str, *, limit: int = 10) -> list[PlaceMatch]:
        """Places whose id, name or alias matches ``query``, best first."""
        return self._get("/v1/places", PlaceMatches, params={"q": query, "limit": limit}).places

    def place(self, place_id: str) -> Place:
        """One place by id."""
        return self._get(f"/v1/places/{place_id}", Place)

    def corridors(self) -> list[Corridor]:
        """Every named corridor."""
        return self._get("/v1/corridors", CorridorList).corridors

    def corridor(self, corridor_id: str) -> CorridorDetail:
        """One corridor (id or alias), with its lines as GeoJSON."""
        return self._get(f"/v1/corridors/{corridor_id}", CorridorDetail)

    def network(self) -> NetworkGeoJSON:
        """The whole network as a GeoJSON FeatureCollection (places and links with their figures and sources)."""
        return self._get("/v1/network", NetworkGeoJSON)

    def version(self) -> Version:
        """The planner's version and the served network's id, version and content digest."""
        return self._get("/v1/version", Version)

    # --- scenarios ------------------------------------------------------------------------------

    def scenarios(self) -> list[UploadedScenarioInfo | BundledScenarioInfo]:
        """The bundled scenarios and those this key uploaded."""
        return self._get("/v1/scenarios", ScenarioList).scenarios

    def scenario(self, scenario_id: str) -> UploadedScenario | BundledScenario:
        """One scenario (a bundled name or an uploaded id) with its changes."""
        return _SCENARIO.validate_python(self._send("GET", f"/v1/scenarios/{scenario_id}").json())

    def upload_scenario(self, scenario: Mapping[str, Any]) -> UploadedScenarioInfo:
        """Store a scenario (checked against the served network); use its ``id`` as ``scenario``."""
        return self._post("/v1/scenarios", UploadedScenarioInfo, dict(scenario))

    def delete_scenario(self, scenario_id: str) -> None:
        """Delete a scenario this key uploaded."""
        self._send("DELETE", f"/v1/scenarios/{scenario_id}")

    # --- batches --------------------------------------------------------------------------------

    def submit_batch(
        self,
        rows: Iterable[Mapping[str, Any]] | Path,
        *,
        format: Literal["csv", "jsonl"] | None = None,
        idempotency_key: str | None = None,
    ) -> BatchJob:
        """Submit route requests (dicts with origin, destination and any option, or a CSV / JSON Lines file).

        ``idempotency_key`` makes a retried submission return the job the first one made.
        """
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        params = {"format": format} if format else {}
        if isinstance(rows, Path):
            media = "application/x-ndjson" if rows.suffix.lower() in (".jsonl", ".ndjson") else "text/csv"
            response = self._send("POST", "/v1/batches", content=rows.read_bytes(), headers={**headers, "Content-Type": media}, params=params)
        else:
            response = self._send("POST", "/v1/batches", json={"rows": [dict(r) for r in rows]}, headers=headers, params=params)
        return self._parsed(BatchJob, response)

    def batch(self, job_id: str) -> BatchJob:
        """A batch job's status and progress."""
        return self._get(f"/v1/batches/{job_id}", BatchJob)

    def batches(self) -> list[BatchJob]:
        """This key's batch jobs, newest first."""
        return self._get("/v1/batches", BatchJobList).batches

    def wait_for_batch(self, job_id: str, *, timeout: float = 600.0, poll_seconds: float = 0.5) -> BatchJob:
        """Poll a job until it is done, failed or cancelled; TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.batch(job_id)
            if job.status not in ("queued", "running"):
                return job
            if time.monotonic() + poll_seconds > deadline:
                raise TimeoutError(f"batch {job_id} is still {job.status} after {timeout:g} s")
            self._sleep(poll_seconds)

    def batch_results(self, job_id: str) -> list[dict[str, Any]]:
        """A finished job's results, one dict per result line (JSON Lines), in input order."""
        response = self._send("GET", f"/v1/batches/{job_id}/results", params={"format": "jsonl"})
        return [json.loads(line) for line in response.text.splitlines() if line.strip()]

    def batch_results_csv(self, job_id: str) -> list[dict[str, str]]:
        """A finished job's results as CSV rows (dicts by column)."""
        response = self._send("GET", f"/v1/batches/{job_id}/results", params={"format": "csv"})
        return list(csv.DictReader(io.StringIO(response.text)))

    def delete_batch(self, job_id: str) -> None:
        """Delete a job with its input and results (a running one is cancelled first)."""
        self._send("DELETE", f"/v1/batches/{job_id}")

    # --- transport ------------------------------------------------------------------------------

    def _get(self, path: str, model: type[M], *, params: Mapping[str, Any] | None = None) -> M:
        return self._parsed(model, self._send("GET", path, params=params))

    def _post(self, path: str, model: type[M], body: Any, *, params: Mapping[str, Any] | None = None) -> M:
        return self._parsed(model, self._send("POST", path, json=body, params=params))

    @staticmethod
    def _parsed(model: type[M], response: httpx.Response) -> M:
        return model.model_validate(response.json())

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request, tried again on 429 and 503 as the retry policy allows; an error answer raises."""
        waited = 0.0
        for attempt in range(1, self.retry.attempts + 1):
            response = self.http.request(method, path, **kwargs)
            if response.status_code < 400:
                return response
            retry_after = _retry_after(response)
            if response.status_code in _RETRIED and attempt < self.retry.attempts:
                delay = retry_after if retry_after is not None else self.retry.backoff_seconds * 2 ** (attempt - 1)
                if waited + delay <= self.retry.max_wait_seconds:
                    self._sleep(delay)
                    waited += delay
                    continue
            raise _error(response, retry_after)
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


def _error(response: httpx.Response, retry_after: float | None) -> ApiError:
    try:
        problem = Problem.model_validate(response.json())
    except (ValueError, ValidationError):
        text = response.text[:200] or response.reason_phrase
        problem = Problem(
            type="about:blank", title=response.reason_phrase, status=response.status_code, detail=text, code="http_error"
        )
    return error_for(problem, retry_after_seconds=retry_after)
