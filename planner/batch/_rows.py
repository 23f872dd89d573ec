"""Reading batch input: CSV (with a header row) or JSON Lines, one origin-destination pair a row.

Parsing never stops at a bad row: each row becomes a :class:`BatchRow`, and a row that cannot be
read carries its ``error`` (naming the row and the field) so that it is reported in its place.
Only a problem with the whole input raises :class:`BatchInputError`: no header, a header without
``origin``/``destination``, an unknown column, text that is not UTF-8, and input past a bound
checked before anything parses it (a line longer than :data:`MAX_LINE_CHARS`, a CSV record longer
than :data:`MAX_RECORD_CHARS`, JSON nested deeper than :data:`MAX_JSON_DEPTH`), each naming the line.

Lines may end with LF, CRLF or a lone CR (old spreadsheet exports), even mixed; a line break
inside a quoted CSV field is read as LF.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any, Generic, Literal, TypeVar

import orjson

from ..errors import InvalidRequestError
from ._json import MAX_JSON_DEPTH, JsonBodyError, JsonBodySplitter, too_deep

__all__ = [
    "COLUMNS_IN",
    "MAX_LINE_CHARS",
    "MAX_RECORD_CHARS",
    "BATCH_ROWS",
    "BatchInputError",
    "BatchRow",
    "InputFormat",
    "JsonBody",
    "RowError",
    "RowSchema",
    "RowStream",
    "number_value",
    "text_value",
    "unknown_fields",
    "detect_format",
    "parse_csv",
    "parse_json_body",
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
    "max_stretch",
    "teu",
    "tonnes",
    "avoid_countries",
    "via",
    "corridor",
    "scenario",
    "service",
    "container",
    "departure_date",
)
"""Columns (CSV) or keys (JSON Lines) a row may have; ``origin`` and ``destination`` are required."""

_LIST_SPLIT = re.compile(r"[;|]")
_MAX_FIELD_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")

MAX_LINE_CHARS = 65_536
"""The longest line (CSV or JSON Lines) read; a longer one refuses the input, naming its line."""
MAX_RECORD_CHARS = 65_536
"""The longest CSV record (one row, quoted line breaks included): below the csv module's field limit."""


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
    max_stretch: float | None = None
    teu: float | None = None
    tonnes: float | None = None
    avoid_countries: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    corridor: str | None = None
    scenario: str | None = None
    service: str | None = None
    container: str | None = None
    departure_date: str | None = None
    error: str | None = None

    @property
    def output_id(self) -> str:
        """The id echoed in the output: the client's, else the row number."""
        return self.id if self.id is not None else str(self.row)

    def to_json(self) -> str:
        data = {f: v for f in _ROW_FIELDS if (v := getattr(self, f)) not in (None, (), "")}
        return orjson.dumps(data).decode()

    @classmethod
    def from_json(cls, text: str) -> BatchRow:
        data = json.loads(text)
        for name in ("avoid_countries", "via"):
            if name in data:
                data[name] = tuple(data[name])
        return cls(**data)


_ROW_FIELDS = tuple(f.name for f in fields(BatchRow))


