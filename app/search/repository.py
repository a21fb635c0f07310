"""All SQL of the search: the database search's rows (FTS5 on SQLite, a token array on
PostgreSQL), its FTS5 match, the search version, the index's PostgreSQL advisory locks, and the
article reads a rebuild walks. Everything runs in the caller's transaction or connection, except
article_batches, which opens one transaction per batch."""

import time
from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import Column, Integer, MetaData, Table, Text, func, literal_column, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.orm import Session, sessionmaker

from app.bulk import insert_rows, pg_array
from app.db import (
    NOT_KEPT,
    first_row,
    kept_in_transaction,
    read_connection,
    remember_in_transaction,
)
from app.lists.repository import remember_lists_version
from app.models import Article, ArticleEntity, IndexOutbox, as_utc
from app.search.documents import (  # noqa: F401  (ENTITY_TOKEN, fts_entity: importers of this module)
    ENTITY_TOKEN,
    ENTS_WEIGHT,
    fts_entity,
    fts_ents,
    pg_tokens,
    search_text,
    vocabulary_words,
)
from app.text import index_tokens

# PostgreSQL only (made by the migration); SQLite's FTS5 table is reached through text().
pg_table = Table(
    "article_search",
    MetaData(),
    Column("article_id", Integer, primary_key=True),
    Column("tokens", postgresql.ARRAY(Text)),
)


def _add_vocabulary(conn, tokens) -> None:
    """PostgreSQL: remember the index's words (not forms or tags), for prefix queries. In
    sorted order, so concurrent writers take the same locks in the same order."""
    words = vocabulary_words(tokens)
    if words:
        conn.execute(
            text(
                "INSERT INTO search_vocabulary(term) SELECT unnest(CAST(:words AS text[])) "
                "ON CONFLICT DO NOTHING"
            ),
            {"words": pg_array(words)},
        )


def write_document(session: Session, article: Article, entity_ids: list[str]) -> None:
    """(Re)index one article in the database search, inside the caller's transaction."""
    joined = search_text(article.title, article.body, article.lang)
    tokens = joined.split(" ") if joined else []
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM article_fts WHERE rowid = :id"), {"id": article.id})
        session.execute(
            text("INSERT INTO article_fts(rowid, text, ents) VALUES (:id, :text, :ents)"),
            {"id": article.id, "text": joined, "ents": fts_ents(joined, entity_ids)},
        )
    else:
        all_tokens = pg_tokens(joined, entity_ids)
        stmt = postgresql.insert(pg_table).values(article_id=article.id, tokens=all_tokens)
        session.execute(
            stmt.on_conflict_do_update(index_elements=["article_id"], set_={"tokens": all_tokens})
        )
        _add_vocabulary(session, tokens)


def write_documents(
    session: Session, documents: list[tuple[int, str, list[str], list[str]]]
) -> None:
    """Index new articles in the database search, one statement for all (bulk ingestion):
    (article id, search_text(title, body, lang), entity ids, the entities among them the title
    names: titled_entities(text, entity ids))."""
    if not documents:
        return
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        ids = [d[0] for d in documents]
        conn.exec_driver_sql(
            f"DELETE FROM article_fts WHERE rowid IN ({','.join('?' * len(ids))})", tuple(ids)
        )
        conn.exec_driver_sql(
            "INSERT INTO article_fts(rowid, text, ents) VALUES (?, ?, ?)",
            [(i, text_, fts_ents(text_, ids_, titled)) for i, text_, ids_, titled in documents],
        )
    else:
        # New ids come from a sequence: no row can exist for them (one that did would make the
        # batch fail and be stored one article at a time, through write_document).
        insert_rows(
            conn,
            "article_search",
            ("article_id", "tokens"),
            [(i, pg_array(pg_tokens(text_, ids_, titled))) for i, text_, ids_, titled in documents],
        )
        words: set[str] = set()
        for _i, text_, _e, _t in documents:
            words.update(text_.split(" "))
        _add_vocabulary(conn, words)


