"""RSS 0.9x/1.0/2.0, Atom and JSON Feed documents to raw items, through feedparser."""

import json
from collections.abc import Iterator

import feedparser

from app.ingest.items import RawItem, Rejected


def looks_like_json_feed(text: str) -> bool:
    head = text.lstrip()[:400]
    return head.startswith("{") and "jsonfeed.org" in head


def parse_feed(text: str, origin: str) -> Iterator[RawItem | Rejected]:
    if looks_like_json_feed(text):
        yield from _json_feed(text, origin)
        return
    parsed = feedparser.parse(text, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        reason = f"not a feed: {problem}" if problem else "feed without entries"
        yield Rejected(origin, reason)
        return
    feed_lang = (parsed.feed.get("language") or "")[:2].lower() or None
    for i, entry in enumerate(parsed.entries):
        where = f"{origin}#{entry.get('id') or entry.get('link') or i}"
        content = entry.get("content") or []
        html = content[0].get("value") if content else entry.get("summary")
        if not html:
            yield Rejected(where, "feed item without content or summary")
            continue
        yield RawItem(origin=where, title=entry.get("title"), html=html, url=entry.get("link"),
                      published_at=entry.get("published") or entry.get("updated"),
                      author=entry.get("author"), lang=feed_lang)


def _json_feed(text: str, origin: str) -> Iterator[RawItem | Rejected]:
    try:
        feed = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Rejected(origin, f"invalid JSON Feed: {exc.msg} at line {exc.lineno}")
        return
    lang = (feed.get("language") or "")[:2].lower() or None
    for i, entry in enumerate(feed.get("items") or []):
        where = f"{origin}#{entry.get('id') or i}" if isinstance(entry, dict) else f"{origin}#{i}"
        if not isinstance(entry, dict) or not (entry.get("content_html") or entry.get("content_text")):
            yield Rejected(where, "JSON Feed item without content_html or content_text")
            continue
        authors = entry.get("authors") or []
        yield RawItem(origin=where, title=entry.get("title"), html=entry.get("content_html"),
                      body=entry.get("content_text"), url=entry.get("url"),
                      published_at=entry.get("date_published"), lang=lang,
                      author=authors[0].get("name") if authors and isinstance(authors[0], dict) else None)
