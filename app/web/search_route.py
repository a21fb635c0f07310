"""GET /api/search without FastAPI's request handling: the hottest endpoint, and a repeated
search spends most of its web CPU in the framework around it (bench/reports/api7.md).

A plain Starlette route, placed ahead of the included routers (matched first) and out of the
schema: the documented FastAPI operation (app/web/api.py api_search) stays in /openapi.json
and answers nothing else. Same answer, same errors: the filters are parsed by the same
get_filters (its 422s raised to the app's exception handlers), the search is the same
search_json, and the middleware stack sees the request as before.

The search runs in a thread of its own small pool (SearchThreads), not anyio's: the same hop
to a worker thread and back (the event loop is never blocked by Meilisearch or the database),
without anyio's capacity limiter, cancel scope and backend lookups around it, which cost as
much as the hop itself (bench/reports/api8.md)."""

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from app.web.api import search_json
from app.web.deps import get_filters

PATH = "/api/search"
THREADS = 16  # at most as many searches at once per process (the Meilisearch client keeps 16)


class SearchThreads:
    """Worker threads, started as searches need them (up to `size`), each taking calls from one
    queue; a call's context (contextvars) goes with it, its result or exception comes back to
    the event loop that awaits it. A call the awaiting request gave up on (the client left)
    still runs to its end, as anyio's would; its result is dropped."""

    def __init__(self, size: int = THREADS):
        self.size = size
        self._calls: SimpleQueue = SimpleQueue()
        self._threads = 0
        self._idle = 0
        self._lock = threading.Lock()

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            if self._idle <= 0 and self._threads < self.size:
                self._threads += 1
                self._idle += 1
                threading.Thread(target=self._work, name="search", daemon=True).start()
            self._idle -= 1
        self._calls.put((loop, future, contextvars.copy_context(), fn, args))
        return await future

    def _work(self) -> None:
        while True:
            loop, future, context, fn, args = self._calls.get()
            try:
                result = context.run(fn, *args)
            except BaseException as exc:  # noqa: BLE001 - raised again in the awaiting request
                outcome: tuple = (_fail, future, exc)
            else:
                outcome = (_succeed, future, result)
            finally:
                with self._lock:
                    self._idle += 1
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody awaits it any more
                loop.call_soon_threadsafe(*outcome)
            del outcome, fn, args, future, context  # nothing of this call kept while idle


def _succeed(future: asyncio.Future, result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future, exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


THREADS_OF_SEARCH = SearchThreads()  # one pool per process, whatever the app or event loop


class PlainGetRoute(Route):
    """A plain Starlette GET route standing in front of a FastAPI operation of the same path
    (this one, GET / in app/web/page_route.py): answers and labels requests as it would."""

    def __init__(self, path: str, endpoint: Callable[..., Any], name: str) -> None:
        super().__init__(path, endpoint, methods=["GET"], name=name, include_in_schema=False)
        # FastAPI's operation takes GET only (HEAD is a 405 with Allow: GET); Starlette would
        # add HEAD to a GET route.
        self.methods = {"GET"}

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            # As FastAPI's routes do: the request log labels the request with this template.
            child_scope["route"] = self
        return match, child_scope


class SearchRoute(PlainGetRoute):
    def __init__(self) -> None:
        super().__init__(PATH, search, "api_search_route")


async def search(request: Request) -> Response:
    filters = await get_filters(request)
    return await THREADS_OF_SEARCH.run(search_json, request.app.state.runtime, filters)
