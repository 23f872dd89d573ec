"""Capacity figures in the network format, their conversion to yearly TEU-equivalents, and demand rows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import planner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
L1 = "  - {id: l1, from: a1, to: a2, mode: rail, gauge_mm: 1435, distance_km: 100, source: TEST}\n"


def with_link_capacity(capacity: str) -> str:
    return TINY.replace(L1, L1[:-2] + f", capacity: {capacity}}}\n")


def capacity_of(**fields: object) -> planner.Capacity:
    figures = {k: planner.Figure(float(v), planner.Provenance(("TEST",))) for k, v in fields.items()}  # type: ignore[arg-type]
    return planner.Capacity(**figures)  # type: ignore[arg-type]


def test_trains_times_teu_per_train_is_a_yearly_teu_capacity() -> None:
    found = planner.throughput(capacity_of(trains_per_day=20, teu_per_train=104))
    assert found.teu_eq_per_year == pytest.approx(20 * 104 * 365)
    assert found.services_per_day == 20
    assert found.text == "20 trains/day x 104 TEU"


def test_wagons_and_trucks_turn_into_teu_equivalents_with_the_documented_loads() -> None:
    ferry = planner.throughput(capacity_of(sailings_per_week=3.5, wagons_per_sailing=56), mode=planner.Mode.SEA)
    assert ferry.teu_eq_per_year == pytest.approx(3.5 / 7 * 56 * 104 / 70 * 365)
    assert ferry.services_per_day == pytest.approx(0.5)
    road = planner.throughput(capacity_of(trucks_per_day=300, operating_days_per_year=250), mode=planner.Mode.ROAD)
    assert road.teu_eq_per_year == pytest.approx(300 * 2 * 250)
    port = planner.throughput(capacity_of(tonnes_per_year=15e6))
    assert port.tonnes_per_year == 15e6
    assert port.teu_eq_per_year is None
    trains_only = planner.throughput(capacity_of(trains_per_day=36), gauge_mm=1520)
    assert trains_only.teu_eq_per_year == pytest.approx(36 * 104 * 365)


def test_cargo_classes_convert_tonnes_to_load_units() -> None:
    grain = planner.cargo_class("bulk_grain")
    teu, tonnes = grain.units(teu_per_year=None, tonnes_per_year=70_500)
    assert tonnes == 70_500
    assert teu == pytest.approx(1000 * 104 / 70)  # 1,000 hopper wagons of 70.5 t, 1.486 TEU-eq each
    teu, tonnes = planner.cargo_class("container").units(teu_per_year=100, tonnes_per_year=None)
    assert (teu, tonnes) == (100, 1200)  # 12 t per TEU
    teu, _ = planner.cargo_class("container").units(teu_per_year=None, tonnes_per_year=1200)
    assert teu == pytest.approx(100)
    with pytest.raises(ValueError, match="unknown cargo class 'sand'"):
        planner.cargo_class("sand")


def test_a_link_capacity_loads_with_its_provenance() -> None:
    network = planner.parse_network(with_link_capacity("[{trains_per_day: 8, teu_per_train: 104, direction: reverse, source: TEST}]"))
    (figure,) = network.links["l1"].capacity
    assert figure.direction is planner.CapacityDirection.REVERSE
    assert figure.trains_per_day is not None
    assert figure.trains_per_day.provenance.sources == ("TEST",)
    assert network.graph.edges["a1", "a2", "l1"]["capacity"] == (figure,)


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ("{trains_per_day: 8, teu_per_day: 100, source: TEST}", "exactly one rate"),
        ("{teu_per_sailing: 100, source: TEST}", "needs the link's departures_per_week"),
        ("{teu_per_train: 100, source: TEST}", "exactly one rate"),
        ("{trains_per_day: 8, teu_per_sailing: 100, source: TEST}", "does not go with trains_per_day"),
        ("{teu_per_day: 100, direction: inbound, source: TEST}", "'inbound' is for border places"),
        ("{teu_per_day: 100}", "figure has no provenance"),
        ("{teu_per_day: -1, source: TEST}", "greater than 0"),
        ("{teu_per_dya: 1, source: TEST}", "unknown key"),
    ],
)
def test_a_bad_capacity_figure_is_refused_naming_the_link_and_field(capacity: str, message: str) -> None:
    with pytest.raises(planner.NetworkValidationError, match=message) as caught:
        planner.parse_network(with_link_capacity(capacity), path="net.yaml")
    assert "link 'l1'" in str(caught.value)
    assert any(issue.field and issue.field.startswith("capacity") for issue in caught.value.issues)


def test_a_yard_capacity_needs_a_gauge_change_block() -> None:
    text = TINY.replace(
        "    border: {dwell_hours: {typical: 4, min: 2, max: 10}, fee_usd_per_teu: 20, source: TEST}\n",
        "    border: {dwell_hours: {typical: 4, min: 2, max: 10}, fee_usd_per_teu: 20, source: TEST}\n"
        "    capacity: {gauge_change: {teu_per_day: 5, source: TEST}, border: {teu_per_day: 5, direction: forward, source: TEST}}\n",
    )
    with pytest.raises(planner.NetworkValidationError) as caught:
        planner.parse_network(text, path="net.yaml")
    text_of = str(caught.value)
    assert "place 'a2': field 'capacity.gauge_change'" in text_of
    assert "no gauge_change block" in text_of
    assert "'forward' is for links" in text_of


CSV = """origin,destination,cargo,teu_per_year,tonnes_per_year
tashkent,almaty,container,100,
Almaty,Tashkent,bulk_grain,,70500
tashkent,nowhere,container,5,
tashkent,almaty,sand,5,
tashkent,almaty,container,-3,
tashkent,almaty,container,,
tashkent,tashkent,container,1,
"""


def test_bad_demand_rows_get_an_error_each_and_good_rows_are_converted(eurasia: planner.Network) -> None:
    rows = list(planner.parse_demand(io.StringIO(CSV), "csv"))
    assert [r.error is None for r in rows] == [True, True, True, False, False, False, True]
    assert rows[3].error is not None
    assert "row 4, field 'cargo'" in rows[3].error
    assert rows[4].error is not None
    assert "row 5, field 'teu_per_year'" in rows[4].error
    assert rows[5].error is not None
    assert "give teu_per_year, tonnes_per_year or both" in rows[5].error
    with pytest.raises(planner.DemandError) as caught:
        planner.read_demand(rows, eurasia)
    errors = caught.value.errors
    assert len(errors) == 5
    assert errors[0].startswith("row 3, field 'destination': unknown place 'nowhere'")
    assert errors[-1] == "row 7, field 'destination': the same place as the origin (tashkent)"
    demand = planner.read_demand(rows[:2], eurasia)
    assert [(f.origin, f.destination) for f in demand.flows] == [("tashkent", "almaty"), ("almaty", "tashkent")]
    assert demand.flows[1].teu_eq_per_year == pytest.approx(1000 * 104 / 70)


def test_demand_input_past_its_bounds_is_refused_before_parsing() -> None:
    with pytest.raises(planner.InvalidRequestError, match="unknown column 'teus'"):
        list(planner.parse_demand(io.StringIO("origin,destination,teus\na,b,1\n"), "csv"))
    with pytest.raises(planner.InvalidRequestError, match="longer than"):
        list(planner.parse_demand(io.StringIO("origin,destination\n" + "a" * 70_000 + ",b\n"), "csv"))


def test_every_bundled_demand_set_loads_on_the_bundled_network(eurasia: planner.Network) -> None:
    names = {s.name for s in planner.bundled_demand_sets()}
    assert names == {"uz_kz_2024", "uz_kz_2030", "transit_2024"}
    demand = planner.load_demand("uz_kz_2030", eurasia)
    assert len(demand.flows) == 439
    assert demand.tonnes_per_year == pytest.approx(29.33e6, rel=0.01)
    base = planner.load_demand("uz_kz_2024", eurasia)
    assert demand.tonnes_per_year / base.tonnes_per_year == pytest.approx(10_000 / 4_270, rel=0.01)
