"""Response models of the JSON API, so /openapi.json says what the endpoints really return.

They validate what the handlers return (a mismatch is a bug the fuzzer finds) and allow
extra fields, so a field added by a search engine or a later feature is never dropped.
Dates stay the strings the handlers make (ISO 8601), unchanged on the wire.
"""

from pydantic import Field

# The article shapes are the article package's, shared by the pages, this API, CSV and Atom.
from app.article.schemas import (  # noqa: F401
    ArticleOut,
    Day,
    EntityRef,
    MentionOut,
    Model,
    PrimaryDocumentOut,
    RestrictionLinkOut,
    Summary,
    Timestamp,
)


class ErrorItem(Model):
    param: str
    msg: str


class ErrorOut(Model):
    detail: str = Field(description="What went wrong, in words")
    errors: list[ErrorItem] | None = Field(None, description="One entry per bad parameter")


class Facet(Model):
    id: str
    name: str
    count: int


class Expansion(Model):
    id: str
    type: str
    name: str
    aliases: list[str]


class SearchOut(Model):
    total: int
    page: int
    per_page: int
    engine: str = Field(description="meilisearch, or the built-in engine (sqlite, postgresql)")
    hits: list[Summary]
    facets: dict[str, list[Facet]]
    expansions: list[Expansion] = []


class EntityOut(Model):
    id: str
    type: str
    name: str
    aliases: dict[str, list[str]]
    date: Day | None = None
    article_count: int


class EntitiesOut(Model):
    entities: list[EntityOut]


class CoMention(Model):
    id: str
    type: str
    name: str
    count: int


class ListSpan(Model):
    from_: Day = Field(alias="from")
    until: Day | None = Field(description="Exclusive; null while still listed")


class ListAction(Model):
    action: str = Field(description="added, removed or changed")
    date: Day
    federal_register_notice: str | None = None
    license_policy: str | None = None
    reason: str | None = None
    changes: dict | None = None


class ListLinkOut(Model):
    status: str = Field(
        description="auto (score at or above the threshold) or accepted by an admin"
    )
    score: float
    explanation: str


class ListStatus(Model):
    party_id: int
    list_: str = Field(alias="list", description="List id, e.g. entity-list")
    list_name: str
    name: str = Field(description="The party's name on the list")
    alt_names: list[str]
    country: str | None = None
    listed: bool = Field(description="On the list today")
    listed_from: Day | None = None
    first_listed: Day | None = None
    removed_on: Day | None = None
    federal_register_notice: str | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    source_list_url: str | None = None
    link: ListLinkOut
    spans: list[ListSpan]
    history: list[ListAction]


class RestrictionNewsOut(Model):
    id: int
    title: str
    published_at: str
    lang: str
    role: str | None = None


class EntityDetailOut(EntityOut):
    data: dict | None = None
    co_mentioned: list[CoMention]
    lists: list[ListStatus] = Field(
        [], description="Companies: export-control list status over time"
    )
    primary_document: PrimaryDocumentOut | None = Field(
        None,
        description="Restrictions: the rule (Federal Register citation, dates, links) or a note "
        "that it was never published (an is-informed letter) with what is public",
    )
    amendments: list[PrimaryDocumentOut] = Field(
        [], description="Restrictions: documents that changed it"
    )
    related_documents: list[PrimaryDocumentOut] = Field(
        [], description="Restrictions: companion documents"
    )
    news: list[RestrictionNewsOut] = Field(
        [], description="Restrictions: the news linked to it, newest first"
    )


class ListLinkCounts(Model):
    auto: int
    proposed: int
    accepted: int
    rejected: int


class ListSummary(Model):
    id: str = Field(description="List id, the value of the `list` filter (e.g. entity-list)")
    name: str
    parties: int
    listed: int = Field(description="Parties on the list as of the latest import")
    removed: int
    links: ListLinkCounts


class ListImportOut(Model):
    id: int
    origin: str
    format: str = Field(description="csl-csv, csl-json or fr-text")
    as_of: Day
    lists: list[str]
    partial: bool
    rows: int
    added: int
    removed: int
    changed: int
    malformed: int
    duplicates: int
    errors: list[dict] = Field(description="Malformed rows: {row, reason}")
    imported_at: Timestamp


class ListsOut(Model):
    threshold: dict[str, float] = Field(
        description="Score for an automatic link, and for a proposal"
    )
    lists: list[ListSummary]
    imports: list[ListImportOut]


class Bucket(Model):
    start: Day
    count: int


class TimelineEvent(Model):
    id: str
    date: Day
    title: str
    entities: list[str]
    issuer: str | None = Field(None, description="The agency or government that issued it")


class TimelineOut(Model):
    interval: str
    buckets: list[Bucket]
    events: list[TimelineEvent]


class Series(Model):
    id: str
    type: str
    name: str
    buckets: list[Bucket]


class CompareOut(Model):
    interval: str
    events: list[TimelineEvent]
    series: list[Series]
    totals: list[Bucket] | None = Field(None, description="All articles per period (scale=share)")


class RejectedOut(Model):
    origin: str
    reason: str
    stage: str | None = Field(
        None,
        description="The step that refused or failed: decode, parse, extract, "
        "clean, url, dates, language, tagging, ...",
    )


class IngestOut(Model):
    added: int
    duplicates: int
    rejected: list[RejectedOut]
    article_ids: list[int]


class IngestErrorOut(ErrorOut):
    """A 422 of POST /api/articles: a request that is not valid at all (no report), or items with
    a field that cannot be used (errors name index and field; the report says what became of the rest)."""

    added: int | None = None
    duplicates: int | None = None
    rejected: list[RejectedOut] | None = None
    article_ids: list[int] | None = None


def errors(*statuses: int) -> dict:
    """OpenAPI `responses` for our error body (it replaces FastAPI's default 422 schema)."""
    words = {
        400: "Bad request",
        401: "Credentials missing or wrong",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict (e.g. already decided)",
        413: "Request body too large",
        422: "Invalid parameters",
        429: "Too many requests (see Retry-After)",
    }
    return {
        status: {"model": ErrorOut, "description": words.get(status, "Error")}
        for status in statuses
    }


READ_ERRORS = errors(401, 422, 429)
