"""Request limits as ASGI middleware: body size (413) and a per-client rate limit (429).

Both read the app's Settings (CHIPWATCH_MAX_BODY_BYTES, CHIPWATCH_API_RATE_LIMIT,
CHIPWATCH_API_RATE_BURST) at request time. The rate limit is per process: with N web workers
a client may get up to N times the rate (documented in docs/deploy.md).
"""

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.web.rendering import error_response

FORM_BODY_BYTES = 64 * 1024  # HTML forms (saved views, logins) are tiny
LOGIN_PATHS = ("/login", "/admin/login", "/account/login")
UPLOAD_PATHS = ("/admin/sources/import",)  # OPML files: the API's cap, not the form's


def _settings(scope: Scope):
    return scope["app"].state.runtime.settings


def body_limit(scope: Scope) -> int:
    if (
        scope["path"].startswith("/api/")
        or scope["path"] == "/api"
        or scope["path"] in UPLOAD_PATHS
    ):
        return _settings(scope).max_body_bytes
    return FORM_BODY_BYTES


def _describe(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


class BodyLimitMiddleware:
    """Refuse bodies over the cap with 413: at once when Content-Length says so, else while the
    body streams in (chunked uploads are counted, never buffered past the cap)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        message = (
            f"Request body too large: at most {_describe(limit)} ({limit} bytes); "
            "send fewer articles per request."
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                response = error_response(Request(scope), 400, "Invalid Content-Length header.")
                await response(scope, receive, send)
                return
            if too_big:
                metrics.BODY_TOO_LARGE.inc()
                response = error_response(
                    Request(scope), 413, message, headers={"Connection": "close"}
                )
                await response(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    metrics.BODY_TOO_LARGE.inc()
                    # FastAPI passes HTTPExceptions raised while reading the body to the handlers.
                    raise HTTPException(413, message, headers={"Connection": "close"})
            return msg

        await self.app(scope, counted, send)


class TokenBucket:
    """One bucket per key: `rate` tokens a second up to `burst`; a request takes one.

    At most MAX_KEYS buckets are kept, least recently used first out: the buckets dropped are
    the ones idle longest (most likely full again, the same as never seen), while every
    recently active client keeps its limit however many other addresses show up."""

    MAX_KEYS = 10_000

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is back."""
        now = self.clock()
        tokens, last = self.buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self.buckets[key] = (tokens, now)  # re-inserted: now the most recently used
        while len(self.buckets) > self.MAX_KEYS:
            self.buckets.popitem(last=False)
        return wait


def client_key(host: str) -> str:
    """The rate-limit key of a client address: IPv6 clients by their /64 (one subscriber's
    network hands out addresses from it at will), everything else as it is."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def rate_limited(scope: Scope) -> bool:
    path = scope["path"]
    return path.startswith("/api/") or (scope["method"] == "POST" and path in LOGIN_PATHS)


class RateLimitMiddleware:
    """A token bucket per client IP on /api/* and the login forms; 429 with Retry-After.

    The client IP is the connection's, or X-Forwarded-For from a proxy listed in
    CHIPWATCH_FORWARDED_ALLOW_IPS (app/web/hosts.py); IPv6 clients share one bucket per /64."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.bucket: TokenBucket | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not rate_limited(scope):
            await self.app(scope, receive, send)
            return
        settings = _settings(scope)
        if settings.api_rate_limit <= 0:
            await self.app(scope, receive, send)
            return
        if self.bucket is None:
            self.bucket = TokenBucket(settings.api_rate_limit, settings.api_rate_burst)
        client = scope.get("client")
        wait = self.bucket.take(client_key(client[0]) if client else "unknown")
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        metrics.RATE_LIMITED.inc()
        retry = max(1, math.ceil(wait))
        response = error_response(
            Request(scope),
            429,
            f"Too many requests: at most {settings.api_rate_limit:g} per second (bursts of "
            f"{settings.api_rate_burst}) per client. Retry after {retry} s.",
            headers={"Retry-After": str(retry)},
        )
        await response(scope, receive, send)
