"""Feeds and exports for people: the feed as a page when a browser opens it, file names.

A browser navigating to /feed.atom sends `Sec-Fetch-Dest: document` and `Sec-Fetch-Mode:
navigate`; feed readers send neither (nor do scripts fetching the feed), so they get Atom and a
person gets a page with the entries and the URL to subscribe to. Chromium no longer runs XSLT,
so a stylesheet would not do. Responses vary on the header, so a cache keeps the two apart.
"""

import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import quote

from starlette.requests import Request

from app.accounts.repository import view_name_for_query
from app.filters import Filters
from app.web.rendering import render

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_VARY = {"Vary": "Sec-Fetch-Dest"}


def opened_in_browser(request: Request) -> bool:
    return (
        request.headers.get("sec-fetch-dest") == "document"
        and request.headers.get("sec-fetch-mode") == "navigate"
    )


def feed_page(request: Request, title: str, feed_url: str, search_url: str, hits: list[dict]):
    response = render(
        request,
        "feed.html",
        {"title": title, "feed_url": feed_url, "search_url": search_url, "hits": hits},
    )
    response.headers["Vary"] = "Sec-Fetch-Dest, HX-Request-Type"
    return response


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def download_name(session, filters: Filters, ext: str) -> str:
    """A Content-Disposition naming the file after the saved view with these filters (else the
    words and entity ids) and today's date: chipwatch-h20-in-arabic-2025-12-09.csv. The UTF-8
    name (RFC 6266 filename*) keeps Arabic or Chinese view names readable."""
    query = filters.query_string(paging=False)
    view = view_name_for_query(session, query)
    if view:
        label = view
    else:
        label = (
            " ".join(
                [
                    filters.q,
                    *(v for vs in filters.entity_filters().values() for v in vs),
                    *filters.lang,
                ]
            )
            or "all"
        )
    today = datetime.now(UTC).date().isoformat()
    ascii_name = "-".join(p for p in ("chipwatch", _slug(label) or "view", today) if p) + f".{ext}"
    words = re.sub(r"[\W_]+", "-", label.lower()).strip("-")[:60] or "view"
    utf8_name = quote(f"chipwatch-{words}-{today}.{ext}", safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"
