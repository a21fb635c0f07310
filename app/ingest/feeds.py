"""RSS 0.9x/1.0/2.0, Atom and JSON Feed documents to raw items, through feedparser.

XML is checked with defusedxml before feedparser sees it: a document that declares entities
(billion laughs, external entities) is refused whole. HTML entities that feeds use without
declaring them (&nbsp; &eacute;) are rewritten as character references first, as browsers and
miniflux accept them. A document that is still not well-formed (truncated, stray &) goes to
feedparser's lenient parser; what it recovers is kept and the problem is recorded.
"""

import html.entities
import io
import json
import re
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
import feedparser

from app.ingest import normalize as nz
from app.ingest.formats import fragment_text
from app.ingest.items import RawItem, Rejected, RejectedInput
from app.ingest.stages import StageFailed, rejection, stage

EMPTY_FEED = "feed without entries"
_XML_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_PROLOG_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\sencoding\s*=\s*)(["'])[^"']*\2""")
# The first element after the prolog, comments and doctype (with its internal subset).
_ROOT = re.compile(
    r"""\A\ufeff?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)*"""
    r"""<([A-Za-z][\w:.-]*)""",
    re.S | re.I,
)


def looks_like_json_feed(text: str) -> bool:
    head = text.lstrip()[:400]
    return head.startswith("{") and "jsonfeed.org" in head


def root_element(text: str) -> str | None:
    """The name of the first element of a markup document ("rss", "feed", "rdf:RDF", "html")."""
    match = _ROOT.match(text[:65536])
    return match.group(1).lower() if match else None


def _numeric_entities(text: str) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        chars = None if name in _XML_PREDEFINED else html.entities.html5.get(name + ";")
        return "".join(f"&#{ord(ch)};" for ch in chars) if chars else match.group(0)

    return _NAMED_ENTITY.sub(replace, text)


def xml_problem(text: str) -> tuple[bool, str | None]:
    """(refuse, problem): refuse entity declarations; report XML that is not well-formed."""
    try:
        defusedxml.ElementTree.fromstring(
            text, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.EntitiesForbidden:
        return True, "XML declares entities (<!ENTITY>): refused, entity expansion is not allowed"
    except defusedxml.ExternalReferenceForbidden:
        return True, "XML refers to external entities: refused"
    except defusedxml.DefusedXmlException as exc:
        return True, f"unsafe XML refused: {exc}"
    except ParseError as exc:
        return False, f"not well-formed XML ({exc})"
    return False, None


def parse_feed(text: str, origin: str) -> Iterator[RawItem | Rejected]:
    if looks_like_json_feed(text):
        yield from _json_feed(text, origin)
        return
    # The text is decoded already: a prolog naming a legacy charset would make feedparser
    # decode it a second time.
    text = _PROLOG_ENCODING.sub(r'\1"utf-8"', _numeric_entities(text), count=1)
    refuse, problem = xml_problem(text)
    if refuse and problem:  # (a refusal always says why)
        yield Rejected(origin, problem)
        return
    # A stream, never a str: feedparser treats a str that looks like a URL or a path as one
    # to open, which a hostile body ("file:///etc/passwd", "http://169.254.169.254/") exploits.
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")), sanitize_html=False, resolve_relative_uris=False
    )
    if not parsed.entries:
        root = root_element(text)
        if root == "html":
            reason = "not a feed: an HTML page"
        elif problem:
            reason = f"not a feed: {problem}"
        elif parsed.get("bozo_exception") or not parsed.get("version"):
            reason = f"not a feed: {parsed.get('bozo_exception') or f'unknown document <{root}>'}"
        else:
            reason = EMPTY_FEED
        yield Rejected(origin, reason)
        return
    feed_lang = _lang(parsed.feed.get("language"))
    for i, entry in enumerate(parsed.entries):
        where = f"{origin}#{i}"
        try:
            with stage("parse"):
                where = f"{origin}#{_text(entry.get('id')) or _text(entry.get('link')) or i}"
                yield _xml_entry(entry, where, feed_lang)
        except (StageFailed, RejectedInput) as exc:  # this entry only; the others go on
            yield rejection(where, exc)
    if problem:
        yield Rejected(origin, f"{problem}; {len(parsed.entries)} items read with a lenient parser")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _xml_entry(entry, where: str, feed_lang: str | None) -> RawItem | Rejected:
    content = entry.get("content") or []
    html = content[0].get("value") if content else entry.get("summary")
    if not html:
        return Rejected(where, "feed item without content or summary", stage="parse")
    return RawItem(
        origin=where,
        title=_plain_title(entry),
        html=html,
        url=_text(entry.get("link")),
        published_at=_text(entry.get("published")) or _text(entry.get("updated")),
        author=_text(entry.get("author")),
        lang=feed_lang,
    )


def _plain_title(entry) -> str | None:
    """Atom and RSS titles may carry markup; chipwatch titles are plain text."""
    title = entry.get("title") or ""
    if "<" in title and "html" in ((entry.get("title_detail") or {}).get("type") or ""):
        title = fragment_text(title)
    return " ".join(title.split()) or None


def _lang(value: object) -> str | None:
    """A feed's or entry's declared language as a code ("en-us" is en); None when it is missing
    or not a language tag ("English"), so the text's own language is detected instead of every
    entry being refused for its feed's header."""
    code = nz.language_code(value) if isinstance(value, str) else None
    return code if code and nz.LANG_CODE.match(code) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _json_feed(text: str, origin: str) -> Iterator[RawItem | Rejected]:
    try:
        feed = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Rejected(origin, f"invalid JSON Feed: {exc.msg} at line {exc.lineno}")
        return
    items = feed.get("items") if isinstance(feed, dict) else None
    if not isinstance(items, list):
        yield Rejected(origin, "invalid JSON Feed: 'items' is not a list")
        return
    if not items:
        yield Rejected(origin, EMPTY_FEED)
        return
    lang = _lang(_str(feed.get("language")))
    for i, entry in enumerate(items):
        key = entry.get("id") if isinstance(entry, dict) else None
        where = f"{origin}#{key if isinstance(key, (str, int)) and str(key) else i}"
        try:
            with stage("parse"):
                yield _json_entry(entry, where, lang)
        except (StageFailed, RejectedInput) as exc:  # this entry only; the others go on
            yield rejection(where, exc)


def _json_entry(entry: object, where: str, lang: str | None) -> RawItem | Rejected:
    content = isinstance(entry, dict) and (
        _str(entry.get("content_html")) or _str(entry.get("content_text"))
    )
    if not content or not isinstance(entry, dict):  # (content is False for a non-object)
        return Rejected(where, "JSON Feed item without content_html or content_text", stage="parse")
    authors = entry.get("authors") or [entry.get("author")]  # "author" is JSON Feed 1.0
    author = authors[0] if isinstance(authors, list) and authors else None
    return RawItem(
        origin=where,
        title=_str(entry.get("title")),
        html=_str(entry.get("content_html")),
        body=_str(entry.get("content_text")),
        url=_str(entry.get("url")),
        published_at=_str(entry.get("date_published")) or _str(entry.get("date_modified")),
        lang=_lang(_str(entry.get("language"))) or lang,
        author=_str(author.get("name")) if isinstance(author, dict) else None,
    )
