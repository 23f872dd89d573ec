"""Every rule of the network file format, broken on purpose.

Each test writes a copy of tests/fixtures/tiny.yaml with one small edit and checks the exception
type and that the message says where (file and line), what (item and field) and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import planner

TINY = (Path(__file__).parent.parent / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")

LINK_L5 = "{id: l5, from: c1, to: c2, mode: road, distance_km: 50, source: TEST}"
PLACE_C2 = """  - id: c2
    name: Gamma City
    country: BB
    lat: 10.0
    lon: 16.5
    kinds: [city]
    source: TEST
"""


def edited(*edits: tuple[str, str]) -> str:
    """Return the tiny fixture with each ``(old, new)`` applied; every ``old`` must occur exactly once."""
    text = TINY
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not unique in tiny.yaml: {old!r}"
        text = text.replace(old, new)
    return text


def write(tmp_path: Path, text: str | bytes, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, snippet: str) -> int:
    """1-based line of the first line containing ``snippet``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if snippet in line:
            return number
    raise AssertionError(f"{snippet!r} not in text")


def invalid(tmp_path: Path, text: str) -> tuple[Path, planner.NetworkValidationError]:
    path = write(tmp_path, text)
    with pytest.raises(planner.NetworkValidationError) as info:
        planner.load_network(path)
    return path, info.value


def file_error(tmp_path: Path, text: str | bytes, **kwargs: int) -> tuple[Path, planner.NetworkFileError]:
    path = write(tmp_path, text)
    with pytest.raises(planner.NetworkFileError) as info:
        planner.load_network(path, **kwargs)
    return path, info.value


def only_issue(
    path: Path, exc: planner.NetworkValidationError, *, line: int, item: str, field: str, expected: str
) -> planner.NetworkIssue:
    """Check that ``exc`` reports exactly one issue, at ``line``, on ``item``/``field``, saying ``expected``."""
    assert len(exc.issues) == 1, str(exc)
    return find_issue(path, exc, line=line, item=item, field=field, expected=expected)


def find_issue(
    path: Path, exc: planner.NetworkValidationError, *, line: int, item: str, field: str, expected: str
) -> planner.NetworkIssue:
    matches = [i for i in exc.issues if i.item == item and i.field == field and expected in i.message]
    assert matches, f"no issue on {item} field {field!r} saying {expected!r} in:\n{exc}"
    issue = matches[0]
    assert issue.path == str(path)
    assert issue.line == line
    rendered = str(exc)
    assert f"{path}:{line}: {item}: field '{field}': " in rendered
    assert expected in rendered
    return issue


# --- the fixture itself ---------------------------------------------------------------------


def test_the_unedited_fixture_loads_without_warnings_about_components(tmp_path: Path) -> None:
    network = planner.load_network(write(tmp_path, TINY))
    assert set(network.places) == {"a1", "a2", "b1", "b2", "c1", "c2"}
    assert not [w for w in network.warnings if "disconnected component of" in w]


# --- ids and references ---------------------------------------------------------------------


def test_a_duplicate_place_id_is_reported_with_the_line_of_the_first_use(tmp_path: Path) -> None:
    dup = PLACE_C2.replace("id: c2", "id: a1").replace("Gamma City", "Second Alpha")
    text = edited((PLACE_C2, PLACE_C2 + dup))
    path, exc = invalid(tmp_path, text)
    issue = only_issue(
        path,
        exc,
        line=line_of(text, "name: Second Alpha") - 1,
        item="place 'a1'",
        field="id",
        expected="duplicate id 'a1'",
    )
    assert f"first used by entry #1, line {line_of(text, 'id: a1')}" in issue.message


def test_a_duplicate_link_id_is_reported_with_the_line_of_the_first_use(tmp_path: Path) -> None:
    text = edited(("{id: l2,", "{id: l1,"))
    path, exc = invalid(tmp_path, text)
    issue = only_issue(
        path, exc, line=line_of(text, "from: a2, to: b1"), item="link 'l1'", field="id", expected="duplicate id 'l1'"
    )
    assert f"line {line_of(text, 'from: a1, to: a2')}" in issue.message