class RowError(Exception):
    """A field of one row that cannot be read: the row's builder turns it into that row's error."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def at(self, row: int) -> str:
        """The message with where it happened: ``row 3, field 'teu': ...``."""
        return f"{_where(row, self.field)}: {self.message}"


_RowError = RowError


def _where(row: int, field: str | None) -> str:
    return f"row {row}, field '{field}'" if field else f"row {row}"


R = TypeVar("R")


@dataclass(frozen=True, eq=False)  # no slots: typing sets __orig_class__ on instances of RowSchema[R]
class RowSchema(Generic[R]):
    """What rows of one kind look like: the columns allowed and required, and how a row is built.

    ``build(row, data)`` makes a row from its fields (a row carrying its error when a field is bad);
    ``failed(row, message)`` makes a row that could not be read at all.
    """

    columns: tuple[str, ...]
    required: tuple[str, ...]
    build: Callable[[int, dict[str, object]], R]
    failed: Callable[[int, str], R]


def _checked(text: str, name: str) -> str:
    """Refuse text a store, a terminal or a spreadsheet could choke on: lone surrogates, control characters."""
    if (bad := _SURROGATE.search(text)) is not None:
        raise _RowError(name, f"contains a lone surrogate (U+{ord(bad.group()):04X}); expected Unicode text")
    if (bad := _CONTROL.search(text)) is not None:
        raise _RowError(name, f"contains the control character U+{ord(bad.group()):04X}; expected printable text")
    return text


def text_value(value: object, name: str, *, required: bool = False) -> str | None:
    """A text field, stripped (None when empty); :class:`RowError` naming the field when it is not text."""
    return _text(value, name, required=required)


def number_value(value: object, name: str) -> float | None:
    """A finite number, given as a number or as text (None when empty); :class:`RowError` otherwise."""
    return _number(value, name)


def unknown_fields(data: dict[str, object], columns: tuple[str, ...]) -> None:
    """:class:`RowError` for the first field of ``data`` that is not one of ``columns``."""
    unknown = sorted(set(data) - set(columns))
    if unknown:
        shown = unknown[0] if _SAFE_NAME.match(unknown[0]) else None
        where = "an unknown field" if shown is None else "unknown field"
        if shown is None and _SURROGATE.search(unknown[0]):
            where += " whose name contains a lone surrogate"
        raise RowError(shown, f"{where}{_did_you_mean(shown, columns)}; expected one of {', '.join(columns)}")


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
    _checked(text, name)
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
                raise _RowError(name, f"expected a list of text, got an item of type {type(item).__name__}")
            parts.append(item)
    else:
        raise _RowError(name, f"expected text separated by ';' or '|', or a list, got {type(value).__name__}")
    if len(parts) > 100 or any(len(p) > _MAX_FIELD_CHARS for p in parts):
        raise _RowError(name, f"expected at most 100 items of at most {_MAX_FIELD_CHARS} characters")
    return tuple(_checked(p.strip(), name) for p in parts if p.strip())


def _build(row: int, data: dict[str, object]) -> BatchRow:
    raw_id = data.get("id")
    try:
        client_id = _text(raw_id, "id")
    except _RowError as exc:
        return BatchRow(row=row, error=f"{_where(row, exc.field)}: {exc.message}")
    try:
        unknown_fields(data, COLUMNS_IN)
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
            max_stretch=_number(data.get("max_stretch"), "max_stretch"),
            teu=_number(data.get("teu"), "teu"),
            tonnes=_number(data.get("tonnes"), "tonnes"),
            avoid_countries=_items(data.get("avoid_countries"), "avoid_countries"),
            via=_items(data.get("via"), "via"),
            corridor=_text(data.get("corridor"), "corridor"),
            scenario=_text(data.get("scenario"), "scenario"),
            service=_text(data.get("service"), "service"),
            container=_text(data.get("container"), "container"),
            departure_date=_text(data.get("departure_date"), "departure_date"),
        )
    except _RowError as exc:
        return BatchRow(row=row, id=client_id, error=f"{_where(row, exc.field)}: {exc.message}")


class _Lines:
    """Decoded lines of a byte stream, each ending in LF, with CR and CRLF read as LF; bounded in length.

    ``number`` is the 1-based number of the line last yielded.
    """

    def __init__(self, source: Iterable[bytes] | Iterable[str], max_chars: int = MAX_LINE_CHARS) -> None:
        self.source = source
        self.max_chars = max_chars
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        pending = ""
        for piece in self.source:
            try:
                text = decoder.decode(piece) if isinstance(piece, bytes) else piece
            except UnicodeDecodeError as exc:
                raise BatchInputError(f"line {self.number + 1}: the input is not UTF-8 text ({exc.reason})") from None
            pending += text
            # A CR at the end of a piece may be the first half of a CRLF: keep it for the next piece.
            held = pending.endswith("\r")
            if held:
                pending = pending[:-1]
            if "\r" in pending:
                pending = pending.replace("\r\n", "\n").replace("\r", "\n")
            *complete, pending = pending.split("\n")
            for line in complete:
                self.number += 1
                if len(line) >= self.max_chars:
                    raise _LineTooLong(self.number, line[: self.max_chars])
                yield line + "\n"
            if len(pending) >= self.max_chars:
                raise _LineTooLong(self.number + 1, pending[: self.max_chars])
            if held:
                pending += "\r"
        try:
            pending += decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise BatchInputError(f"line {self.number + 1}: the input is not UTF-8 text ({exc.reason})") from None
        for line in pending.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line:
                self.number += 1
                if len(line) >= self.max_chars:
                    raise _LineTooLong(self.number, line[: self.max_chars])
                yield line + "\n"


class _LineTooLong(Exception):
    """A line passed :data:`MAX_LINE_CHARS`; carries its number and its first characters."""

    def __init__(self, number: int, head: str) -> None:
        self.number = number
        self.head = head

    def error(self) -> BatchInputError:
        return BatchInputError(f"line {self.number}: longer than {MAX_LINE_CHARS:,} characters", field="line")


def _field_index(record: str) -> int:
    """The 0-based index of the field that is still open at the end of a CSV record's text."""
    index, quoted = 0, False
    for char in record:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            index += 1
    return index


