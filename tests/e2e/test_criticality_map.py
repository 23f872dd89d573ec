"""The map's Criticality view, end to end: a real server, headless Chromium, a ranking of the bundled assets."""

from __future__ import annotations

import pytest
from browser_support import Watch, require_browser, save_screenshot

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_criticality_view_colours_assets_by_rank_and_a_click_shows_where_the_flow_goes(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    pg.goto("/static/flows.html")
    pg.wait_for_selector("body[data-ready]")
    pg.locator("a.tab-link", has_text="Criticality").click()
    pg.wait_for_selector("body[data-ready]")
    expect(pg).to_have_title("Criticality · corridor-planner")
    expect(pg.locator("#demand")).to_have_value("uz_kz_2030")
    pg.locator("#rank").click()
    expect(pg.locator("#crit-out")).to_be_visible(timeout=90_000)
    expect(pg.locator("#crit-error")).to_be_hidden()
    expect(pg.locator("#crit-summary")).to_contain_text("390 assets, each closed for 365 day(s); demand uz_kz_2030")
    # the ranked list, most critical first
    ranks = [int(t) for t in pg.locator("#ranking tbody tr td:nth-child(1)").all_inner_texts()]
    assert ranks[:5] == [1, 2, 3, 4, 5]
    assert ranks == sorted(ranks)
    # every assessed asset is on the map: links as lines, places' facilities as dots, the top ten in red
    assert pg.locator("path.asset-link").count() > 200
    assert pg.locator("path.asset-place").count() > 100
    top_colours = pg.eval_on_selector_all("path.asset[stroke='#c92a2a'], path.asset[fill='#c92a2a']", "els => els.length")
    assert top_colours >= 10
    # picking the top asset in the list draws where its flow goes and where it went, and explains it
    first = pg.locator("#ranking tbody tr").first
    name = first.locator("td:nth-child(2)").inner_text()
    first.click()
    expect(first).to_have_attribute("aria-selected", "true")
    expect(pg.locator("#crit-detail")).to_be_visible()
    expect(pg.locator("#detail-heading")).to_contain_text(name)
    expect(pg.locator("#detail-summary")).to_contain_text("Moves to:")
    assert pg.locator("path.diverted").count() > 3
    assert pg.locator("path.vacated").count() >= 1
    assert pg.locator("#detail-flows tbody tr").count() >= 1
    # a click on an asset on the map picks it too: the dots are drawn least critical first, so the last is the
    # most critical place asset, which is in the list
    pg.locator("path.asset-place").last.dispatch_event("click")  # on the dot itself, whatever is drawn over it
    picked = pg.evaluate("document.body.dataset.picked")
    assert picked.split(":")[0] in {"border", "gauge_change", "transshipment", "port"}
    expect(pg.locator(f"#ranking tbody tr[data-asset='{picked}']")).to_have_attribute("aria-selected", "true")
    expect(pg.locator("#ranking tbody tr[aria-selected='true']")).to_have_count(1)
    first.click()
    pg.wait_for_timeout(400)
    save_screenshot(pg, "map-criticality")
    watch.assert_clean()
