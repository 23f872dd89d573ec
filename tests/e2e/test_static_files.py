"""The map's and the API docs' static files, without a browser: vendored files match their record, nothing is
fetched off-site."""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from pathlib import Path

import pytest

from api.app import create_app

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package (not on PyPI yet) instead of httpx; the client works the same.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
VENDOR = STATIC / "vendor"


def test_every_vendored_file_matches_vendored_json_and_has_its_licence_beside_it() -> None:
    manifest = json.loads((VENDOR / "VENDORED.json").read_text(encoding="utf-8"))
    names = {p["name"] for p in manifest["packages"]}
    assert names == {"leaflet", "topojson-client", "world-atlas", "swagger-ui-dist", "redoc"}
    for package in manifest["packages"]:
        assert package["version"]
        assert package["license"]
        assert package["license_file"] in package["files"]
        for relative, digest in package["files"].items():
            path = VENDOR / relative
            assert path.is_file(), relative
            assert path.parent == VENDOR / package["name"] or VENDOR / package["name"] in path.parents
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{relative} differs from VENDORED.json"


def test_the_page_loads_nothing_from_another_host() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    styles = [
        (STATIC / "app.css").read_text(encoding="utf-8"),
        (VENDOR / "leaflet" / "leaflet.css").read_text(encoding="utf-8"),
    ]
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", html) == []
    assert re.findall(r"""(?:fetch|api)\(\s*["'`](?:https?:)?//""", script) == []
    assert "tileLayer" not in script  # no tile layer: the outlines come from the vendored world-atlas
    for css in styles:
        assert re.findall(r"""url\(\s*["']?(?:https?:)?//""", css) == []


def test_every_local_file_the_page_names_exists() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    named = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", html) + re.findall(
        r"""["'](/static/[^"']+)["']""", script
    )
    assert named
    for url in named:
        assert (STATIC / url.removeprefix("/static/")).is_file(), url


@pytest.mark.parametrize(
    ("path", "script"),
    [("/docs", "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js"), ("/redoc", "/static/vendor/redoc/redoc.standalone.js")],
)
def test_the_api_docs_pages_load_their_vendored_files_and_nothing_from_another_host(path: str, script: str) -> None:
    client = TestClient(create_app())  # no lifespan: the docs need no network loaded
    html = client.get(path).text
    assert f'src="{script}"' in html
    assert re.findall(r"""(?:src|href|url)\s*[=:]\s*["'](?:https?:)?//""", html) == []
    assert "fonts.googleapis" not in html
    named = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", html)
    assert named
    for url in named:
        assert client.get(url).status_code == 200, url


def test_the_redoc_bundle_is_patched_so_that_it_fetches_no_logo_from_a_cdn() -> None:
    manifest = json.loads((VENDOR / "VENDORED.json").read_text(encoding="utf-8"))
    redoc = next(p for p in manifest["packages"] if p["name"] == "redoc")
    assert [p["file"] for p in redoc["patches"]] == ["redoc.standalone.js"]
    bundle = (VENDOR / "redoc" / "redoc.standalone.js").read_text(encoding="utf-8")
    assert "cdn.redoc.ly" not in bundle
    assert redoc["patches"][0]["with"] in bundle
