"""Facet and period counts of a search, kept per filter set and search version.

A search page asks Meilisearch for a page of hits, 9 facets and the chart's period counts in
one request, and the counts are more than half of Meilisearch's work for it (the period facet
alone about a quarter: bench/reports/page7.md). The counts depend on what is searched, not on
which page of it is shown: the next page, another page size or another sort of the same
search have the same counts. So the request without its paging and sort is the key, with the
search version (app.models.SearchState, bumped in the transaction that records a change as
applied to Meilisearch), so counts are never older than the version the request read, as the
page cache (app/web/page_cache.py).
"""

from dataclasses import dataclass
from datetime import date

import orjson

from app.memo import BoundedMemo

ENTRIES = 512  # filter sets kept per web process; all forgotten when full
# What a request asks beyond the set of matching documents: the counts do not depend on it.
PAGING = frozenset({"page", "hitsPerPage", "sort", "attributesToRetrieve"})


@dataclass(frozen=True)
class Counts:
    """A search's facets (as BackendResult.facets) and period counts (None: not asked, or the
    index has no period fields). Shared between requests: never to be mutated."""

    facets: dict[str, list[tuple[str, int]]]
    periods: dict[date, int] | None
    weeks: dict[date, int] | None = None  # asked beside the periods (BackendResult.weeks)


def counts_key(version: int, index: str, body: dict) -> bytes:
    """The key of a search request's counts: the request less its paging and sort."""
    return b"%d %s " % (version, index.encode()) + orjson.dumps(
        {k: v for k, v in body.items() if k not in PAGING}
    )


class CountsCache(BoundedMemo[bytes, Counts]):
    """Counts by counts_key, at most ENTRIES (app/memo.py)."""

    __slots__ = ()
    limit = ENTRIES
