"""Keeping search in step with the database: re-tagging, rebuilding and index status."""

from collections.abc import Callable

from sqlalchemy import func, select

from app.article.service import ArticleWriter
from app.gazetteer.sync import sync_entities
from app.models import Article
from app.runtime import Runtime
from app.search.repository import write_document

BATCH = 500


def _article_batches(runtime: Runtime):
    last = 0
    while True:
        with runtime.sessions.begin() as session:
            batch = session.scalars(select(Article).where(Article.id > last)
                                    .order_by(Article.id).limit(BATCH)).all()
            if not batch:
                return
            yield session, batch
            last = batch[-1].id


def retag_all(runtime: Runtime, progress: Callable[[int], None] | None = None) -> int:
    """Re-run enrichment on every article; each article's tags record the gazetteer version."""
    runtime.refresh_gazetteer(force=True)  # accepted gazetteer changes (the overlay) included
    with runtime.sessions.begin() as session:
        sync_entities(session, runtime.enricher.gazetteer)
    writer = ArticleWriter(runtime.enricher, runtime.outbox)
    count = 0
    for session, batch in _article_batches(runtime):
        for article in batch:
            writer.retag(session, article)
        count += len(batch)
        if progress:
            progress(len(batch))
    return count


def rebuild(runtime: Runtime, progress: Callable[[int], None] | None = None) -> int:
    """Rewrite every search row of the database search from the articles and their tags;
    with Meilisearch configured, also build a fresh Meilisearch index and swap it in."""
    from app.models import ArticleEntity

    count = 0
    for session, batch in _article_batches(runtime):
        tags: dict[int, list[str]] = {}
        for article_id, entity_id in session.execute(
                select(ArticleEntity.article_id, ArticleEntity.entity_id)
                .where(ArticleEntity.article_id.in_([a.id for a in batch]))):
            tags.setdefault(article_id, []).append(entity_id)
        for article in batch:
            write_document(session, article, sorted(tags.get(article.id, [])))
        count += len(batch)
        if progress:
            progress(len(batch))
    if runtime.settings.meili_url:
        from app.search.outbox import rebuild_meili

        rebuild_meili(runtime, progress)
    return count


def status(runtime: Runtime) -> dict:
    """The engine in use, the article count, and per engine how far its index lags behind."""
    with runtime.sessions() as session:
        articles = session.scalar(select(func.count()).select_from(Article))
    # The database search is written in the same transaction as the article: it never lags.
    engines: dict[str, dict] = {runtime.db_search.engine: {"lag": 0, "healthy": True}}
    if runtime.settings.meili_url:
        from app.search.outbox import meili_backend, outbox_status

        meili = meili_backend(runtime)
        info: dict = {**outbox_status(runtime), "healthy": meili.healthy(), "index": meili.index_uid}
        if info["healthy"]:
            try:
                info["documents"] = meili.document_count()
            except Exception:  # noqa: BLE001 - the index may not exist yet
                info["documents"] = None
        engines["meilisearch"] = info
    primary = engines.get(runtime.search.engine, engines[runtime.db_search.engine])
    return {"engine": runtime.search.engine, "articles": articles, "lag": primary["lag"],
            "healthy": primary["healthy"], "engines": engines}
