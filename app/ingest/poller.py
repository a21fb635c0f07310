"""Polling feeds: the sources that are due, one worker per source at a time, state kept in rows.

A source is due when next_check_at has passed. A worker claims it with a lease (lease_until,
lease_owner): PostgreSQL picks candidates with FOR UPDATE SKIP LOCKED, and on every engine the
claim is a compare-and-set UPDATE, so two workers never poll the same source; a crashed worker's
lease simply expires. Requests are conditional (ETag, Last-Modified). Errors push next_check_at
back exponentially with consecutive_failures (and never before a Retry-After).
What happens to each entry of a feed that was read is in app/ingest/feed_items.py.
"""

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from app.ingest import repository as repo
from app.ingest.claims import Claim, LeaseLost
from app.ingest.federal_register import parse_documents
from app.ingest.feed_items import process_entries
from app.ingest.feeds import EMPTY_FEED
from app.ingest.fetch import Fetcher, FetchError, FetchResult
from app.ingest.fetch_targets import read_document
from app.ingest.items import RawItem, Rejected, RejectedInput
from app.ingest.pipeline import Ingestor
from app.ingest.stages import StageFailed, rejection, stage
from app.models import Source
from app.runtime import Runtime

log = logging.getLogger("chipwatch.poller")
LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=24)
SOURCES_PER_ROUND = 20
_PROCESS = f"{socket.gethostname()[:40]}:{os.getpid()}"


@dataclass
class Outcome:
    ok: bool = True
    not_modified: bool = False
    error: str | None = None
    retry_after: float | None = None
    etag: str | None = None
    last_modified: str | None = None
    more: bool = False  # entries were left for the next poll, which is due at once
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("added", "updated", "duplicates", "rejected", "unchanged"), 0
        )
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


def backoff(interval_minutes: int, failures: int) -> timedelta:
    """Delay before the next try after `failures` consecutive failures (1, 2, 3...)."""
    return min(timedelta(minutes=interval_minutes) * 2 ** max(0, failures - 1), MAX_BACKOFF)


def poll_due_sources(
    runtime: Runtime,
    *,
    now: datetime | None = None,
    fetcher: Fetcher | None = None,
    limit: int = SOURCES_PER_ROUND,
) -> dict:
    """Poll the sources that are due (at most `limit`); returns counts of what happened."""
    totals = {
        "sources": 0,
        "not_modified": 0,
        "failed": 0,
        "added": 0,
        "updated": 0,
        "duplicates": 0,
        "rejected": 0,
        "unchanged": 0,
    }
    owner = f"{_PROCESS}:{uuid.uuid4().hex[:8]}"  # per call: threads of one process compete too
    own_fetcher = fetcher is None
    ingestor = None
    try:
        for _ in range(limit):
            claim = claim_next(runtime, owner, now or utcnow())
            if claim is None:
                break
            fetcher = fetcher or Fetcher.from_settings(runtime.settings)
            ingestor = ingestor or _ingestor(runtime)
            try:
                outcome = poll_source(runtime, claim, fetcher, ingestor)
            except LeaseLost:
                log.warning("lease on %s lost while polling; another worker has it", claim.url)
                continue
            except Exception as exc:
                log.exception("polling %s failed", claim.url)
                outcome = Outcome(
                    ok=False, error=f"internal error: {type(exc).__name__}: {exc}"[:500]
                )
            finish(runtime, claim, outcome, now or utcnow())
            totals["sources"] += 1
            totals["not_modified"] += outcome.not_modified
            totals["failed"] += not outcome.ok
            for name, count in outcome.counts.items():
                totals[name] += count
    finally:
        if own_fetcher and fetcher is not None:
            fetcher.close()
    return totals


def _ingestor(runtime: Runtime) -> Ingestor:
    for _attempt in range(3):
        try:
            return Ingestor.for_runtime(runtime)
        except IntegrityError:
            # Another worker mirrored the gazetteer into the entities table at the same moment.
            continue
    return Ingestor.for_runtime(runtime)


