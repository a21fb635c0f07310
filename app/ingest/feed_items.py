"""The entries of a polled feed: each processed once, a changed one updating its article.

Each entry is remembered in feed_items (key = its id or link, fingerprint = what the feed says
about it): an unchanged entry is skipped without any request, a new one has its page fetched and
is ingested, a changed one updates its article in place. Articles commit before their feed_items
row, so a worker killed in between finds the article by URL on the next poll: nothing is lost or
stored twice.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from app.article import repository as article_repo
from app.ingest import normalize as nz
from app.ingest import repository as repo
from app.ingest.claims import Claim, LeaseLost
from app.ingest.fetch import Fetcher
from app.ingest.fetch_targets import complete_from_page, without_unreadable_date
from app.ingest.items import RawItem, Rejected, RejectedInput
from app.ingest.pipeline import Ingestor, prepare
from app.ingest.stages import StageFailed, rejection
from app.models import Article, FeedItem
from app.runtime import Runtime

log = logging.getLogger("chipwatch.poller")

MAX_PAGES = 100  # new or changed entries handled per poll; the rest wait for the next one


def entry_key(entry: RawItem | Rejected, feed_url: str) -> str:
    origin = entry.origin.split(" [", 1)[0]
    ident = origin[len(feed_url) + 1 :] if origin.startswith(feed_url + "#") else origin
    return hashlib.sha256(ident.encode()).hexdigest()


def fingerprint(entry: RawItem | Rejected) -> str:
    parts: list[str | None]
    if isinstance(entry, Rejected):
        parts = ["rejected", entry.reason]
    else:
        parts = [entry.title, entry.body, entry.html, entry.url, entry.published_at, entry.author]
        if entry.rule_document is not None:  # a rule's dates and links count as its content too
            parts.append(json.dumps(entry.rule_document, sort_keys=True))
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


def process_entries(
    runtime: Runtime,
    claim: Claim,
    feed_url: str,
    items: list,
    fetcher: Fetcher,
    ingestor: Ingestor,
    counts: dict[str, int],
    renew: Callable[[], None],
) -> bool:
    """Handle the new and changed entries, counting outcomes; True when some were left over."""
    keyed = [(entry_key(e, feed_url), fingerprint(e), without_unreadable_date(e)) for e in items]
    with runtime.sessions() as session:
        known = {
            row.key: (row.fingerprint, row.article_id, row.outcome)
            for row in repo.feed_items_with_keys(session, claim.id, [k for k, _f, _e in keyed])
        }
    handled, left_over = 0, False
    for key, print_, entry in keyed:
        previous = known.get(key)
        if previous and previous[0] == print_:
            counts["unchanged"] += 1
            continue
        if handled >= MAX_PAGES:
            left_over = True  # for the next poll: their feed_items rows do not exist yet
            break
        handled += 1
        renew()
        try:
            if previous and previous[1] is not None and isinstance(entry, RawItem):
                result, article_id = _update(runtime, claim, entry, previous[1], fetcher, ingestor)
            else:
                result, article_id = _add(runtime, claim, entry, fetcher, ingestor)
        except LeaseLost:
            raise
        except Exception as exc:
            log.exception("feed entry %s failed", entry.origin)
            _ingest(ingestor, claim, [rejection(entry.origin, exc)])
            result, article_id = "rejected", None
        counts[result] += 1
        _remember(runtime, claim.id, key, print_, article_id, result)
        if (
            result == "added"
            and article_id is not None
            and isinstance(entry, RawItem)
            and entry.kind == "rule"
        ):
            _propose(runtime, article_id)
        if (
            result in ("added", "updated")
            and article_id is not None
            and isinstance(entry, RawItem)
            and entry.kind == "rule"
        ):
            _import_parties(runtime, article_id)
    return left_over


def _ingest(ingestor: Ingestor, claim: Claim, items: list):
    return ingestor.ingest(items, source=claim.name, lang=claim.lang)


def _add(
    runtime: Runtime, claim: Claim, entry, fetcher: Fetcher, ingestor: Ingestor
) -> tuple[str, int | None]:
    if (
        isinstance(entry, RawItem)
        and _wants_page(entry)
        and not _article_id_by_url(runtime, entry.url)
    ):
        entry = complete_from_page(entry, fetcher)
    report = _ingest(ingestor, claim, [entry])
    if report.added:
        return "added", report.article_ids[0]
    if report.duplicates:
        return "duplicates", _article_id_by_url(runtime, entry.url) if isinstance(
            entry, RawItem
        ) else None
    return "rejected", None


def _propose(runtime: Runtime, article_id: int) -> None:
    """A new Federal Register rule on an export-control topic goes to the gazetteer review
    queue as a proposed restriction (app/ingest/rule_proposals.py); a failure there is logged
    and never stops the poll (the rule itself is stored)."""
    from app.ingest.rule_proposals import propose_new_rules

    try:
        with runtime.sessions.begin() as session:
            propose_new_rules(session, [article_id])
    except Exception:  # the proposal is a side effect of storing the rule
        log.exception("proposing rule article %s as a restriction failed", article_id)


def _import_parties(runtime: Runtime, article_id: int) -> None:
    """An Entity List addition rule's parties go to the list import, for review on
    /admin/lists (app/lists/rule_parties.py); like a proposal, a failure is logged and never
    stops the poll."""
    from app.lists.rule_parties import import_rule_parties

    try:
        with runtime.sessions.begin() as session:
            rule = session.get(Article, article_id)
            if rule is not None:
                import_rule_parties(
                    session, rule, runtime.enricher.gazetteer, outbox=runtime.outbox
                )
    except Exception:  # the parties are a side effect of storing the rule
        log.exception("importing the parties of rule article %s failed", article_id)


def _wants_page(entry: RawItem) -> bool:
    """A news item's page is read for its full text; a rule's record is the API's own fields."""
    return bool(entry.url) and entry.kind != "rule"


