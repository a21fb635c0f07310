"""The analyst's day (issue #26) in real Chromium: state kept, narrow screens, focus, feeds,
exports, form errors, confirmations, and bidirectional isolation of untrusted text (#23)."""

import csv
import io
import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest
from playwright.sync_api import expect

from tests.conftest import ADMIN_TOKEN
from tests.live import sample_app

pytestmark = pytest.mark.browser
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RLO = "\u202e"
# One article with many tags, five of them restrictions, which come last in the text.
MANY_TAGS = {
    "title": "Chip makers weigh a decade of US export rules",
    "lang": "en", "published_at": "2025-03-03", "source": "Test Desk",
    "body": ("Nvidia, AMD, Intel, Huawei, SMIC, TSMC, Samsung, Micron, ASML, Alibaba, Baidu and "
             "Tencent discussed the H20, H100, A100 and Ascend 910B chips sold in China, Taiwan, "
             "Japan and the Netherlands. Analysts recalled the ZTE ban, the Huawei blacklist, the "
             "SMIC blacklisting, the YMTC blacklisting and the October 7 rules."),
}


@pytest.fixture(scope="module")
def live_runtime(tmp_path_factory):
    with sample_app(tmp_path_factory, "browser-ux") as (base, runtime):
        yield base, runtime


@pytest.fixture(scope="module")
def live(live_runtime):
    return live_runtime[0]


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    assert not errors, f"JavaScript errors: {errors}"


