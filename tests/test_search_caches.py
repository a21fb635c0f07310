"""What the Meilisearch engine keeps between requests: rendered pages and the articles of
hits, reused until Meilisearch answers differently; never an admin's page or a page served
by the database fallback."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Article
from tests.conftest import ADMIN_TOKEN
from tests.test_search_contract import ingest_lines, sample_lines

pytestmark = pytest.mark.meili


def total(html: str) -> int:
    return int(re.search(r'class="total"><span class="total-count">(\d+) article', html).group(1))


def test_a_page_is_reused_until_the_index_changes(app_and_runtime, tmp_path):
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    cache = app.state.page_cache
    lines = sample_lines()
    ingest_lines(runtime, lines[:10], tmp_path, "first")
    drain_outbox(runtime)
    with TestClient(app) as client:
        first = client.get("/?lang=en&lang=ar&lang=zh&lang=fr")
        again = client.get("/?lang=en&lang=ar&lang=zh&lang=fr&q=")  # the same view
        assert cache.hits == 1 and again.text == first.text
        assert again.headers["content-type"].startswith("text/html")
        assert again.headers["x-content-type-options"] == "nosniff"  # middleware still applies
        partial = client.get("/?lang=en&lang=ar&lang=zh&lang=fr", headers={"HX-Request-Type": "partial"})
        assert "<html" not in partial.text and "<html" in first.text  # a fragment is its own entry

        ingest_lines(runtime, lines[10:20], tmp_path, "second")
        stale = client.get("/?lang=en&lang=ar&lang=zh&lang=fr")
        assert total(stale.text) == total(first.text)  # not applied to Meilisearch yet
        drain_outbox(runtime)
        fresh = client.get("/?lang=en&lang=ar&lang=zh&lang=fr")
        assert total(fresh.text) > total(first.text)


def test_admin_pages_are_never_cached(app_and_runtime, tmp_path):
    app, runtime = app_and_runtime
    with TestClient(app) as client:
        bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        assert "Save this view" in client.get("/", headers=bearer).text
        assert client.post("/admin/login", data={"token": ADMIN_TOKEN},
                           follow_redirects=False).status_code == 303
        pages = [client.get("/").text for _ in range(2)]  # the session cookie: a CSRF token
        assert all(re.search(r'name="csrf" value="[^"]+"', page) for page in pages)
        assert app.state.page_cache.hits == 0 and not app.state.page_cache._pages
        client.cookies.clear()
        assert "Save this view" not in client.get("/").text  # anonymous: its own, cached, page
        assert len(app.state.page_cache._pages) == 1


def test_a_fallback_page_is_not_cached(app_and_runtime, meili_server):
    app, runtime = app_and_runtime
    meili_server.stop()
    try:
        with TestClient(app) as client:
            page = client.get("/")
            assert "unreachable" in page.text
            assert not app.state.page_cache._pages
    finally:
        meili_server.start()


def test_hits_show_articles_as_of_the_index_version(app_and_runtime, tmp_path):
    from sqlalchemy import update

    from app.filters import parse_filters
    from app.models import Article, IndexOutbox
    from app.search.indexing import drain_outbox
    from app.search.service import search_articles

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:10], tmp_path, "ten")
    drain_outbox(runtime)

    def titles() -> dict[int, str]:
        with runtime.sessions() as session:
            page = search_articles(session, parse_filters([("per_page", "100")]), runtime.search,
                                   runtime.query_tagger)
        assert page.engine == "meilisearch"
        return {h["id"]: h["title"] for h in page.hits}

    before = titles()
    first = min(before)
    with runtime.sessions.begin() as session:  # an edit, queued for the index as the app does
        session.execute(update(Article).where(Article.id == first).values(title="Retitled"))
        session.add(IndexOutbox(article_id=first, op="upsert"))
    assert titles()[first] == before[first]  # the index has not seen the edit yet
    drain_outbox(runtime)
    assert titles()[first] == "Retitled"


def test_a_summary_stands_only_for_the_view_it_was_made_from():
    from dataclasses import replace
    from datetime import UTC, datetime

    from app.search.article_cache import ArticleCache, ArticleView

    cache = ArticleCache(size=2)
    names: dict = {}
    old = ArticleView(1, "Old title", "body", None, "en", datetime.now(UTC), False, None, None, (), ())
    new = replace(old, title="New title")  # the same article, loaded after the version moved
    assert cache.summary(old, names, lambda v: {"title": v.title})["title"] == "Old title"
    assert cache.summary(old, names, lambda v: {"title": "made again"})["title"] == "Old title"
    assert cache.summary(new, names, lambda v: {"title": v.title})["title"] == "New title"
    # Entity names reloaded (a rename): a new map, so the summary is made again.
    assert cache.summary(new, {}, lambda v: {"title": "renamed"})["title"] == "renamed"
    for article_id in (2, 3):  # bounded: the least recently stored goes first
        cache.summary(replace(old, id=article_id), names, lambda v: {"title": v.title})
    assert cache.summary(new, names, lambda v: {"title": "made again"})["title"] == "made again"


def test_has_note_pages_are_never_shared(app_and_runtime, tmp_path):
    """has_note=1 depends on who asks (their notes): such a page is never cached, so one
    caller's noted articles never reach another through the page cache."""
    from app.accounts import service
    from app.models import Note
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:6], tmp_path, "notes")
    drain_outbox(runtime)
    with runtime.sessions.begin() as session:
        first, second = sorted(session.scalars(select(Article.id)))[:2]
        tokens = {}
        for name, article in (("alice", first), ("bob", second)):
            user = service.add_user(session, name, "reader", "correct horse battery")
            tokens[name] = service.issue_token(session, user)[1]
            session.add(Note(article_id=article, user_id=user.id, visibility="private", body="mine"))
    with TestClient(app) as client:
        def page(name: str | None) -> str:
            headers = {"Authorization": f"Bearer {tokens[name]}"} if name else {}
            return client.get("/?has_note=1", headers=headers).text

        for _ in range(2):  # a second round would be served from the cache if it were kept
            assert (f'href="/articles/{first}"' in page("alice"), f'href="/articles/{second}"' in page("alice")) == (True, False)
            assert (f'href="/articles/{first}"' in page("bob"), f'href="/articles/{second}"' in page("bob")) == (False, True)
            assert "/articles/" not in page(None)  # anonymous: team notes only, and there are none
        assert not any("has_note" in key[1] for key in app.state.page_cache._pages)
        client.get("/")
        assert len(app.state.page_cache._pages) == 1  # other pages are still cached


