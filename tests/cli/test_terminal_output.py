"""Tables that fit the terminal: widths, ``--wide``, one route table with or without a scenario, units as given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import TINY, run, run_in_terminal, table_rows, widest, words

# At 100 columns the route table leaves out the corridors and km (in that order) to keep the path at least
# 24 characters wide; the border points are in the shortened path (and their own column with --wide).
ROUTE_HEADER_100 = ["#", "typical", "d", "P50", "d", "P90", "d", "range", "d", "USD", "kg", "CO2e", "borders", "trans", "via"]

# Doubles road tariffs and holds every arrival at Gamma City for a day: on the tiny network both routes by
# cost keep their paths; the southern one (50 km of road, 100 USD) costs 100 USD more, the direct road
# (1,000 km, 2,000 USD) 2,000 more, and each arrives 24 h = 1.0 d later.
TINY_SCENARIO = """\
name: tiny_slow_road
title: Road tariffs doubled, a day's delay at Gamma City
changes:
  - multiply_tariff: {mode: road, factor: 2}
  - add_delay: {place: c2, hours: 24}
"""


@pytest.fixture
def columns_100(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")


@pytest.mark.usefixtures("columns_100")
@pytest.mark.parametrize(
    "args",
    [
        ["route", "Xi'an", "Tashkent"],
        ["route", "Chongqing", "Duisburg", "--service", "express", "--departure-date", "2025-03-08"],
        ["route", "Urumqi", "Tbilisi", "--modes", "rail,sea", "--month", "12", "--k", "1", "--legs"],
        ["route", "Kashgar", "Tashkent", "--rank", "cost", "--scenario", "cku_opened", "--legs"],
        ["compare", "Xi'an", "Istanbul"],
        ["compare", "Kashgar", "Tashkent", "--corridor", "cku", "--rank", "cost", "--scenario", "cku_opened"],
        ["places"],
        ["corridors"],
        ["scenarios"],
        ["scenarios", "red_sea_closed"],
        ["corridors", "northern"],
        ["network", "info"],
        ["validate-data"],
        ["assign", "uz_kz_2030", "--method", "fw"],
    ],
    ids=lambda a: " ".join(a),
)
def test_every_table_fits_100_columns(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    out = run(capsys, *args)
    assert widest(out) <= 100, max(out.splitlines(), key=len)
    assert "\x1b" not in out  # not a terminal: no escape codes


def test_xian_tashkent_at_100_columns_keeps_every_figure_and_the_border_points(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run(capsys, "route", "Xi'an", "Tashkent")
    routes = json.loads(run(capsys, "route", "Xi'an", "Tashkent", "--json"))["routes"]
    assert widest(out) <= 100
    assert out.splitlines()[2].split() == ROUTE_HEADER_100
    first = [row for row in table_rows(out) if row[0] in ("1", "2", "3")]
    assert [row[0] for row in first] == ["1", "2", "3"]
    for row, route in zip(first, routes, strict=True):
        assert row[1:4] == [f"{route[k] / 24:.1f}" for k in ("transit_hours", "transit_hours_p50", "transit_hours_p90")]
        assert row[5] == f"{route['cost_usd']:,.0f}"
        assert row[6] == f"{route['co2e_kg']:,.0f}"
    # The path is shortened to its ends, border points and changes of mode, wrapped over lines of its column.
    text = words(out)
    assert "xian > … > horgos_cn > altynkol > … > saryagash > keles > tashkent" in text
    assert "irkeshtam" in text
    assert "alashankou > dostyk" in text
    assert "(left out to fit 100 columns: corridors, km;" in text
    assert "--wide shows every column)" in text


def test_wide_prints_every_column_and_the_whole_path_on_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run(capsys, "route", "Xi'an", "Tashkent", "--k", "1", "--wide")
    lines = out.splitlines()
    assert lines[2].split()[-3:] == ["at", "corridors", "via"]
    (row,) = [line for line in lines if line.startswith("1 ")]
    assert row.endswith(
        "xian > lanzhou > urumqi > jinghe > horgos_cn > altynkol > zhetygen > almaty > shu > taraz > shymkent > "
        "arys > saryagash > keles > tashkent"
    )
    assert "horgos_cn/altynkol, saryagash/keles" in row
    assert widest(out) > 100
    assert "left out" not in out


def test_without_a_terminal_or_columns_tables_take_100_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    out = run(capsys, "route", "Xi'an", "Tashkent")
    assert widest(out) <= 100
    assert "(left out to fit 100 columns" in out


@pytest.mark.parametrize(
    ("width", "left_out"),
    [(80, "corridors, km, range d"), (132, "corridors"), (200, None)],
)
def test_columns_sets_the_width_and_the_narrower_the_more_columns_are_left_out(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int, left_out: str | None
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    out = run(capsys, "route", "Urumqi", "Tbilisi", "--modes", "rail,sea", "--k", "1", "--legs")
    assert widest(out) <= width
    # Border points are shown by the path (and with --wide); corridors go first, then km and the range.
    if left_out is None:
        assert "left out" not in out
    else:
        assert f"(left out to fit {width} columns: {left_out}; --wide shows every column)" in words(out)


def test_on_a_terminal_the_table_takes_its_width_and_the_header_is_bold() -> None:
    code, out = run_in_terminal(
        ["route", "alpha", "gamma city", "--k", "3", "--max-stretch", "10", "--network", TINY], columns=90
    )
    assert code == 0, out
    assert "\x1b[1m#" in out  # bold header
    plain = out.replace("\x1b[1m", "").replace("\x1b[0m", "").replace("\r", "")
    assert widest(plain) <= 90
    assert "(left out to fit 90 columns" in plain


def test_on_a_terminal_a_batch_draws_a_progress_bar(tmp_path: Path) -> None:
    source = tmp_path / "pairs.csv"
    source.write_text("origin,destination\n" + "alpha,gamma city\nb1,c2\n" * 500, encoding="utf-8")
    out_file = tmp_path / "results.csv"
    code, out = run_in_terminal(
        ["batch", str(source), "-o", str(out_file), "--network", TINY, "--workers", "1", "--chunk-rows", "100"],
        columns=100,
    )
    assert code == 0, out
    assert "1000/1000" in out
    assert "100%" in out
    assert "batch: 1,000/1,000 rows" not in out  # the plain lines are for logs, not terminals
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 1001


def test_json_is_the_same_at_any_width_and_carries_no_escape_codes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = []
    for width in ("40", "300"):
        monkeypatch.setenv("COLUMNS", width)
        outputs.append(run(capsys, "route", "Xi'an", "Tashkent", "--json"))
        outputs.append(run(capsys, "compare", "Xi'an", "Istanbul", "--corridor", "titr", "--json"))
    assert outputs[0] == outputs[2]
    assert outputs[1] == outputs[3]
    assert "\x1b" not in "".join(outputs)
    assert json.loads(outputs[0])["routes"][0]["places"][0] == "xian"


def test_route_with_a_scenario_uses_the_route_table_with_scenario_and_change_rows(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    scenario = tmp_path / "slow.yaml"
    scenario.write_text(TINY_SCENARIO, encoding="utf-8")
    args = ["route", "alpha", "gamma city", "--rank", "cost", "--k", "2", "--max-stretch", "10", "--network", TINY]
    plain = run(capsys, *args)
    out = run(capsys, *args, "--scenario", str(scenario))
    assert "baseline vs scenario tiny_slow_road (Road tariffs doubled, a day's delay at Gamma City)" in out
    # The same columns as without the scenario.
    assert out.splitlines()[2].split() == plain.splitlines()[2].split()
    assert out.splitlines()[2].split()[-3:] == ["trans", "corridors", "via"]
    rows = table_rows(out)
    assert [r[:7] for r in rows] == [
        ["1", "3.8", "4.0", "5.1", "1.6-6.7", "740", "132"],
        ["scenario", "4.8", "5.0", "6.1", "2.6-7.7", "840", "132"],
        ["change", "+1.0", "+1.0", "+1.0", "+100", "+0", "+0"],
        ["2", "0.8", "0.8", "0.8", "0.8-0.8", "2,000", "800"],
        ["scenario", "1.8", "1.8", "1.8", "1.8-1.8", "4,000", "800"],
        ["change", "+1.0", "+1.0", "+1.0", "+2,000", "+0", "+0"],
    ]
    assert rows[2][-2:] == ["same", "path"]
    assert " ".join(rows[0]).endswith("3 south 100% a1 > a2 > b1 > b2 > c1 > c2")
    assert " ".join(rows[4]).endswith("0 direct 100% a1 > c2")


def test_route_with_a_scenario_says_what_became_of_each_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run(capsys, "route", "Kashgar", "Tashkent", "--rank", "cost", "--scenario", "cku_opened")
    data = json.loads(run(capsys, "route", "Kashgar", "Tashkent", "--rank", "cost", "--scenario", "cku_opened", "--json"))
    base, new = data["baseline"]["routes"], data["routes"]
    rows = table_rows(out)
    labels = [r[0] for r in rows if r[0] in ("1", "2", "3", "scenario", "change")]
    assert labels[:3] == ["1", "scenario", "change"]
    change = next(r for r in rows if r[0] == "change")
    assert change[1] == f"{(new[0]['transit_hours'] - base[0]['transit_hours']) / 24:+.1f}"
    assert change[4] == f"{new[0]['cost_usd'] - base[0]['cost_usd']:+,.0f}"
    text = words(out)
    # The opened line is the new best path; today's best becomes the second route under the scenario.
    assert "new path" in text
    assert "path of route 1 before" in text
    assert "appears: kashgar > makmal > jalalabad" in text
    assert widest(out) <= 100


def test_compare_lists_reasons_below_the_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run(capsys, "compare", "Xi'an", "Istanbul")
    rows = {r[0]: r for r in table_rows(out)}
    assert rows["cku"][1:4] == ["-", "-", "-"]
    assert rows["cku"][-3:] == ["route,", "see", "below"]
    assert "cku: no route from Xi'an to Istanbul on the China–Kyrgyzstan–Uzbekistan railway" in words(out)


@pytest.mark.parametrize(
    ("args", "echo"),
    [
        (["--tonnes", "25"], "25 t of bulk"),
        (["--teu", "3"], "3 TEU (20ft)"),
        (["--container", "40ft"], "1 x 40ft (2 TEU)"),
        (["--teu", "4", "--container", "40hc"], "2 x 40hc (4 TEU)"),
        ([], "1 TEU (20ft)"),
    ],
)
def test_the_shipment_is_echoed_in_the_units_it_was_given(
    capsys: pytest.CaptureFixture[str], args: list[str], echo: str
) -> None:
    route = run(capsys, "route", "Xi'an", "Tashkent", "--k", "1", *args)
    assert route.splitlines()[0] == f"Xi'an -> Tashkent, ranked by time, {echo}, scheduled service"


def test_compare_echoes_the_shipment_and_the_service(capsys: pytest.CaptureFixture[str]) -> None:
    compared = run(capsys, "compare", "Xi'an", "Tashkent", "--corridor", "titr", "--service", "express", "--tonnes", "25")
    assert compared.splitlines()[0] == "Xi'an -> Tashkent: corridors compared by time, 25 t of bulk, express service"


def test_legs_fit_and_keep_each_event_with_its_hours(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = run(capsys, "route", "alpha", "gamma city", "--rank", "cost", "--k", "1", "--legs", "--network", TINY)
    assert widest(out) <= 80
    legs = out[out.index("route 1, scheduled service:") :]
    lines = [line.split() for line in legs.splitlines()]
    # mode, km, running hours, leg hours with its events, range, USD, then the leg's places and link
    assert ["rail", "1435", "100", "2.0", "2.0", "2-2", "100", "Alpha", ">", "Alpha"] in [line[:10] for line in lines]
    assert ["sea", "300", "12.0", "64.0", "15-124", "200", "Beta", "Port", ">", "Gamma"] in [line[:10] for line in lines]
    assert "Alpha > Alpha Border (link l1)" in words(legs)
    assert any(line[:4] == ["gauge_change", "3.0", "1-5", "30"] for line in lines)
    assert any(line[:4] == ["wait", "42.0", "0-84", "0"] for line in lines)
    assert any(line[:6] == ["border", "leaving", "AA", "4.0", "2-10", "20"] for line in lines)
    assert "wait for a departure at Beta Port (2 per week)" in words(legs)
