"""The Federal Register as a source: its public documents API, polled like a feed.

A source of kind "federal-register" has the API's search URL as its URL (one agency, newest
first), so the poller fetches it with the same fetcher, conditional requests, leases and backoff
as any feed (app/ingest/poller.py). Each document becomes a raw item of kind "rule": its abstract
is the text, its Federal Register page the URL, its number the entry key (so a document is stored
once however often it is listed), and its number, type, dates, links, agencies, CFR parts and
dockets go in `rule_document`. No page is fetched for a rule: the API's fields are the record.
"""

import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from app.ingest.feeds import EMPTY_FEED
from app.ingest.items import RawItem, Rejected

API = "https://www.federalregister.gov/api/v1/documents.json"
DEFAULT_AGENCY = "industry-and-security-bureau"
FIELDS = (
    "document_number",
    "title",
    "type",
    "abstract",
    "publication_date",
    "effective_on",
    "html_url",
    "pdf_url",
    "agencies",
    "cfr_references",
    "docket_ids",
    "citation",
)
PER_PAGE = 50
_AGENCY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DOC_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AgencyError(ValueError):
    """Not a Federal Register agency slug; the message is shown to users."""


def documents_url(agency: str = DEFAULT_AGENCY, api: str = API) -> str:
    """The API search that lists `agency`'s documents, newest first, with the fields chipwatch
    keeps. `api` is the documents endpoint (tests serve a recorded one on loopback)."""
    agency = (agency or "").strip().lower()
    if not _AGENCY.match(agency) or len(agency) > 100:
        raise AgencyError(
            f"{agency[:100]!r} is not a Federal Register agency slug such as {DEFAULT_AGENCY}"
        )
    query = [
        ("conditions[agencies][]", agency),
        *(("fields[]", f) for f in FIELDS),
        ("order", "newest"),
        ("per_page", str(PER_PAGE)),
    ]
    return f"{api}?{urlencode(query, safe='[]')}"


def source_name(agency: str = DEFAULT_AGENCY) -> str:
    return f"Federal Register: {agency}"


def parse_documents(text: str, origin: str) -> Iterator[RawItem | Rejected]:
    """The documents of one API response. A response that is not the API's JSON is one
    rejection with the response's URL as origin (the poller records it as the source's error);
    a document without a number or title is that document's rejection, the others go on."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Rejected(
            origin,
            f"not a Federal Register API response: invalid JSON ({exc.msg} at line {exc.lineno})",
        )
        return
    results = data.get("results") if isinstance(data, dict) else None
    if results is None and isinstance(data, dict) and data.get("count") == 0:
        results = []  # the API leaves "results" out when nothing matched
    if not isinstance(results, list):
        yield Rejected(origin, "not a Federal Register API response: no 'results' list")
        return
    if not results:
        yield Rejected(origin, EMPTY_FEED)
        return
    for i, doc in enumerate(results):
        yield _document(doc, origin, i)


def _str(value: object) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _lines(value: object) -> str | None:
    """Text with its line breaks kept (spaces within a line collapsed, blank lines as one): an
    Entity List rule's text lists its parties one block of lines each (app/lists/rule_parties.py)."""
    if not isinstance(value, str) or not value.strip():
        return None
    lines = [" ".join(line.split()) for line in value.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _date(value: object) -> str | None:
    text = _str(value)
    return text if text and _DATE.match(text) else None


def _strings(values: object) -> list[str]:
    return [s for s in (_str(v) for v in values) if s] if isinstance(values, list) else []


def _document(doc: object, origin: str, index: int) -> RawItem | Rejected:
    number = _str(doc.get("document_number")) if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not number or not _DOC_NUMBER.match(number):
        return Rejected(
            f"{origin}#{index}",
            "Federal Register document without a valid document_number",
            stage="parse",
        )
    where = f"{origin}#{number}"
    title = _str(doc.get("title"))
    if not title:
        return Rejected(where, "Federal Register document without a title", stage="parse")
    kind = _str(doc.get("type")) or "Document"
    published = _date(doc.get("publication_date"))
    agencies = [
        a.get("name") or a.get("raw_name") for a in doc.get("agencies") or [] if isinstance(a, dict)
    ]
    cfr = [
        f"{c.get('title')} CFR {c.get('part')}"
        for c in doc.get("cfr_references") or []
        if isinstance(c, dict) and c.get("title") and c.get("part")
    ]
    html_url = _str(doc.get("html_url"))
    record: dict[str, object] = {
        "document_number": number,
        "type": kind,
        "citation": _str(doc.get("citation")),
        "publication_date": published,
        "effective_on": _date(doc.get("effective_on")),
        "html_url": html_url,
        "pdf_url": _str(doc.get("pdf_url")),
        "agencies": _strings(agencies),
        "cfr_references": cfr,
        "docket_ids": _strings(doc.get("docket_ids")),
    }
    abstract = _lines(doc.get("abstract"))
    lead = f"{kind} published in the Federal Register on {published or 'an unknown date'}"
    agency_names = _strings(agencies)
    if agency_names:
        lead += f" by {', '.join(agency_names)}"
    body = f"{abstract}\n\n{lead}." if abstract else f"{lead}: {title}."
    return RawItem(
        origin=where,
        title=title,
        body=body,
        url=html_url,
        published_at=published,
        lang="en",
        kind="rule",
        rule_document=record,
    )
