"""Rows counted from raw bytes (``count_rows``, ``read_counted``) against the parsers' own count.

The count decides a 413 before any parser runs, so it must never be more than what the parser
finds, and for what clients really send (files written by ``csv`` and ``json``, in pieces cut
anywhere) it must be exactly that.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.batch import (
    BatchInputError,
    InputKind,
    JobStore,
    TooManyRowsError,
    count_rows,
    parse_json_body,
    parse_rows,
    read_counted,
)

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text a field may hold: quotes, separators, line ends, brackets, escapes, Unicode whitespace and letters.
VALUES = st.lists(
    st.sampled_from(
        ["a1", "Almaty", "Алматы", "西安", "x y", '"', '""', ",", ";", "\n", "\r\n", "\r", "[", "]", "{", "}", "\\",
         "\\u0041", " ", "\t", "\u00a0", "\u3000", "\u2028", "é", "=1", "'"]
    ),  # fmt: skip
    min_size=0,
    max_size=4,
).map("".join)


def parsed(data: bytes, kind: InputKind) -> int | None:
    """Rows the parser finds (None: it refuses the input as a whole)."""
    try:
        rows = parse_json_body([data]).rows if kind == "json" else parse_rows([data], kind)
        return sum(1 for _ in rows.split())
    except BatchInputError:
        return None


def pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True) if b > a]


def _csv(rows: list[list[str]], *, ending: str, quoting: int, bom: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=ending, quoting=quoting)
    writer.writerow(["origin", "destination"])
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


TABLES = st.lists(st.lists(VALUES, min_size=2, max_size=2), max_size=25)
CUTS = st.lists(st.integers(0, 4000), max_size=8)


@PROPERTY
@given(TABLES, st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]), st.booleans(), CUTS)
def test_a_csv_file_written_by_the_csv_module_is_counted_exactly(
    rows: list[list[str]], ending: str, quoting: int, bom: bool, cuts: list[int]
) -> None:
    data = _csv(rows, ending=ending, quoting=quoting, bom=bom)
    assert count_rows(pieces(data, cuts), "csv") == parsed(data, "csv")


@PROPERTY
@given(TABLES, st.booleans(), st.lists(st.sampled_from(["", " ", "\t", "\u3000"]), max_size=3), CUTS)
def test_json_lines_written_by_json_dumps_are_counted_exactly(
    rows: list[list[str]], ascii_only: bool, blanks: list[str], cuts: list[int]
) -> None:
    lines = [json.dumps({"origin": a, "destination": b}, ensure_ascii=ascii_only) for a, b in rows]
    data = "\n".join(lines + blanks + [""]).encode()  # blank lines (spaces, tabs, U+3000) are not rows
    assert count_rows(pieces(data, cuts), "jsonl") == parsed(data, "jsonl")


@PROPERTY
@given(TABLES, st.booleans(), st.sampled_from([None, 1]), st.booleans(), CUTS)
def test_a_json_body_written_by_json_dumps_is_counted_exactly(
    rows: list[list[str]], ascii_only: bool, indent: int | None, format_first: bool, cuts: list[int]
) -> None:
    objects = [{"origin": a, "destination": b, "via": [a, b]} for a, b in rows]
    body = {"format": "csv", "rows": objects} if format_first else {"rows": objects, "format": "csv"}
    data = json.dumps(body, ensure_ascii=ascii_only, indent=indent).encode()
    assert count_rows(pieces(data, cuts), "json") == parsed(data, "json")


FRAGMENTS = ["a", ",", '"', '""', "\n", "\r", "\r\n", " ", "\u00a0", "\u3000", "é", "{", "}", "[", "]", "\\", '\\"', ":"]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["csv", "jsonl", "json"]), st.lists(st.sampled_from(FRAGMENTS), max_size=40), CUTS)
def test_any_input_is_never_counted_above_what_the_parser_finds(kind: InputKind, parts: list[str], cuts: list[int]) -> None:
    text = "".join(parts)
    text = {"csv": "origin,destination\n" + text, "jsonl": text, "json": '{"rows":[' + text + "]}"}[kind]
    data = text.encode()
    found = parsed(data, kind)
    if found is not None:
        assert count_rows(pieces(data, cuts), kind) <= found


@pytest.mark.parametrize(
    ("kind", "data", "rows"),
    [
        # a quote inside an unquoted field is text; the quoted field after it holds a line break
        ("csv", b'origin,destination\na"b,"c\nd"\ne,f\n', 2),
        # a field's text goes on after its closing quote; a quote there is text too
        ("csv", b'origin,destination\n"a"b"c,d\ne,f\n', 2),
        # lines of commas, spaces and no-break spaces are blank; a quoted comma or an escaped quote is not
        ("csv", b'origin,destination\n,\n  , \n\xc2\xa0,\n","\n""""\n', 2),
        ("csv", b"origin,destination\r\n\r\na,b\r\n\r\n", 1),
        ("jsonl", b'{"a": 1}\n\n \xe3\x80\x80\n{"b"\r\n', 2),
        ("json", b'{"rows": []}', 0),
        ("json", b'{"rows": [{"origin": "a,\\"b", "via": ["x", "y"]}, 1, [2, 3], {"k": {"z": ","}}], "format": "csv"}', 4),
    ],
)
def test_edge_cases_are_counted_as_the_parser_finds_them(kind: InputKind, data: bytes, rows: int) -> None:
    assert parsed(data, kind) == rows
    for size in (1, 2, 3, 5, len(data)):
        assert count_rows(pieces(data, list(range(size, len(data), size))), kind) == rows


