"""Fetching feeds and article pages without trusting the other side.

http and https only; the host is resolved and every address checked *at connect time* (a custom
httpcore network backend), so neither a redirect nor a DNS answer that changes between check and
connect can reach loopback, private, link-local, multicast or reserved addresses unless
CHIPWATCH_ALLOW_PRIVATE_URLS is set. Redirects are followed by hand (at most 5, loops refused);
timeouts cover connecting and each read, and one deadline the whole fetch (name lookup,
connection, status line and headers, body, redirects); the body is streamed and cut off
above a size cap; content types are checked; conditional GET uses ETag and Last-Modified.
"""

import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from app.decoding import decode_body
from app.urls import BadUrl, parse_url

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "chipwatch/0.1 (feed reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.8, application/xhtml+xml;q=0.8, */*;q=0.1"
)
_REDIRECTS = {301, 302, 303, 307, 308}
# Media types worth decoding; a missing type or octet-stream is let through and sniffed later.
_TEXTUAL = {
    "application/xml",
    "application/json",
    "application/javascript",
    "application/x-rss+xml",
    "application/x-atom+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/xhtml+xml",
}
_SNIFFED = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """A URL that could not be fetched; `reason` is the message shown to users."""

    def __init__(
        self, url: str, reason: str, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status, self.retry_after = url, reason, status, retry_after


class BlockedAddress(FetchError):
    """The host resolved to an address chipwatch refuses to connect to."""


@dataclass
class FetchResult:
    url: str  # the final URL, after redirects
    status: int
    content: bytes = b""
    media_type: str = ""  # lowercased, without parameters
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body as text: see decode_body. Raises RejectedInput for binary or unknown data."""
        return decode_body(self.content, self.charset)


def forbidden_reason(address: str) -> str | None:
    """Why an IP address is off limits (loopback, private...), or None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for name in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    if not ip.is_global:  # carrier-grade NAT, documentation ranges, 6to4 relays...
        return "not public"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))  # (an address: a str already)


# Name lookups run here so that a slow resolver cannot outlast the fetch's deadline (getaddrinfo
# has no timeout of its own); a lookup that hangs keeps its thread, not the fetch.
_DNS = ThreadPoolExecutor(8, thread_name_prefix="chipwatch-dns")


def _within(timeout: float | None, remaining: float) -> float:
    """A per-operation timeout cut to what is left of the whole fetch's deadline."""
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline, so a server that
    trickles its status line or headers a byte at a time is cut off like one that trickles
    its body."""

    def __init__(self, inner: httpcore.NetworkStream, policy: "Fetcher"):
        self.inner, self.policy = inner, policy

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(
            max_bytes, _within(timeout, self.policy.remaining(httpcore.ReadTimeout))
        )

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _within(timeout, self.policy.remaining(httpcore.WriteTimeout)))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context, server_hostname: str | None = None, timeout: float | None = None
    ):
        remaining = self.policy.remaining(httpcore.ConnectTimeout)
        return _DeadlineStream(
            self.inner.start_tls(ssl_context, server_hostname, _within(timeout, remaining)),
            self.policy,
        )

    def get_extra_info(self, info: str):
        return self.inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself, checks every address, then connects to the checked address."""

    def __init__(self, policy: "Fetcher"):
        self.policy = policy
        self.inner = httpcore.SyncBackend()

    def _resolve(self, host: str, port: int) -> list[str]:
        lookup = _DNS.submit(self.policy.resolver, host, port)
        try:
            return lookup.result(timeout=self.policy.remaining(httpcore.ConnectTimeout))
        except FutureTimeout:
            raise httpcore.ConnectTimeout(f"resolving {host} outlasted the deadline") from None

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ):
        addresses = self._resolve(host, port)
        for address in addresses:
            self.policy.check_address(host, address)
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                remaining = self.policy.remaining(httpcore.ConnectTimeout)
                stream = self.inner.connect_tcp(
                    address, port, _within(timeout, remaining), local_address, socket_options
                )
                return _DeadlineStream(stream, self.policy)
            except httpcore.ConnectError as exc:  # try the host's next address
                error = exc
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, policy: "Fetcher"):
        super().__init__(trust_env=False)
        # HTTPTransport builds its own pool; swap in one whose sockets go through the guard.
        # TLS still verifies the certificate against the host name (SNI), not the address.
        self._pool = httpcore.ConnectionPool(
            ssl_context=policy.ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(policy),
        )


