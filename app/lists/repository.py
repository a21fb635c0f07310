"""Reads of the export-control lists for the CLI, the admin page and the API. Everything runs in
the caller's session."""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.db import NOT_KEPT, first_row, kept_in_transaction, remember_in_transaction
from app.models import (
    Article,
    ArticleEntity,
    ArticleList,
    Entity,
    ListEvent,
    ListImport,
    ListLink,
    ListParty,
    SearchState,
)

_VERSION_KEY = "lists_version"  # the version read in this transaction (app/db.py)


def lists_version(session: Session) -> int | None:
    """The lists version (None before its migration ran): read once per transaction, like the
    search version (app/search/repository.py); plain SQL, as it is asked on every page that
    draws list actions."""
    kept = kept_in_transaction(session, _VERSION_KEY)
    if kept is not NOT_KEPT:
        return kept
    row = first_row(session, "SELECT lists_version FROM search_state WHERE id = 1")
    version = None if row is None else row[0]
    remember_lists_version(session, version)
    return version


def remember_lists_version(session: Session, version: int | None) -> None:
    """The lists version this transaction read (app/search/repository.py reads it with the
    search version, in one statement)."""
    remember_in_transaction(session, _VERSION_KEY, version)


def bump_lists_version(session: Session) -> None:
    """Lists changed in this transaction: every process reads the new version after the commit
    and drops the list actions it kept."""
    session.execute(
        update(SearchState)
        .where(SearchState.id == 1)
        .values(lists_version=SearchState.lists_version + 1)
    )
    session.info.pop(_VERSION_KEY, None)


_SPAN_ACTIONS = ("added", "removed")  # the events that open and close a party's time on a list


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


# --- list status of articles (app/lists/status.py) ---------------------------------------------


def span_events(
    session: Session, entity_ids: list[str], statuses: Iterable[str]
) -> list[tuple[str, int, str, str, date]]:
    """(entity id, party id, list slug, action, effective date) of the additions and removals
    of the parties linked to these entities with one of these statuses, in order per entity and
    party."""
    return [
        (entity_id, party_id, slug, action, day)
        for entity_id, party_id, slug, action, day in session.execute(
            select(
                ListLink.entity_id,
                ListParty.id,
                ListParty.list_slug,
                ListEvent.action,
                ListEvent.effective_date,
            )
            .join(ListParty, ListParty.id == ListLink.party_id)
            .join(ListEvent, ListEvent.party_id == ListParty.id)
            .where(
                ListLink.entity_id.in_(entity_ids),
                ListLink.status.in_(statuses),
                ListEvent.action.in_(_SPAN_ACTIONS),
            )
            .order_by(ListLink.entity_id, ListParty.id, ListEvent.effective_date, ListEvent.id)
        )
    ]


def delete_article_lists(session: Session, article_ids: list[int]) -> None:
    session.execute(delete(ArticleList).where(ArticleList.article_id.in_(article_ids)))


def insert_article_lists(session: Session, rows: list[dict]) -> None:
    """Rows of {"article_id", "list_slug"}, in one statement."""
    if rows:
        session.execute(insert(ArticleList), rows)


def articles_tagged_with(session: Session, entity_ids: list[str]) -> list[int]:
    """The ids of the articles tagged with any of these entities, in order."""
    return list(
        session.scalars(
            select(ArticleEntity.article_id)
            .where(ArticleEntity.entity_id.in_(entity_ids))
            .distinct()
            .order_by(ArticleEntity.article_id)
        )
    )


def published_at_of(session: Session, article_ids: list[int]) -> dict[int, datetime]:
    return {
        article_id: published
        for article_id, published in session.execute(
            select(Article.id, Article.published_at).where(Article.id.in_(article_ids))
        )
    }


def companies_of(session: Session, article_ids: list[int]) -> dict[int, list[str]]:
    """article id -> the companies it is tagged with (articles without any are absent)."""
    out: dict[int, list[str]] = {}
    for article_id, entity_id in session.execute(
        select(ArticleEntity.article_id, ArticleEntity.entity_id).where(
            ArticleEntity.article_id.in_(article_ids), ArticleEntity.entity_type == "company"
        )
    ):
        out.setdefault(article_id, []).append(entity_id)
    return out


def article_lists(session: Session, article_ids: list[int]) -> dict[int, list[str]]:
    """article id -> the lists it is on, by slug (articles on none are absent)."""
    out: dict[int, list[str]] = {}
    for article_id, slug in session.execute(
        select(ArticleList.article_id, ArticleList.list_slug)
        .where(ArticleList.article_id.in_(article_ids))
        .order_by(ArticleList.list_slug)
    ):
        out.setdefault(article_id, []).append(slug)
    return out


# --- for readers: an entity's status, and list actions on timelines (app/lists/status.py) -------


def linked_parties(
    session: Session, entity_id: str, statuses: Iterable[str]
) -> list[tuple[ListLink, ListParty]]:
    """The entity's links with one of these statuses and their parties, by list and name."""
    return [
        (link, party)
        for link, party in session.execute(
            select(ListLink, ListParty)
            .join(ListParty, ListParty.id == ListLink.party_id)
            .where(ListLink.entity_id == entity_id, ListLink.status.in_(statuses))
            .order_by(ListParty.list_slug, ListParty.name)
        )
    ]


def events_in_order(session: Session, party_id: int) -> list[ListEvent]:
    """One party's events, oldest first."""
    return list(
        session.scalars(
            select(ListEvent)
            .where(ListEvent.party_id == party_id)
            .order_by(ListEvent.effective_date, ListEvent.id)
        )
    )


def linked_span_events(
    session: Session, statuses: Iterable[str]
) -> list[tuple[int, str, date, str, str, str]]:
    """(event id, action, effective date, party name, list slug, linked entity id) of every
    addition and removal of a party linked with one of these statuses, oldest first (an event
    once per entity its party is linked to)."""
    return [
        (event_id, action, day, name, slug, entity_id)
        for event_id, action, day, name, slug, entity_id in session.execute(
            select(
                ListEvent.id,
                ListEvent.action,
                ListEvent.effective_date,
                ListParty.name,
                ListParty.list_slug,
                ListLink.entity_id,
            )
            .join(ListParty, ListParty.id == ListEvent.party_id)
            .join(ListLink, ListLink.party_id == ListParty.id)
            .where(ListLink.status.in_(statuses), ListEvent.action.in_(_SPAN_ACTIONS))
            .order_by(ListEvent.effective_date, ListEvent.id)
        )
    ]