def post_articles(page, base, *articles) -> list[int]:
    response = page.request.post(base + "/api/articles", data=list(articles),
                                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.ok, response.text()
    return response.json()["article_ids"]


def log_in_from(page, base, path) -> None:
    """Open `path`, follow its login link, log in: the login comes back to `path`."""
    page.goto(base + path)
    page.get_by_role("link", name="Log in to save this view").click()
    page.wait_for_url(re.compile(r"/admin\?next="))
    page.fill("#token", ADMIN_TOKEN)
    page.click("form[action='/admin/login'] button[type=submit]")
    page.wait_for_url(base + path)
    expect(page.locator("#view-name")).to_be_visible()  # the save box, on the page we came from


def test_typed_query_and_sort_survive_a_facet_click(page, live):
    page.goto(live + "/")
    page.fill("#q", "Huawei")  # typed, not submitted
    page.select_option("#sort", "oldest")
    page.locator(".facet a", has_text="English").first.click()
    page.wait_for_url(re.compile(r"q=Huawei.*lang=en.*sort=oldest"))
    expect(page.locator(".chips .chip")).to_have_count(1)
    expect(page.locator("#q")).to_have_value("Huawei")
    expect(page.locator("#sort")).to_have_value("oldest")
    # The "All N" values are fetched for the typed query too.
    page.fill("#q", "Nvidia")
    box = page.locator(".facet").filter(has_text="Companies").locator("details.morebox")
    box.locator("summary").click()
    first = box.locator(".morelist li a").first
    expect(first).to_have_attribute("href", re.compile(r"q=Nvidia"))
    # Without JavaScript the links still carry the submitted query and sort.
    assert "q=Huawei" in page.locator(".facet a").first.get_attribute("href")


def test_a_card_lists_its_restrictions_first_and_counts_the_rest(page, live):
    (article_id,) = post_articles(page, live, MANY_TAGS)
    detail = page.request.get(f"{live}/api/articles/{article_id}").json()
    restrictions = {e["name"] for e in detail["entities"] if e["type"] == "restriction"}
    assert len(restrictions) >= 4 and len(detail["entities"]) > 12  # the case the card must handle
    page.goto(live + "/?q=" + "decade of US export rules")
    card = page.locator(".hit", has=page.locator(f"a[href='/articles/{article_id}']"))
    tags = card.locator(".tags li:not(.tag-more)")
    names = tags.all_inner_texts()
    assert restrictions <= set(names)
    assert names[:len(restrictions)] == [n for n in names if n in restrictions]  # first
    more = card.locator(".tag-more")
    expect(more).to_have_text(f"+{len(detail['entities']) - len(names)} more")


def test_at_390px_a_facet_is_reachable_within_one_screen(browser, live):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(live + "/?q=Huawei")
    toggle = page.locator(".filterbox > summary")
    expect(toggle).to_be_visible()
    assert toggle.bounding_box()["y"] + toggle.bounding_box()["height"] <= 844
    toggle.tap()
    facet = page.locator(".facet a").first
    expect(facet).to_be_visible()
    box = facet.bounding_box()
    assert box["y"] + box["height"] <= 844, box  # no scrolling needed
    assert box["height"] >= 24
    # The results follow the filters, and tags are comfortable targets too.
    assert page.locator(".results").bounding_box()["y"] > page.locator(".facets").bounding_box()["y"]
    assert page.locator(".hit .tag a").first.bounding_box()["height"] >= 24
    facet.tap()
    page.wait_for_url(re.compile(r"q=Huawei&"))
    expect(page.locator(".filterbox")).to_have_attribute("open", "")  # left as the reader left it
    ctx.close()


def test_focus_stays_on_the_activated_facet_and_the_count_is_announced(page, live):
    page.goto(live + "/")
    link = page.locator(".facet a[data-key='lang:en']")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"lang=en"))
    expect(page.locator(".chips .chip")).to_have_count(1)
    expect(page.locator(".facet a[data-key='lang:en']")).to_be_focused()
    total = page.locator(".total-count").inner_text()
    expect(page.locator("#result-status")).to_have_text(total)
    # The live region covers the count only, not the results.
    assert page.locator("[aria-live]").count() == 1
    # Next page from the bottom: back at the results' top, focus on the pager link.
    page.goto(live + "/")
    page.locator("a[rel=next]").scroll_into_view_if_needed()
    page.locator("a[rel=next]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator("a[data-key='pager:next']")).to_be_focused()
    # The same handler focused and scrolled: once focus is back, the scroll is done.
    assert abs(page.locator("#results").evaluate("el => el.getBoundingClientRect().top")) < 1  # at the top
    assert page.evaluate("window.scrollY") > 0  # it scrolled to them, not to the page's top


def test_back_returns_to_the_exact_search(page, live):
    page.goto(live + "/?lang=ar&sort=oldest")
    page.locator(".facet a[data-key='company:huawei']").click()
    page.wait_for_url(re.compile(r"company=huawei"))
    came_from = page.url
    page.locator(".hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/articles/\d+"))
    page.get_by_role("link", name="← Back to search").click()
    page.wait_for_url(came_from)
    expect(page.locator(".chips .chip")).to_have_count(2)


