"""Who the app is (its public base URL), which Host headers it answers, and which proxies'
forwarded headers it believes.

- Absolute links (the Atom feed's ids and links) come from CHIPWATCH_BASE_URL, never from the
  request: a forged `Host: evil.example` cannot put evil.example into a feed or a cache.
- Requests for any other host get a 400 (Starlette's TrustedHostMiddleware) once a base URL or
  CHIPWATCH_ALLOWED_HOSTS is configured.
- X-Forwarded-For/-Proto are believed only from CHIPWATCH_FORWARDED_ALLOW_IPS (uvicorn's
  ProxyHeadersMiddleware, run by the app; `chipwatch serve` turns uvicorn's own off, which
  would trust any loopback client), so a client cannot pick its address to dodge the rate limit.
"""

from urllib.parse import urlsplit

LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1", "[::1]"]  # health checks, the local worker


def allowed_hosts(settings) -> list[str]:
    """Host header values answered; ["*"] for any."""
    if settings.allowed_hosts:
        return [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()] or ["*"]
    if settings.base_url:
        return [urlsplit(settings.base_url).hostname, *LOOPBACK_HOSTS]
    return ["*"]


def trusted_proxies(settings) -> list[str]:
    return [h.strip() for h in (settings.forwarded_allow_ips or "").split(",") if h.strip()]


def serve_base_url(host: str, port: int) -> str:
    """The base URL `chipwatch serve --host --port` is reached at when none is configured."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"
