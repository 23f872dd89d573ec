"""Uploaded what-if scenarios: stored per API key, listed beside the bundled ones, usable by id.

A scenario is validated against the served network when it is uploaded (422 otherwise) and kept in
SQLite in the data directory, so it survives restarts. Only the key that uploaded a scenario sees it:
another key gets 404, and lists show each caller only its own uploads.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from corridor_client.models import BundledScenario, ScenarioList, UploadedScenario, UploadedScenarioInfo
from planner import Network, ScenarioError, bundled_scenarios, load_scenario, parse_scenario

from .auth import current_client, enforce_rate_limit
from .bodies import loads_bounded
from .common import reject_unknown_parameters
from .models import INLINE_SCENARIO, PROBLEM_RESPONSES, UPLOADED_SCENARIO_ID, ScenarioRef
from .problems import ProblemError, redact
from .settings import Settings

__all__ = ["MAX_SCENARIOS_PER_KEY", "ScenarioStore", "open_store", "resolve_uploaded", "router"]

MAX_SCENARIOS_PER_KEY = 100
UPLOAD_PREFIX = "sc-"

router = APIRouter(
    prefix="/v1/scenarios",
    tags=["scenarios"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(enforce_rate_limit), Depends(reject_unknown_parameters)],
)


class ScenarioStore:
    """Uploaded scenarios in SQLite (WAL), keyed by (owner, id)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS scenarios (owner TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, "
            "created TEXT NOT NULL, PRIMARY KEY (owner, id))"
        )

    def add(self, owner: str, body: dict[str, Any]) -> tuple[str, str]:
        """Store ``body`` for ``owner``; its id and creation time (ISO 8601, UTC)."""
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM scenarios WHERE owner = ?", (owner,)).fetchone()
            if count >= MAX_SCENARIOS_PER_KEY:
                raise ProblemError(
                    429, "too_many_scenarios", "Too many scenarios",
                    f"this key already stores {MAX_SCENARIOS_PER_KEY} scenarios; delete one first",
                )  # fmt: skip
            scenario_id = UPLOAD_PREFIX + secrets.token_hex(8)
            created = datetime.now(UTC).isoformat(timespec="seconds")
            self._db.execute(
                "INSERT INTO scenarios (owner, id, body, created) VALUES (?, ?, ?, ?)",
                (owner, scenario_id, json.dumps(body, ensure_ascii=False), created),
            )
            return scenario_id, created

    def get(self, owner: str, scenario_id: str) -> tuple[dict[str, Any], str] | None:
        """The body stored under ``scenario_id`` for ``owner`` and its creation time, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT body, created FROM scenarios WHERE owner = ? AND id = ?", (owner, scenario_id)
            ).fetchone()
        return None if row is None else (dict(json.loads(row[0])), row[1])

    def list(self, owner: str) -> list[tuple[str, dict[str, Any], str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, body, created FROM scenarios WHERE owner = ? ORDER BY created, id", (owner,)
            ).fetchall()
        return [(r[0], dict(json.loads(r[1])), r[2]) for r in rows]

    def delete(self, owner: str, scenario_id: str) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM scenarios WHERE owner = ? AND id = ?", (owner, scenario_id))
        return cursor.rowcount > 0

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_store(settings: Settings) -> ScenarioStore:
    """The store of uploaded scenarios in the data directory (opened by the app's lifespan)."""
    return ScenarioStore(Path(settings.data_dir) / "scenarios.sqlite3")


def _store(request: Request) -> ScenarioStore:
    store: ScenarioStore | None = getattr(request.app.state, "scenario_store", None)
    if store is None:
        raise ProblemError(503, "not_ready", "Not ready", "the service is starting", headers={"Retry-After": "1"})
    return store


def _network(request: Request) -> Network:
    network: Network | None = getattr(request.app.state, "network", None)
    if network is None:
        raise ProblemError(503, "not_ready", "Not ready", "the network is not loaded yet", headers={"Retry-After": "1"})
    return network


Store = Annotated[ScenarioStore, Depends(_store)]
Owner = Annotated[str, Depends(current_client)]
ScenarioId = Annotated[ScenarioRef, PathParam(description="A bundled scenario's name or an uploaded scenario's id")]
UploadedId = Annotated[str, PathParam(pattern=UPLOADED_SCENARIO_ID, description="An uploaded scenario's id")]


def resolve_uploaded(request: Request, scenario: str | dict[str, Any] | None) -> str | dict[str, Any] | None:
    """Replace an uploaded scenario's id by its body (the caller's own uploads only; 404 otherwise)."""
    if not isinstance(scenario, str) or not scenario.startswith(UPLOAD_PREFIX):
        return scenario
    found = _store(request).get(current_client(request), scenario)
    if found is None:
        raise ProblemError(404, "unknown_scenario", "Unknown scenario", "no uploaded scenario of this key has this id")
    return found[0]


def _uploaded(scenario_id: str, body: dict[str, Any], created: str, *, changes: bool) -> dict[str, Any]:
    """An upload as answered: a list item (UploadedScenarioInfo), or with its changes (UploadedScenario)."""
    out: dict[str, Any] = {
        "id": scenario_id,
        "name": body.get("name"),
        "title": body.get("title"),
        "description": body.get("description", "(no description)"),
        "sources": body.get("sources", []),
    }
    if changes:
        out["estimate"] = body.get("estimate")
        out["changes"] = body.get("changes", [])
    return {**out, "uploaded": True, "created": created}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json", headers=headers)


_EXAMPLE = {
    "name": "kz_rail_tariff_up",
    "title": "Kazakh rail tariffs +15%",
    "description": "KTZ tariffs rise by 15 %, as in October 2022 (+14.67 %).",
    "estimate": "a rounded repeat of the 2022 rise",
    "changes": [{"multiply_tariff": {"country": "KZ", "factor": 1.15}}],
}


@router.get(
    "",
    response_model=ScenarioList,
    summary="Scenarios: bundled and your uploads",
    responses={200: {"description": "Bundled scenarios and the caller's uploads"}},
)
def list_scenarios(store: Store, owner: Owner) -> Response:
    """The bundled what-if scenarios and the scenarios this key uploaded."""
    uploaded = [_uploaded(sid, body, created, changes=False) for sid, body, created in store.list(owner)]
    return _json({"scenarios": [*bundled_scenarios(), *uploaded]})


@router.post(
    "",
    status_code=201,
    response_model=UploadedScenarioInfo,
    summary="Upload a scenario",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {INLINE_SCENARIO: True}, "example": _EXAMPLE}}}},
    responses={201: {"description": "Stored; use its id as `scenario` in routes and comparisons"}},
)  # fmt: skip
async def upload_scenario(request: Request, store: Store, owner: Owner) -> Response:
    """Validate a scenario against the served network and store it for this key."""
    network = _network(request)
    try:
        body = loads_bounded(await request.body())
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        raise ScenarioError("the body must be a JSON object (a scenario with name, title and changes)", field="body")
    # A ScenarioError becomes a problem naming what is wrong: 422 malformed, 404 unknown names, 409 does not fit.
    summary = parse_scenario(body, network).summary()
    scenario_id, created = store.add(owner, summary)
    return _json(_uploaded(scenario_id, summary, created, changes=False), 201, {"Location": f"/v1/scenarios/{scenario_id}"})