def test_a_link_to_an_unknown_place_names_the_place_and_what_is_expected(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("to: c2", "to: zz")))
    path, exc = invalid(tmp_path, text)
    find_issue(
        path,
        exc,
        line=line_of(text, "{id: l5,"),
        item="link 'l5'",
        field="to",
        expected="unknown place 'zz' (expected the id of a place in this file)",
    )


def test_a_link_from_a_place_to_itself_is_rejected(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("from: c1", "from: c2")))
    path, exc = invalid(tmp_path, text)
    find_issue(path, exc, line=line_of(text, "{id: l5,"), item="link 'l5'", field="to", expected="two different places")


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["0", "-5", "-0.5"])
def test_a_non_positive_distance_is_rejected_as_not_greater_than_zero(tmp_path: Path, bad: str) -> None:
    text = edited((LINK_L5, LINK_L5.replace("distance_km: 50", f"distance_km: {bad}")))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path, exc, line=line_of(text, "{id: l5,"), item="link 'l5'", field="distance_km", expected="greater than 0"
    )


@pytest.mark.parametrize(("bad", "shown"), [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf")])
def test_a_nan_or_infinite_distance_is_rejected_as_not_finite(tmp_path: Path, bad: str, shown: str) -> None:
    text = edited((LINK_L5, LINK_L5.replace("distance_km: 50", f"distance_km: {bad}")))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "{id: l5,"),
        item="link 'l5'",
        field="distance_km",
        expected=f"expected a finite number, got {shown}",
    )


def test_a_distance_given_as_a_boolean_is_not_taken_for_one(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("distance_km: 50", "distance_km: true")))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path, exc, line=line_of(text, "{id: l5,"), item="link 'l5'", field="distance_km", expected="valid number"
    )


@pytest.mark.parametrize("bad", ["-3", "0"])
def test_negative_or_zero_transit_hours_are_rejected(tmp_path: Path, bad: str) -> None:
    text = edited(("transit_hours: {typical: 12, min: 10, max: 20}", f"transit_hours: {bad}"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path, exc, line=line_of(text, "{id: l4,"), item="link 'l4'", field="transit_hours", expected="greater than 0"
    )


def test_a_zero_typical_transit_time_in_a_range_is_rejected(tmp_path: Path) -> None:
    text = edited(("transit_hours: {typical: 12, min: 10, max: 20}", "transit_hours: {typical: 0, max: 20}"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "{id: l4,"),
        item="link 'l4'",
        field="transit_hours.typical",
        expected="greater than 0",
    )


def test_a_latitude_beyond_90_degrees_is_rejected(tmp_path: Path) -> None:
    text = edited(("    lat: 10.0\n    lon: 11.0\n", "    lat: 95.0\n    lon: 11.0\n"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "lat: 95.0"),
        item="place 'a2'",
        field="lat",
        expected="less than or equal to 90, got 95.0",
    )


def test_a_longitude_beyond_180_degrees_is_rejected(tmp_path: Path) -> None:
    text = edited(("lon: 16.5", "lon: -190"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "lon: -190"),
        item="place 'c2'",
        field="lon",
        expected="greater than or equal to -180, got -190",
    )


def test_a_range_whose_min_exceeds_its_typical_value_is_rejected(tmp_path: Path) -> None:
    text = edited(("{typical: 4, min: 2, max: 10}", "{typical: 4, min: 5, max: 10}"))
    path, exc = invalid(tmp_path, text)
    issue = only_issue(
        path,
        exc,
        line=line_of(text, "min: 5"),
        item="place 'a2'",
        field="border.dwell_hours",
        expected="expected min <= typical <= max, got min=5.0, typical=4.0, max=10.0",
    )
    assert issue.message.count("got") == 1


def test_a_range_whose_max_is_below_its_typical_value_is_rejected(tmp_path: Path) -> None:
    text = edited(("{typical: 3, min: 1, max: 5}", "{typical: 3, min: 1, max: 2}"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "max: 2}"),
        item="place 'b1'",
        field="gauge_change.hours",
        expected="expected min <= typical <= max",
    )


# --- enumerations and keys -------------------------------------------------------------------


def test_an_unknown_mode_lists_the_modes_that_exist(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("mode: road", "mode: truck")))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "{id: l5,"),
        item="link 'l5'",
        field="mode",
        expected="expected one of 'rail', 'road' or 'sea', got 'truck'",
    )


