"""The corridor map, end to end: a real `corridor serve` on a free loopback port, driven in headless Chromium.

Needs Debian's Chromium (/usr/bin/chromium, or CORRIDOR_CHROMIUM) and the `playwright` Python package
(which is only the driver: it never downloads a browser here). Without them these tests are skipped, unless
CORRIDOR_REQUIRE_BROWSER=1 (as in CI), which turns the skip into a failure. Screenshots of each state are
written to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import planner

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}  # a laptop screen
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


def _chromium() -> str | None:
    # CORRIDOR_CHROMIUM, when set, is the only candidate (so a wrong path is reported, not worked around).
    given = os.environ.get("CORRIDOR_CHROMIUM")
    for candidate in [given] if given else ["/usr/bin/chromium", shutil.which("chromium")]:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install 'corridor-planner[test]')"
    if _chromium() is None:
        where = os.environ.get("CORRIDOR_CHROMIUM") or "/usr/bin/chromium"
        return f"no Chromium at {where} (apt-get install chromium, or set CORRIDOR_CHROMIUM to its path)"
    return None


_REASON = _missing()
if _REASON is not None:
    if os.environ.get("CORRIDOR_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"browser tests cannot run but CORRIDOR_REQUIRE_BROWSER is set: {_REASON}", pytrace=False)
    pytest.skip(f"browser tests skipped: {_REASON}", allow_module_level=True)
if not planner.bundled_network_path().is_file():
    pytest.skip(
        f"browser tests skipped: no bundled network at {planner.bundled_network_path()}", allow_module_level=True
    )

from playwright.sync_api import Browser, Page, Request, expect, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 45.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"corridor serve exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"corridor serve was not ready after {timeout_s:g} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real `corridor serve` on the bundled network, on a free loopback port."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # The server takes its settings from CORRIDOR_* variables; start it from a clean slate (no API keys).
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log = ARTIFACTS / "e2e-server.log"
    command = [sys.executable, "-m", "corridor_cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watch:
    """What the page logged and fetched: console errors, failed requests, HTTP errors, every URL."""

    base: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[tuple[int, str]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def assert_clean(self, *, expected_http: tuple[int, ...] = ()) -> None:
        """No script errors, no failed or off-site requests; HTTP errors only those expected (and then the
        console line Chromium logs for each of them)."""
        assert self.page_errors == []
        assert self.failed == []
        assert [u for u in self.urls if not (u.startswith(self.base) or u.startswith("data:"))] == []
        unexpected = [(s, u) for s, u in self.http_errors if s not in expected_http]
        assert unexpected == []
        allowed = len(self.http_errors) - len(unexpected)
        resource_lines = [
            m for m in self.console_errors if m.startswith("Failed to load resource: the server responded")
        ]
        assert [m for m in self.console_errors if m not in resource_lines] == []
        assert len(resource_lines) <= allowed


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(viewport=VIEWPORT, base_url=server)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    watch = Watch(server)
    pg.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.page_errors.append(str(e)))

    def on_failed(request: Request) -> None:
        watch.failed.append(f"{request.url}: {request.failure}")

    pg.on("requestfailed", on_failed)
    pg.on("request", lambda r: watch.urls.append(r.url))
    pg.on("response", lambda r: watch.http_errors.append((r.status, r.url)) if r.status >= 400 else None)
    try:
        yield pg, watch
    finally:
        context.close()


def _open(pg: Page, path: str = "/") -> None:
    pg.goto(path)
    pg.wait_for_selector("body[data-ready]")


def _shot(pg: Page, name: str) -> None:
    pg.wait_for_timeout(150)  # let Leaflet finish its fitBounds animation frame
    pg.screenshot(path=str(ARTIFACTS / f"map-{name}.png"))


def _count(pg: Page, selector: str) -> int:
    result: Any = pg.locator(selector).count()
    return int(result)


def test_the_map_loads_with_its_outlines_network_and_legend_and_no_errors(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    _open(pg)
    expect(pg).to_have_title("Corridor map · corridor-planner")
    assert _count(pg, ".leaflet-pane.leaflet-countries-pane path") > 100  # Natural Earth countries
    assert _count(pg, ".leaflet-pane.leaflet-network-pane path") > 100  # the links
    assert _count(pg, ".leaflet-pane.leaflet-places-pane path") > 50  # the places
    expect(pg.locator(".legend")).to_contain_text("Border crossing")
    expect(pg.locator(".legend input[data-corridor]")).to_have_count(len(planner.load_network().corridors))
    expect(pg.locator("#scenario option")).not_to_have_count(1)  # the bundled scenarios are offered
    expect(pg.locator("#error")).to_be_hidden()
    # a corridor can be switched on from the legend
    pg.locator(".legend input[data-corridor='titr']").check()
    assert _count(pg, ".leaflet-pane.leaflet-corridors-pane path") >= 1
    _shot(pg, "loaded")
    watch.assert_clean()


def test_xian_to_tashkent_draws_routes_fills_the_table_and_survives_a_reload(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    _open(pg)
    origin = pg.get_by_role("combobox", name="Origin")
    origin.fill("Xian")
    pg.locator("#origin-list").get_by_role("option", name="Xi'an").first.click()  # the autocomplete from /v1/places
    expect(origin).to_have_value("Xi'an")
    # the destination by keyboard only: type, arrow down to the suggestion, Enter picks it, Enter submits
    destination = pg.get_by_role("combobox", name="Destination")
    destination.fill("Tashk")
    expect(pg.locator("#destination-list").get_by_role("option", name="Tashkent")).to_be_visible()
    destination.press("ArrowDown")
    destination.press("Enter")
    expect(destination).to_have_value("Tashkent")
    destination.press("Enter")
    pg.wait_for_selector("body[data-result='routes']")

    rows = pg.locator("#routes-table tbody tr")
    assert rows.count() >= 1
    expect(rows.first).to_contain_text("Route 1")
    expect(rows.first.locator("td").first).to_have_text(re.compile(r"^\d+\.\d$"))
    assert _count(pg, ".leaflet-pane.leaflet-routes-pane path.leaflet-interactive") >= 1
    expect(pg.locator("#legs-list > li").first).to_contain_text("Xi'an")
    expect(pg.locator("#legs-list .ev-border").first).to_be_visible()  # border events are listed
    assert _count(pg, "#chart svg rect") == 3 * rows.count()
    assert "from=Xi%27an" in pg.url or "from=Xi'an" in pg.url
    _shot(pg, "routes")

    # the query lives in the URL: a reload shows the same routes
    pg.reload()
    pg.wait_for_selector("body[data-result='routes']")
    expect(pg.locator("#routes-table tbody tr")).to_have_count(rows.count())
    expect(pg.get_by_role("combobox", name="Destination")).to_have_value("Tashkent")
    watch.assert_clean()


def test_an_unknown_place_shows_the_error_with_a_suggestion_that_can_be_taken(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    _open(pg, "/?from=Xain&to=Tashkent")
    pg.wait_for_selector("body[data-result='error']")
    error = pg.get_by_role("alert")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Xain")
    suggestion = error.get_by_role("button", name="Xi'an")
    expect(suggestion).to_be_visible()
    expect(pg.get_by_role("combobox", name="Origin")).to_have_attribute("aria-invalid", "true")
    _shot(pg, "unknown-place")

    suggestion.click()
    pg.wait_for_selector("body[data-result='routes']")
    expect(error).to_be_hidden()
    assert pg.locator("#routes-table tbody tr").count() >= 1
    watch.assert_clean(expected_http=(404,))


def test_no_route_under_the_constraints_is_explained(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    _open(pg, "/?from=Xi%27an&to=Tashkent&avoid_country=KZ&avoid_country=KG&modes=rail")
    pg.wait_for_selector("body[data-result='error']")
    expect(pg.get_by_role("alert")).to_contain_text("No route under these constraints")
    expect(pg.locator("#routes-out")).to_be_hidden()
    _shot(pg, "no-route")
    watch.assert_clean(expected_http=(409,))


def test_the_comparison_lists_the_corridors_for_xian_to_istanbul_with_a_scenario(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    _open(pg)
    pg.get_by_role("tab", name="Compare corridors").click()
    pg.get_by_role("combobox", name="Origin").fill("Xi'an")
    pg.get_by_role("combobox", name="Destination").fill("Istanbul")
    pg.get_by_role("button", name="Compare").click()
    pg.wait_for_selector("body[data-result='compare']")

    rows = pg.locator("#compare-table tbody tr")
    expect(rows.first).to_contain_text("Best overall")
    assert rows.count() - 1 >= 3  # at least three corridors besides the unconstrained best
    assert pg.locator("#compare-table tbody th", has_text="Route found").count() >= 2
    assert _count(pg, ".leaflet-pane.leaflet-routes-pane path.leaflet-interactive") >= 2
    assert "view=compare" in pg.url
    _shot(pg, "compare")

    scenarios = pg.locator("#scenario option")
    name = scenarios.nth(1).get_attribute("value")
    assert name
    pg.get_by_label("What-if scenario").select_option(name)
    pg.get_by_role("button", name="Compare").click()
    pg.wait_for_selector("body[data-result='compare']")
    expect(pg.locator("#compare-note")).to_contain_text("Scenario:")
    expect(rows.first.locator("td .sub-line").first).to_contain_text("today")
    assert f"scenario={name}" in pg.url
    _shot(pg, "compare-scenario")
    watch.assert_clean()
