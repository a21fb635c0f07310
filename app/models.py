"""Database models. The schema itself is made only by Alembic migrations."""

import datetime as dt
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything chipwatch stores is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Source(Base):
    """Where articles come from: a feed polled by the worker, or a name given at ingest."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    lang: Mapped[str | None] = mapped_column(String(8))
    interval_minutes: Mapped[int] = mapped_column(Integer, default=60)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(200))
    next_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A worker polling this source holds it until lease_until (a crashed worker's lease expires).
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(100))


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), index=True)
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # True when the article carried no usable date and published_at is the ingestion time.
    date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cited_sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    gazetteer_version: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    story_id: Mapped[str | None] = mapped_column(String(64), index=True)

    source: Mapped[Source | None] = relationship(lazy="raise")
    mentions: Mapped[list["Mention"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Mention.start"
    )
    tags: Mapped[list["ArticleEntity"]] = relationship(lazy="raise", cascade="all, delete-orphan")


class Entity(Base):
    """A gazetteer entry, mirrored from the versioned data files for joins and facet names."""

    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    date: Mapped[dt.date | None] = mapped_column(Date)  # restrictions and events only


class ArticleEntity(Base):
    """An article is tagged with an entity (by a mention or by a rule)."""

    __tablename__ = "article_entities"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    entity_type: Mapped[str] = mapped_column(String(20))
    # "mention" when named in the text, otherwise the rule that inferred it.
    reason: Mapped[str] = mapped_column(String(40), default="mention")


class Mention(Base):
    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    surface: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class SavedView(Base):
    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text)  # the filters as a query string
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IndexOutbox(Base):
    """Work for the search indexer, written in the same transaction as the article change."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: deletes must survive
    op: Mapped[str] = mapped_column(String(10))  # "upsert" | "delete"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)


class Rejection(Base):
    """An input the ingestion refused, with where it came from and why."""

    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedItem(Base):
    """An entry a polled feed has shown, so each is processed once and a changed one updated."""

    __tablename__ = "feed_items"
    __table_args__ = (UniqueConstraint("source_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # sha256 of the entry's id (or link)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of what the feed says about it
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))  # added|duplicates|updated|unchanged|rejected
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ArticleKey(Base):
    """Lookup keys of an article by publication day: its smallest shingle hashes (near-duplicates)
    and its companies, chips and restrictions (same story). See app/ingest/dedupe.py."""

    __tablename__ = "article_keys"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)  # candidates are looked up near this day


Index("ix_articles_published_id", Article.published_at, Article.id)
Index("ix_article_keys_key_day", ArticleKey.key, ArticleKey.day)
Index("ix_sources_next_check_at", Source.next_check_at)
