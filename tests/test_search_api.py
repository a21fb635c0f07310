"""The search API and page on the bundled corpus: filters, facets, URL state, errors."""

import re
from html import unescape

import pytest

from app.web.schemas import SearchOut


def ids(response):
    assert response.status_code == 200, response.text
    return [h["id"] for h in response.json()["hits"]]


def test_contract_shape_and_facets(client, sample):
    body = client.get("/api/search?per_page=5").json()
    assert set(body) >= {"total", "page", "per_page", "engine", "hits", "facets"}
    assert body["engine"] in ("sqlite", "postgresql") and body["total"] == sample.added
    assert set(body["facets"]) == {"company", "chip", "restriction", "region", "agency", "lang", "source",
                                   "listed", "list"}
    hit = body["hits"][0]
    assert set(hit) >= {"id", "title", "snippet", "url", "source", "lang", "published_at", "entities", "story_id"}
    langs = {f["id"]: f["count"] for f in body["facets"]["lang"]}
    assert langs.keys() >= {"ar", "en", "zh", "fr"} and sum(langs.values()) == body["total"]
    nvidia = next(f for f in body["facets"]["company"] if f["id"] == "nvidia")
    assert nvidia["name"] == "Nvidia"
    assert client.get("/api/search?company=nvidia").json()["total"] == nvidia["count"]


@pytest.mark.parametrize("query", ["per_page=100", "q=Nvidia&company=huawei", "q=H20&expand=0",
                                   "q=zzzz-no-match", "lang=ar&sort=oldest&page=2&per_page=3"])
def test_answers_match_the_documented_schema(client, sample, query):
    """The route returns its JSON directly (no per-request validation): the schema holds."""
    body = client.get(f"/api/search?{query}").json()
    assert SearchOut.model_validate(body).model_dump(mode="json", exclude_unset=True) == body


def test_or_within_a_facet_and_across(client, sample):
    nv = set(ids(client.get("/api/search?company=nvidia&per_page=100")))
    hw = set(ids(client.get("/api/search?company=huawei&per_page=100")))
    both_or = set(ids(client.get("/api/search?company=nvidia&company=huawei&per_page=100")))
    assert both_or == nv | hw
    ar = set(ids(client.get("/api/search?lang=ar&per_page=100")))
    assert set(ids(client.get("/api/search?company=nvidia&lang=ar&per_page=100"))) == nv & ar


def test_english_name_finds_arabic_and_chinese_articles(client, sample):
    langs = {h["lang"] for h in client.get("/api/search?q=Nvidia&per_page=100").json()["hits"]}
    assert {"ar", "zh", "en", "fr"} <= langs
    arabic = client.get("/api/search?q=انفيديا&lang=ar").json()
    assert arabic["total"] > 0 and "<mark>" in arabic["hits"][0]["snippet"]
    words_only = client.get("/api/search?q=Nvidia&expand=0&per_page=100").json()
    assert {h["lang"] for h in words_only["hits"]} <= {"en", "fr", "zh"}  # the Latin word only
    assert words_only["expansions"] == [] and arabic["expansions"][0]["id"] == "nvidia"


def test_model_numbers_do_not_bleed(client, sample):
    for hit in client.get("/api/search?q=H200&expand=0&per_page=100").json()["hits"]:
        text = (hit["title"] + hit["snippet"]).lower()
        assert "h200" in text
    h20 = client.get("/api/search?chip=h20&per_page=100").json()["hits"]
    assert all(any(e["id"] == "h20" for e in h["entities"]) for h in h20)


def test_dates_sort_and_pages(client, sample):
    newest = client.get("/api/search?sort=newest&per_page=100").json()["hits"]
    dates = [h["published_at"] for h in newest]
    assert dates == sorted(dates, reverse=True)
    oldest = client.get("/api/search?sort=oldest&per_page=100").json()["hits"]
    assert [h["id"] for h in oldest] == [h["id"] for h in reversed(newest)] or \
        [h["published_at"] for h in oldest] == sorted(dates)
    ranged = client.get("/api/search?from=2025-04-01&to=2025-04-30&per_page=100").json()
    assert ranged["total"] > 0
    assert all("2025-04-01" <= h["published_at"][:10] <= "2025-04-30" for h in ranged["hits"])
    page1 = ids(client.get("/api/search?per_page=10&page=1"))
    page2 = ids(client.get("/api/search?per_page=10&page=2"))
    assert len(page1) == 10 and not set(page1) & set(page2)


@pytest.mark.parametrize("query, param", [
    ("company=Nvidia", "company"), ("company=no-such-company", "company"), ("chip=nvidia", "chip"),
    ("per_page=101", "per_page"), ("page=0", "page"), ("from=2025-02-30", "from"),
    ("sort=best", "sort"), ("lang=Arabic", "lang"), ("from=2025-05-01&to=2025-01-01", "filters"),
])
def test_bad_filters_get_a_clear_422(client, query, param):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == param
    page = client.get(f"/?{query}", headers={"accept": "text/html"})
    assert page.status_code == 422
    if param in ("from", "to", "sort", "filters"):  # fields of the form: the form, with the message
        assert 'class="field-error"' in page.text and 'id="q"' in page.text
    else:
        assert "Invalid" in page.text