def test_an_unknown_place_kind_lists_the_kinds_that_exist(tmp_path: Path) -> None:
    text = edited(("    kinds: [city]\n", "    kinds: [city, harbour]\n"))
    path, exc = invalid(tmp_path, text)
    issue = only_issue(
        path,
        exc,
        line=line_of(text, "harbour"),
        item="place 'c2'",
        field="kinds.1",
        expected="got 'harbour'",
    )
    assert "'seaport'" in issue.message
    assert "'logistics_hub'" in issue.message


def test_a_transshipment_between_a_mode_and_itself_is_rejected(tmp_path: Path) -> None:
    text = edited(("modes: [rail, road]", "modes: [rail, rail]"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "modes: [rail, rail]"),
        item="place 'a1'",
        field="transshipment.0",
        expected="expected two different modes",
    )


def test_a_misspelled_key_is_reported_as_unknown_along_with_the_missing_field(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("distance_km", "distnce_km")))
    path, exc = invalid(tmp_path, text)
    line = line_of(text, "{id: l5,")
    find_issue(path, exc, line=line, item="link 'l5'", field="distnce_km", expected="unknown key (check the spelling")
    find_issue(path, exc, line=line, item="link 'l5'", field="distance_km", expected="required field is missing")
    assert len(exc.issues) == 2


def test_an_unknown_top_level_section_is_named_in_the_message(tmp_path: Path) -> None:
    text = TINY + "extras:\n  - 1\n"
    path, exc = invalid(tmp_path, text)
    assert len(exc.issues) == 1
    issue = exc.issues[0]
    assert (issue.line, issue.item, issue.field) == (line_of(text, "extras:"), None, "extras")
    assert "unknown key" in issue.message
    assert f"{path}:{issue.line}: field 'extras': unknown key" in str(exc)


def test_a_missing_header_field_names_the_network_block(tmp_path: Path) -> None:
    text = edited(("  currency_year: 2024\n", ""))
    path, exc = invalid(tmp_path, text)
    only_issue(path, exc, line=line_of(text, "network:"), item="network", field="currency_year", expected="missing")


# --- corridors -------------------------------------------------------------------------------


def test_a_corridor_whose_consecutive_places_are_not_linked_names_both_places(tmp_path: Path) -> None:
    text = edited(("places: [a1, c2]", "places: [a1, b2]"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "places: [a1, b2]"),
        item="corridor 'direct'",
        field="places",
        expected="consecutive places 'a1' and 'b2' in places are not joined by any link",
    )


def test_a_corridor_naming_an_unknown_place_names_it(tmp_path: Path) -> None:
    text = edited(("places: [a1, c2]", "places: [a1, zz]"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "places: [a1, zz]"),
        item="corridor 'direct'",
        field="places",
        expected="unknown place 'zz' in places",
    )


def test_a_corridor_branch_naming_an_unknown_place_names_the_branch(tmp_path: Path) -> None:
    text = edited(("    places: [a1, c2]\n", "    places: [a1, c2]\n    branches: [[c2, zz]]\n"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "branches:"),
        item="corridor 'direct'",
        field="branches.0",
        expected="unknown place 'zz' in branches.0",
    )


# --- gauges ----------------------------------------------------------------------------------


def test_rail_links_of_two_gauges_meeting_without_a_gauge_change_are_rejected(tmp_path: Path) -> None:
    text = edited(("    gauge_change: {hours: {typical: 3, min: 1, max: 5}, cost_usd_per_teu: 30, source: TEST}\n", ""))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "id: b1"),
        item="place 'b1'",
        field="gauge_change",
        expected="rail links of different gauges meet here (1435 mm: l2, 1520 mm: l3) but the place has no gauge_change",
    )


def test_a_rail_link_without_gauge_mm_is_rejected(tmp_path: Path) -> None:
    text = edited(("mode: rail, gauge_mm: 1520, ", "mode: rail, "))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "{id: l3,"),
        item="link 'l3'",
        field="gauge_mm",
        expected="rail links need gauge_mm (1435 or 1520)",
    )


def test_gauge_mm_on_a_road_link_is_rejected(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("mode: road,", "mode: road, gauge_mm: 1435,")))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "{id: l5,"),
        item="link 'l5'",
        field="gauge_mm",
        expected="gauge_mm only applies to rail links, this is road",
    )


