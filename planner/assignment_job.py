"""An assignment as a durable job: its request stored as one row, evaluated in a worker process.

The API keeps assignment jobs in a :class:`~planner.batch.JobStore` like batches: the request
(options and demand rows) is the job's only input row and the result its only result row, so a
job survives a restart of the server and is evaluated again from its stored request.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

import orjson

from .assignment import AssignmentConvergenceWarning, assign
from .assignment_export import assignment_geojson, assignment_to_dict
from .batch import RowOutcome
from .errors import PlannerError
from .network import Network
from .scenario import parse_scenario

__all__ = ["AssignmentInput", "evaluate_assignment"]


@dataclass(frozen=True, slots=True)
class AssignmentInput:
    """The stored request of an assignment job: options for :func:`planner.assign` and demand rows (mappings)."""

    row: int
    options: dict[str, Any]
    demand: list[dict[str, Any]] | str

    def to_json(self) -> str:
        return orjson.dumps({"row": self.row, "options": self.options, "demand": self.demand}).decode()

    @classmethod
    def from_json(cls, text: str) -> AssignmentInput:
        data = json.loads(text)
        return cls(int(data["row"]), dict(data["options"]), data["demand"])


def evaluate_assignment(network: Network, rows: list[AssignmentInput]) -> list[RowOutcome]:
    """Run each stored request; the outcome's text is ``{"result": ..., "geojson": ...}`` or ``{"error": ...}``."""
    out = []
    for item in rows:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", AssignmentConvergenceWarning)
                options = dict(item.options)
                if isinstance(options.get("scenario"), dict):
                    options["scenario"] = parse_scenario(options["scenario"], network)
                result = assign(network, item.demand, **options)
            body = {"result": assignment_to_dict(result), "geojson": assignment_geojson(result, network)}
            out.append(RowOutcome(item.row, True, orjson.dumps(body).decode()))
        except PlannerError as exc:
            out.append(RowOutcome(item.row, False, orjson.dumps({"error": exc.message, "code": exc.code}).decode()))
    return out
