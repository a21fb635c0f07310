"""Saved views, admin session and CSRF, Atom feeds, CSV exports, entity and timeline pages."""

import csv
import io
import re
from xml.etree import ElementTree as ET

import pytest
from lxml import html as lxml_html

from tests.conftest import ADMIN_TOKEN

ATOM = "{http://www.w3.org/2005/Atom}"


def login(client) -> str:
    response = client.post("/admin/login", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/views").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1) if 'name="csrf"' in page else \
        re.search(r'name="csrf" value="([^"]+)"', client.get("/admin").text).group(1)


def test_admin_login_rejects_a_wrong_token(client):
    assert client.post("/admin/login", data={"token": "nope"}).status_code == 401
    assert "Log in" in client.get("/admin").text


def test_saved_views_need_admin_and_csrf(client, sample):
    form = {"name": "H20 in Arabic", "query": "chip=h20&lang=ar"}
    assert client.post("/views", data=form).status_code == 401  # not logged in
    csrf = login(client)
    assert client.post("/views", data=form).status_code == 403  # no CSRF token
    assert client.post("/views", data={**form, "csrf": "forged"}).status_code == 403
    created = client.post("/views", data={**form, "csrf": csrf}, follow_redirects=False)
    assert created.status_code == 303
    views = client.get("/api/views").json()["views"]
    assert [(v["name"], v["query"]) for v in views] == [("H20 in Arabic", "chip=h20&lang=ar")]
    assert client.post("/views", data={**form, "csrf": csrf}).status_code == 409
    bad = client.post("/views", data={"name": "x", "query": "company=NOPE!", "csrf": csrf})
    assert bad.status_code == 422
    view_id = views[0]["id"]
    client.post(f"/views/{view_id}/rename", data={"name": "H20 (ar)", "csrf": csrf})
    assert client.get("/api/views").json()["views"][0]["name"] == "H20 (ar)"
    assert client.post(f"/views/{view_id}/delete", data={"csrf": "forged"}).status_code == 403
    client.post(f"/views/{view_id}/delete", data={"csrf": csrf})
    assert client.get("/api/views").json()["views"] == []
    assert client.post("/views/999/delete", data={"csrf": csrf}).status_code == 404


def test_atom_feed_of_a_view_is_valid_and_filtered(client, sample):
    response = client.get("/feed.atom?company=huawei&lang=zh")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    expected = client.get("/api/search?company=huawei&lang=zh&per_page=50").json()
    assert len(entries) == expected["total"] > 0
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.rsplit("/", 1)[-1].isdigit()
        assert "huawei" in {c.get("term") for c in entry.findall(f"{ATOM}category")}
    assert feed.find(f"{ATOM}title").text.startswith("chipwatch:")
    # A feed reader's view: feedparser reads it as Atom 1.0 without complaint.
    import feedparser

    parsed = feedparser.parse(response.content)
    assert parsed.version == "atom10" and not parsed.bozo
    assert len(parsed.entries) == len(entries) and all(e.link and e.title for e in parsed.entries)


def test_csv_export_has_bom_and_arabic(client, sample):
    response = client.get("/export.csv?lang=ar")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "date", "lang", "source", "title"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r[1]) for r in rows[1:])  # a date, not a timestamp
    assert len(rows) - 1 == client.get("/api/search?lang=ar").json()["total"]
    assert all(r[2] == "ar" for r in rows[1:]) and any(re.search("[\u0600-\u06ff]", r[4]) for r in rows[1:])


def test_entity_page_and_timeline_comparison(client, sample):
    page = client.get("/entities/huawei")
    assert page.status_code == 200
    assert "هواوي" in page.text and "华为" in page.text  # names per language
    assert "2019-05-huawei-entity-list" in page.text  # a restriction that concerns it
    assert client.get("/entities/nope").status_code == 404
    data = client.get("/api/timeline/compare?company=nvidia&company=huawei&interval=year").json()
    assert [s["id"] for s in data["series"]] == ["nvidia", "huawei"]
    nvidia_total = client.get("/api/search?company=nvidia").json()["total"]
    assert sum(b["count"] for b in data["series"][0]["buckets"]) == nvidia_total
    html = client.get("/timeline?company=nvidia&company=huawei&interval=year").text
    assert "<table" in html and "<svg" in html and "/?company=nvidia&amp;from=" in html


def _timeline_page_numbers(page: str) -> dict:
    """What the /timeline page shows, read back from its table and its list of restrictions."""
    doc = lxml_html.fromstring(page)
    heads = [th.text_content() for th in doc.xpath("//table[@class='numbers']/thead/tr/th")]
    rows = [[td.text_content() for td in tr.xpath("td")]
            for tr in doc.xpath("//table[@class='numbers']/tbody/tr")]
    has_totals = heads[-1] == "All articles"
    names = heads[1:-1] if has_totals else heads[1:]
    return {
        "interval": heads[0].removesuffix(" from").lower(),
        "names": names,
        "counts": [{row[0]: int(row[1 + i].split()[0]) for row in rows if row[1 + i] != "0"}
                   for i in range(len(names))],
        "totals": {row[0]: int(row[-1]) for row in rows if row[-1] != "0"} if has_totals else None,
        "events": [(li.findtext("time"), li.xpath("string(a)"))
                   for li in doc.xpath("//h2[.='Restrictions in range']/following-sibling::ul[1]/li")],
    }


@pytest.mark.parametrize("query", [
    "company=nvidia&company=huawei&interval=quarter&scale=share&markers=all",
    "chip=h20&company=huawei",  # interval=auto, counts, the restrictions concerning them
    "company=nvidia&interval=week&from=2025-01-01&to=2025-06-30&markers=all",
])
def test_timeline_page_and_json_agree(client, sample, query):
    """/timeline and /api/timeline/compare read interval, scale and markers alike (compare_view):
    for one query string the page's table and list show the JSON's numbers and restrictions."""
    data = client.get("/api/timeline/compare?" + query).json()
    page = client.get("/timeline?" + query)
    shown = _timeline_page_numbers(page.text)
    # The page's own JSON links (Link header, the JSON link in the chart tools) ask for the same
    alternate = re.fullmatch(r"<([^>]+)>; rel=\"alternate\"; type=\"application/json\"",
                             page.headers["link"]).group(1)
    assert client.get(alternate).json() == data
    assert f'<a href="{alternate.replace("&", "&amp;")}">JSON</a>' in page.text

    def counts(buckets):
        return {b["start"]: b["count"] for b in buckets if b["count"]}

    assert shown["interval"] == data["interval"]
    assert shown["names"] == [s["name"] for s in data["series"]]
    assert shown["counts"] == [counts(s["buckets"]) for s in data["series"]]
    assert shown["counts"] != [{} for _ in data["series"]], "the sample has articles for these"
    assert shown["totals"] == (None if data["totals"] is None else counts(data["totals"]))
    assert shown["events"] == [(e["date"], e["title"]) for e in data["events"]]


def test_search_page_chart_links_narrow_the_dates(client, sample):
    html = client.get("/?company=nvidia").text
    links = re.findall(r'<a href="/\?company=nvidia&amp;from=(\d{4}-\d\d-\d\d)&amp;to=(\d{4}-\d\d-\d\d)"', html)
    assert links, "each bar links to its period"
    start, end = links[0]
    narrowed = client.get(f"/api/search?company=nvidia&from={start}&to={end}").json()
    assert all(start <= h["published_at"][:10] <= end for h in narrowed["hits"])


@pytest.mark.parametrize("method, path, body", [
    ("post", "/api/articles", {"json": {"title": "t", "body": "b" * 50}}),
    ("post", "/views", {"data": {"name": "n", "query": ""}}),
    ("post", "/views/1/rename", {"data": {"name": "n"}}),
    ("post", "/views/1/delete", {"data": {}}),
    ("post", "/admin/logout", {"data": {}}),
])
def test_write_endpoints_refuse_without_credentials(client, method, path, body):
    response = getattr(client, method)(path, **body)
    assert response.status_code in (401, 403)


def test_facet_lists_show_eight_and_load_the_rest(client, sample):
    page = client.get("/").text
    companies = client.get("/api/search").json()["facets"]["company"]
    assert len(companies) > 8
    sidebar = page.split('aria-label="Filters"')[1].split("</aside>")[0]
    shown = re.findall(r'href="/\?company=([a-z0-9-]+)"', sidebar)
    assert shown == [c["id"] for c in companies[:8]]  # the rest is not in the page
    box = re.search(r'<details class="morebox" hx-get="(/facets/company\?)"', page)
    assert box and 'hx-target="find .morelist"' in page

    fragment = client.get("/facets/company", headers={"HX-Request-Type": "partial"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert re.findall(r'href="/\?company=([a-z0-9-]+)"', fragment.text) == [c["id"] for c in companies]
    full = client.get("/facets/company?lang=ar")
    arabic = client.get("/api/search?lang=ar").json()["facets"]["company"]
    assert "<html" in full.text and "Companies" in full.text
    assert re.findall(r'href="/\?company=([a-z0-9-]+)&amp;lang=ar"', full.text) == [c["id"] for c in arabic]
    assert client.get("/facets/nope").status_code == 404
    assert client.get("/facets/company?company=no-such-company").status_code == 422
