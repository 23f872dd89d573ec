"""The typed contract in /openapi.json: every answer has a closed schema, real answers match it, the request rules are in it.

Rich answers of the bundled network (legs with every kind of event, a Pareto set, scenarios,
comparisons under a scenario, GeoJSON, places with border posts, gauge changes and transshipments)
are validated against the schemas the document gives for that operation, status and media type.
Answers are closed objects, so a member the server sends that the models lack fails here.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import jsonschema_rs
import pytest
from api_helpers import TestClient, started

import corridor_client.models as wire
import planner
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundled() -> Iterator[TestClient]:
    yield from started(Settings(max_concurrent_computations=1, rate_limit_per_minute=0, data_dir=_tmp()))


def _tmp() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="corridor-contract-"))


@pytest.fixture(scope="module")
def spec(bundled: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = bundled.get("/openapi.json").json()
    return document


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for({**schema, "components": spec["components"]})


def response_schema(spec: dict[str, Any], method: str, path: str, status: int, media: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec["paths"][path][method.lower()]["responses"][str(status)]["content"][media]["schema"]
    return schema


def assert_conforms(spec: dict[str, Any], method: str, path: str, response: Any) -> Any:
    """The answer matches the schema /openapi.json gives for its operation, status and media type."""
    media = response.headers["content-type"].split(";")[0]
    body = response.json()
    errors = [e.message[:300] for e in _validator(spec, response_schema(spec, method, path, response.status_code, media)).iter_errors(body)]
    assert errors == [], f"{method} {path} -> {response.status_code} {media}: {errors[:5]}"
    return body


ROUTE_REQUESTS: list[dict[str, Any]] = [
    {"from": "Xi'an", "to": "Duisburg", "k": 3},  # borders, gauge changes, transshipments, sea waits
    {"from": "Xi'an", "to": "Istanbul", "k": 5, "rank": "pareto"},  # best_on
    {"from": "Tashkent", "to": "Baku", "tonnes": 25, "rank": "cost", "avoid_countries": "RU"},
    {"from": "Kashgar", "to": "Tashkent", "k": 2, "scenario": "cku_opened"},
    {"from": "Almaty", "to": "Baku", "k": 2, "scenario": "caspian_ferries_halved"},
    {"from": "Almaty", "to": "Tashkent", "k": 2, "format": "geojson"},
    {"from": "Almaty", "to": "Baku", "k": 2, "month": 1, "service": "standard"},  # queues, seasonal waits
    {"from": "Xi'an", "to": "Tashkent", "k": 2, "departure_date": "2026-03-02", "container": "40hc", "teu": 4},
    {"from": "Tashkent", "to": "Istanbul", "tonnes": 60, "service": "express"},  # load units
]


def test_real_route_answers_match_their_closed_schemas(bundled: TestClient, spec: dict[str, Any]) -> None:
    kinds: set[str] = set()
    for params in ROUTE_REQUESTS:
        response = bundled.get("/v1/routes", params=params)
        assert response.status_code == 200, response.text
        body = assert_conforms(spec, "GET", "/v1/routes", response)
        routes = [f["properties"] for f in body["features"]] if "features" in body else body["routes"]
        kinds |= {e["type"] for r in routes for leg in r["legs"] for e in leg["events"]}
        post = {("origin" if k == "from" else "destination" if k == "to" else k): v for k, v in params.items() if k != "format"}
        if isinstance(post.get("avoid_countries"), str):
            post["avoid_countries"] = [post["avoid_countries"]]
        answer = bundled.post("/v1/routes", json=post, params={"format": params.get("format", "json")})
        assert answer.json() == body
    delayed = {"name": "held", "title": "Held at Altynkol", "changes": [{"add_delay": {"place": "altynkol", "hours": 12}}]}
    request = {"origin": "Xi'an", "destination": "Tashkent", "k": 1, "via": ["altynkol"], "scenario": delayed}
    response = bundled.post("/v1/routes", json=request)
    body = assert_conforms(spec, "POST", "/v1/routes", response)
    kinds |= {e["type"] for r in body["routes"] for leg in r["legs"] for e in leg["events"]}
    assert kinds == set(get_args(wire.EventKind))  # the requests reach every kind of event


def test_real_comparisons_places_corridors_network_scenarios_and_service_answers_match(
    bundled: TestClient, spec: dict[str, Any]
) -> None:
    checks = [
        ("GET", "/v1/compare", "/v1/compare", {"from": "Xi'an", "to": "Istanbul"}),
        ("GET", "/v1/compare", "/v1/compare", {"from": "Kashgar", "to": "Tashkent", "corridor": "cku", "scenario": "cku_opened"}),
        ("GET", "/v1/places", "/v1/places", {"q": "a", "limit": 50}),
        ("GET", "/v1/places/{place_id}", "/v1/places/altynkol", {}),
        ("GET", "/v1/places/{place_id}", "/v1/places/tashkent", {}),
        ("GET", "/v1/corridors", "/v1/corridors", {}),
        ("GET", "/v1/corridors/{corridor_id}", "/v1/corridors/titr", {}),
        ("GET", "/v1/network", "/v1/network", {}),
        ("GET", "/v1/version", "/v1/version", {}),
        ("GET", "/v1/metrics", "/v1/metrics", {}),
        ("GET", "/v1/scenarios", "/v1/scenarios", {}),
        ("GET", "/v1/scenarios/{scenario_id}", "/v1/scenarios/khorgos_congestion", {}),
        ("GET", "/healthz", "/healthz", {}),
        ("GET", "/readyz", "/readyz", {}),
    ]
    for method, path, url, params in checks:
        response = bundled.request(method, url, params=params)
        assert response.status_code == 200, (url, response.text[:300])
        assert_conforms(spec, method, path, response)
    every_place = bundled.get("/v1/network").json()["features"]
    for feature in every_place[:: max(1, len(every_place) // 40)]:
        if feature["properties"]["feature"] == "place":
            assert_conforms(spec, "GET", "/v1/places/{place_id}", bundled.get(f"/v1/places/{feature['id']}"))


def test_uploads_batches_and_problems_match_their_schemas(bundled: TestClient, spec: dict[str, Any]) -> None:
    scenario = {
        "name": "kz_tariff", "title": "KZ tariffs +15%", "sources": [{"publisher": "KTZ", "title": "Tariffs", "year": 2022}],
        "changes": [{"multiply_tariff": {"country": "KZ", "factor": 1.15}}, {"set_border_dwell": {"place": "altynkol", "hours": {"typical": 30, "min": 10}}}],
    }  # fmt: skip
    created = bundled.post("/v1/scenarios", json=scenario)
    assert created.status_code == 201, created.text
    uploaded = assert_conforms(spec, "POST", "/v1/scenarios", created)
    assert_conforms(spec, "GET", "/v1/scenarios/{scenario_id}", bundled.get(f"/v1/scenarios/{uploaded['id']}"))
    assert_conforms(spec, "GET", "/v1/scenarios", bundled.get("/v1/scenarios"))
    compared = bundled.post("/v1/compare", json={"origin": "Xi'an", "destination": "Tashkent", "scenario": uploaded["id"]})
    assert_conforms(spec, "POST", "/v1/compare", compared)

    submitted = bundled.post("/v1/batches", json={"rows": [{"origin": "Almaty", "destination": "Baku"}, {"origin": "x"}]})
    job = assert_conforms(spec, "POST", "/v1/batches", submitted)
    while (polled := bundled.get(job["links"]["self"])).json()["status"] in ("queued", "running"):
        time.sleep(0.05)
    assert_conforms(spec, "GET", "/v1/batches/{job_id}", polled)
    assert_conforms(spec, "GET", "/v1/batches", bundled.get("/v1/batches"))
    problems = [
        ("GET", "/v1/routes", bundled.get("/v1/routes", params={"from": "Tashkant", "to": "Almaty"}), 404),
        ("GET", "/v1/routes", bundled.get("/v1/routes", params={"from": "Almaty", "to": "Baku", "modes": "road"}), 409),
        ("GET", "/v1/routes", bundled.get("/v1/routes", params={"from": "Almaty", "to": "Alma-Ata"}), 409),
        ("POST", "/v1/routes", bundled.post("/v1/routes", json={"origin": "Almaty", "destination": "Baku", "teu": 1, "tonnes": 9}), 422),
        ("GET", "/v1/batches/{job_id}/results", bundled.get("/v1/batches/" + "0" * 32 + "/results"), 404),
        ("POST", "/v1/scenarios", bundled.post("/v1/scenarios", json={}), 422),
    ]
    for method, path, response, status in problems:
        assert response.status_code == status, response.text
        assert_conforms(spec, method, path, response)


def test_a_member_the_models_lack_breaks_the_contract(bundled: TestClient, spec: dict[str, Any]) -> None:
    body = bundled.get("/v1/routes", params={"from": "Almaty", "to": "Tashkent", "k": 1}).json()
    schema = _validator(spec, response_schema(spec, "GET", "/v1/routes", 200, "application/json"))
    assert schema.is_valid(body)
    body["routes"][0]["legs"][0]["events_new"] = []
    assert not schema.is_valid(body)
    del body["routes"][0]["legs"][0]["events_new"]
    body["routes"][0]["legs"][0].pop("distance_km")
    assert not schema.is_valid(body)


def test_every_documented_example_matches_its_schema(spec: dict[str, Any]) -> None:
    checked = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    examples = [e["value"] for e in content.get("examples", {}).values()]
                    examples += [content["example"]] if "example" in content else []
                    if not examples or "schema" not in content:
                        continue
                    validator = _validator(spec, content["schema"])
                    for example in examples:
                        errors = [e.message[:200] for e in validator.iter_errors(example)]
                        assert errors == [], (method, path, status, media, errors[:3])
                        checked += 1
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and "example" in body:
                assert _validator(spec, body["schema"]).is_valid(body["example"]), (method, path)
    for name, schema in spec["components"]["schemas"].items():
        for example in schema.get("examples", []):
            assert _validator(spec, {"$ref": f"#/components/schemas/{name}"}).is_valid(example), name
            checked += 1
    assert checked >= 50


def test_the_stable_examples_are_what_the_server_answers_now() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import openapi_examples
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    stored = json.loads(openapi_examples.EXAMPLES_PATH.read_text(encoding="utf-8"))
    assert openapi_examples.stable_part(stored) == openapi_examples.collect(stable_only=True), (
        "api/openapi_examples.json is out of date: run python scripts/openapi_examples.py"
    )


def test_the_request_rules_are_in_the_schema(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    body = schemas["RouteBody"]
    one_of = next(rule["oneOf"] for rule in body["allOf"] if "teu" in json.dumps(rule))
    assert [branch["title"] for branch in one_of] == ["teu", "tonnes", "neither (one box)"]
    route = _validator(spec, {"$ref": "#/components/schemas/RouteBody"})
    assert route.is_valid({"origin": "a", "destination": "b", "teu": 2})
    assert route.is_valid({"origin": "a", "destination": "b", "tonnes": 2, "teu": None})
    assert not route.is_valid({"origin": "a", "destination": "b", "teu": 2, "tonnes": 2})
    assert not route.is_valid({"origin": "a", "from": "a", "destination": "b"})
    assert route.is_valid({"from": "a", "to": "b", "avoid_country": ["RU"], "avoid_countries": ["BY"]})
    assert route.is_valid({"origin": "a", "destination": "b", "container": "40ft", "teu": 4})
    assert not route.is_valid({"origin": "a", "destination": "b", "container": "40ft", "teu": 3})
    assert not route.is_valid({"origin": "a", "destination": "b", "container": "40ft", "tonnes": 3})
    assert route.is_valid({"origin": "a", "destination": "b", "month": 3})
    assert not route.is_valid({"origin": "a", "destination": "b", "month": 3, "departure_date": "2026-03-02"})
    names = sorted(s["name"] for s in planner.bundled_scenarios())
    scenario = next(p for p in schemas["RouteQuery"]["properties"]["scenario"]["anyOf"] if p.get("title") == "bundled")
    assert scenario["enum"] == names
    assert route.is_valid({"origin": "a", "destination": "b", "scenario": "sc-0123456789abcdef"})
    assert not route.is_valid({"origin": "a", "destination": "b", "scenario": "0"})
    upload = spec["paths"]["/v1/scenarios"]["post"]["requestBody"]
    assert upload["required"] is True
    assert not _validator(spec, upload["content"]["application/json"]["schema"]).is_valid({})
    batch = spec["paths"]["/v1/batches"]["post"]["requestBody"]
    assert batch["required"] is True
    batch_schema = _validator(spec, batch["content"]["application/json"]["schema"])
    assert batch_schema.is_valid({"rows": [], "format": "jsonl"})
    assert not batch_schema.is_valid({})
    assert not batch_schema.is_valid({"rows": [], "format": "CSV"})


def test_the_models_name_every_value_the_planner_has() -> None:
    assert set(get_args(wire.EventKind)) == {k.value for k in planner.EventKind}
    assert set(get_args(wire.PlaceKind)) == {k.value for k in planner.PlaceKind}
    assert set(get_args(wire.ModeName)) == {m.value for m in planner.Mode}
    assert set(get_args(wire.RankName)) == {r.value for r in planner.Rank}
    assert set(get_args(wire.LinkStatusName)) == {s.value for s in planner.LinkStatus}
    assert set(get_args(wire.ServiceName)) == {s.value for s in planner.ServiceLevel}
    assert set(get_args(wire.ContainerName)) == {c.value for c in planner.ContainerType}
    assert set(get_args(wire.Direction)) == {d.value for d in planner.BorderDirection}
