"""The search-backend interface. Two engines implement it: the built-in database search
(SQLite FTS5, or a token index on PostgreSQL) and Meilisearch.

A backend answers "which articles, in what order, how many, and what facet counts" for a
Filters and a QueryPlan. Everything a reader sees (titles, snippets, entity names) is then
loaded from the database by the search service, so both engines render identically.
"""

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from app.filters import Filters
from app.search.query import QueryPlan

FACETS = ("company", "chip", "restriction", "region", "agency", "lang", "source")
FACET_LIMIT = 50


@dataclass
class BackendResult:
    ids: list[int]
    total: int
    # facet -> [(value, count)], most frequent first; values are entity ids, language codes
    # or source names.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class SearchBackend(Protocol):
    engine: str

    def search(self, session: Session, filters: Filters, plan: QueryPlan) -> BackendResult: ...

    def healthy(self) -> bool: ...