def test_a_gauge_other_than_1435_or_1520_is_rejected(tmp_path: Path) -> None:
    text = edited(("mode: rail, gauge_mm: 1520, ", "mode: rail, gauge_mm: 1000, "))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path, exc, line=line_of(text, "{id: l3,"), item="link 'l3'", field="gauge_mm", expected="1435 or 1520, got 1000"
    )


# --- provenance ------------------------------------------------------------------------------


def test_a_figure_with_no_source_and_no_estimate_is_rejected(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace(", source: TEST", "")))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "{id: l5,"),
        item="link 'l5'",
        field="distance_km",
        expected="figure has no provenance: give 'source' (a sources key) or 'estimate: <reason>'",
    )


def test_an_estimate_on_the_entry_covers_its_bare_figures(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("source: TEST", "estimate: measured on a map")))
    network = planner.load_network(write(tmp_path, text))
    assert network.links["l5"].distance_km.provenance.estimate == "measured on a map"


def test_an_unknown_source_key_on_an_entry_is_rejected(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("source: TEST", "source: NOPE")))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "{id: l5,"),
        item="link 'l5'",
        field="source",
        expected="unknown source 'NOPE' (expected a key of the sources section)",
    )


def test_an_unknown_source_key_on_a_figure_is_rejected(tmp_path: Path) -> None:
    text = edited(("    speed_kmh: {value: 25, source: TEST}", "    speed_kmh: {value: 25, source: [TEST, NOPE]}"))
    path, exc = invalid(tmp_path, text)
    only_issue(
        path,
        exc,
        line=line_of(text, "NOPE"),
        item="modes 'sea'",
        field="speed_kmh.source",
        expected="unknown source 'NOPE'",
    )


def test_a_source_that_is_not_a_key_or_list_of_keys_gives_one_message(tmp_path: Path) -> None:
    text = edited((LINK_L5, LINK_L5.replace("source: TEST", "source: [[TEST]]")))
    path, exc = invalid(tmp_path, text)
    only_issue(path, exc, line=line_of(text, "{id: l5,"), item="link 'l5'", field="source.0", expected="valid string")


# --- YAML that is refused before validation --------------------------------------------------


def test_malformed_yaml_with_an_unclosed_bracket_reports_its_line(tmp_path: Path) -> None:
    text = edited(("kinds: [city, logistics_hub]", "kinds: [city, logistics_hub"))
    path, exc = file_error(tmp_path, text)
    assert exc.path == str(path)
    # the parser notices at the next mapping value after the unclosed flow sequence
    assert exc.line == line_of(text, "kinds: [city, logistics_hub") + 1
    assert str(exc).startswith(f"{path}:{exc.line}: malformed YAML: expected ',' or ']'")


def test_a_yaml_anchor_is_refused_at_its_line(tmp_path: Path) -> None:
    text = edited(
        (
            "    speed_kmh: {value: 50, source: TEST}\n    cost_usd_per_teu_km: {value: 1,",
            "    speed_kmh: &a {value: 50, source: TEST}\n    cost_usd_per_teu_km: {value: 1,",
        )
    )
    path, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "&a")
    assert str(exc) == f"{path}:{exc.line}: YAML anchor '&a' is not allowed (write the value out)"


def test_a_yaml_alias_is_refused_at_its_line(tmp_path: Path) -> None:
    text = edited(("  road:\n    speed_kmh: {value: 50, source: TEST}", "  road:\n    speed_kmh: *a"))
    path, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "*a")
    assert str(exc) == f"{path}:{exc.line}: YAML alias '*a' is not allowed (write the value out)"


def test_a_billion_laughs_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    levels = ['lol: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    path, exc = file_error(tmp_path, "\n".join(levels) + "\n")
    assert exc.line == 1
    assert "YAML anchor '&l0' is not allowed" in str(exc)


def test_a_python_object_tag_is_refused_and_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = edited(('version: "1"', f'version: !!python/object/apply:os.system ["touch {marker}"]'))
    path, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "!!python")
    assert "YAML tag/type 'python/object/apply:os.system' is not allowed" in str(exc)
    assert not marker.exists()


def test_a_custom_yaml_tag_is_refused(tmp_path: Path) -> None:
    text = edited(('version: "1"', "version: !foo bar"))
    path, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "!foo")
    assert str(exc) == f"{path}:{exc.line}: YAML tag/type '!foo' is not allowed (quote the value if it is text)"


