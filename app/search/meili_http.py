"""The HTTP/1.1 client chipwatch searches a plain-http Meilisearch with: kept-alive sockets, a
request's head and body in one write, the answer read by httptools' parser (llhttp,
the parser uvicorn uses).

urllib3 and http.client cost about a third of a repeated /api/search's CPU in the web process
(http.client parses every answer's headers with the email package, wraps the socket in a
buffered file, and urllib3 checks the connection and its retries around it): here one
`sendall`, a `recv` or two, llhttp's callbacks (bench/reports/api8.md).

What it keeps of the urllib3 pool it replaces: connections kept alive and shared by every
thread (a stack of idle sockets, at most `maxsize` kept; a thread never waits for one), the
timeout per request, TCP_NODELAY, and one retry of a request whose connection failed (a kept
connection the server closed meanwhile, a refused connect, a reset or a timeout), as
urllib3.Retry(total=1) did. Answers with Content-Length, chunked answers and answers ended by
closing the connection are read; a connection is kept only when the answer says it may be.
https:// Meilisearch URLs keep the urllib3 pool (app/search/meili.py).
"""

import socket
from urllib.parse import urlsplit

import httptools

MAX_HEAD = 64 * 1024  # an answer's status line and headers; Meilisearch's are a few hundred bytes


class BadAnswer(OSError):
    """What came back is not an HTTP/1.x answer this client can read (or the connection closed
    before the answer was whole)."""


class MeiliHTTP:
    """Plain-http requests to one Meilisearch, thread-safe (each request has its socket alone)."""

    def __init__(self, url: str, headers: dict[str, str], timeout: float, maxsize: int = 16):
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"not a plain http URL: {url!r}")
        self.address = (parts.hostname, parts.port or 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.maxsize = maxsize
        host = parts.netloc.rpartition("@")[2]
        fixed = {"Host": host, "Accept": "*/*", **headers}
        self._head = "".join(f"{name}: {value}\r\n" for name, value in fixed.items()).encode(
            "latin-1"
        )
        # Idle connections, last used first: list.append and list.pop are atomic under the GIL.
        self._idle: list[socket.socket] = []

    def close(self) -> None:
        while self._idle:
            try:
                self._idle.pop().close()
            except IndexError:
                break

    def _connect(self, timeout: float) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def request(
        self, method: str, path: str, body: bytes | None = None, timeout: float | None = None
    ) -> tuple[int, bytes]:
        """(status, body) of one request; OSError (BadAnswer, timeouts included) when it failed
        twice."""
        timeout = self.timeout if timeout is None else timeout
        head = f"{method} {self.prefix}{path} HTTP/1.1\r\n".encode("latin-1") + self._head
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head += b"Content-Length: %d\r\n" % len(body or b"")
        message = head + b"\r\n" + (body or b"")
        for attempt in (1, 2):
            try:
                sock = self._idle.pop()
            except IndexError:
                sock = None
            try:
                if sock is None:
                    sock = self._connect(timeout)
                elif sock.gettimeout() != timeout:
                    sock.settimeout(timeout)
                sock.sendall(message)
                status, answer, keep = read_answer(sock)
            except OSError:
                if sock is not None:
                    sock.close()
                if attempt == 2:
                    raise
                continue
            if keep and len(self._idle) < self.maxsize:
                self._idle.append(sock)
            else:
                sock.close()
            return status, answer
        raise AssertionError("unreachable")  # pragma: no cover


class _Answer:
    """One answer as httptools' parser (llhttp, the parser uvicorn uses) reports it."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.head_size = 0
        self.framed = False  # a Content-Length or chunks say where the body ends
        self.head_done = False
        self.body: list[bytes] = []
        self.status = 0
        self.keep = False
        self.complete = False

    def on_message_begin(self) -> None:
        if self.complete:  # bytes after the answer: the connection is not reused
            self.keep = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_size += len(name) + len(value)
        if self.head_size > MAX_HEAD:
            raise BadAnswer("answer head too long")
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self.framed = True

    def on_headers_complete(self) -> None:
        self.head_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # an interim answer: the real one follows
            self.head_size, self.framed, self.head_done, self.body = 0, False, False, []
            return
        # (asked now: once the message is complete the parser resets and says False)
        self.status, self.keep, self.complete = status, self.parser.should_keep_alive(), True


def read_answer(sock: socket.socket) -> tuple[int, bytes, bool]:
    """(status, body, whether the connection may be used again) of the answer on sock: by
    Content-Length, in chunks, or to the end of the connection."""
    answer = _Answer()
    try:
        while not answer.complete:
            data = sock.recv(65536)
            if not data:
                if answer.head_done and not answer.framed:  # the body ran to the end
                    return answer.parser.get_status_code(), b"".join(answer.body), False
                raise BadAnswer("connection closed before the answer was whole")
            answer.parser.feed_data(data)
    except httptools.HttpParserCallbackError as error:
        raise (error.__context__ or BadAnswer(str(error))) from None
    except httptools.HttpParserError as error:
        raise BadAnswer(f"not an HTTP/1.x answer: {error}") from None
    return answer.status, b"".join(answer.body), answer.keep
