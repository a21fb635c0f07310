"""Helpers for tests that need live things: a chipwatch on a loopback port, Debian's chromium,
and the rule for a missing service (skip locally, fail under CI=1, true or yes)."""

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


TRUTHY = {"1", "true", "yes", "on"}


def under_ci(environ=os.environ) -> bool:
    """CI is set to one of the usual truthy spellings (1, true, yes, on; any case)."""
    return environ.get("CI", "").strip().lower() in TRUTHY


def missing(what: str, reason: str) -> None:
    """A service the tests need is absent: skip locally, fail under CI (CI=1, true or yes)."""
    if under_ci():
        pytest.fail(f"{what} is required under CI={os.environ['CI']}: {reason}")
    pytest.skip(f"{what} not available: {reason}")


def require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        missing("Debian's chromium", f"{CHROMIUM} not installed")


def free_port() -> int:
    """A port that was free a moment ago. Only for servers that cannot take a bound socket
    (Meilisearch): they must retry on another port when it was taken meanwhile."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> socket.socket:
    """A socket bound to a loopback port and never listening: connections to it are refused for
    as long as the caller keeps it open, and no other process can take the port meanwhile."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s


def wait_for(condition, what: str, timeout: float = 120, interval: float = 0.05):
    """Poll until condition() is truthy and return its value; fail naming what never happened.
    The timeout only bounds a hang: a test waits on the condition, never on a fixed delay."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@contextmanager
def live_app(settings) -> Iterator[tuple[str, object]]:
    """Migrate, build a runtime and serve it with uvicorn in a thread; yields (base URL, runtime).
    uvicorn is handed a socket already bound to a free port, so no other process can take it."""
    import uvicorn

    from app.main import create_app
    from app.migrate import upgrade
    from app.runtime import build_runtime
    from app.web.joined_writes import HTTP_PROTOCOL

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if settings.base_url is None:  # absolute links (feeds) name this server, as deployed
        settings = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    upgrade(settings)
    runtime = build_runtime(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, runtime), log_level="warning",
                                           proxy_headers=False, http=HTTP_PROTOCOL))  # as serve
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), "the live server to start")
    assert server.started, "the live server did not start (see the log above)"
    try:
        yield f"http://127.0.0.1:{port}", runtime
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        runtime.close()


@contextmanager
def sample_app(tmp_path_factory, name: str) -> Iterator[tuple[str, object]]:
    """A live chipwatch (SQLite, admin token) holding the bundled sample corpus, for browser
    tests; yields (base URL, runtime)."""
    from app.cli import run_ingest
    from app.config import Settings
    from tests.conftest import ADMIN_TOKEN, SAMPLE

    require_chromium()
    settings = Settings(data_dir=tmp_path_factory.mktemp(name), admin_token=ADMIN_TOKEN)
    with live_app(settings) as (base, runtime):
        run_ingest(runtime, [str(SAMPLE)], None, None)
        yield base, runtime