class _CsvRecords:
    """CSV records read from bounded lines, each record bounded too (quoted line breaks included).

    Over a bound, the error names the line where the record starts and the column of the field
    still open there (by its header name once the header is known).
    """

    def __init__(self, source: Iterable[bytes] | Iterable[str]) -> None:
        self.lines = _Lines(source)
        self.header: list[str] | None = None
        self._start = 1
        self._text: list[str] = []
        self._chars = 0

    def _feed(self) -> Iterator[str]:
        for line in self.lines:
            if not self._text:
                self._start = self.lines.number
            self._text.append(line)
            self._chars += len(line)
            if self._chars > MAX_RECORD_CHARS:
                raise self._overlong("")
            yield line

    def __iter__(self) -> Iterator[list[str]]:
        try:
            for record in csv.reader(self._feed(), strict=False):
                self._text.clear()
                self._chars = 0
                yield record
        except _LineTooLong as exc:
            if not self._text:
                self._start = exc.number
            raise self._overlong(exc.head) from None

    def _overlong(self, head: str) -> BatchInputError:
        column = _field_index(("".join(self._text) + head)[: MAX_RECORD_CHARS + 1])
        name = self.header[column] if self.header is not None and column < len(self.header) else None
        shown = f" ({name!r})" if name is not None else ""
        return BatchInputError(
            f"line {self._start}, column {column + 1}{shown}: a field is longer than the "
            f"{MAX_RECORD_CHARS:,} characters a row may have",
            field=name,
        )


def _failed_batch_row(row: int, message: str) -> BatchRow:
    return BatchRow(row=row, error=message)


BATCH_ROWS: RowSchema[BatchRow] = RowSchema(COLUMNS_IN, ("origin", "destination"), _build, _failed_batch_row)
"""The rows of a batch of route requests."""


class RowStream(Generic[R]):
    """The rows of an input, read in two steps: split (cheap; counted, every whole-input bound applied) then built.

    Iterating gives :class:`BatchRow` objects. :meth:`split` gives each row's number and raw
    value (a CSV record as a list of text, a JSON row as its text, or None for a JSON row that is
    not UTF-8), all plain JSON values, and :meth:`build` turns one into its row. A store counts
    rows against its cap on the cheap step, so an input with too many rows is refused after
    reading them, not after validating them.
    """

    def __init__(self, split: Iterator[tuple[int, Any]], build: Callable[[int, Any], R]) -> None:
        self._split = split
        self.build = build

    def split(self) -> Iterator[tuple[int, Any]]:
        return self._split

    def __iter__(self) -> Iterator[R]:
        build = self.build
        for number, raw in self._split:
            yield build(number, raw)


def parse_csv(source: Iterable[bytes] | Iterable[str], schema: RowSchema[R] = BATCH_ROWS) -> RowStream[R]:  # type: ignore[assignment]
    """Rows of a CSV input with a header row; blank lines are skipped.

    Raises (when read)
    ------------------
    BatchInputError
        The header is missing, lacks ``origin`` or ``destination``, or names an unknown column;
        the text is not UTF-8; a line or a record is longer than the bounds (naming line and column).
    """
    records = _CsvRecords(source)

    def split() -> Iterator[tuple[int, list[str]]]:
        row = 0
        for record in records:
            if not "".join(record).strip():
                continue
            if records.header is None:
                records.header = _header(record, schema)
                continue
            row += 1
            yield row, record
        if records.header is None:
            raise BatchInputError(f"the input is empty; expected a header row naming {' and '.join(schema.required)}")

    def build(row: int, record: list[str]) -> R:
        header = records.header
        assert header is not None
        if len(record) != len(header):
            return schema.failed(row, f"row {row}: has {len(record)} fields, the header has {len(header)}")
        return schema.build(row, dict(zip(header, record, strict=True)))

    return RowStream(split(), build)


_ROW_ALIASES = {"from": "origin", "to": "destination", "avoid_country": "avoid_countries"}


