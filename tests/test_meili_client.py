"""The client chipwatch searches Meilisearch with (app/search/meili_http.py on plain http): a
request goes out in one write, connections are kept and shared, a dropped kept connection is
retried once on a new one, and answers are read whole (Content-Length, chunked, until close)."""

import socket
import threading

import pytest

from app.search.meili import MeiliSearch
from app.search.meili_http import BadAnswer, MeiliHTTP


class Recording:
    """A socket whose writes are recorded."""

    def __init__(self, sock: socket.socket, writes: list[bytes]):
        self._sock, self._writes = sock, writes

    def sendall(self, data) -> None:
        self._writes.append(bytes(data))
        self._sock.sendall(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


@pytest.mark.meili
def test_a_request_goes_out_in_one_write(meili_settings, monkeypatch):
    writes: list[bytes] = []
    connects: list[int] = []
    real_connect = MeiliHTTP._connect

    def recorded(self, timeout):
        connects.append(1)
        return Recording(real_connect(self, timeout), writes)

    monkeypatch.setattr(MeiliHTTP, "_connect", recorded)
    meili = MeiliSearch(meili_settings)
    meili.ensure_index()  # (through the official client, which writes as it likes)
    try:
        answer = meili.raw_search({"q": "", "hitsPerPage": 1, "page": 1})
        assert answer["totalHits"] == 0
        assert len(writes) == 1 and writes[0].startswith(b"POST /indexes/")
        assert writes[0].endswith(b'{"q":"","hitsPerPage":1,"page":1}')
        head = writes[0].split(b"\r\n\r\n")[0].lower()
        assert b"\r\nauthorization: bearer " in head and b"\r\naccept-encoding: identity" in head
        writes.clear()
        assert meili.healthy()  # a GET: no body, its head alone, still one write
        assert len(writes) == 1 and writes[0].startswith(b"GET /health ")
        assert writes[0].endswith(b"\r\n\r\n") and b"content-length" not in writes[0].lower()
        assert meili.raw_search({"q": "x", "hitsPerPage": 1, "page": 1})["totalHits"] == 0
        assert len(connects) == 1  # the one connection, kept alive
    finally:
        meili.close()


class Server:
    """A raw HTTP server on loopback: each connection reads requests and writes the next of
    `answers` (bytes; (bytes,): then close the connection; None: close it unanswered)."""

    def __init__(self, answers: list[bytes | tuple[bytes] | None]):
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while self.answers:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, data = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(data) < length:
                    data += conn.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + data[:length])
                data = data[length:]
                answer = self.answers.pop(0)
                if answer is None:
                    return
                conn.sendall(answer if isinstance(answer, bytes) else answer[0])
                if not isinstance(answer, bytes):
                    return

    def close(self) -> None:
        self.listener.close()


def ok(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n%s" % (len(body), extra, body)


@pytest.fixture
def serve():
    servers: list[Server] = []

    def start(answers):
        servers.append(Server(answers))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def client(server: Server, timeout: float = 5.0) -> MeiliHTTP:
    return MeiliHTTP(f"http://127.0.0.1:{server.port}", {"X-Key": "k"}, timeout)


def test_answers_are_read_whole_and_the_connection_kept(serve):
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    server = serve([ok(b'{"a":1}'), chunked, ok(b"x" * 200_000), ok(b"", b"X-Empty: 1\r\n")])
    http = client(server)
    assert http.request("POST", "/indexes/i/search", b'{"q":""}') == (200, b'{"a":1}')
    assert http.request("GET", "/health") == (200, b"hello, world")
    assert http.request("POST", "/big", b"{}") == (200, b"x" * 200_000)
    assert http.request("GET", "/empty") == (200, b"")
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /indexes/i/search HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nX-Key: k\r\n" in first and b"\r\nContent-Length: 8\r\n" in first
    assert first.endswith(b'\r\n\r\n{"q":""}')
    assert server.requests[1].startswith(b"GET /health HTTP/1.1\r\n")


def test_connection_close_and_answers_ended_by_closing_are_not_kept(serve):
    server = serve([
        (ok(b"1", b"Connection: close\r\n"),),
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",),
        ok(b"3"),
    ])  # fmt: skip
    http = client(server)
    assert http.request("GET", "/1") == (200, b"1")
    assert http.request("GET", "/2") == (200, b"until the end")
    assert http.request("GET", "/3") == (200, b"3")
    assert server.connections == 3


def test_a_kept_connection_the_server_dropped_is_retried_once_on_a_new_one(serve):
    server = serve([ok(b"1"), None, ok(b"2")])  # the kept connection closes unanswered
    http = client(server)
    assert http.request("POST", "/s", b"{}") == (200, b"1")
    assert http.request("POST", "/s", b"{}") == (200, b"2")
    assert server.connections == 2 and len(server.requests) == 3


def test_a_request_failing_twice_raises(serve):
    server = serve([None, None, ok(b"never")])
    with pytest.raises(BadAnswer):
        client(server).request("GET", "/x")
    assert len(server.requests) == 2
    with pytest.raises(OSError):  # nothing listening
        MeiliHTTP("http://127.0.0.1:1", {}, 1.0).request("GET", "/health")


def test_a_silent_server_times_out(serve):
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never answers
    try:
        http = MeiliHTTP(f"http://127.0.0.1:{listener.getsockname()[1]}", {}, 0.2)
        with pytest.raises(TimeoutError):
            http.request("GET", "/health")
    finally:
        listener.close()


def test_garbage_is_a_bad_answer(serve):
    server = serve([b"SSH-2.0-OpenSSH\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"])
    http = client(server)
    with pytest.raises(BadAnswer):
        http.request("GET", "/x")
    assert len(server.requests) == 2 and not http._idle


def test_only_plain_http_urls():
    with pytest.raises(ValueError):
        MeiliHTTP("https://meili.example", {}, 1.0)


def test_an_https_meilisearch_keeps_the_urllib3_pool(tmp_path):
    from app.config import Settings
    from app.search.meili import MeiliUnavailable

    meili = MeiliSearch(Settings(data_dir=tmp_path, meili_url="https://127.0.0.1:1"))
    try:
        assert meili._plain is None and meili._http is not None
        assert not meili.healthy()  # nothing listens: unhealthy, no exception
        meili._down_until = 0.0
        with pytest.raises(MeiliUnavailable, match="unreachable"):
            meili.raw_search({"q": ""})
    finally:
        meili.close()


def test_an_interim_answer_is_skipped_and_an_endless_head_refused(serve):
    huge = b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"p" * 70_000 + b"\r\n\r\n"
    server = serve([b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"1"), huge, huge])
    http = client(server)
    assert http.request("POST", "/s", b"{}") == (200, b"1")
    with pytest.raises(BadAnswer, match="head too long"):
        http.request("GET", "/x")
