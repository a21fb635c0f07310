"""Access control, limits and observability of the web app.

Every write endpoint refuses requests without credentials (401/403) and accepts them with;
the read token closes reading when set; the API has a rate limit (429) and a body cap (413);
/metrics and the JSON request log say what happened without ever showing a token.
"""

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.conftest import ADMIN_TOKEN

READ_TOKEN = "test-read-token-abcdefghijklmnop"
ARTICLE = {"title": "Nvidia H20 licences", "lang": "en", "published_at": "2025-04-16",
           "body": "The US told Nvidia that exports of its H20 chip to China now need a licence."}
# Every route that changes something, and how it is allowed. A new one fails
# test_every_write_endpoint_is_listed until it is added here (and so tested).
ADMIN_BEARER = {("POST", "/api/articles")}
ADMIN_FORM = {("POST", "/views"), ("POST", "/views/{view_id}/rename"),
              ("POST", "/views/{view_id}/delete"), ("POST", "/admin/logout"),
              ("POST", "/admin/sources"), ("POST", "/admin/sources/{source_id}/remove"),
              ("POST", "/admin/sources/import"),  # tests/test_opml.py
              ("POST", "/admin/sources/starter"), ("POST", "/admin/sources/federal-register"),  # test_federal_register.py
              ("POST", "/admin/lists/links/{link_id}/accept"),  # tests/test_lists_web.py
              ("POST", "/admin/lists/links/{link_id}/reject"),
              # tests/test_gazetteer_review.py (editors too)
              ("POST", "/admin/gazetteer/suggestions/{suggestion_id}/accept"),
              ("POST", "/admin/gazetteer/suggestions/{suggestion_id}/reject"),
              ("POST", "/admin/gazetteer/entities/{entity_id}"),
              ("POST", "/admin/gazetteer/entities/{entity_id}/aliases/{action}")}
LOGIN_FORMS = {("POST", "/admin/login"), ("POST", "/login"),  # open: they check the token itself
               ("POST", "/account/login")}  # or the password (tests/test_accounts.py)
# A browser session (user or admin token) with its CSRF token; who may change which view is
# tested in tests/test_accounts.py.
SESSION_FORM = {("POST", "/views/{view_id}/save"), ("POST", "/account/logout"),
                ("POST", "/account/logout-everywhere"), ("POST", "/account/password"),
                ("POST", "/account/tokens"), ("POST", "/account/tokens/{token_id}/revoke"),
                ("POST", "/articles/{article_id}/notes"), ("POST", "/notes/{note_id}/delete"),
                ("POST", "/views/{view_id}/alerts")}
# Bearer: a personal API token or the admin token (tests/test_accounts.py).
VIEW_BEARER = {("POST", "/api/views"), ("PATCH", "/api/views/{view_id}"), ("DELETE", "/api/views/{view_id}"),
               ("POST", "/api/views/{view_id}/alerts"), ("DELETE", "/api/alerts/{alert_id}"),  # tests/test_alerts.py
               ("POST", "/api/articles/{article_id}/notes"), ("DELETE", "/api/notes/{note_id}"),  # tests/test_notes.py
               # editors' or admins' tokens (tests/test_gazetteer_review.py)
               ("POST", "/api/gazetteer/suggestions/{suggestion_id}/accept"),
               ("POST", "/api/gazetteer/suggestions/{suggestion_id}/reject")}


def make_client(tmp_path, **overrides) -> TestClient:
    from app.main import create_app
    from app.migrate import upgrade
    from app.runtime import build_runtime

    settings = Settings(**{"data_dir": tmp_path / "data", "admin_token": ADMIN_TOKEN, **overrides})
    upgrade(settings)
    runtime = build_runtime(settings)
    client = TestClient(create_app(settings, runtime))
    client.runtime = runtime
    return client


@pytest.fixture
def app_client(tmp_path):
    with make_client(tmp_path) as client:
        yield client
    client.runtime.close()


@pytest.fixture
def closed_client(tmp_path):
    """Reading needs the read token."""
    with make_client(tmp_path, read_token=READ_TOKEN) as client:
        yield client
    client.runtime.close()


def admin_login(client) -> str:
    assert client.post("/admin/login", data={"token": ADMIN_TOKEN}, follow_redirects=False).status_code == 303
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/admin").text).group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- write endpoints ------------------------------------------------------------------------

