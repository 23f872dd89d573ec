"""Reading batch input: CSV (with a header row) or JSON Lines, one origin-destination pair a row.

Parsing never stops at a bad row: each row becomes a :class:`BatchRow`, and a row that cannot be
read carries its ``error`` (naming the row and the field) so that it is reported in its place.
Only a problem with the whole input (no header, a header without ``origin``/``destination``, an
unknown column) raises :class:`BatchInputError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Literal

from ..errors import InvalidRequestError

__all__ = [
    "COLUMNS_IN",
    "BatchInputError",
    "BatchRow",
    "InputFormat",
    "detect_format",
    "parse_csv",
    "parse_jsonl",
    "parse_objects",
    "parse_rows",
    "read_text_rows",
]

InputFormat = Literal["csv", "jsonl"]

COLUMNS_IN = (
    "id",
    "origin",
    "destination",
    "rank",
    "k",
    "teu",
    "tonnes",
    "avoid_countries",
    "via",
    "corridor",
    "scenario",
)
"""Columns (CSV) or keys (JSON Lines) a row may have; ``origin`` and ``destination`` are required."""

_LIST_SPLIT = re.compile(r"[;|]")
_MAX_FIELD_CHARS = 1000


class BatchInputError(InvalidRequestError):
    """Raised when a batch input as a whole cannot be read (bad header, unknown column, not text)."""

    code = "invalid_batch_input"


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One input row: its 1-based number, the client's id, and the request, or why it cannot be read."""

    row: int
    id: str | None = None
    origin: str = ""
    destination: str = ""
    rank: str | None = None
    k: int | None = None
    teu: float | None = None
    tonnes: float | None = None
    avoid_countries: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    corridor: str | None = None
    scenario: str | None = None
    error: str | None = None

    @property
    def output_id(self) -> str:
        """The id echoed in the output: the client's, else the row number."""
        return self.id if self.id is not None else str(self.row)

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if v not in (None, (), "")}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> BatchRow:
        data = json.loads(text)
        for name in ("avoid_countries", "via"):
            if name in data:
                data[name] = tuple(data[name])
        return cls(**data)


class _RowError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _where(row: int, field: str | None) -> str:
    return f"row {row}, field '{field}'" if field else f"row {row}"