def test_view_feed_sorted_oldest_first_lists_a_new_article_first(page, live):
    log_in_from(page, live, "/?chip=h20&sort=oldest")
    page.fill("#view-name", "H20 oldest first")
    page.click(".saveview button")
    page.wait_for_url(live + "/views")
    view = page.locator(".view", has_text="H20 oldest first")
    expect(view.locator(".chip", has_text="Chip: H20")).to_have_count(1)  # readable, not a query
    now = datetime.now(UTC).isoformat(timespec="seconds")
    title = f"Nvidia H20 shipments resume under new licences {now}"
    post_articles(page, live, {"title": title, "lang": "en", "published_at": now,
                               "body": "Nvidia said H20 shipments to China resume under licences."},
                  {"title": "مبيعات شريحة H20 من إنفيديا", "lang": "ar", "published_at": "2025-02-01",
                   "body": "قالت إنفيديا إن مبيعات شريحة H20 إلى الصين تتطلب ترخيصا."})
    feed_url = live + view.locator("a", has_text="Atom").get_attribute("href")
    feed = ET.fromstring(page.request.get(feed_url).body())
    entries = feed.findall(f"{ATOM}entry")
    assert entries[0].find(f"{ATOM}title").text == title
    dates = [e.find(f"{ATOM}published").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert feed.find(f"{ATOM}title").text == "chipwatch: chip: H20"  # names, not ids
    assert {e.get(XML_LANG) for e in entries} >= {"en", "ar"}
    # Opened in the browser: a page with the address to subscribe to.
    page.goto(feed_url)
    expect(page.locator("#feed-url")).to_have_value(feed_url)
    expect(page.locator(".hit h2").first).to_have_text(title)


def test_csv_date_column_is_an_iso_date_and_the_file_is_named(page, live):
    log_in_from(page, live, "/?lang=zh")
    page.fill("#view-name", "Chinese coverage")
    page.click(".saveview button")
    page.wait_for_url(live + "/views")
    with page.expect_download() as info:
        page.locator(".view", has_text="Chinese coverage").locator("a", has_text="CSV").click()
    download = info.value
    today = datetime.now(UTC).date().isoformat()
    assert download.suggested_filename == f"chipwatch-chinese-coverage-{today}.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]) for r in rows)
    assert all(r["published_at"].startswith(r["date"]) for r in rows)


def test_from_after_to_shows_the_form_with_the_message(page, live):
    page.goto(live + "/?q=Nvidia")
    page.fill("#from", "2025-06-01")
    page.fill("#to", "2025-01-31")
    page.click("form.searchbar button[type=submit]")
    error = page.locator(".field-error")
    expect(error).to_contain_text("From (2025-06-01) is after To (2025-01-31)")
    expect(page.locator("#from")).to_have_value("2025-06-01")
    expect(page.locator("#from")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q")).to_have_value("Nvidia")
    # A cold load (no JavaScript involved) answers 422 with the same form.
    response = page.goto(live + "/?q=Nvidia&from=2025-06-01&to=2025-01-31")
    assert response.status == 422
    expect(page.locator(".field-error")).to_be_visible()
    expect(page.locator(".hit").first).to_be_visible()  # the other filters still show results


def test_deleting_a_view_asks_first(page, live):
    log_in_from(page, live, "/?chip=h100")
    page.fill("#view-name", "H100 to delete")
    page.click(".saveview button")
    page.wait_for_url(live + "/views")
    page.locator(".view", has_text="H100 to delete").locator("a.button", has_text="Delete").click()
    page.wait_for_url(re.compile(r"/views/\d+/delete"))
    expect(page.locator("h1")).to_have_text("Delete this saved view?")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(live + "/views")
    expect(page.locator(".view", has_text="H100 to delete")).to_have_count(1)  # nothing lost
    page.locator(".view", has_text="H100 to delete").locator("a.button", has_text="Delete").click()
    page.get_by_role("button", name="Delete the view").click()
    page.wait_for_url(live + "/views")
    expect(page.locator(".view", has_text="H100 to delete")).to_have_count(0)


UNISOLATED = """() => {
  // Every text node holding U+202E must sit in its own isolate (<bdi> or an element with dir):
  // the nearest one holds that one value, so the override cannot flip the text around it.
  const bad = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    // The chart (app/templates/_chart.html) is left to the timeline work (#18): not checked here.
    if (!node.data.includes("\\u202e") || parent.closest("title, .chart")) continue;
    const isolate = parent.closest("bdi, [dir]");
    const count = isolate ? isolate.textContent.split("\\u202e").length - 1 : 0;
    if (!isolate || count !== 1) bad.push(parent.outerHTML.slice(0, 160));
  }
  return bad;
}"""


def test_untrusted_text_is_isolated_in_every_template(page, live_runtime):
    import json

    from app.cli import run_list_import

    live, runtime = live_runtime
    parties = {"results": [
        {"name": f"Huawei Technologies Co., Ltd. {RLO}HQ", "alt_names": [f"{RLO}Huawei Tech"],
         "source": "Entity List (EL) - Bureau of Industry and Security", "start_date": "2019-05-16",
         "federal_register_notice": f"84 FR 22961 {RLO}", "license_policy": f"{RLO}Presumption of denial"},
        {"name": f"{RLO}Zorblax Trading", "source": "Entity List (EL) - Bureau of Industry and Security",
         "start_date": "2020-01-01"}]}
    run_list_import(runtime, json.dumps(parties).encode(), f"{RLO}parties.json")
    from tests.test_dedupe import EDITED, WIRE

    article = {"title": f"{RLO}Override title", "lang": "en", "published_at": "2025-05-05",
               "source": f"{RLO}Override source", "url": "https://news.example/rlo",
               "body": f"Nvidia and Huawei {RLO}override body about H20 chips in China.\n\n{WIRE}"}
    (article_id,) = post_articles(page, live, article)
    # The same story, edited, from another source: listed under "elsewhere" with its source.
    twin = {**article, "url": "https://other.example/rlo", "source": f"{RLO}Second source",
            "title": f"{RLO}Override title, again", "published_at": "2025-05-06",
            "body": f"Nvidia and Huawei {RLO}override body about H20 chips in China.\n\n{EDITED}"}
    post_articles(page, live, twin)
    related = page.request.get(f"{live}/api/articles/{article_id}").json()
    assert related["same_story"] or related["duplicates"]
    log_in_from(page, live, "/?q=override")
    page.fill("#view-name", f"{RLO}Override view")
    page.click(".saveview button")
    page.wait_for_url(live + "/views")
    page.goto(live + "/admin")
    page.fill("#src-url", "https://feeds.example.org/rlo.xml")
    page.fill("#src-name", f"{RLO}Override feed")
    page.click("form[action='/admin/sources'] button[type=submit]")
    page.wait_for_url(live + "/admin")
    pages = ["/?q=override", f"/articles/{article_id}", "/views", "/admin", "/feed.atom?q=override",
             "/?q=override&source=" + f"{RLO}Override source", "/admin/lists", "/entities/huawei"]
    seen = 0
    for path in pages:
        page.goto(live + path)
        seen += page.evaluate("document.body.textContent.split('\\u202e').length - 1")
        assert page.evaluate(UNISOLATED) == [], path
    assert seen >= 18  # the values were rendered (a test that checks nothing would pass too)


def test_xlsx_export_has_date_cells_and_text_that_never_runs(page, live):
    from openpyxl import load_workbook

    post_articles(page, live, {"title": '=HYPERLINK("https://evil.example","Nvidia H20")', "lang": "en",
                               "published_at": "2025-04-20", "body": "Zorblax reports Nvidia H20 export licences in China."})
    page.goto(live + "/?q=Zorblax")
    with page.expect_download() as info:
        page.locator(".total a", has_text="XLSX").click()
    assert info.value.suggested_filename.endswith(f"{datetime.now(UTC).date().isoformat()}.xlsx")
    sheet = load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=False))
    header = [c.value for c in rows[0]]
    assert header[:2] == ["id", "date"] and len(rows) > 1
    title = header.index("title")
    row = next(r for r in rows[1:] if "HYPERLINK" in str(r[title].value))
    assert row[title].data_type == "s"  # stored as text, not a formula
    assert row[1].is_date and row[1].number_format == "yyyy-mm-dd"


def test_text_typed_while_a_facet_loads_is_kept(page, live):
    page.goto(live + "/?q=Huawei")
    held = []
    page.route(re.compile(r"/\?.*lang=en"), lambda route: held.append(route))  # hold the response
    page.locator(".facet a[data-key='lang:en']").click()
    # The route handler runs on Playwright's dispatcher, after the request event: wait until it
    # holds the request (each short wait lets Playwright deliver its callbacks).
    for _ in range(500):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the facet request is held"
    page.fill("#q", "Huawei H20")  # typed while it loads
    held[0].continue_()
    page.wait_for_url(re.compile(r"lang=en"))
    expect(page.locator(".chips .chip")).to_have_count(1)
    expect(page.locator("#q")).to_have_value("Huawei H20")
