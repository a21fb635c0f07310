"""Database models. The schema itself is made only by Alembic migrations."""

import datetime as dt
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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
    # How it is read: "feed" (RSS, Atom, JSON Feed) or "federal-register" (app/ingest/federal_register.py).
    kind: Mapped[str] = mapped_column(String(20), default="feed", server_default="feed")
    # Its folders (OPML import/export, app/ingest/opml.py).
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), index=True)
    author: Mapped[str | None] = mapped_column(String(500))
    # indexed by ix_articles_published_id (published_at, id), which serves every published_at
    # range and order too; a second index on published_at alone only cost a write per article
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # True when the article carried no usable date and published_at is the ingestion time.
    date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cited_sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The enrichment version that tagged it (app/enrich/version.py): shipped gazetteer, code, topics.
    gazetteer_version: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    story_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # "news", or "rule": a Federal Register document, whose number, dates and links are in
    # rule_document (app/ingest/federal_register.py).
    kind: Mapped[str] = mapped_column(String(10), default="news", server_default="news")
    rule_document: Mapped[dict | None] = mapped_column(JSON, nullable=True)

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
    # Restrictions only: "reported" (the article's news) or "context", and why it was linked.
    role: Mapped[str | None] = mapped_column(String(10), nullable=True)
    link_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Mention(Base):
    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    surface: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class SavedView(Base):
    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique per owner (app/accounts/views.py); views saved before accounts have no owner.
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(Text)  # the filters as a query string
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    visibility: Mapped[str] = mapped_column(String(10), default="team")  # private | team
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(120))  # audit actor of the last write
    # The highest article id when the owner last opened the view: newer matches are "new".
    opened_mark: Mapped[int] = mapped_column(Integer, default=0)


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
    and its companies, chips and restrictions (same story). See app/article/linking.py."""

    __tablename__ = "article_keys"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)  # candidates are looked up near this day


class ArticleShingles(Base):
    """An article's shingle hashes (sorted little-endian int64), to confirm near-duplicates
    without re-reading its text. See app/article/linking.py."""

    __tablename__ = "article_shingles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    shingles: Mapped[bytes] = mapped_column(LargeBinary)


class ListImport(Base):
    """One import of an export-control list file, and what it changed (app/lists/importer.py)."""

    __tablename__ = "list_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(Text)  # file path or URL
    format: Mapped[str] = mapped_column(String(20))  # csl-csv | csl-json | fr-text
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)  # the date the file describes
    lists: Mapped[list[str]] = mapped_column(JSON, default=list)  # list slugs the file covers
    partial: Mapped[bool] = mapped_column(Boolean, default=False)  # no removals from a partial file
    rows: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    malformed: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"row", "reason"}]
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ListParty(Base):
    """A party on an export-control list; its history is in ListEvent, never overwritten."""

    __tablename__ = "list_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<list>:<folded name>": stable across files and layouts of the same list.
    key: Mapped[str] = mapped_column(String(700), unique=True)
    list_slug: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(Text)
    alt_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    country: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(Text)  # the file's own name of the list
    federal_register_notice: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    license_requirement: Mapped[str | None] = mapped_column(Text)
    license_policy: Mapped[str | None] = mapped_column(Text)
    source_list_url: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the fields above
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # on the list as of the last import
    seen_as_of: Mapped[dt.date | None] = mapped_column(Date)  # newest file date that had the party
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ListEvent(Base):
    """A party added to, removed from, or changed on a list, effective on a date."""

    __tablename__ = "list_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(
        ForeignKey("list_parties.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(10))  # added | removed | changed
    effective_date: Mapped[dt.date] = mapped_column(Date, index=True)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_imports.id", ondelete="SET NULL")
    )
    # The notice, licence requirement and policy at that moment; for "changed", the old and new values.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ListLink(Base):
    """A list party linked to a gazetteer company, with the match score and why."""

    __tablename__ = "list_links"
    __table_args__ = (UniqueConstraint("party_id", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(
        ForeignKey("list_parties.id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)  # auto|proposed|accepted|rejected
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ArticleList(Base):
    """A list a company tagged on the article was on at the article's date (search filters)."""

    __tablename__ = "article_lists"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    list_slug: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


Index("ix_articles_published_id", Article.published_at, Article.id)
# With article_id: the candidate lookups (app/article/repository.py prefetch) read the index only.
Index("ix_article_keys_key_day_article", ArticleKey.key, ArticleKey.day, ArticleKey.article_id)
Index("ix_sources_next_check_at", Source.next_check_at)
# Primary sources only (the few non-news articles): the sources pages list them.
Index(
    "ix_articles_kind",
    Article.kind,
    postgresql_where=Article.kind != "news",
    sqlite_where=Article.kind != "news",
)
Index("ix_article_entities_entity_role", ArticleEntity.entity_id, ArticleEntity.role)
Index("ux_saved_views_owner_name", SavedView.owner_id, SavedView.name, unique=True)


