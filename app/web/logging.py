"""Request logs: one JSON line per request (and per log record), or readable text on a terminal,
plus request metrics.

A request line holds method, path (no query string values that could carry a token), route
template, status, duration in ms, request id and client address. Headers (Authorization,
cookies) are never logged. The request id comes from a sane incoming X-Request-ID (set by
the reverse proxy) or is made here, and is sent back as X-Request-ID.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from fastapi.routing import iter_route_contexts
from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics

log = logging.getLogger("chipwatch.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECRET_PARAMS = {"token", "access_token", "api_key", "key", "password"}
STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        out.update({k: v for k, v in vars(record).items() if k not in STANDARD_ATTRS})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal: "12:00:01 GET /?q=h20 200 3.2 ms" for a request, else
    time, level, logger and message with any extra fields as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        extra = {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRS}
        if record.name == log.name and "status" in extra:
            query = f"?{extra['query']}" if extra.get("query") else ""
            line = (f"{when} {extra['method']} {extra['path']}{query} {extra['status']} "
                    f"{extra['duration_ms']} ms")
        else:
            line = f"{when} {record.levelname.lower()} {record.name}: {record.getMessage()}"
            if extra:
                line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def resolve_format(setting: str | None, stream=None) -> str:
    """CHIPWATCH_LOG_FORMAT when set; otherwise text on a terminal and JSON lines elsewhere
    (files, pipes, containers, log collectors)."""
    if setting:
        return setting
    stream = stream or sys.stderr
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError):  # a closed or odd stream
        return "json"


class RedactQuery(logging.Filter):
    """For uvicorn's own access log, if it is left on: blank out token-like query values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = redact_target(args[2])
            record.args = tuple(args)
        return True


def redact_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in pairs])


def redact_target(target: str) -> str:
    path, sep, query = target.partition("?")
    return path + sep + redact_query(query) if sep else path


def configure_logging(fmt: str | None = None, level: int = logging.INFO) -> None:
    """Send chipwatch's logs to stderr, as JSON lines or readable text (None: text on a terminal,
    see resolve_format). Idempotent."""
    fmt = resolve_format(fmt)
    root = logging.getLogger("chipwatch")
    if not any(getattr(h, "_chipwatch", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._chipwatch = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for handler in root.handlers:
        if getattr(handler, "_chipwatch", False):
            handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.setLevel(level)
    uvicorn_access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQuery) for f in uvicorn_access.filters):
        uvicorn_access.addFilter(RedactQuery())


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
    """Outermost: times every request, logs it, counts it, tags it with a request id."""

    def __init__(self, app: ASGIApp):
        self.app = app

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
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
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
            log.info("request", extra={
                "request_id": request_id, "method": scope["method"], "path": scope["path"],
                "query": query, "route": route, "status": status,
                "duration_ms": round(seconds * 1000, 2), "bytes": size,
                "client": client[0] if client else None,
            })
