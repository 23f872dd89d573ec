"""Demand: yearly freight volumes between places, read from CSV, JSON Lines or JSON rows.

A demand row names an ``origin`` and a ``destination`` (place ids, names or aliases), a ``cargo``
class (``container`` when left out) and ``teu_per_year`` and/or ``tonnes_per_year``; ``id``,
``commodity``, ``usd_per_year`` and ``note`` are kept for reference. Reading uses the bounded row
parsers of :mod:`planner.batch` (lines, records and JSON nesting are bounded before parsing), so a
bad row is reported as that row's error, naming the row and the field; :func:`read_demand` then
refuses the whole table with every bad row listed (:class:`~planner.DemandError`), because an
assignment of part of a table would misstate every total.

Bundled demand sets live in ``graphs/demand/`` (see its README for the sources and conversions).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from .batch import (
    InputFormat,
    RowError,
    RowSchema,
    RowStream,
    detect_format,
    number_value,
    parse_objects,
    parse_rows,
    text_value,
    too_deep,
    unknown_fields,
)
from .cargo import Cargo, CargoClass, cargo_class
from .errors import DemandError, UnknownPlaceError
from .loader import parse_yaml
from .lookup import find_place
from .network import Network

__all__ = [
    "DEMAND_COLUMNS",
    "DEMAND_ROWS",
    "MAX_DEMAND_BYTES",
    "MAX_DEMAND_ROWS",
    "MAX_TEU_PER_YEAR",
    "MAX_TONNES_PER_YEAR",
    "Demand",
    "DemandRow",
    "DemandSet",
    "Flow",
    "bundled_demand_sets",
    "demand_dir",
    "load_demand",
    "merge_demand",
    "parse_demand",
    "read_demand",
]

DEMAND_COLUMNS = ("id", "origin", "destination", "cargo", "teu_per_year", "tonnes_per_year", "commodity", "usd_per_year", "note")
"""Columns (CSV) or keys (JSON) a demand row may have; ``origin`` and ``destination`` are required."""
MAX_DEMAND_ROWS = 100_000
"""Most rows one demand table may have (a full matrix of the bundled network has 26,082)."""
MAX_DEMAND_BYTES = 32 * 1024 * 1024
"""Largest demand file read."""
MAX_TEU_PER_YEAR = 1e8
"""Largest volume of one row: far above the world's container rail traffic."""
MAX_TONNES_PER_YEAR = 1e10


@dataclass(frozen=True, slots=True)
class DemandRow:
    """One row as read (fields checked for type and range, places not yet looked up), or its error."""

    row: int
    id: str | None = None
    origin: str = ""
    destination: str = ""
    cargo: str = "container"
    teu_per_year: float | None = None
    tonnes_per_year: float | None = None
    commodity: str | None = None
    usd_per_year: float | None = None
    note: str | None = None
    error: str | None = None

    def to_json(self) -> str:
        return orjson.dumps({f: v for f in _FIELDS if (v := getattr(self, f)) is not None}).decode()

    @classmethod
    def from_json(cls, text: str) -> DemandRow:
        return cls(**json.loads(text))


_FIELDS = tuple(f.name for f in fields(DemandRow))


def _volume(value: object, name: str, limit: float) -> float | None:
    number = number_value(value, name)
    if number is not None and not 0 <= number <= limit:
        raise RowError(name, f"expected a number from 0 to {limit:,.0f}, got {number:g}")
    return number


