"""The corridor map, end to end: a real `corridor serve` on a free loopback port, driven in headless Chromium.

Needs Debian's Chromium (/usr/bin/chromium, or CORRIDOR_CHROMIUM) and the `playwright` Python package
(which is only the driver: it never downloads a browser here). Without them these tests are skipped, unless
CORRIDOR_REQUIRE_BROWSER=1 (as in CI), which turns the skip into a failure. Pages reach nothing but the
loopback server. Each test leaves one screenshot in tests/artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import ARTIFACTS, Watch, require_browser

import planner

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


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