def _statements(runtime) -> list[str]:
    """Every SQL statement the runtime's engine runs from now on."""
    from sqlalchemy import event

    seen: list[str] = []
    event.listen(runtime.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_a_hit_the_index_holds_unchanged_is_answered_without_the_database(app_and_runtime, tmp_path):
    """Each document carries the stamp of the article as a hit shows it: a kept view with the
    hit's stamp is the indexed article, so a repeated search reads nothing from the database
    (not even the search version) and answers the same JSON."""
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:10], tmp_path, "ten")
    drain_outbox(runtime)
    with TestClient(app) as client:
        first = client.get("/api/search?per_page=100")
        assert first.status_code == 200 and first.json()["total"] == 10
        seen = _statements(runtime)
        again = client.get("/api/search?per_page=100")
        assert again.content == first.content
        assert seen == []


def test_a_view_the_database_has_changed_since_indexing_is_not_kept(app_and_runtime, tmp_path):
    """A view loaded when the database is already ahead of the index (an edit still in the
    outbox) is shown, newer than the index, but not kept under the index's stamp: once the
    index has the edit, its new stamp finds the new view."""
    from sqlalchemy import update

    from app.filters import parse_filters
    from app.models import IndexOutbox
    from app.search.indexing import drain_outbox
    from app.search.service import search_articles

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:10], tmp_path, "ten")
    drain_outbox(runtime)
    with runtime.sessions() as session:
        first = min(session.scalars(select(Article.id)))
    with runtime.sessions.begin() as session:
        session.execute(update(Article).where(Article.id == first).values(title="Edited early"))
        session.add(IndexOutbox(article_id=first, op="upsert"))

    def title() -> str:
        with runtime.sessions() as session:
            page = search_articles(session, parse_filters([("per_page", "100")]), runtime.search,
                                   runtime.query_tagger)
        return {h["id"]: h["title"] for h in page.hits}[first]

    assert title() == "Edited early"  # nothing was kept: loaded from the database
    assert first not in runtime.search.article_cache._views
    drain_outbox(runtime)
    assert title() == "Edited early"
    assert first in runtime.search.article_cache._views  # now the indexed article: kept
    seen = _statements(runtime)
    assert title() == "Edited early" and seen == []


def test_hits_of_documents_without_a_stamp_follow_the_search_version(app_and_runtime, tmp_path):
    """Documents indexed before stamps existed: views are kept per search version, as before."""
    from sqlalchemy import update

    from app.filters import parse_filters
    from app.search.indexing import bump_search_version, drain_outbox, load_documents
    from app.search.service import search_articles

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:5], tmp_path, "five")
    drain_outbox(runtime)
    meili = runtime.search
    with runtime.sessions() as session:
        ids = sorted(session.scalars(select(Article.id)))
        docs, _ = load_documents(session, ids, runtime.enricher.gazetteer)
    for doc in docs:
        del doc["view"]
    meili.wait(meili.upsert(docs))  # upsert replaces whole documents: now without the stamp

    def titles() -> dict[int, str]:
        with runtime.sessions() as session:
            page = search_articles(session, parse_filters([("per_page", "100")]), meili,
                                   runtime.query_tagger)
        return {h["id"]: h["title"] for h in page.hits}

    before = titles()
    assert {key[0] for key, _view in meili.article_cache._views.values()} == {"version"}
    with runtime.sessions.begin() as session:
        session.execute(update(Article).where(Article.id == ids[0]).values(title="Retitled"))
    assert titles()[ids[0]] == before[ids[0]]  # the same version: the kept view
    with runtime.sessions.begin() as session:
        bump_search_version(session)
    assert titles()[ids[0]] == "Retitled"


