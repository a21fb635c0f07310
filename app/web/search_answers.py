"""/api/search's answers remembered for the very search that made them.

Meilisearch is asked on every request, as before; what is remembered is what the app makes of
its answer (hits as summaries with snippets, facet names, "searched as", the JSON): most of a
repeated search's work in the web process after Meilisearch answered (bench/reports/api9.md),
and a function of values compared on every request before a kept answer is used:

- the filters and the query plan (equal values: the query as planned now, so the index's
  words, the gazetteer's entities and today's date are those of this request),
- the engine's result (equal ids, stamps, total and facet counts),
- the engine's article cache, the query tagger and the entity-name map (the same objects: a
  gazetteer refresh or a reload of the names makes new ones, and every kept answer is then
  forgotten),
- the article views of the hits (the same objects the article cache hands out now: a view is
  frozen, a changed article is a new view).

Only searches Meilisearch answered whole are kept: not a fallback to the database, not the
best partial matches, not an empty result (its suggestions come from elsewhere), and not
when the names or views changed while the answer was made. A process keeps its own (at most
ENTRIES), as the page cache does.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import orjson
from sqlalchemy.orm import Session

from app.enrich.tagger import Tagger
from app.filters import Filters
from app.search.article_cache import ArticleCache, ArticleView
from app.search.backend import BackendResult
from app.search.entity_cache import entity_names
from app.search.query import QueryPlan
from app.search.service import Found, show_articles

ENTRIES = 256  # about 30 KB each at 20 hits a page


@dataclass(frozen=True)
class _Kept:
    filters: Filters
    plan: QueryPlan
    result: BackendResult
    engine: str
    views: tuple[ArticleView | None, ...]
    body: bytes


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


class SearchAnswers:
    def __init__(self, entries: int = ENTRIES):
        self.entries = entries
        self._kept: OrderedDict[Filters, _Kept] = OrderedDict()
        # The article cache, query tagger and entity-name map every kept answer was made with:
        # when any is another object (another engine, a gazetteer refresh, the names reloaded
        # every 30 seconds), all are forgotten, so none holds an old tagger or map in memory.
        self._made_with: tuple[object, object, object] | None = None
        self._lock = threading.Lock()
        self.hits = 0

    def answer(self, session: Session, found: Found, tagger: Tagger) -> bytes:
        """The JSON of the page of what was found: the kept one when it was made from the same
        search, else made (and kept when it may be)."""
        cache = getattr(found.engine, "article_cache", None)
        if (
            not isinstance(cache, ArticleCache)
            or found.notice is not None
            or found.partial
            or not found.result.total
        ):
            return orjson.dumps(show_articles(session, found, facet_values=False).to_json())
        names = entity_names(session)
        made_with = (cache, tagger, names)
        found_views = cache.views(session, found.result.ids, found.result.stamps)
        views = _in_order(found_views, found.result)
        with self._lock:
            kept = (
                self._kept.get(found.filters) if _same(made_with, self._made_with or ()) else None
            )
        if (
            kept is not None
            and _same(kept.views, views)
            and kept.engine == found.engine.engine
            and kept.result == found.result
            and kept.plan == found.plan
            and kept.filters == found.filters
        ):
            with self._lock:
                self.hits += 1
                if found.filters in self._kept:
                    self._kept.move_to_end(found.filters)
            return kept.body
        # Made from the views and names just read (not read again for the hits and facets).
        page = show_articles(session, found, found_views, names, facet_values=False)
        body = orjson.dumps(page.to_json())
        # Kept only if the names and views it was made from are still the ones handed out.
        if entity_names(session) is names and _same(
            _in_order(cache.views(session, found.result.ids, found.result.stamps), found.result),
            views,
        ):
            entry = _Kept(found.filters, found.plan, found.result, found.engine.engine, views, body)
            with self._lock:
                if not _same(made_with, self._made_with or ()):
                    self._kept.clear()
                    self._made_with = made_with
                self._kept[found.filters] = entry
                self._kept.move_to_end(found.filters)
                while len(self._kept) > self.entries:
                    self._kept.popitem(last=False)
        return body


def _in_order(
    views: dict[int, ArticleView], result: BackendResult
) -> tuple[ArticleView | None, ...]:
    return tuple(views.get(i) for i in result.ids)
