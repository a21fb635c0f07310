"""Reads of sources and rejected input for the admin page, and the SQL of managing polled
sources. Everything runs in the caller's session."""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from app.models import Article, FeedItem, Rejection, Source


def sources_by_name(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def latest_rejections(session: Session, limit: int = 50) -> list[Rejection]:
    return list(session.scalars(select(Rejection).order_by(Rejection.id.desc()).limit(limit)))


# --- polled sources (app/ingest/sources.py) ---------------------------------------------------


def source_with_url(session: Session, url: str) -> Source | None:
    return session.scalar(select(Source).where(Source.url == url))


def source_named(session: Session, name: str) -> Source | None:
    return session.scalar(select(Source).where(Source.name == name))


def polled_source(session: Session, ref: str) -> Source | None:
    """A polled source (one with a URL) whose name or URL is ref, or whose id it spells."""
    conditions = [Source.name == ref, Source.url == ref]
    if ref.isdigit():
        conditions.append(Source.id == int(ref))
    return session.scalar(select(Source).where(Source.url.is_not(None), or_(*conditions)).limit(1))


def polled_sources(session: Session) -> list[Source]:
    return list(
        session.scalars(select(Source).where(Source.url.is_not(None)).order_by(Source.name))
    )


def delete_feed_items_of(session: Session, source_id: int) -> None:
    session.execute(delete(FeedItem).where(FeedItem.source_id == source_id))


def article_count_of(session: Session, source_id: int) -> int | None:
    return session.scalar(
        select(func.count()).select_from(Article).where(Article.source_id == source_id)
    )


def article_url_stored(session: Session, url: str) -> bool:
    return session.scalar(select(Article.id).where(Article.url == url).limit(1)) is not None


# --- feed entries already seen (app/ingest/feed_items.py) -------------------------------------


def feed_items_with_keys(session: Session, source_id: int, keys: list[str]) -> list[FeedItem]:
    """The remembered entries of a source among these keys."""
    return list(
        session.scalars(
            select(FeedItem).where(FeedItem.source_id == source_id, FeedItem.key.in_(keys))
        )
    )


def feed_item(session: Session, source_id: int, key: str) -> FeedItem | None:
    return session.scalar(
        select(FeedItem).where(FeedItem.source_id == source_id, FeedItem.key == key)
    )


# --- leases on polled sources (app/ingest/poller.py) ------------------------------------------


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Source.url.is_not(None),
        or_(Source.next_check_at.is_(None), Source.next_check_at <= now),
        or_(Source.lease_until.is_(None), Source.lease_until < now),
    )


def most_overdue_source(session: Session, now: datetime) -> int | None:
    """The id of the due source waiting longest and not leased (PostgreSQL: one another
    transaction is claiming now is skipped)."""
    stmt = (
        select(Source.id)
        .where(*_due(now))
        .order_by(Source.next_check_at.asc().nulls_first(), Source.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt)


def _set_source(session: Session, where: tuple[ColumnElement[bool], ...], values: dict) -> bool:
    """Update one source if it still matches `where` (a compare-and-set): whether it did."""
    result = session.execute(
        update(Source).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # an UPDATE's result
    return result.rowcount == 1


def lease_source(
    session: Session, source_id: int, now: datetime, until: datetime, owner: str
) -> bool:
    """Lease the source if it is still due and free: the lease is this compare-and-set."""
    return _set_source(
        session,
        (Source.id == source_id, *_due(now)),
        {"lease_until": until, "lease_owner": owner},
    )


def renew_lease(session: Session, source_id: int, owner: str, until: datetime) -> bool:
    """Extend a lease that is still `owner`'s."""
    return _set_source(
        session,
        (Source.id == source_id, Source.lease_owner == owner),
        {"lease_until": until},
    )


def release_source(
    session: Session, source_id: int, owner: str, values: dict[str, Any], items_seen: int = 0
) -> bool:
    """Record a poll on the source and drop the lease, if it is still `owner`'s; items_seen is
    added to the source's count."""
    changes = {**values, "lease_until": None, "lease_owner": None}
    if items_seen:
        changes["items_seen"] = Source.items_seen + items_seen
    return _set_source(session, (Source.id == source_id, Source.lease_owner == owner), changes)
