"""The map's Flows view, end to end: a real server, headless Chromium, an assignment of a bundled demand set."""

from __future__ import annotations

import pytest
from browser_support import Watch, require_browser, save_screenshot

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_flows_view_assigns_a_demand_set_and_draws_volumes_and_bottlenecks(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto("/")
    pg.wait_for_selector("body[data-ready]")
    pg.locator("#tab-flows").click()
    pg.wait_for_selector("body[data-ready]")
    expect(pg).to_have_title("Flows · corridor-planner")
    expect(pg.locator("#demand option")).to_have_count(3)
    expect(pg.locator("#demand")).to_have_value("uz_kz_2030")
    expect(pg.locator("#flows-scenario option")).not_to_have_count(1)
    pg.locator("#demand").select_option("transit_2024")
    pg.locator("#assign").click()
    expect(pg.locator("#flows-out")).to_be_visible(timeout=60_000)
    expect(pg.locator("#flows-error")).to_be_hidden()
    rows = pg.locator("#bottlenecks tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    # the bottleneck list is by V/C, highest first
    ratios = [float(t) for t in pg.locator("#bottlenecks tbody tr td:nth-child(5)").all_inner_texts()]
    assert ratios == sorted(ratios, reverse=True)
    expect(pg.locator("#corridor-shares tbody tr")).not_to_have_count(0)
    expect(pg.locator("#flows-summary")).to_contain_text("TEU-eq")
    # lines drawn: wider for more TEU, coloured by V/C (the busiest yards are near or past 0.9 in 2024 transit)
    widths = pg.eval_on_selector_all(".leaflet-overlay-pane path[stroke-width]", "els => els.map(e => Number(e.getAttribute('stroke-width')))")
    assert len(widths) > 20
    assert max(widths) > 8 > min(widths)
    pg.wait_for_timeout(300)
    save_screenshot(pg, "map-flows")
    watch.assert_clean()
