"""Writing batch results as CSV (safe to open in a spreadsheet) or JSON Lines."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from ._evaluate import COLUMNS_OUT, RowOutcome
from ._rows import BatchInputError

__all__ = ["OutputFormat", "output_format", "render", "safe_cell", "write_atomically"]

OutputFormat = Literal["csv", "jsonl"]

# Formula triggers (OWASP) and every control character: C0 (NUL, TAB, CR, LF, ESC ...), DEL, C1, and the
# Unicode line and paragraph separators, any of which a spreadsheet may strip before reading a formula.
_FORMULA_START = re.compile(r"[=+\-@\x00-\x1f\x7f-\x9f\u2028\u2029]")


def output_format(value: str | None, path: str | os.PathLike[str] | None = None) -> OutputFormat:
    """The output format named by ``value``, else by the path's extension, else CSV."""
    if value:
        lowered = value.strip().lower()
        if lowered in ("csv", "text/csv"):
            return "csv"
        if lowered in ("jsonl", "ndjson", "application/x-ndjson", "application/jsonl"):
            return "jsonl"
        raise BatchInputError(f"unknown format {value!r}; expected csv or jsonl", field="format")
    suffix = Path(path).suffix.lower() if path is not None else ""
    return "jsonl" if suffix in (".jsonl", ".ndjson", ".json") else "csv"


def safe_cell(value: object) -> object:
    """Neutralize a text cell a spreadsheet could run as a formula (OWASP: prefix it with ``'``).

    Guards cells starting with ``=``, ``+``, ``-``, ``@`` or any control character (NUL included).
    """
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def _csv_line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["" if v is None else safe_cell(v) for v in values])
    return buffer.getvalue()


def render(outcomes: Iterable[RowOutcome], fmt: OutputFormat) -> Iterator[str]:
    """Output text, a piece per line: a CSV header then rows, or JSON objects one a line."""
    if fmt == "csv":
        yield _csv_line(COLUMNS_OUT)
    for outcome in outcomes:
        lines: list[dict[str, Any]] = json.loads(outcome.lines_json)
        for line in lines:
            if fmt == "csv":
                yield _csv_line(line.get(c) for c in COLUMNS_OUT)
            else:
                yield json.dumps({c: line.get(c) for c in COLUMNS_OUT}, ensure_ascii=False) + "\n"


def write_atomically(path: str | os.PathLike[str], pieces: Iterable[str]) -> None:
    """Write text to a temporary file beside ``path``, flush it to disk, then rename it into place."""
    target = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temp, 0o644)  # mkstemp makes 0600; results are meant to be read by their owner's tools
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            for piece in pieces:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
