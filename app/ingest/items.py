"""What flows through ingestion: raw items in, rejections recorded on the way."""

from dataclasses import dataclass

from app.errors import RejectedInput  # noqa: F401 - raised all through ingestion


@dataclass
class RawItem:
    origin: str  # where it came from: "path/file.jsonl:12", "stdin", a URL
    body: str | None = None
    html: str | None = None
    title: str | None = None
    url: str | None = None
    published_at: str | None = None
    source: str | None = None
    lang: str | None = None
    author: str | None = None
    page: bool = False  # html is a whole article page: its title, date and author are read too
    kind: str = "news"  # or "rule": a Federal Register document (app/ingest/federal_register.py)
    rule_document: dict | None = None  # a rule's number, dates and links


@dataclass
class Rejected:
    origin: str
    reason: str
    stage: str | None = None  # the step that refused or failed (app/ingest/stages.py)
