"""Every view as a feed (/feed.atom) and a spreadsheet (/export.csv), from the same search."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from app.accounts.principal import resolve
from app.filters import Filters
from app.gazetteer.repository import entity_names
from app.notes.service import note_texts
from app.search.service import search_articles
from app.web.deps import FiltersDep, RuntimeDep, SessionDep
from app.web.feed_page import FEED_VARY, XML_LANG, download_name, feed_page, opened_in_browser
from app.web.rendering import marked, web_url
from app.web.schemas import errors
from app.xmltext import xml_safe

router = APIRouter(tags=["exports"], responses=errors(401, 422))
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CSVResponse(StreamingResponse):
    media_type = "text/csv"


class AtomResponse(Response):
    media_type = "application/atom+xml"


def _cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text: scraped titles like '=HYPERLINK(...)'
    would otherwise run as formulas (CSV injection), so they get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


EXPORT_LIMIT = 10_000
# The columns of the CSV and the XLSX export (the CSV adds `notes` for a logged-in user).
COLUMNS = [
    "id",
    "date",
    "lang",
    "source",
    "title",
    "url",
    "companies",
    "chips",
    "restrictions",
    "regions",
    "agencies",
    "published_at",
]
ENTITY_TYPES = ("company", "chip", "restriction", "region", "agency")  # companies .. agencies


def entity_columns(hit: dict) -> list[str]:
    """The hit's entity names joined per column, companies to agencies."""
    return ["; ".join(e["name"] for e in hit["entities"] if e["type"] == t) for t in ENTITY_TYPES]


FEED_ENTRIES = 50
ATOM = "http://www.w3.org/2005/Atom"


def _all_hits(session, filters: Filters, runtime, limit: int) -> Iterator[dict]:
    page_no, seen = 1, 0
    while seen < limit:
        page = search_articles(
            session,
            filters.replace(page=page_no, per_page=100),
            runtime.search,
            runtime.query_tagger,
            runtime.fallback,
        )
        for hit in page.hits:
            yield hit
            seen += 1
            if seen >= limit:
                return
        if page_no >= page.pages:
            return
        page_no += 1


def _describe(filters: Filters, session=None) -> str:
    """The filters in words, entities by their names ("company: Nvidia, Huawei")."""
    ids = [v for values in filters.entity_filters().values() for v in values]
    names = entity_names(session, ids) if session is not None else {}
    parts = [f"“{filters.q}”"] if filters.q else []
    parts += [
        f"{k}: {', '.join(names.get(i, i) for i in v)}" for k, v in filters.entity_filters().items()
    ]
    if filters.lang:
        parts.append("lang: " + ", ".join(filters.lang))
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or '…'} to {filters.date_to or '…'}")
    return "; ".join(parts) or "all articles"


@router.get(
    "/export.csv",
    response_class=CSVResponse,
    responses={
        200: {
            "description": "UTF-8 CSV with a BOM, one row per article",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export_csv(
    request: Request, filters: FiltersDep, session: SessionDep, runtime: RuntimeDep
) -> CSVResponse:
    """UTF-8 with a BOM, so spreadsheets open Arabic and Chinese right. The `date` column is an
    ISO date (2025-12-09), which spreadsheets read as a date; `published_at` keeps the time. For
    a user (session or personal token), a last column holds the notes they may read."""
    hits = list(_all_hits(session, filters, runtime, EXPORT_LIMIT))
    viewer = resolve(request, session)
    notes = note_texts(session, viewer, [h["id"] for h in hits]) if viewer.kind == "user" else None

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS + (["notes"] if notes is not None else []))
        for hit in hits:
            writer.writerow(
                [
                    hit["id"],
                    hit["published_at"][:10],
                    hit["lang"],
                    _cell(hit["source"]),
                    _cell(hit["title"]),
                    _cell(hit["url"]),
                    *map(_cell, entity_columns(hit)),
                    hit["published_at"],
                    *([_cell(notes.get(hit["id"], ""))] if notes is not None else []),
                ]
            )
        yield "\ufeff" + buffer.getvalue()

    return CSVResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": download_name(session, filters, "csv")},
    )


@router.get(
    "/feed.atom",
    response_class=AtomResponse,
    responses={
        200: {
            "description": "Atom 1.0 feed of the newest matching articles",
            "content": {"application/atom+xml": {"schema": {"type": "string"}}},
        }
    },
)
def feed_atom(
    request: Request, filters: FiltersDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Always the newest matching articles, whatever the view's own sort: a feed exists to show
    what is new (a view sorted oldest-first would otherwise never show a new article)."""
    newest = filters.replace(sort="newest", per_page=FEED_ENTRIES)
    hits = list(_all_hits(session, newest, runtime, FEED_ENTRIES))
    base = runtime.settings.public_base()  # never the request's Host header
    query = filters.query_string(paging=False)
    title = f"chipwatch: {_describe(filters, session)}"
    if opened_in_browser(request):  # a person, not a feed reader: the feed as a page
        return feed_page(request, title, f"{base}/feed.atom?{query}", f"/?{query}", hits)
    body = atom_document(hits, title=title, base=base, query=query)
    return AtomResponse(body, media_type="application/atom+xml; charset=utf-8", headers=FEED_VARY)


def _node(parent, tag: str, text: object = None, **attributes: object) -> ET.Element:
    """An Atom element whose text and attributes hold only characters XML 1.0 allows."""
    element = ET.SubElement(
        parent, f"{{{ATOM}}}{tag}", {k: xml_safe(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = xml_safe(text)
    return element


def atom_document(hits: list[dict], *, title: str, base: str, query: str) -> str:
    """The Atom 1.0 document of search hits (every piece of text through xml_safe), each entry
    with its language (xml:lang)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _node(feed, "title", title)
    _node(feed, "id", f"{base}/feed.atom?{query}")
    _node(feed, "link", rel="self", href=f"{base}/feed.atom?{query}")
    _node(feed, "link", rel="alternate", type="text/html", href=f"{base}/?{query}")
    _node(
        feed,
        "updated",
        max((h["published_at"] for h in hits), default=datetime.now(UTC).isoformat()),
    )
    _node(_node(feed, "author"), "name", "chipwatch")
    for hit in hits:
        entry = _node(feed, "entry", **({XML_LANG: hit["lang"]} if hit.get("lang") else {}))
        _node(entry, "title", hit["title"])
        _node(entry, "id", f"{base}/articles/{hit['id']}")
        _node(entry, "link", rel="alternate", href=f"{base}/articles/{hit['id']}")
        if web_url(hit["url"]):
            _node(entry, "link", rel="via", href=web_url(hit["url"]))
        _node(entry, "updated", hit["published_at"])
        _node(entry, "published", hit["published_at"])
        # escaped text with <mark> (nh3 lets nothing else through); serialised as escaped HTML
        _node(entry, "summary", str(marked(xml_safe(hit["snippet"]))), type="html")
        for e in hit["entities"]:
            _node(entry, "category", term=e["id"], label=e["name"], scheme=e["type"])
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
