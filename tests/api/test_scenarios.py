"""Uploaded scenarios: validated, stored per key, usable by id in routes and comparisons, private to their key."""

from __future__ import annotations

from typing import Any

from api_helpers import KEY_A, KEY_B, TestClient, assert_problem

CLOSE_ROAD = {
    "name": "no_direct_road",
    "title": "Direct road closed",
    "description": "The a1-c2 road is closed.",
    "estimate": "test scenario",
    "changes": [{"close_link": "l6"}],
}
SOUTH = ["a1", "a2", "b1", "b2", "c1", "c2"]


def upload(client: TestClient, body: Any, key: str | None = None) -> Any:
    headers = {"X-API-Key": key} if key else {}
    return client.post("/v1/scenarios", json=body, headers=headers)


def test_an_uploaded_scenario_is_listed_fetched_used_and_deleted(client: TestClient) -> None:
    response = upload(client, CLOSE_ROAD)
    assert response.status_code == 201, response.text
    created = response.json()
    scenario_id = created["id"]
    assert scenario_id.startswith("sc-")
    assert response.headers["location"] == f"/v1/scenarios/{scenario_id}"

    listed = client.get("/v1/scenarios").json()["scenarios"]
    assert scenario_id in [s.get("id") for s in listed]
    assert client.get(f"/v1/scenarios/{scenario_id}").json()["changes"] == [{"close_link": "l6"}]

    by_get = client.get("/v1/routes", params={"from": "a1", "to": "c2", "k": 2, "scenario": scenario_id}).json()
    assert [r["places"] for r in by_get["routes"]] == [SOUTH]
    assert by_get["vanished"] == [["a1", "c2"]]
    by_post = client.post("/v1/routes", json={"origin": "a1", "destination": "c2", "k": 2, "scenario": scenario_id})
    assert by_post.json()["routes"] == by_get["routes"]
    compared = client.get("/v1/compare", params={"from": "a1", "to": "c2", "scenario": scenario_id}).json()
    best = compared["rows"][0]
    assert best["scenario_route"]["places"] == SOUTH
    assert best["change"] == "new path"

    assert client.delete(f"/v1/scenarios/{scenario_id}").status_code == 204
    assert_problem(client.get(f"/v1/scenarios/{scenario_id}"), 404, "unknown_scenario")
    assert_problem(client.get("/v1/routes", params={"from": "a1", "to": "c2", "scenario": scenario_id}), 404, "unknown_scenario")
    assert_problem(client.delete(f"/v1/scenarios/{scenario_id}"), 404, "unknown_scenario")


def test_bundled_scenarios_are_listed_and_fetched_by_name(client: TestClient) -> None:
    names = [s["name"] for s in client.get("/v1/scenarios").json()["scenarios"] if not s.get("uploaded")]
    assert "cku_opened" in names
    # The bundled scenarios name links of the bundled network, not of the tiny fixture: it says so.
    cku = client.get("/v1/scenarios/cku_opened").json()
    assert cku["applies"] is False
    assert "unknown link" in cku["reason"]


def test_invalid_scenarios_are_refused_naming_the_problem_without_echoing_it(client: TestClient) -> None:
    bad = upload(client, {**CLOSE_ROAD, "changes": [{"close_link": "zz_secret_zz"}]})
    body = assert_problem(bad, 404, "unknown_scenario_reference")  # a link this network lacks
    assert "unknown link" in body["detail"]
    assert "zz_secret_zz" not in bad.text
    assert_problem(upload(client, ["not", "an", "object"]), 422)
    assert_problem(client.post("/v1/scenarios", content=b"{nope", headers={"content-type": "application/json"}), 422)
    assert_problem(upload(client, {**CLOSE_ROAD, "changes": []}), 422)


def test_what_json_schema_cannot_state_is_a_422_and_what_the_network_rules_out_a_409(client: TestClient) -> None:
    def changed(*changes: dict[str, Any]) -> Any:
        return upload(client, {**CLOSE_ROAD, "changes": list(changes)})

    # Rules the OpenAPI schema states in words only (JSON Schema cannot compare two values): 422.
    unordered = changed({"set_border_dwell": {"place": "a2", "hours": {"typical": 5, "min": 9}}})
    assert "min <= typical <= max" in assert_problem(unordered, 422, "invalid_scenario")["detail"]
    loop = changed({"add_link": {"id": "l9", "from": "a1", "to": "a1", "mode": "road", "distance_km": 5, "estimate": "x"}})
    assert "two different places" in assert_problem(loop, 422, "invalid_scenario")["detail"]
    # Well formed, but this network's content rules it out: 409.
    taken = changed({"add_link": {"id": "l6", "from": "a1", "to": "b2", "mode": "road", "distance_km": 5, "estimate": "x"}})
    assert "already exists" in assert_problem(taken, 409, "scenario_conflict")["detail"]
    assert "already operational" in assert_problem(changed({"open_link": "l6"}), 409, "scenario_conflict")["detail"]
    no_post = changed({"set_border_dwell": {"place": "c2", "hours": 3}})
    assert "no border controls" in assert_problem(no_post, 409, "scenario_conflict")["detail"]
    # A name the network lacks: 404.
    assert_problem(changed({"close_place": "zz_nowhere"}), 404, "unknown_scenario_reference")
    assert_problem(changed({"close_border": "ZZ"}), 404, "unknown_scenario_reference")


def test_another_key_cannot_see_use_or_delete_a_scenario(keyed_client: TestClient) -> None:
    created = upload(keyed_client, CLOSE_ROAD, KEY_A)
    assert created.status_code == 201, created.text
    scenario_id = created.json()["id"]
    other = {"X-API-Key": KEY_B}
    assert_problem(keyed_client.get(f"/v1/scenarios/{scenario_id}", headers=other), 404, "unknown_scenario")
    assert_problem(keyed_client.delete(f"/v1/scenarios/{scenario_id}", headers=other), 404, "unknown_scenario")
    params = {"from": "a1", "to": "c2", "scenario": scenario_id}
    assert_problem(keyed_client.get("/v1/routes", params=params, headers=other), 404, "unknown_scenario")
    assert scenario_id not in [s.get("id") for s in keyed_client.get("/v1/scenarios", headers=other).json()["scenarios"]]
    mine = keyed_client.get("/v1/scenarios", headers={"X-API-Key": KEY_A}).json()["scenarios"]
    assert scenario_id in [s.get("id") for s in mine]
    assert_problem(keyed_client.post("/v1/scenarios", json=CLOSE_ROAD), 401)