def _text(value: object, name: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise _RowError(name, "missing; expected a place id or name")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _RowError(name, f"expected text, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > _MAX_FIELD_CHARS:
        raise _RowError(name, f"is {len(text)} characters long, at most {_MAX_FIELD_CHARS} are allowed")
    if not text:
        if required:
            raise _RowError(name, "is empty; expected a place id or name")
        return None
    return text


def _integer(value: object, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _RowError(name, f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _RowError(name, f"expected a whole number, got {value!r}")


def _number(value: object, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise _RowError(name, f"expected a number, got {value!r}")
    return number


def _items(value: object, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = _LIST_SPLIT.split(value)
    elif isinstance(value, list):
        parts = []
        for item in value:
            if not isinstance(item, str):
                raise _RowError(name, f"expected a list of text, got an item {item!r}")
            parts.append(item)
    else:
        raise _RowError(name, f"expected text separated by ';' or '|', or a list, got {type(value).__name__}")
    return tuple(p.strip() for p in parts if p.strip())


def _build(row: int, data: dict[str, object]) -> BatchRow:
    raw_id = data.get("id")
    try:
        client_id = _text(raw_id, "id")
    except _RowError:
        client_id = None
    try:
        unknown = sorted(set(data) - set(COLUMNS_IN))
        if unknown:
            raise _RowError(unknown[0], f"unknown field; expected one of {', '.join(COLUMNS_IN)}")
        origin = _text(data.get("origin"), "origin", required=True)
        destination = _text(data.get("destination"), "destination", required=True)
        assert origin is not None
        assert destination is not None
        return BatchRow(
            row=row,
            id=client_id,
            origin=origin,
            destination=destination,
            rank=_text(data.get("rank"), "rank"),
            k=_integer(data.get("k"), "k"),
            teu=_number(data.get("teu"), "teu"),
            tonnes=_number(data.get("tonnes"), "tonnes"),
            avoid_countries=_items(data.get("avoid_countries"), "avoid_countries"),
            via=_items(data.get("via"), "via"),
            corridor=_text(data.get("corridor"), "corridor"),
            scenario=_text(data.get("scenario"), "scenario"),
        )
    except _RowError as exc:
        return BatchRow(row=row, id=client_id, error=f"{_where(row, exc.field)}: {exc.message}")


def _lines(source: Iterable[bytes] | Iterable[str]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    for piece in source:
        try:
            text = decoder.decode(piece) if isinstance(piece, bytes) else piece
        except UnicodeDecodeError as exc:
            raise BatchInputError(f"input is not UTF-8 text ({exc.reason})") from None
        pending += text
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line + "\n"
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def parse_csv(source: Iterable[bytes] | Iterable[str]) -> Iterator[BatchRow]:
    """Rows of a CSV input with a header row; blank lines are skipped.

    Raises
    ------
    BatchInputError
        The header is missing, lacks ``origin`` or ``destination``, or names an unknown column.
    """
    reader = csv.reader(_lines(source), strict=False)
    header: list[str] | None = None
    row = 0
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            unknown = [h for h in header if h not in COLUMNS_IN]
            if unknown:
                raise BatchInputError(
                    f"header: unknown column {unknown[0]!r}; expected columns among {', '.join(COLUMNS_IN)}",
                    field=unknown[0],
                )
            for needed in ("origin", "destination"):
                if needed not in header:
                    raise BatchInputError(f"header: the column {needed!r} is missing", field=needed)
            if len(set(header)) != len(header):
                raise BatchInputError("header: a column is named twice")
            continue
        row += 1
        if len(record) != len(header):
            yield BatchRow(
                row=row,
                error=f"row {row}: has {len(record)} fields, the header has {len(header)}",
            )
            continue
        yield _build(row, dict(zip(header, record, strict=True)))
    if header is None:
        raise BatchInputError("the input is empty; expected a header row naming origin and destination")


def parse_jsonl(source: Iterable[bytes] | Iterable[str]) -> Iterator[BatchRow]:
    """Rows of a JSON Lines input (one JSON object a line); blank lines are skipped."""
    row = 0
    for line in _lines(source):
        if not line.strip():
            continue
        row += 1
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BatchRow(row=row, error=f"row {row}: malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(data, dict):
            yield BatchRow(row=row, error=f"row {row}: expected a JSON object, got {type(data).__name__}")
            continue
        yield _build(row, data)


def parse_objects(objects: Iterable[object]) -> Iterator[BatchRow]:
    """Rows given as already decoded JSON values (the API's ``{"rows": [...]}`` body)."""
    for row, data in enumerate(objects, start=1):
        if not isinstance(data, dict):
            yield BatchRow(row=row, error=f"row {row}: expected a JSON object, got {type(data).__name__}")
            continue
        yield _build(row, data)


def detect_format(name: str | None, head: bytes | str = b"") -> InputFormat:
    """Guess the input format from a file name's extension, else from the first non-blank character."""
    lowered = (name or "").lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    return "jsonl" if text.lstrip("\ufeff \t\r\n").startswith("{") else "csv"


def parse_rows(source: Iterable[bytes] | Iterable[str], fmt: InputFormat) -> Iterator[BatchRow]:
    """Rows of an input in the given format."""
    if fmt == "csv":
        return parse_csv(source)
    if fmt == "jsonl":
        return parse_jsonl(source)
    raise BatchInputError(f"unknown input format {fmt!r}; expected csv or jsonl", field="format")


def read_text_rows(text: str, fmt: InputFormat) -> list[BatchRow]:
    """All rows of an input held in memory (tests, small uploads)."""
    return list(parse_rows(io.StringIO(text), fmt))
