"""/v1/routes and /v1/compare with service levels, container types, departure dates and months."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import TestClient, assert_problem, started, tiny_settings

SERVICES = Path(__file__).resolve().parent.parent / "fixtures" / "services.yaml"


@pytest.fixture(scope="module")
def services() -> Iterator[TestClient]:
    """A server on the service-level fixture network (tests/planner/test_services.py has its arithmetic)."""
    yield from started(tiny_settings(network=SERVICES))


def test_get_routes_prices_each_service_level_and_echoes_it(services: TestClient) -> None:
    hours = {}
    for service in ("express", "scheduled", "standard"):
        response = services.get("/v1/routes", params={"from": "o1", "to": "d1", "k": 1, "modes": "rail,sea", "service": service})
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["request"]["service"] == service
        assert data["routes"][0]["service"] == service
        hours[service] = data["routes"][0]["transit_hours"]
    assert hours == {"express": 146.2, "scheduled": 137.2, "standard": 233.2}


def test_post_routes_with_a_date_answers_arrival_dates_and_directional_borders(services: TestClient) -> None:
    body = {"origin": "o1", "destination": "d1", "k": 1, "modes": ["rail", "sea"], "service": "express", "departure_date": "2025-03-04"}
    data = services.post("/v1/routes", json=body).json()
    route = data["routes"][0]
    assert data["request"]["departure_date"] == "2025-03-04"
    assert data["request"]["month"] == 3
    assert route["arrival_date"]["departure"] == "2025-03-04"
    assert route["arrival_date"]["typical"] == "2025-03-10"
    assert route["arrival_date"]["p50"] <= route["arrival_date"]["p90"]
    borders = [e for leg in route["legs"] for e in leg["events"] if e["type"] == "border"]
    assert [(e["place"], e["direction"]) for e in borders[:2]] == [("x1", "leaving"), ("y1", "entering")]


def test_a_40ft_box_and_bulk_tonnes_are_priced_per_unit(services: TestClient) -> None:
    box = services.get("/v1/routes", params={"from": "o1", "to": "d1", "k": 1, "modes": "rail,sea", "container": "40ft"}).json()
    assert box["request"]["container"] == "40ft"
    assert box["request"]["teu"] == 2
    assert box["routes"][0]["cost_usd"] == 1138.0
    bulk = services.post("/v1/routes", json={"origin": "o1", "destination": "d1", "k": 1, "modes": ["rail", "sea"], "tonnes": 130}).json()
    assert bulk["request"]["container"] is None
    assert {u["mode"]: u["units"] for u in bulk["request"]["load_units"]} == {"rail": 3, "road": 7, "sea": 6}


def test_compare_takes_the_same_options(services: TestClient) -> None:
    response = services.get("/v1/compare", params={"from": "o1", "to": "d1", "service": "standard", "month": 12})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["request"]["service"] == "standard"
    assert data["request"]["month"] == 12
    posted = services.post("/v1/compare", json={"origin": "o1", "destination": "d1", "container": "40hc", "departure_date": "2025-03-03"})
    assert posted.status_code == 200, posted.text
    assert posted.json()["request"]["container"] == "40hc"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"service": "economy"}, "service", "expected one of express, scheduled, standard"),
        ({"container": "45ft"}, "container", "expected one of 20ft, 40ft, 40hc"),
        ({"month": 13}, "month", "less than or equal to 12"),
        ({"departure_date": "2025-02-30"}, "departure_date", "not a valid date"),
        ({"departure_date": "4 March"}, "departure_date", "pattern"),
        ({"container": "40ft", "teu": 3}, "teu", "multiple of 2"),
        ({"month": 2, "departure_date": "2025-03-04"}, "month", "contradicts"),
    ],
)
def test_unknown_or_inconsistent_values_are_422_naming_the_field_and_what_is_allowed(
    services: TestClient, params: dict[str, object], field: str, words: str
) -> None:
    body = assert_problem(services.get("/v1/routes", params={"from": "o1", "to": "d1", **params}), 422)
    assert any(e["field"] == field and words in e["message"] for e in body["errors"]), body