@pytest.mark.parametrize("tag", ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]"])
def test_other_yaml_types_are_refused(tmp_path: Path, tag: str) -> None:
    text = edited(('version: "1"', f"version: {tag}"))
    _, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "version:")
    assert "is not allowed" in str(exc)


def test_an_unquoted_date_where_text_is_expected_asks_for_quotes(tmp_path: Path) -> None:
    text = edited(('version: "1"', "version: 2024-01-01"))
    path, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "version:")
    assert str(exc) == (
        f"{path}:{exc.line}: unquoted date/time '2024-01-01' is not allowed (quote it if it is text: \"2024-01-01\")"
    )


def test_the_same_date_quoted_is_accepted_as_text(tmp_path: Path) -> None:
    network = planner.load_network(write(tmp_path, edited(('version: "1"', 'version: "2024-01-01"'))))
    assert network.info.version == "2024-01-01"


def test_an_unquoted_number_where_text_is_expected_is_a_validation_error(tmp_path: Path) -> None:
    text = edited(('version: "1"', "version: 1"))
    path, exc = invalid(tmp_path, text)
    only_issue(path, exc, line=line_of(text, "version:"), item="network", field="version", expected="valid string")


def test_a_duplicate_mapping_key_is_refused_at_the_second_occurrence(tmp_path: Path) -> None:
    text = edited(("    lon: 16.5\n", "    lon: 16.5\n    lon: 16.6\n"))
    path, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "lon: 16.6")
    assert str(exc) == f"{path}:{exc.line}: duplicate key 'lon'"


def test_a_yaml_merge_key_is_refused(tmp_path: Path) -> None:
    text = edited(("    lon: 16.5\n", "    lon: 16.5\n    <<: {note: merged}\n"))
    _, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "<<:")
    assert "mapping keys must be plain scalars" in str(exc)


def test_a_control_character_is_a_file_error_with_its_line(tmp_path: Path) -> None:
    text = edited(("name: Gamma City", "name: Gamma\x00City"))
    path, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "Gamma\x00City")
    assert str(exc) == f"{path}:{exc.line}: malformed YAML: control character U+0000 is not allowed"


def test_an_integer_too_long_to_convert_is_a_file_error_with_its_line(tmp_path: Path) -> None:
    text = edited(("lon: 16.5", "lon: 1" + "0" * 5000))
    _, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "lon: 1000")
    assert "cannot read value" in str(exc)


def test_a_second_yaml_document_is_refused(tmp_path: Path) -> None:
    text = TINY + "---\nnetwork: {}\n"
    _, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "---")
    assert "malformed YAML" in str(exc)


def test_a_deeply_nested_document_is_refused_without_recursion_error(tmp_path: Path) -> None:
    path, exc = file_error(tmp_path, "[" * 10000)
    assert str(exc) == f"{path}:1: YAML nested more than 64 levels deep"


def test_deep_nesting_inside_a_field_is_refused_at_its_line(tmp_path: Path) -> None:
    text = edited(
        ("    name: Gamma City\n", "    name: Gamma City\n    note: " + "{a: " * 500 + "1" + "}" * 500 + "\n")
    )
    _, exc = file_error(tmp_path, text)
    assert exc.line == line_of(text, "note:")
    assert "nested more than 64 levels deep" in str(exc)


# --- the file itself -------------------------------------------------------------------------


def test_a_file_over_the_size_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    path, exc = file_error(tmp_path, TINY, max_bytes=100)
    size = path.stat().st_size
    assert exc.line is None
    assert str(exc) == f"{path}: file is {size} bytes, over the 100-byte cap"


def test_the_default_size_cap_is_four_mebibytes(tmp_path: Path) -> None:
    path, exc = file_error(tmp_path, TINY + "#" * (4 * 1024 * 1024))
    assert f"over the {4 * 1024 * 1024}-byte cap" in str(exc)
    assert exc.path == str(path)


def test_a_file_that_is_not_utf8_is_refused_with_the_byte_offset(tmp_path: Path) -> None:
    data = TINY.replace("Альфа", "Alfa").replace("Gamma City", "G\xe4mma City").encode("latin-1")
    offset = data.index(b"\xe4")
    path, exc = file_error(tmp_path, data)
    assert str(exc) == f"{path}: not UTF-8 text (byte {offset})"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file_is_refused(tmp_path: Path, text: str) -> None:
    path, exc = file_error(tmp_path, text)
    assert str(exc) == f"{path}: the file is empty"


