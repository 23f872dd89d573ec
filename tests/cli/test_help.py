"""``--help`` of every command and sub-command: what options mean, examples, and it fits the terminal."""

from __future__ import annotations

import argparse

import pytest

import planner
from corridor_cli.main import build_parser, main
from planner import Rank
from planner.batch import COLUMNS_IN, COLUMNS_OUT


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((*prefix, name))
                found += _commands(sub, (*prefix, name))
    return found


COMMANDS = _commands(build_parser())


def help_of(capsys: pytest.CaptureFixture[str], *command: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_every_command_the_issue_names_is_there() -> None:
    assert {c[0] for c in COMMANDS} >= {
        "route", "compare", "batch", "places", "corridors", "scenarios", "network", "validate-data", "serve"
    }  # fmt: skip
    assert {c for c in COMMANDS if c[0] == "network"} == {
        ("network",), ("network", "validate"), ("network", "info"), ("network", "export")
    }  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("width", [80, 100])
def test_every_command_has_a_description_and_examples_that_fit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    text = help_of(capsys, *command)
    assert "\nexample:\n" in text or "\nexamples:\n" in text
    examples = text[text.index("\nexample") :]
    assert f"corridor {' '.join(command)}" in examples
    description = text.split("\n\n")[1]
    assert len(description.split()) >= 12, description
    long = [line for line in text.splitlines() if len(line) > width]
    assert not long


def test_the_top_level_help_lists_the_commands_and_explains_widths_and_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for name in ("route", "compare", "batch", "places", "corridors", "scenarios", "serve", "validate-data"):
        assert f"\n    {name}" in text
    assert "COLUMNS" in text
    assert "--wide" in text
    assert "exit codes: 0" in text


def test_route_help_explains_each_rank_in_one_entry_with_its_unit(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "route")
    ranks = text[text.index("ranks (--rank):") :].split("\n\n")[0].splitlines()[1:]
    entries: dict[str, str] = {}
    for line in ranks:  # an entry is "  rank  text", continued on lines indented further
        if line.startswith("   "):
            entries[list(entries)[-1]] += " " + line.strip()
        else:
            entries[line.split()[0]] = " ".join(line.split()[1:])
    assert list(entries) == [r.value for r in Rank]
    assert "hours" in entries["time"]
    assert "transit_hours" in entries["time"]
    assert "USD" in entries["cost"]
    assert "(cost_usd)" in entries["cost"]
    assert "kg CO2e" in entries["co2e"]
    assert "USD + value of time" in entries["generalized"]
    assert "15 USD per TEU-hour" in entries["generalized"]
    assert "P90 hours" in entries["reliable"]
    assert "hours, USD and kg CO2e at once" in entries["pareto"]


def test_route_help_explains_service_levels_boxes_and_the_time_columns(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "route")
    for words in (
        "express: priority block trains",
        "scheduled: regular block trains",
        "standard: ordinary wagonload",
        "20ft (default), 40ft or 40hc (40ft high-cube)",
        "a 40ft or 40hc",
        "--tonnes N       N tonnes of bulk",
        "typical d  the sum of every part's most likely time",
        "P90 d      the time nine shipments in ten beat",
    ):
        assert words in text, words


def test_compare_help_leaves_out_pareto_which_compare_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "compare")
    ranks = text[text.index("ranks (--rank):") :].split("\n\n")[0]
    assert "  reliable " in ranks
    assert "pareto" not in ranks
    assert "gen. USD   the generalized cost" in text


def test_batch_help_names_every_input_and_output_column(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "batch")
    inputs = text[text.index("input columns") : text.index("output columns")]
    named = {line.split()[0] for line in inputs.splitlines()[1:] if line.startswith("  ") and line.split()}
    assert named | {"teu", "tonnes"} >= set(COLUMNS_IN)
    assert "teu | tonnes" in inputs
    outputs = " ".join(text[text.index("output columns") :].split())
    assert ", ".join(COLUMNS_OUT) in outputs


def test_assign_help_names_every_bundled_demand_set(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "assign")
    for demand_set in planner.bundled_demand_sets():
        assert demand_set.name in text
