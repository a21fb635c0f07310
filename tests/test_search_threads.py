"""The worker threads /api/search runs its search in (app/web/search_route.py SearchThreads):
results and exceptions come back to the awaiting request, the request's context goes with the
call, at most `size` threads are started, and calls beyond them wait their turn."""

import asyncio
import contextvars
import threading

import pytest

from app.web.search_route import SearchThreads
from tests.own_loop import run

REQUEST = contextvars.ContextVar("request", default="none")


def test_results_exceptions_and_context_come_back():
    threads = SearchThreads(size=2)

    def where(x):
        return x, REQUEST.get(), threading.current_thread() is not threading.main_thread()

    def boom():
        raise LookupError("no such view")

    async def main():
        REQUEST.set("r1")
        assert await threads.run(where, 7) == (7, "r1", True)
        with pytest.raises(LookupError, match="no such view"):
            await threads.run(boom)
        assert await threads.run(where, 8) == (8, "r1", True)

    run(main())
    assert threads._threads == 1  # one call at a time: one thread was enough


def test_at_most_size_threads_and_the_rest_wait():
    threads = SearchThreads(size=3)
    release = threading.Event()
    running: list[str] = []
    lock = threading.Lock()

    def slow(n):
        with lock:
            running.append(threading.current_thread().name)
        assert release.wait(10)
        return n

    async def main():
        calls = [asyncio.ensure_future(threads.run(slow, n)) for n in range(8)]
        while True:  # every thread busy: the other five calls wait in the queue
            with lock:
                if len(running) == 3:
                    break
            await asyncio.sleep(0)
        assert threads._threads == 3
        release.set()
        return await asyncio.gather(*calls)

    assert run(main()) == list(range(8))
    assert threads._threads == 3 and len(running) == 8


def test_the_search_page_is_made_in_these_threads(client, sample, monkeypatch):
    """GET / hops to the same pool as /api/search (app/web/page_route.py), not anyio's."""
    from app.web import page_route

    made_in: list[str] = []
    search_page = page_route.search_page

    def recorded(*args):
        made_in.append(threading.current_thread().name)
        return search_page(*args)

    monkeypatch.setattr(page_route, "search_page", recorded)
    assert client.get("/?q=nvidia").status_code == 200
    assert made_in == ["search"]