def _article_id_by_url(runtime: Runtime, url: str | None) -> int | None:
    canonical = nz.lookup_url(url)
    if canonical is None:
        return None
    with runtime.sessions() as session:
        return article_repo.id_by_url(session, canonical)


def _update(
    runtime: Runtime,
    claim: Claim,
    entry: RawItem,
    article_id: int,
    fetcher: Fetcher,
    ingestor: Ingestor,
) -> tuple[str, int | None]:
    """A changed feed entry: re-read its page and update the stored article in place."""
    entry = complete_from_page(entry, fetcher) if _wants_page(entry) else entry
    try:
        prepared = prepare(entry, claim.lang)
    except (RejectedInput, StageFailed) as exc:
        rejected = rejection(entry.origin, exc)
        _ingest(
            ingestor,
            claim,
            [
                Rejected(
                    rejected.origin, f"changed entry unusable: {rejected.reason}", rejected.stage
                )
            ],
        )
        return "rejected", article_id
    try:
        with runtime.sessions.begin() as session:
            article = session.get(Article, article_id)
            if article is not None:
                if (
                    article.content_hash == prepared.content_hash
                    and article.title == prepared.title
                    and (
                        entry.rule_document is None or article.rule_document == entry.rule_document
                    )
                ):
                    return "unchanged", article_id
                ingestor.writer.update(
                    session,
                    article,
                    title=prepared.title,
                    body=prepared.body,
                    content_hash=prepared.content_hash,
                    author=prepared.item.author,
                    published_at=None if prepared.date_estimated else prepared.published_at,
                    rule_document=entry.rule_document,
                )
    except IntegrityError:
        # The new text is exactly another stored article's.
        return "duplicates", article_id
    if article is None:  # deleted since: store it again
        return _add(runtime, claim, entry, fetcher, ingestor)
    return "updated", article_id


def _remember(
    runtime: Runtime,
    source_id: int,
    key: str,
    fingerprint: str,
    article_id: int | None,
    result: str,
) -> None:
    try:
        with runtime.sessions.begin() as session:
            row = repo.feed_item(session, source_id, key)
            if row is None:
                row = FeedItem(source_id=source_id, key=key)
                session.add(row)
            row.fingerprint, row.outcome, row.seen_at = fingerprint, result, datetime.now(UTC)
            row.article_id = article_id if article_id is not None else row.article_id
    except IntegrityError:
        pass  # another worker (whose lease we outlived) recorded it first
