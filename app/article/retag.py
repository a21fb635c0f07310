"""Re-tag jobs: tag stored articles again, a chunk per transaction, resumable.

A job has a scope. "change": an accepted gazetteer change (app/gazetteer/overlay.py) queues a
job naming the entities it touched and every name they had before or have after; an article is
affected when it is tagged with one of the entities or its folded text holds one of the names
(a superset of what the tagger could match). "all": every article (`chipwatch enrich --all`, or
the worker by itself when stored articles record an earlier enrichment version: queue_outdated);
its first chunk also syncs the entities table.

Both kinds run here, in article-id order, CHUNK articles per transaction, with the progress in
the job row: a killed worker or CLI leaves the job open at its last committed chunk, and
whoever runs it next (the worker's round, `chipwatch gazetteer jobs --run`, `chipwatch enrich
--all` again) goes on from there. Each chunk's transaction opens with a savepoint, which on
SQLite starts it with BEGIN IMMEDIATE (app/db.py), and locks the job's row on PostgreSQL, so
two runners of one job take turns instead of scanning a chunk twice. Affected articles go
through ArticleWriter.retag, the one write path, which also queues them for the search index
in the same transaction, so every article is queued once per job however often the job was
interrupted.
"""

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import ahocorasick
from sqlalchemy.orm import Session

from app.article import repository as repo
from app.article.service import ArticleWriter
from app.gazetteer.suggestions import fold
from app.gazetteer.sync import sync_entities
from app.models import Article, RetagJob
from app.text import normalize

if TYPE_CHECKING:  # a runtime is handed in; this package never builds one
    from app.runtime import Runtime

log = logging.getLogger("chipwatch.retag")
CHUNK = 500  # articles scanned per transaction
ALL = "all"  # the scope of a job that re-tags every article


