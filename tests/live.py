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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_app(settings) -> Iterator[tuple[str, object]]:
    """Migrate, build a runtime and serve it with uvicorn in a thread; yields (base URL, runtime)."""
    import uvicorn

    from app.main import create_app
    from app.migrate import upgrade
    from app.runtime import build_runtime

    upgrade(settings)
    runtime = build_runtime(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, runtime), host="127.0.0.1",
                                           port=port, log_level="warning",
                                           proxy_headers=False))  # as `chipwatch serve`
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", runtime
    finally:
        server.should_exit = True
        thread.join(5)
        runtime.close()
