"""Worker processes that die or never finish (issue #14): the run completes, each good item once.

Workers are real forked processes; they are killed with real signals (SIGKILL from the test, a
real SIGSEGV from a null-pointer read in C, the kernel's SIGXCPU at RLIMIT_CPU). Faults that
no known input triggers are injected into the language identifier for one marked input: forked
workers inherit the patch, as they would a C extension's bug.
"""

import ctypes
import multiprocessing
import os
import signal

import pytest
from sqlalchemy import func, select

from app.ingest import normalize as nz
from app.ingest import pipeline
from app.ingest.items import RawItem
from app.ingest.pipeline import Ingestor
from app.ingest.pipeline import analyse_limited
from app.models import Article
from tests.goodnews import good_items


def _items(count: int, seed: int = 11) -> list[RawItem]:
    return [RawItem(origin=f"good:{i}", **item) for i, item in enumerate(good_items(count, seed))]


def _stored(runtime) -> tuple[int, int]:
    """(articles, distinct titles)"""
    with runtime.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Article)),
                session.scalar(select(func.count(func.distinct(Article.title)))))


def _on_marker(monkeypatch, marker: str, action) -> None:
    original = nz.detect_language

    def detect(text: str) -> str:
        if marker in text:
            action()
        return original(text)

    monkeypatch.setattr(nz, "detect_language", detect)


def test_worker_sigkilled_mid_batch_run_completes_with_every_item_once(runtime, monkeypatch):
    # Batches of 100 (two chunks): when the first is stored, most chunks are in the workers or
    # not yet sent, so the death is noticed whatever the workers had finished.
    monkeypatch.setattr(pipeline, "BATCH", 100)
    items = _items(1500)
    ingestor = Ingestor(runtime.sessions, runtime.enricher, processes=2, parallel_min=1)
    killed: list[int] = []

    def progress(_count: int) -> None:
        # Called after the first batch is stored, while later chunks are in the workers.
        if not killed:
            workers = multiprocessing.active_children()
            assert workers, "the pool's workers are running"
            os.kill(workers[0].pid, signal.SIGKILL)
            killed.append(workers[0].pid)

    report = ingestor.ingest(items, progress=progress)
    assert killed and ingestor.worker_restarts >= 1
    assert report.added == 1500 and not report.rejected and report.duplicates == 0
    assert _stored(runtime) == (1500, 1500)


def test_item_that_segfaults_a_worker_twice_is_the_only_one_rejected(runtime, monkeypatch):
    _on_marker(monkeypatch, "SEGV-ME", lambda: ctypes.string_at(0))  # a real segmentation fault
    items = _items(300)
    items.insert(170, RawItem(origin="crasher", title="Crasher", body="SEGV-ME " + items[0].body))
    ingestor = Ingestor(runtime.sessions, runtime.enricher, processes=2, parallel_min=1)
    report = ingestor.ingest(items)
    assert report.added == 300 and report.duplicates == 0
    assert [(r.origin, r.stage) for r in report.rejected] == [("crasher", "worker")]
    assert "killed by SIGSEGV" in report.rejected[0].reason
    assert ingestor.worker_restarts == 2  # once in the batch, once alone
    assert _stored(runtime) == (300, 300)


def _burn_python():
    while True:
        pass


@pytest.mark.parametrize("processes", [1, 2], ids=["in-process", "worker-pool"])
def test_cpu_time_limit_rejects_an_item_stuck_in_python(sqlite_settings, monkeypatch, processes):
    from app.migrate import upgrade
    from app.runtime import build_runtime

    upgrade(sqlite_settings)
    runtime = build_runtime(sqlite_settings)
    try:
        _on_marker(monkeypatch, "SPIN-ME", _burn_python)
        items = _items(20)
        # Loaded once (language model, date parser): the first item's budget is not for that.
        analyse_limited(items[0], None, runtime.enricher, None)
        items.insert(5, RawItem(origin="spinner", title="Spinner", body="SPIN-ME " + items[0].body))
        ingestor = Ingestor(runtime.sessions, runtime.enricher, processes=processes, parallel_min=1,
                            cpu_seconds=0.5)
        report = ingestor.ingest(items)
        assert report.added == 20
        assert [(r.origin, r.stage, r.reason) for r in report.rejected] == [
            ("spinner", "language", "language stopped: CPU time limit of 0.5 s exceeded")]
    finally:
        runtime.close()


def test_cpu_time_limit_kills_a_worker_stuck_in_c_code(sqlite_settings, monkeypatch):
    """Python's timer cannot interrupt one long C call; RLIMIT_CPU makes the kernel stop it."""
    from app.migrate import upgrade
    from app.runtime import build_runtime

    upgrade(sqlite_settings)
    runtime = build_runtime(sqlite_settings)
    try:
        _on_marker(monkeypatch, "BIGPOW", lambda: sum(range(10**15)))  # days of C, no signal checks
        items = _items(10)
        items.insert(3, RawItem(origin="bigpow", title="Big power", body="BIGPOW " + items[0].body))
        ingestor = Ingestor(runtime.sessions, runtime.enricher, processes=2, parallel_min=1, cpu_seconds=0.5)
        report = ingestor.ingest(items)
        assert report.added == 10
        assert [(r.origin, r.stage) for r in report.rejected] == [("bigpow", "worker")]
        assert "killed by SIGXCPU" in report.rejected[0].reason
    finally:
        runtime.close()


def test_in_process_limit_is_off_outside_the_main_thread():
    """Web request threads cannot take signals: analysis there runs without the timer."""
    import threading

    from app.enrich import default_enricher

    item = _items(1)[0]
    out = []
    thread = threading.Thread(target=lambda: out.append(analyse_limited(item, None, default_enricher(), 0.001)))
    thread.start()
    thread.join()
    assert out[0].title == item.title
