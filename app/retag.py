"""Re-tag jobs: after a gazetteer change, tag again the articles it may concern.

An accepted change (app/gazetteer/overlay.py) queues a job naming the entities it touched and
every name they had before or have after. The worker runs jobs a chunk at a time, in article-id
order, and keeps its progress in the job row, so a killed worker resumes where it was: an article
is affected when it is tagged with one of the entities or its folded text holds one of the names
(a superset of what the tagger could match). Affected articles go through ArticleWriter.retag,
the one write path, which also queues them for the search index.
"""

import logging
from datetime import UTC, datetime

import ahocorasick
from sqlalchemy.orm import Session

from app.article import repository as article_repo
from app.article.service import ArticleWriter
from app.gazetteer import repository as gazetteer_repo
from app.gazetteer.suggestions import fold
from app.models import RetagJob
from app.runtime import Runtime
from app.text import normalize

log = logging.getLogger("chipwatch.retag")
CHUNK = 500  # articles scanned per transaction


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


def _affected(
    session: Session,
    job: RetagJob,
    automaton: ahocorasick.Automaton | None,
    rows: list[tuple[int, str, str]],
) -> list[int]:
    ids = [r[0] for r in rows]
    tagged = article_repo.tagged_with(session, ids, list(job.entity_ids))
    out = []
    for article_id, title, body in rows:
        if article_id in tagged:
            out.append(article_id)
        elif automaton is not None:
            for _ in automaton.iter(normalize(f"{title}\n{body}")):
                out.append(article_id)
                break
    return out


def run_chunk(runtime: Runtime, session: Session, job: RetagJob) -> bool:
    """One chunk of a job in the caller's transaction; True when the job is finished."""
    if job.status == "queued":
        job.status = "running"
        job.total = article_repo.article_count(session)
    rows = article_repo.texts_after(session, job.scanned_to, CHUNK)
    if not rows:
        job.status, job.finished_at = "done", datetime.now(UTC)
        return True
    affected = _affected(session, job, _automaton(list(job.names)), rows)
    if affected:
        writer = ArticleWriter(runtime.enricher, runtime.outbox)
        for article in article_repo.articles_by_ids(session, affected):
            writer.retag(session, article)
    job.scanned_to = int(rows[-1][0])
    job.done = min(job.total, job.done + len(rows)) if job.total else job.done + len(rows)
    job.retagged += len(affected)
    return False


def run_jobs(runtime: Runtime, max_chunks: int = 20) -> dict:
    """Run queued re-tag jobs (the worker's round); returns what was done."""
    done = {"chunks": 0, "retagged": 0, "finished": 0}
    runtime.refresh_gazetteer(force=True)  # tag with the gazetteer the jobs were queued for
    while done["chunks"] < max_chunks:
        job_id = None
        try:
            with runtime.sessions.begin() as session:
                job = gazetteer_repo.next_retag_job(session)
                if job is None:
                    break
                job_id, before = job.id, job.retagged
                finished = run_chunk(runtime, session, job)
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


def _fail(runtime: Runtime, job_id: int, exc: Exception) -> None:
    with runtime.sessions.begin() as session:
        job = session.get(RetagJob, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = (
                "failed",
                f"{type(exc).__name__}: {exc}",
                datetime.now(UTC),
            )


def jobs(session: Session, limit: int = 20) -> list[RetagJob]:
    return gazetteer_repo.retag_jobs(session, limit)


def pending(session: Session) -> int:
    return gazetteer_repo.open_retag_jobs(session)