def test_a_document_carries_the_stamp_of_the_view_a_hit_loads(app_and_runtime, tmp_path):
    from app.search.article_cache import load_views, view_stamp
    from app.search.indexing import load_documents

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines(), tmp_path, "all")
    with runtime.sessions() as session:
        ids = sorted(session.scalars(select(Article.id)))
        docs, _gone = load_documents(session, ids, runtime.enricher.gazetteer)
        views = load_views(session, ids)
    assert len(docs) > 40 and all(views[d["id"]].mentions for d in docs[:5])
    assert {d["id"]: d["view"] for d in docs} == {d["id"]: view_stamp(views[d["id"]]) for d in docs}


def test_the_stamp_changes_with_everything_a_hit_shows():
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from app.search.article_cache import ArticleView, view_stamp

    view = ArticleView(1, "Title", "Body text", "https://example.com/a", "en",
                       datetime(2025, 1, 2, tzinfo=UTC), False, "s1", "Wire",
                       ("huawei", "nvidia"), (("huawei", 0, 6), ("nvidia", 10, 16)))
    changed = [replace(view, id=2), replace(view, title="Other"), replace(view, body="Body text."),
               replace(view, url=None), replace(view, lang="fr"),
               replace(view, published_at=view.published_at + timedelta(seconds=1)),
               replace(view, date_estimated=True), replace(view, story_id=None),
               replace(view, source="Other wire"), replace(view, entity_ids=("huawei",)),
               replace(view, mentions=(("huawei", 0, 6),))]
    stamps = {view_stamp(v) for v in changed}
    assert len(stamps) == len(changed) and view_stamp(view) not in stamps
    # The order the database returns tags and mentions in does not matter.
    same = replace(view, entity_ids=("nvidia", "huawei"),
                   mentions=(("nvidia", 10, 16), ("huawei", 0, 6)),
                   published_at=datetime(2025, 1, 2))  # naive UTC, as SQLite gives it back
    assert view_stamp(same) == view_stamp(view)


def test_the_counts_of_a_search_serve_its_other_pages_until_the_index_changes(
    app_and_runtime, tmp_path
):
    """Another page, page size or sort of the same search takes the facet and period counts
    kept for it (Meilisearch is asked for the hits alone); the page is the same as one counted
    afresh; a change applied to the index (a new search version) is counted again."""
    from urllib.parse import parse_qsl

    from app.db import session_scope
    from app.filters import parse_filters
    from app.search.indexing import drain_outbox
    from app.search.service import search_articles

    app, runtime = app_and_runtime
    lines = sample_lines()
    ingest_lines(runtime, lines[:10], tmp_path, "first")
    drain_outbox(runtime)
    sent: list[dict] = []
    raw_search = runtime.search.raw_search

    def recorded(body, uid=None):  # the real request, seen on its way
        sent.append(body)
        return raw_search(body, uid)

    runtime.search.raw_search = recorded

    def search(query: str, reuse: bool = True):
        with session_scope(runtime.sessions) as session:
            return search_articles(session, parse_filters(parse_qsl(query)), runtime.search,
                                   runtime.query_tagger, histogram="month", reuse_counts=reuse)

    views = "lang=en&lang=ar&lang=zh&lang=fr"
    first = search(views + "&per_page=2")
    again = search(views + "&per_page=3&page=2&sort=oldest")
    assert "facets" in sent[0] and "facets" not in sent[1]
    fresh = search(views + "&per_page=3&page=2&sort=oldest", reuse=False)
    assert "facets" in sent[2]
    assert (again.total, again.facets, again.histogram) == (fresh.total, fresh.facets, fresh.histogram)
    assert [h["id"] for h in again.hits] == [h["id"] for h in fresh.hits]
    assert first.facets == fresh.facets and first.total == fresh.total
    search(views + "&company=nvidia&per_page=3")  # another search: counted
    assert "facets" in sent[3]

    app.state.page_cache.entries = 0  # every request rendered
    with TestClient(app) as client:
        client.get("/?" + views + "&per_page=4")
        kept = client.get("/?" + views + "&per_page=5")
        assert "facets" not in sent[-1]
        runtime.search.counts.clear()
        assert client.get("/?" + views + "&per_page=5").text == kept.text
        assert "facets" in sent[-1]

    ingest_lines(runtime, lines[10:20], tmp_path, "second")
    drain_outbox(runtime)  # applied to Meilisearch: a new search version
    after = search(views + "&per_page=2")
    assert "facets" in sent[-1] and after.total > first.total
