"""Write api/openapi_examples.json: real answers of the bundled network, shown as examples in /openapi.json.

    python scripts/openapi_examples.py           # write the file
    python scripts/openapi_examples.py --check   # exit 1 if the stable examples are no longer what the server answers

Each example is what the server answers to one request on the bundled network (the whole-network
GeoJSON cut to its first place and first link). Examples of answers that carry ids, times or a
process id (uploads, batch jobs, metrics) are real too, but change from run to run; ``--check`` and
the test that calls it compare the others.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")  # Starlette's test client works the same with httpx
    from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.openapi import EXAMPLES_PATH  # noqa: E402
from api.settings import Settings  # noqa: E402

JSON = "application/json"
PROBLEM = "application/problem+json"
GEOJSON = "application/geo+json"

# (operation, example name, summary, stable, request)
ROUTE = {"from": "Almaty", "to": "Tashkent", "k": 1}
SCENARIO = {"from": "Kashgar", "to": "Tashkent", "k": 1, "rank": "cost", "scenario": "cku_opened"}
COMPARE = {"from": "Almaty", "to": "Tashkent", "corridors": ["xian_tashkent", "titr"]}
COMPARE_SCENARIO = {"from": "Kashgar", "to": "Tashkent", "corridor": "cku", "rank": "cost", "scenario": "cku_opened"}
UPLOAD = {
    "name": "kz_rail_tariff_up",
    "title": "Kazakh rail tariffs +15%",
    "description": "KTZ tariffs rise by 15 %, as in October 2022 (+14.67 %).",
    "estimate": "a rounded repeat of the 2022 rise",
    "changes": [{"multiply_tariff": {"country": "KZ", "factor": 1.15}}],
}
BATCH = {"rows": [{"id": "r1", "origin": "Xi'an", "destination": "Tashkent"}, {"id": "r2", "origin": "Almaty", "destination": "Atlantis"}]}


def _requests() -> Iterator[tuple[str, str, str, bool, dict[str, Any]]]:
    for method in ("GET", "POST"):
        key = f"{method} /v1/routes"

        def req(params: dict[str, Any], fmt: str | None = None, method: str = method) -> dict[str, Any]:
            if method == "GET":
                return {"method": "GET", "url": "/v1/routes", "params": {**params, **({"format": fmt} if fmt else {})}}
            body = {("origin" if k == "from" else "destination" if k == "to" else k): v for k, v in params.items()}
            return {"method": "POST", "url": "/v1/routes", "json": body, "params": {"format": fmt} if fmt else {}}

        yield key, "routes", "Almaty to Tashkent, the fastest route", True, req(ROUTE)
        yield key, "scenario", "Kashgar to Tashkent by cost, with the CKU railway opened", True, req(SCENARIO)
        yield key, "geojson", "format=geojson", True, req(ROUTE, "geojson")
        yield key, "unknown_place", "A misspelt place", True, req({**ROUTE, "to": "Tashkant"})
        yield key, "no_route", "No route under the constraints", True, req({**ROUTE, "modes": "sea" if method == "GET" else ["sea"]})
        yield key, "same_place", "Two names of one place", True, req({**ROUTE, "to": "Alma-Ata"})
        yield key, "invalid", "k out of range", True, req({**ROUTE, "k": 25})
    for method in ("GET", "POST"):
        key = f"{method} /v1/compare"

        def creq(params: dict[str, Any], method: str = method) -> dict[str, Any]:
            if method == "GET":
                return {"method": "GET", "url": "/v1/compare", "params": params}
            body = {("origin" if k == "from" else "destination" if k == "to" else k): v for k, v in params.items()}
            if isinstance(body.get("corridor"), str):
                body["corridors"] = [body.pop("corridor")]
            return {"method": "POST", "url": "/v1/compare", "json": body}

        yield key, "compare", "Two corridors from Almaty to Tashkent", True, creq(COMPARE)
        yield key, "scenario", "The CKU corridor by cost, with and without the railway", True, creq(COMPARE_SCENARIO)
        yield key, "unknown_corridor", "A corridor the network lacks", True, creq({**COMPARE, "corridors": ["silk_road"]})
    matrix = {"origins": ["Xi'an", "Almaty"], "destinations": ["Tashkent", "Almaty"], "rank": "cost", "teu": 2}
    yield "POST /v1/matrix", "matrix", "Two origins by two destinations (one cell is the same place)", True, {"method": "POST", "url": "/v1/matrix", "json": matrix}
    yield "GET /v1/places", "search", "Places matching 'tash'", True, {"method": "GET", "url": "/v1/places", "params": {"q": "tash", "limit": 2}}
    yield "GET /v1/places/{place_id}", "place", "A border crossing", True, {"method": "GET", "url": "/v1/places/altynkol"}
    yield "GET /v1/places/{place_id}", "unknown", "An unknown id", True, {"method": "GET", "url": "/v1/places/tashkant"}
    yield "GET /v1/corridors", "corridors", "Every corridor", True, {"method": "GET", "url": "/v1/corridors"}
    yield "GET /v1/corridors/{corridor_id}", "corridor", "The CKU corridor", True, {"method": "GET", "url": "/v1/corridors/cku"}
    yield "GET /v1/network", "network", "The network (cut to one place and one link)", True, {"method": "GET", "url": "/v1/network"}
    yield "GET /v1/version", "version", "Versions", True, {"method": "GET", "url": "/v1/version"}
    yield "GET /v1/metrics", "metrics", "Counters of one server process", False, {"method": "GET", "url": "/v1/metrics"}
    yield "GET /v1/scenarios/{scenario_id}", "bundled", "A bundled scenario", True, {"method": "GET", "url": "/v1/scenarios/khorgos_congestion"}
    yield "POST /v1/scenarios", "uploaded", "A scenario stored", False, {"method": "POST", "url": "/v1/scenarios", "json": UPLOAD}
    yield "POST /v1/scenarios", "unknown_reference", "A country the network lacks", True, {"method": "POST", "url": "/v1/scenarios", "json": {**UPLOAD, "changes": [{"close_border": "JP"}]}}
    yield "GET /v1/scenarios", "scenarios", "Bundled scenarios and an upload", False, {"method": "GET", "url": "/v1/scenarios"}
    yield "POST /v1/batches", "submitted", "Two rows submitted", False, {"method": "POST", "url": "/v1/batches", "json": BATCH}
    yield "GET /v1/batches/{job_id}", "done", "A finished job", False, {"method": "GET", "url": "{job}"}
    yield "GET /v1/batches", "jobs", "The caller's jobs", False, {"method": "GET", "url": "/v1/batches"}
    yield "GET /v1/batches/{job_id}/results", "csv", "Results as CSV", False, {"method": "GET", "url": "{job}/results", "params": {"format": "csv"}}
    yield "GET /v1/batches/{job_id}/results", "jsonl", "Results as JSON Lines", False, {"method": "GET", "url": "{job}/results", "params": {"format": "jsonl"}}
    yield "GET /healthz", "ok", "Alive", True, {"method": "GET", "url": "/healthz"}
    yield "GET /readyz", "ready", "Ready", True, {"method": "GET", "url": "/readyz"}


def _cut(value: Any, url: str) -> Any:
    if url == "/v1/network":
        features = value["features"]
        first_link = next(f for f in features if f["properties"]["feature"] == "link")
        return {**value, "features": [features[0], first_link]}
    return value


def collect(stable_only: bool = False) -> dict[str, Any]:
    """Every example: ``{operation: {status: {media type: {name: {summary, value}}}}}``."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(rate_limit_per_minute=0, data_dir=Path(data_dir), max_concurrent_computations=1)
        with TestClient(create_app(settings)) as client:
            while client.get("/readyz").status_code != 200:
                time.sleep(0.05)
            job = ""
            for operation, name, summary, stable, request in _requests():
                if stable_only and not stable:
                    continue
                request = {**request, "url": request["url"].replace("{job}", job)}
                if operation.startswith("GET /v1/batches/{job_id}"):
                    while client.get(job).json()["status"] in ("queued", "running"):
                        time.sleep(0.05)
                response = client.request(**request)
                media = response.headers["content-type"].split(";")[0]
                value: Any = response.json() if "json" in media and media != "application/x-ndjson" else response.text
                if operation == "POST /v1/batches":
                    job = response.headers["location"]
                value = _cut(value, request["url"])
                by_media = out.setdefault(operation, {}).setdefault(str(response.status_code), {}).setdefault(media, {})
                by_media[name] = {"summary": summary, "value": value}
    return out


def stable_part(examples: dict[str, Any]) -> dict[str, Any]:
    """The examples whose answers do not change from run to run."""
    keep = {(op, name) for op, name, _, stable, _ in _requests() if stable}
    out: dict[str, Any] = {}
    for operation, by_status in examples.items():
        for status, by_media in by_status.items():
            for media, named in by_media.items():
                for name, example in named.items():
                    if (operation, name) in keep:
                        out.setdefault(operation, {}).setdefault(status, {}).setdefault(media, {})[name] = example
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare the stable examples with the stored file")
    args = parser.parse_args(argv)
    if args.check:
        stored = stable_part(json.loads(EXAMPLES_PATH.read_text(encoding="utf-8")))
        if stored != collect(stable_only=True):
            print(f"{EXAMPLES_PATH.name} is out of date: run python scripts/openapi_examples.py", file=sys.stderr)
            return 1
        return 0
    EXAMPLES_PATH.write_text(json.dumps(collect(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {EXAMPLES_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
