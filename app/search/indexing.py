"""The search index kept in step with the database: the index outbox drained to Meilisearch,
rebuilding the database search rows and the Meilisearch index, and the index status.

An IndexOutbox row says "article N changed" and is written in the same transaction as the
change. Draining takes the oldest due rows, reloads those articles as they are *now*, upserts
their documents (or deletes them: a vanished or duplicate article), waits until Meilisearch
has applied the task, and only then deletes the rows. Documents are keyed by article id, so
a row processed twice (a crash after Meilisearch applied it, before the rows were deleted)
rewrites the same document: nothing is lost, nothing doubled. A failed batch keeps its rows
with attempts + 1 and an exponential backoff on available_at.

One article's changes must reach Meilisearch in order, so two drainers never push the same
article at once: on PostgreSQL the rows are taken FOR UPDATE SKIP LOCKED and each article
under a transaction-scoped advisory lock; on SQLite one drainer at a time holds a file lock.
A rebuild holds the same lock exclusively: changes made during a rebuild wait in the outbox
and are applied to the new index after the swap.
"""

import fcntl
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from meilisearch.errors import MeilisearchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.lists.status import article_lists
from app.models import Article, ArticleEntity, IndexOutbox, SearchState, Source, as_utc, utcnow
from app.search import repository as repo
from app.search.article_cache import ArticleView, load_mentions, view_stamp
from app.search.meili import MeiliSearch, MeiliUnavailable, document

if TYPE_CHECKING:  # a runtime is handed in; this package never builds one
    from app.runtime import Runtime

log = logging.getLogger("chipwatch.outbox")

BATCH = 500
REBUILD_BATCH = 1000
MAX_BACKOFF_SECONDS = 120
LOCK_NS = 0x43570  # advisory-lock namespace ("CW" ...): (LOCK_NS, 0) global, (LOCK_NS + 1, id) per article


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, MAX_BACKOFF_SECONDS))


def meili_backend(runtime: "Runtime") -> MeiliSearch:
    if isinstance(runtime.search, MeiliSearch):
        return runtime.search
    if not runtime.settings.meili_url:
        raise RuntimeError("Meilisearch is not configured (CHIPWATCH_MEILI_URL)")
    return MeiliSearch(runtime.settings)


def _is_pg(runtime: "Runtime") -> bool:
    return runtime.engine.dialect.name == "postgresql"


# --- locks ----------------------------------------------------------------------------------


def _lock_path(runtime: "Runtime") -> Path:
    database = runtime.engine.url.database
    if database and database != ":memory:":
        return Path(database).with_name(Path(database).name + ".meili.lock")
    return runtime.settings.data_dir / "meili.lock"


@contextmanager
def _file_lock(runtime: "Runtime", exclusive_wait: bool) -> Iterator[bool]:
    path = _lock_path(runtime)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive_wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _rebuild_lock(runtime: "Runtime") -> Iterator[None]:
    """Held for a whole rebuild: no drain runs meanwhile (they skip, their rows wait)."""
    if _is_pg(runtime):
        with runtime.engine.connect() as conn:
            repo.lock_for_rebuild(conn, LOCK_NS)
            conn.commit()
            try:
                yield
            finally:
                repo.unlock_after_rebuild(conn, LOCK_NS)
                conn.commit()
    else:
        with _file_lock(runtime, exclusive_wait=True):
            yield


# --- documents ------------------------------------------------------------------------------


