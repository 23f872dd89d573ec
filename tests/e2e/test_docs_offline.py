"""/docs (Swagger UI) and /redoc (ReDoc) render with no internet: every request that is not for the loopback
server is aborted, and none may even be tried (no CDN script, no web font, no online validator)."""

from __future__ import annotations

import pytest
from browser_support import TIMEOUT_MS, OpenPage, Watch, require_browser, save_screenshot

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


def _settle(pg: Page) -> None:
    pg.wait_for_load_state("networkidle")  # a font or worker fetched late would show up in Watch by now


def test_swagger_ui_at_docs_renders_every_operation_offline(open_page: OpenPage) -> None:
    pg, watch = open_page(abort_offsite=True)
    pg.goto("/docs")
    expect(pg.locator(".swagger-ui .info .title")).to_contain_text("corridor-planner")
    routes = pg.locator(".opblock.opblock-get", has=pg.locator(".opblock-summary-path[data-path='/v1/routes']"))
    expect(routes).to_have_count(1)
    expect(pg.locator(".opblock-summary-path[data-path='/v1/compare']")).to_have_count(2)  # GET and POST
    assert pg.locator(".opblock").count() >= 10
    # an operation opens with its parameters: the spec really is loaded, not just the page chrome (GET's
    # query is one object parameter, its fields each a query parameter, with a real example)
    routes.locator(".opblock-summary-control").click()
    expect(routes.locator(".parameters-container")).to_contain_text("The request's fields")
    expect(routes.locator(".parameters-container")).to_contain_text("Duisburg")
    _settle(pg)
    save_screenshot(pg, "docs-swagger-offline")
    _assert_offline(watch)


def test_redoc_at_redoc_renders_every_operation_offline(open_page: OpenPage) -> None:
    pg, watch = open_page(abort_offsite=True)
    pg.goto("/redoc")
    menu = pg.locator("[role='menuitem'], .menu-content li")
    # ReDoc lays out the whole spec (~480 KB, every example) before it shows anything: ~6 s on one core
    expect(pg.locator(".api-info h1")).to_contain_text("corridor-planner", timeout=TIMEOUT_MS)
    expect(pg.locator(".menu-content")).to_contain_text("Ranked routes between two places")
    assert menu.count() >= 10
    # the operation's own section, with its path, is rendered from the spec
    expect(pg.get_by_text("/v1/routes", exact=True).first).to_be_attached()
    # search runs in a web worker from a blob: URL, which must work offline too
    pg.locator(".menu-content input[placeholder='Search...']").fill("compare")
    expect(pg.locator("[data-role='search:results']")).to_contain_text("Compare corridors")
    _settle(pg)
    save_screenshot(pg, "docs-redoc-offline")
    _assert_offline(watch)


def _assert_offline(watch: Watch) -> None:
    assert watch.blocked == [], "the docs page tried to reach another host"
    assert [u for u in watch.urls if "fonts.googleapis" in u or "fonts.gstatic" in u] == []
    watch.assert_clean()
