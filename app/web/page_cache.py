"""Rendered search pages, kept until the search index changes.

Analysts share and reload the same views (a bookmarked filter, a dashboard link): the page
for a URL is the same until Meilisearch answers differently, and rendering it is most of
what a request costs. A cached page is keyed by the search version (app.models.SearchState,
bumped in the transaction that records a change as applied to Meilisearch), so it is never
older than the index, and by the lists version (bumped with every list change, for the
chart's list actions). Only pages for requests without credentials (no session cookie, no
Authorization header) from Meilisearch without a notice are kept: signed-in pages carry a CSRF
token and the viewer's own forms, and a database-fallback page says the engine is down.
Entity names come from a 30-second cache (app/search/entity_cache.py), so a renamed entity
shows within TTL seconds, like there.

Each web process has its own cache (`chipwatch serve` runs one per core): nothing is shared,
so nothing can be served across processes stale; a view is rendered once per process, and
the memory is entries x processes.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.admin_session import COOKIE as ADMIN_COOKIE
from app.accounts.principal import COOKIE as USER_COOKIE
from app.lists.repository import lists_version
from app.search.article_cache import search_version

TTL = 30.0  # seconds; the version makes staleness impossible for articles, names use a TTL


def carries_credentials(request: Request) -> bool:
    """Whether the request may come from someone signed in (a session cookie, valid or not, or
    an Authorization header): such pages are never cached, nor served from the cache. The
    rest are anonymous whoever sent them, so the cache needs no principal (no database reads)."""
    cookies = request.cookies
    return bool(
        cookies.get(USER_COOKIE)
        or cookies.get(ADMIN_COOKIE)
        or request.headers.get("authorization")
    )


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    stored_at: float


class PageCache:
    def __init__(self, entries: int):
        self.entries = entries
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.entries > 0

    @staticmethod
    def version(session: Session) -> tuple[int, int | None] | None:
        """What a cached page depends on beyond its URL: the search version (its hits and
        counts) and the lists version (the chart's list actions)."""
        version = search_version(session)
        return None if version is None else (version, lists_version(session))

    def get(self, key: tuple) -> Response | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None or time.monotonic() - page.stored_at > TTL:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
        response = Response(page.body, media_type=None)
        response.raw_headers = [(k.encode(), v.encode()) for k, v in page.headers]
        return response

    def put(self, key: tuple, response: Response) -> None:
        headers = tuple((k.decode(), v.decode()) for k, v in response.raw_headers)
        with self._lock:
            self._pages[key] = CachedPage(bytes(response.body), headers, time.monotonic())
            self._pages.move_to_end(key)
            while len(self._pages) > self.entries:
                self._pages.popitem(last=False)