def load_documents(
    session: Session, article_ids: list[int], gazetteer=None
) -> tuple[list[dict], list[int]]:
    """Current documents of the given articles, and the ids to delete (gone or duplicates)."""
    rows = {
        a.id: (a, src)
        for a, src in session.execute(
            select(Article, Source.name)
            .outerjoin(Source, Source.id == Article.source_id)
            .where(Article.id.in_(article_ids))
        )
    }
    tags: dict[int, list[tuple[str, str]]] = {}
    roles: dict[int, dict[str, str]] = {}
    for article_id, entity_id, entity_type, role in session.execute(
        select(
            ArticleEntity.article_id,
            ArticleEntity.entity_id,
            ArticleEntity.entity_type,
            ArticleEntity.role,
        ).where(ArticleEntity.article_id.in_(article_ids))
    ):
        tags.setdefault(article_id, []).append((entity_id, entity_type))
        if role:
            roles.setdefault(article_id, {})[entity_id] = role
    lists = article_lists(session, article_ids)
    mentions = load_mentions(session, article_ids)
    docs, deletes = [], []
    for article_id in article_ids:
        found = rows.get(article_id)
        if found is None or found[0].duplicate_of is not None:
            deletes.append(article_id)
        else:
            article, source_name = found
            # The article as a hit shows it (app/search/article_cache.py): its stamp goes into
            # the document, so a kept view with that stamp is known to be the indexed article.
            view = ArticleView(
                article.id,
                article.title,
                article.body,
                article.url,
                article.lang,
                article.published_at,
                article.date_estimated,
                article.story_id,
                source_name,
                tuple(e for e, _type in tags.get(article_id, [])),
                tuple(mentions[article_id]),
            )
            docs.append(
                document(
                    article,
                    tags.get(article_id, []),
                    source_name,
                    gazetteer,
                    lists.get(article_id, ()),
                    roles.get(article_id),
                    view_stamp(view),
                )
            )
    return docs, deletes


def _push(meili: MeiliSearch, docs: list[dict], deletes: list[int]) -> None:
    tasks = []
    if docs:
        tasks.append(meili.upsert(docs))
    if deletes:
        tasks.append(meili.delete(deletes))
    meili.wait(*tasks)


def bump_search_version(session: Session) -> None:
    """Meilisearch now answers differently: pages cached for the old version are stale.
    Called in the transaction that records the change as applied (after Meilisearch has
    applied it), so a version is never seen before its data."""
    session.execute(
        update(SearchState).where(SearchState.id == 1).values(version=SearchState.version + 1)
    )
    session.info.pop(repo.SEARCH_VERSION_KEY, None)  # the version this transaction read, if any


def _failed(rows: Sequence[IndexOutbox], exc: Exception) -> None:
    now = utcnow()
    message = f"{type(exc).__name__}: {exc}"[:2000]
    for row in rows:
        row.attempts = (row.attempts or 0) + 1
        row.available_at = now + backoff(row.attempts)
        row.last_error = message
    log.warning("index outbox: %d rows failed (%s); retrying with backoff", len(rows), message)


def _due(limit: int):
    return (
        select(IndexOutbox)
        .where(IndexOutbox.available_at <= utcnow())
        .order_by(IndexOutbox.id)
        .limit(limit)
    )


def _drain_batch_pg(runtime: "Runtime", meili: MeiliSearch, batch: int) -> tuple[int, bool]:
    """One batch on PostgreSQL, in one transaction. Returns (rows drained, more may be due)."""
    with runtime.sessions.begin() as session:
        if not repo.may_drain(session, LOCK_NS):
            return 0, False  # a rebuild is running
        rows = session.scalars(_due(batch).with_for_update(skip_locked=True)).all()
        if not rows:
            return 0, False
        article_ids = sorted({r.article_id for r in rows})
        locked = repo.lock_articles(session, article_ids, LOCK_NS + 1)
        mine = [r for r in rows if r.article_id in locked]
        if not mine:
            return 0, len(rows) == batch
        docs, deletes = load_documents(session, sorted(locked), runtime.enricher.gazetteer)
        try:
            _push(meili, docs, deletes)
        except Exception as exc:  # noqa: BLE001 - any failure: keep the rows, back off
            _failed(mine, exc)
            return 0, False
        session.execute(delete(IndexOutbox).where(IndexOutbox.id.in_([r.id for r in mine])))
        bump_search_version(session)
        return len(mine), len(rows) == batch


