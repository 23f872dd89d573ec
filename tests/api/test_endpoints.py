"""Behaviour of each endpoint on the tiny fixture network (and the bundled one, when present)."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from api_helpers import TINY, TestClient, assert_problem, started, tiny_settings

import planner
from api.app import create_app
from api.common import RESPONSES
from api.settings import Settings, get_settings


def routes(client: TestClient, **params: Any) -> Any:
    return client.get("/v1/routes", params={"from": "Alpha", "to": "Gamma City", **params})


def test_get_routes_ranks_the_rail_and_ferry_line_first_by_time(client: TestClient) -> None:
    response = routes(client, k=2)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    assert data["request"]["origin"] == "a1"
    assert data["request"]["destination"] == "c2"
    assert [r["rank"] for r in data["routes"]] == list(range(1, len(data["routes"]) + 1))
    expected = planner.plan_routes(planner.load_network(tiny_settings().network), "a1", "c2", k=2)
    assert [r["places"] for r in data["routes"]] == [list(r.places) for r in expected.routes]


def test_post_routes_accepts_every_option(client: TestClient) -> None:
    response = client.post(
        "/v1/routes",
        json={
            "origin": "Альфа",
            "destination": "c2",
            "rank": "cost",
            "k": 1,
            "tonnes": 25.5,
            "avoid_countries": [],
            "avoid_places": [],
            "avoid_links": ["l6"],
            "modes": ["rail", "sea", "road"],
            "via": ["b2"],
            "corridor": "south",
            "max_border_crossings": 3,
            "max_transshipments": 5,
            "max_shared_fraction": 0.4,
        },
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["request"]["shipment"] == "tonnes"
    assert data["request"]["corridor"] == "south"
    assert data["routes"][0]["places"] == ["a1", "a2", "b1", "b2", "c1", "c2"]


def test_geojson_format_returns_a_feature_collection_of_routes(client: TestClient) -> None:
    for response in (
        routes(client, format="geojson"),
        client.post("/v1/routes?format=geojson", json={"origin": "a1", "destination": "c2"}),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/geo+json"
        data = response.json()
        assert data["type"] == "FeatureCollection"
        assert data["features"][0]["geometry"]["type"] == "LineString"
        assert data["features"][0]["properties"]["rank"] == 1


@pytest.mark.parametrize(("params", "field"), [({"k": 20}, None), ({"k": 21}, "k")])
def test_k_is_capped_at_20(client: TestClient, params: dict[str, int], field: str | None) -> None:
    get = routes(client, **params)
    post = client.post("/v1/routes", json={"origin": "a1", "destination": "c2", **params})
    for response in (get, post):
        if field is None:
            assert response.status_code == 200
        else:
            problem = assert_problem(response, 422, "invalid_request")
            assert problem["errors"][0]["field"] == field
            assert "20" in problem["errors"][0]["message"]


@pytest.mark.parametrize(("count", "ok"), [(10, True), (11, False)])
def test_via_is_capped_at_10(client: TestClient, count: int, ok: bool) -> None:
    response = client.post("/v1/routes", json={"origin": "a1", "destination": "c2", "via": ["b2"] * count, "k": 1})
    if ok:
        assert response.status_code == 200, response.text
    else:
        assert assert_problem(response, 422)["errors"][0]["field"] == "via"
    get = routes(client, via=["b2"] * count, k=1)
    assert get.status_code == (200 if ok else 422)


@pytest.mark.parametrize("field", ["avoid_places", "avoid_links", "avoid_countries"])
@pytest.mark.parametrize(("count", "ok"), [(50, True), (51, False)])
def test_avoid_lists_are_capped_at_50(client: TestClient, field: str, count: int, ok: bool) -> None:
    item = {"avoid_places": "Beta Border", "avoid_links": "l6", "avoid_countries": "aa"}[field]
    destination = "a2" if field == "avoid_countries" else "c2"
    origin = "b2" if field == "avoid_countries" else "a1"
    response = client.post(
        "/v1/routes", json={"origin": origin, "destination": destination, field: [item] * count, "k": 1}
    )
    if field == "avoid_countries" and ok:
        # the only other country is the destination's: a clear 422 from the planner, not a cap
        problem = assert_problem(response, 422)
        assert "50" not in problem["detail"]
        return
    if ok:
        assert response.status_code == 200, response.text
    else:
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["field"] == field
        assert "50" in problem["errors"][0]["message"]


def test_no_route_is_409_naming_the_constraints(client: TestClient) -> None:
    response = routes(client, modes="sea")
    problem = assert_problem(response, 409, "no_route")
    assert problem["constraints"] == ["modes"]
    assert "sea only" in problem["detail"]


def test_unknown_place_is_404_with_suggestions(client: TestClient) -> None:
    problem = assert_problem(client.get("/v1/routes", params={"from": "Alpah", "to": "c2"}), 404, "unknown_place")
    assert problem["suggestions"] == ["Alpha"]
    assert problem["errors"] == [{"field": "origin", "message": "no place has this id, name or alias"}]


def test_strict_types_refuse_a_string_for_k_and_a_float_for_k(client: TestClient) -> None:
    for k in ("3", 3.0):
        problem = assert_problem(client.post("/v1/routes", json={"origin": "a1", "destination": "c2", "k": k}), 422)
        assert problem["errors"][0]["field"] == "k"


def test_places_search_and_lookup(client: TestClient) -> None:
    found = client.get("/v1/places", params={"q": "alp", "limit": 1}).json()["places"]
    assert len(found) == 1
    assert found[0]["id"] == "a1"
    assert client.get("/v1/places/a1").json()["name"] == "Alpha"
    assert client.get("/v1/places", params={"q": "zzzz"}).json() == {"places": []}
    assert client.get("/v1/places", params={"q": "a", "limit": 50}).status_code == 200
    problem = assert_problem(client.get("/v1/places/alpah"), 404, "unknown_place")
    assert problem["suggestions"] == ["Alpha"]


def test_corridors_list_and_detail_with_geometry(client: TestClient) -> None:
    corridors = client.get("/v1/corridors").json()["corridors"]
    assert {c["id"] for c in corridors} == {"south", "direct"}
    south = client.get("/v1/corridors/Ferry route").json()
    assert south["id"] == "south"
    assert south["geometry"]["type"] == "MultiLineString"
    assert len(south["geometry"]["coordinates"][0]) == 6
    problem = assert_problem(client.get("/v1/corridors/north"), 404, "unknown_corridor")
    assert problem["suggestions"] == ["direct", "south"]


def test_network_is_geojson_and_gzipped_when_asked(client: TestClient) -> None:
    response = client.get("/v1/network", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["content-encoding"] == "gzip"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert sum(f["properties"]["feature"] == "link" for f in data["features"]) == 6
    raw = client.get("/v1/network", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content)


def test_version_health_readiness_and_root(client: TestClient) -> None:
    assert client.get("/v1/version").json() == {
        "version": planner.__version__,
        "network": {"id": "tiny", "name": "Tiny test network", "version": "1", "digest": planner.load_network(TINY).digest},
    }
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "network": "tiny"}
    root = client.get("/")
    assert root.status_code == 200


def test_readyz_is_503_without_the_lifespan() -> None:
    # Not entering the client as a context manager: the lifespan never loads the network.
    client = TestClient(create_app(tiny_settings()))
    assert_problem(client.get("/readyz"), 503, "not_ready")
    assert_problem(client.get("/v1/version"), 503, "not_ready")


def test_scenarios_list_the_bundled_scenarios(client: TestClient) -> None:
    data = client.get("/v1/scenarios").json()
    assert data == {"scenarios": planner.bundled_scenarios()}


def test_inline_scenario_closing_a_link_changes_the_routes(client: TestClient) -> None:
    inline = {"name": "no_ferry", "title": "Ferry stopped", "changes": [{"close_link": "l4"}]}
    # max_stretch 10: the baseline keeps the southern route (4.6 times the direct road's hours) beside the road.
    body = {"origin": "a1", "destination": "c2", "k": 2, "max_stretch": 10, "scenario": inline}
    response = client.post("/v1/routes", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert [r["places"] for r in data["routes"]] == [["a1", "c2"]]
    assert ["a1", "a2", "b1", "b2", "c1", "c2"] in [r["places"] for r in data["baseline"]["routes"]]
    assert data["vanished"] == [["a1", "a2", "b1", "b2", "c1", "c2"]]
    bad = client.post(
        "/v1/routes",
        json={"origin": "a1", "destination": "c2", "scenario": {"name": "x", "changes": [{"close_link": "nope"}]}},
    )
    assert_problem(bad, 422)


def test_compare_get_and_post(client: TestClient) -> None:
    get = client.get("/v1/compare", params={"from": "a1", "to": "c2", "corridor": ["south", "direct"]})
    assert get.status_code == 200, get.text
    post = client.post("/v1/compare", json={"origin": "a1", "destination": "c2", "corridors": ["south", "direct"]})
    assert post.status_code == 200, post.text
    assert get.json() == post.json()
    assert_problem(client.get("/v1/compare", params={"from": "a1", "to": "c2", "corridor": "nowhere"}), 422)


def test_settings_can_be_overridden_with_dependency_overrides() -> None:
    app = create_app()
    app.dependency_overrides[get_settings] = lambda: tiny_settings(rate_limit_per_minute=2)
    for client in started_app(app):
        assert client.get("/v1/version").status_code == 200
        assert client.get("/v1/version").status_code == 200
        problem = assert_problem(client.get("/v1/version"), 429, "rate_limited")
        assert int(client.get("/v1/version").headers["retry-after"]) >= 1
        assert "2 requests per minute" in problem["detail"]
        assert client.get("/healthz").status_code == 200


def started_app(app: Any) -> Any:
    with TestClient(app) as client:
        yield client


def test_cors_is_off_by_default_and_configurable(client: TestClient) -> None:
    origin = {"Origin": "https://map.example"}
    assert "access-control-allow-origin" not in client.get("/v1/version", headers=origin).headers
    for cors in started(tiny_settings(cors_origins="https://map.example")):
        assert cors.get("/v1/version", headers=origin).headers["access-control-allow-origin"] == "https://map.example"


def test_openapi_documents_every_endpoint_with_a_description_and_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["description"]
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    jobs = ("/v1/batches", "/v1/assignments")  # answered 202 with a job, documented in their own tests
    v1 = [(p, m, op) for p, m, op in operations if p.startswith("/v1/") and not p.startswith(jobs)]
    assert len(v1) == 16
    for path, method, op in v1:
        assert op.get("description") or op.get("summary"), (path, method)
        success = next(status for status in ("200", "201", "204") if status in op["responses"])
        content = op["responses"][success].get("content", {})
        has_example = any("example" in c or "examples" in c for c in content.values())
        assert has_example or success == "204", (path, method)
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "$ref" in body.get("schema", {}):
            ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
            assert spec["components"]["schemas"][ref]["examples"], ref
        elif body:
            assert body.get("example"), (path, method)
        for status in ("401", "404", "409", "413", "422", "429", "503"):
            assert "application/problem+json" in op["responses"][status]["content"], (path, status)
    assert client.get("/docs").status_code == 200


def test_bundled_network_serves_real_routes_and_bundled_scenarios_by_get() -> None:
    for client in started(Settings(max_concurrent_computations=1, rate_limit_per_minute=0)):
        version = client.get("/v1/version").json()
        assert version["network"]["id"] == planner.load_network().info.id
        places = client.get("/v1/places", params={"q": "tashkent", "limit": 1}).json()["places"]
        assert places[0]["id"] == "tashkent"
        response = client.get("/v1/routes", params={"from": "Xian", "to": "tashkent", "k": 2})
        assert response.status_code == 200, response.text
        assert "altynkol" in response.json()["routes"][0]["places"]
        scenario = client.get(
            "/v1/routes", params={"from": "Kashgar", "to": "Tashkent", "k": 1, "rank": "cost", "scenario": "cku_opened"}
        )
        assert scenario.status_code == 200, scenario.text
        data = scenario.json()
        assert data["scenario"]["name"] == "cku_opened"
        assert "makmal" in data["routes"][0]["places"]
        assert "makmal" not in data["baseline"]["routes"][0]["places"]
        assert data["delta"]["cost_usd"] < 0
        assert data["appeared"] == [data["routes"][0]["places"]]


def test_a_repeated_query_is_answered_from_the_response_cache(client: TestClient) -> None:
    params = {"from": "a1", "to": "c2", "k": 2, "rank": "co2e"}
    first = client.get("/v1/routes", params=params)
    cache = client.app.state.network.caches.table(RESPONSES)  # type: ignore[attr-defined]
    size = len(cache)
    dispatcher = client.app.state.compute  # type: ignore[attr-defined]
    client.app.state.compute = _NoCompute()  # type: ignore[attr-defined]
    try:
        again = client.get("/v1/routes", params=params)
    finally:
        client.app.state.compute = dispatcher  # type: ignore[attr-defined]
    assert again.status_code == 200
    assert again.content == first.content
    assert len(cache) == size


class _NoCompute:
    deadline_seconds = 0.0

    async def run(self, *args: object, **options: object) -> bytes:
        raise AssertionError("a cached answer must not be computed again")
