"""Evaluating a chunk of rows: k=1 rows grouped by origin and options, each group answered from one tree.

Rows whose options resolve the same way and that leave from the same origin share one shortest-path
tree (:mod:`planner._many`); their result lines are made from the tree's arrays and are the lines
:func:`~planner.batch.evaluate_row` writes for them, figure for figure. Every other row (k > 1, via,
corridor, rank ``reliable`` or ``pareto``, an error, a destination the tree cannot answer exactly)
is evaluated on its own by :func:`~planner.batch.evaluate_row`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace

import numpy as np
import orjson

from .._constraints import unreachable
from .._many import UNREACHED, Answers, answer, rounded, tree_applies
from ..errors import PlannerError
from ..lookup import find_place
from ..network import Network
from ..request import RouteRequest
from ..scenario_network import scenario_network
from ._evaluate import RowOutcome, error_message, evaluate_row, failed, resolve_row
from ._rows import BatchRow

__all__ = ["evaluate_rows"]

_NOT_OPTIONS = ("row", "id", "origin", "destination", "error")
_options_of = operator.attrgetter(*(f.name for f in fields(BatchRow) if f.name not in _NOT_OPTIONS))


def evaluate_rows(network: Network, rows: Iterable[BatchRow]) -> list[RowOutcome]:
    """Evaluate rows (one chunk of a batch); outcomes in the rows' order, each as :func:`evaluate_row` gives it."""
    rows = list(rows)
    outcomes: list[RowOutcome | None] = [None] * len(rows)
    chunk = _Chunk(network)
    for i, row in enumerate(rows):
        if row.error is not None:
            outcomes[i] = failed(row, row.error)
        elif not chunk.add(i, row):
            outcomes[i] = evaluate_row(network, row)
    for i, outcome in chunk.evaluate(rows):
        outcomes[i] = outcome
    for i, row in enumerate(rows):
        if outcomes[i] is None:
            outcomes[i] = evaluate_row(network, row)
    return [o for o in outcomes if o is not None]


class _Chunk:
    """The rows of a chunk that trees may answer, by network (baseline or scenario), options and origin."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.places: dict[tuple[str, str], str | None] = {}
        self.templates: dict[object, tuple[RouteRequest, Network]] = {}
        # (options, origin) -> the request and its rows: (position in the chunk, row, destination id)
        self.groups: dict[tuple[object, str], tuple[RouteRequest, list[tuple[int, BatchRow, str]]]] = {}

    def _place(self, name: str, field: str) -> str | None:
        key = (name, field)
        if key not in self.places:
            try:
                self.places[key] = find_place(self.network, name, field=field).id
            except PlannerError:
                self.places[key] = None  # evaluated on its own, which says why
        return self.places[key]

    def add(self, i: int, row: BatchRow) -> bool:
        """Put a row in its group; False when it must be evaluated on its own."""
        origin = self._place(row.origin, "origin")
        destination = self._place(row.destination, "destination")
        if origin is None or destination is None:
            return False
        options = _options_of(row)
        template = self.templates.get(options)
        if template is None:
            try:
                request, scenario = resolve_row(self.network, row)
                network = self.network if scenario is None else scenario_network(self.network, scenario)
            except (PlannerError, ValueError, TypeError, LookupError):
                return False  # this row's error; another row with these options may still resolve
            if not tree_applies(request):
                return False
            template = self.templates[options] = (request, network)
        request, network = template
        if self.network.places[origin].country in request.avoid_countries:
            return False
        key = (options, origin)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = (replace(request, origin=origin), [])
        group[1].append((i, row, destination))
        return True

    def evaluate(self, rows: Sequence[BatchRow]) -> list[tuple[int, RowOutcome]]:
        """Outcomes of the grouped rows the trees answer (the others are left to :func:`evaluate_row`)."""
        by_network: dict[int, tuple[Network, list[tuple[RouteRequest, list[tuple[int, BatchRow, str]]]]]] = {}
        for options, _ in self.groups:
            _, network = self.templates[options]
            by_network.setdefault(id(network), (network, []))
        for (options, _), group in self.groups.items():
            by_network[id(self.templates[options][1])][1].append(group)
        out: list[tuple[int, RowOutcome]] = []
        for network, groups in by_network.values():
            answers = answer(network, [(request, [d for _, _, d in members]) for request, members in groups])
            for (_, members), answered in zip(groups, answers, strict=True):
                out.extend(_outcomes(network, answered, members))
        return out


def _outcomes(network: Network, answers: Answers, members: list[tuple[int, BatchRow, str]]) -> list[tuple[int, RowOutcome]]:
    """The result lines of the rows a tree answered, as :func:`~planner.batch.route_line` writes them."""
    made = _figures(answers)
    request = answers.request
    out = []
    dumps = orjson.dumps
    for (i, row, destination), r in zip(members, answers.rows, strict=True):
        if r >= 0:
            head = f'[{{"row":{row.row},"id":{dumps(row.output_id).decode()},"status":"ok","error":null,'
            out.append((i, RowOutcome(row.row, True, head + made[r] + "]")))
        elif r == UNREACHED and row.scenario is None:  # under a scenario the message names it: evaluated alone
            error = unreachable(network, replace(request, destination=destination))
            out.append((i, failed(row, error_message(row, error))))
    return out


def _figures(answers: Answers) -> dict[int, str]:
    """Each answered row's route figures as the tail of its JSON line (from ``"rank"`` on), made once per route."""
    prices, request = answers.prices, answers.request
    used = sorted({r for r in answers.rows if r >= 0})
    if prices is None or not used:
        return {}
    pick = np.array(used, dtype=np.int64)
    p50 = prices.quantiles[50.0][pick]
    p90 = prices.quantiles[90.0][pick]
    columns = zip(
        rounded(prices.transit_hours[pick], 2),
        rounded(p50, 2),
        rounded(p90, 2),
        rounded(prices.cost_usd[pick], 2),
        rounded(prices.co2e_kg[pick], 2),
        rounded(prices.distance_km[pick], 1),
        prices.border_crossings[pick].tolist(),
        prices.transshipments[pick].tolist(),
        strict=True,
    )
    service = request.service.value
    departure = request.departure_date
    start = dt.datetime.combine(departure, dt.time()) if departure is not None else None
    p50_hours = p50.tolist()
    p90_hours = p90.tolist()
    texts = answers.texts
    made: dict[int, str] = {}
    for k, (r, (hours, p50_rounded, p90_rounded, cost, co2e, km, borders, transshipments)) in enumerate(
        zip(used, columns, strict=True)
    ):
        text = texts.get(r)
        if text is None:
            text = texts[r] = (";".join(c.id for c in answers.shares[r]), " > ".join(prices.places[r]))
        figures = {
            "rank": 1,
            "transit_hours": hours,
            "transit_hours_p50": p50_rounded,
            "transit_hours_p90": p90_rounded,
            "cost_usd": cost,
            "co2e_kg": co2e,
            "distance_km": km,
            "border_crossings": borders,
            "transshipments": transshipments,
            "corridors": text[0],
            "places": text[1],
            "service": service,
            "arrival_date_p50": None if start is None else (start + dt.timedelta(hours=p50_hours[k])).date().isoformat(),
            "arrival_date_p90": None if start is None else (start + dt.timedelta(hours=p90_hours[k])).date().isoformat(),
        }
        made[r] = orjson.dumps(figures).decode()[1:]
    return made
