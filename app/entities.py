"""Entity queries shared by the entity page and its JSON twin."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ArticleEntity, Entity


def co_mentioned(session: Session, entity_id: str, *, types: tuple[str, ...] | None = None,
                 limit: int = 30) -> list[dict]:
    """Entities tagged on the same articles as entity_id, most shared first."""
    tagged = select(ArticleEntity.article_id).where(ArticleEntity.entity_id == entity_id)
    stmt = (select(Entity.id, Entity.type, Entity.name, func.count())
            .join(ArticleEntity, ArticleEntity.entity_id == Entity.id)
            .where(ArticleEntity.article_id.in_(tagged), Entity.id != entity_id))
    if types:
        stmt = stmt.where(Entity.type.in_(types))
    stmt = stmt.group_by(Entity.id, Entity.type, Entity.name).order_by(func.count().desc(), Entity.name)
    return [{"id": i, "type": t, "name": n, "count": c}
            for i, t, n, c in session.execute(stmt.limit(limit))]