def _drain_batch_sqlite(runtime: "Runtime", meili: MeiliSearch, batch: int) -> tuple[int, bool]:
    """One batch on SQLite (the caller holds the drain lock): read, push, then delete rows.

    Reading and writing are separate transactions (a WAL read snapshot cannot become a write
    once others have committed); a change made meanwhile has its own, newer row."""
    with runtime.sessions() as session:
        rows = session.scalars(_due(batch)).all()
        if not rows:
            return 0, False
        docs, deletes = load_documents(
            session, sorted({r.article_id for r in rows}), runtime.enricher.gazetteer
        )
    row_ids = [r.id for r in rows]
    try:
        _push(meili, docs, deletes)
    except Exception as exc:  # noqa: BLE001 - any failure: keep the rows, back off
        with runtime.sessions.begin() as session:
            _failed(
                session.scalars(select(IndexOutbox).where(IndexOutbox.id.in_(row_ids))).all(), exc
            )
        return 0, False
    with runtime.sessions.begin() as session:
        session.execute(delete(IndexOutbox).where(IndexOutbox.id.in_(row_ids)))
        bump_search_version(session)
    return len(rows), len(rows) == batch


# Live indexes this process found holding current documents (checked once per process).
_CURRENT_DOCUMENTS: set[str] = set()


def drain_outbox(runtime: "Runtime", batch: int = BATCH, max_seconds: float = 10.0) -> int:
    """Push due outbox rows to Meilisearch, batch after batch (for at most about max_seconds).

    Returns the number of outbox rows applied. While Meilisearch is down nothing is touched:
    the rows wait, and the next call after it returns catches up. A missing live index (first
    start, or a Meilisearch that lost its data) is rebuilt from the database."""
    meili = meili_backend(runtime)
    if not meili.healthy():
        return 0
    total = 0
    try:
        if not meili.index_exists():
            log.info(
                "Meilisearch index %s is missing: building it from the database", meili.index_uid
            )
            total += _rebuild(runtime, meili, None, only_if_missing=True)[1]
        meili.ensure_index()
        if meili.index_uid not in _CURRENT_DOCUMENTS:
            if meili.stale_documents():
                log.info(
                    "Meilisearch index %s holds documents of an earlier version: rebuilding it",
                    meili.index_uid,
                )
                total += _rebuild(runtime, meili, None, only_if_missing=False)[1]
            _CURRENT_DOCUMENTS.add(meili.index_uid)
    except (
        MeilisearchError,
        MeiliUnavailable,
    ) as exc:  # e.g. a key without the needed actions: say so, retry later
        log.warning("Meilisearch index %s not ready: %s", meili.index_uid, exc)
        return total
    deadline = time.monotonic() + max_seconds
    if _is_pg(runtime):
        more = True
        while more and time.monotonic() < deadline:
            done, more = _drain_batch_pg(runtime, meili, batch)
            total += done
        return total
    with _file_lock(runtime, exclusive_wait=False) as got:
        if not got:
            return 0  # another drainer or a rebuild is at work
        more = True
        while more and time.monotonic() < deadline:
            done, more = _drain_batch_sqlite(runtime, meili, batch)
            total += done
    return total


def outbox_status(runtime: "Runtime") -> dict:
    with runtime.sessions() as session:
        lag, failing, oldest = session.execute(
            select(
                func.count(),
                func.count().filter(IndexOutbox.attempts > 0),
                func.min(IndexOutbox.created_at),
            ).select_from(IndexOutbox)
        ).one()
    age = None
    if oldest is not None:
        age = round((utcnow() - as_utc(oldest)).total_seconds(), 1)
    return {"lag": lag, "failing": failing, "oldest_seconds": age}


# --- rebuild --------------------------------------------------------------------------------