def _did_you_mean(name: str | None, columns: tuple[str, ...]) -> str:
    """``"; did you mean X?"`` for a column name close to one of ``columns``, else ``""``."""
    if name is None:
        return ""
    alias = _ROW_ALIASES.get(name.lower())
    if alias in columns:
        return f"; did you mean {alias}?"
    close = difflib.get_close_matches(name.lower(), columns, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def _header(record: list[str], schema: RowSchema[Any]) -> list[str]:
    header = [cell.strip().lower() for cell in record]
    unknown = [h for h in header if h not in schema.columns]
    if unknown:
        name = unknown[0]
        readable = len(name) <= 40 and not _CONTROL.search(name)
        shown = repr(name) if readable else "(a long or unprintable name)"
        hint = _did_you_mean(name, schema.columns) if readable and _SAFE_NAME.match(name) else ""
        raise BatchInputError(
            f"header: unknown column {shown}{hint}; expected columns among {', '.join(schema.columns)}",
            field=name if _SAFE_NAME.match(name) else None,
        )
    for needed in schema.required:
        if needed not in header:
            raise BatchInputError(f"header: the column {needed!r} is missing", field=needed)
    if len(set(header)) != len(header):
        raise BatchInputError("header: a column is named twice")
    return header


def _decode_row(text: bytes | str) -> object:
    """One row's JSON value; raises ValueError with a short reason. Depth was bounded before."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        first = exc
    # orjson refuses lone surrogates outright; the standard decoder reads them, so the row's error
    # can name the field that holds one. (NaN and Infinity are refused later as numbers.)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    raise ValueError(f"{first.msg} at column {first.colno}")


def parse_jsonl(source: Iterable[bytes] | Iterable[str], schema: RowSchema[R] = BATCH_ROWS) -> RowStream[R]:  # type: ignore[assignment]
    """Rows of a JSON Lines input (one JSON object a line); blank lines are skipped.

    Raises (when read)
    ------------------
    BatchInputError
        A line nests deeper than :data:`MAX_JSON_DEPTH` or is too long; the text is not UTF-8.
    """

    def split() -> Iterator[tuple[int, str]]:
        lines = _Lines(source)
        row = 0
        try:
            for line in lines:
                if not line.strip():
                    continue
                row += 1
                if too_deep(line.encode("utf-8")) is not None:
                    raise BatchInputError(
                        f"line {lines.number}: JSON nested deeper than {MAX_JSON_DEPTH} levels; a row is one flat object",
                        field="line",
                    )
                yield row, line
        except _LineTooLong as exc:
            raise exc.error() from None

    return RowStream(split(), lambda row, text: _json_row(row, text, schema))


def _json_row(row: int, text: str | bytes | None, schema: RowSchema[R]) -> R:
    """A row from its JSON text (depth already bounded): malformed JSON and non-objects are that row's error."""
    if text is None:
        return schema.failed(row, f"row {row}: the row is not UTF-8 text")
    try:
        data = _decode_row(text)
    except ValueError as exc:
        return schema.failed(row, f"row {row}: malformed JSON ({exc})")
    if not isinstance(data, dict):
        return schema.failed(row, f"row {row}: expected a JSON object, got {_json_type(data)}")
    return schema.build(row, data)


def _json_type(value: object) -> str:
    return {dict: "object", list: "list", str: "text", bool: "bool", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def parse_objects(objects: Iterable[object], schema: RowSchema[R] = BATCH_ROWS) -> Iterator[R]:  # type: ignore[assignment]
    """Rows given as already decoded JSON values."""
    for row, data in enumerate(objects, start=1):
        if not isinstance(data, dict):
            yield schema.failed(row, f"row {row}: expected a JSON object, got {_json_type(data)}")
            continue
        yield schema.build(row, data)


class JsonBody:
    """The rows of a streamed ``{"rows": [...], "format": "csv"}`` body; ``format`` is known once ``rows`` is read."""

    def __init__(self, source: Iterable[bytes]) -> None:
        self._splitter = JsonBodySplitter()
        self._source = source
        self.rows = RowStream(self._split(), lambda row, text: _json_row(row, text, BATCH_ROWS))

    @property
    def format(self) -> str | None:
        return self._splitter.format

    def _split(self) -> Iterator[tuple[int, str | None]]:
        try:
            for number, text in self._splitter.rows(self._source):
                try:
                    yield number, text.decode("utf-8")
                except UnicodeDecodeError:
                    yield number, None
        except JsonBodyError as exc:
            raise BatchInputError(exc.message, field=exc.field) from None


def parse_json_body(source: Iterable[bytes]) -> JsonBody:
    """Rows of a ``{"rows": [...]}`` JSON body read from byte chunks as they arrive (memory stays flat).

    Reading ``.rows`` raises :class:`BatchInputError` for a body of another shape, a row longer
    than 64 KiB or nested deeper than :data:`MAX_JSON_DEPTH`, naming the row and the line.
    """
    return JsonBody(source)


def detect_format(name: str | None, head: bytes | str = b"") -> InputFormat:
    """Guess the input format from a file name's extension, else from the first non-blank character."""
    lowered = (name or "").lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    return "jsonl" if text.lstrip("\ufeff \t\r\n").startswith("{") else "csv"


def parse_rows(
    source: Iterable[bytes] | Iterable[str], fmt: InputFormat, schema: RowSchema[R] = BATCH_ROWS  # type: ignore[assignment]
) -> RowStream[R]:
    """Rows of an input in the given format."""
    if fmt == "csv":
        return parse_csv(source, schema)
    if fmt == "jsonl":
        return parse_jsonl(source, schema)
    raise BatchInputError(f"unknown input format {fmt!r}; expected csv or jsonl", field="format")


def read_text_rows(text: str, fmt: InputFormat, schema: RowSchema[R] = BATCH_ROWS) -> list[R]:  # type: ignore[assignment]
    """All rows of an input held in memory (tests, small uploads)."""
    return list(parse_rows(io.StringIO(text), fmt, schema))