def rewrite_search_rows(conn, batch: int = 500) -> int:
    """Rewrite every article's database search row from the article and its tags (after a
    change to the tokens; the migration that introduced word forms calls it, through
    app.search.database). Returns the number of rows written."""
    last, count = 0, 0
    while True:
        rows = conn.execute(
            text(
                "SELECT id, title, body, lang FROM articles WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": batch},
        ).all()
        if not rows:
            return count
        ids = [r[0] for r in rows]
        tags: dict[int, list[str]] = {}
        for article_id, entity_id in conn.execute(
            select(ArticleEntity.article_id, ArticleEntity.entity_id)
            .where(ArticleEntity.article_id.in_(ids))
            .order_by(ArticleEntity.entity_id)
        ):
            tags.setdefault(article_id, []).append(entity_id)
        for id_, title, body, lang in rows:
            joined = search_text(title, body, lang)
            entity_ids = tags.get(id_, [])
            if conn.dialect.name == "sqlite":
                conn.execute(text("DELETE FROM article_fts WHERE rowid = :id"), {"id": id_})
                conn.execute(
                    text("INSERT INTO article_fts(rowid, text, ents) VALUES (:id, :text, :ents)"),
                    {"id": id_, "text": joined, "ents": fts_ents(joined, entity_ids)},
                )
            else:
                tokens = pg_tokens(joined, entity_ids)
                stmt = postgresql.insert(pg_table).values(article_id=id_, tokens=tokens)
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["article_id"], set_={"tokens": tokens}
                    )
                )
        if conn.dialect.name != "sqlite":
            _add_vocabulary(conn, {t for r in rows for t in index_tokens(r[1] + "\n" + r[2])})
        count += len(rows)
        last = ids[-1]


def delete_document(session: Session, article_id: int) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM article_fts WHERE rowid = :id"), {"id": article_id})
    else:
        session.execute(pg_table.delete().where(pg_table.c.article_id == article_id))


def fts_matches():
    """(rowid, bm25 rank) of the FTS5 rows matching the `:match` parameter (SQLite); the ents
    column (tags) weighs ENTS_WEIGHT against the text."""
    return (
        select(
            literal_column("rowid").label("rid"),
            literal_column(f"bm25(article_fts, 1.0, {ENTS_WEIGHT})").label("rank"),
        )
        .select_from(text("article_fts"))
        .where(text("article_fts MATCH :match"))
        .subquery()
    )


def fts_excluded():
    """rowids of the FTS5 rows matching the `:exclude` parameter (SQLite)."""
    return (
        select(literal_column("rowid"))
        .select_from(text("article_fts"))
        .where(text("article_fts MATCH :exclude"))
    )


