"""Reads of the export-control lists for the CLI, the admin page and the API. Everything runs in
the caller's session."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Entity, ListEvent, ListImport, ListLink, ListParty


def parties_in_order(session: Session) -> list[ListParty]:
    """Every listed party, oldest first."""
    return list(session.scalars(select(ListParty).order_by(ListParty.id)))


# --- what the CLI, /admin/lists and /api/lists show (app/lists/service.py) ---------------------


def party_counts(session: Session) -> list[tuple[str, int, int]]:
    """(list slug, parties, parties on it now) per list, by slug."""
    return [
        (slug, total, active)
        for slug, total, active in session.execute(
            select(
                ListParty.list_slug, func.count(), func.count().filter(ListParty.active.is_(True))
            )
            .group_by(ListParty.list_slug)
            .order_by(ListParty.list_slug)
        )
    ]


def link_counts(session: Session) -> list[tuple[str, str, int]]:
    """(list slug, link status, links) for every pair that has links."""
    return [
        (slug, status, n)
        for slug, status, n in session.execute(
            select(ListParty.list_slug, ListLink.status, func.count())
            .join(ListParty, ListParty.id == ListLink.party_id)
            .group_by(ListParty.list_slug, ListLink.status)
        )
    ]


def latest_imports(session: Session, limit: int) -> list[ListImport]:
    return list(session.scalars(select(ListImport).order_by(ListImport.id.desc()).limit(limit)))


def links_with_parties(
    session: Session, status: str | None, limit: int
) -> list[tuple[ListLink, ListParty, str]]:
    """(link, party, company name), proposals first, best score first."""
    stmt = (
        select(ListLink, ListParty, Entity.name)
        .join(ListParty, ListParty.id == ListLink.party_id)
        .join(Entity, Entity.id == ListLink.entity_id)
    )
    if status:
        stmt = stmt.where(ListLink.status == status)
    order = case({"proposed": 0, "auto": 1, "accepted": 2}, value=ListLink.status, else_=3)
    stmt = stmt.order_by(order, ListLink.score.desc(), ListLink.id).limit(limit)
    return [(link, party, name) for link, party, name in session.execute(stmt)]


def unlinked_parties(session: Session, limit: int) -> tuple[int, list[ListParty]]:
    """How many parties are linked to no company (not even a rejected proposal), and the newest
    of them, at most limit."""
    stmt = select(ListParty).where(
        ~select(ListLink.id).where(ListLink.party_id == ListParty.id).exists()
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(ListParty.start_date.desc().nulls_last(), ListParty.id.desc()).limit(limit)
    ).all()
    return total, list(rows)


# --- importing a list file (app/lists/importer.py) -------------------------------------------


def events_of(session: Session, party_ids: list[int]) -> list[tuple[int, str, date, dict | None]]:
    """(party id, action, effective date, detail) of these parties' events (one IN list: a few
    hundred ids), by party, date and id."""
    return [
        (party_id, action, day, detail)
        for party_id, action, day, detail in session.execute(
            select(ListEvent.party_id, ListEvent.action, ListEvent.effective_date, ListEvent.detail)
            .where(ListEvent.party_id.in_(party_ids))
            .order_by(ListEvent.party_id, ListEvent.effective_date, ListEvent.id)
        )
    ]


def parties_on(session: Session, slugs: list[str]) -> list[ListParty]:
    return list(session.scalars(select(ListParty).where(ListParty.list_slug.in_(slugs))))


def complete_imports_after(session: Session, day: date) -> list[tuple[date, list | None]]:
    """(as of, lists) of the complete (not partial) imports dated after day, newest first."""
    return [
        (as_of, covered)
        for as_of, covered in session.execute(
            select(ListImport.as_of, ListImport.lists)
            .where(ListImport.as_of > day, ListImport.partial.is_(False))
            .order_by(ListImport.as_of.desc())
        )
    ]


def imports_of_file(session: Session, file_hash: str) -> int | None:
    """How many imports read a file with this content."""
    return session.scalar(
        select(func.count()).select_from(ListImport).where(ListImport.file_hash == file_hash)
    )


def linked_entities(session: Session, party_ids: list[int], statuses: Iterable[str]) -> set[str]:
    """The entities these parties are linked to with one of these statuses."""
    return set(
        session.scalars(
            select(ListLink.entity_id).where(
                ListLink.party_id.in_(party_ids), ListLink.status.in_(statuses)
            )
        )
    )


def links_of(session: Session, party_ids: list[int | None]) -> list[ListLink]:
    return list(session.scalars(select(ListLink).where(ListLink.party_id.in_(party_ids))))
