"""bench.loadgen's generators read whole answers (Content-Length and chunked) over keep-alive
connections, send what the script says, and fail on an error status."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loadgen import GENERATORS, Request, get


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    seen: list[tuple[str, str, str, bytes]] = []
    connections: set[tuple[str, int]] = set()

    def log_message(self, *args) -> None:
        pass

    def _answer(self, body: bytes) -> None:
        Handler.seen.append((self.command, self.path, self.headers.get("X-Request-ID", ""), body))
        Handler.connections.add(self.client_address)
        if self.path.startswith("/missing"):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = b"<p>" + self.path.encode() * 500 + b"</p>"
        self.send_response(200)
        if self.path.startswith("/chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (payload[:1000], payload[1000:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        self._answer(self.rfile.read(int(self.headers["Content-Length"])))


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.seen, Handler.connections = [], set()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_each_client_sends_its_script_over_one_connection(server, generator):
    scripts = [[get(server, f"/{kind}/{n}/{i}", f"r{n}.{i}") for i in range(5)
                for kind in ("chunked", "length")] for n in range(3)]
    scripts[0].append(Request("POST", server, "/post", {"Content-Type": "application/json"}, b'{"q":"x"}'))
    samples = GENERATORS[generator](scripts)
    assert [len(s) for s in samples] == [11, 10, 10]
    assert all(ms > 0 for client in samples for ms in client)
    assert len(Handler.seen) == 31 and len(Handler.connections) == 3
    assert ("POST", "/post", "", b'{"q":"x"}') in Handler.seen
    assert {request_id for _, _, request_id, _ in Handler.seen} >= {"r0.0", "r2.4"}


@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_an_error_status_fails_the_run(server, generator):
    with pytest.raises(Exception, match="404"):
        GENERATORS[generator]([[get(server, "/length/1"), get(server, "/missing")]])
