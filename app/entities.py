"""An entity as its page and /api/entities/{id} show it: one data function for both."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.article import repository as article_repo
from app.filters import SLUG
from app.gazetteer import repository as entity_repo
from app.gazetteer.documents import amendments, primary_document, related_documents
from app.lists.status import entity_status
from app.models import Entity

API_CO_MENTIONS = 30  # co-mentioned entities of any type in the JSON
PAGE_CO_MENTIONS = 24  # companies and chips on the page
PAGE_CO_TYPES = ("company", "chip")


def co_mentioned(
    session: Session,
    entity_id: str,
    *,
    types: tuple[str, ...] | None = None,
    limit: int | None = 30,
) -> list[dict]:
    """Entities tagged on the same articles as entity_id, most shared first."""
    return [
        {"id": i, "type": t, "name": n, "count": c}
        for i, t, n, c in entity_repo.co_mentioned(session, entity_id, types, limit)
    ]


def entity_json(entity: Entity, count: int | None = None) -> dict:
    out: dict[str, object] = {
        "id": entity.id,
        "type": entity.type,
        "name": entity.name,
        "aliases": entity.aliases,
    }
    if entity.date:
        out["date"] = entity.date.isoformat()
    if count is not None:
        out["article_count"] = count
    return out


@dataclass
class EntityData:
    entity: Entity
    article_count: int
    co_mentioned: list[dict]  # every co-mentioned entity, most shared first
    lists: list[dict]  # companies: export-control list status over time (else empty)
    restrictions: list[Entity]  # restrictions that concern it, by date
    concerns: dict[str, list[Entity]]  # a restriction's: what it covers, by type
    record: dict | None = (
        None  # a restriction's: its rule, amendments and news (restriction_record)
    )

    def to_json(self) -> dict:
        """/api/entities/{id}."""
        out = entity_json(self.entity, self.article_count)
        out["data"] = self.entity.data
        out["co_mentioned"] = self.co_mentioned[:API_CO_MENTIONS]
        if self.entity.type == "company":
            out["lists"] = self.lists
        # Restrictions: their rule, amendments and news; the same keys, empty, for other types.
        out.update(
            self.record
            or {"primary_document": None, "amendments": [], "related_documents": [], "news": []}
        )
        return out

    @property
    def page_co_mentioned(self) -> list[dict]:
        return [c for c in self.co_mentioned if c["type"] in PAGE_CO_TYPES][:PAGE_CO_MENTIONS]


def restriction_record(session: Session, entity: Entity) -> dict:
    """A restriction's primary document (the rule, or a note that it was never published), the
    documents that amended it, the rule as stored here (an article of kind rule, when a Federal
    Register source brought it) and the news that discussed it, newest first."""
    document = primary_document(entity.data)
    changes = amendments(entity.data)
    related = related_documents(entity.data)
    numbers = {
        d["document_number"]
        for d in (document, *changes, *related)
        if d and d.get("document_number")
    }
    stored = article_repo.rule_articles(session, numbers)
    for d in (document, *changes, *related):
        if d and d.get("document_number") in stored:
            d["article_id"] = stored[d["document_number"]]
    return {
        "primary_document": document,
        "amendments": changes,
        "related_documents": related,
        "news": article_repo.restriction_news(session, entity.id),
    }


def entity_data(session: Session, entity_id: str) -> EntityData | None:
    """Everything the entity page and its JSON twin show about an entity (None: no such entity)."""
    entity = session.get(Entity, entity_id) if SLUG.match(entity_id) else None
    if entity is None:
        return None
    count = entity_repo.tagged_article_count(session, entity_id)
    restrictions = [
        r
        for r in entity_repo.restrictions_by_date(session)
        if entity_id in {i for ids in (r.data or {}).get("concerns", {}).values() for i in ids}
    ]
    concerns = {
        t: entity_repo.entities_with_ids(session, ids)
        for t, ids in (entity.data or {}).get("concerns", {}).items()
        if ids
    }
    return EntityData(
        entity,
        count,
        co_mentioned(session, entity_id, limit=None),
        entity_status(session, entity_id) if entity.type == "company" else [],
        restrictions,
        concerns,
        restriction_record(session, entity) if entity.type == "restriction" else None,
    )
