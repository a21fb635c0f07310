"""The client a search is POSTed to Meilisearch with, over plain HTTP: kept-alive sockets and
one write per request, the answer read by Content-Length (or chunks).

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


def _recv(sock: socket.socket) -> bytes:
    data = sock.recv(65536)
    if not data:
        raise ConnectionError("Meilisearch closed the connection")
    return data


def _read_answer(sock: socket.socket) -> tuple[int, bytes, bool]:
    """(status, body, whether the connection may be kept) of one answer."""
    buf = bytearray()
    while (end := buf.find(b"\r\n\r\n")) < 0:
        if len(buf) > MAX_HEAD:
            raise ProtocolError("answer head too long")
        buf += _recv(sock)
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise ProtocolError(f"not an HTTP answer: {lines[0][:40]!r}")
    status = int(rest[:3])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    body = buf[end + 4 :]
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return status, _read_chunked(sock, body), keep
    length = headers.get("content-length")
    if length is None:  # the body runs to the end of the connection
        while data := sock.recv(65536):
            body += data
        return status, bytes(body), False
    if not length.isdigit():
        raise ProtocolError(f"bad Content-Length {length[:20]!r}")
    size = int(length)
    while len(body) < size:
        body += _recv(sock)
    return status, bytes(body[:size]), keep and len(body) == size


def _read_chunked(sock: socket.socket, buf: bytearray) -> bytes:
    out = bytearray()
    while True:
        while (eol := buf.find(b"\r\n")) < 0:
            buf += _recv(sock)
        size_text = bytes(buf[:eol]).split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size {size_text[:20]!r}") from None
        del buf[: eol + 2]
        if size == 0:  # trailers, if any, then the empty line
            while (eol := buf.find(b"\r\n")) != 0:
                if eol > 0:
                    del buf[: eol + 2]
                else:
                    buf += _recv(sock)
            return bytes(out)
        while len(buf) < size + 2:
            buf += _recv(sock)
        out += buf[:size]
        del buf[: size + 2]
