"""Articles as a page of hits shows them (columns, tags, mentions), read from the database
and kept in memory while the search version stays the same.

A search answers with ids; showing them costs three queries (the articles, their tags, their
mentions), as much as the search itself. Articles change only through the index outbox, and
the search version (app.models.SearchState) moves when a change reaches Meilisearch, so with
the Meilisearch engine a view loaded at one version is reused until the next. The database
engine has no version (it is searched in the same transaction as it is written): no cache.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Article, ArticleEntity, Mention, Source
from app.search.repository import search_version

MAX_ARTICLES = 20_000  # about 2 KB each


@dataclass(frozen=True)
class ArticleView:
    id: int
    title: str
    body: str
    url: str | None
    lang: str
    published_at: datetime
    date_estimated: bool
    story_id: str | None
    source: str | None
    entity_ids: tuple[str, ...]
    mentions: tuple[tuple[str, int, int], ...]  # (entity id, start, end)


def load_views(
    session: Session, ids: list[int], mentioned: set[str] | None = None
) -> dict[int, ArticleView]:
    """The views of the ids that exist (three queries at most, whatever the number of ids),
    with the mentions of every entity, or only of the mentioned ones."""
    if not ids:
        return {}
    # Plain rows through the connection: the ORM's result machinery was a fifth of the cost.
    if session.autoflush:
        session.flush()  # as session.execute would: an article written in this session shows
    conn = session.connection()
    tags: dict[int, list[str]] = {i: [] for i in ids}
    for article_id, entity_id in conn.execute(
        select(ArticleEntity.article_id, ArticleEntity.entity_id).where(
            ArticleEntity.article_id.in_(ids)
        )
    ):
        tags[article_id].append(entity_id)
    mentions: dict[int, list[tuple[str, int, int]]] = {i: [] for i in ids}
    stmt = select(Mention.article_id, Mention.entity_id, Mention.start, Mention.end).where(
        Mention.article_id.in_(ids)
    )
    if mentioned is not None:
        stmt = stmt.where(Mention.entity_id.in_(mentioned))
    for article_id, entity_id, start, end in conn.execute(stmt) if mentioned != set() else ():
        mentions[article_id].append((entity_id, start, end))
    return {
        row.id: ArticleView(
            row.id,
            row.title,
            row.body,
            row.url,
            row.lang,
            row.published_at,
            row.date_estimated,
            row.story_id,
            row.source,
            tuple(tags[row.id]),
            tuple(mentions[row.id]),
        )
        for row in conn.execute(
            select(
                Article.id,
                Article.title,
                Article.body,
                Article.url,
                Article.lang,
                Article.published_at,
                Article.date_estimated,
                Article.story_id,
                Source.name.label("source"),
            )
            .outerjoin(Source, Source.id == Article.source_id)
            .where(Article.id.in_(ids))
        )
    }


class ArticleCache:
    def __init__(self, size: int = MAX_ARTICLES):
        self.size = size
        self._views: OrderedDict[int, ArticleView] = OrderedDict()
        # (body, query tokens, highlighted spans) -> snippet: a repeated search (a shared
        # link, the next page back) shows the same snippets.
        self._snippets: OrderedDict[tuple, str] = OrderedDict()
        # article id -> (the view it was made from, its summary without the snippet)
        self._summaries: OrderedDict[int, tuple[ArticleView, dict]] = OrderedDict()
        self._version: int | None = None
        self._lock = threading.Lock()

    def _remember(self, store: OrderedDict, key, value) -> None:
        """Keep key -> value in store, the least recently stored going first past size."""
        with self._lock:
            store[key] = value
            store.move_to_end(key)
            while len(store) > self.size:
                store.popitem(last=False)

    def views(self, session: Session, ids: list[int]) -> dict[int, ArticleView]:
        version = search_version(session)
        if version is None:
            return load_views(session, ids)
        with self._lock:
            if version != self._version:
                self._views.clear()
                self._snippets.clear()
                self._summaries.clear()
                self._version = version
            found = {i: self._views[i] for i in ids if i in self._views}
        missing = [i for i in ids if i not in found]
        if missing:
            loaded = load_views(session, missing)
            found.update(loaded)
            with self._lock:
                if self._version == version:  # not if the version moved while loading
                    self._views.update(loaded)
                    while len(self._views) > self.size:
                        self._views.popitem(last=False)
        return found

    def snippet(self, key: tuple, make) -> str:
        """The snippet for key (made by make() the first time). Keys hold the body itself, so
        a snippet is never one of another text, whatever the version."""
        found = self._snippets.get(key)
        if found is None:
            found = make()
            self._remember(self._snippets, key, found)
        return found

    def summary(self, view: ArticleView, make) -> dict:
        """The summary of a view without its snippet (made by make(view) the first time).
        Kept with the very view it was made from: a summary a slower request makes from an
        older view never stands for the view loaded after the version moved."""
        kept = self._summaries.get(view.id)
        if kept is None or kept[0] is not view:
            kept = (view, make(view))
            self._remember(self._summaries, view.id, kept)
        return kept[1]
