"""Reads of sources and rejected input for the admin page, and the SQL of managing polled
sources. Everything runs in the caller's session."""

from sqlalchemy import delete, func, or_, select
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
