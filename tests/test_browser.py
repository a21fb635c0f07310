"""Real Chromium (Debian's, driven by Playwright) against a live chipwatch on loopback."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ADMIN_TOKEN
from tests.live import sample_app

SHOTS = Path(os.environ["CHIPWATCH_SCREENSHOTS"]) if os.environ.get("CHIPWATCH_SCREENSHOTS") else None

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    with sample_app(tmp_path_factory, "browser") as (base, _runtime):
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def _hit_titles(page) -> list[str]:
    return page.locator(".hit h3").all_inner_texts()


def test_search_facets_url_reload_and_history(page, live_server):
    page.goto(live_server + "/")
    page.fill("#q", "Huawei")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=Huawei"))
    after_query = page.url
    page.locator(".facet a", has_text="English").first.click()
    page.wait_for_url(re.compile(r"lang=en"))
    page.locator(".facet").filter(has_text="Chips").locator("a").first.click()
    page.wait_for_url(re.compile(r"chip="))
    assert "q=Huawei" in page.url and "lang=en" in page.url
    titles, chips = _hit_titles(page), page.locator(".chips .chip").all_inner_texts()
    assert titles and len(chips) == 2
    page.reload()
    assert _hit_titles(page) == titles and page.locator(".chips .chip").all_inner_texts() == chips
    # Back and forward restore each view (htmx re-requests the URL as a whole page).
    page.go_back()
    page.wait_for_url(re.compile(r"lang=en(?!.*chip=)"))
    expect(page.locator(".chips .chip")).to_have_count(1)
    page.go_back()
    page.wait_for_url(after_query)
    expect(page.locator(".chips .chip")).to_have_count(0)
    expect(page.locator("#q")).to_have_value("Huawei")
    page.go_forward()
    page.wait_for_url(re.compile(r"lang=en"))
    expect(page.locator(".chips .chip")).to_have_count(1)
    if SHOTS:
        page.goto(live_server + "/?company=nvidia")
        page.screenshot(path=str(SHOTS / "search.png"))


def test_all_values_of_a_facet_load_when_opened(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator(".facet").filter(has_text="Companies").locator("details.morebox")
    expect(box.locator(".morelist a")).to_have_count(1)  # only the "Show all" link until opened
    box.locator("summary").click()
    values = box.locator(".morelist li a")
    expect(values.first).to_be_visible()
    assert values.count() > 8
    chosen = values.nth(9)
    name = chosen.locator("span[dir]").inner_text()
    chosen.click()  # like any facet link: the results swap in, the URL says so
    page.wait_for_url(re.compile(r"company=.*lang=en"))
    expect(page.locator(".chips .chip", has_text=name)).to_have_count(1)


def test_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(live_server + "/?q=DeepSeek")
    pg.locator(".facet a", has_text="العربية").first.click()
    pg.wait_for_url(re.compile(r"lang=ar"))
    expect(pg.locator(".hit").first).to_be_visible()
    pg.goto(live_server + "/")
    box = pg.locator(".facet").filter(has_text="Companies").locator("details.morebox")
    box.locator("summary").click()
    box.locator(".morelist a", has_text="Show all").click()  # no JavaScript: a page of them
    pg.wait_for_url(re.compile(r"/facets/company"))
    assert pg.locator("ul.facet-values li").count() > 8
    context.close()


def test_arabic_article_reads_right_to_left(page, live_server):
    page.goto(live_server + "/?lang=ar")
    page.locator(".hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/articles/\d+"))
    body = page.locator(".article .body")
    assert body.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator("h1").evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator(".mention").count() > 0
    if SHOTS:
        page.screenshot(path=str(SHOTS / "article-ar.png"))


def test_save_a_view_then_open_its_feed_and_csv(page, live_server):
    page.goto(live_server + "/admin")
    page.fill("#token", ADMIN_TOKEN)
    page.click("button[type=submit]")
    # The login posts and redirects back to /admin: wait for the logged-in page, not the URL.
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(live_server + "/?chip=h20&lang=ar")
    page.fill("#view-name", "H20 in Arabic")
    page.click(".saveview button")
    page.wait_for_url(live_server + "/views")
    view = page.locator(".view", has_text="H20 in Arabic")
    assert view.count() == 1
    feed = page.request.get(live_server + view.locator("a", has_text="Atom").get_attribute("href"))
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    assert b"<entry>" in feed.body() or b"<entry " in feed.body()
    export = page.request.get(live_server + view.locator("a", has_text="CSV").get_attribute("href"))
    assert export.ok and export.body().startswith("\ufeff".encode())
    assert "ar" in export.body().decode("utf-8-sig")
    view.locator("a").first.click()
    page.wait_for_url(re.compile(r"chip=h20&lang=ar"))
    expect(page.locator(".chips .chip")).to_have_count(2)


def test_timeline_and_entity_pages(page, live_server):
    page.goto(live_server + "/timeline?company=nvidia&company=huawei&interval=year")
    assert page.locator("table.numbers tbody tr").count() > 0
    if SHOTS:
        page.screenshot(path=str(SHOTS / "timeline.png"))
    page.locator("table.numbers a").first.click()
    page.wait_for_url(re.compile(r"/\?company=(nvidia|huawei)&from="))
    expect(page.locator(".hit").first).to_be_visible()
    page.goto(live_server + "/entities/huawei")
    assert page.locator("h1").inner_text() == "Huawei"
    if SHOTS:
        page.screenshot(path=str(SHOTS / "entity.png"))


def test_keyboard_only_search(page, live_server):
    """Skip link first, then the search box; a facet is reachable and applied with Enter."""
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")  # skip to content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Huawei")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Huawei"))
    for _ in range(40):  # tab forward to the first facet link
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.facet')"):
            break
    else:
        raise AssertionError("no facet link reachable by keyboard")
    page.keyboard.press("Enter")
    expect(page.locator(".chips .chip")).to_have_count(1)
