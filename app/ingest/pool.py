"""Worker processes for analyse() on large inputs, which survive their workers dying.

The pool is fed a bounded number of chunks ahead and its results are taken in input order, so
memory stays flat and the outcome is the one of a single process. Workers are forked from the
ingesting process and inherit its enricher (the gazetteer and automata, read-only); they never
touch the database (its inherited connections are neither used nor closed there).

A C extension can kill a worker (a segfault, the kernel's OOM killer, a SIGKILL): the pool is
then broken and every chunk in flight lost. It is restarted, the lost items are analysed again
one at a time, and an item that kills a worker a second time is rejected; the others are kept.

A worker killed in the middle of sending a result leaves the result pipe holding half a message
and its lock taken: the executor's reader then waits forever for the rest, and never sees the
death (CPython's ProcessPoolExecutor has no remedy for this). So a result is waited for in short
steps, and once a worker has been dead for WEDGED_SECONDS without the pool noticing, the other
workers are killed and the pipe's last writer (ours) closed: the reader gets end-of-file, the
executor declares itself broken, and the lost items are read again as above.

Each item has a CPU-time budget (CHIPWATCH_ITEM_CPU_SECONDS, 10 s): a profiling timer raises
ItemTimeLimit inside the item's analysis (a rejection naming the stage it was in), and in a
worker RLIMIT_CPU backs it up for C code that never returns to Python: the kernel kills the
worker (SIGXCPU), and the item is rejected as above.
"""

import gc
import logging
import math
import multiprocessing
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice

from app.enrich import Enricher
from app.ingest.items import Rejected
from app.ingest.stages import ItemTimeLimit

log = logging.getLogger("chipwatch.ingest")
CHUNK = 50  # items per task sent to a worker process
AHEAD = 12  # tasks in flight: enough to keep the workers busy while a batch is written
DEFAULT_CPU_SECONDS = 10.0
_REPEAT = 1.0  # seconds of CPU between repeats of the timer, should a library swallow the first
GC_YOUNG = 10_000  # allocations between collections of the youngest generation, in a worker
WEDGED_SECONDS = 5.0  # a worker dead this long, its result still pending: the pipe is wedged


def chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _on_timer(signum, frame):
    raise ItemTimeLimit(f"CPU time limit of {_budget[0]:g} s exceeded")


_budget = [DEFAULT_CPU_SECONDS]