def _automaton(names: list[str]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for name in names:
        key = fold(name.rstrip("*"))
        if len(key) >= 2:
            automaton.add_word(key, key)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _affected_ids(session: Session, job: RetagJob, rows: list[tuple[int, str, str]]) -> list[int]:
    """The articles among these (id, title, body) rows a change's job re-tags."""
    tagged = repo.tagged_with(session, [r[0] for r in rows], list(job.entity_ids))
    automaton = _automaton(list(job.names))
    out = []
    for article_id, title, body in rows:
        if article_id in tagged:
            out.append(article_id)
        elif automaton is not None:
            for _ in automaton.iter(normalize(f"{title}\n{body}")):
                out.append(article_id)
                break
    return out


def _next_chunk(session: Session, job: RetagJob) -> tuple[int, int, list[Article]]:
    """(articles scanned, the last id scanned, the articles to re-tag) of the job's next chunk.
    A change's job reads the texts only and loads the few articles it concerns."""
    if job.scope == ALL:
        articles = repo.articles_after(session, job.scanned_to, CHUNK)
        return len(articles), articles[-1].id if articles else job.scanned_to, articles
    rows = repo.texts_after(session, job.scanned_to, CHUNK)
    if not rows:
        return 0, job.scanned_to, []
    affected = _affected_ids(session, job, rows)
    return len(rows), rows[-1][0], repo.articles_by_ids(session, affected) if affected else []


def run_chunk(runtime: "Runtime", session: Session, job: RetagJob) -> int | None:
    """One chunk of a job in the caller's transaction (which holds the job's row lock).
    Returns the number of articles scanned, None when the job is finished."""
    if job.status == "queued":
        job.status = "running"
        job.total = repo.article_count(session)
        if job.scope == ALL:  # new or changed entities get their rows before articles name them
            sync_entities(session, runtime.enricher.gazetteer)
    scanned, last_id, affected = _next_chunk(session, job)
    if not scanned:
        job.status, job.finished_at = "done", datetime.now(UTC)
        return None
    writer = ArticleWriter(runtime.enricher, runtime.outbox)
    for article in affected:
        writer.retag(session, article)
    job.scanned_to = last_id
    job.done = min(job.total, job.done + scanned) if job.total else job.done + scanned
    job.retagged += len(affected)
    return scanned


def queue_outdated(runtime: "Runtime") -> int:
    """After an upgrade (the worker asks once per enrichment version): when stored articles
    record an earlier enrichment version than this process's (new gazetteer data, topics or
    enrichment code: app/enrich/version.py), queue the job of every article, or leave the one
    already open. Returns the number of those articles (0 too when a job of every article is
    already open: it brings them up to date)."""
    version = runtime.enricher.version
    with runtime.sessions() as session:  # the scan outside a write transaction
        if repo.open_retag_job(session, ALL) is not None:
            return 0
        outdated = repo.count_enriched_otherwise(session, version)
    if outdated:
        job = queue_all(runtime)
        log.info(
            "%d articles were enriched by an earlier version: re-tagging them in the background"
            " (re-tag job %d, enrichment %s)",
            outdated,
            job.id,
            version,
        )
    return outdated


def queue_all(runtime: "Runtime") -> RetagJob:
    """The open job that re-tags every article: the one already queued or half done (it is
    resumed, not started again), else a new one."""
    with runtime.sessions.begin() as session, session.begin_nested():
        job = repo.open_retag_job(session, ALL)
        if job is None:
            job = RetagJob(scope=ALL, change_id=None, entity_ids=[], names=[])
            session.add(job)
            session.flush()
        return job


def run_job(
    runtime: "Runtime", job_id: int, progress: Callable[[int], None] | None = None
) -> RetagJob:
    """Run one job to its end here (the CLI), a chunk per transaction; progress(n) after each
    chunk of n articles. An exception leaves the job open at its last finished chunk."""
    runtime.refresh_gazetteer(force=True)  # accepted gazetteer changes (the overlay) included
    while True:
        with runtime.sessions.begin() as session, session.begin_nested():
            job = repo.retag_job_for_update(session, job_id)
            if job is None:
                raise LookupError(f"no re-tag job {job_id}")
            if job.status in ("done", "failed"):
                return job
            scanned = run_chunk(runtime, session, job)
        if scanned and progress:
            progress(scanned)


def run_jobs(runtime: "Runtime", max_chunks: int = 20, max_seconds: float = 10.0) -> dict:
    """Run open re-tag jobs, oldest first (the worker's round), for at most max_chunks chunks
    or about max_seconds (a chunk of every article's job tags 500 articles: the round's other
    work waits meanwhile); returns what was done. A job another process is running
    (PostgreSQL: its row is locked) is left to it."""
    done = {"chunks": 0, "retagged": 0, "finished": 0}
    runtime.refresh_gazetteer(force=True)  # tag with the gazetteer the jobs were queued for
    deadline = time.monotonic() + max_seconds
    while done["chunks"] < max_chunks and time.monotonic() < deadline:
        job_id = None
        try:
            with runtime.sessions.begin() as session, session.begin_nested():
                job = repo.next_retag_job(session)
                if job is None:
                    break
                job_id, before = job.id, job.retagged
                finished = run_chunk(runtime, session, job) is None
                done["retagged"] += job.retagged - before
        except Exception as exc:  # one bad job must not block the others
            if job_id is None:
                raise
            log.exception("re-tag job %s failed", job_id)
            _fail(runtime, job_id, exc)
            continue
        done["chunks"] += 1
        done["finished"] += int(finished)
    return done


def _fail(runtime: "Runtime", job_id: int, exc: Exception) -> None:
    with runtime.sessions.begin() as session:
        job = session.get(RetagJob, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = (
                "failed",
                f"{type(exc).__name__}: {exc}",
                datetime.now(UTC),
            )


def retag_all(runtime: "Runtime", progress: Callable[[int], None] | None = None) -> int:
    """Re-tag every article here and now, as a job (resumed if one is already open); returns
    the number of articles the job re-tagged. Each article's tags record the gazetteer
    version."""
    job = run_job(runtime, queue_all(runtime).id, progress)
    if job.status == "failed":  # a worker ran it meanwhile and it failed there
        raise RuntimeError(f"re-tag job {job.id} failed: {job.error}")
    return job.retagged


def jobs(session: Session, limit: int = 20) -> list[RetagJob]:
    """The latest jobs, newest first (the admin page and `chipwatch gazetteer jobs`)."""
    return repo.retag_jobs(session, limit)