def _build(row: int, data: dict[str, object]) -> DemandRow:
    client_id: str | None = None
    try:
        client_id = text_value(data.get("id"), "id")
        unknown_fields(data, DEMAND_COLUMNS)
        origin = text_value(data.get("origin"), "origin", required=True)
        destination = text_value(data.get("destination"), "destination", required=True)
        assert origin is not None
        assert destination is not None
        cargo = text_value(data.get("cargo"), "cargo") or Cargo.CONTAINER.value
        try:
            cargo = cargo_class(cargo).cargo.value
        except ValueError as exc:
            raise RowError("cargo", str(exc)) from None
        teu = _volume(data.get("teu_per_year"), "teu_per_year", MAX_TEU_PER_YEAR)
        tonnes = _volume(data.get("tonnes_per_year"), "tonnes_per_year", MAX_TONNES_PER_YEAR)
        if teu is None and tonnes is None:
            raise RowError("teu_per_year", "give teu_per_year, tonnes_per_year or both")
        usd = number_value(data.get("usd_per_year"), "usd_per_year")
        return DemandRow(
            row=row,
            id=client_id,
            origin=origin,
            destination=destination,
            cargo=cargo,
            teu_per_year=teu,
            tonnes_per_year=tonnes,
            commodity=text_value(data.get("commodity"), "commodity"),
            usd_per_year=usd,
            note=text_value(data.get("note"), "note"),
        )
    except RowError as exc:
        return DemandRow(row=row, id=client_id, error=exc.at(row))


def _failed(row: int, message: str) -> DemandRow:
    return DemandRow(row=row, error=message)


DEMAND_ROWS: RowSchema[DemandRow] = RowSchema(DEMAND_COLUMNS, ("origin", "destination"), _build, _failed)
"""The rows of a demand table."""


def parse_demand(source: Iterable[bytes] | Iterable[str], fmt: InputFormat) -> RowStream[DemandRow]:
    """Demand rows of a CSV or JSON Lines input (bounded as batch input is; see :mod:`planner.batch`)."""
    return parse_rows(source, fmt, DEMAND_ROWS)


@dataclass(frozen=True, slots=True)
class Flow:
    """One demand row resolved on a network: place ids, its cargo class and its volume in both units."""

    row: int
    origin: str
    destination: str
    cargo: CargoClass
    teu_eq_per_year: float
    tonnes_per_year: float
    id: str | None = None
    commodity: str | None = None


@dataclass(frozen=True, slots=True)
class Demand:
    """A demand table resolved on a network: one :class:`Flow` per row with volume."""

    name: str
    flows: tuple[Flow, ...]

    @property
    def teu_eq_per_year(self) -> float:
        return math.fsum(f.teu_eq_per_year for f in self.flows)

    @property
    def tonnes_per_year(self) -> float:
        return math.fsum(f.tonnes_per_year for f in self.flows)


def merge_demand(*demands: Demand) -> Demand:
    """Several demand tables as one (their flows side by side), named ``a+b``."""
    return Demand("+".join(d.name for d in demands), tuple(f for d in demands for f in d.flows))


def read_demand(
    rows: Iterable[DemandRow] | Iterable[Mapping[str, Any]],
    network: Network,
    *,
    name: str = "demand",
    max_rows: int = MAX_DEMAND_ROWS,
) -> Demand:
    """Resolve demand rows (read rows, or plain mappings) on ``network``.

    Raises
    ------
    DemandError
        A row cannot be read, names an unknown place, or goes from a place to itself; every bad row is
        listed as ``row N, field 'F': what was wrong``. Also when there are more than ``max_rows`` rows.
    """
    items = list(_rows_of(rows, max_rows))
    errors: list[str] = []
    flows: list[Flow] = []
    for item in items:
        if item.error is not None:
            errors.append(item.error)
            continue
        try:
            origin = find_place(network, item.origin, field="origin").id
            destination = find_place(network, item.destination, field="destination").id
        except UnknownPlaceError as exc:
            errors.append(f"row {item.row}, field '{exc.field}': {exc.message}")
            continue
        if origin == destination:
            errors.append(f"row {item.row}, field 'destination': the same place as the origin ({origin})")
            continue
        cls = cargo_class(item.cargo)
        teu, tonnes = cls.units(teu_per_year=item.teu_per_year, tonnes_per_year=item.tonnes_per_year)
        if teu <= 0 and tonnes <= 0:
            continue
        flows.append(Flow(item.row, origin, destination, cls, teu, tonnes, item.id, item.commodity))
    if errors:
        raise DemandError(errors, total_rows=len(items))
    if not flows:
        raise DemandError(["the demand has no row with a volume above zero"])
    return Demand(name, tuple(flows))


