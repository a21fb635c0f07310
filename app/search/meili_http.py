"""The HTTP/1.1 client chipwatch searches a plain-http Meilisearch with: kept-alive sockets, a
request's head and body in one write, the answer read by a small parser of its own.

urllib3 and http.client cost about a third of a repeated /api/search's CPU in the web process
(http.client parses every answer's headers with the email package, wraps the socket in a
buffered file, and urllib3 checks the connection and its retries around it): here one
`sendall`, a `recv` or two, a status line, two headers looked at (bench/reports/api8.md).

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


def read_answer(sock: socket.socket) -> tuple[int, bytes, bool]:
    """(status, body, whether the connection may be used again) of the answer on sock."""
    buffer = b""
    while True:  # interim (1xx) answers are skipped
        end = buffer.find(b"\r\n\r\n")
        while end < 0:
            if len(buffer) > MAX_HEAD:
                raise BadAnswer("answer head too long")
            chunk = sock.recv(65536)
            if not chunk:
                raise BadAnswer("connection closed before the answer")
            buffer += chunk
            end = buffer.find(b"\r\n\r\n")
        lines = buffer[:end].decode("latin-1").split("\r\n")
        buffer = buffer[end + 4 :]
        version, _, rest = lines[0].partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise BadAnswer(f"not an HTTP/1.x status line: {lines[0][:100]!r}")
        status = int(code)
        if 100 <= status < 200:
            continue
        length = chunked = None
        keep = version == "HTTP/1.1"
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                value = value.strip()
                if not value.isdigit() or (length is not None and int(value) != length):
                    raise BadAnswer("invalid Content-Length")
                length = int(value)
            elif name == "transfer-encoding":
                chunked = value.strip().lower().endswith("chunked")
            elif name == "connection":
                tokens = {t.strip().lower() for t in value.split(",")}
                keep = "keep-alive" in tokens if version == "HTTP/1.0" else "close" not in tokens
        break
    if status in (204, 304):
        return status, b"", keep and not buffer
    if chunked:
        body, buffer = _read_chunked(sock, buffer)
    elif length is not None:
        while len(buffer) < length:
            chunk = sock.recv(max(65536, length - len(buffer)))
            if not chunk:
                raise BadAnswer("connection closed inside the answer")
            buffer += chunk
        body, buffer = buffer[:length], buffer[length:]
    else:  # the answer ends when the connection does
        parts: list[bytes] = [buffer]
        while chunk := sock.recv(65536):
            parts.append(chunk)
        return status, b"".join(parts), False
    return status, body, keep and not buffer  # bytes after the answer: never reuse


def _read_chunked(sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes]:
    """(the body of a chunked answer, what followed it)."""
    parts: list[bytes] = []

    def fill(needed: int) -> None:
        nonlocal buffer
        while len(buffer) < needed:
            chunk = sock.recv(65536)
            if not chunk:
                raise BadAnswer("connection closed inside a chunked answer")
            buffer += chunk

    while True:
        end = buffer.find(b"\r\n")
        while end < 0:
            if len(buffer) > MAX_HEAD:
                raise BadAnswer("chunk size line too long")
            fill(len(buffer) + 1)
            end = buffer.find(b"\r\n")
        size_text = buffer[:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadAnswer("invalid chunk size") from None
        buffer = buffer[end + 2 :]
        if size == 0:  # the last chunk, then trailers (if any) and an empty line
            while True:
                end = buffer.find(b"\r\n")
                while end < 0:
                    if len(buffer) > MAX_HEAD:
                        raise BadAnswer("trailers too long")
                    fill(len(buffer) + 1)
                    end = buffer.find(b"\r\n")
                line, buffer = buffer[:end], buffer[end + 2 :]
                if not line:
                    return b"".join(parts), buffer
        fill(size + 2)
        if buffer[size : size + 2] != b"\r\n":
            raise BadAnswer("chunk not followed by CRLF")
        parts.append(buffer[:size])
        buffer = buffer[size + 2 :]