def test_page_url_carries_the_whole_state(client, sample):
    url = "/?q=H20&company=nvidia&lang=en&sort=newest"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["vary"] == "HX-Request-Type"
    assert 'value="H20"' in first.text
    assert re.search(r'aria-label="Remove company Nvidia"', first.text)
    # facet links are plain links that add or remove one value and keep the rest
    assert 'href="/?q=H20&amp;lang=en&amp;sort=newest"' in first.text  # remove Nvidia
    api = client.get("/api/search?q=H20&company=nvidia&lang=en&sort=newest").json()
    titles = [unescape(t) for t in re.findall(r'<h3 dir="auto"><a href="/articles/\d+">(.*?)</a>', first.text)]
    assert titles == [h["title"] for h in api["hits"]]
    assert client.get(url).text == first.text  # a reload rebuilds the same view
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert fragment.text.lstrip().startswith('<div id="search-inner">') and "<html" not in fragment.text


def test_article_page_is_rtl_and_escapes(client, sample):
    hit = client.get("/api/search?lang=ar&per_page=1").json()["hits"][0]
    page = client.get(f"/articles/{hit['id']}")
    assert page.status_code == 200 and 'class="body" dir="auto"' in page.text
    assert 'class="mention' in page.text
    assert client.get("/articles/999999").status_code == 404
    assert client.get("/api/articles/999999").status_code == 404


def test_post_articles_requires_the_admin_token(client):
    payload = {"title": "Malaysia requires permits for US AI chips",
               "body": "Malaysia said exports and transshipments of US-made AI chips now need a permit.",
               "published_at": "2025-07-14T08:00:00Z", "lang": "en"}
    assert client.post("/api/articles", json=payload).status_code == 401
    assert client.post("/api/articles", json=payload,
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.post("/api/articles", json=[payload, {"title": "empty"}],
                     headers={"Authorization": "Bearer test-admin-token-0123456789"})
    assert ok.status_code == 200
    report = ok.json()
    assert report["added"] == 1 and report["rejected"][0]["origin"] == "api[1]"
    assert client.get("/api/search?region=malaysia").json()["total"] == 1


def test_entities_timeline_and_health(client, sample):
    companies = client.get("/api/entities?type=company").json()["entities"]
    assert len(companies) >= 60 and all(e["type"] == "company" for e in companies)
    huawei = client.get("/api/entities/huawei").json()
    assert huawei["article_count"] > 0 and "ar" in huawei["aliases"] and huawei["co_mentioned"]
    assert client.get("/api/entities/nope").status_code == 404
    tl = client.get("/api/timeline?company=nvidia&interval=year").json()
    assert tl["interval"] == "year" and sum(b["count"] for b in tl["buckets"]) == \
        client.get("/api/search?company=nvidia").json()["total"]
    assert any(e["id"] == "2025-04-h20-licence-requirement" for e in tl["events"])
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("q", ["(nvidia OR amd) export", "nvidia OR huawei", "(nvidia -huawei) H20"])
def test_groups_are_said_back_in_the_json(client, sample, q):
    """An OR group or a bracketed group in the words is said back as typed, not a 500."""
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200, response.text
    said = response.json()["searched_as"]
    words = " ".join(said["required"] + said["optional"]).lower()
    assert "nvidia" in words and all(isinstance(t, str) and t for t in said["required"] + said["optional"])


def test_the_search_route_takes_what_the_documented_operation_declares(client):
    """GET /api/search is answered by app/web/search_route.py; the FastAPI operation api_search
    only documents it (/openapi.json). A dependency or parameter added to the operation has to
    be added to the route as well: this fails until the two agree again."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from app.web import deps
    from app.web.search_route import SearchRoute

    routes = client.app.router.routes
    first = next(r for r in routes if getattr(r, "path", None) == "/api/search")
    assert isinstance(first, SearchRoute) and first.methods == {"GET"}
    documented = next(
        r for r in iter_route_contexts(routes)
        if isinstance(r.original_route, APIRoute) and r.path_format == "/api/search"
    )
    assert {d.call for d in documented.dependant.dependencies} == {deps.get_filters, deps.get_runtime}
    assert not documented.dependant.query_params and documented.methods == {"GET"}
    assert client.head("/api/search").status_code == 405
    assert client.get("/api/search?per_page=1").headers["content-type"] == "application/json"


def test_the_page_route_takes_what_the_documented_page_declares(client, sample):
    """GET / is answered by app/web/page_route.py; the FastAPI operation search_page (kept for
    its declarations) is never reached. Its chart options are checked as FastAPI checked its
    Literal parameters: same 422, the last of repeated values; HEAD and POST stay 405."""
    import inspect

    from fastapi.routing import APIRoute, iter_route_contexts

    from app.web import deps
    from app.web.page_route import CHOICES, PageRoute

    routes = client.app.router.routes
    first = next(r for r in routes if getattr(r, "path", None) == "/")
    assert isinstance(first, PageRoute) and first.methods == {"GET"}
    declared = next(
        r for r in iter_route_contexts(routes)
        if isinstance(r.original_route, APIRoute) and r.path_format == "/"
    )
    assert {d.call for d in declared.dependant.dependencies} == {deps.get_runtime}
    params = inspect.signature(declared.original_route.endpoint).parameters
    assert [(p.name, p.default) for p in declared.dependant.query_params] == [
        (name, params[name].default) for name, _choices, _default in CHOICES
    ]
    assert [(name, default) for name, _c, default in CHOICES] == [
        ("scale", "count"), ("markers", "relevant")]
    bad = client.get("/?scale=bogus&markers=x", headers={"Accept": "application/json"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"param": "scale", "msg": "Input should be 'count' or 'share'"},
        {"param": "markers", "msg": "Input should be 'relevant' or 'all'"},
    ]
    page = client.get("/?scale=bogus&scale=share&q=H20")
    assert page.status_code == 200
    assert page.text == client.get("/?q=H20&scale=share").text != client.get("/?q=H20").text
    assert client.get("/?scale=share&scale=bogus").status_code == 422
    assert client.head("/").status_code == 405 and client.post("/").status_code == 405