def _article_ids_batches(runtime: "Runtime", size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        with runtime.sessions() as session:
            ids = list(
                session.scalars(
                    select(Article.id).where(Article.id > last).order_by(Article.id).limit(size)
                )
            )
        if not ids:
            return
        yield ids
        last = ids[-1]


def rebuild_meili(
    runtime: "Runtime", progress: Callable[[int], None] | None = None, only_if_missing: bool = False
) -> int:
    """Build a fresh index from the database, swap it in atomically, drop the old one.

    Searches keep answering from the old index until the swap. Drains wait meanwhile; the
    outbox rows the rebuild covered (present when it started) are removed after the swap.
    Returns the number of documents in the new index."""
    return _rebuild(runtime, meili_backend(runtime), progress, only_if_missing)[0]


def _rebuild(
    runtime: "Runtime",
    meili: MeiliSearch,
    progress: Callable[[int], None] | None,
    only_if_missing: bool,
) -> tuple[int, int]:
    """(documents indexed, outbox rows covered and removed)."""
    live = meili.index_uid
    with _rebuild_lock(runtime):
        if only_if_missing and meili.index_exists(live):
            return 0, 0
        with runtime.sessions() as session:
            covered = list(session.scalars(select(IndexOutbox.id)))
        _drop_leftovers(meili, live)
        fresh = f"{live}_{uuid.uuid4().hex[:12]}"
        meili.ensure_index(fresh, force=True)
        try:
            count, tasks = 0, []
            for ids in _article_ids_batches(runtime, REBUILD_BATCH):
                with runtime.sessions() as session:
                    docs, _gone = load_documents(session, ids, runtime.enricher.gazetteer)
                if docs:
                    tasks.append(meili.upsert(docs, uid=fresh))
                count += len(docs)
                if progress:
                    progress(len(ids))
            meili.wait(*tasks)
            meili.ensure_index(live, force=True)  # the swap needs both; the live one may be new
            meili.wait(meili.client.swap_indexes([{"indexes": [live, fresh]}]).task_uid)
        except BaseException:
            _drop_index(meili, fresh)
            raise
        _drop_index(meili, fresh)  # now holds the previous documents
        meili.forget(fresh)
        with runtime.sessions.begin() as session:
            for start in range(0, len(covered), 1000):
                session.execute(
                    delete(IndexOutbox).where(IndexOutbox.id.in_(covered[start : start + 1000]))
                )
            bump_search_version(session)
    log.info("rebuilt Meilisearch index %s with %d documents", live, count)
    return count, len(covered)


def _drop_leftovers(meili: MeiliSearch, live: str) -> None:
    """Indexes of rebuilds that never finished (a process killed mid-rebuild): we hold the
    rebuild lock, so no live rebuild owns them."""
    leftover = re.compile(re.escape(live) + r"_[0-9a-f]{12}")
    uids, offset = [], 0
    while True:
        # (the client's annotation says a list; the server answers a page: results, total)
        page = cast(dict[str, Any], meili.client.get_raw_indexes({"offset": offset, "limit": 100}))
        uids += [index["uid"] for index in page["results"] if leftover.fullmatch(index["uid"])]
        offset += len(page["results"])
        if not page["results"] or offset >= page["total"]:
            break
    for uid in uids:
        log.info("dropping %s, the index of a rebuild that did not finish", uid)
        _drop_index(meili, uid)


def _drop_index(meili: MeiliSearch, uid: str) -> None:
    try:
        meili.wait(meili.client.delete_index(uid).task_uid)
    except Exception:
        log.warning("could not delete Meilisearch index %s", uid, exc_info=True)


def rebuild(runtime: "Runtime", progress: Callable[[int], None] | None = None) -> int:
    """Rewrite every search row of the database search from the articles and their tags;
    with Meilisearch configured, also build a fresh Meilisearch index and swap it in."""
    count = 0
    for session, batch in repo.article_batches(runtime.sessions):
        tags = repo.entity_ids_of(session, [a.id for a in batch])
        for article in batch:
            repo.write_document(session, article, sorted(tags.get(article.id, [])))
        count += len(batch)
        if progress:
            progress(len(batch))
    if runtime.settings.meili_url:
        rebuild_meili(runtime, progress)
    return count


def status(runtime: "Runtime") -> dict:
    """The engine in use, the article count, and per engine how far its index lags behind."""
    with runtime.sessions() as session:
        articles = repo.article_count(session)
    # The database search is written in the same transaction as the article: it never lags.
    engines: dict[str, dict] = {runtime.db_search.engine: {"lag": 0, "healthy": True}}
    if runtime.settings.meili_url:
        meili = meili_backend(runtime)
        info: dict = {
            **outbox_status(runtime),
            "healthy": meili.healthy(),
            "index": meili.index_uid,
        }
        if info["healthy"]:
            try:
                info["documents"] = meili.document_count()
            except Exception:  # noqa: BLE001 - the index may not exist yet
                info["documents"] = None
        engines["meilisearch"] = info
    primary = engines.get(runtime.search.engine, engines[runtime.db_search.engine])
    return {
        "engine": runtime.search.engine,
        "articles": articles,
        "lag": primary["lag"],
        "healthy": primary["healthy"],
        "engines": engines,
    }
