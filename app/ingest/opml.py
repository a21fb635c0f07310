"""Subscriptions in and out as OPML, the format feed readers (Miniflux, FreshRSS, Feedly) speak.

Import: each outline with an `xmlUrl` is a source; the folders around it (outlines without one)
and its OPML 2.0 `category` become its tags. Settings other readers have no attribute for
(interval, language hint, source kind) travel as `chipwatch:` attributes, so an export imported
elsewhere keeps them. The file is read with defusedxml's expat reader (no DTD, no entities, no
network), every outline is checked with the rules of `chipwatch sources add` first, and only then
is anything written, in the caller's transaction: a malformed file changes nothing and the error
names the line and the reason.
"""

import io
import xml.sax
import xml.sax.handler
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

import defusedxml
from defusedxml.expatreader import DefusedExpatParser
from sqlalchemy.orm import Session

from app.ingest import normalize as nz
from app.ingest.fetch import Resolver
from app.ingest.sources import (
    KINDS,
    MAX_INTERVAL,
    MIN_INTERVAL,
    SourceError,
    add_source,
    check_feed_address,
    check_feed_url,
    clean_tags,
    default_name,
    list_sources,
)
from app.models import Source

NS = "urn:chipwatch:opml"  # the namespace of chipwatch's own outline attributes
MAX_BYTES = 5_000_000
MAX_SOURCES = 5000


class OpmlError(ValueError):
    """A file that cannot be imported: where (line) and why. Nothing of it was stored."""

    def __init__(self, line: int | None, reason: str):
        self.line, self.reason = line, reason
        super().__init__(f"line {line}: {reason}" if line else reason)


@dataclass
class Outline:
    line: int
    url: str
    name: str | None = None
    lang: str | None = None
    interval: int = 60
    kind: str = "feed"
    tags: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)  # names of the new sources
    unchanged: list[str] = field(default_factory=list)  # already subscribed (URL)
    retagged: list[str] = field(default_factory=list)  # already subscribed, folders added

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, already subscribed {len(self.unchanged)}, "
            f"given new tags {len(self.retagged)}"
        )


class _Reader(xml.sax.handler.ContentHandler):
    """Outlines with their line, folders as a stack of tags."""

    def __init__(self) -> None:
        super().__init__()
        self.locator: xml.sax.xmlreader.Locator | None = None
        self.path: list[str] = []  # element names from the root
        self.folders: list[str | None] = []  # per open outline: its folder name, None for a feed
        self.outlines: list[Outline] = []
        self.saw_body = False

    def setDocumentLocator(self, locator) -> None:  # SAX's name
        self.locator = locator

    def line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator else 0

    def startElementNS(self, name, qname, attrs) -> None:  # SAX's name
        ns, local = name
        if not self.path and local != "opml":
            raise OpmlError(
                self.line(), f"not an OPML file: the root element is <{local}>, not <opml>"
            )
        self.path.append(local)
        if local == "body" and ns is None:
            self.saw_body = True
        if local != "outline" or ns is not None or "body" not in self.path:
            return
        values = {
            (k[1] if k[0] is None else f"{'chipwatch' if k[0] == NS else k[0]}:{k[1]}"): v
            for k, v in attrs.items()
        }
        url = (values.get("xmlUrl") or values.get("xmlurl") or "").strip()
        title = (values.get("title") or values.get("text") or "").strip()
        if not url:
            self.folders.append(title or None)
            return
        self.folders.append(None)
        if len(self.outlines) >= MAX_SOURCES:
            raise OpmlError(self.line(), f"more than {MAX_SOURCES} feeds in one file")
        self.outlines.append(self._outline(values, url, title))

    def _outline(self, values: dict[str, str], url: str, title: str) -> Outline:
        line = self.line()
        tags = [f for f in self.folders if f]
        tags += [c.strip().strip("/") for c in (values.get("category") or "").split(",")]
        raw_interval = values.get("chipwatch:interval", "60").strip()
        if not raw_interval.isdigit():
            raise OpmlError(
                line, f"chipwatch:interval {raw_interval[:40]!r} is not a whole number of minutes"
            )
        kind = values.get("chipwatch:kind", "feed").strip() or "feed"
        if kind not in KINDS:
            raise OpmlError(line, f"chipwatch:kind {kind[:40]!r} is not one of {', '.join(KINDS)}")
        lang = (values.get("chipwatch:language") or values.get("language") or "").strip().lower()
        return Outline(
            line,
            url,
            values.get("chipwatch:name") or title or None,
            lang or None,
            int(raw_interval),
            kind,
            clean_tags(tags),
        )

    def endElementNS(self, name, qname) -> None:  # SAX's name
        if name == (None, "outline") and "body" in self.path and self.folders:
            self.folders.pop()
        self.path.pop()


