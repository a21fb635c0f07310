"""The starter set: a curated list of public feeds on the subject, kept as data
(app/ingest/data/starter_sources.json), each with its language, kind and why it is there.
`chipwatch sources add --starter` subscribes to it; --dry-run and the demo's /sources page only
show it."""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from app.ingest.federal_register import documents_url
from app.ingest.sources import SourceError, add_source, list_sources

DATA = Path(__file__).parent / "data" / "starter_sources.json"


@dataclass(frozen=True)
class StarterFeed:
    name: str
    url: str  # what is polled (for the Federal Register: the API search for the agency)
    kind: str  # official | news
    source_kind: str  # feed | federal-register
    lang: str
    tags: tuple[str, ...]
    interval: int
    why: str
    verified: bool
    evidence: str


@lru_cache
def starter_set() -> tuple[list[StarterFeed], list[dict]]:
    """(feeds, publishers not listed and why)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    feeds = []
    for raw in data["feeds"]:
        source_kind = raw.get("source_kind", "feed")
        url = (
            documents_url(raw["agency"], raw["url"])
            if source_kind == "federal-register"
            else raw["url"]
        )
        feeds.append(
            StarterFeed(
                raw["name"],
                url,
                raw["kind"],
                source_kind,
                raw["lang"],
                tuple(raw["tags"]),
                int(raw.get("interval", 60)),
                raw["why"],
                bool(raw["verified"]),
                raw["evidence"],
            )
        )
    return feeds, list(data.get("not_listed", []))


def subscribe_starter(session: Session) -> tuple[list[str], list[str]]:
    """Subscribe to every starter feed not subscribed yet (by URL); (added, already there).
    The caller owns the transaction; a SourceError (a name taken by another URL) stops it."""
    known = {s.url for s in list_sources(session)}
    added, present = [], []
    for feed in starter_set()[0]:
        if feed.url in known:
            present.append(feed.name)
            continue
        try:
            add_source(
                session,
                feed.url,
                name=feed.name,
                lang=feed.lang,
                interval=feed.interval,
                kind=feed.source_kind,
                tags=list(feed.tags),
            )
        except SourceError as exc:
            raise SourceError(f"starter feed {feed.name!r}: {exc}") from None
        added.append(feed.name)
    return added, present
