"""The worker: one loop that does what is due (feeds to poll, index changes to push)."""

import logging
import signal
import threading

from app.runtime import Runtime
from app.search.indexing import status

log = logging.getLogger("chipwatch.worker")
IDLE_SECONDS = 1.0


class Worker:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.enrichment_checked = ""  # the enrichment version stored articles were checked for

    def run_once(self) -> dict:
        """One round of work; returns what was done."""
        done: dict = {}
        # Another process may have accepted a gazetteer change: tag (and sync) with it.
        try:
            self.runtime.refresh_gazetteer(force=True)
        except Exception:  # the round goes on with the gazetteer it has
            log.exception("gazetteer refresh failed")
        # --- enrichment upgrades: re-tag what an earlier release enriched (app/article/retag.py) -
        # A scan of the articles: at the first round, then only if the version here changes.
        if self.runtime.enricher.version != self.enrichment_checked:
            try:
                from app.article.retag import queue_outdated

                version = self.runtime.enricher.version
                done["outdated"] = queue_outdated(self.runtime)
                self.enrichment_checked = version
            except Exception:  # asked again next round
                log.exception("checking the articles' enrichment version failed")
        # ---------------------------------------------------------------------------------------
        # --- feeds: poll the sources that are due (app/ingest/poller.py) ----------------------
        # Before the index drain, so what a poll stores is pushed in the same round.
        try:
            from app.ingest.poller import poll_due_sources

            done["feeds"] = poll_due_sources(self.runtime)
        except Exception:
            log.exception("feed polling failed")
        # ---------------------------------------------------------------------------------------
        # --- gazetteer: re-tag jobs (app/article/retag.py) ---------------------------------------
        # Before the index drain, so the re-tagged articles are pushed in the same round.
        try:
            from app.article.retag import run_jobs

            done["retag"] = run_jobs(self.runtime)
        except Exception:
            log.exception("re-tag jobs failed")
        # ---------------------------------------------------------------------------------------
        # --- search index: push queued article changes to Meilisearch (app/search/indexing.py) ---
        if self.runtime.settings.meili_url:
            from app.search.indexing import drain_outbox

            done["indexed"] = drain_outbox(self.runtime)
        # ---------------------------------------------------------------------------------------
        # --- alerts: queue new matches of saved views, deliver the outbox (app/alerts) ---------
        try:
            from app.alerts.send import send
            from app.alerts.service import deliver_due, match_new

            done["alerts"] = {
                "queued": match_new(self.runtime),
                "delivered": deliver_due(self.runtime, send),
            }
        except Exception:
            log.exception("alerts failed")
        # ---------------------------------------------------------------------------------------
        done["index"] = status(self.runtime)
        return done

    def run(self, stop: threading.Event, install_signals: bool = False) -> None:
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("worker round failed")
            stop.wait(IDLE_SECONDS)
