"""Timelines in Debian's chromium: brushing to zoom, the entity picker, grouped and labelled
restriction markers, keyboard access, and the narrow layout."""

import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import ADMIN_TOKEN, SAMPLE
from tests.live import live_app, require_chromium

SHOTS = Path(os.environ["CHIPWATCH_SCREENSHOTS"]) if os.environ.get("CHIPWATCH_SCREENSHOTS") else None

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    from app.cli import run_ingest
    from app.config import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("browser-timeline"), admin_token=ADMIN_TOKEN)
    with live_app(settings) as (base, runtime):
        run_ingest(runtime, [str(SAMPLE)], None, None)
        yield base


def _page(browser, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return context, page


@pytest.fixture
def page(browser):
    context, pg = _page(browser)
    yield pg
    context.close()
    assert not pg.errors, f"JavaScript errors: {pg.errors}"


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _drag(page, svg, start: float, end: float) -> None:
    box = svg.bounding_box()
    y = box["y"] + box["height"] * 0.6
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * (start + (end - start) * step / 10), y)
    page.mouse.up()


def test_brushing_a_range_zooms_the_url_and_the_results(page, live_server):
    page.goto(live_server + "/?company=huawei")
    before = page.locator(".hit").count()
    svg = page.locator(".chart svg[data-brush]")
    first, last = (date.fromisoformat(svg.get_attribute(a)) for a in ("data-first", "data-last"))
    _drag(page, svg, 0.55, 0.95)
    page.wait_for_url(re.compile(r"from=\d{4}-\d\d-\d\d.*to=\d{4}-\d\d-\d\d"))
    params = _params(page.url)
    lo, hi = date.fromisoformat(params["from"][0]), date.fromisoformat(params["to"][0])
    assert first < lo < hi <= last and params["company"] == ["huawei"]
    expect(page.locator("#from")).to_have_value(lo.isoformat())
    days = [date.fromisoformat(t[:10]) for t in page.locator(".hit time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))")]
    assert days and all(lo <= d <= hi for d in days)  # the results follow the zoom
    assert len(days) < before or before == 0
    # The chart's interval follows the new range, and Back restores the whole view.
    page.go_back()
    page.wait_for_url(re.compile(r"company=huawei$"))
    expect(page.locator(".hit")).to_have_count(before)


def test_picker_finds_every_script_and_adds_the_entity(page, live_server):
    page.goto(live_server + "/timeline?company=huawei")
    box = page.locator("#picker-input")
    box.click()
    box.type("nvi")
    option = page.locator("#picker-list [role=option]", has_text="Nvidia").first
    expect(option).to_be_visible()
    expect(option).to_contain_text("إنفيديا")
    expect(option).to_contain_text("英伟达")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    while page.locator(f"#{box.get_attribute('aria-activedescendant')}").get_attribute("data-value") != "nvidia":
        box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(r"company=nvidia"))
    assert _params(page.url)["company"] == ["huawei", "nvidia"]
    chips = page.locator(".series-chips .chip")
    expect(chips).to_have_count(2)
    expect(page.locator(".chart polyline.series")).to_have_count(2)
    # The same entity keeps its colour on another page with other company.
    nvidia_slot = page.locator(".series-chips .chip", has_text="Nvidia").locator(".swatch").get_attribute("data-slot")
    page.goto(live_server + "/timeline?chip=h20&company=nvidia")
    again = page.locator(".series-chips .chip", has_text="Nvidia").locator(".swatch").get_attribute("data-slot")
    assert again == nvidia_slot
    # Removing a chip removes the series.
    page.locator(".series-chips .chip", has_text="Nvidia").click()
    page.wait_for_url(re.compile(r"chip=h20(?!.*nvidia)"))
    expect(page.locator(".series-chips .chip")).to_have_count(1)


def test_picker_without_javascript_adds_the_best_match(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/timeline?company=huawei")
        page.fill("#picker-input", "英伟达")
        page.locator(".picker button[type=submit]").click()
        page.wait_for_url(re.compile(r"company=nvidia"))
        expect(page.locator(".series-chips .chip")).to_have_count(2)
    finally:
        context.close()


def test_crowded_restrictions_group_and_expand_on_zoom(page, live_server):
    page.goto(live_server + "/?markers=all")
    group = page.locator(".mark-group").first
    expect(group).to_be_visible()
    count = int(group.locator(".knob-count").text_content())
    assert count >= 2
    label = group.get_attribute("aria-label")
    assert re.match(rf"{count} restrictions, \d{{4}}-\d\d-\d\d to \d{{4}}-\d\d-\d\d: zoom in", label)
    group.locator(".knob").click()
    page.wait_for_url(re.compile(r"from=.*to=.*markers=all"))
    # Zoomed in, the group's restrictions stand apart (each its own labelled marker) or in
    # smaller groups: more markers than before for the same stretch.
    singles = page.locator(".mark:not(.mark-group)")
    expect(singles.first).to_be_visible()
    marks = page.locator(".mark")
    assert marks.count() >= 2


def test_markers_are_reachable_by_keyboard_and_announce_name_and_date(page, live_server):
    page.goto(live_server + "/?company=nvidia")
    marks = page.locator(".chart .mark")
    assert marks.count() >= 1
    page.locator(".chart-tools a").last.focus()
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('mark')"):
            break
    else:
        pytest.fail("no restriction marker reachable with Tab")
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert re.search(r"\d{4}-\d\d-\d\d", name)
    shown = page.evaluate("() => getComputedStyle(document.activeElement.querySelector('.mark-label')).visibility")
    assert shown == "visible"  # the label shows on focus, not only on hover
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"restriction=|/entities/"))
    if SHOTS:
        page.goto(live_server + "/?company=huawei")
        page.locator(".chart .mark .knob").nth(1).hover()
        page.locator(".chart").screenshot(path=str(SHOTS / "search-chart.png"))


@pytest.mark.parametrize("path", ["/timeline?company=nvidia&company=huawei&chip=h20",
                                  "/?company=huawei", "/entities/huawei"])
def test_narrow_screens_have_no_horizontal_scroll(browser, live_server, path):
    context, page = _page(browser, 390, 844)
    try:
        page.goto(live_server + path)
        expect(page.locator(".chart svg")).to_be_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 390 px"
    finally:
        context.close()


def test_share_of_all_articles_and_the_json_twin(page, live_server):
    page.goto(live_server + "/timeline?company=nvidia&scale=share")
    expect(page.locator("table.numbers th", has_text="All articles")).to_have_count(1)
    title = page.locator(".chart svg title").first.text_content()
    assert title.startswith("Share of all articles")
    twin = page.request.get(live_server + "/api/timeline/compare?company=nvidia&scale=share").json()
    assert twin["totals"] and all(b["count"] >= 1 for b in twin["totals"])
    assert twin["interval"] in ("week", "month", "quarter", "year")
    if SHOTS:
        page.goto(live_server + "/timeline?company=nvidia&company=huawei&chip=h20")
        page.locator(".chart").screenshot(path=str(SHOTS / "timeline-chart.png"))
        page.goto(live_server + "/entities/huawei")
        page.locator(".chart").screenshot(path=str(SHOTS / "entity-chart.png"))