@pytest.mark.parametrize("text", ["- network\n- places\n", "just text\n", "~\n", "42\n"])
def test_a_document_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    path, exc = file_error(tmp_path, text)
    assert exc.line == 1
    assert str(exc) == f"{path}:1: expected a mapping with network, modes, places, links, corridors"


def test_a_missing_file_is_a_file_error_that_is_also_an_oserror(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(planner.NetworkFileError) as info:
        planner.load_network(path)
    assert isinstance(info.value, OSError)
    assert str(info.value) == f"{path}: cannot read file: No such file or directory"


def test_a_directory_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(planner.NetworkFileError, match="cannot read file"):
        planner.load_network(tmp_path)


# --- warnings and reporting every error ------------------------------------------------------


def test_a_disconnected_component_is_only_a_warning_and_the_file_still_loads(tmp_path: Path) -> None:
    island = PLACE_C2.replace("id: c2", "id: z1").replace("Gamma City", "Island")
    network = planner.load_network(write(tmp_path, edited((PLACE_C2, PLACE_C2 + island))))
    assert "z1" in network.places
    [warning] = [w for w in network.warnings if "disconnected component of" in w]
    assert "disconnected component of 1 place(s)" in warning
    assert "z1" in warning


def test_a_place_cut_off_except_by_planned_links_is_a_warning(tmp_path: Path) -> None:
    text = edited(
        (LINK_L5, LINK_L5.replace("{id: l5,", "{id: l5, status: planned,")),
        ("  - {id: l6, from: a1, to: c2, mode: road, distance_km: 1000, source: TEST}\n", ""),
        ("places: [a1, c2]", "places: [a1, a2]"),
    )
    network = planner.load_network(write(tmp_path, text))
    assert any("disconnected component of 1 place(s)" in w and "c2" in w for w in network.warnings)


def test_a_link_across_a_border_without_border_blocks_is_a_warning(tmp_path: Path) -> None:
    network = planner.load_network(write(tmp_path, TINY))
    [warning] = [w for w in network.warnings if "'a1' has no border block" in w]
    assert "link 'l6'" in warning
    assert "AA->BB" in warning


def test_a_file_with_two_independent_errors_reports_both_and_returns_nothing(tmp_path: Path) -> None:
    text = edited(
        (LINK_L5, LINK_L5.replace("distance_km: 50", "distance_km: 0")),
        ("lon: 16.5", "lon: 190"),
    )
    path = write(tmp_path, text)
    result: planner.Network | None = None
    with pytest.raises(planner.NetworkValidationError) as info:
        result = planner.load_network(path)
    assert result is None
    exc = info.value
    assert len(exc.issues) == 2
    assert str(exc).startswith("2 error(s) in network file:\n")
    find_issue(path, exc, line=line_of(text, "lon: 190"), item="place 'c2'", field="lon", expected="180")
    find_issue(path, exc, line=line_of(text, "{id: l5,"), item="link 'l5'", field="distance_km", expected="than 0")


def test_errors_of_the_cross_entry_rules_are_all_reported_together(tmp_path: Path) -> None:
    text = edited(
        (LINK_L5, LINK_L5.replace("source: TEST", "source: NOPE")),
        ("places: [a1, c2]", "places: [a1, zz]"),
        ("mode: rail, gauge_mm: 1520, ", "mode: rail, "),
    )
    path, exc = invalid(tmp_path, text)
    assert len(exc.issues) == 3
    assert {(i.item, i.field) for i in exc.issues} == {
        ("link 'l5'", "source"),
        ("corridor 'direct'", "places"),
        ("link 'l3'", "gauge_mm"),
    }
    assert all(i.path == str(path) and i.line for i in exc.issues)


def test_validation_errors_are_value_errors_and_network_errors(tmp_path: Path) -> None:
    _, exc = invalid(tmp_path, edited(("lon: 16.5", "lon: 190")))
    assert isinstance(exc, ValueError)
    assert isinstance(exc, planner.NetworkError)
    assert exc.code == "network_invalid"
