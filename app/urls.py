"""The one place a URL from input is read: parse_url() returns it cleaned or says what is wrong.

Used for article URLs (API, files, feeds), feed sources, fetch targets and redirects, and list
URLs, so `http://[zz]/`, `http://[::1`, a port of 99999 or `HTTP://Example.org` get the same
answer everywhere: a BadUrl whose message names the problem, never a ValueError from urllib.
"""

import ipaddress
import re
from urllib.parse import quote, urlsplit, urlunsplit

import idna

MAX_URL_CHARS = 2000
SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# A host whose last label is a number is an IPv4 address (WHATWG URL); only the dotted decimal
# form is accepted: 0177.0.0.1, 0x7f.1 and 2130706433 are spellings that hide 127.0.0.1.
_NUMERIC_LABEL = re.compile(r"\d+|0[xX][0-9a-fA-F]*")
_ASCII_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEEP = "!#$%&'()*+,-./:;=?@[]~_"  # left as they are in path, query and fragment; others %-encoded


class BadUrl(ValueError):
    """A URL that cannot be used; the message says why (shown to users)."""


def looks_like_url(text: str) -> bool:
    """An http(s) URL in any letter case ("HTTP://..."), as opposed to a file path."""
    return text.strip()[:8].lower().startswith(("http://", "https://"))


def parse_url(raw: str) -> str:
    """The URL cleaned (scheme and host lower case, host in IDNA ASCII form); BadUrl otherwise."""
    url = (raw or "").strip()
    if not url:
        raise BadUrl("empty URL")
    if len(url) > MAX_URL_CHARS:
        raise BadUrl(f"URL longer than {MAX_URL_CHARS} characters")
    if _CONTROL.search(url):
        raise BadUrl("URL contains control characters")
    if not _SCHEME.match(url):
        raise BadUrl("only http and https URLs are accepted; this one has no scheme")
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535"...
        raise BadUrl(f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise BadUrl(f"only http and https URLs are accepted, not {scheme!r}")
    if not host:
        raise BadUrl("URL without a host")
    if "[" in parts.netloc or "]" in parts.netloc:
        host = _ipv6_host(parts.netloc, host)
    else:
        host = _name_host(host)
    netloc = host if port is None else f"{host}:{port}"
    if parts.username is not None or parts.password is not None:
        raise BadUrl("URL with a user name or password")
    path, query, fragment = (
        quote(p, safe=_KEEP) for p in (parts.path or "/", parts.query, parts.fragment)
    )
    return urlunsplit((scheme, netloc, path, query, fragment))


def _ipv6_host(netloc: str, host: str) -> str:
    if not re.fullmatch(r"(?:[^@]*@)?\[[^\[\]]+\](?::\d*)?", netloc):
        raise BadUrl("malformed URL: brackets around something other than an IPv6 address")
    try:
        address = ipaddress.IPv6Address(host.split("%", 1)[0])
    except ValueError:
        raise BadUrl(f"malformed URL: [{host}] is not an IPv6 address") from None
    return f"[{address.compressed}]"


def _name_host(host: str) -> str:
    if _NUMERIC_LABEL.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise BadUrl(f"host {host!r} is neither a name nor a dotted IPv4 address") from None
        return host
    if host.isascii():
        if not _ASCII_HOST.fullmatch(host) or any(len(label) > 63 for label in host.split(".")):
            raise BadUrl(f"host {host!r} is not a valid domain name")
        return host.rstrip(".")
    try:
        ascii_host = idna.encode(host.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise BadUrl(f"host {host!r} is not a valid domain name: {exc}") from None
    return ascii_host.lower()