@router.get(
    "/{scenario_id}",
    response_model=UploadedScenario | BundledScenario,
    summary="One scenario",
    responses={200: {"description": "The scenario with its changes"}},
)
def get_scenario(request: Request, scenario_id: ScenarioId, store: Store, owner: Owner) -> Response:
    """An uploaded scenario of this key, or a bundled scenario by name, with its changes."""
    if scenario_id.startswith(UPLOAD_PREFIX):
        found = store.get(owner, scenario_id)
        if found is not None:
            return _json(_uploaded(scenario_id, *found, changes=True))
    else:
        bundled = {s["name"]: s for s in bundled_scenarios()}
        if scenario_id in bundled:
            try:
                return _json({**load_scenario(scenario_id, _network(request)).summary(), "applies": True})
            except ScenarioError as exc:
                # Written for the bundled network: say why it does not apply to the one being served.
                return _json({**bundled[scenario_id], "applies": False, "reason": redact(exc.message)})
    raise ProblemError(404, "unknown_scenario", "Unknown scenario", "no bundled scenario or upload of this key has this id")


@router.delete("/{scenario_id}", status_code=204, summary="Delete an uploaded scenario", responses={204: {"description": "Deleted"}})
def delete_scenario(scenario_id: UploadedId, store: Store, owner: Owner) -> Response:
    """Delete a scenario this key uploaded."""
    if not store.delete(owner, scenario_id):
        raise ProblemError(404, "unknown_scenario", "Unknown scenario", "no uploaded scenario of this key has this id")
    return Response(status_code=204)
