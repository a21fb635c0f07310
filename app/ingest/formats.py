"""File formats to raw items: plain text, Markdown, HTML, JSON and JSON lines."""

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import lxml.html
from markdown_it import MarkdownIt

from app.ingest.items import RawItem, Rejected, RejectedInput
from app.ingest.stages import StageFailed, rejection, stage

if TYPE_CHECKING:
    from trafilatura.settings import Document

FIELDS = ("title", "body", "html", "url", "published_at", "source", "lang", "author")
TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
SUPPORTED = (
    TEXT_SUFFIXES
    | MARKDOWN_SUFFIXES
    | HTML_SUFFIXES
    | JSON_SUFFIXES
    | JSONL_SUFFIXES
    | FEED_SUFFIXES
)

_markdown = MarkdownIt("commonmark")


def from_text(text: str, origin: str) -> RawItem:
    return RawItem(origin=origin, body=text)


def from_markdown(text: str, origin: str) -> RawItem:
    title = None
    lines = text.lstrip().splitlines()
    if lines and lines[0].startswith("# "):
        title, text = lines[0][2:].strip(), "\n".join(lines[1:])
    return RawItem(origin=origin, title=title, body=fragment_text(_markdown.render(text)))


_BLOCKS = "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br"


# The HTML standard's parser does work for each start tag in proportion to how deep it stands
# (lexbor: `<div>` nested 20,000 deep takes 0.4 s, 40,000 deep 2.8 s, 100,000 deep over a
# minute). Markup whose start tags, summed over their depth, pass this bound is read by libxml2
# alone (which drops what is nested deeper than 255); 10,000 nested divs (5e7) take lexbor
# 0.06 s, and a news page (3,000 tags about 20 deep) is a thousand times below the bound.
MAX_NESTING_WORK = 50_000_000
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
# libxml2 keeps 255 levels of elements and drops what is deeper (text too); a browser shows it
# (Chromium stops nesting at 512 and puts deeper elements beside one another). Elements this deep
# in the body become their text, which libxml2 then keeps.
MAX_DEPTH = 200
_TOO_DEEP = ":root > body" + " > *" * MAX_DEPTH
# C0 controls other than tab and line ends, which a browser shows as nothing and libxml2 refuses
# in a text it is given ("All strings must be XML compatible"): form feed is HTML white space.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_VOID = frozenset(
    "area base basefont bgsound br col embed frame hr img input keygen link meta param source "
    "track wbr".split()
)


def _nesting_work(html: str) -> int:
    """An upper bound of the parser's work on nesting: each start tag's depth, summed (tags
    closed implicitly, like `<p>` or `<li>`, count as never closed)."""
    depth = work = 0
    for match in _TAG.finditer(html):
        if match[1]:
            depth = max(depth - 1, 0)
        elif match[2].lower() not in _VOID:
            depth += 1
            work += depth
    return work


def browser_html(html: str) -> str:
    """The document as a browser builds it, serialized again: parsed by the HTML standard's tree
    construction (lexbor, through selectolax), so that libxml2 (lxml, trafilatura), which parses
    otherwise, sees the elements a browser shows. Without it libxml2 ends the document at an
    early `</html>` (a browser moves what follows into the body), asserts on an `<svg>` root or
    on content after `<html></html>` ("too many bodies") and nests misnested tables and
    formatting tags its own way. `<template>` contents, which a browser never shows, are
    dropped; elements nested deeper than MAX_DEPTH in the body are replaced by their text.
    Markup nested too deep for the parser's time (MAX_NESTING_WORK) is returned as it is. C0
    control characters are dropped (form feed becomes a space)."""
    if _CONTROLS.search(html):
        html = _CONTROLS.sub(lambda m: " " if m[0] == "\f" else "", html)
    tags = html.count("<")  # n tags nest at most n deep: their work is at most n(n+1)/2
    if tags * (tags + 1) // 2 > MAX_NESTING_WORK and _nesting_work(html) > MAX_NESTING_WORK:
        return html
    from selectolax.lexbor import LexborHTMLParser  # (imported when first needed, as trafilatura)

    tree = LexborHTMLParser(html)
    for template in tree.css("template"):
        template.decompose()
    for deep in tree.css(_TOO_DEEP):
        for hidden in deep.css("script, style, noscript, title, textarea"):
            hidden.decompose()
        deep.replace_with(deep.text(deep=True, separator=" "))
    return tree.html or ""


def fragment_text(html: str) -> str:
    """Visible text of an HTML fragment, one paragraph per block; scripts and styles dropped."""
    return _visible_text(browser_html(html))


def _visible_text(html: str) -> str:
    """fragment_text of markup browser_html has already rebuilt."""
    try:
        root = lxml.html.document_fromstring(html).body
    except (ValueError, lxml.etree.ParserError):
        return ""
    if root is None:
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for block in root.iter(*_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
    return root.text_content()


def html_to_item(html: str, origin: str, url: str | None = None) -> RawItem:
    """Main text, title, date and author of an article page (boilerplate dropped)."""
    import trafilatura  # imported when first needed: a tenth of a second off every start-up

    html = browser_html(html)
    doc = cast(
        "Document | None",
        trafilatura.bare_extraction(  # (a dict only with as_dict=True)
            html, url=url, include_comments=False, with_metadata=True, favor_recall=True
        ),
    )
    if doc is not None and (doc.text or "").strip():
        return RawItem(
            origin=origin,
            title=doc.title,
            body=doc.text,
            url=url or doc.url,
            published_at=doc.date,
            author=doc.author,
        )
    # Short fragments (feed summaries) are below trafilatura's idea of an article.
    text = _visible_text(html)  # (html is browser_html's already: not parsed a second time)
    if not text.strip():
        raise RejectedInput("HTML without readable article text")
    return RawItem(origin=origin, body=text, url=url)


def _from_object(obj: object, origin: str) -> RawItem:
    if not isinstance(obj, dict):
        raise RejectedInput(f"expected a JSON object, got {type(obj).__name__}")
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise RejectedInput(f"field {name!r} must be a string, got {type(value).__name__}")
        values[name] = value
    if not (values["body"] or "").strip() and not (values["html"] or "").strip():
        raise RejectedInput("no body: a JSON article needs a non-empty 'body' or 'html'")
    return RawItem(origin=origin, **values)


def from_json(text: str, origin: str) -> Iterator[RawItem | Rejected]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Rejected(
            origin,
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            stage="parse",
        )
        return
    objects = data if isinstance(data, list) else [data]
    for i, obj in enumerate(objects):
        where = f"{origin}[{i}]" if isinstance(data, list) else origin
        try:
            with stage("parse"):
                item = _from_object(obj, where)
        except (RejectedInput, StageFailed) as exc:
            yield rejection(where, exc)
        else:
            yield item


def from_json_lines(lines: Iterator[str], origin: str) -> Iterator[RawItem | Rejected]:
    for number, line in enumerate(lines, start=1):
        item = from_json_line(line, f"{origin}:{number}")
        if item is not None:
            yield item


def from_json_line(line: str, where: str) -> RawItem | Rejected | None:
    """One line of a JSONL input (None: a blank line); a parser's failure is its rejection."""
    if not line.strip():
        return None
    try:
        with stage("parse"):
            return _from_object(json.loads(line), where)
    except StageFailed as exc:
        error = exc.error
        reason = (
            f"invalid JSON at column {error.colno}: {error.msg}"
            if isinstance(error, json.JSONDecodeError)
            else exc.reason
        )
        return Rejected(where, reason, stage="parse")
    except RejectedInput as exc:
        return Rejected(where, str(exc), stage="parse")
