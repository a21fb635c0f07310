"""The search-backend interface. Two engines implement it: the built-in database search
(SQLite FTS5, or a token index on PostgreSQL) and Meilisearch.

A backend answers "which articles, in what order, how many, and what facet counts" for a
Filters and a QueryPlan. Everything a reader sees (titles, snippets, entity names) is then
loaded from the database by the search service, so both engines render identically.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

from app.filters import Filters
from app.search.query import QueryPlan

FACETS = ("company", "chip", "restriction", "region", "agency", "lang", "source", "listed", "list")
FACET_LIMIT = 50


@dataclass
class BackendResult:
    ids: list[int]
    total: int
    # facet -> [(value, count)], most frequent first; values are entity ids, language codes
    # or source names.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # With search(histogram="week"|"month"|"year"): matching articles per period, keyed by the
    # period's first day (the timeline above the results, from the same request).
    histogram: dict[date, int] | None = None
    # Beside ids, when the engine has them: each hit's view_stamp as indexed
    # (app/search/article_cache.py), None for a document indexed without one.
    stamps: list[str | None] | None = None
    # With search(weeks=True): matching articles per week too, beside the months of histogram,
    # for a chart whose months turn out to span few weeks (app/timeline.py chart_counts).
    weeks: dict[date, int] | None = None


class SearchBackend(Protocol):
    engine: str

    def search(
        self,
        session: Session,
        filters: Filters,
        plan: QueryPlan,
        histogram: str | None = None,
        reuse_counts: bool = False,  # counts kept for the same search may answer (Meilisearch)
        weeks: bool = False,  # also count per week (BackendResult.weeks)
    ) -> BackendResult: ...

    def histogram(
        self, session: Session, filters: Filters, plan: QueryPlan, interval: str
    ) -> dict[date, int] | None: ...  # None: this engine cannot count them

    def healthy(self) -> bool: ...
