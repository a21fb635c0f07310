"""Mirror the gazetteer files into the entities table (names for facets, joins for filters)."""

from sqlalchemy.orm import Session

from app.gazetteer import ENTITY_TYPES, Gazetteer, repository
from app.models import Entity


def sync_entities(session: Session, gazetteer: Gazetteer) -> int:
    """Insert, update and remove entity rows to match the gazetteer; returns rows changed."""
    stored = repository.all_entities(session)
    changed = 0
    for ent in gazetteer.entities.values():
        if ent.type not in (*ENTITY_TYPES, "event"):
            continue
        row = stored.pop(ent.id, None)
        values = {
            "type": ent.type,
            "name": ent.name,
            "aliases": ent.aliases,
            "data": ent.raw,
            "date": ent.date,
        }
        if row is None:
            session.add(Entity(id=ent.id, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    if stored:
        repository.delete_entities(session, list(stored))
        changed += len(stored)
    session.flush()
    return changed
