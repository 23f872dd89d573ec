"""Hostile batch input: every input gives rows or our own error (never another exception), and rows store safely."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from batch_helpers import TINY

import planner
from planner.batch import (
    MAX_JSON_DEPTH,
    MAX_LINE_CHARS,
    BatchInputError,
    JobStore,
    evaluate_rows,
    parse_json_body,
    parse_rows,
    read_text_rows,
    render,
    safe_cell,
)


def _rows(data: bytes, fmt: str, piece: int = 7) -> list[planner.batch.BatchRow]:
    """Parse ``data`` fed in small pieces, so every boundary case (CR|LF, escapes, strings) is crossed."""
    return list(parse_rows((data[i : i + piece] for i in range(0, len(data), piece)), fmt))  # type: ignore[arg-type]


def _stored(tmp_path: Path, rows: list[planner.batch.BatchRow]) -> list[planner.batch.BatchRow]:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job, _ = store.create_job(rows, owner="me", network_digest="test")
    return [row for chunk in store.pending_chunks(job.id, 100) for row in chunk]


# --- D2: lone surrogates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (rb'{"id": "\ud800", "origin": "a1", "destination": "c2"}', "id"),
        (rb'{"origin": "a1\udfff", "destination": "c2"}', "origin"),
        (rb'{"origin": "a1", "destination": "c2", "via": ["\ud83d"]}', "via"),
        (rb'{"origin": "a1", "destination": "c2", "\ud800": 1}', None),
    ],
)
def test_a_lone_surrogate_in_a_jsonl_row_is_that_rows_error_and_stores_safely(
    tmp_path: Path, line: bytes, field: str | None
) -> None:
    rows = _rows(line + b"\n" + b'{"origin": "a1", "destination": "c2"}\n', "jsonl")
    assert rows[0].error is not None
    assert "surrogate" in rows[0].error
    if field is not None:
        assert f"field '{field}'" in rows[0].error
    assert rows[1].error is None
    stored = _stored(tmp_path, rows)
    assert [r.row for r in stored] == [1, 2]
    text = "".join(render(evaluate_rows(planner.load_network(TINY), stored), "csv"))
    text.encode("utf-8")  # the result can be written out


def test_a_lone_surrogate_in_the_json_body_rows_is_that_rows_error(tmp_path: Path) -> None:
    body = b'{"rows": [{"id": "\\ud800", "origin": "a1", "destination": "c2"}, {"origin": "a1", "destination": "c2"}]}'
    parsed = parse_json_body([body])
    rows = list(parsed.rows)
    assert rows[0].error is not None
    assert "row 1, field 'id'" in rows[0].error
    assert rows[1].error is None
    assert len(_stored(tmp_path, rows)) == 2


def test_python_objects_with_surrogates_are_refused_per_row(tmp_path: Path) -> None:
    rows = list(planner.batch.parse_objects([{"id": "x\ud800", "origin": "a1", "destination": "c2"}]))
    assert rows[0].error is not None
    assert len(_stored(tmp_path, rows)) == 1


# --- D3: deep nesting ------------------------------------------------------------------------


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_a_jsonl_line_nested_too_deep_refuses_the_input_naming_the_line(opener: bytes) -> None:
    depth = 5_000
    closer = b"]" if opener == b"[" else b"}"
    deep = opener * depth + b"1" + closer * depth
    with pytest.raises(BatchInputError, match=rf"line 3: .*nested deeper than {MAX_JSON_DEPTH} levels"):
        _rows(b'{"origin": "a1", "destination": "c2"}\n\n' + deep + b"\n", "jsonl", piece=4096)


def test_json_body_rows_nested_too_deep_are_refused_naming_the_row_and_line() -> None:
    deep = b'{"origin": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    body = b'{"rows": [\n{"origin": "a1", "destination": "c2"},\n' + deep + b"]}"
    with pytest.raises(BatchInputError, match=rf"rows\[1\] \(line 3\): nested deeper than {MAX_JSON_DEPTH} levels"):
        list(parse_json_body([body]).rows)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000, "line 1: expected a JSON object"),
        (b'{"format": ' + b"[" * 100_000, "line 1: expected csv or jsonl"),
        (b'{"rows": [], "extra": ' + b"{" * 100_000, "unknown member"),
    ],
)
def test_json_body_nested_deep_outside_rows_is_refused_without_recursion(body: bytes, message: str) -> None:
    with pytest.raises(BatchInputError, match=message):
        list(parse_json_body([body]).rows)


def test_rows_at_the_depth_limit_are_parsed() -> None:
    inner = b"[" * (MAX_JSON_DEPTH - 2) + b"]" * (MAX_JSON_DEPTH - 2)
    rows = list(parse_json_body([b'{"rows": [{"origin": "a1", "destination": "c2", "via": ' + inner + b"}]}"]).rows)
    assert rows[0].error is not None
    assert "field 'via'" in rows[0].error


# --- D4: long fields and lines ---------------------------------------------------------------


def test_a_csv_field_longer_than_the_csv_modules_limit_names_line_and_column() -> None:
    text = "id,origin,destination\nr1,a1,c2\nr2," + "x" * 131_073 + ",c2\n"
    with pytest.raises(BatchInputError, match=r"line 3, column 2 \('origin'\): .*longer than"):
        _rows(text.encode(), "csv", piece=65536)


def test_a_quoted_csv_field_spanning_many_lines_is_bounded_too() -> None:
    text = 'origin,destination\na1,"' + "x\n" * 100_000 + '"\n'
    with pytest.raises(BatchInputError, match=r"line 2, column 2 \('destination'\)"):
        _rows(text.encode(), "csv", piece=65536)


def test_a_jsonl_line_over_the_line_limit_is_refused_naming_it() -> None:
    line = b'{"origin": "' + b"y" * MAX_LINE_CHARS + b'", "destination": "c2"}\n'
    with pytest.raises(BatchInputError, match=rf"line 2: longer than {MAX_LINE_CHARS:,} characters"):
        _rows(b'{"origin": "a1", "destination": "c2"}\n' + line, "jsonl", piece=65536)


def test_a_field_just_over_the_per_field_limit_is_a_row_error_not_a_refusal() -> None:
    rows = _rows(b"origin,destination\n" + b"a" * 5000 + b",c2\n", "csv", piece=1024)
    assert rows[0].error is not None
    assert "row 1, field 'origin'" in rows[0].error


# --- D5: line endings --------------------------------------------------------------------------

CSV_LF = b'id,origin,destination\nr1,a1,c2\nr2,"Alpha",b2\nr3,a2,"c1"\n'


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("piece", [1, 2, 3, 64])
def test_csv_with_lf_crlf_or_cr_line_endings_gives_the_same_rows(ending: bytes, piece: int) -> None:
    rows = _rows(CSV_LF.replace(b"\n", ending), "csv", piece=piece)
    assert [(r.id, r.origin, r.destination, r.error) for r in rows] == [
        ("r1", "a1", "c2", None),
        ("r2", "Alpha", "b2", None),
        ("r3", "a2", "c1", None),
    ]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_jsonl_with_any_line_ending_gives_the_same_rows(ending: bytes) -> None:
    data = b'{"origin": "a1", "destination": "c2"}\n{"origin": "b1", "destination": "c2"}\n'.replace(b"\n", ending)
    assert [r.origin for r in _rows(data, "jsonl", piece=5)] == ["a1", "b1"]


def test_a_bare_cr_inside_a_quoted_csv_field_is_read_not_a_crash() -> None:
    rows = _rows(b'id,origin,destination\n"r\r1",a1,c2\nr2,a1,"c\r2"\n', "csv", piece=3)
    assert [r.row for r in rows] == [1, 2]
    assert rows[0].error is not None  # an id with a line break is refused, per row
    assert rows[1].error is not None
    assert "field 'destination'" in rows[1].error


def test_a_bare_cr_inside_an_unquoted_field_ends_the_line() -> None:
    rows = _rows(b"origin,destination\na1,c2\rb1,c2\n", "csv")
    assert [(r.origin, r.destination) for r in rows] == [("a1", "c2"), ("b1", "c2")]


# --- D13: the formula guard --------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n", "\x00", "\x01", "\x1b", "\x7f", "\u0085", "\u2028"])
def test_the_formula_guard_covers_every_control_character(start: str) -> None:
    assert safe_cell(start + "cmd|' /C calc'!A0") == "'" + start + "cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", ["a1", "Xi'an", " space", "'quoted", "1", "Ñ", "西安"])
def test_ordinary_text_is_left_alone(value: str) -> None:
    assert safe_cell(value) == value


def test_an_id_starting_with_nul_comes_back_guarded_in_csv_output(tiny: planner.Network) -> None:
    rows = planner.batch.parse_objects([{"id": "\x00=1+1", "origin": "a1", "destination": "c2"}])
    text = "".join(render(evaluate_rows(tiny, rows), "csv"))
    ids = [record[1] for record in csv.reader(io.StringIO(text))][1:]
    assert all(not cell or cell[0] == "'" or cell[0].isalnum() for cell in ids)


def test_read_text_rows_still_reads_a_whole_text() -> None:
    assert [r.origin for r in read_text_rows("origin,destination\r\na1,c2\r\n", "csv")] == ["a1"]
