"""File formats to raw items: plain text, Markdown, HTML, JSON and JSON lines."""

import json
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


def fragment_text(html: str) -> str:
    """Visible text of an HTML fragment, one paragraph per block; scripts and styles dropped."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for block in root.iter(*_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
    return root.text_content()


def html_to_item(html: str, origin: str, url: str | None = None) -> RawItem:
    """Main text, title, date and author of an article page (boilerplate dropped)."""
    import trafilatura  # imported when first needed: a tenth of a second off every start-up

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
    text = fragment_text(html)
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