def test_every_write_endpoint_is_listed(app_client):
    from fastapi.routing import iter_route_contexts

    writes = {(method, route.path) for route in iter_route_contexts(app_client.app.routes)
              for method in route.methods or () if method not in ("GET", "HEAD")}
    assert writes == ADMIN_BEARER | ADMIN_FORM | LOGIN_FORMS | SESSION_FORM | VIEW_BEARER


@pytest.mark.parametrize("headers", [{}, bearer("wrong-token"), {"Authorization": ADMIN_TOKEN},
                                     {"Authorization": f"Basic {ADMIN_TOKEN}"}, bearer(READ_TOKEN)])
def test_ingest_refuses_without_the_admin_token(tmp_path, headers):
    with make_client(tmp_path, read_token=READ_TOKEN) as client:
        response = client.post("/api/articles", json=ARTICLE, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/api/search", headers=bearer(ADMIN_TOKEN)).json()["total"] == 0
    client.runtime.close()


def test_ingest_accepts_the_admin_token(app_client):
    response = app_client.post("/api/articles", json=ARTICLE, headers=bearer(ADMIN_TOKEN))
    assert response.status_code == 200 and response.json()["added"] == 1
    assert app_client.get("/api/search").json()["total"] == 1


def test_ingest_is_off_without_an_admin_token(tmp_path):
    with make_client(tmp_path, admin_token=None) as client:
        assert client.post("/api/articles", json=ARTICLE, headers=bearer("anything")).status_code == 403
        assert client.post("/api/articles", json=ARTICLE).status_code == 403
        assert client.post("/admin/login", data={"token": ""}).status_code == 401
    client.runtime.close()


def test_form_writes_refuse_without_session_or_csrf_and_accept_with(app_client):
    view_form = {"name": "H20", "query": "chip=h20"}
    # No session: 401 everywhere, the admin bearer token does not replace the session.
    for path in ("/views", "/views/1/rename", "/views/1/delete", "/admin/logout", "/admin/sources",
                 "/admin/sources/1/remove"):
        assert app_client.post(path, data=view_form).status_code == 401, path
        assert app_client.post(path, data=view_form, headers=bearer(ADMIN_TOKEN)).status_code == 401, path
    csrf = admin_login(app_client)
    # Session without (or with a forged) CSRF token: 403.
    for path in ("/views", "/views/1/rename", "/views/1/delete", "/admin/logout", "/admin/sources",
                 "/admin/sources/1/remove"):
        assert app_client.post(path, data=view_form).status_code == 403, path
        assert app_client.post(path, data={**view_form, "csrf": csrf[:-2] + "xx"}).status_code == 403, path
    # With both: done.
    assert app_client.post("/views", data={**view_form, "csrf": csrf}, follow_redirects=False).status_code == 303
    view_id = app_client.get("/api/views").json()["views"][0]["id"]
    renamed = app_client.post(f"/views/{view_id}/rename", data={"name": "H20 (all)", "csrf": csrf},
                              follow_redirects=False)
    assert renamed.status_code == 303
    assert app_client.get("/api/views").json()["views"][0]["name"] == "H20 (all)"
    deleted = app_client.post(f"/views/{view_id}/delete", data={"csrf": csrf}, follow_redirects=False)
    assert deleted.status_code == 303 and app_client.get("/api/views").json()["views"] == []
    feed = {"url": "https://feeds.example.org/chips.xml", "name": "Chip feed", "lang": "en",
            "interval": "30", "csrf": csrf}
    assert app_client.post("/admin/sources", data=feed, follow_redirects=False).status_code == 303
    admin_page = app_client.get("/admin").text
    assert "https://feeds.example.org/chips.xml" in admin_page
    assert app_client.post("/admin/sources", data=feed).status_code == 422  # already a source
    assert app_client.post("/admin/sources", data={**feed, "url": "ftp://x"}).status_code == 422
    source_id = int(re.search(r'href="/admin/sources/(\d+)/remove"', admin_page).group(1))
    removed = app_client.post(f"/admin/sources/{source_id}/remove", data={"csrf": csrf},
                              follow_redirects=False)
    assert removed.status_code == 303 and "feeds.example.org" not in app_client.get("/admin").text
    out = app_client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    app_client.cookies.clear()
    assert app_client.post("/views", data={**view_form, "csrf": csrf}).status_code == 401


def test_a_session_cookie_from_another_token_is_refused(tmp_path):
    with make_client(tmp_path) as client:
        admin_login(client)
        stolen = client.cookies.get("chipwatch_admin")
    client.runtime.close()
    with make_client(tmp_path / "other", admin_token="another-admin-token-xyz") as other:
        other.cookies.set("chipwatch_admin", stolen)
        assert other.post("/views", data={"name": "x", "csrf": "x"}).status_code == 401
    other.runtime.close()


def test_huge_ids_are_a_clean_422_not_a_500(app_client):
    """Found by the fuzzer: ids past the database's integer range crashed the query."""
    assert app_client.get("/api/articles/9223372036854775808").status_code == 422
    assert app_client.get("/articles/99999999999", headers={"accept": "text/html"}).status_code == 422
    assert app_client.get("/api/articles/2147483647").status_code == 404
    assert app_client.get("/api/search?source=a%00b").status_code == 422


# --- read access ----------------------------------------------------------------------------

def test_api_reference_page_needs_no_script(app_client):
    page = app_client.get("/docs")
    assert page.status_code == 200 and "POST /api/articles" in page.text
    assert "<script>" not in page.text and "cdn." not in page.text
    assert app_client.get("/redoc").status_code == 404


def test_reading_is_open_without_a_read_token(app_client):
    for path in ("/", "/api/search", "/feed.atom", "/export.csv", "/views", "/metrics", "/timeline"):
        assert app_client.get(path).status_code == 200, path


@pytest.mark.parametrize("path", ["/", "/api/search", "/api/entities", "/api/views", "/articles/1",
                                  "/entities/nvidia", "/timeline", "/views", "/feed.atom",
                                  "/export.csv", "/metrics", "/openapi.json", "/docs"])
def test_a_read_token_closes_every_read(closed_client, path):
    response = closed_client.get(path)
    assert response.status_code == 401
    assert response.headers["content-security-policy"]
    page = closed_client.get(path, headers={"accept": "text/html"})
    if not path.startswith(("/api", "/metrics", "/openapi")):
        assert page.status_code == 401 and 'action="/login"' in page.text
    for good in (READ_TOKEN, ADMIN_TOKEN):
        assert closed_client.get(path, headers=bearer(good)).status_code in (200, 404), path
    assert closed_client.get(path, headers=bearer(READ_TOKEN + "x")).status_code == 401


def test_health_static_and_logins_stay_open(closed_client):
    for path in ("/healthz", "/readyz", "/static/app.css", "/login", "/admin"):
        assert closed_client.get(path).status_code == 200, path


def test_login_sets_a_signed_cookie_and_redirects_home_only(closed_client):
    assert closed_client.post("/login", data={"token": "nope"}).status_code == 401
    closed_client.cookies.set("chipwatch_read", "forged.cookie.value")
    assert closed_client.get("/api/search").status_code == 401
    closed_client.cookies.clear()
    response = closed_client.post("/login", data={"token": READ_TOKEN, "next": "//evil.example/x"},
                                  follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and READ_TOKEN not in cookie
    assert closed_client.get("/api/search").status_code == 200
    assert closed_client.get("/").status_code == 200
    back = closed_client.post("/login", data={"token": READ_TOKEN, "next": "/?q=H20"}, follow_redirects=False)
    assert back.headers["location"] == "/?q=H20"


def test_an_admin_session_can_read(closed_client):
    admin_login(closed_client)
    assert closed_client.get("/api/search").status_code == 200


def test_feeds_and_exports_take_the_token_in_the_url(closed_client):
    feed = closed_client.get(f"/feed.atom?q=chips&token={READ_TOKEN}")
    assert feed.status_code == 200 and READ_TOKEN not in feed.text
    assert "token" not in feed.text.split("<entry", 1)[0]  # self link without the token
    assert closed_client.get(f"/export.csv?token={READ_TOKEN}").status_code == 200
    assert closed_client.get("/export.csv?token=wrong").status_code == 401
    # Only there: elsewhere a token in the URL would end up in histories and proxies' logs.
    assert closed_client.get(f"/api/search?token={READ_TOKEN}").status_code == 401
    assert closed_client.get(f"/?token={READ_TOKEN}").status_code == 401


def test_tokens_and_cookies_are_never_logged(closed_client):
    logger = logging.getLogger("chipwatch.access")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        closed_client.get(f"/feed.atom?q=chips&token={READ_TOKEN}", headers={"X-Request-ID": "req-42"})
        closed_client.get("/api/search", headers=bearer(READ_TOKEN))
        closed_client.post("/login", data={"token": READ_TOKEN}, follow_redirects=False)
        closed_client.post("/api/articles", json=ARTICLE, headers=bearer(ADMIN_TOKEN))
        closed_client.get("/")  # with the read cookie
    finally:
        logger.removeHandler(handler)
    from app.web.logging import JsonFormatter

    lines = [JsonFormatter().format(r) for r in records]
    assert len(lines) == 5
    text = "\n".join(lines)
    for secret in (READ_TOKEN, ADMIN_TOKEN, "chipwatch_read", "Bearer", "authorization"):
        assert secret not in text
    first = json.loads(lines[0])
    assert {"ts", "level", "msg", "method", "path", "status", "duration_ms", "request_id", "route"} <= set(first)
    assert first["request_id"] == "req-42" and first["path"] == "/feed.atom" and first["status"] == 200
    assert first["query"] == "q=chips" and isinstance(first["duration_ms"], float)


def test_uvicorn_access_log_is_redacted_too():
    from app.web.logging import RedactQuery

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4:5", "GET", f"/feed.atom?q=x&token={READ_TOKEN}", "1.1", 200), None)
    RedactQuery().filter(record)
    assert READ_TOKEN not in record.getMessage() and "token=%2A%2A%2A" in record.getMessage()


def test_request_id_comes_back(app_client):
    assert app_client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    made = app_client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


# --- limits ---------------------------------------------------------------------------------

def test_rate_limit_answers_429_with_retry_after(tmp_path):
    with make_client(tmp_path, api_rate_limit=0.01, api_rate_burst=3) as client:  # no refill during the test
        assert [client.get("/api/entities").status_code for _ in range(3)] == [200] * 3
        refused = client.get("/api/search")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert "Too many requests" in refused.json()["detail"]
        assert refused.headers["content-security-policy"] and refused.headers["x-request-id"]
        # Login forms share the bucket (no token guessing at full speed) ...
        assert client.post("/login", data={"token": "x"}).status_code == 429
        assert client.post("/admin/login", data={"token": "x"}).status_code == 429
        # ... pages, health and metrics are not rate limited.
        assert client.get("/").status_code == 200 and client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 200
        assert 'chipwatch_http_requests_total{method="GET",route="/api/search",status="429"}' in \
            client.get("/metrics").text
    client.runtime.close()


def test_rate_limit_zero_turns_it_off(tmp_path):
    with make_client(tmp_path, api_rate_limit=0, api_rate_burst=1) as client:
        assert {client.get("/api/entities").status_code for _ in range(5)} == {200}
    client.runtime.close()


def test_token_bucket_refills_and_stays_small():
    from app.web.limits import TokenBucket

    now = [0.0]
    bucket = TokenBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take("a") for _ in range(3)] == [0, 0, 0]
    assert bucket.take("a") == pytest.approx(0.5)
    assert bucket.take("b") == 0  # per client
    now[0] += 0.5
    assert bucket.take("a") == 0
    bucket.MAX_KEYS = 10
    for i in range(50):
        now[0] += 10
        bucket.take(f"client-{i}")
    assert len(bucket.buckets) <= 11


def test_body_cap_413_by_content_length_and_while_streaming(tmp_path):
    with make_client(tmp_path, max_body_bytes=2048) as client:
        big = [dict(ARTICLE, title=f"t{i}") for i in range(30)]
        refused = client.post("/api/articles", json=big, headers=bearer(ADMIN_TOKEN))
        assert refused.status_code == 413
        assert "at most 2 KiB" in refused.json()["detail"]

        def chunks():  # no Content-Length: counted as it arrives
            yield b"["
            for i in range(30):
                yield json.dumps(dict(ARTICLE, title=f"t{i}")).encode() + b","
            yield b"{}]"

        streamed = client.post("/api/articles", content=chunks(),
                               headers={**bearer(ADMIN_TOKEN), "content-type": "application/json"})
        assert streamed.status_code == 413 and "too large" in streamed.json()["detail"]
        assert client.post("/api/articles", json=ARTICLE, headers=bearer(ADMIN_TOKEN)).status_code == 200
        # HTML forms have their own small cap.
        assert client.post("/admin/login", data={"token": "x" * 70_000}).status_code == 413
        assert client.post("/api/articles", content=b"{}", headers={
            **bearer(ADMIN_TOKEN), "content-length": "abc"}).status_code == 400
    client.runtime.close()


def test_query_and_page_size_limits(app_client):
    too_long = {"detail": "Invalid request",
                "errors": [{"param": "q", "msg": "String should have at most 500 characters"}]}
    for url in ("/api/search?q=" + "x" * 501, "/api/search?q=ok&q=" + "x" * 501,
                "/api/search?q=" + "x" * 499 + "%20%20", "/export.csv?q=" + "é" * 501):
        refused = app_client.get(url)  # checked as FastAPI did: the last q, unstripped
        assert (refused.status_code, refused.json()) == (422, too_long)
    assert app_client.get("/api/search?q=" + "x" * 501 + "&q=ok").status_code == 200
    assert app_client.get("/api/search?q=" + "x" * 500).status_code == 200
    assert app_client.get("/api/search?per_page=101").status_code == 422
    assert app_client.get("/api/search?per_page=100").status_code == 200


def test_every_filtered_operation_documents_the_filters(app_client):
    """The filters are read from the query string by get_filters, not by FastAPI: the schema
    still lists them, after each operation's own parameters, as FastAPI wrote them."""
    from app.web.deps import filter_parameters

    names = [p["name"] for p in filter_parameters()]
    assert names[:3] == ["q", "company", "chip"] and "from" in names and len(names) == 19
    spec = app_client.get("/openapi.json").json()
    for path, own in (("/api/search", []), ("/export.csv", []), ("/feed.atom", []),
                      ("/export.xlsx", []), ("/api/timeline", ["interval", "markers"]),
                      ("/api/timeline/compare", ["interval", "scale", "markers"])):
        op = spec["paths"][path]["get"]
        assert [p["name"] for p in op["parameters"]] == own + names, path
        assert list(op).index("parameters") < list(op).index("responses")
    q = spec["paths"]["/api/search"]["get"]["parameters"][0]
    assert q["schema"]["maxLength"] == 500 and q["description"] == "Text query"
    company = spec["paths"]["/api/search"]["get"]["parameters"][1]
    assert "nvidia" in company["schema"]["items"]["enum"]  # the gazetteer's ids, added after
    assert "company" not in [p["name"] for p in spec["paths"]["/api/entities"]["get"]["parameters"]]


# --- metrics --------------------------------------------------------------------------------

def test_metrics_count_requests_ingest_and_index_lag(app_client):
    from app import metrics
    from app.ingest.pipeline import IngestReport

    def value(text: str, sample: str) -> float:
        match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
        return float(match.group(1)) if match else 0.0

    before = app_client.get("/metrics").text
    app_client.post("/api/articles", json=[ARTICLE, ARTICLE], headers=bearer(ADMIN_TOKEN))
    app_client.get("/api/articles/424242")
    metrics.count_ingest(IngestReport(added=3, duplicates=2))
    response = app_client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    route = 'chipwatch_http_requests_total{method="GET",route="/api/articles/{article_id}",status="404"}'
    assert value(text, route) == value(before, route) + 1
    assert 'chipwatch_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/api/articles/{article_id}"}' in text
    added = 'chipwatch_ingest_items_total{outcome="added"}'
    duplicate = 'chipwatch_ingest_items_total{outcome="duplicate"}'
    assert value(text, added) >= value(before, added) + 3
    assert value(text, duplicate) >= value(before, duplicate) + 2
    assert value(text, "chipwatch_articles") == 1
    assert value(text, "chipwatch_database_up") == 1
    assert "chipwatch_index_lag 0.0" in text and "chipwatch_index_lag_seconds" in text
    assert 'chipwatch_search_engine_info{engine="sqlite"} 1.0' in text
    assert "/api/articles/424242" not in text  # labels are route templates, never raw paths


def test_index_lag_counts_the_outbox(app_client):
    from datetime import UTC, datetime, timedelta

    from app.models import IndexOutbox

    with app_client.runtime.sessions.begin() as session:
        session.add_all([IndexOutbox(article_id=i, op="upsert",
                                     created_at=datetime.now(UTC) - timedelta(seconds=90)) for i in (1, 2)])
    text = app_client.get("/metrics").text
    assert "chipwatch_index_lag 2.0" in text
    lag = float(re.search(r"^chipwatch_index_lag_seconds (\S+)$", text, re.M).group(1))
    assert 85 < lag < 600
