"""Fuzzing the input parsers: any input gives rows (or a scenario) or our own error, never another exception.

Inputs are built from fragments that matter (quotes, separators, every line ending, brackets,
escapes, surrogates, NUL, long runs) and fed in pieces of random sizes, so chunk boundaries fall
everywhere. The example counts are bounded to keep the suite fast.
"""

from __future__ import annotations

import json

from batch_helpers import TINY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner
from planner.batch import BatchInputError, BatchRow, parse_json_body, parse_rows, too_deep
from planner.scenario import parse_scenario

FRAGMENTS = [
    "origin", "destination", "id", "via", "k", "teu", "a1", "c2", "Alpha", ",", ";", "|", '"', '""', "\n", "\r", "\r\n",
    "{", "}", "[", "]", ":", '"origin":', '"rows":', '"format":', "\\", "\\u", "\\ud800", "\\udfff", "\\n", "null", "1e999",
    "NaN", "-", "=", "\x00", "\x1b", "\u2028", "\ufeff", " ", "\t", "é", "西安", "x" * 70_000, "[" * 40, "{\"a\":" * 40,
]  # fmt: skip
_TINY = planner.load_network(TINY)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def streams(draw: st.DrawFn, prefix: str = "") -> list[bytes]:
    parts = draw(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40))
    data = (prefix + "".join(parts)).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=8))  # maybe not UTF-8 at all
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=6)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def _all_rows(rows: object) -> list[BatchRow]:
    out: list[BatchRow] = []
    refused = ""
    try:
        out = list(rows)  # type: ignore[call-overload]
    except BatchInputError as exc:
        refused = exc.message
        assert refused  # our own error, with a message
    for row in out:
        assert isinstance(row, BatchRow)
        row.to_json().encode("utf-8")  # storable: no lone surrogates anywhere
        if row.error is not None:
            assert row.error.startswith(f"row {row.row}")
    return out


@FUZZ
@given(streams(prefix="id,origin,destination,via\n"))
def test_csv_input_gives_rows_or_a_batch_input_error(pieces: list[bytes]) -> None:
    _all_rows(parse_rows(pieces, "csv"))


@FUZZ
@given(streams(prefix='{"origin": '))
def test_jsonl_input_gives_rows_or_a_batch_input_error(pieces: list[bytes]) -> None:
    _all_rows(parse_rows(pieces, "jsonl"))


@FUZZ
@given(streams(prefix='{"rows": [{'))
def test_a_json_body_gives_rows_or_a_batch_input_error(pieces: list[bytes]) -> None:
    body = parse_json_body(pieces)
    _all_rows(body.rows)
    assert body.format is None or isinstance(body.format, str)


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60))
def test_the_depth_scan_agrees_with_a_parser_on_valid_json(parts: list[str]) -> None:
    text = "".join(parts).encode("utf-8", "surrogatepass")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return
    depth, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            depth = max(depth, level)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    assert (too_deep(text, 5) is not None) == (depth > 5)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20) | st.sampled_from(FRAGMENTS[:12]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(FRAGMENTS[:12] + ["name", "title", "changes", "close_link", "add_link"]), children, max_size=4),
    max_leaves=30,
)  # fmt: skip


@FUZZ
@given(json_values)
def test_the_scenario_loader_gives_a_scenario_or_a_scenario_error(value: object) -> None:
    for data in (value, {"name": "fuzz", "title": "t", "changes": value}, {"name": "fuzz", "title": "t", "changes": [value]}):
        assert _scenario_outcome(data) != ""


@FUZZ
@given(streams())
def test_scenario_text_gives_a_scenario_or_a_scenario_error(pieces: list[bytes]) -> None:
    text = b"".join(pieces).decode("utf-8", "replace")
    assert _scenario_outcome(text) != ""


def _scenario_outcome(data: object) -> str | None:
    """None for a scenario, the message of a ScenarioError (anything else raised fails the test)."""
    try:
        parse_scenario(data, _TINY)  # type: ignore[arg-type]
    except planner.ScenarioError as exc:
        return exc.message
    return None

