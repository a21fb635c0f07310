"""Articles as a page of hits shows them (columns, tags, mentions), read from the database
and kept in memory while the index holds the same article.

A search answers with ids; showing them costs a query (the articles, with their tags and
mentions as JSON beside each), as much as the search itself. Articles change only through the
index outbox, so every Meilisearch document carries the stamp of the view it was made from
(`view_stamp`, the `view` attribute) and a hit comes back with it: a view kept in memory whose
own stamp is the hit's is exactly the article as the index has it, and is reused without asking
the database anything (not even the search version). A view whose stamp differs is loaded again:
the database is never behind the index, so what is shown is never older than the index. Hits of
documents indexed before stamps existed fall back to the search version (app.models.SearchState,
moved when a change reaches Meilisearch): a view loaded at one version is reused until the next.
The database engine has neither (it is searched in the same transaction as it is written): no
cache.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlalchemy import Select, String, bindparam, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from app.db import read_connection
from app.models import Article, ArticleEntity, Mention, Source, as_utc
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


def view_stamp(view: ArticleView) -> str:
    """A short digest of everything a view holds (tags and mentions in a fixed order): equal
    stamps, equal views. Written into the article's Meilisearch document when it is indexed."""
    data = [
        view.id,
        view.title,
        view.body,
        view.url,
        view.lang,
        as_utc(view.published_at).isoformat(),
        view.date_estimated,
        view.story_id,
        view.source,
        sorted(view.entity_ids),
        sorted(view.mentions),
    ]
    return hashlib.blake2b(orjson.dumps(data), digest_size=12).hexdigest()


def load_mentions(session: Session, ids: list[int]) -> dict[int, list[tuple[str, int, int]]]:
    """article id -> its mentions (entity id, start, end), in one query; every id a key (the
    indexer's; a page's views read theirs beside each article row, load_views)."""
    mentions: dict[int, list[tuple[str, int, int]]] = {i: [] for i in ids}
    if not ids:
        return mentions
    stmt = select(Mention.article_id, Mention.entity_id, Mention.start, Mention.end).where(
        Mention.article_id.in_(ids)
    )
    for article_id, entity_id, start, end in session.connection().execute(stmt):
        mentions[article_id].append((entity_id, start, end))
    return mentions


class json_rows(FunctionElement):
    """An aggregate: the JSON array (as text) of one array per row of the given columns (of
    the value itself for one column), `[]` for no row. In a correlated subquery it brings an
    article's tags or mentions along with its row: one statement instead of one per table."""

    type = String()
    inherit_cache = True
    name = "json_rows"


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw) -> str:
    columns = compiler.process(element.clauses, **kw)
    return f"json_group_array({columns if len(element.clauses) == 1 else f'json_array({columns})'})"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw) -> str:
    columns = compiler.process(element.clauses, **kw)
    rows = columns if len(element.clauses) == 1 else f"json_build_array({columns})"
    return f"coalesce(json_agg({rows}), '[]')::text"


def _views_statement(with_mentions: bool) -> Select:
    tags = (
        select(json_rows(ArticleEntity.entity_id))
        .where(ArticleEntity.article_id == Article.id)
        .scalar_subquery()
    )
    mentions = (
        select(json_rows(Mention.entity_id, Mention.start, Mention.end))
        .where(Mention.article_id == Article.id)
        .scalar_subquery()
        if with_mentions
        else literal("[]")
    )
    return (
        select(
            Article.id,
            Article.title,
            Article.body,
            Article.url,
            Article.lang,
            Article.published_at,
            Article.date_estimated,
            Article.story_id,
            Source.name,
            tags,
            mentions,
        )
        .outerjoin(Source, Source.id == Article.source_id)
        .where(Article.id.in_(bindparam("ids", expanding=True)))
    )


# Built once: making the statement cost more than running it (the ids are a parameter).
_VIEWS = {True: _views_statement(True), False: _views_statement(False)}


