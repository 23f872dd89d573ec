"""The corridor map, end to end: a real `corridor serve` on a free loopback port, driven in headless Chromium.

Needs Debian's Chromium (/usr/bin/chromium, or CORRIDOR_CHROMIUM) and the `playwright` Python package
(which is only the driver: it never downloads a browser here). Without them these tests are skipped, unless
CORRIDOR_REQUIRE_BROWSER=1 (as in CI), which turns the skip into a failure. Pages reach nothing but the
loopback server. Each test leaves one screenshot in tests/artifacts/.
"""

from __future__ import annotations

import json
import math
import re
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from browser_support import NARROW, OpenPage, Watch, require_browser, save_screenshot

import planner

require_browser()

from playwright.sync_api import Page, Route, expect  # noqa: E402

pytestmark = pytest.mark.browser


def _open(pg: Page, path: str = "/") -> None:
    pg.goto(path)
    pg.wait_for_selector("body[data-ready]")


def _shot(pg: Page, name: str) -> None:
    pg.wait_for_timeout(300)  # let a zoom the user started (a click on +) finish its animation
    save_screenshot(pg, f"map-{name}")


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
    # the legend starts collapsed on a map this narrow; opened, a corridor can be switched on from it
    legend = pg.locator("details.legend")
    expect(legend).not_to_have_attribute("open", "")
    legend.locator("summary").click()
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
    # the planner's message names countries by code; the map shows their names
    expect(pg.get_by_role("alert")).to_contain_text("avoiding Kazakhstan, Kyrgyzstan")
    expect(pg.get_by_role("alert")).not_to_contain_text(re.compile(r"\bKZ\b"))
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

    # A scenario that touches routes through Khorgos, so their rows show today's value beside the scenario's.
    name = "khorgos_congestion"
    assert pg.locator(f"#scenario option[value='{name}']").count() == 1
    pg.get_by_label("What-if scenario").select_option(name)
    pg.get_by_role("button", name="Compare").click()
    pg.wait_for_selector("body[data-result='compare']")
    expect(pg.locator("#compare-note")).to_contain_text("Scenario:")
    expect(pg.locator("#compare-table tbody td .sub-line", has_text="today").first).to_be_visible()
    assert f"scenario={name}" in pg.url
    _shot(pg, "compare-scenario")
    watch.assert_clean()


# --- the view: routes fitted on every load ---------------------------------------------------------

ROUTE_LINES = ".leaflet-pane.leaflet-routes-pane path.leaflet-interactive"
Box = dict[str, float]


def _boxes(pg: Page, selector: str) -> list[Box]:
    boxes: list[Box] = pg.eval_on_selector_all(
        selector,
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect();"
        " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })",
    )
    return boxes


def _union(boxes: list[Box]) -> Box:
    return {
        "left": min(b["left"] for b in boxes),
        "top": min(b["top"] for b in boxes),
        "right": max(b["right"] for b in boxes),
        "bottom": max(b["bottom"] for b in boxes),
    }


def _fit_problem(pg: Page) -> str | None:
    """Why the drawn routes are not fitted to the map, or None: they lie inside the visible map and fill at
    least half of its width or height (at world zoom a route is a short squiggle in the middle)."""
    lines = _boxes(pg, ROUTE_LINES)
    if not lines:
        return "no route drawn"
    routes, view = _union(lines), _boxes(pg, "#map")[0]
    outside = [side for side in ("left", "top") if routes[side] < view[side] - 1] + [
        side for side in ("right", "bottom") if routes[side] > view[side] + 1
    ]
    if outside:
        return f"routes {routes} stick out of the map {view} on the {', '.join(outside)}"
    width = (routes["right"] - routes["left"]) / (view["right"] - view["left"])
    height = (routes["bottom"] - routes["top"]) / (view["bottom"] - view["top"])
    if max(width, height) < 0.5:
        return f"routes fill only {width:.0%} of the map's width and {height:.0%} of its height"
    return None


def _assert_fitted(pg: Page, *, settle_ms: int = 600) -> None:
    """Fitted now (within a few seconds) and still fitted once anything that was going to move the map has."""
    problem = _fit_problem(pg)
    for _ in range(30):
        if problem is None:
            break
        pg.wait_for_timeout(100)
        problem = _fit_problem(pg)
    assert problem is None
    pg.wait_for_timeout(settle_ms)
    assert _fit_problem(pg) is None


