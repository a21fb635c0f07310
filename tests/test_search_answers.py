"""/api/search's JSON remembered for the same search (app/web/search_answers.py): Meilisearch
is asked every time, and a kept answer is used only while everything it was made from is the
same: an edit the index has seen, new articles, a rename of an entity (the names reloaded),
the engine down, all answer anew."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.web.api import SEARCH_ANSWERS
from tests.test_search_contract import ingest_lines, sample_lines

pytestmark = pytest.mark.meili


def test_a_repeated_search_answers_the_kept_json(app_and_runtime, tmp_path):
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:10], tmp_path, "ten")
    drain_outbox(runtime)
    with TestClient(app) as client:
        first = client.get("/api/search?per_page=100&lang=en&lang=zh&lang=ar&lang=fr")
        hits = SEARCH_ANSWERS.hits
        again = client.get("/api/search?per_page=100&lang=en&lang=zh&lang=ar&lang=fr")
        assert SEARCH_ANSWERS.hits == hits + 1
        assert (again.status_code, again.content) == (200, first.content)
        assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
        assert again.headers["content-length"] == str(len(first.content))

        ingest_lines(runtime, sample_lines()[10:20], tmp_path, "more")
        drain_outbox(runtime)  # Meilisearch answers differently: made anew
        more = client.get("/api/search?per_page=100&lang=en&lang=zh&lang=ar&lang=fr")
        assert more.json()["total"] > first.json()["total"]
        assert SEARCH_ANSWERS.hits == hits + 1


def test_an_edit_the_index_has_seen_is_shown(app_and_runtime, tmp_path):
    from app.models import Article, IndexOutbox
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:10], tmp_path, "ten")
    drain_outbox(runtime)
    with TestClient(app) as client:

        def titles() -> dict[int, str]:
            return {
                h["id"]: h["title"] for h in client.get("/api/search?per_page=100").json()["hits"]
            }

        before = titles()
        first = min(before)
        assert titles() == before  # kept
        with runtime.sessions.begin() as session:
            session.execute(update(Article).where(Article.id == first).values(title="Retitled"))
            session.add(IndexOutbox(article_id=first, op="upsert"))
        drain_outbox(runtime)
        assert titles()[first] == "Retitled"


def test_renamed_entities_are_named_anew(app_and_runtime, tmp_path):
    """The entity names are reloaded as a new map (app/search/entity_cache.py): a kept answer
    made with the old map is not used."""
    from app.search import entity_cache
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:10], tmp_path, "ten")
    drain_outbox(runtime)
    with TestClient(app) as client:
        first = client.get("/api/search?per_page=100")
        hits = SEARCH_ANSWERS.hits
        entity_cache.clear()  # as after a gazetteer change in this process
        again = client.get("/api/search?per_page=100")
        assert SEARCH_ANSWERS.hits == hits and again.content == first.content
        assert len(SEARCH_ANSWERS._kept) == 1  # those made with the old names: forgotten


def test_a_fallback_answer_is_not_kept(app_and_runtime, meili_server, tmp_path):
    from app.search.indexing import drain_outbox

    app, runtime = app_and_runtime
    ingest_lines(runtime, sample_lines()[:6], tmp_path, "six")
    drain_outbox(runtime)
    with TestClient(app) as client:
        kept = client.get("/api/search?q=Nvidia")
        assert kept.json()["engine"] == "meilisearch"
        meili_server.stop()
        try:
            hits = SEARCH_ANSWERS.hits
            down = client.get("/api/search?q=Nvidia")
            assert down.json()["engine"] != "meilisearch"
            assert SEARCH_ANSWERS.hits == hits
        finally:
            meili_server.start()