def load_views(
    session: Session, ids: list[int], mentioned: set[str] | None = None
) -> dict[int, ArticleView]:
    """The views of the ids that exist (one query, whatever the number of ids: the tags and
    mentions come as JSON beside each article), with the mentions of every entity, or only of
    the mentioned ones."""
    if not ids:
        return {}
    # Plain rows through the connection: the ORM's result machinery was a fifth of the cost.
    with read_connection(session) as connection:
        rows = connection.execute(_VIEWS[mentioned != set()], {"ids": ids}).all()
    views = {}
    for row in rows:
        id_, title, body, url, lang, published_at, estimated, story_id, source, tags, found = row
        mentions = orjson.loads(found)
        if mentioned is not None:
            mentions = [m for m in mentions if m[0] in mentioned]
        views[id_] = ArticleView(
            id_,
            title,
            body,
            url,
            lang,
            published_at,
            estimated,
            story_id,
            source,
            tuple(orjson.loads(tags)),
            tuple(map(tuple, mentions)),
        )
    return views


class ArticleCache:
    def __init__(self, size: int = MAX_ARTICLES):
        self.size = size
        # article id -> (what the view is valid for: ("stamp", its stamp) or ("version", the
        # search version it was loaded at), the view)
        self._views: OrderedDict[int, tuple[tuple[str, object], ArticleView]] = OrderedDict()
        # (body, query tokens, highlighted spans) -> snippet: a repeated search (a shared
        # link, the next page back) shows the same snippets.
        self._snippets: OrderedDict[tuple, str] = OrderedDict()
        # article id -> (the view and the entity names it was made from, its summary without
        # the snippet)
        self._summaries: OrderedDict[int, tuple[ArticleView, object, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def _remember(self, store: OrderedDict, key, value) -> None:
        """Keep key -> value in store, the least recently stored going first past size."""
        with self._lock:
            store[key] = value
            store.move_to_end(key)
            while len(store) > self.size:
                store.popitem(last=False)

    def views(
        self, session: Session, ids: list[int], stamps: Sequence[str | None] | None = None
    ) -> dict[int, ArticleView]:
        """The views of the ids that exist. stamps (beside ids, from the index's hits): the
        view_stamp of each document as indexed, None for a document indexed without one."""
        wanted: dict[int, tuple[str, object] | None] = {
            i: None if s is None else ("stamp", s)
            for i, s in zip(ids, stamps if stamps is not None else [None] * len(ids))
        }
        if any(key is None for key in wanted.values()):
            version = search_version(session)
            if version is None:
                return load_views(session, ids)
            for i, key in wanted.items():
                if key is None:
                    wanted[i] = ("version", version)
        found: dict[int, ArticleView] = {}
        with self._lock:
            for i, key in wanted.items():
                kept = self._views.get(i)
                if kept is not None and kept[0] == key:
                    found[i] = kept[1]
        missing = [i for i in wanted if i not in found]
        if missing:
            loaded = load_views(session, missing)
            found.update(loaded)
            with self._lock:
                for i, view in loaded.items():
                    key = wanted[i]
                    # A stamped view is kept only when it is the indexed one (the database may
                    # already be ahead of the index: shown, loaded again next time); a view
                    # loaded after the version was read is at least as new as that version.
                    if key is not None and (key[0] == "version" or key[1] == view_stamp(view)):
                        self._views[i] = (key, view)
                        self._views.move_to_end(i)
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

    def summary(self, view: ArticleView, names: object, make) -> dict:
        """The summary of a view without its snippet (made by make(view) the first time).
        Kept with the very view and the very entity-name map it was made from: a summary a
        slower request makes from an older view never stands for the view loaded after the
        article changed, nor one made before an entity was renamed for the names reloaded
        since (app/search/entity_cache.py reloads them as a new map)."""
        kept = self._summaries.get(view.id)
        if kept is None or kept[0] is not view or kept[1] is not names:
            kept = (view, names, make(view))
            self._remember(self._summaries, view.id, kept)
        return kept[2]