def test_a_shared_link_fits_the_routes_on_every_load(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    # A short route answered from the server's cache comes back while the map is still settling: the case
    # where a fit used to be dropped. Five loads of it, then a long one.
    for _ in range(5):
        pg.goto("/?from=Kashgar&to=Tashkent&k=1")
        pg.wait_for_selector("body[data-result='routes']")
        _assert_fitted(pg)
    pg.goto("/?from=Xi%27an&to=Tashkent&k=1")
    pg.wait_for_selector("body[data-result='routes']")
    _assert_fitted(pg)
    _shot(pg, "shared-link-fitted")
    watch.assert_clean()


def _intersects(a: Box, b: Box) -> bool:
    return a["left"] < b["right"] and a["right"] > b["left"] and a["top"] < b["bottom"] and a["bottom"] > b["top"]


def test_the_legend_collapsed_on_a_900px_window_leaves_the_routes_visible(open_page: OpenPage) -> None:
    pg, watch = open_page(NARROW)
    pg.goto("/?from=Shanghai&to=Rotterdam&rank=cost&max_stretch=3")  # round India by sea and by rail: a wide extent
    pg.wait_for_selector("body[data-result='routes']")
    legend = pg.locator("details.legend")
    expect(legend).not_to_have_attribute("open", "")  # collapsed by default on a map this narrow
    _assert_fitted(pg)
    lines = _boxes(pg, ROUTE_LINES)
    assert len(lines) == 3
    assert [b for b in lines if _intersects(b, _boxes(pg, "details.legend")[0])] == []
    # opened, the legend still covers no route: the map refits around it ...
    legend.locator("summary").click()
    expect(legend).to_have_attribute("open", "")
    _assert_fitted(pg, settle_ms=300)
    assert [b for b in _boxes(pg, ROUTE_LINES) if _intersects(b, _boxes(pg, "details.legend")[0])] == []
    # ... and collapsed again, the routes get the room back
    legend.locator("summary").click()
    expect(legend).not_to_have_attribute("open", "")
    _assert_fitted(pg, settle_ms=300)
    assert [b for b in _boxes(pg, ROUTE_LINES) if _intersects(b, _boxes(pg, "details.legend")[0])] == []
    _shot(pg, "legend-collapsed-900px")
    watch.assert_clean()


# --- colours ----------------------------------------------------------------------------------------


def _hue(colour: str) -> float:
    """Perceptual hue in degrees (OKLCH) of a #rrggbb or rgb(r, g, b) colour."""
    if colour.startswith("#"):
        srgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    else:
        srgb = [int(x) / 255 for x in re.findall(r"\d+", colour)[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb)
    l_, m_, s_ = (
        (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3),
        (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3),
        (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3),
    )
    a = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_
    b_ = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_
    return math.degrees(math.atan2(b_, a)) % 360


def _hue_gap(a: str, b: str) -> float:
    gap = abs(_hue(a) - _hue(b)) % 360
    return min(gap, 360 - gap)


def _row_corridor(text: str, names: dict[str, str]) -> str | None:
    """The corridor name a comparison row's heading starts with, if any."""
    return next((name for name in names if text.startswith(name)), None)


MIN_HUE_GAP = 15.0  # degrees between any route colour and any corridor colour


def test_route_colours_share_no_hue_with_corridor_colours_in_the_palettes_and_on_the_map(
    page: tuple[Page, Watch],
) -> None:
    # the hue measure itself, on CSS named colours: red 29°, lime 142°, blue 264° (OKLCH)
    assert [round(_hue(c)) for c in ("#ff0000", "rgb(0, 255, 0)", "#0000ff")] == [29, 142, 264]
    pg, watch = page
    _open(pg, "/?view=compare&from=Xi%27an&to=Istanbul")
    pg.wait_for_selector("body[data-result='compare']")
    palettes = pg.evaluate(
        "() => ['--route-colours', '--corridor-colours'].map(v =>"
        " getComputedStyle(document.documentElement).getPropertyValue(v).trim().split(/\\s+/))"
    )
    routes, corridors = palettes
    network = planner.load_network()
    assert len(routes) >= len(network.corridors) + 1  # a comparison draws the best overall and one per corridor
    assert len(corridors) >= len(network.corridors)
    for palette in (routes, corridors):
        assert len({c.lower() for c in palette}) == len(palette)
    close = [(r, c, round(_hue_gap(r, c))) for r in routes for c in corridors if _hue_gap(r, c) < MIN_HUE_GAP]
    assert close == []
    assert min(_hue_gap(a, b) for i, a in enumerate(routes) for b in routes[i + 1 :]) >= 30

    # what is drawn comes from those palettes: every corridor switched on beside the compared routes
    pg.locator("details.legend summary").click()
    for box in pg.locator(".legend input[data-corridor]").all():
        box.check()
    drawn_routes = pg.eval_on_selector_all(ROUTE_LINES, "ns => ns.map(n => n.getAttribute('stroke'))")
    drawn_corridors = pg.eval_on_selector_all(
        ".leaflet-corridors-pane path", "ns => ns.map(n => n.getAttribute('stroke'))"
    )
    assert len(drawn_routes) >= 3
    assert len(set(drawn_corridors)) == len(network.corridors)
    assert {c.lower() for c in drawn_routes} <= {c.lower() for c in routes}
    assert {c.lower() for c in drawn_corridors} <= {c.lower() for c in corridors}
    # and the route along a corridor is far from that corridor's colour, whichever corridors are compared
    for query, at_least in (("", 2), ("&corridor=titr", 1)):
        pg.goto(f"/?view=compare&from=Xi%27an&to=Istanbul{query}")
        pg.wait_for_selector("body[data-result='compare']")
        corridor_colours = dict(
            pg.eval_on_selector_all(
                ".legend label", "ns => ns.map(n => [n.querySelector('input').value, n.querySelector('.line').style.borderColor])"
            )
        )
        rows = pg.eval_on_selector_all(
            "#compare-table tbody tr",
            "rs => rs.map(r => [r.querySelector('th').textContent, getComputedStyle(r.querySelector('.dot')).backgroundColor])",
        )
        names = {c.name: c.id for c in network.corridors.values()}
        checked = 0
        for heading, dot in rows:
            name = _row_corridor(heading, names)
            if name is None or dot.endswith(", 0)"):  # the best overall; a row without a route (no dot)
                continue
            band = corridor_colours[names[name]]
            assert _hue_gap(dot, band) >= 90, (name, dot, band)
            checked += 1
        assert checked >= at_least
    _shot(pg, "palettes")
    watch.assert_clean()


# --- the comparison -----------------------------------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_cku_table() -> dict[str, list[str]]:
    """The README's `corridor compare Kashgar Tashkent --corridor cku --rank cost --scenario cku_opened` rows
    (each corridor's row, then its "  scenario" row): label -> [typical d, P50 d, P90 d, range d, USD, ...]."""
    text = README.read_text(encoding="utf-8")
    block = text.split("$ corridor compare Kashgar Tashkent --corridor cku --rank cost --scenario cku_opened", 1)[1]
    block = block.split("```", 1)[0]
    rows: dict[str, list[str]] = {}
    label = ""
    for line in block.splitlines():
        found = re.match(r"^(best \(any corridor\)|cku)\s{2,}(.*)$", line)
        if found:
            label = found[1]
            rows[label] = found[2].split()
        found = re.match(r"^  scenario\s{2,}(.*)$", line)
        if found and label:
            rows[label + " [scenario]"] = found[1].split()
    assert set(rows) == {"best (any corridor)", "best (any corridor) [scenario]", "cku", "cku [scenario]"}
    return rows


def _cells(pg: Page, row: int) -> list[tuple[str, str]]:
    """(value under the scenario, today's value) for typical days, P50 days, P90 days and USD of one comparison row."""
    out = []
    for cell in pg.locator("#compare-table tbody tr").nth(row).locator("td").all()[:4]:
        now = cell.locator(".scen-value").inner_text()
        sub = cell.locator(".sub-line").inner_text() if cell.locator(".sub-line").count() else "unchanged"
        today = now if sub == "unchanged" else re.match(r"today (\S+)", sub)[1]  # type: ignore[index]
        out.append((now.lstrip("$").replace(",", ""), today.lstrip("$").replace(",", "")))
    return out


def test_the_comparison_takes_rank_and_shipment_and_reproduces_the_readme_cku_comparison(
    page: tuple[Page, Watch],
) -> None:
    pg, watch = page
    _open(pg)
    pg.get_by_role("tab", name="Compare corridors").click()
    pg.get_by_role("combobox", name="Origin").fill("Kashgar")
    pg.get_by_role("combobox", name="Destination").fill("Tashkent")
    expect(pg.get_by_label("Rank by")).to_be_visible()
    expect(pg.get_by_label("Rank by").locator("option[value=pareto]")).to_be_disabled()
    pg.get_by_label("Rank by").select_option("cost")
    expect(pg.get_by_label("Shipment", exact=True)).to_be_visible()
    pg.get_by_label("Shipment", exact=True).fill("1")
    pg.get_by_label("Shipment unit").select_option("teu")
    pg.locator("#compare-corridors input[value=cku]").check()
    pg.get_by_label("What-if scenario").select_option("cku_opened")
    expect(pg.locator("#scenario-description")).to_contain_text("Kashgar – Makmal")  # names, not link ids
    expect(pg.locator("#scenario-description")).not_to_contain_text(re.compile(r"\bl08[45]\b"))
    pg.get_by_role("button", name="Compare").click()
    pg.wait_for_selector("body[data-result='compare']")
    assert "rank=cost" in pg.url
    assert "corridor=cku" in pg.url
    assert "scenario=cku_opened" in pg.url
    expect(pg.locator("#compare-heading")).to_have_text("Cheapest route per corridor: Kashgar → Tashkent, 1 TEU")
    expect(pg.locator("#compare-table tbody tr")).to_have_count(2)

    readme = _readme_cku_table()
    for row, label in enumerate(["best (any corridor)", "cku"]):
        today, scenario = readme[label], readme[label + " [scenario]"]
        want = [(scenario[i], today[i]) for i in (0, 1, 2, 4)]  # typical d, P50 d, P90 d, USD
        assert _cells(pg, row) == [(s.replace(",", ""), t.replace(",", "")) for s, t in want], label
    expect(pg.locator("#compare-table tbody tr").nth(1)).to_contain_text("China–Kyrgyzstan–Uzbekistan railway")
    _assert_fitted(pg)

    # the shipment goes to the API: 2 TEU cost more than 1
    usd_one = _cells(pg, 0)[3][0]
    pg.get_by_label("Shipment", exact=True).fill("2")
    pg.get_by_role("button", name="Compare").click()
    expect(pg.locator("#compare-heading")).to_have_text("Cheapest route per corridor: Kashgar → Tashkent, 2 TEU")
    pg.wait_for_selector("body[data-result='compare']")
    assert "teu=2" in pg.url
    assert float(_cells(pg, 0)[3][0]) > float(usd_one)
    _shot(pg, "compare-cku-by-cost")
    watch.assert_clean()


# --- names instead of ids ---------------------------------------------------------------------------


def test_messages_name_links_and_places_whether_the_api_gives_ids_or_names(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    _open(pg, "/?view=compare&from=Xi%27an&to=Istanbul&corridor=cku")
    pg.wait_for_selector("body[data-result='compare']")
    reason = pg.locator("#compare-table tbody tr").nth(1).locator(".sub-line").first
    # The API names links by their places, with the id the page drops.
    expect(reason).to_contain_text("planned links not yet in operation (Kashgar–Makmal rail link, Makmal–Jalal-Abad rail link)")
    expect(pg.locator("#compare-table")).not_to_contain_text(re.compile(r"\bl\d{3}\b"))

    def rewritten(tail: str) -> Any:
        """Serve the comparison with the cku reason's list of links replaced by ``tail``."""

        def handler(route: Route) -> None:
            response = route.fetch()
            body = response.json()
            for row in body["rows"]:
                if row["reason"]:
                    row["reason"] = re.sub(r"not yet in operation \(.*\)$", "not yet in operation " + tail, row["reason"])
            route.fulfill(response=response, body=json.dumps(body))

        return handler

    # Bare ids become the links' ends.
    pg.route("**/v1/compare?*", rewritten("(l084, l085)"))
    pg.get_by_role("button", name="Compare").click()
    pg.wait_for_selector("body[data-result='compare']")
    expect(reason).to_contain_text("planned links not yet in operation (Kashgar – Makmal, Makmal – Jalal-Abad)")
    expect(pg.locator("#compare-table")).not_to_contain_text(re.compile(r"\bl\d{3}\b"))
    pg.unroute("**/v1/compare?*")

    # A message that already carries names next to its ids shows each name once.
    pg.route("**/v1/compare?*", rewritten("(Kashgar–Makmal l084, Makmal–Jalal-Abad (l085)) at Horgos (CN) (horgos_cn)"))
    pg.get_by_role("button", name="Compare").click()
    pg.wait_for_selector("body[data-result='compare']")
    expect(reason).to_contain_text("(Kashgar–Makmal, Makmal–Jalal-Abad) at Horgos (CN)")
    expect(reason).not_to_contain_text("(horgos_cn)")
    expect(pg.locator("#compare-table")).not_to_contain_text(re.compile(r"\bl\d{3}\b"))
    _shot(pg, "names-not-ids")
    watch.assert_clean()


# --- place labels -------------------------------------------------------------------------------------


def _label_boxes(pg: Page) -> dict[str, Box]:
    texts: list[str] = pg.eval_on_selector_all(".place-label", "ns => ns.map(n => n.textContent)")
    return dict(zip(texts, _boxes(pg, ".place-label"), strict=True))


def _overlapping(labels: dict[str, Box]) -> list[tuple[str, str]]:
    return [(a, b) for (a, box_a), (b, box_b) in combinations(labels.items(), 2) if _intersects(box_a, box_b)]


def test_place_labels_name_the_main_places_first_and_every_place_zoomed_in_never_overlapping(
    page: tuple[Page, Watch],
) -> None:
    pg, watch = page
    _open(pg)
    opening = _label_boxes(pg)
    assert {"Tashkent", "Almaty", "Moscow", "Istanbul", "Baku"} <= set(opening)
    assert "Irkeshtam Pass BCP" not in opening  # border posts wait for a closer zoom
    assert 8 <= len(opening) <= 40
    assert _overlapping(opening) == []
    assert [name for name, box in opening.items() if _intersects(box, _boxes(pg, "details.legend")[0])] == []

    # zoomed in on the Ferghana valley, the border posts get their names too
    pg.goto("/?from=Kashgar&to=Andijan&k=1")
    pg.wait_for_selector("body[data-result='routes']")
    _assert_fitted(pg)
    zoomed = _label_boxes(pg)
    assert {"Kashgar", "Andijan", "Osh", "Irkeshtam Pass BCP"} <= set(zoomed)
    assert _overlapping(zoomed) == []
    _shot(pg, "labels")
    watch.assert_clean()


# --- service levels, boxes and dates ----------------------------------------------------------------


def test_service_box_and_ready_date_go_to_the_api_and_arrival_dates_are_shown(page: tuple[Page, Watch]) -> None:
    pg, watch = page
    _open(pg, "/?from=Chongqing&to=Duisburg&k=1&service=express&departure_date=2025-03-08")
    pg.wait_for_selector("body[data-result='routes']")
    expect(pg.get_by_label("Service")).to_have_value("express")
    expect(pg.get_by_label("Ready on")).to_have_value("2025-03-08")
    expect(pg.locator("#routes-heading")).to_contain_text("express service, ready 2025-03-08")
    row = pg.locator("#routes-table tbody tr").first
    expect(row.locator(".arrival")).to_have_text(re.compile(r"^arrives 2025-03-\d\d \(P50\), 2025-03-\d\d \(P90\)$"))
    saturday = row.locator(".arrival").inner_text()
    # The weekly express train leaves Chongqing on Saturdays: ready a day later, it waits six more days.
    pg.get_by_label("Ready on").fill("2025-03-09")
    pg.get_by_role("button", name="Find routes").click()
    expect(row.locator(".arrival")).not_to_have_text(saturday)
    assert "departure_date=2025-03-09" in pg.url
    expect(pg.locator("#legs-list")).to_contain_text("Sat")
    # A 40 ft box: one box of 2 TEU, priced by the API; the standard level in the URL.
    pg.get_by_label("Ready on").fill("")
    pg.get_by_label("Service").select_option("standard")
    pg.get_by_label("Box").select_option("40ft")
    expect(pg.get_by_label("Shipment", exact=True)).to_have_value("2")
    pg.get_by_role("button", name="Find routes").click()
    expect(pg.locator("#routes-heading")).to_contain_text("2 TEU in 40ft boxes, standard service")
    assert "service=standard" in pg.url
    assert "container=40ft" in pg.url
    _shot(pg, "service-and-dates")
    watch.assert_clean()