@contextmanager
def cpu_limit(seconds: float | None):
    """Raise ItemTimeLimit in this block once the process has used `seconds` of CPU in it.
    Signals reach the main thread only: elsewhere (web request threads) the block runs unlimited."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    _budget[0] = seconds
    previous = signal.signal(signal.SIGPROF, _on_timer)
    signal.setitimer(signal.ITIMER_PROF, seconds, _REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


# --- inside a worker process ---------------------------------------------------------------

_worker: dict = {}


def _init_worker(enricher: Enricher, seconds: float | None, analyse_one: Callable) -> None:
    _worker.update(enricher=enricher, seconds=seconds, analyse=analyse_one)
    # An item allocates tens of thousands of short-lived objects: collecting the youngest
    # generation every GC_YOUNG allocations instead of every 700 costs a worker half the time
    # in the collector (its memos, which are not frozen, are traversed by fewer older
    # collections), and holds at most that many dead objects a little longer.
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    # A worker that crashes is restarted, not debugged: no core file of a process this large.
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))


def _hard_cpu_limit(seconds: float | None) -> None:
    """RLIMIT_CPU just above what this item may use: the kernel stops a worker stuck in C code."""
    if not seconds:
        return
    # The process's user + system CPU time, the clock RLIMIT_CPU is checked against; one
    # clock_gettime instead of getrusage's whole record (bench/reports/ingest9.md: it looked
    # like a third of a worker's time in py-spy, which was the profiler's and the scheduler's
    # doing; the workers' measured CPU barely moves).
    soft = math.ceil(time.process_time() + 2 * seconds + 1)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or soft <= hard:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _analyse_chunk(items: list, lang: str | None) -> list:
    results = []
    for item in items:
        _hard_cpu_limit(_worker["seconds"])
        results.append(_worker["analyse"](item, lang, _worker["enricher"], _worker["seconds"]))
    return results


# --- in the ingesting process ----------------------------------------------------------------


class AnalysisPool:
    """analyse() over an input in `processes` worker processes; results in input order."""

    def __init__(
        self,
        processes: int,
        enricher: Enricher,
        cpu_seconds: float | None = DEFAULT_CPU_SECONDS,
        *,
        analyse_one: Callable,
    ):
        """analyse_one(item, lang, enricher, cpu_seconds): one item's analysis in a worker
        (pipeline.analyse_limited; handed in, so this module does not import the pipeline)."""
        self.processes, self.enricher, self.cpu_seconds = processes, enricher, cpu_seconds
        self.analyse_one = analyse_one
        self.restarts = 0  # times a dead worker broke the pool
        self._executor: ProcessPoolExecutor | None = None
        self._workers: list = []  # the executor's processes

    def __enter__(self) -> "AnalysisPool":
        # Objects that exist now are never freed by the workers' garbage collector (nor are
        # their pages copied for it).
        gc.freeze()
        return self

    def __exit__(self, *exc) -> None:
        self._stop()
        gc.unfreeze()

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker,
                initargs=(self.enricher, self.cpu_seconds, self.analyse_one),
            )
        return self._executor

    def _stop(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _submit(self, chunk: list, lang: str | None) -> Future:
        try:
            future = self._start().submit(_analyse_chunk, chunk, lang)
            if not self._workers:  # forked at the first submit: kept to read their exit codes
                self._workers = list(getattr(self._executor, "_processes", {}).values())
            return future
        except BrokenProcessPool as exc:  # a worker died since the last result: seen in order
            failed: Future = Future()
            failed.set_exception(exc)
            return failed

    def _died(self) -> str:
        """How the broken pool's worker died (from the exit codes), and a fresh pool."""
        workers, self._workers = self._workers, []
        self.restarts += 1
        self._stop()  # joins the workers: every exit code is known after it
        codes = [p.exitcode for p in workers]
        signals = [-c for c in codes if c is not None and c < 0 and -c != signal.SIGTERM]
        if signals:
            how = f"killed by {signal.Signals(signals[0]).name}"
            log.warning("an ingest worker process died (%s): pool restarted", how)
            return how
        exits = [c for c in codes if c]
        how = f"exit status {exits[0]}" if exits else "terminated abruptly"
        log.warning("an ingest worker process died (%s): pool restarted", how)
        return how

    def _result(self, future: Future):
        """future.result(), but a pool wedged by a worker that died mid-send is broken open."""
        dead_since = None
        while True:
            try:
                return future.result(timeout=0.5)
            except TimeoutError:
                if not any(p.exitcode is not None for p in self._workers):
                    continue
                dead_since = dead_since or time.monotonic()
                if time.monotonic() - dead_since > WEDGED_SECONDS:
                    self._break_open()
                    dead_since = time.monotonic()

    def _break_open(self) -> None:
        """Kill the live workers and close our end of the result pipe, so the executor's reader
        sees end-of-file instead of waiting for the rest of a dead worker's message."""
        log.warning("an ingest worker died while sending a result: pool broken open")
        for process in self._workers:
            if process.exitcode is None:
                process.kill()
        writer = getattr(getattr(self._executor, "_result_queue", None), "_writer", None)
        if writer is not None and not writer.closed:
            writer.close()

    def results(self, items: Iterable, lang: str | None) -> Iterator:
        """Analysed or Rejected, one per item, in input order."""
        tasks = chunks(items, CHUNK)
        running: deque[tuple[list, Future]] = deque()

        def submit() -> None:
            chunk = next(tasks, None)
            if chunk is not None:
                running.append((chunk, self._submit(chunk, lang)))

        for _ in range(AHEAD):
            submit()
        while running:
            chunk, future = running[0]
            try:
                done = self._result(future)
            except BrokenProcessPool:
                how = self._died()
                lost = list(running)
                running.clear()
                for (
                    chunk,
                    future,
                ) in lost:  # in order: finished chunks kept, the others item by item
                    if future.done() and future.exception() is None:
                        yield from future.result()
                    else:
                        yield from (self._alone(item, lang, how) for item in chunk)
                for _ in range(AHEAD):
                    submit()
                continue
            running.popleft()
            submit()
            yield from done

    def _alone(self, item, lang: str | None, how: str):
        """One item lost with a dead worker, analysed again on its own."""
        if isinstance(item, Rejected):
            return item
        try:
            return self._result(self._submit([item], lang))[0]
        except BrokenProcessPool:
            again = self._died()
            return Rejected(
                item.origin,
                f"worker process died while reading this item ({how}), "
                f"and again when it was read alone ({again})",
                stage="worker",
            )
