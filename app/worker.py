"""The worker: one loop that does what is due (feeds to poll, index changes to push)."""

import logging
import signal
import threading

from app.indexer import status
from app.runtime import Runtime

log = logging.getLogger("chipwatch.worker")
IDLE_SECONDS = 1.0


class Worker:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def run_once(self) -> dict:
        """One round of work; returns what was done."""
        return {"index": status(self.runtime)}

    def run(self, stop: threading.Event, install_signals: bool = False) -> None:
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the loop must survive any single failure
                log.exception("worker round failed")
            stop.wait(IDLE_SECONDS)
