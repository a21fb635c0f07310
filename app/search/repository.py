"""All SQL of the search: the database search's rows (FTS5 on SQLite, a token array on
PostgreSQL), its FTS5 match, the search version, and the index's PostgreSQL advisory locks.
Everything runs in the caller's transaction or connection."""

from sqlalchemy import Column, Integer, MetaData, Table, Text, literal_column, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.bulk import insert_rows
from app.models import Article
from app.text import index_tokens

ENTITY_TOKEN = "~"  # prefix of entity tokens in the PostgreSQL array; never made by index_tokens

# PostgreSQL only (made by the migration); SQLite's FTS5 table is reached through text().
pg_table = Table(
    "article_search", MetaData(),
    Column("article_id", Integer, primary_key=True),
    Column("tokens", postgresql.ARRAY(Text)),
)


def fts_entity(entity_id: str) -> str:
    return entity_id.replace("-", "")


def write_document(session: Session, article: Article, entity_ids: list[str]) -> None:
    """(Re)index one article in the database search, inside the caller's transaction."""
    tokens = index_tokens(article.title + "\n" + article.body)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM article_fts WHERE rowid = :id"), {"id": article.id})
        session.execute(
            text("INSERT INTO article_fts(rowid, text, ents) VALUES (:id, :text, :ents)"),
            {"id": article.id, "text": " ".join(tokens),
             "ents": " ".join(fts_entity(e) for e in entity_ids)},
        )
    else:
        all_tokens = sorted(set(tokens)) + [ENTITY_TOKEN + e for e in entity_ids]
        stmt = postgresql.insert(pg_table).values(article_id=article.id, tokens=all_tokens)
        session.execute(stmt.on_conflict_do_update(index_elements=["article_id"],
                                                   set_={"tokens": all_tokens}))


def write_documents(session: Session, documents: list[tuple[int, str, list[str]]]) -> None:
    """Index new articles in the database search, one statement for all (bulk ingestion):
    (article id, index_tokens(title + "\n" + body) joined by spaces, entity ids)."""
    if not documents:
        return
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        ids = [d[0] for d in documents]
        conn.exec_driver_sql(f"DELETE FROM article_fts WHERE rowid IN ({','.join('?' * len(ids))})", tuple(ids))
        conn.exec_driver_sql("INSERT INTO article_fts(rowid, text, ents) VALUES (?, ?, ?)", [
            (i, text_, " ".join(fts_entity(e) for e in entity_ids)) for i, text_, entity_ids in documents])
    else:
        # New ids come from a sequence: no row can exist for them (one that did would make the
        # batch fail and be stored one article at a time, through write_document).
        insert_rows(conn, "article_search", ("article_id", "tokens"), [
            (i, (sorted(set(text_.split(" "))) if text_ else []) + [ENTITY_TOKEN + e for e in entity_ids])
            for i, text_, entity_ids in documents])


def delete_document(session: Session, article_id: int) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM article_fts WHERE rowid = :id"), {"id": article_id})
    else:
        session.execute(pg_table.delete().where(pg_table.c.article_id == article_id))


def fts_matches():
    """(rowid, bm25 rank) of the FTS5 rows matching the `:match` parameter (SQLite)."""
    return (select(literal_column("rowid").label("rid"), literal_column("bm25(article_fts)").label("rank"))
            .select_from(text("article_fts"))
            .where(text("article_fts MATCH :match")).subquery())


def search_version(session: Session) -> int | None:
    """The search version (None before the migration made its row). Plain SQL: it is asked on
    every search, and the ORM's statement machinery costs more than the query."""
    return session.connection().exec_driver_sql(
        "SELECT version FROM search_state WHERE id = 1").scalar()


# --- PostgreSQL advisory locks of the index (app/search/outbox.py) -----------------------------

def lock_for_rebuild(conn: Connection, ns: int) -> None:
    conn.execute(text("SELECT pg_advisory_lock(:ns, 0)"), {"ns": ns})


def unlock_after_rebuild(conn: Connection, ns: int) -> None:
    conn.execute(text("SELECT pg_advisory_unlock(:ns, 0)"), {"ns": ns})


def may_drain(session: Session, ns: int) -> bool:
    """False while a rebuild holds the lock (a shared transaction lock otherwise)."""
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock_shared(:ns, 0)"), {"ns": ns}))


def lock_articles(session: Session, article_ids: list[int], ns: int) -> set[int]:
    """The ids among article_ids this transaction could lock (others are another drain's)."""
    return set(session.scalars(
        text("SELECT a FROM unnest(CAST(:ids AS integer[])) AS a WHERE pg_try_advisory_xact_lock(:ns, a)"),
        {"ids": article_ids, "ns": ns}))
