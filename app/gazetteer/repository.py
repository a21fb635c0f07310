"""The entity reads of the web pages and the API: entities in display order, names by id, and
how many articles mention each. Everything runs in the caller's session."""

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.models import ArticleEntity, Entity, GazetteerChange, GazetteerSuggestion


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
    return dict(
        session.execute(
            select(ArticleEntity.entity_id, func.count()).group_by(ArticleEntity.entity_id)
        ).all()
    )


# --- the entities table as a mirror of the gazetteer files (app/gazetteer/sync.py) ------------------


def all_entities(session: Session) -> dict[str, Entity]:
    """id -> row of every stored entity."""
    return {e.id: e for e in session.scalars(select(Entity))}


def delete_entities(session: Session, ids: list[str]) -> None:
    session.execute(delete(Entity).where(Entity.id.in_(ids)))


# --- the entity maps the search holds in memory (app/search/entity_cache.py) ----------------------


def types_and_names(session: Session) -> dict[str, tuple[str, str]]:
    """id -> (type, name) of every entity."""
    return {
        eid: (type_, name)
        for eid, type_, name in session.execute(select(Entity.id, Entity.type, Entity.name))
    }


def dated_restrictions(session: Session) -> list[Entity]:
    """Every restriction with a date, oldest first."""
    return list(
        session.scalars(
            select(Entity)
            .where(Entity.type == "restriction", Entity.date.is_not(None))
            .order_by(Entity.date, Entity.id)
        )
    )


# --- an entity's page and /api/entities/{id} (app/entities.py) -------------------------------------


def co_mentioned(
    session: Session, entity_id: str, types: tuple[str, ...] | None, limit: int | None
) -> list[tuple[str, str, str, int]]:
    """(id, type, name, shared articles) of the entities tagged on the same articles as
    entity_id (of these types, if given), most shared first, then by name."""
    tagged = select(ArticleEntity.article_id).where(ArticleEntity.entity_id == entity_id)
    stmt = (
        select(Entity.id, Entity.type, Entity.name, func.count())
        .join(ArticleEntity, ArticleEntity.entity_id == Entity.id)
        .where(ArticleEntity.article_id.in_(tagged), Entity.id != entity_id)
    )
    if types:
        stmt = stmt.where(Entity.type.in_(types))
    stmt = stmt.group_by(Entity.id, Entity.type, Entity.name).order_by(
        func.count().desc(), Entity.name
    )
    return [
        (i, t, n, c)
        for i, t, n, c in session.execute(stmt.limit(limit) if limit is not None else stmt)
    ]


def tagged_article_count(session: Session, entity_id: str) -> int:
    articles = select(ArticleEntity.article_id).where(ArticleEntity.entity_id == entity_id)
    return session.scalar(select(func.count()).select_from(articles.subquery())) or 0


def restrictions_by_date(session: Session) -> list[Entity]:
    return list(
        session.scalars(select(Entity).where(Entity.type == "restriction").order_by(Entity.date))
    )


def entities_with_ids(session: Session, ids: list[str]) -> list[Entity]:
    """The entities among ids, in the database's order."""
    return list(session.scalars(select(Entity).where(Entity.id.in_(ids))).all())


# --- the overlay of accepted changes (app/gazetteer/overlay.py) ------------------------------------


def overlay_payloads(session: Session) -> list[tuple[str, dict | None]]:
    """(entity id, payload) of every change, oldest first (None: the entity was deleted)."""
    return [
        (e, p)
        for e, p in session.execute(
            select(GazetteerChange.entity_id, GazetteerChange.payload).order_by(GazetteerChange.id)
        )
    ]


def overlay_mark(session: Session) -> tuple[int, int]:
    """(number of changes, last change id)."""
    count, last = session.execute(select(func.count(), func.max(GazetteerChange.id))).one()
    return int(count or 0), int(last or 0)


def changes(session: Session, entity_id: str | None, limit: int) -> list[GazetteerChange]:
    """The newest changes first (of one entity, if given)."""
    stmt = select(GazetteerChange).order_by(GazetteerChange.id.desc()).limit(limit)
    if entity_id:
        stmt = stmt.where(GazetteerChange.entity_id == entity_id)
    return list(session.scalars(stmt))


# --- the review queue (app/gazetteer/suggestions.py) -----------------------------------------------


def suggestion_by_key(session: Session, type_: str, key: str) -> GazetteerSuggestion | None:
    return session.scalar(
        select(GazetteerSuggestion).where(
            GazetteerSuggestion.type == type_, GazetteerSuggestion.key == key
        )
    )


def suggestions_by_keys(session: Session, keys: set[str]) -> list[GazetteerSuggestion]:
    return list(
        session.scalars(select(GazetteerSuggestion).where(GazetteerSuggestion.key.in_(keys)))
    )


def suggestions_with_status(session: Session, status: str | None) -> list[GazetteerSuggestion]:
    stmt = select(GazetteerSuggestion)
    if status:
        stmt = stmt.where(GazetteerSuggestion.status == status)
    return list(session.scalars(stmt))


def rejected_suggestion_keys(session: Session) -> set[tuple[str, str]]:
    return {
        (t, k)
        for t, k in session.execute(
            select(GazetteerSuggestion.type, GazetteerSuggestion.key).where(
                GazetteerSuggestion.status == "rejected"
            )
        )
    }
