"""Everything a process needs, built once from Settings: database, gazetteer, search."""

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.enrich import Enricher, default_enricher, enricher_for
from app.enrich.tagger import Tagger
from app.gazetteer import overlay
from app.search.backend import SearchBackend
from app.search.database import DatabaseSearch

log = logging.getLogger("chipwatch.runtime")
GAZETTEER_CHECK_SECONDS = 2.0  # how stale another process's accepted change may be here


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
    # The overlay's mark (app/gazetteer/overlay.py) the enricher was built for, and when it
    # was last compared with the database's.
    gazetteer_mark: tuple[int, int] = (0, 0)
    _checked_at: float = 0.0
    _refresh_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def outbox(self) -> bool:
        """Whether writes queue their articles for an external search engine (index outbox):
        decided here only, for every writer."""
        return bool(self.settings.meili_url)

    def gazetteer_due(self) -> bool:
        """Whether the overlay is worth asking about again (no I/O: a clock read)."""
        return time.monotonic() - self._checked_at >= GAZETTEER_CHECK_SECONDS

    def refresh_gazetteer(self, force: bool = False) -> bool:
        """Tag with the effective gazetteer (shipped data + accepted changes): rebuilt when
        another process (or this one) changed the overlay. Checked at most every
        GAZETTEER_CHECK_SECONDS unless forced; returns whether the enricher changed."""
        if not force and not self.gazetteer_due():
            return False
        with self._refresh_lock:
            self._checked_at = time.monotonic()
            try:
                with self.sessions() as session:
                    mark = overlay.mark(session)
                    if mark == self.gazetteer_mark:
                        return False
                    gazetteer = overlay.effective_gazetteer(session)
            except SQLAlchemyError:  # tables not there yet (before `chipwatch db upgrade`)
                log.debug("gazetteer overlay not readable", exc_info=True)
                return False
            self.gazetteer_mark = mark
            if gazetteer.version == self.enricher.gazetteer.version:
                return False
            enricher = enricher_for(gazetteer)
            self.enricher, self.query_tagger = enricher, enricher.query_tagger
            log.info("gazetteer now %s", gazetteer.version)
            return True

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
    runtime = Runtime(
        settings,
        engine,
        make_sessionmaker(engine),
        enricher,
        enricher.query_tagger,
        search,
        fallback,
        database_search,
    )
    runtime.refresh_gazetteer(force=True)  # accepted changes in the database (the overlay)
    return runtime
