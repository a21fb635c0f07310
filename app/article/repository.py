"""All SQL about articles: lookups, bulk inserts (COPY on PostgreSQL), id allocation, the
near-duplicate linker's reads and writes, and replacing an article's tags and mentions.

Everything here runs inside the caller's transaction; app/article/service.py decides what is
written when.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import cast

import numpy as np
from sqlalchemy import Table, bindparam, delete, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.article.linking import (
    ANCHORS,
    CANDIDATES,
    MIN_SHARED_ANCHORS,
    MIN_SHINGLES,
    STORY_CANDIDATES,
    STORY_DAYS,
    STORY_MIN_SHARED,
    WINDOW_DAYS,
    Pending,
    Prefetched,
    cached_array,
    decode_shingles,
    encode_shingles,
    remember_shingles,
    remembered,
    shingle_array,
    story_keys,
)
from app.bulk import insert_rows, pg_array, select_in, select_rows
from app.enrich.links import TAG_COLUMNS
from app.models import (
    Article,
    ArticleEntity,
    ArticleKey,
    ArticleShingles,
    Entity,
    Mention,
    Rejection,
    RetagJob,
    Source,
    as_utc,
)

# Core tables, for the executemany inserts and deletes of the write path (a mapped class's
# __table__ is typed as any FromClause; these are Tables).
_keys = cast(Table, ArticleKey.__table__)
_shingles = cast(Table, ArticleShingles.__table__)
_tags = cast(Table, ArticleEntity.__table__)
_mentions = cast(Table, Mention.__table__)
_articles = cast(Table, Article.__table__)
_TAGS_OF = select(_tags.c.article_id, _tags.c.entity_id, _tags.c.entity_type).where(
    _tags.c.article_id.in_(bindparam("ids", expanding=True))
)


# --- articles --------------------------------------------------------------------------------


def stored_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    """The content hashes among `hashes` that a stored article has."""
    return {
        row[0]
        for row in select_in(
            session.connection(),
            "SELECT content_hash FROM articles WHERE content_hash IN ({values})",
            list(hashes),
        )
    }


def stored_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """The canonical URLs among `urls` that a stored article has."""
    return {
        row[0]
        for row in select_in(
            session.connection(), "SELECT url FROM articles WHERE url IN ({values})", list(urls)
        )
    }


def is_stored(session: Session, content_hash: str, url: str | None) -> bool:
    """Whether an article with this text or this canonical URL is stored."""
    match = select(Article.id).where(Article.content_hash == content_hash)
    if url:
        match = select(Article.id).where(
            (Article.content_hash == content_hash) | (Article.url == url)
        )
    return session.execute(match.limit(1)).first() is not None


def id_by_url(session: Session, url: str) -> int | None:
    return session.scalar(select(Article.id).where(Article.url == url))


def get(session: Session, article_id: int) -> Article | None:
    return session.get(Article, article_id)


def mentions_of(session: Session, article_id: int) -> list[Mention]:
    return list(
        session.scalars(
            select(Mention).where(Mention.article_id == article_id).order_by(Mention.start)
        )
    )


def same_story(session: Session, article: Article) -> list[int]:
    """The other articles of the article's story, by id."""
    return list(
        session.scalars(
            select(Article.id)
            .where(Article.story_id == article.story_id, Article.id != article.id)
            .order_by(Article.id)
        )
    )


def duplicates_of(session: Session, article_id: int) -> list[int]:
    """The near-duplicates whose first copy the article is, by id."""
    return list(
        session.scalars(
            select(Article.id).where(Article.duplicate_of == article_id).order_by(Article.id)
        )
    )


def restriction_tags(
    session: Session, article_id: int
) -> list[tuple[str, str | None, str | None, str]]:
    """(restriction id, role, link reason, tag reason) of the restrictions an article is linked to."""
    return [
        (entity_id, role, link_reason, reason)
        for entity_id, role, link_reason, reason in session.execute(
            select(
                ArticleEntity.entity_id,
                ArticleEntity.role,
                ArticleEntity.link_reason,
                ArticleEntity.reason,
            )
            .where(
                ArticleEntity.article_id == article_id, ArticleEntity.entity_type == "restriction"
            )
            .order_by(ArticleEntity.entity_id)
        )
    ]