def claim_next(runtime: Runtime, owner: str, now: datetime) -> Claim | None:
    """Lease the most overdue source, or None when nothing is due."""
    for _attempt in range(5):
        with runtime.sessions.begin() as session:
            source_id = repo.most_overdue_source(session, now)
            if source_id is None:
                return None
            # The compare-and-set is the lease itself; SKIP LOCKED only spares PostgreSQL the wait.
            if not repo.lease_source(session, source_id, now, now + LEASE, owner):
                continue
            s = session.get(Source, source_id)
            assert s is not None and s.url is not None  # the lease just matched it, with a URL
            return Claim(
                s.id,
                s.name,
                s.url,
                s.lang,
                s.etag,
                s.last_modified,
                s.interval_minutes,
                s.consecutive_failures,
                owner,
                offset=now - utcnow(),
                kind=s.kind or "feed",
            )
    return None


def keep_lease(runtime: Runtime, claim: Claim) -> None:
    """Extend the lease during a long poll; raise LeaseLost if it is no longer ours."""
    if time.monotonic() - claim.renewed < LEASE.total_seconds() / 3:
        return
    with runtime.sessions.begin() as session:
        kept = repo.renew_lease(session, claim.id, claim.owner, utcnow() + claim.offset + LEASE)
    if not kept:
        raise LeaseLost(claim.url)
    claim.renewed = time.monotonic()


def finish(runtime: Runtime, claim: Claim, outcome: Outcome, now: datetime) -> None:
    """Record the poll on the source and release the lease (if it is still ours)."""
    values: dict = {}
    items_seen = 0
    if outcome.ok:
        values.update(
            last_success_at=now,
            consecutive_failures=0,
            next_check_at=now if outcome.more else now + timedelta(minutes=claim.interval),
        )
        items_seen = sum(outcome.counts[k] for k in ("added", "updated", "duplicates", "rejected"))
        if not outcome.not_modified:  # a 304 leaves the last read's validators and warnings
            values.update(
                etag=(outcome.etag or "")[:500] or None,
                last_error=outcome.error,
                last_modified=(outcome.last_modified or "")[:200] or None,
            )
    else:
        failures = claim.failures + 1
        delay = backoff(claim.interval, failures)
        if outcome.retry_after:
            delay = max(
                delay, timedelta(seconds=min(outcome.retry_after, MAX_BACKOFF.total_seconds()))
            )
        values.update(
            consecutive_failures=failures,
            last_error=(outcome.error or "")[:2000],
            next_check_at=now + delay,
        )
    with runtime.sessions.begin() as session:
        done = repo.release_source(session, claim.id, claim.owner, values, items_seen)
    if not done:
        log.warning("lease on %s was lost before the poll finished", claim.url)


def _entries(claim: Claim, result: FetchResult) -> Iterator[RawItem | Rejected]:
    """A fetched source's entries: feed items, or Federal Register documents (kind "rule")."""
    if claim.kind == "federal-register":
        try:
            with stage("decode"):
                text = result.text()
        except (RejectedInput, StageFailed) as exc:
            yield rejection(result.url, exc)
            return
        yield from parse_documents(text, result.url)
        return
    _kind, entries = read_document(result, expect_feed=True)
    yield from entries


def poll_source(runtime: Runtime, claim: Claim, fetcher: Fetcher, ingestor: Ingestor) -> Outcome:
    try:
        result = fetcher.fetch(claim.url, etag=claim.etag, last_modified=claim.last_modified)
    except FetchError as exc:
        return Outcome(ok=False, error=exc.reason, retry_after=exc.retry_after)
    if result.not_modified:
        return Outcome(not_modified=True)
    outcome = Outcome(etag=result.etag, last_modified=result.last_modified)
    entries = list(_entries(claim, result))
    problems = [e for e in entries if isinstance(e, Rejected) and e.origin == result.url]
    items = [e for e in entries if not (isinstance(e, Rejected) and e.origin == result.url)]
    real = [p for p in problems if p.reason != EMPTY_FEED]
    if real:
        ingestor.ingest(real, source=claim.name)  # recorded with the other rejections
        if not items:
            return Outcome(ok=False, error=real[0].reason)
        outcome.error = "; ".join(p.reason for p in real)  # read anyway: kept as a warning
    if process_entries(
        runtime,
        claim,
        result.url,
        items,
        fetcher,
        ingestor,
        outcome.counts,
        renew=lambda: keep_lease(runtime, claim),
    ):
        # Entries were left over: without validators the next poll, due at once, reads the feed
        # again and goes on where this one stopped.
        outcome.etag = outcome.last_modified = None
        outcome.more = True
    return outcome
