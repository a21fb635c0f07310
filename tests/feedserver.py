"""A local HTTP server for ingestion tests: fixture feeds and pages, and servers that misbehave.

Files under tests/data/feeds/ are served at /<name>; "{base}" in them becomes the server's own
URL, so feed items link to pages on the same server. Tests add routes for everything else:
statuses, headers, delays, bodies streamed in chunks, handlers that look at request headers.
"""

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FEEDS = Path(__file__).parent / "data" / "feeds"
TYPES = {".xml": "application/rss+xml", ".rss": "application/rss+xml", ".rdf": "application/rdf+xml",
         ".atom": "application/atom+xml", ".json": "application/feed+json",
         ".html": "text/html; charset=utf-8"}


@dataclass
class Route:
    body: bytes | Iterable[bytes] | Callable[[], Iterable[bytes]] | None = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    handler: Callable[[dict], tuple[int, dict, bytes]] | None = None


class FeedServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server.lock:
                    server.requests.append((self.path, headers))
                server.respond(self, headers)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *a: None  # clients that hang up early are expected
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str | Iterable[bytes] | None = b"", **options) -> str:
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = Route(body=body, **options)
        return self.url(path)

    def fixture(self, name: str, path: str | None = None, content_type: str | None = None,
                **options) -> str:
        """Serve tests/data/feeds/<name> (with {base} filled in) at /<name> or at path."""
        data = (FEEDS / name).read_bytes().replace(b"{base}", self.base.encode())
        ctype = content_type or TYPES.get(Path(name).suffix, "application/octet-stream")
        headers = {"Content-Type": ctype, "ETag": f'"{hashlib.sha1(data).hexdigest()[:16]}"',
                   "Last-Modified": "Wed, 16 Apr 2025 08:00:00 GMT", **options.pop("headers", {})}
        return self.add(path or f"/{name}", data, headers=headers, **options)

    def hits(self, path: str) -> list[dict[str, str]]:
        """Headers of the requests for a path (any query string)."""
        with self.lock:
            return [h for p, h in self.requests if p.split("?")[0] == path]

    def reset(self) -> None:
        with self.lock:
            self.routes.clear()
            self.requests.clear()

    def respond(self, h: BaseHTTPRequestHandler, headers: dict[str, str]) -> None:
        route = self.routes.get(h.path) or self.routes.get(h.path.split("?")[0])
        if route is None:
            name = h.path.lstrip("/").split("?")[0]
            if name and "/" not in name.replace("pages/", "", 1) and (FEEDS / name).is_file():
                self.fixture(name)
                route = self.routes[h.path.split("?")[0]]
            else:
                route = Route(b"not found", 404, {"Content-Type": "text/plain"})
        if route.delay:
            time.sleep(route.delay)
        status, extra, body = route.status, dict(route.headers), route.body
        if route.handler is not None:
            status, extra, body = route.handler(headers)
        if callable(body):  # a fresh chunk generator per request
            body = body()
        etag, modified = extra.get("ETag"), extra.get("Last-Modified")
        if status == 200 and ((etag and headers.get("if-none-match") == etag)
                              or (modified and headers.get("if-modified-since") == modified)):
            status, body = 304, b""
        try:
            h.send_response(status)
            for name, value in extra.items():
                if value:  # an empty value removes a default header
                    h.send_header(name, value)
            if isinstance(body, (bytes, bytearray)) and "Content-Length" not in extra:
                h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if isinstance(body, (bytes, bytearray)):
                h.wfile.write(body)
            elif body is not None:
                for chunk in body:  # no Content-Length: the body ends when the connection closes
                    h.wfile.write(chunk)
                    h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def _feed_server_session():
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def server(_feed_server_session) -> FeedServer:
    """The local server, with no routes but the fixture files and an empty request log."""
    _feed_server_session.reset()
    return _feed_server_session