def restriction_data(session: Session, ids: set[str]) -> dict[str, dict]:
    """id -> gazetteer data of these restrictions (their primary documents)."""
    if not ids:
        return {}
    return {
        eid: data or {}
        for eid, data in session.execute(select(Entity.id, Entity.data).where(Entity.id.in_(ids)))
    }


def restriction_news(session: Session, restriction_id: str, limit: int = 20) -> list[dict]:
    """The news linked to a restriction (not rules themselves), newest first, with the link's role."""
    rows = session.execute(
        select(Article.id, Article.title, Article.published_at, Article.lang, ArticleEntity.role)
        .join(ArticleEntity, ArticleEntity.article_id == Article.id)
        .where(ArticleEntity.entity_id == restriction_id, Article.kind != "rule")
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return [
        {"id": i, "title": t, "published_at": as_utc(p).isoformat(), "lang": lang, "role": role}
        for i, t, p, lang, role in rows
    ]


def rule_articles(session: Session, document_numbers: set[str]) -> dict[str, int]:
    """document number -> id of the stored rule article (kind "rule") with that number."""
    if not document_numbers:
        return {}
    found: dict[str, int] = {}
    for article_id, doc in session.execute(
        select(Article.id, Article.rule_document).where(Article.kind == "rule").order_by(Article.id)
    ):
        number = (doc or {}).get("document_number")
        if number in document_numbers:
            found.setdefault(number, article_id)
    return found


def source_id(session: Session, name: str) -> int:
    """The id of the source called `name`, created when there is none."""
    found = session.scalar(select(Source.id).where(Source.name == name))
    if found is None:
        with session.begin_nested():
            src = Source(name=name[:200])
            session.add(src)
            session.flush()
        found = src.id
    return found


BULK_CACHE_KIB = 16384


def use_bulk_cache(session: Session) -> None:
    """SQLite: a page cache of BULK_CACHE_KIB for the batch writer's connection instead of the
    default 2 MiB. A batch inserts into the article_keys indexes all over, and with the small
    cache each batch read most of their pages again from the OS (about 5 % of the writer's CPU
    at 10,000 articles, more as the indexes grow). Memory only: what is stored, and when it is
    durable, stay as they are. The setting stays with the pooled connection."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")


def new_ids(conn: Connection, count: int) -> list[int]:
    """Ids for new articles, in order: from the articles' sequence on PostgreSQL; on SQLite the
    ones it would give itself (the largest id plus one, and so on), taken inside the batch's
    write transaction, so no other writer can take them meanwhile (and if one did, the insert
    would fail and the batch go item by item)."""
    if conn.dialect.name == "postgresql":
        return sorted(
            conn.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('articles', 'id')) FROM generate_series(1, %s)",
                (count,),
            ).scalars()
        )
    last = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM articles").scalar() or 0)
    return list(range(last + 1, last + 1 + count))


ARTICLE_COLUMNS = (
    "id",
    "title",
    "body",
    "lang",
    "url",
    "author",
    "published_at",
    "date_estimated",
    "ingested_at",
    "content_hash",
    "cited_sources",
    "gazetteer_version",
    "origin",
    "source_id",
    "duplicate_of",
    "story_id",
    "kind",
    "rule_document",
)
_BIND: dict = {}  # dialect name -> per-column bind processors of the articles table


def insert_articles(conn: Connection, rows: list[tuple]) -> None:
    """New articles, one tuple per article in the order of ARTICLE_COLUMNS, in one statement."""
    insert_rows(conn, "articles", ARTICLE_COLUMNS, _article_rows(conn, rows))


def _article_rows(conn: Connection, rows: list[tuple]) -> list[tuple]:
    """Article rows as the database driver takes them: values through the column types' own
    bind processing (SQLite's DATETIME text, JSON text), as the ORM would store them."""
    dialect = conn.dialect
    processors = _BIND.get(dialect.name)
    if processors is None:
        table = Article.__table__
        processors = _BIND[dialect.name] = [
            table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in ARTICLE_COLUMNS
        ]
    if dialect.name == "postgresql":
        # COPY adapts by Python type: everything but JSON goes in as it is.
        json_at = ARTICLE_COLUMNS.index("cited_sources")
        doc_at = ARTICLE_COLUMNS.index("rule_document")
        return [
            (
                *r[:json_at],
                json.dumps(r[json_at]),
                *r[json_at + 1 : doc_at],
                None if r[doc_at] is None else json.dumps(r[doc_at]),
                *r[doc_at + 1 :],
            )
            for r in rows
        ]
    return [
        tuple(v if f is None or v is None else f(v) for f, v in zip(processors, r)) for r in rows
    ]


def insert_tags(conn: Connection, rows: list[tuple]) -> None:
    """article_entities rows of new articles, in TAG_COLUMNS order (app.enrich.links.tag_rows)."""
    insert_rows(conn, "article_entities", TAG_COLUMNS, rows)


def insert_mentions(conn: Connection, rows: list[tuple[int, str, str, int, int]]) -> None:
    """(article id, entity id, surface, start, end) rows of new articles."""
    insert_rows(conn, "mentions", ("article_id", "entity_id", "surface", "start", "end"), rows)


def replace_tags(
    session: Session,
    article_id: int,
    tags: Sequence[tuple],
    mentions: Sequence[tuple[str, str, int, int]],
) -> None:
    """Replace an article's tags (rows in TAG_COLUMNS order, app.enrich.links.tag_rows: with
    the role and reason of its restriction links) and mentions ((entity id, surface, start,
    end) each)."""
    session.execute(_tags.delete().where(ArticleEntity.article_id == article_id))
    session.execute(_mentions.delete().where(Mention.article_id == article_id))
    # Core inserts (executemany): an article has dozens of mentions, and ORM objects for each
    # were the slowest part of ingestion.
    if tags:
        session.execute(_tags.insert(), [dict(zip(TAG_COLUMNS, row)) for row in tags])
    if mentions:
        session.execute(
            _mentions.insert(),
            [
                {
                    "article_id": article_id,
                    "entity_id": eid,
                    "surface": surface,
                    "start": start,
                    "end": end,
                }
                for eid, surface, start, end in mentions
            ],
        )


# --- the near-duplicate linker's reads and writes -----------------------------------------


def refresh_keys(session: Session, article: Article) -> None:
    """Replace the keys of an article whose text changed (links are left as they are)."""
    session.execute(delete(ArticleKey).where(ArticleKey.article_id == article.id))
    session.execute(delete(ArticleShingles).where(ArticleShingles.article_id == article.id))
    array = shingle_array(article.body)
    session.execute(
        _shingles.insert(), [{"article_id": article.id, "shingles": encode_shingles(array)}]
    )
    keys = array[:ANCHORS].tolist()
    if not article.duplicate_of:
        keys += story_keys(_tags_of(session, [article.id]).get(article.id, {}))
    _store_keys(session, article.id, keys, as_utc(article.published_at).date())


def _store_keys(session: Session, article_id: int, keys: Iterable[int], day) -> None:
    rows = [{"article_id": article_id, "key": k, "day": day} for k in dict.fromkeys(keys)]
    if rows:
        session.execute(_keys.insert(), rows)


def _tags_of(session: Session, ids: list[int]) -> dict[int, dict[str, str]]:
    tags: dict[int, dict[str, str]] = {}
    for article_id, entity_id, entity_type in session.execute(_TAGS_OF, {"ids": ids}):
        tags.setdefault(article_id, {})[entity_id] = entity_type
    return tags


_TOP = """{prefix}SELECT idx, article_id, shared FROM (
  SELECT q.idx AS idx, k.article_id AS article_id, count(*) AS shared,
         row_number() OVER (PARTITION BY q.idx ORDER BY count(*) DESC, k.article_id) AS rn
  FROM {source} JOIN article_keys k ON k."key" = q."key" AND k.day BETWEEN q.lo AND q.hi
  GROUP BY q.idx, k.article_id HAVING count(*) >= {min_shared}) ranked
WHERE rn <= {limit}"""
# PostgreSQL takes the query rows as four arrays; SQLite as a VALUES list, walked first (CROSS
# JOIN fixes the order) with the (key, day) index probed for each row.
_PG_QUERIES = 'unnest(%s::int[], %s::bigint[], %s::date[], %s::date[]) AS q(idx, "key", lo, hi)'
_SQLITE_ROWS = 2048  # query rows per statement: 4 parameters each, well under SQLite's limit
_SQLITE_SHORT = 256


def _top_candidates(
    session: Session, queries: list[tuple[int, int, object, object]], min_shared: int, limit: int
) -> dict[int, list[tuple[int, int]]]:
    """For each batch index, its best `limit` stored articles sharing at least `min_shared` of its
    keys (a key per query row) within the row's days, as [(shared, article id)]: the per-article
    _candidates query, for a whole batch in one statement."""
    found: dict[int, list[tuple[int, int]]] = {}
    if not queries:
        return found
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        sql = _TOP.format(
            prefix="", source=_PG_QUERIES, min_shared=int(min_shared), limit=int(limit)
        )
        columns = [pg_array(c) for c in zip(*queries)]
        statements: list[tuple[str, tuple[object, ...]]] = [(sql, tuple(columns))]
    else:
        statements = []
        for i in range(0, len(queries), _SQLITE_ROWS):
            part = queries[i : i + _SQLITE_ROWS]
            # Padded with rows that match nothing (an empty day range) to one of two lengths, so
            # two statements are prepared once and reused rather than one per batch.
            size = _SQLITE_SHORT if len(part) <= _SQLITE_SHORT else _SQLITE_ROWS
            part += [(-1, 0, "9", "0")] * (size - len(part))
            values = ",".join(["(?,?,?,?)"] * len(part))
            sql = _TOP.format(
                prefix=f'WITH q(idx, "key", lo, hi) AS (VALUES {values}) ',
                source="q CROSS",
                min_shared=int(min_shared),
                limit=int(limit),
            )
            params = tuple(x for row in part for x in row)
            statements.append((sql, params))
    for sql, params in statements:
        for idx, article_id, shared in select_rows(conn, sql, params):
            found.setdefault(idx, []).append((shared, article_id))
    return found


def _select_in(session: Session, sql: str, ids: Iterable[int]) -> list[tuple]:
    """Rows of `sql` (with an `IN ({values})`) for ids."""
    return select_in(session.connection(), sql, list(ids))


def _bounds(lo: date, hi: date, iso: bool) -> tuple[object, object]:
    """A day range as the database compares it (SQLite: ISO text)."""
    return (lo.isoformat(), hi.isoformat()) if iso else (lo, hi)


def prefetch(session: Session, batch: Sequence[Pending]) -> Prefetched:
    """Read everything linking the batch needs from the articles stored before it."""
    copy_window, story_window = timedelta(days=WINDOW_DAYS), timedelta(days=STORY_DAYS)
    iso = session.get_bind().dialect.name == "sqlite"  # SQLite compares the DATE column as ISO text
    copy_rows: list[tuple[int, int, object, object]] = []
    story_rows: list[tuple[int, int, object, object]] = []
    for i, p in enumerate(batch):
        if len(p.shingles) >= MIN_SHINGLES:
            lo, hi = _bounds(p.day - copy_window, p.day + copy_window, iso)
            copy_rows += [(i, key, lo, hi) for key in p.anchors]
        entity_keys = p.entity_keys
        if len(entity_keys) >= STORY_MIN_SHARED:
            lo, hi = _bounds(p.day - story_window, p.day + story_window, iso)
            story_rows += [(i, key, lo, hi) for key in entity_keys]
    copies = {
        batch[i]: found
        for i, found in _top_candidates(session, copy_rows, MIN_SHARED_ANCHORS, CANDIDATES).items()
    }
    stories = {
        batch[i]: found
        for i, found in _top_candidates(
            session, story_rows, STORY_MIN_SHARED, STORY_CANDIDATES
        ).items()
    }
    copy_ids = {a for found in copies.values() for _s, a in found}
    story_ids = {a for found in stories.values() for _s, a in found}
    duplicate_of: dict[int, int | None] = {}
    story_id: dict[int, str | None] = {}
    hashes: dict[int, str] = {}
    for a, dup, story, content_hash in _select_in(
        session,
        "SELECT id, duplicate_of, story_id, content_hash FROM articles WHERE id IN ({values})",
        copy_ids | story_ids,
    ):
        duplicate_of[a], story_id[a], hashes[a] = dup, story, content_hash
    originals = {
        d for a, d in duplicate_of.items() if d is not None and a in copy_ids
    } - story_id.keys()
    if originals:
        story_id.update(
            _select_in(
                session, "SELECT id, story_id FROM articles WHERE id IN ({values})", originals
            )
        )
    arrays: dict[int, np.ndarray] = {}
    missing = []
    for a in copy_ids & hashes.keys():
        cached = remembered(hashes[a])
        if cached is None:
            missing.append(a)
        else:
            arrays[a] = cached
    backfill: dict[int, np.ndarray] = {}
    if missing:
        for a, data in _select_in(
            session,
            "SELECT article_id, shingles FROM article_shingles WHERE article_id IN ({values})",
            missing,
        ):
            arrays[a] = decode_shingles(data)
            remember_shingles(hashes[a], arrays[a])
        unstored = [a for a in missing if a not in arrays]
        if unstored:
            for a, body in _select_in(
                session, "SELECT id, body FROM articles WHERE id IN ({values})", unstored
            ):
                arrays[a] = backfill[a] = cached_array(hashes[a], body)
    tags: dict[int, dict[str, str]] = {}
    if story_ids:
        for a, entity_id, entity_type in _select_in(
            session,
            "SELECT article_id, entity_id, entity_type FROM article_entities "
            "WHERE article_id IN ({values})",
            story_ids,
        ):
            tags.setdefault(a, {})[entity_id] = entity_type
    return Prefetched(copies, stories, duplicate_of, story_id, arrays, tags, backfill)


def write_links(
    session: Session,
    batch: Sequence[Pending],
    earlier: dict[int, str],
    known: Prefetched,
    linked: bool = False,
) -> None:
    """Store what link_batch decided: keys, shingles and links of the batch's articles (unless
    `linked`: inserted with them), the story_id it gave earlier articles, and the shingles of
    candidates that had none stored."""
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    keys: list[tuple] = []
    for p in batch:  # about twenty keys an article: its day converted once
        day = p.day.isoformat() if sqlite else p.day
        keys += [(p.id, k, day) for k in p.keys]
    insert_rows(conn, "article_keys", ("article_id", "key", "day"), keys)
    insert_rows(
        conn,
        "article_shingles",
        ("article_id", "shingles"),
        [(p.id, p.blob if p.blob is not None else encode_shingles(p.shingles)) for p in batch],
    )
    if known.backfill:
        conn.exec_driver_sql(
            f"INSERT INTO article_shingles (article_id, shingles) VALUES ({mark}, {mark}) "
            "ON CONFLICT (article_id) DO NOTHING",
            [(a, encode_shingles(array)) for a, array in known.backfill.items()],
        )
    links = (
        []
        if linked
        else [(p.duplicate_of, p.story_id, p.id) for p in batch if p.duplicate_of or p.story_id]
    )
    if links:
        conn.exec_driver_sql(
            f"UPDATE articles SET duplicate_of = {mark}, story_id = {mark} WHERE id = {mark}", links
        )
    if earlier:
        conn.exec_driver_sql(
            f"UPDATE articles SET story_id = {mark} WHERE id = {mark}",
            [(story, a) for a, story in earlier.items()],
        )


def rejection_count(session: Session) -> int:
    """Input items rejected before they became articles (the metrics' counter)."""
    return session.scalar(select(func.count()).select_from(Rejection)) or 0


# --- re-tag jobs (app/article/retag.py) -------------------------------------------------------------

_OPEN_JOB = ("queued", "running")


def next_retag_job(session: Session) -> RetagJob | None:
    """The oldest job not finished, its row locked (PostgreSQL: a job another process is running
    now is skipped, it is that process's)."""
    return session.scalar(
        select(RetagJob)
        .where(RetagJob.status.in_(_OPEN_JOB))
        .order_by(RetagJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def retag_job_for_update(session: Session, job_id: int) -> RetagJob | None:
    """One job, its row locked (PostgreSQL: waits for the process running a chunk of it)."""
    return session.get(RetagJob, job_id, with_for_update=True)


def open_retag_job(session: Session, scope: str) -> RetagJob | None:
    """The oldest job of this scope not finished."""
    return session.scalar(
        select(RetagJob)
        .where(RetagJob.scope == scope, RetagJob.status.in_(_OPEN_JOB))
        .order_by(RetagJob.id)
        .limit(1)
    )


def retag_jobs(session: Session, limit: int) -> list[RetagJob]:
    return list(session.scalars(select(RetagJob).order_by(RetagJob.id.desc()).limit(limit)))


def articles_after(session: Session, after_id: int, limit: int) -> list[Article]:
    """The next `limit` articles after after_id, in id order."""
    return list(
        session.scalars(
            select(Article).where(Article.id > after_id).order_by(Article.id).limit(limit)
        )
    )


# --- reads of re-tag jobs and rule proposals (app/ingest/rule_proposals.py) ------------------------


def tagged_with(session: Session, article_ids: list[int], entity_ids: list[str]) -> set[int]:
    """The articles among article_ids tagged with any of entity_ids."""
    return set(
        session.scalars(
            select(ArticleEntity.article_id).where(
                ArticleEntity.article_id.in_(article_ids), ArticleEntity.entity_id.in_(entity_ids)
            )
        )
    )


def article_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article)) or 0


def count_enriched_otherwise(session: Session, version: str) -> int:
    """Articles enriched by another enrichment version than `version` (or by none recorded):
    one scan of the articles, which is why the worker asks once per version."""
    stale = or_(Article.gazetteer_version.is_(None), Article.gazetteer_version != version)
    return session.scalar(select(func.count()).select_from(Article).where(stale)) or 0


def texts_after(session: Session, after_id: int, limit: int) -> list[tuple[int, str, str]]:
    """(id, title, body) of the next `limit` articles after after_id, in id order."""
    return [
        (i, t, b)
        for i, t, b in session.execute(
            select(Article.id, Article.title, Article.body)
            .where(Article.id > after_id)
            .order_by(Article.id)
            .limit(limit)
        )
    ]


def articles_by_ids(session: Session, ids: list[int]) -> list[Article]:
    return list(session.scalars(select(Article).where(Article.id.in_(ids)).order_by(Article.id)))


def entity_tags(session: Session, article_id: int) -> list[tuple[str, str, str]]:
    """(entity id, entity type, reason) of one article's tags, by entity id."""
    return [
        (e, t, r)
        for e, t, r in session.execute(
            select(ArticleEntity.entity_id, ArticleEntity.entity_type, ArticleEntity.reason)
            .where(ArticleEntity.article_id == article_id)
            .order_by(ArticleEntity.entity_id)
        )
    ]


def rules_by_ids(session: Session, ids: list[int]) -> list[Article]:
    """The Federal Register rules among these articles."""
    return list(session.scalars(select(Article).where(Article.id.in_(ids), Article.kind == "rule")))
