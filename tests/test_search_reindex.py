"""Word forms and accent folding changed the search tokens: indexes written by an earlier
version are rewritten by the migration (database search), by `chipwatch index rebuild`, and,
for Meilisearch, by the worker, which finds documents without the terms attribute."""

import json

import pytest
from alembic import command
from sqlalchemy import text

from app.cli import run_ingest
from app.filters import parse_filters
from app.search.indexing import rebuild
from app.migrate import alembic_config, upgrade
from app.search import indexing as outbox_module
from app.search.indexing import drain_outbox, load_documents
from app.search.service import search_articles
from app.text import index_tokens
from tests.test_search_contract import meili_runtime  # noqa: F401 - fixture

ARTICLES = [
    {"title": "Chipmakers keep exporting to the region",
     "body": "Companies were exporting accelerators to data centres in Pékin before the new rules took effect.",
     "url": "https://example.org/a", "published_at": "2025-05-01T10:00:00Z", "source": "test", "lang": "en"},
    {"title": "A note on licensing",
     "body": "The ministry said licensing would resume for older products after a review of the applications.",
     "url": "https://example.org/b", "published_at": "2025-05-02T10:00:00Z", "source": "test", "lang": "en"},
]


def _ingest(runtime, tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    report = run_ingest(runtime, [str(path)], None, None)
    assert report.added == 2 and not report.rejected


def _ids(runtime, q, backend=None):
    with runtime.sessions() as session:
        page = search_articles(session, parse_filters([("q", q)]), backend or runtime.search,
                               runtime.query_tagger)
    return {h["id"] for h in page.hits}


def _write_old_rows(runtime):
    """The rows an earlier version wrote: its tokens (no word forms, accents kept)."""
    with runtime.sessions.begin() as session:
        rows = session.execute(text("SELECT id, title, body FROM articles")).all()
        for id_, title, body in rows:
            tokens = ["pékin" if t == "pekin" else t for t in index_tokens(title + "\n" + body)]
            if session.get_bind().dialect.name == "sqlite":
                session.execute(text("DELETE FROM article_fts WHERE rowid = :id"), {"id": id_})
                session.execute(text("INSERT INTO article_fts(rowid, text, ents) VALUES (:id, :t, '')"),
                                {"id": id_, "t": " ".join(tokens)})
            else:
                session.execute(text("UPDATE article_search SET tokens = :t WHERE article_id = :id"),
                                {"id": id_, "t": sorted(set(tokens))})
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("DELETE FROM search_vocabulary"))  # before word forms: no such words


def test_migration_and_rebuild_rewrite_old_search_rows(runtime, tmp_path):
    _ingest(runtime, tmp_path)
    assert len(_ids(runtime, "export")) == 1 and len(_ids(runtime, "Pekin")) == 1
    _write_old_rows(runtime)
    assert _ids(runtime, "export") == set() and _ids(runtime, "Pekin") == set()  # an old index
    if runtime.engine.dialect.name == "postgresql":
        assert _ids(runtime, "licen*") == set()

    # The migration rewrites the rows (run again: down to the previous revision, then up).
    cfg = alembic_config(runtime.settings)
    with runtime.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "b6e3f0a9c412")
    upgrade(runtime.settings)
    assert len(_ids(runtime, "export")) == 1 and len(_ids(runtime, "Pekin")) == 1
    assert len(_ids(runtime, "licen*")) == 1

    _write_old_rows(runtime)
    assert rebuild(runtime) == 2  # chipwatch index rebuild
    assert len(_ids(runtime, "export")) == 1 and len(_ids(runtime, "Pekin")) == 1


@pytest.mark.meili
def test_worker_rebuilds_meilisearch_documents_of_an_earlier_version(meili_runtime, tmp_path, monkeypatch):
    runtime = meili_runtime
    _ingest(runtime, tmp_path)
    drain_outbox(runtime)
    assert len(_ids(runtime, "Chipmakers OR licensing")) == 2
    meili = runtime.search
    # Documents as an earlier version sent them: no forms, no terms.
    with runtime.sessions() as session:
        docs, _gone = load_documents(session, [1, 2], runtime.enricher.gazetteer)
    old = [{k: v for k, v in d.items() if k not in ("forms", "terms")} for d in docs]
    meili.wait(meili.client.index(meili.index_uid).add_documents(old).task_uid)
    meili.wait(meili.client.index(meili.index_uid).delete_all_documents().task_uid)
    meili.wait(meili.client.index(meili.index_uid).add_documents(old).task_uid)
    assert meili.stale_documents()
    assert _ids(runtime, "Chipmakers OR licensing") == set()  # the operators need terms
    monkeypatch.setattr(outbox_module, "_CURRENT_DOCUMENTS", set())
    drain_outbox(runtime)
    assert not meili.stale_documents()
    assert len(_ids(runtime, "Chipmakers OR licensing")) == 2
    assert len(_ids(runtime, "exports")) == 1
