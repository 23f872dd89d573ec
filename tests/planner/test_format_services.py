"""The network format's service levels, directions, timetables, queues and seasons, broken on purpose.

Each case edits tests/fixtures/services.yaml once and checks that the error names the line, the item,
the field and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import planner

SERVICES = (Path(__file__).resolve().parent.parent / "fixtures" / "services.yaml").read_text(encoding="utf-8")


def _issue(old: str, new: str) -> planner.NetworkIssue:
    assert SERVICES.count(old) == 1, old
    text = SERVICES.replace(old, new)
    with pytest.raises(planner.NetworkValidationError) as caught:
        planner.parse_network(text, path="s.yaml")
    [issue] = caught.value.issues
    line = next(n for n, content in enumerate(text.splitlines(), start=1) if new.splitlines()[0].strip() in content)
    assert issue.line == line
    return issue


@pytest.mark.parametrize(
    ("old", "new", "item", "field", "expected"),
    [
        (
            "express: {value: 2, weekdays: [mon, thu]}",
            "express: {value: 2, weekdays: [mon]}",
            "link 'r1'",
            "departures_per_week.express",
            "weekdays lists 1 day(s) but value is 2 departures per week",
        ),
        (
            "express: {value: 2, weekdays: [mon, thu]}",
            "express: {value: 2, weekdays: [mon, thursday]}",
            "link 'r1'",
            "departures_per_week.express.weekdays.1",
            "expected one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun', got 'thursday'",
        ),
        ("season: storms", "season: monsoon", "link 's1'", "season", "unknown season 'monsoon' (expected a key of the seasons section: storms)"),
        (
            "entering: {express: 2, scheduled: 3, standard: 9}",
            "entering: {express: 2, scheduled: 3}",
            "place 'x1'",
            "border.dwell_hours.entering.standard",
            "required field is missing",
        ),
        (
            "fee_usd_per_teu: {entering: 30, leaving: 10}",
            "fee_usd_per_teu: {entering: 30}",
            "place 'x1'",
            "border.fee_usd_per_teu.leaving",
            "required field is missing",
        ),
        (
            "road: {dwell_hours: 0.5, fee_usd_per_teu: 1}",
            "road: {}",
            "place 'x1'",
            "border.road",
            "give dwell_hours, fee_usd_per_teu or both for this mode",
        ),
        (
            "queue_hours: {express: 0, scheduled: {typical: 6, min: 0, max: 24}, standard: {typical: 24, min: 6, max: 72}}",
            "queue_hours: {entering: 3, leaving: 4}",
            "link 's1'",
            "queue_hours",
            "a mapping by service level ({express, scheduled, standard}) here",
        ),
        (
            "    dec: {typical: 24, min: 0, max: 72}",
            "    december: {typical: 24, min: 0, max: 72}",
            "seasons 'storms'",
            "december",
            "unknown key",
        ),
    ],
)
def test_a_broken_service_figure_is_reported_where_it_is(old: str, new: str, item: str, field: str, expected: str) -> None:
    issue = _issue(old, new)
    assert (issue.item, issue.field) == (item, field)
    assert expected in issue.message


def test_a_figure_inside_a_level_mapping_needs_provenance_from_somewhere() -> None:
    issue = _issue("    source: T\n    dec:", "    dec:")
    assert issue.field == "dec"
    assert "no provenance" in issue.message


def test_a_plain_figure_holds_for_every_level_and_direction(tiny: planner.Network) -> None:
    border = tiny.places["a2"].border
    assert border is not None
    for direction in planner.BorderDirection:
        for level in planner.ServiceLevel:
            dwell = border.for_mode(planner.Mode.RAIL).dwell(direction, level)
            assert (dwell.min, dwell.typical, dwell.max) == (2.0, 4.0, 10.0)


def test_a_scenario_sets_a_border_dwell_by_level_for_every_mode_of_the_post() -> None:
    network = planner.parse_network(SERVICES)
    scenario = planner.parse_scenario(
        {"name": "t", "title": "T", "changes": [{"set_border_dwell": {"place": "x1", "hours": {"express": 1, "scheduled": 2, "standard": 3}}}]},
        network,
    )
    border = planner.apply_scenario(network, scenario).places["x1"].border
    assert border is not None
    for mode in (planner.Mode.RAIL, planner.Mode.ROAD):
        controls = border.for_mode(mode)
        assert [controls.dwell(planner.BorderDirection.LEAVING, level).typical for level in planner.ServiceLevel] == [1, 2, 3]
        assert controls.fee(planner.BorderDirection.LEAVING) == network.places["x1"].border.for_mode(mode).fee(planner.BorderDirection.LEAVING)  # type: ignore[union-attr]
