"""Everything a process needs, built once from Settings: database, gazetteer, search."""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.enrich import Enricher, default_enricher
from app.enrich.tagger import Tagger
from app.search.backend import SearchBackend
from app.search.database import DatabaseSearch


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    enricher: Enricher
    query_tagger: Tagger
    search: SearchBackend
    fallback: SearchBackend | None
    db_search: DatabaseSearch  # always there: timelines and the outage fallback use it

    @property
    def outbox(self) -> bool:
        """Whether writes queue their articles for an external search engine (index outbox):
        decided here only, for every writer."""
        return bool(self.settings.meili_url)

    def close(self) -> None:
        close_search = getattr(self.search, "close", None)
        if close_search:
            close_search()  # the Meilisearch client's pooled connections
        self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    engine = make_engine(settings)
    enricher = default_enricher()
    database_search = DatabaseSearch(engine.dialect.name)
    search: SearchBackend = database_search
    fallback = None
    if settings.meili_url:
        from app.search.meili import MeiliSearch

        search, fallback = MeiliSearch(settings), database_search
    return Runtime(settings, engine, make_sessionmaker(engine), enricher,
                   enricher.query_tagger, search, fallback, database_search)
