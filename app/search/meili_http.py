"""The client a search is POSTed to Meilisearch with, over plain HTTP: kept-alive sockets and
one write per request, the answer read by httptools' parser (llhttp).

Every uncached page and every /api/search sends one search. Through urllib3 (its pool, retry
and timeout objects, http.client's response and its email-parser headers) that exchange cost
the web process about 0.39 ms of CPU; written out here, 0.08 ms (bench/reports/page7.md). Same
behaviour as the urllib3 pool it replaces for http:// URLs: TCP_NODELAY, the request's head and
body in one write, a kept connection the server closed meanwhile left unused, one retry (on a
new connection) when a request or its answer failed, a timeout per connect and per read, at
most `maxsize` idle connections kept.
https:// URLs stay on urllib3 (app/search/meili.py)."""

import select
import socket
import threading
from urllib.parse import urlsplit

import httptools

MAX_HEAD = 64 * 1024  # bytes of status line and headers before the answer is refused


class ProtocolError(ValueError):
    """An answer that is not HTTP/1.x as expected (the caller treats it as unreachable)."""


class SearchClient:
    """POSTs to one HTTP origin; thread-safe (a connection serves one request at a time)."""

    def __init__(
        self, url: str, headers: dict[str, str], timeout: float, maxsize: int = 16
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"not a plain HTTP URL: {url!r}")
        self.address = (parts.hostname, parts.port or 80)
        self.timeout = timeout
        self.maxsize = maxsize
        netloc = parts.netloc.rpartition("@")[2]
        self._head = f"Host: {netloc}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for sock in idle:
            sock.close()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _kept(self) -> socket.socket | None:
        """An idle connection the server has not closed meanwhile (as urllib3 checks before
        reusing one: a closed or stray-data connection polls readable), or None."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                sock = self._idle.pop()
            poller = select.poll()
            try:
                poller.register(sock, select.POLLIN)
                if not poller.poll(0):
                    return sock
            except (OSError, ValueError):
                pass
            sock.close()

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """(status, body) of the answer; OSError or ProtocolError when none came, after one
        retry on a new connection."""
        request = (
            f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1") + body
        sock = self._kept()
        for attempt in (0, 1):
            try:
                if sock is None:
                    sock = self._connect()
                sock.sendall(request)
                status, answer, keep = _read_answer(sock)
            except (OSError, ValueError):
                if sock is not None:
                    sock.close()
                if attempt:
                    raise
                sock = None  # a kept-alive connection the server closed: once more, anew
                continue
            if keep:
                with self._lock:
                    if len(self._idle) < self.maxsize:
                        self._idle.append(sock)
                        sock = None
            if sock is not None:
                sock.close()
            return status, answer
        raise AssertionError("unreachable")  # pragma: no cover


class _Answer:
    """What httptools' parser (llhttp, the parser uvicorn uses) reports of one answer."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.keep = False
        self.head_size = 0
        self.framed = False  # a Content-Length or chunks say where the body ends
        self.head_done = False
        self.body = bytearray()
        self.complete = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_size += len(name) + len(value)
        if self.head_size > MAX_HEAD:
            raise ProtocolError("answer head too long")
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self.framed = True

    def on_headers_complete(self) -> None:
        self.head_done = True

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True
        # (asked now: once the message is complete the parser resets and says False)
        self.keep = self.parser.should_keep_alive()


def _read_answer(sock: socket.socket) -> tuple[int, bytes, bool]:
    """(status, body, whether the connection may be kept) of one answer: by Content-Length,
    in chunks, or to the end of the connection."""
    answer = _Answer()
    parser = answer.parser
    try:
        while not answer.complete:
            data = sock.recv(65536)
            if not data:
                if answer.head_done and not answer.framed:  # the body ran to the end
                    return parser.get_status_code(), bytes(answer.body), False
                raise ConnectionError("Meilisearch closed the connection")
            parser.feed_data(data)
    except httptools.HttpParserError as error:
        raise ProtocolError(f"not an HTTP answer: {error}") from None
    return parser.get_status_code(), bytes(answer.body), answer.keep
