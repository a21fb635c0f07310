"""Re-tagging every article after a gazetteer change (`chipwatch reindex --retag`)."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.article.service import ArticleWriter
from app.gazetteer.sync import sync_entities
from app.search.repository import article_batches

if TYPE_CHECKING:  # a runtime is handed in; this package never builds one
    from app.runtime import Runtime


def retag_all(runtime: "Runtime", progress: Callable[[int], None] | None = None) -> int:
    """Re-run enrichment on every article; each article's tags record the gazetteer version."""
    runtime.refresh_gazetteer(force=True)  # accepted gazetteer changes (the overlay) included
    with runtime.sessions.begin() as session:
        sync_entities(session, runtime.enricher.gazetteer)
    writer = ArticleWriter(runtime.enricher, runtime.outbox)
    count = 0
    for session, batch in article_batches(runtime.sessions):
        for article in batch:
            writer.retag(session, article)
        count += len(batch)
        if progress:
            progress(len(batch))
    return count