def _rows_of(rows: Iterable[DemandRow] | Iterable[Mapping[str, Any]], max_rows: int) -> Iterable[DemandRow]:
    for count, item in enumerate(rows, start=1):
        if count > max_rows:
            raise DemandError([f"the demand has more than {max_rows:,} rows, the most one table may have"])
        if isinstance(item, DemandRow):
            yield item
        elif isinstance(item, Mapping):
            yield _build(count, dict(item))
        else:
            yield _failed(count, f"row {count}: expected an object with origin, destination and a volume")


# --- bundled demand sets --------------------------------------------------------------------------


def demand_dir() -> Path:
    """Directory of the bundled demand sets (installed or from a checkout)."""
    packaged = resources.files("planner").joinpath("_graphs", "demand")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "graphs" / "demand"


@dataclass(frozen=True, slots=True)
class DemandSet:
    """A bundled demand set: its name (the file's stem), title, description and sources."""

    name: str
    title: str
    description: str
    year: int
    sources: tuple[str, ...]
    path: Path


@lru_cache(maxsize=1)
def _bundled() -> tuple[DemandSet, ...]:
    # The bundled files ship with the package and do not change while it runs: read the index once.
    index = demand_dir() / "sets.yaml"
    raw, _ = parse_yaml(index.read_text(encoding="utf-8"), str(index))
    out = []
    for item in raw["sets"]:
        out.append(
            DemandSet(
                item["name"],
                item["title"],
                item["description"],
                int(item["year"]),
                tuple(item.get("sources", ())),
                demand_dir() / f"{item['name']}.csv",
            )
        )
    return tuple(out)


def bundled_demand_sets() -> tuple[DemandSet, ...]:
    """The demand sets shipped in ``graphs/demand/`` (listed in its ``sets.yaml``)."""
    return _bundled()


def load_demand(ref: str | Path, network: Network, *, max_rows: int = MAX_DEMAND_ROWS) -> Demand:
    """Read a demand table from a file (CSV, JSON Lines, or JSON: a list of rows or ``{"rows": [...]}``),
    or a bundled set by name (``uz_kz_2030``), and resolve it on ``network``.

    Raises
    ------
    DemandError
        The file cannot be read, or rows are bad (each listed).
    """
    text = str(ref)
    bundled = {s.name: s for s in bundled_demand_sets()}
    path = bundled[text].path if text in bundled else Path(text)
    name = path.stem
    try:
        size = path.stat().st_size
        if size > MAX_DEMAND_BYTES:
            raise DemandError([f"{path}: the file is {size:,} bytes, over the {MAX_DEMAND_BYTES:,}-byte cap"], field="demand")
        data = path.read_bytes()
    except OSError as exc:
        names = ", ".join(sorted(bundled))
        raise DemandError(
            [f"cannot read {path}: {exc.strerror or exc} (bundled demand sets: {names})"], field="demand"
        ) from None
    if path.suffix.lower() == ".json":
        return read_demand(_json_rows(data, str(path)), network, name=name, max_rows=max_rows)
    fmt = detect_format(path.name, data[:1024])
    try:
        rows = list(parse_demand(io.BytesIO(data), fmt))
    except DemandError:
        raise
    except ValueError as exc:  # BatchInputError: a problem with the whole input
        raise DemandError([f"{path}: {exc}"], field="demand") from None
    return read_demand(rows, network, name=name, max_rows=max_rows)


def _json_rows(data: bytes, where: str) -> list[DemandRow]:
    if (excess := too_deep(data)) is not None:
        raise DemandError([f"{where}: line {excess.line}: JSON nested too deeply"], field="demand")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise DemandError([f"{where}: malformed JSON ({exc})"], field="demand") from None
    if isinstance(value, dict) and set(value) == {"rows"}:
        value = value["rows"]
    if not isinstance(value, list):
        raise DemandError([f'{where}: expected a list of rows or {{"rows": [...]}}'], field="demand")
    return list(parse_objects(value, DEMAND_ROWS))
