"""API keys: accepted in headers, never in the query string; open endpoints stay open."""

from __future__ import annotations

import pytest
from api_helpers import KEY_A, KEY_B, TestClient, assert_problem, digest, tiny_settings

from api.settings import Settings


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {KEY_A}"},
        {"authorization": f"bearer {KEY_A}"},
        {"X-API-Key": KEY_A},
        {"X-API-Key": KEY_B},
    ],
)
def test_a_valid_key_in_a_header_is_accepted(keyed_client: TestClient, headers: dict[str, str]) -> None:
    response = keyed_client.get("/v1/routes", params={"from": "a1", "to": "c2"}, headers=headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs", "/"])
def test_health_docs_and_root_need_no_key(keyed_client: TestClient, path: str) -> None:
    assert keyed_client.get(path).status_code == 200


def test_every_v1_endpoint_needs_a_key(keyed_client: TestClient) -> None:
    spec = keyed_client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        if not path.startswith("/v1/"):
            continue
        url = path.replace("{place_id}", "a1").replace("{corridor_id}", "south").replace("{job_id}", "x")
        for method in item:
            assert_problem(keyed_client.request(method.upper(), url), 401, "unauthorized")


def test_settings_parse_digest_lists_and_reject_non_digests(tmp_path: object) -> None:
    settings = Settings(api_keys=f" {digest(KEY_A)} , {digest(KEY_B).upper()} ")
    assert settings.key_digests() == {digest(KEY_A), digest(KEY_B)}
    with pytest.raises(ValueError, match="not a SHA-256"):
        Settings(api_keys="plain-text-key")
    assert tiny_settings().key_digests() == frozenset()
