"""A corpus of bad inputs: each gets a problem+json answer with the right status, and never an echo of itself."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from api_helpers import KEY_A, KEY_B, TestClient, assert_problem, started, tiny_settings

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
    "k": ["3", 3.5, 0, -1, 21, 10**9, 10**30, True, None, [3], 1e30],  # 3.0 is 3 (as in JSON Schema)
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
case("unknown-corridor", post(body(corridor=MARK + "corridor")), 404)  # not in the network
case("unknown-link", post(body(avoid_links=[MARK + "link"])), 404)
case("unknown-country", post(body(avoid_countries=["ZQ"])), 404)
case("same-place", post(body(destination="Alpha")), 409)  # two names of one place in this network
case("teu-and-tonnes", post(body(teu=1, tonnes=10)))
case("via-is-origin", post(body(via=["a1"])), 409)
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


# --- every JSON-body endpoint: malformed, mis-shaped, too deep (D1, D3), too large ----------------

SCENARIO = {"name": "zqx_closed", "title": "closed", "changes": [{"close_link": "l1"}]}


def nest(depth: int, inner: str = "1", kind: str = "[") -> str:
    if kind == "[":
        return "[" * depth + inner + "]" * depth
    return '{"a":' * depth + inner + "}" * depth


def to(url: str, content: bytes | str, content_type: str = "application/json") -> dict[str, Any]:
    return {"method": "POST", "url": url, "content": content, "headers": {"content-type": content_type}}


JSON_ENDPOINTS = ["/v1/routes", "/v1/compare", "/v1/scenarios", "/v1/batches"]
for url in JSON_ENDPOINTS:
    short = url.rsplit("/", 1)[1]
    for name, content in {
        "truncated": '{"origin": "ZQX',
        "trailing-garbage": '{"rows": []} ZQX',
        "nan": '{"teu": NaN, "rows": NaN}',
        "single-quotes": "{'origin': 'ZQX'}",
        "invalid-utf8": b'{"origin": "\xff\xfeZQX"}',
        "null": "null",
        "list": '["ZQX"]',
        "string": '"ZQX"',
        "number": "42",
        "empty": "",
        "arrays-100k": nest(100_000),
        "objects-5k": nest(5_000, kind="{"),
        "arrays-33": nest(33),
        "objects-33": nest(33, kind="{"),
    }.items():
        case(f"{short}-json-{name}", to(url, content))
    if url != "/v1/batches":
        case(f"{short}-body-2mib", to(url, b'{"origin": "' + b"x" * (2 * 1024 * 1024) + b'"}'), 413)

# D1: an inline scenario nested 500+ levels deep is refused before anything pickles it, naming the field.
for depth in (33, 100, 600, 1000, 5000):
    for kind in ("[", "{"):
        deep = json_text = '{"name": "deep", "title": "t", "changes": [{"close_link": "l1"}], "extra": ' + nest(depth, kind=kind) + "}"
        base = '{"origin": "a1", "destination": "c2", "scenario": ' + deep + "}"
        case(f"routes-scenario-depth-{depth}{kind}", to("/v1/routes", base))
        case(f"compare-scenario-depth-{depth}{kind}", to("/v1/compare", base))
        case(f"scenarios-upload-depth-{depth}{kind}", to("/v1/scenarios", json_text))
case("routes-scenario-deep-in-changes", to("/v1/routes", '{"origin": "a1", "destination": "c2", "scenario": {"changes": ' + nest(700) + "}}"))
case("scenario-deep-object-key-ZQX", to("/v1/compare", '{"origin": "a1", "destination": "c2", "scenario": {"ZQX": ' + nest(40, kind="{") + "}}"))

# scenario uploads: wrong shapes and values
for name, payload in {
    "no-changes": {"name": "x1", "title": "t"},
    "empty-changes": {**SCENARIO, "changes": []},
    "unknown-change": {**SCENARIO, "changes": [{"explode": "ZQX"}]},
    "two-kinds-in-one-change": {**SCENARIO, "changes": [{"close_link": "l1", "close_place": "a1"}]},
    "unknown-link": {**SCENARIO, "changes": [{"close_link": "ZQXlink"}]},
    "unknown-place": {**SCENARIO, "changes": [{"close_place": "ZQXplace"}]},
    "bad-name": {**SCENARIO, "name": "ZQX name!"},
    "long-title": {**SCENARIO, "title": "ZQX" * 5000},
    "factor-zero": {**SCENARIO, "changes": [{"multiply_tariff": {"mode": "rail", "factor": 0}}]},
    "factor-text": {**SCENARIO, "changes": [{"multiply_tariff": {"mode": "rail", "factor": "ZQX"}}]},
    "delay-negative": {**SCENARIO, "changes": [{"add_delay": {"place": "a1", "hours": -5}}]},
    "too-many-changes": {**SCENARIO, "changes": [{"close_link": "l1"}] * 201},
    "unknown-top-field": {**SCENARIO, "colourful": 1},
    "sources-not-list": {**SCENARIO, "sources": "ZQX"},
}.items():
    case(f"scenario-upload-{name}", {"method": "POST", "url": "/v1/scenarios", "json": payload})
for name in ("ZQX name", "../../etc/passwd", "UPPER", "-dash", "a" * 65, "sc-" + "x" * 70):
    case(f"scenario-id-bad-{name[:12]}", get("/v1/scenarios/" + name.replace("/", "%2F")), 422 if "/" not in name else 404)
case("scenario-id-unknown", get("/v1/scenarios/sc-0000000000000000"), 404)
case("scenario-delete-unknown", {"method": "DELETE", "url": "/v1/scenarios/sc-0000000000000000"}, 404)
case("scenario-delete-bundled", {"method": "DELETE", "url": "/v1/scenarios/cku_opened"}, 422)  # only an upload id

# --- batches: whole-input problems (D3, D4, bad shapes), ids, formats ------------------------------


def batch(content: bytes | str, content_type: str = "text/csv", **params: Any) -> dict[str, Any]:
    return {**to("/v1/batches", content, content_type), "params": params}


ROW = '{"origin": "a1", "destination": "c2"}'
for name, (content, content_type, status) in {
    "json-rows-missing": ('{"format": "csv"}', "application/json", 422),
    "json-rows-not-list": ('{"rows": {"origin": "a1"}}', "application/json", 422),
    "json-rows-string": ('{"rows": "ZQX"}', "application/json", 422),
    "json-unknown-member": ('{"rows": [], "ZQXextra": 1}', "application/json", 422),
    "json-rows-twice": ('{"rows": [], "rows": []}', "application/json", 422),
    "json-format-bad": ('{"rows": [' + ROW + '], "format": "ZQX"}', "application/json", 422),
    "json-format-object": ('{"rows": [], "format": {"a": 1}}', "application/json", 422),
    "json-trailing-comma": ('{"rows": [' + ROW + "],}", "application/json", 422),
    "json-missing-close": ('{"rows": [' + ROW, "application/json", 422),
    "json-row-too-deep": ('{"rows": [{"origin": ' + nest(2000) + "}]}", "application/json", 422),
    "json-row-too-deep-33": ('{"rows": [{"via": ' + nest(32) + "}]}", "application/json", 422),
    "json-row-too-long": ('{"rows": [{"origin": "' + "x" * 70_000 + '"}]}', "application/json", 422),
    "json-bad-separator": ('{"rows": [' + ROW + " " + ROW + "]}", "application/json", 422),
    "jsonl-deep-line": (ROW + "\n" + nest(5000) + "\n", "application/x-ndjson", 422),
    "jsonl-deep-object-line": (ROW + "\n" + nest(2000, kind="{") + "\n", "application/x-ndjson", 422),
    "jsonl-line-too-long": ('{"origin": "' + "y" * 70_000 + '"}\n', "application/x-ndjson", 422),
    "jsonl-not-utf8": (b'{"origin": "\xff"}\n', "application/x-ndjson", 422),
    "csv-field-131073": ("id,origin,destination\nr1," + "x" * 131_073 + ",c2\n", "text/csv", 422),
    "csv-quoted-field-huge": ('origin,destination\na1,"' + "x\n" * 40_000 + '"\n', "text/csv", 422),
    "csv-header-unknown": ("origin,to\na1,c2\n", "text/csv", 422),
    "csv-header-missing-destination": ("id,origin\nr1,a1\n", "text/csv", 422),
    "csv-header-twice": ("origin,destination,origin\na1,c2,a1\n", "text/csv", 422),
    "csv-empty": ("", "text/csv", 422),
    "csv-blank-lines-only": ("\n\r\n\r", "text/csv", 422),
    "csv-not-utf8": (b"origin,destination\n\xff\xfe,c2\n", "text/csv", 422),
    "csv-header-nul": ("origin,destination,\x00\na1,c2,x\n", "text/csv", 422),
    "media-png": ("x", "image/png", 415),
    "media-xml": ("<rows/>", "application/xml", 415),
    "multipart-no-file": (b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n", "multipart/form-data; boundary=b", 422),
}.items():
    case(f"batch-{name}", batch(content, content_type), status)
case("batch-format-query-bad", batch("origin,destination\na1,c2\n", format="ZQX"))
case("batch-idempotency-key-long", {**batch("origin,destination\na1,c2\n"), "headers": {"content-type": "text/csv", "idempotency-key": "k" * 201}})
for job_id in ("ZQX", "0" * 31, "0" * 32, "g" * 32, "0" * 33, "../" + "0" * 32):
    for method, suffix in (("GET", ""), ("DELETE", ""), ("GET", "/results")):
        case(f"batch-id-{job_id[:6]}-{len(job_id)}-{method}{suffix}", {"method": method, "url": f"/v1/batches/{job_id}{suffix}"}, 404)

# more wrong methods, on every resource
for method, url in [
    ("PUT", "/v1/batches"),
    ("PATCH", "/v1/batches"),
    ("PUT", "/v1/scenarios"),
    ("PATCH", "/v1/scenarios/cku_opened"),
    ("POST", "/v1/corridors"),
    ("DELETE", "/v1/corridors/south"),
    ("POST", "/readyz"),
    ("DELETE", "/v1/network"),
]:
    case(f"method-{method}-{url}", {"method": method, "url": url}, 405)


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


def test_the_corpus_has_at_least_300_bad_inputs() -> None:
    assert len(CASES) + len(AUTH_CASES) + len(ACCEPTED) >= 300


# --- inputs that are accepted, their bad rows reported in place (D2, D5) ----------------------------

ACCEPTED: list[tuple[str, bytes, str, str]] = [
    # name, body, content type, what the first row's result must say
    ("json-lone-surrogate-id", b'{"rows": [{"id": "\\ud800", "origin": "a1", "destination": "c2"}]}', "application/json", "row 1, field 'id': contains a lone surrogate"),
    ("json-lone-surrogate-origin", b'{"rows": [{"origin": "a\\udfff", "destination": "c2"}]}', "application/json", "row 1, field 'origin': contains a lone surrogate"),
    ("json-lone-surrogate-key", b'{"rows": [{"\\ud800": 1, "origin": "a1", "destination": "c2"}]}', "application/json", "row 1: an unknown field whose name contains a lone surrogate"),
    ("jsonl-lone-surrogate", b'{"origin": "a1", "destination": "c2", "via": ["\\ud83d"]}\n', "application/x-ndjson", "row 1, field 'via': contains a lone surrogate"),
    ("json-control-character", b'{"rows": [{"origin": "a1\\u0000", "destination": "c2"}]}', "application/json", "row 1, field 'origin': contains the control character U+0000"),
    ("json-row-not-object", b'{"rows": [[1, 2]]}', "application/json", "row 1: expected a JSON object, got list"),
    ("json-row-number", b'{"rows": [7]}', "application/json", "row 1: expected a JSON object, got int"),
    ("json-row-at-depth-limit", b'{"rows": [{"origin": "a1", "destination": "c2", "via": ' + b"[" * 30 + b"]" * 30 + b"}]}", "application/json", "row 1, field 'via'"),
    ("csv-cr-line-endings", b"origin,destination\ra1,Atlantis\ra1,c2\r", "text/csv", "row 1, field 'destination': unknown place"),
    ("csv-crlf-line-endings", b"origin,destination\r\na1,Atlantis\r\n", "text/csv", "row 1, field 'destination': unknown place"),
    ("csv-bare-cr-in-quoted-field", b'origin,destination\na1,"c\r2"\n', "text/csv", "row 1, field 'destination': contains the control character U+000A"),
    ("csv-field-over-1000", b"origin,destination\n" + b"a" * 5000 + b",c2\n", "text/csv", "row 1, field 'origin': is 5000 characters long"),
    ("csv-nul-id", b"id,origin,destination\n\x00=1+1,a1,c2\n", "text/csv", "row 1, field 'id': contains the control character U+0000"),
]


@pytest.fixture(scope="module")
def roomy_client() -> Iterator[TestClient]:
    """A server taking many jobs at once (accepted submissions stay in flight for a moment)."""
    yield from started(tiny_settings(batch_max_jobs_in_flight=1000))


@pytest.mark.parametrize(("name", "content", "content_type", "expected"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_bad_rows_are_accepted_and_reported_in_their_place(
    roomy_client: TestClient, name: str, content: bytes, content_type: str, expected: str
) -> None:
    submitted = roomy_client.post("/v1/batches", content=content, headers={"content-type": content_type})
    assert submitted.status_code == 202, submitted.text
    location = submitted.headers["location"]
    deadline = time.monotonic() + 60
    while roomy_client.get(location).json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    results = roomy_client.get(location + "/results", params={"format": "jsonl"})
    assert results.status_code == 200
    first = json.loads(results.text.splitlines()[0])
    assert first["status"] == "error"
    assert first["error"].startswith(expected), first["error"]
    csv_text = roomy_client.get(location + "/results", params={"format": "csv"}).text
    for record in csv.reader(io.StringIO(csv_text)):
        assert not any(cell[:1] in ("=", "+", "-", "@") or (cell and ord(cell[0]) < 32) for cell in record)


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
