"""Closed-loop HTTP/1.1 load generators for the benchmarks: N clients, each sending its script
of requests one after the other over keep-alive connections, timing each request.

- `lean` (the default): one thread, an asyncio event loop (uvloop when installed) and
  httptools' C parser (llhttp: Content-Length and chunked bodies) on raw keep-alive
  connections. A request's clock stops in the parser's message-complete callback, so no other
  client's work runs between the last byte and the timestamp, and a request costs the client
  tens of microseconds of CPU.
- `httpx`: the generator bench.search had before: one thread and one httpx.Client per client,
  all threads in one process sharing its GIL (kept to compare with older reports: it costs
  about a millisecond of CPU per request, and a thread that has its response waits for the
  GIL before it stops its clock).

Both send the same requests with the same headers, so the server does the same work.
"""

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httptools
import httpx

try:
    import uvloop
except ImportError:  # uvicorn[standard] brings it on CPython; plain asyncio works too
    uvloop = None

# What httpx sends by default (bench.search's client before `lean`): the app's answers do not
# depend on it (no compression), but the same head means the same parsing on the server.
APP_HEADERS = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate"}


@dataclass(frozen=True)
class Request:
    method: str
    port: int  # on 127.0.0.1
    target: str  # path and query string
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def raw(self) -> bytes:
        head = [f"{self.method} {self.target} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        head += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method == "POST":
            head.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + self.body


def get(port: int, target: str, request_id: str = "") -> Request:
    """A GET of the app, tagged with an X-Request-ID (the app logs it with its own duration)."""
    headers = {**APP_HEADERS, "X-Request-ID": request_id} if request_id else APP_HEADERS
    return Request("GET", port, target, headers)


class HTTPStatusError(RuntimeError):
    pass


class _Connection(asyncio.Protocol):
    """One keep-alive connection: send a request, wait for its whole response."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future | None = None
        self.finished = 0.0
        self.status = 0
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()

    def on_message_complete(self) -> None:
        self.finished = time.perf_counter()
        if self.waiter and not self.waiter.done():
            self.waiter.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionError("the server closed the connection mid-answer"))

    def _fail(self, exc: Exception) -> None:
        if self.waiter and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def send(self, raw: bytes, target: str) -> float:
        """ms from handing the request to the kernel to the last byte of the answer parsed."""
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        self.transport.write(raw)
        await self.waiter
        if self.status >= 400:
            raise HTTPStatusError(f"{target}: HTTP {self.status}")
        return (self.finished - started) * 1000


async def _lean_client(script: list[Request]) -> list[float]:
    loop = asyncio.get_running_loop()
    connections: dict[int, _Connection] = {}
    raws = [r.raw() for r in script]  # built before the clock runs, as a browser has its URL
    out = []
    try:
        for request, raw in zip(script, raws):
            connection = connections.get(request.port)
            if connection is None or connection.closed:  # opened before the request's clock starts
                _, connection = await loop.create_connection(_Connection, "127.0.0.1", request.port)
                connections[request.port] = connection
            out.append(await connection.send(raw, request.target))
    finally:
        for connection in connections.values():
            if connection.transport:
                connection.transport.close()
    return out


def run_lean(scripts: list[list[Request]]) -> list[list[float]]:
    async def all_clients() -> list[list[float]]:
        return list(await asyncio.gather(*(_lean_client(s) for s in scripts)))

    with asyncio.Runner(loop_factory=uvloop.new_event_loop if uvloop else None) as runner:
        return runner.run(all_clients())


def run_httpx(scripts: list[list[Request]]) -> list[list[float]]:
    results: list[list[float]] = [[] for _ in scripts]
    errors: list[BaseException] = []

    def client_loop(n: int) -> None:
        try:
            with httpx.Client(timeout=60) as client:
                for r in scripts[n]:
                    started = time.perf_counter()
                    response = client.request(
                        r.method,
                        f"http://127.0.0.1:{r.port}{r.target}",
                        headers=r.headers,
                        content=r.body or None,
                    )
                    response.raise_for_status()
                    results[n].append((time.perf_counter() - started) * 1000)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(len(scripts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


GENERATORS: dict[str, Callable[[list[list[Request]]], list[list[float]]]] = {
    "lean": run_lean,
    "httpx": run_httpx,
}
