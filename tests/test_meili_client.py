"""The clients chipwatch talks to Meilisearch with: a request goes out in one write; searches
over plain HTTP go through app/search/meili_http.py (kept-alive sockets, one retry)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.search.meili import MeiliSearch, _OneWriteHTTPConnection
from app.search.meili_http import SearchClient


class _Recorded:
    """A socket whose writes are kept (the client's socket, not a stand-in for the server)."""

    def __init__(self, sock: socket.socket, writes: list[bytes]):
        self._sock, self._writes = sock, writes

    def sendall(self, data: bytes) -> None:
        self._writes.append(bytes(data))
        self._sock.sendall(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


@pytest.mark.meili
def test_a_request_goes_out_in_one_write(meili_settings, monkeypatch):
    writes: list[bytes] = []
    real_send = _OneWriteHTTPConnection.__mro__[2].send  # urllib3's own

    def recorded(self, data):
        writes.append(bytes(data))
        return real_send(self, data)

    monkeypatch.setattr(_OneWriteHTTPConnection.__mro__[2], "send", recorded)
    real_connect, connects = SearchClient._connect, []

    def connect(self):
        connects.append(1)
        return _Recorded(real_connect(self), writes)

    monkeypatch.setattr(SearchClient, "_connect", connect)
    meili = MeiliSearch(meili_settings)
    meili.ensure_index()  # (through the official client, which writes as it likes)
    writes.clear()
    try:
        for _ in range(2):  # a new connection, then the kept one
            answer = meili.raw_search({"q": "", "hitsPerPage": 1, "page": 1})
            assert answer["totalHits"] == 0
        assert len(connects) == 1 and len(writes) == 2 and writes[0] == writes[1]
        assert writes[0].startswith(b"POST /indexes/")
        assert writes[0].endswith(b'{"q":"","hitsPerPage":1,"page":1}')
        assert b"\r\n\r\n" in writes[0] and b"\r\nAuthorization: Bearer " in writes[0]
        writes.clear()
        assert meili.healthy()  # a GET (urllib3): no body, its head alone, still one write
        assert len(writes) == 1 and writes[0].startswith(b"GET /health")
    finally:
        meili.close()


@pytest.mark.meili
def test_a_dropped_kept_connection_is_not_used(meili_settings, monkeypatch):
    """A kept connection the server closed meanwhile is seen closed before use (as urllib3
    checked): nothing is written to it, and the one retry stays for a real failure."""
    writes: list[bytes] = []
    real_connect = SearchClient._connect
    monkeypatch.setattr(
        SearchClient, "_connect", lambda self: _Recorded(real_connect(self), writes)
    )
    meili = MeiliSearch(meili_settings)
    meili.ensure_index()
    try:
        meili.raw_search({"q": "", "hitsPerPage": 1, "page": 1})
        [kept] = meili._searches._idle
        kept.shutdown(socket.SHUT_RDWR)  # as if Meilisearch had closed it meanwhile
        writes.clear()
        assert meili.raw_search({"q": "", "hitsPerPage": 1, "page": 1})["totalHits"] == 0
        assert len(writes) == 1  # to the new connection only
        assert len(meili._searches._idle) == 1 and meili._searches._idle[0] is not kept
        assert kept.fileno() == -1
    finally:
        meili.close()


class _Answers(BaseHTTPRequestHandler):
    """Answers the shapes HTTP/1.1 allows: by length, in chunks, to the end of the connection."""

    protocol_version = "HTTP/1.1"
    connections: list[int] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.connections.append(id(self.connection))
        kind = self.path.strip("/")
        if kind == "length":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif kind == "chunked":
            self.send_response(207)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(body) // 2
            for part in (body[:half], body[half:]):
                self.wfile.write(f"{len(part):x};ext=1\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
        elif kind == "eof":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
        else:  # a server that drops every connection before answering
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def answers():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Answers.connections = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_answers_by_length_in_chunks_and_to_the_end(answers):
    client = SearchClient(answers, {"Content-Type": "application/json"}, timeout=5.0)
    body = b'{"q":"' + "華為".encode() * 5000 + b'"}'  # larger than one read
    try:
        assert client.post("/length", body) == (200, body)
        assert client.post("/length", b"{}") == (200, b"{}")
        assert _Answers.connections[0] == _Answers.connections[1]  # kept alive
        assert client.post("/chunked", body) == (207, body)
        assert client.post("/eof", b"[1]") == (200, b"[1]")
        assert client._idle == []  # Connection: close is not kept
        assert client.post("/length", b"{}") == (200, b"{}")
    finally:
        client.close()


def test_no_answer_is_an_error_after_one_retry(answers):
    client = SearchClient(answers, {}, timeout=5.0)
    with pytest.raises(OSError):
        client.post("/drop", b"{}")
    assert len(_Answers.connections) == 2  # tried twice, each time on a new connection
    assert client._idle == []