class SearchState(Base):
    """One row: a version bumped in the transaction that records a change as applied to
    Meilisearch (drained outbox rows, a rebuilt index), so pages cached per version are
    never older than the index (app/web/page_cache.py)."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    # Bumped in every transaction that changes export-control lists (app/lists/status.py).
    lists_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


# --- accounts (app/accounts): users with roles, sessions, API tokens, the audit trail ----------
# These tables live here, with the others, so the one metadata Alembic reads has them all and
# app/models.py imports no feature package (the packages import their tables from here).


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(10))  # reader | editor | admin
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, PHC string
    # Failed logins since the last success, and until when the account refuses logins.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserSession(Base):
    """A browser session, server-side so that logout and password changes end it for good.
    user_id is None for a session opened with CHIPWATCH_ADMIN_TOKEN at /admin."""

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's id
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal API token: shown once, stored as its sha256 (it is 256 random bits, so a
    fast hash is enough), revoked by deleting the row."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who changed what: one row per accepted write (web, API or command line)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))  # user:NAME, admin-token, cli, ...
    action: Mapped[str] = mapped_column(String(200))  # e.g. "POST /views/{view_id}/rename"
    target: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)


class AppSecret(Base):
    """Secrets the app makes for itself (the cookie signing key), shared by every process."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


# --- alerts (app/alerts): subscriptions to saved views and their delivery outbox ---------------


class AlertSubscription(Base):
    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    view_id: Mapped[int] = mapped_column(
        ForeignKey("saved_views.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # webhook | email
    target: Mapped[str] = mapped_column(String(2000))  # the URL or the address
    cadence: Mapped[str] = mapped_column(
        String(10), default="immediate"
    )  # immediate | daily | weekly
    format: Mapped[str] = mapped_column(
        String(10), default="json"
    )  # json | slack | teams (webhooks)
    # Only articles above floor are ever delivered: set at subscription and whenever the
    # view's filters change, so new filters never re-send old articles.
    floor: Mapped[int] = mapped_column(Integer, default=0)
    # The view's filters the floor belongs to.
    query: Mapped[str] = mapped_column(Text, default="")
    # Highest article id matched so far (the next round looks a little below it as well, for
    # articles whose transaction committed after a later one's).
    mark: Mapped[int] = mapped_column(Integer, default=0)
    next_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertDelivery(Base):
    """One article for one subscription: the outbox row, written with the match. The unique
    pair is what makes a delivery happen at most once per article and subscription."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "article_id", name="uq_alert_deliveries_sub_article"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE")
    )
    article_id: Mapped[int] = mapped_column(
        Integer
    )  # no FK: a deleted article is skipped, not lost
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- notes (app/notes) ---------------------------------------------------------------------------


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    visibility: Mapped[str] = mapped_column(String(10))  # private | team
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- gazetteer review (app/gazetteer/suggestions.py, overlay.py; app/article/retag.py) ---------


class GazetteerSuggestion(Base):
    """A name the gazetteer lacks, found in articles (discovery) or proposed by an importer
    (a Federal Register rule): one row per (type, key), with its evidence, until an editor
    accepts or rejects it. A rejected row stays, so the name is never proposed again."""

    __tablename__ = "gazetteer_suggestions"
    __table_args__ = (UniqueConstraint("type", "key", name="uq_gazetteer_suggestions_type_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(12))  # company | chip | restriction | region | agency
    key: Mapped[str] = mapped_column(String(300))  # normalised name (chips: maker:model)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(
        String(10), default="open", index=True
    )  # open|accepted|rejected
    of: Mapped[str | None] = mapped_column(String(100))  # the entity it would be an alias of
    parent: Mapped[str | None] = mapped_column(String(100))  # likely family or maker
    origin: Mapped[str] = mapped_column(String(40), default="discovery")  # who proposed it
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # the entity it would become
    count: Mapped[int] = mapped_column(Integer, default=0)  # articles seen in
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    examples: Mapped[list] = mapped_column(JSON, default=list)  # up to 5 {article_id, url, text}
    article_ids: Mapped[list] = mapped_column(JSON, default=list)  # up to EVIDENCE_IDS of them
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    change_id: Mapped[int | None] = mapped_column(Integer)  # the overlay change an accept made


class GazetteerChange(Base):
    """The overlay's history: each row sets one entity to `payload` (the shipped JSON shape) or
    deletes it (`payload` NULL). The effective gazetteer is the shipped data with the last row
    of each entity applied."""

    __tablename__ = "gazetteer_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(
        String(20)
    )  # add | update | add-alias | remove-alias | delete ...
    payload: Mapped[dict | None] = mapped_column(JSON)
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    suggestion_id: Mapped[int | None] = mapped_column(Integer)


class RetagJob(Base):
    """Articles to tag again: those a gazetteer change may concern (scope "change"), or every
    article (scope "all", `chipwatch enrich --all`); run a chunk at a time by the worker or the
    CLI (app/article/retag.py), with the progress the admin page shows."""

    __tablename__ = "retag_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10), default="change", server_default="change")
    change_id: Mapped[int | None] = mapped_column(Integer)  # the change (scope "change")
    status: Mapped[str] = mapped_column(
        String(10), default="queued", index=True
    )  # queued|running|done|failed
    entity_ids: Mapped[list] = mapped_column(JSON, default=list)
    names: Mapped[list] = mapped_column(JSON, default=list)  # aliases added or removed
    total: Mapped[int] = mapped_column(Integer, default=0)  # articles to scan (set when it starts)
    done: Mapped[int] = mapped_column(Integer, default=0)  # articles scanned
    retagged: Mapped[int] = mapped_column(Integer, default=0)  # of them, tagged again
    scanned_to: Mapped[int] = mapped_column(BigInteger, default=0)  # last article id looked at
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
