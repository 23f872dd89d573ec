"""A corpus of bad inputs: each gets a problem+json answer with the right status, and never an echo of itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_helpers import KEY_A, KEY_B, TestClient, assert_problem

MARK = "ZQX"  # in every bad string, so an echo is easy to spot
GOOD = {"origin": "a1", "destination": "c2"}


def body(**changes: Any) -> dict[str, Any]:
    return {**GOOD, **changes}


def post(payload: Any) -> dict[str, Any]:
    return {"method": "POST", "url": "/v1/routes", "json": payload}


def raw(content: bytes | str, content_type: str = "application/json") -> dict[str, Any]:
    return {"method": "POST", "url": "/v1/routes", "content": content, "headers": {"content-type": content_type}}


def get(url: str, **params: Any) -> dict[str, Any]:
    return {"method": "GET", "url": url, "params": params}


LONG = MARK + "x" * 10_000
CASES: list[tuple[str, dict[str, Any], int]] = []


def case(name: str, request: dict[str, Any], status: int = 422) -> None:
    CASES.append((name, request, status))


# wrong types and values in the JSON body
for field, values in {
    "origin": [1, 1.5, True, None, [], {}, "", LONG, MARK + "\x00", MARK + "\n", MARK + "\x1b[31m"],
    "destination": [2, None, [MARK], {"id": MARK}, LONG],
    "rank": [MARK, 1, None, "TIME", ["time"]],
    "k": ["3", 3.0, 3.5, 0, -1, 21, 10**9, 10**30, True, None, [3]],
    "teu": [-1, 0, "1", True, 1e6, [], {"v": 1}],
    "tonnes": [-5, 0, 2e6, "10"],
    "avoid_countries": [MARK, [1], [MARK], ["R"], ["RUS"], ["\u202eRU"], ["RU"] * 51, [None]],
    "avoid_places": [[1], [LONG], ["b1"] * 51, [""], MARK],
    "avoid_links": [["l1"] * 51, [{}], [MARK + "\x07"]],
    "modes": [[MARK], [], "rail", ["rail", "road", "sea", "rail"], [1]],
    "via": [["b2"] * 11, MARK, [None]],
    "corridor": [1, MARK * 40, ["south"]],
    "max_border_crossings": [-1, 1.5, "2", 101],
    "max_transshipments": [-1, 1e9],
    "max_shared_fraction": [1.5, -0.1, "0.5"],
    "scenario": [5, [MARK], "../../" + MARK, MARK + " name"],
}.items():
    for i, value in enumerate(values):
        case(f"body-{field}-{i}", post(body(**{field: value})))

# unknown, missing and misplaced fields, wrong top-level shapes
case("unknown-field", post(body(colour=MARK)))
case("unknown-field-weird-name", post(body(**{f"<script>{MARK}</script>": 1})))
case("unknown-field-proto", post(body(__proto__={"admin": True})))
case("unknown-field-api-key", post(body(api_key=MARK)))
case("missing-origin", post({"destination": "c2"}))
case("missing-destination", post({"origin": "a1"}))
case("empty-object", post({}))
case("body-is-list", post([GOOD]))
case("body-is-string", post(MARK))
case("body-is-number", post(42))
case("body-is-null", raw("null"))
case("no-body", {"method": "POST", "url": "/v1/routes"})

# JSON that must be refused when parsed
case("nan", raw('{"origin": "a1", "destination": "c2", "teu": NaN}'))
case("infinity", raw('{"origin": "a1", "destination": "c2", "teu": Infinity}'))
case("minus-infinity", raw('{"origin": "a1", "destination": "c2", "teu": -Infinity}'))
case("overflowing-number", raw('{"origin": "a1", "destination": "c2", "teu": 1e999}'))
case("lone-high-surrogate", raw('{"origin": "\\ud800ZQX", "destination": "c2"}'))
case("lone-low-surrogate", raw('{"origin": "a1", "destination": "\\udfffZQX"}'))
case("nested-arrays-100k", raw("[" * 100_000 + "]" * 100_000))
case("nested-objects", raw('{"a":' * 5_000 + "1" + "}" * 5_000))
case(
    "nested-in-scenario",
    raw('{"origin": "a1", "destination": "c2", "scenario": {"x": ' + "[" * 3000 + "]" * 3000 + "}}"),
)
case("truncated-json", raw('{"origin": "ZQX'))
case("trailing-garbage", raw('{"origin": "a1", "destination": "c2"} ZQX'))
case("invalid-utf8", raw(b'{"origin": "\xff\xfeZQX", "destination": "c2"}'))
case("single-quotes", raw("{'origin': 'ZQX'}"))
case("duplicate-keys-bad-last", raw('{"origin": "a1", "destination": "c2", "k": 2, "k": "ZQX"}'))
case("text-plain", raw('{"origin": "a1", "destination": "c2"}', "text/plain"))
case("form-encoded", raw("origin=ZQX&destination=c2", "application/x-www-form-urlencoded"))

# unicode oddities that are valid strings but name no place
case("rtl-marks", post(body(origin="\u200f" + MARK + "\u200f")), 404)
case("rtl-override", post(body(destination="\u202e" + MARK + "\u202c")), 404)
case("zero-width", post(body(origin=MARK + "\u200b\u200d")), 404)
case("combining-flood", post(body(origin=MARK + "a\u0301" * 150)))
case("emoji", post(body(origin="🚂" + MARK)), 404)
case("unknown-place", post(body(origin=MARK + "ville")), 404)
case("unknown-via", post(body(via=[MARK + "ville"])), 404)
case("unknown-avoid-place", post(body(avoid_places=[MARK + "ville"])), 404)
case("unknown-corridor", post(body(corridor=MARK + "corridor")))
case("unknown-link", post(body(avoid_links=[MARK + "link"])))
case("unknown-country", post(body(avoid_countries=["ZQ"])))
case("same-place", post(body(destination="Alpha")))
case("teu-and-tonnes", post(body(teu=1, tonnes=10)))
case("via-is-origin", post(body(via=["a1"])))
case("unknown-scenario-name", post(body(scenario="zqx-unknown")))

# query strings
for name, params in {
    "k-text": {"k": MARK},
    "k-float": {"k": "3.5"},
    "k-zero": {"k": "0"},
    "k-21": {"k": "21"},
    "k-huge": {"k": "9" * 40},
    "teu-nan": {"teu": "nan"},
    "teu-inf": {"teu": "inf"},
    "teu-negative": {"teu": "-1"},
    "teu-text": {"teu": MARK},
    "rank-unknown": {"rank": MARK},
    "modes-unknown": {"modes": MARK},
    "modes-empty-item": {"modes": "rail,,sea"},
    "avoid-country-long": {"avoid_country": MARK},
    "avoid-country-51": {"avoid_country": ["BB"] * 51},
    "via-11": {"via": ["b2"] * 11},
    "from-empty": {"from": ""},
    "from-long": {"from": LONG},
    "from-nul": {"from": MARK + "\x00"},
    "from-newline": {"from": MARK + "\r\nX-Injected: 1"},
    "format-unknown": {"format": MARK},
    "corridor-long": {"corridor": MARK * 40},
}.items():
    params = {"from": "a1", "to": "c2", **params}
    case(f"query-{name}", get("/v1/routes", **params))
case("query-missing-from", get("/v1/routes", to="c2"))
case("query-missing-to", get("/v1/routes", **{"from": "a1"}))
case("query-unknown-place", get("/v1/routes", **{"from": MARK, "to": "c2"}), 404)
case("places-limit-0", get("/v1/places", q="a", limit=0))
case("places-limit-51", get("/v1/places", q="a", limit=51))
case("places-limit-text", get("/v1/places", q="a", limit=MARK))
case("places-q-missing", get("/v1/places"))
case("places-q-long", get("/v1/places", q=LONG))
case("places-q-control", get("/v1/places", q=MARK + "\x00"))
case("place-unknown", get("/v1/places/" + MARK), 404)
case("place-id-long", get("/v1/places/" + MARK + "x" * 300))
case("corridor-unknown", get("/v1/corridors/" + MARK), 404)
case("corridor-id-long", get("/v1/corridors/" + MARK * 40))
case("compare-k-not-allowed", {"method": "POST", "url": "/v1/compare", "json": body(k=3)})
case("compare-corridors-21", {"method": "POST", "url": "/v1/compare", "json": body(corridors=["south"] * 21)})
case("compare-scenario-path", get("/v1/compare", **{"from": "a1", "to": "c2", "scenario": "/etc/" + MARK}))
case("unknown-path", get("/v1/" + MARK), 404)
case("unknown-version", get("/v2/routes"), 404)

# wrong methods
for method, url in [
    ("DELETE", "/v1/routes"),
    ("PUT", "/v1/routes"),
    ("PATCH", "/v1/compare"),
    ("POST", "/v1/places"),
    ("DELETE", "/v1/places/a1"),
    ("POST", "/v1/network"),
    ("PUT", "/v1/version"),
    ("POST", "/healthz"),
]:
    case(f"method-{method}-{url}", {"method": method, "url": url}, 405)

# bodies over the limit: declared, and chunked (no Content-Length)
case("body-2mib", raw(b'{"origin": "' + b"x" * (2 * 1024 * 1024) + b'"}'), 413)


def _chunks() -> Iterator[bytes]:
    yield b'{"origin": "'
    for _ in range(20):
        yield b"y" * 65536
    yield b'", "destination": "c2"}'


case(
    "body-chunked-1.3mib",
    {"method": "POST", "url": "/v1/routes", "content": _chunks, "headers": {"content-type": "application/json"}},
    413,
)


@pytest.mark.parametrize(("name", "request_kwargs", "status"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_problem_without_echo(
    client: TestClient, name: str, request_kwargs: dict[str, Any], status: int
) -> None:
    kwargs = dict(request_kwargs)
    if callable(kwargs.get("content")):
        kwargs["content"] = kwargs["content"]()
    response = client.request(**kwargs)
    problem = assert_problem(response, status)
    assert MARK not in response.text
    if status == 405:
        assert response.headers["allow"]
    if status == 422:
        assert problem["errors"], problem
        assert all(e["field"] and e["message"] for e in problem["errors"])


def test_the_corpus_has_at_least_100_bad_inputs() -> None:
    assert len(CASES) >= 100


AUTH_CASES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("no-key", {}, {}),
    ("bad-bearer", {"Authorization": "Bearer " + MARK}, {}),
    ("bad-x-api-key", {"X-API-Key": MARK}, {}),
    ("empty-bearer", {"Authorization": "Bearer "}, {}),
    ("basic-scheme", {"Authorization": "Basic " + KEY_A}, {}),
    ("key-in-query-string", {}, {"api_key": KEY_A}),
    ("key-in-query-string-2", {}, {"key": KEY_A}),
    ("huge-key", {"X-API-Key": MARK * 5000}, {}),
    ("key-with-suffix", {"X-API-Key": KEY_A + "x"}, {}),
    ("key-prefix", {"Authorization": "Bearer " + KEY_A[:-1]}, {}),
]


@pytest.mark.parametrize(("name", "headers", "params"), AUTH_CASES, ids=[c[0] for c in AUTH_CASES])
def test_missing_or_bad_key_is_401_with_www_authenticate(
    keyed_client: TestClient, name: str, headers: dict[str, str], params: dict[str, str]
) -> None:
    response = keyed_client.get("/v1/places", params={"q": "alpha", **params}, headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert MARK not in response.text
    assert KEY_A not in response.text


def test_another_keys_batch_job_is_not_found(keyed_client: TestClient) -> None:
    pytest.importorskip("api.batches")
    submitted = keyed_client.post(
        "/v1/batches",
        content="origin,destination\na1,c2\n",
        headers={"content-type": "text/csv", "X-API-Key": KEY_A},
    )
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["id"]
    assert keyed_client.get(f"/v1/batches/{job_id}", headers={"X-API-Key": KEY_A}).status_code == 200
    for method in ("GET", "DELETE"):
        response = keyed_client.request(method, f"/v1/batches/{job_id}", headers={"X-API-Key": KEY_B})
        assert_problem(response, 404)
        assert MARK not in response.text