@dataclass
class Fetcher:
    """An HTTP client for untrusted URLs. Use as a context manager, or close() it."""

    allow_private: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # the whole transfer, against servers that trickle bytes
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    resolver: Resolver = system_resolver
    # Addresses allowed despite being private (tests; an operator's own feed host).
    exempt: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    ssl_context: ssl.SSLContext | None = None  # default: certifi's CA bundle
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _ends: threading.local = field(default_factory=threading.local, init=False, repr=False)

    def remaining(self, timeout: type[Exception]) -> float:
        """Seconds left of the current fetch's deadline (DNS, connect, headers and body
        together); raises `timeout` when none are."""
        ends = getattr(self._ends, "at", None)
        if ends is None:
            return self.deadline
        left = ends - time.monotonic()
        if left <= 0:
            raise timeout(f"the fetch took longer than {self.deadline:g} s")
        return left

    @classmethod
    def from_settings(cls, settings, **options) -> "Fetcher":
        return cls(allow_private=settings.allow_private_urls, **options)

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            timeout = httpx.Timeout(
                self.read_timeout, connect=self.connect_timeout, pool=self.connect_timeout
            )
            self._client = httpx.Client(
                transport=_GuardedTransport(self),
                timeout=timeout,
                follow_redirects=False,
                trust_env=False,
                headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
            )
        return self._client

    def check_address(self, host: str, address: str) -> None:
        if self.allow_private:
            return
        reason = forbidden_reason(address)
        if reason and not any(
            ipaddress.ip_address(address.split("%", 1)[0]) in net for net in self.exempt
        ):
            kind = f"{'an' if reason[0] in 'aeiou' else 'a'} {reason} address"
            what = (
                f"{address} is {kind}"
                if host == address
                else f"{host} resolves to {address}, {kind}"
            )
            raise BlockedAddress(
                host, f"refused: {what} (set CHIPWATCH_ALLOW_PRIVATE_URLS to allow)"
            )

    def check_url(self, url: str) -> str:
        """Refuse what can be refused without the network (app/urls.py: scheme, host,
        port, IPv6 literals; literal private IPs); returns the URL cleaned."""
        try:
            url = parse_url(url)
        except BadUrl as exc:
            raise FetchError(url, str(exc)) from None
        host = urlsplit(url).hostname
        if host is None:  # (what ip_address(None) would refuse as not an address)
            return url
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return url
        self.check_address(host, host)
        return url

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET a URL (conditionally when etag/last_modified are given); raises FetchError."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        self._ends.at = started + self.deadline
        seen = {url}
        current = url
        try:
            for _hop in range(self.max_redirects + 1):
                current = self.check_url(current)
                location = self._get(current, headers, started)
                if isinstance(location, FetchResult):
                    return location
                target = urljoin(current, location)
                if target in seen:
                    raise FetchError(url, f"redirect loop at {target}")
                seen.add(target)
                current = target
        finally:
            self._ends.at = None
        raise FetchError(url, f"too many redirects (more than {self.max_redirects})")

    def _get(self, url: str, headers: dict, started: float) -> FetchResult | str:
        """One request: the result, or the Location of a redirect."""
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(
                            url, f"HTTP {response.status_code} redirect without a Location"
                        )
                    return location
                if response.status_code == 304:
                    return FetchResult(
                        url,
                        304,
                        etag=response.headers.get("etag") or headers.get("If-None-Match"),
                        last_modified=response.headers.get("last-modified")
                        or headers.get("If-Modified-Since"),
                    )
                if response.status_code >= 400 or response.status_code < 200:
                    raise FetchError(
                        url,
                        f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                        status=response.status_code,
                        retry_after=retry_after_seconds(response.headers.get("retry-after")),
                    )
                media, charset = parse_content_type(response.headers.get("content-type"))
                if not acceptable_media(media):
                    raise FetchError(url, f"unsupported content type {media!r}")
                length = response.headers.get("content-length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise FetchError(
                        url, f"body too large ({int(length)} bytes, at most {self.max_bytes})"
                    )
                content = self._read(url, response, started)
                return FetchResult(
                    url,
                    response.status_code,
                    content,
                    media,
                    charset,
                    response.headers.get("etag"),
                    response.headers.get("last-modified"),
                )
        except FetchError as exc:
            exc.url = url
            raise
        except httpx.TimeoutException as exc:
            if time.monotonic() - started >= self.deadline:
                raise FetchError(
                    url,
                    f"transfer took longer than {self.deadline:g} s "
                    "(name lookup, connection, headers and body together)",
                ) from None
            if isinstance(exc, httpx.ConnectTimeout):
                raise FetchError(
                    url, f"connection timed out after {self.connect_timeout:g} s"
                ) from None
            if isinstance(exc, httpx.ReadTimeout):
                raise FetchError(
                    url, f"server did not answer within {self.read_timeout:g} s"
                ) from None
            raise FetchError(url, f"timed out: {type(exc).__name__}") from None
        except httpx.InvalidURL as exc:  # not an HTTPError: a URL httpx itself cannot send
            raise FetchError(url, f"invalid URL: {exc}") from None
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect: {exc}") from None
        except httpx.DecodingError as exc:
            raise FetchError(url, f"cannot decompress the body: {exc}") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"HTTP error: {type(exc).__name__}: {exc}") from None

    def _read(self, url: str, response: httpx.Response, started: float) -> bytes:
        chunks, total = [], 0
        # iter_bytes() decompresses, so the cap also stops gzip bombs.
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > self.max_bytes:
                raise FetchError(url, f"body too large (more than {self.max_bytes} bytes)")
            if time.monotonic() - started > self.deadline:
                raise FetchError(url, f"transfer took longer than {self.deadline:g} s")
            chunks.append(chunk)
        return b"".join(chunks)


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    media, _, params = value.partition(";")
    match = re.search(r"""charset\s*=\s*["']?([^"';\s]+)""", params, re.I)
    return media.strip().lower(), match.group(1) if match else None


def acceptable_media(media: str) -> bool:
    return (
        media in _SNIFFED
        or media in _TEXTUAL
        or media.startswith("text/")
        or media.endswith(("+xml", "+json"))
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when.tzinfo else None
