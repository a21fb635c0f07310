"""Request logs: one JSON line per request, plus request metrics (the log format itself, shared
with the worker, is app/logs.py).

A request line holds method, path (no query string values that could carry a token), route
template, status, duration in ms, request id and client address. Headers (Authorization,
cookies) are never logged. The request id comes from a sane incoming X-Request-ID (set by
the reverse proxy) or is made here, and is sent back as X-Request-ID.
"""

import logging
import re
import time
import uuid
from collections.abc import Mapping

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.logs import (  # noqa: F401 - the general part, re-exported for the web app's callers
    ACCESS_LOGGER,
    JsonFormatter,
    RedactQuery,
    TextFormatter,
    configure_logging,
    redact_query,
    redact_target,
    resolve_format,
)

log = logging.getLogger(ACCESS_LOGGER)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def route_template(scope: Scope) -> str:
    """The matched route's template (/articles/{article_id}), never the raw path: bounded labels.
    Requests refused before routing (401, 413, 429) are matched here."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    app = scope.get("app")
    for candidate in iter_route_contexts(getattr(getattr(app, "router", None), "routes", ())):
        try:
            match, _ = candidate.matches(scope)
        except Exception:  # noqa: BLE001 - a label is not worth a failed request
            continue
        if match == Match.FULL and candidate.path:
            return candidate.path
    return "unmatched"


class RequestLogMiddleware:
    """Outermost: times every request, logs it, counts it, tags it with a request id, and gives
    every response (pages, API, errors, 401/413/429 alike) the `headers` it did not set itself
    (the security headers, app/main.py). One layer for both: one wrapper of `send` per request
    where two wrapped it and each parsed the response's headers again."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str] | None = None):
        self.app = app
        self.headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in (headers or {}).items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        size = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message["headers"] = list(message.get("headers", ()))
                present = {name for name, _ in headers}  # lower case, as Starlette writes them
                headers.extend(h for h in self.headers if h[0] not in present)
                headers.append((b"x-request-id", request_id.encode("latin-1")))
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - start
            route = route_template(scope)
            metrics.observe_request(scope["method"], route, status, seconds)
            client = scope.get("client")
            query = redact_query(scope.get("query_string", b"").decode("latin-1"))
            if log.isEnabledFor(logging.INFO):
                # A record without makeRecord's walk of `extra` (a check per field) nor
                # log.info's findCaller walk up the stack: no formatter of chipwatch shows where
                # a line was logged from, and a request's is always logged here.
                record = logging.getLogRecordFactory()(
                    log.name, logging.INFO, __file__, 0, "request", (), None, "__call__"
                )
                record.__dict__.update(
                    request_id=request_id,
                    method=scope["method"],
                    path=scope["path"],
                    query=query,
                    route=route,
                    status=status,
                    duration_ms=round(seconds * 1000, 2),
                    bytes=size,
                    client=client[0] if client else None,
                )
                log.handle(record)
