"""No parameter is ever dropped: unknown names are 422s with a suggestion, GET and POST take the same names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_helpers import TestClient, assert_problem, started

from api.settings import Settings


@pytest.fixture(scope="module")
def bundled() -> Iterator[TestClient]:
    """A server on the bundled network."""
    yield from started(Settings(max_concurrent_computations=1, rate_limit_per_minute=0))


RANKS = "time, cost, co2e, generalized, reliable, pareto"


def test_avoid_countries_on_get_is_honoured_and_no_route_enters_russia(bundled: TestClient) -> None:
    for name in ("avoid_countries", "avoid_country"):
        response = bundled.get("/v1/routes", params={"from": "Xian", "to": "Duisburg", name: "RU", "k": 3})
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["request"]["avoid_countries"] == ["RU"]
        assert data["routes"]
        for route in data["routes"]:
            assert "RU" not in route["countries"]


def test_a_misspelt_query_parameter_is_a_422_naming_it_with_a_suggestion(bundled: TestClient) -> None:
    response = bundled.get("/v1/routes", params={"from": "Xian", "to": "Duisburg", "avoid_contries": "RU"})
    problem = assert_problem(response, 422, "invalid_request")
    assert problem["errors"] == [{"field": "avoid_contries", "message": "unknown query parameter; did you mean avoid_countries?"}]


def test_a_bad_rank_lists_the_allowed_values_on_get_and_post(bundled: TestClient) -> None:
    problem = assert_problem(bundled.get("/v1/routes", params={"from": "Xian", "to": "Duisburg", "rank": "fastest"}), 422)
    assert problem["errors"] == [{"field": "rank", "message": f"expected one of {RANKS}"}]
    assert "fastest" not in problem["detail"]
    problem = assert_problem(bundled.post("/v1/routes", json={"origin": "Xian", "destination": "Duisburg", "rank": "fastest"}), 422)
    assert problem["errors"] == [{"field": "rank", "message": f"expected one of {RANKS}"}]


def test_max_border_crossings_zero_on_get_is_honoured(bundled: TestClient) -> None:
    response = bundled.get("/v1/routes", params={"from": "Xian", "to": "Tashkent", "max_border_crossings": 0})
    assert assert_problem(response, 409, "no_route")["constraints"] == ["max_border_crossings"]
    same_country = bundled.get("/v1/routes", params={"origin": "Xian", "destination": "Urumqi", "max_border_crossings": 0})
    assert same_country.status_code == 200
    assert all(r["border_crossings"] == 0 for r in same_country.json()["routes"])


def test_get_and_post_take_the_same_names_origin_first_from_as_an_alias(bundled: TestClient) -> None:
    options = {"k": 2, "rank": "cost", "max_stretch": 2, "max_shared_fraction": 0.8, "max_transshipments": 3, "avoid_links": ["l156"]}
    by_get = bundled.get("/v1/routes", params={"origin": "Xian", "destination": "Tashkent", **options}).json()
    by_alias = bundled.get("/v1/routes", params={"from": "Xian", "to": "Tashkent", **options}).json()
    by_post = bundled.post("/v1/routes", json={"origin": "Xian", "destination": "Tashkent", **options}).json()
    by_post_alias = bundled.post("/v1/routes", json={"from": "Xian", "to": "Tashkent", **options}).json()
    assert by_get == by_alias == by_post == by_post_alias
    assert by_get["request"]["max_stretch"] == 2
    assert by_get["request"]["max_transshipments"] == 3
    both = bundled.get("/v1/routes", params={"origin": "Xian", "from": "Xian", "to": "Tashkent"})
    assert "origin and from name the same field" in assert_problem(both, 422)["detail"]


def test_openapi_documents_origin_as_the_primary_name_and_from_as_its_alias(bundled: TestClient) -> None:
    spec = bundled.get("/openapi.json").json()
    (param,) = spec["paths"]["/v1/routes"]["get"]["parameters"]
    assert (param["in"], param["style"], param["explode"]) == ("query", "form", True)  # each field its own parameter
    query = spec["components"]["schemas"][param["schema"]["$ref"].rsplit("/", 1)[1]]
    assert {"origin", "destination", "avoid_countries", "max_border_crossings", "max_stretch", "max_shared_fraction"} <= set(query["properties"])
    assert "`from` is accepted as an alias" in query["properties"]["origin"]["description"]
    assert query["properties"]["from"]["description"] == "Alias of `origin` (give one of the two)"
    assert {"oneOf": [{"required": ["origin"]}, {"required": ["from"]}]} in query["allOf"]


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/v1/places", {"q": "tash", "lmit": 3}, "unknown query parameter; did you mean limit?"),
        ("/v1/compare", {"from": "Xian", "to": "Istanbul", "coridor": "titr"}, "unknown query parameter; did you mean corridors?"),
        ("/v1/corridors", {"page": 2}, "unknown query parameter; this endpoint takes none"),
        ("/v1/corridors/titr", {"geometry": 0}, "unknown query parameter; this endpoint takes none"),
        ("/v1/network", {"bbox": "1,2,3,4"}, "unknown query parameter; this endpoint takes none"),
        ("/v1/version", {"v": 1}, "unknown query parameter; this endpoint takes none"),
        ("/v1/scenarios", {"name": "x"}, "unknown query parameter; this endpoint takes none"),
        ("/v1/batches", {"status": "done"}, "unknown query parameter; this endpoint takes none"),
        ("/healthz", {"verbose": 1}, "unknown query parameter; this endpoint takes none"),
    ],
)
def test_every_endpoint_refuses_a_query_parameter_it_does_not_know(
    bundled: TestClient, path: str, params: dict[str, object], message: str
) -> None:
    problem = assert_problem(bundled.get(path, params=params), 422, "invalid_request")
    unknown = next(name for name in params if name not in ("q", "from", "to"))
    assert problem["errors"] == [{"field": unknown, "message": message}]


def test_compare_by_get_takes_the_options_of_post(bundled: TestClient) -> None:
    params = {"origin": "Xian", "destination": "Istanbul", "corridors": "titr,northern", "avoid_countries": "RU"}
    by_get = bundled.get("/v1/compare", params=params)
    assert by_get.status_code == 200, by_get.text
    body = {"origin": "Xian", "destination": "Istanbul", "corridors": ["titr", "northern"], "avoid_countries": ["RU"]}
    assert by_get.json() == bundled.post("/v1/compare", json=body).json()
    rows = {row["label"]: row for row in by_get.json()["rows"]}
    assert rows["northern"]["status"] == "no_route"  # the Northern corridor runs through Russia
    assert "RU" not in rows["titr"]["route"]["countries"]


def test_an_unknown_body_field_is_named_with_a_suggestion(bundled: TestClient) -> None:
    response = bundled.post("/v1/routes", json={"origin": "Xian", "destination": "Tashkent", "max_strech": 2})
    assert assert_problem(response, 422)["errors"] == [
        {"field": "max_strech", "message": "unknown field (not part of this request's schema); did you mean max_stretch?"}
    ]


def test_fewer_routes_than_asked_come_with_notes_in_the_json(bundled: TestClient) -> None:
    data = bundled.get("/v1/routes", params={"from": "Xian", "to": "Urumqi", "k": 3}).json()
    assert len(data["routes"]) < 3
    assert data["notes"]
    assert data["notes"][0].startswith(f"{len(data['routes'])} route")
