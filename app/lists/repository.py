"""Reads of the export-control lists for the CLI, the admin page and the API. Everything runs in
the caller's session."""

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Entity, ListImport, ListLink, ListParty


def parties_in_order(session: Session) -> list[ListParty]:
    """Every listed party, oldest first."""
    return list(session.scalars(select(ListParty).order_by(ListParty.id)))


# --- what the CLI, /admin/lists and /api/lists show (app/lists/service.py) ---------------------

def party_counts(session: Session) -> list[tuple[str, int, int]]:
    """(list slug, parties, parties on it now) per list, by slug."""
    return [(slug, total, active) for slug, total, active in session.execute(
        select(ListParty.list_slug, func.count(), func.count().filter(ListParty.active.is_(True)))
        .group_by(ListParty.list_slug).order_by(ListParty.list_slug))]


def link_counts(session: Session) -> list[tuple[str, str, int]]:
    """(list slug, link status, links) for every pair that has links."""
    return [(slug, status, n) for slug, status, n in session.execute(
        select(ListParty.list_slug, ListLink.status, func.count())
        .join(ListParty, ListParty.id == ListLink.party_id)
        .group_by(ListParty.list_slug, ListLink.status))]


def latest_imports(session: Session, limit: int) -> list[ListImport]:
    return list(session.scalars(select(ListImport).order_by(ListImport.id.desc()).limit(limit)))


def links_with_parties(session: Session, status: str | None, limit: int) -> list[tuple[ListLink, ListParty, str]]:
    """(link, party, company name), proposals first, best score first."""
    stmt = (select(ListLink, ListParty, Entity.name)
            .join(ListParty, ListParty.id == ListLink.party_id)
            .join(Entity, Entity.id == ListLink.entity_id))
    if status:
        stmt = stmt.where(ListLink.status == status)
    order = case({"proposed": 0, "auto": 1, "accepted": 2}, value=ListLink.status, else_=3)
    stmt = stmt.order_by(order, ListLink.score.desc(), ListLink.id).limit(limit)
    return [(link, party, name) for link, party, name in session.execute(stmt)]


def unlinked_parties(session: Session, limit: int) -> tuple[int, list[ListParty]]:
    """How many parties are linked to no company (not even a rejected proposal), and the newest
    of them, at most limit."""
    stmt = select(ListParty).where(~select(ListLink.id).where(ListLink.party_id == ListParty.id).exists())
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(ListParty.start_date.desc().nulls_last(), ListParty.id.desc())
                           .limit(limit)).all()
    return total, list(rows)