def test_a_byte_order_mark_split_over_pieces_is_no_row() -> None:
    data = b"\xef\xbb\xbforigin,destination\na,b\n"
    assert count_rows([data[:1], data[1:2], data[2:]], "csv") == 1


def test_a_json_escape_split_over_pieces_is_followed() -> None:
    data = b'{"rows": [{"origin": "a\\\\\\", ]", "destination": "b"}, {"origin": "c"}]}'
    assert parsed(data, "json") == 2
    for cut in range(1, len(data)):
        assert count_rows([data[:cut], data[cut:]], "json") == 2


# --- read_counted ---------------------------------------------------------------------------


def _chunks(data: bytes, size: int = 1 << 16) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


class Source:
    """Chunks handed out one by one, recording how many were taken (as a streamed request body would)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.taken += 1
            yield chunk


CSV_ROWS = b"origin,destination\n" + b"a1,c2\n" * 100_000  # 600 KB in ten chunks of 64 KiB


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("csv", CSV_ROWS),
        ("jsonl", b'{"origin": "a1", "destination": "c2"}\n' * 20_000),
        ("json", b'{"rows": [' + b",".join([b'{"origin": "a1", "destination": "c2"}'] * 20_000) + b"]}"),
    ],
)
def test_the_row_past_the_cap_refuses_the_input_without_reading_the_rest(kind: InputKind, data: bytes) -> None:
    source = Source(_chunks(data))
    with pytest.raises(TooManyRowsError) as refused:
        list(read_counted(source, kind, max_rows=1_000))
    assert refused.value.limit == 1_000
    assert source.taken == 1  # 1,001 rows are in the first 64 KiB
    assert len(source.chunks) >= 10


@pytest.mark.parametrize("kind", ["csv", "jsonl", "json"])
def test_an_input_at_the_cap_is_given_on_byte_for_byte(kind: InputKind, tmp_path: Path) -> None:
    rows = [(f"r{i}", "a1", "c2") for i in range(5_000)]
    if kind == "csv":
        data = b"id,origin,destination\n" + "".join(f"{i},{a},{b}\n" for i, a, b in rows).encode()
    elif kind == "jsonl":
        data = "".join(json.dumps({"id": i, "origin": a, "destination": b}) + "\n" for i, a, b in rows).encode()
    else:
        data = json.dumps({"rows": [{"id": i, "origin": a, "destination": b} for i, a, b in rows]}).encode()
    given_on = b"".join(read_counted(_chunks(data, 1000), kind, max_rows=5_000, spool_dir=tmp_path))
    assert given_on == data
    assert list(tmp_path.iterdir()) == []  # the spool file is gone
    with pytest.raises(TooManyRowsError):
        list(read_counted(_chunks(data, 1000), kind, max_rows=4_999, spool_dir=tmp_path))


def test_a_source_that_is_a_file_already_is_counted_then_replayed_not_copied(tmp_path: Path) -> None:
    replayed = []

    def replay() -> Iterator[bytes]:
        replayed.append(True)
        yield CSV_ROWS

    assert b"".join(read_counted(_chunks(CSV_ROWS), "csv", max_rows=100_000, spool_dir=tmp_path, replay=replay)) == CSV_ROWS
    assert replayed == [True]
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(TooManyRowsError):
        list(read_counted(_chunks(CSV_ROWS), "csv", max_rows=99_999, replay=replay))
    assert replayed == [True]  # refused before anything is replayed


@pytest.mark.parametrize(
    ("kind", "first", "message"),
    [
        ("csv", b"origin,destination,colour\na1,c2,red\n", "unknown column 'colour'"),
        ("csv", b"origin\na1\n", "the column 'destination' is missing"),
        ("jsonl", b"\xff\xfe{}\n", "not UTF-8"),
        ("json", b'[{"origin": "a1", "destination": "c2"}, ', "expected a JSON object"),
        ("json", b'{"rowz": [{"origin": "a1"}, ', "unknown member"),
    ],
)
def test_a_bad_start_is_refused_before_the_rest_is_read(kind: InputKind, first: bytes, message: str) -> None:
    rest = b"a1,c2\n" * 1000 if kind == "csv" else b"{}\n" * 1000
    source = Source([first, *_chunks(rest, 100)])
    with pytest.raises(BatchInputError, match=message):
        list(read_counted(source, kind, max_rows=None))
    assert source.taken <= 2 if kind == "json" else source.taken == 1


def test_a_first_line_too_long_is_refused_once_a_mebibyte_has_come() -> None:
    source = Source(_chunks(b"origin," + b"x" * (3 << 20)))
    with pytest.raises(BatchInputError, match="line 1: longer than"):
        list(read_counted(source, "jsonl", max_rows=None))
    assert source.taken <= 17  # 1 MiB in pieces of 64 KiB, of 48


def test_a_start_that_is_merely_cut_short_is_no_error() -> None:
    # The first piece ends inside a quoted header and inside a JSON string: neither is an error.
    csv_pieces = [b'"orig', b'in",destination\na1,c2\n']
    assert b"".join(read_counted(csv_pieces, "csv", max_rows=1)) == b"".join(csv_pieces)
    json_pieces = [b'{"rows": [{"origin": "a', b'1", "destination": "c2"}]}' + b" " * 20_000]
    assert b"".join(read_counted(json_pieces, "json", max_rows=1)) == b"".join(json_pieces)


def test_quotes_that_break_the_rule_everywhere_stop_the_count_and_the_parser_caps_instead(tmp_path: Path) -> None:
    # Every row has a quote inside an unquoted field: each must be walked one by one, within a budget.
    data = b"origin,destination\n" + b'a"1,c2\n' * 250_000
    counted = count_rows(_chunks(data), "csv")
    assert 0 < counted < 250_000  # walked until the budget ran out, never more than there are
    store = JobStore(tmp_path / "jobs.sqlite3")
    rows = parse_rows(read_counted(_chunks(data), "csv", max_rows=249_999, spool_dir=tmp_path), "csv")
    with pytest.raises(TooManyRowsError):
        store.create_job(rows, owner="me", network_digest="n", max_rows=249_999)