def prefix_words(session: Session, prefix: str, limit: int = 200) -> list[str]:
    """Words of the database search index starting with prefix (folded), fewest characters
    first: what a prefix query stands for."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.article_fts_vocab "
                "USING fts5vocab(main, article_fts, 'row')"
            )
        )
        rows = session.execute(
            text(
                "SELECT term FROM temp.article_fts_vocab WHERE term >= :lo AND term < :hi "
                "ORDER BY length(term), term LIMIT :limit"
            ),
            {"lo": prefix, "hi": prefix + "\U0010ffff", "limit": limit},
        )
    else:
        # search_vocabulary: every word written to the index (words of deleted articles stay
        # and match nothing). Its key is in byte order, so a prefix is a range of it.
        rows = session.execute(
            text(
                "SELECT term FROM (SELECT term FROM search_vocabulary WHERE term >= :lo AND term < :hi "
                "ORDER BY term LIMIT 5000) AS words ORDER BY length(term), term LIMIT :limit"
            ),
            {"lo": prefix, "hi": prefix + "\U0010ffff", "limit": limit},
        )
    return [row[0] for row in rows]


def fts_has(session: Session, match: str) -> bool:
    """Whether some FTS5 row matches `match` (SQLite): one index lookup."""
    return (
        session.execute(
            text("SELECT 1 FROM article_fts WHERE article_fts MATCH :m LIMIT 1"), {"m": match}
        ).first()
        is not None
    )


SEARCH_VERSION_KEY = "search_version"  # the version read in this transaction (app/db.py)


def search_version(session: Session) -> int | None:
    """The search version (None before the migration made its row). Plain SQL: it is asked on
    every search, and the ORM's statement machinery costs more than the query. Read once per
    transaction (the page cache and the article cache both ask): a version that moves meanwhile
    is seen by the next request. The lists version is in the same row and read with it (the
    page cache keys by both)."""
    kept = kept_in_transaction(session, SEARCH_VERSION_KEY)
    if kept is not NOT_KEPT:
        return kept
    row = first_row(session, "SELECT version, lists_version FROM search_state WHERE id = 1")
    version, lists = (None, None) if row is None else row
    remember_in_transaction(session, SEARCH_VERSION_KEY, version)
    remember_lists_version(session, lists)
    return version


PUBLISHED_TTL = 60.0  # seconds: the database search moves no search version when it ingests
# (key, published_days() then, when read): one pair, replaced whole (threads read one or another)
_published: tuple[tuple[str, int | None] | None, tuple[date, date] | None, float] = (None, None, 0)


def published_days(session: Session) -> tuple[date, date] | None:
    """The first and last publication day (UTC) of the articles, kept per database and search
    version for at most PUBLISHED_TTL (two reads of the published_at index to make). A hint,
    never a count: app/timeline.py asks a search for its week counts beforehand when its chart
    may turn out weekly, and decides the chart from the counts as before."""
    global _published
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    key = (str(engine.url), search_version(session))
    kept_key, kept, at = _published
    now = time.monotonic()
    if kept_key == key and now - at < PUBLISHED_TTL:
        return kept
    # (on a pooled connection when the page's session is not made yet, as the search version)
    with read_connection(session) as connection:
        low, high = connection.execute(
            select(func.min(Article.published_at), func.max(Article.published_at))
        ).one()
    days = None if low is None or high is None else (as_utc(low).date(), as_utc(high).date())
    _published = (key, days, now)
    return days


# --- PostgreSQL advisory locks of the index (app/search/indexing.py) ---------------------------


def lock_for_rebuild(conn: Connection, ns: int) -> None:
    conn.execute(text("SELECT pg_advisory_lock(:ns, 0)"), {"ns": ns})


def unlock_after_rebuild(conn: Connection, ns: int) -> None:
    conn.execute(text("SELECT pg_advisory_unlock(:ns, 0)"), {"ns": ns})


def may_drain(session: Session, ns: int) -> bool:
    """False while a rebuild holds the lock (a shared transaction lock otherwise)."""
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock_shared(:ns, 0)"), {"ns": ns}))


def lock_articles(session: Session, article_ids: list[int], ns: int) -> set[int]:
    """The ids among article_ids this transaction could lock (others are another drain's)."""
    return set(
        session.scalars(
            text(
                "SELECT a FROM unnest(CAST(:ids AS integer[])) AS a WHERE pg_try_advisory_xact_lock(:ns, a)"
            ),
            {"ids": article_ids, "ns": ns},
        )
    )


# --- Walking every article (rebuilding the index, re-tagging) ---------------------------------


def article_batches(
    sessions: sessionmaker, size: int = 500
) -> Iterator[tuple[Session, list[Article]]]:
    """Every article in id order, `size` at a time, each batch in its own transaction (committed
    when the caller asks for the next one)."""
    last = 0
    while True:
        with sessions.begin() as session:
            batch = list(
                session.scalars(
                    select(Article).where(Article.id > last).order_by(Article.id).limit(size)
                )
            )
            if not batch:
                return
            yield session, batch
            last = batch[-1].id


def entity_ids_of(session: Session, article_ids: list[int]) -> dict[int, list[str]]:
    """article id -> the entity ids it is tagged with (articles without tags are absent)."""
    tags: dict[int, list[str]] = {}
    for article_id, entity_id in session.execute(
        select(ArticleEntity.article_id, ArticleEntity.entity_id).where(
            ArticleEntity.article_id.in_(article_ids)
        )
    ):
        tags.setdefault(article_id, []).append(entity_id)
    return tags


def article_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article)) or 0


def article_identities(session: Session) -> Sequence[Row[int, str | None, int | None, str]]:
    """(id, url, duplicate_of, title) of every article (the search evaluation's small store)."""
    return session.execute(
        select(Article.id, Article.url, Article.duplicate_of, Article.title)
    ).all()


def titles_and_bodies(session: Session, article_ids: list[int]) -> list[tuple[int, str, str]]:
    """(id, title, body) of the articles among article_ids (no order)."""
    return [
        (i, title, body)
        for i, title, body in session.execute(
            select(Article.id, Article.title, Article.body).where(Article.id.in_(article_ids))
        )
    ]


def tagged_entity_ids(session: Session, article_ids: list[int]) -> set[str]:
    """Every entity id any of these articles is tagged with."""
    return set(
        session.scalars(
            select(ArticleEntity.entity_id).where(ArticleEntity.article_id.in_(article_ids))
        )
    )


# --- How far the external index lags (metrics, health, admin page) ---------------------------


def outbox_lag(session: Session) -> int:
    """Article changes queued for the external index and not yet applied."""
    return session.scalar(select(func.count()).select_from(IndexOutbox)) or 0


def oldest_queued_at(session: Session):
    """When the oldest queued change was made (None when the queue is empty)."""
    return session.scalar(select(func.min(IndexOutbox.created_at)))