def parse_opml(data: bytes) -> list[Outline]:
    """The feeds an OPML file lists, in file order; OpmlError (with the line) when it is not
    well-formed, not OPML, declares a DTD or entities, or has an outline chipwatch cannot use."""
    if len(data) > MAX_BYTES:
        raise OpmlError(None, f"file larger than {MAX_BYTES // 1_000_000} MB")
    reader = _Reader()
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setContentHandler(reader)
    try:
        parser.parse(io.BytesIO(data))
    except xml.sax.SAXParseException as exc:
        raise OpmlError(exc.getLineNumber(), f"not well-formed XML: {exc.getMessage()}") from None
    except defusedxml.DTDForbidden:
        raise OpmlError(
            reader.line(), "a DOCTYPE is not allowed in OPML (refused unread)"
        ) from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise OpmlError(
            reader.line(), "entity declarations are not allowed (refused unread)"
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise OpmlError(reader.line(), f"unsafe XML refused: {exc}") from None
    if not reader.saw_body:
        raise OpmlError(None, "not an OPML file: no <body>")
    return reader.outlines


def _checked(
    outlines: list[Outline], allow_private: bool, resolver: Resolver | None
) -> list[Outline]:
    """Every outline through the rules of `sources add`; the same feed listed twice (a reader's
    feed in two folders) is one source with the tags of both."""
    by_url: dict[str, Outline] = {}
    for o in outlines:
        try:
            url = check_feed_url(o.url)
            check_feed_address(url, allow_private=allow_private, resolver=resolver)
        except SourceError as exc:
            raise OpmlError(o.line, str(exc)) from None
        if not MIN_INTERVAL <= o.interval <= MAX_INTERVAL:
            raise OpmlError(
                o.line,
                f"chipwatch:interval must be between {MIN_INTERVAL} and "
                f"{MAX_INTERVAL} minutes, not {o.interval}",
            )
        if o.lang and not nz.LANG_CODE.match(o.lang):
            raise OpmlError(
                o.line, f"language {o.lang[:20]!r} is not a code such as ar, en, zh, fr"
            )
        if o.name and len(o.name) > 200:
            raise OpmlError(o.line, "title longer than 200 characters")
        if url in by_url:
            by_url[url].tags = clean_tags(by_url[url].tags + o.tags)
            continue
        o.url = url
        by_url[url] = o
    return list(by_url.values())


def import_opml(
    session: Session, data: bytes, *, allow_private: bool, resolver: Resolver | None = None
) -> ImportReport:
    """Subscribe to the feeds of an OPML file, in the caller's transaction. The whole file is
    checked before anything is written; a feed already subscribed keeps its settings and gains
    the file's folders as tags. Raises OpmlError (roll the transaction back)."""
    outlines = _checked(parse_opml(data), allow_private, resolver)
    report = ImportReport()
    existing = {s.url: s for s in list_sources(session)}
    polled = {s.name for s in existing.values()}
    for o in outlines:
        source = existing.get(o.url)
        if source is not None:
            merged = clean_tags((source.tags or []) + o.tags)
            if merged != (source.tags or []):
                source.tags = merged
                report.retagged.append(source.name)
            else:
                report.unchanged.append(source.name)
            continue
        name = _free_name(o.name or default_name(o.url), polled)
        try:
            added = add_source(
                session,
                o.url,
                name=name,
                lang=o.lang,
                interval=o.interval,
                kind=o.kind,
                tags=o.tags,
            )
        except SourceError as exc:
            raise OpmlError(o.line, str(exc)) from None
        polled.add(added.name)
        report.added.append(added.name)
    session.flush()
    return report


def _free_name(name: str, polled: set[str]) -> str:
    """The outline's title, or "title (2)"... when a polled source has it (two readers' feeds
    are often both called "News"). A name only given at `ingest --source` is adopted."""
    name = " ".join(name.split())[:190]
    candidate, n = name, 1
    while candidate in polled:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def export_opml(session: Session, *, title: str = "chipwatch subscriptions") -> str:
    """The polled sources as OPML 2.0: each in a folder named after its first tag, all its tags
    in `category`, chipwatch's own settings as chipwatch: attributes."""
    sources = list_sources(session)
    folders: dict[str | None, list[Source]] = {}
    for s in sources:
        folders.setdefault(s.tags[0] if s.tags else None, []).append(s)
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<opml version="2.0" xmlns:chipwatch="{NS}">',
        f"  <head><title>{_escape(title)}</title><dateCreated>{now}</dateCreated></head>",
        "  <body>",
    ]
    for folder in sorted(folders, key=lambda f: (f is not None, f or "")):
        indent = "    "
        if folder is not None:
            lines.append(f"    <outline text={quoteattr(folder)} title={quoteattr(folder)}>")
            indent = "      "
        lines += [indent + _outline(s) for s in folders[folder]]
        if folder is not None:
            lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _outline(s: Source) -> str:
    attrs = [("type", "rss"), ("text", s.name), ("title", s.name), ("xmlUrl", s.url or "")]
    if s.tags:
        attrs.append(("category", ",".join(s.tags)))
    attrs.append(("chipwatch:interval", str(s.interval_minutes)))
    if s.lang:
        attrs.append(("chipwatch:language", s.lang))
    if (s.kind or "feed") != "feed":
        attrs.append(("chipwatch:kind", s.kind))
    return "<outline " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs) + "/>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
