"""The shapes of an article as readers get it: a summary (search hits, exports, feeds, related
articles) and a detail (the article page and /api/articles/{id}).

The data functions build plain dicts of these shapes (app/search/service.py summaries(),
app/article/detail.py article_detail()): the page, the JSON API, CSV and Atom all read the same
dicts; the API documents and, in tests, validates them with these models (their class names
are the names /openapi.json has always given them). Extra fields are
allowed, so a field a later feature adds is never dropped. Dates are ISO 8601 strings.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Timestamp = Annotated[str, Field(description="ISO 8601 date-time, e.g. 2025-04-15T00:00:00+00:00")]
Day = Annotated[str, Field(description="ISO 8601 date, e.g. 2025-04-01")]


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class EntityRef(Model):
    id: str
    type: str
    name: str


class Summary(Model):
    """An article in a list: a search hit, a CSV row, an Atom entry, a related article."""

    id: int
    title: str
    snippet: str = Field(description="Plain escaped text; matches wrapped in <mark>")
    url: str | None
    source: str | None
    lang: str
    published_at: Timestamp
    date_estimated: bool | None = None
    entities: list[EntityRef]
    story_id: str | None


class MentionOut(Model):
    entity_id: str
    surface: str
    start: int
    end: int


class PrimaryDocumentOut(Model):
    """A restriction's primary document: a Federal Register rule, or a note that it was never
    published (an is-informed letter) with links to what is public."""

    published: bool
    label: str = Field(
        description="'90 FR 4544', 'FR Doc. 2023-23055' or 'Not published as a rule'"
    )
    url: str | None = Field(
        None, description="the document (Federal Register page) or what is public"
    )
    citation: str | None = None
    document_number: str | None = None
    publication_date: str | None = None
    effective_on: str | None = None
    html_url: str | None = None
    pdf_url: str | None = None
    note: str | None = None
    links: list[str] = []


class RestrictionLinkOut(Model):
    id: str
    name: str
    document: PrimaryDocumentOut | None = Field(
        None, description="the restriction's primary document"
    )
    role: str | None = Field(
        None,
        description="reported: the article's news; context: referred back to "
        "(null for articles tagged before roles were stored)",
    )
    reason: str = Field(
        description="why the article was linked, e.g. 'resolved: H20 + licence + April 2025'"
    )


class ArticleOut(Summary):
    """An article with its text, mentions and links (/articles/{id} and its JSON twin)."""

    restrictions: list[RestrictionLinkOut] = []
    body: str
    cited_sources: list[str]
    mentions: list[MentionOut]
    same_story: list[int]
    duplicates: list[int] = []
    duplicate_of: int | None = None
    gazetteer_version: str | None = None
    kind: str = Field("news", description="news, or rule: a Federal Register document")
    rule_document: dict | None = Field(
        None,
        description="a rule's document number, citation, type, "
        "dates, links, agencies, CFR parts, dockets",
    )


ArticleSummary = Summary
ArticleDetail = ArticleOut
