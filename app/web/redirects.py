"""Where to send the reader back to: a path on this site, never another host (no open redirect).

Used by every login (`next`) and every "Back" link (the Referer). Only the path and query of a
URL are ever returned, so even a forged Host or Referer yields a link on this site.
"""

from urllib.parse import quote, urlsplit

from starlette.requests import Request

MAX_TARGET = 2000


def safe_next(target: object, default: str = "/") -> str:
    """`target` when it is a local path ("/x?y"), else `default`.

    Refused: absolute URLs and scheme-relative ones ("//evil", "/\\evil" which browsers read as
    "//evil"), control characters and whitespace (a tab inside "/\t/evil" is dropped by browsers),
    and anything overlong.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_TARGET:
        return default
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(c in target for c in "\\") or any(
        ord(c) < 0x21 or 0x7F <= ord(c) <= 0x9F for c in target
    ):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


def here(request: Request) -> str:
    """The request's own path and query, e.g. to come back to after a login."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def came_from(request: Request, default: str = "/") -> str:
    """The same-site page the reader came from (the Referer, with Referrer-Policy: same-origin
    a browser sends it only within this site), as a local path; `default` otherwise."""
    referer = request.headers.get("referer", "")
    if not referer:
        return default
    parts = urlsplit(referer)
    own = urlsplit(str(request.base_url))
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return default
    target = safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), default)
    return default if target == here(request) else target


def login_url(path: str, target: str) -> str:
    """`path?next=<target>`: a login link that comes back to `target` afterwards."""
    return f"{path}?next={quote(safe_next(target), safe='')}"
