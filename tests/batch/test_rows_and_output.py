"""Reading rows and writing results: per-row errors, list fields, spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from batch_helpers import check_results, random_rows, read_output, to_csv

import planner
from planner.batch import BatchInputError, evaluate_rows, read_text_rows, render, safe_cell

BAD = """id,origin,destination,k,teu,avoid_countries,via
"=HYPERLINK(""http://evil.example"",""click"")",a1,c2,2,,,
,Alpha,Atlantis,,,,
x3,a1,c2,,abc,,
x4,,c2,,,,
x5,a1,c2,,,AA;BB,
x6,a1,c2
x7,a1,c2,1.5,,,
+cmd,a1,b2,,,,a2|b1
"""


def _lines(network: planner.Network, text: str, fmt: str = "csv") -> list[dict[str, str]]:
    rows = read_text_rows(text, "csv")
    return read_output("".join(render(evaluate_rows(network, rows), fmt)), fmt)  # type: ignore[arg-type]


def test_each_bad_row_gets_its_own_error_naming_the_row_and_field(tiny: planner.Network) -> None:
    lines = _lines(tiny, BAD)
    by_row = {int(line["row"]): line for line in lines if line["rank"] in ("", "1")}
    assert [line["status"] for line in by_row.values()] == [
        "ok",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
        "ok",
    ]
    assert by_row[2]["error"] == "row 2, field 'destination': unknown place 'Atlantis'"
    assert by_row[3]["error"] == "row 3, field 'teu': expected a number, got 'abc'"
    assert by_row[4]["error"].startswith("row 4, field 'origin': is empty")
    assert by_row[5]["error"].startswith("row 5, field 'avoid_countries':")
    assert by_row[6]["error"] == "row 6: has 3 fields, the header has 7"
    assert by_row[7]["error"] == "row 7, field 'k': expected a whole number, got '1.5'"
    assert by_row[8]["places"] == "a1 > a2 > b1 > b2"
    assert by_row[2]["id"] == "2"  # no client id: the row number


def test_csv_output_neutralizes_formula_cells(tiny: planner.Network) -> None:
    text = "".join(render(evaluate_rows(tiny, read_text_rows(BAD, "csv")), "csv"))
    ids = [row[1] for row in csv.reader(io.StringIO(text))][1:]
    assert ids[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert "'+cmd" in ids
    for record in csv.reader(io.StringIO(text)):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in record)
    assert safe_cell("-1+2") == "'-1+2"
    assert safe_cell(-3.5) == -3.5


def test_jsonl_output_keeps_values_as_given(tiny: planner.Network) -> None:
    lines = _lines(tiny, BAD, "jsonl")
    assert lines[0]["id"] == '=HYPERLINK("http://evil.example","click")'
    assert lines[0]["rank"] == 1
    assert isinstance(lines[0]["cost_usd"], float)


def test_top_k_gives_one_line_per_route_with_its_rank(tiny: planner.Network) -> None:
    lines = _lines(tiny, "origin,destination,k,max_stretch\na1,c2,2,10\n")
    assert [(line["row"], line["rank"]) for line in lines] == [("1", "1"), ("1", "2")]


def test_jsonl_input_reports_malformed_lines_and_unknown_keys(tiny: planner.Network) -> None:
    text = '{"origin": "a1", "destination": "c2", "via": ["b2"]}\n{"origin": "a1",\n[1]\n\n{"origin": "a1", "destinaton": "c2"}\n'
    rows = read_text_rows(text, "jsonl")
    assert [r.row for r in rows] == [1, 2, 3, 4]
    assert rows[0].via == ("b2",)
    assert rows[1].error is not None
    assert rows[1].error.startswith("row 2: malformed JSON")
    assert rows[2].error == "row 3: expected a JSON object, got list"
    assert rows[3].error is not None
    assert rows[3].error.startswith("row 4, field 'destinaton': unknown field")
    outcomes = evaluate_rows(tiny, rows)
    assert [o.ok for o in outcomes] == [True, False, False, False]
    assert json.loads(outcomes[0].lines_json)[0]["places"].endswith("c1 > c2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the input is empty"),
        ("origin,to\n", "unknown column 'to'"),
        ("id,origin\n", "the column 'destination' is missing"),
    ],
)
def test_a_bad_header_refuses_the_whole_input(text: str, message: str) -> None:
    with pytest.raises(BatchInputError, match=message):
        read_text_rows(text, "csv")


def test_unknown_scenario_is_a_row_error(tiny: planner.Network) -> None:
    lines = _lines(tiny, "origin,destination,scenario\na1,c2,no_such_scenario\n")
    assert lines[0]["status"] == "error"
    assert lines[0]["error"].startswith("row 1, field 'scenario':")


def test_a_scenario_that_names_a_file_is_refused_without_reading_it(tiny: planner.Network, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: leak\ntitle: SECRET-CONTENT\nchanges: [{close_link: l6}]\n")
    lines = _lines(tiny, f"origin,destination,scenario\na1,c2,{secret}\n")
    assert lines[0]["status"] == "error"
    assert "no bundled scenario is called" in lines[0]["error"]
    assert "SECRET" not in json.dumps(lines)


def test_evaluated_rows_match_plan_routes(tiny: planner.Network) -> None:
    rows = random_rows(300)
    outcomes = evaluate_rows(tiny, read_text_rows(to_csv(rows), "csv"))
    check_results(tiny, rows, read_output("".join(render(outcomes, "jsonl")), "jsonl"))
