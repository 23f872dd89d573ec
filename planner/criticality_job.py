"""A criticality run as a durable job: its request stored as one row, evaluated in a worker process.

Like :mod:`planner.assignment_job`: the request (options and demand rows) is the job's only input row
and ``{"result": ..., "geojson": ...}`` its only result row, so a job survives a restart of the server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from .batch import RowOutcome
from .criticality import criticality
from .criticality_export import criticality_geojson, criticality_to_dict
from .errors import PlannerError
from .network import Network
from .scenario import parse_scenario

__all__ = ["CriticalityInput", "evaluate_criticality"]


@dataclass(frozen=True, slots=True)
class CriticalityInput:
    """The stored request of a criticality job: options for :func:`planner.criticality` and the demand.

    ``demand`` is a bundled set's name, rows (mappings), or None (every OD pair weighs the same).
    """

    row: int
    options: dict[str, Any]
    demand: list[dict[str, Any]] | str | None

    def to_json(self) -> str:
        return orjson.dumps({"row": self.row, "options": self.options, "demand": self.demand}).decode()

    @classmethod
    def from_json(cls, text: str) -> CriticalityInput:
        data = json.loads(text)
        return cls(int(data["row"]), dict(data["options"]), data["demand"])


def evaluate_criticality(network: Network, rows: list[CriticalityInput]) -> list[RowOutcome]:
    """Run each stored request; the outcome's text is ``{"result": ..., "geojson": ...}`` or ``{"error": ..., "code": ...}``."""
    out = []
    for item in rows:
        try:
            options = dict(item.options)
            if isinstance(options.get("scenario"), dict):
                options["scenario"] = parse_scenario(options["scenario"], network)
            result = criticality(network, demand=item.demand, **options)
            body = {"result": criticality_to_dict(result), "geojson": criticality_geojson(result, network)}
            out.append(RowOutcome(item.row, True, orjson.dumps(body).decode()))
        except PlannerError as exc:
            out.append(RowOutcome(item.row, False, orjson.dumps({"error": exc.message, "code": exc.code}).decode()))
    return out
