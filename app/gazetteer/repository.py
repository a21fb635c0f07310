"""The entity reads of the web pages and the API: entities in display order, names by id, and
how many articles mention each. Everything runs in the caller's session."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ArticleEntity, Entity


def entities_in_order(session: Session, entity_type: str | None = None) -> list[Entity]:
    """Every entity (of one type, if given), by type then name."""
    stmt = select(Entity).order_by(Entity.type, Entity.name)
    if entity_type:
        stmt = stmt.where(Entity.type == entity_type)
    return list(session.scalars(stmt))


def entities_by_id(session: Session, ids: set[str]) -> dict[str, Entity]:
    return {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}


def entity_names(session: Session, ids) -> dict[str, str]:
    """id -> display name of the entities among ids (unknown ids are absent)."""
    if not ids:
        return {}
    return dict(session.execute(select(Entity.id, Entity.name).where(Entity.id.in_(ids))).all())


def article_counts(session: Session) -> dict[str, int]:
    """entity id -> how many articles are tagged with it (entities in no article are absent)."""
    return dict(session.execute(select(ArticleEntity.entity_id, func.count())
                                .group_by(ArticleEntity.entity_id)).all())
