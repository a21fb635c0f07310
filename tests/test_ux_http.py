"""Issue #26 over HTTP, on SQLite and PostgreSQL: safe `next` and Back targets, form errors,
feeds newest-first with names and xml:lang, export names, confirmation pages, card tags."""

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

from app.web.redirects import safe_next
from app.web.rendering import card_tags
from tests.conftest import ADMIN_TOKEN

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "javascript:alert(1)", "http:/evil.example", " /x", "/x\r\nSet-Cookie: a=b", "", None, 42,
    "evil.example", "/" + "a" * 3000, "/\x00", "/\u0085x",
])
def test_safe_next_refuses_anything_but_a_local_path(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/?q=Nvidia&lang=ar", "/views", "/articles/3?x=%2F%2Fy",
                                    "/?q=%D8%A5%D9%86%D9%81%D9%8A%D8%AF%D9%8A%D8%A7"])
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target) == target


def test_admin_login_returns_to_the_page_that_asked(client, sample):
    page = client.get("/?chip=h20&sort=oldest").text
    link = re.search(r'href="(/admin\?next=[^"]+)"', page).group(1)
    assert 'name="next" value="/?chip=h20&amp;sort=oldest"' in client.get(link.replace("&amp;", "&")).text
    done = client.post("/admin/login", data={"token": ADMIN_TOKEN, "next": "/?chip=h20&sort=oldest"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/?chip=h20&sort=oldest"
    assert 'id="view-name"' in client.get("/?chip=h20&sort=oldest").text
    again = client.post("/admin/login", data={"token": ADMIN_TOKEN, "next": "//evil.example/x"},
                        follow_redirects=False)
    assert again.headers["location"] == "/admin"  # no open redirect
    wrong = client.post("/admin/login", data={"token": "nope", "next": "/views"})
    assert wrong.status_code == 401 and 'name="next" value="/views"' in wrong.text


def test_back_link_is_the_same_site_page_it_came_from(client, sample):
    article = client.get("/api/search?lang=ar").json()["hits"][0]["id"]
    base = "http://testserver"
    back = client.get(f"/articles/{article}", headers={"referer": f"{base}/?lang=ar&company=huawei"}).text
    assert 'href="/?lang=ar&amp;company=huawei" class="back"' in back
    for referer in ("https://evil.example/?lang=ar", "http://testserver.evil.example/x", "garbage"):
        page = client.get(f"/articles/{article}", headers={"referer": referer}).text
        assert 'href="/" class="back"' in page, referer


def test_from_after_to_is_the_form_with_the_message(client, sample):
    response = client.get("/?q=Nvidia&from=2025-06-01&to=2025-01-31", headers={"accept": "text/html"})
    assert response.status_code == 422
    html = response.text
    assert 'class="field-error"' in html and "From (2025-06-01) is after To (2025-01-31)" in html
    assert 'value="2025-06-01"' in html and 'aria-invalid="true"' in html
    assert 'class="hit"' in html  # the other filters still give results
    # An htmx swap gets the fragment with the same message.
    partial = client.get("/?from=2025-06-01&to=2025-01-31", headers={"HX-Request-Type": "partial"})
    assert partial.status_code == 422 and "is after To" in partial.text and "<html" not in partial.text
    # A bad date is named as well; a parameter the form has no field for stays a plain 422.
    assert "is not a date" in client.get("/?from=2025-13-45").text
    assert client.get("/?company=NOT_A_SLUG!").status_code == 422
    assert client.get("/api/search?from=2025-06-01&to=2025-01-31").status_code == 422


def test_feed_is_newest_first_named_and_language_tagged(client, sample):
    oldest_first = client.get("/feed.atom?company=huawei&sort=oldest")
    feed = ET.fromstring(oldest_first.content)
    entries = feed.findall(f"{ATOM}entry")
    dates = [e.find(f"{ATOM}published").text for e in entries]
    assert len(entries) > 2 and dates == sorted(dates, reverse=True)
    assert feed.find(f"{ATOM}title").text == "chipwatch: company: Huawei"
    langs = {e.get(XML_LANG) for e in entries}
    assert "ar" in langs and None not in langs
    assert "Sec-Fetch-Dest" in oldest_first.headers["vary"]
    # A browser opening it gets a page with the address to subscribe to.
    page = client.get("/feed.atom?company=huawei", headers={"sec-fetch-dest": "document",
                                                            "sec-fetch-mode": "navigate"})
    assert page.headers["content-type"].startswith("text/html")
    # The address is absolute, made from the public base URL, never from the Host header.
    base = client.app.state.runtime.settings.public_base()
    assert f'value="{base}/feed.atom?company=huawei"' in page.text


def test_export_file_names_say_what_and_when(client, sample):
    today = datetime.now(UTC).date().isoformat()
    plain = client.get("/export.csv?company=nvidia&lang=ar").headers["content-disposition"]
    assert f'filename="chipwatch-nvidia-ar-{today}.csv"' in plain
    csrf = _login(client)
    client.post("/views", data={"name": "إنفيديا بالعربية", "query": "company=nvidia&lang=ar", "csrf": csrf})
    named = client.get("/export.csv?company=nvidia&lang=ar").headers["content-disposition"]
    assert "filename*=UTF-8''chipwatch-%D8%A5%D9%86%D9%81%D9%8A%D8%AF%D9%8A%D8%A7-" in named
    assert named.endswith(f"-{today}.csv")


def _login(client) -> str:
    client.post("/admin/login", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/admin").text).group(1)


def test_delete_and_remove_ask_first(client, sample):
    csrf = _login(client)
    client.post("/views", data={"name": "To delete", "query": "chip=h20", "csrf": csrf})
    view_id = client.get("/api/views").json()["views"][0]["id"]
    views = client.get("/views").text
    assert f'href="/views/{view_id}/delete"' in views and "Chip: <bdi>H20</bdi>" in views
    confirm = client.get(f"/views/{view_id}/delete")
    assert confirm.status_code == 200 and f'action="/views/{view_id}/delete"' in confirm.text
    assert client.get("/api/views").json()["views"]  # asking deletes nothing
    assert client.get("/views/999999/delete").status_code == 404
    client.cookies.clear()
    anonymous = client.get(f"/views/{view_id}/delete", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/admin?next=%2Fviews%2F{view_id}%2Fdelete"


def test_card_tags_put_every_restriction_first():
    tags = [{"type": "company", "name": f"c{i}"} for i in range(14)]
    tags += [{"type": "restriction", "name": f"r{i}"} for i in range(3)]
    shown = card_tags(tags)
    assert [t["name"] for t in shown["shown"][:3]] == ["r0", "r1", "r2"]
    assert len(shown["shown"]) == 12 and shown["more"] == 5
    many = card_tags([{"type": "restriction", "name": f"r{i}"} for i in range(15)])
    assert len(many["shown"]) == 15 and many["more"] == 0  # restrictions are never cut
    assert card_tags(tags[:3]) == {"shown": tags[:3], "more": 0}
