"""Request limits as ASGI middleware: body size (413) and a per-client rate limit (429).

Both read the app's Settings (CHIPWATCH_MAX_BODY_BYTES, CHIPWATCH_API_RATE_LIMIT,
CHIPWATCH_API_RATE_BURST) at request time. The rate limit is per process: with N web workers
a client may get up to N times the rate (documented in docs/deploy.md).
"""

import math
import time
from collections.abc import Callable

from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.web.rendering import error_response

FORM_BODY_BYTES = 64 * 1024  # HTML forms (saved views, logins) are tiny
LOGIN_PATHS = ("/login", "/admin/login", "/account/login")


def _settings(scope: Scope):
    return scope["app"].state.runtime.settings


def body_limit(scope: Scope) -> int:
    if scope["path"].startswith("/api/") or scope["path"] == "/api":
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
        message = (f"Request body too large: at most {_describe(limit)} ({limit} bytes); "
                   "send fewer articles per request.")
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
                response = error_response(Request(scope), 413, message, headers={"Connection": "close"})
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
    """One bucket per key: `rate` tokens a second up to `burst`; a request takes one."""

    MAX_KEYS = 10_000

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is back."""
        now = self.clock()
        tokens, last = self.buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self.buckets[key] = (tokens - 1.0, now)
            if len(self.buckets) > self.MAX_KEYS:
                self._prune(now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget buckets that are full again (same as never seen); memory stays bounded."""
        refill = self.burst / self.rate
        self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < refill}
        if len(self.buckets) > self.MAX_KEYS:  # a flood of distinct clients: start afresh
            self.buckets.clear()


def rate_limited(scope: Scope) -> bool:
    path = scope["path"]
    return path.startswith("/api/") or (scope["method"] == "POST" and path in LOGIN_PATHS)


class RateLimitMiddleware:
    """A token bucket per client IP on /api/* and the login forms; 429 with Retry-After.

    The client IP is the connection's, or X-Forwarded-For from a trusted proxy (uvicorn's
    --forwarded-allow-ips / FORWARDED_ALLOW_IPS decides who is trusted)."""

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
        wait = self.bucket.take(client[0] if client else "unknown")
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        metrics.RATE_LIMITED.inc()
        retry = max(1, math.ceil(wait))
        response = error_response(
            Request(scope), 429,
            f"Too many requests: at most {settings.api_rate_limit:g} per second (bursts of "
            f"{settings.api_rate_burst}) per client. Retry after {retry} s.",
            headers={"Retry-After": str(retry)})
        await response(scope, receive, send)
