"""Subscriptions, matching new articles into the outbox, and delivering the outbox.

Matching (match_new): for each subscription, the view's filters run through the database
search over articles above the subscription's floor and near its mark; every match not yet
queued gets an outbox row, in the same transaction that moves the mark. Delivery
(deliver_due): the pending rows of a subscription are claimed for a lease, go out in one
webhook POST or email, and only a success marks them sent; a failure keeps them pending,
retried with exponential backoff, and shows on the owner's account page. An article is thus
sent at least once, and twice only if a worker dies between sending and the commit after it:
the batch then goes again as it was (same_batch: the same Idempotency-Key), and each article
carries its delivery_id (app/alerts/send.py), so receivers drop the copy either way;
bench/drill_alerts.py kills the worker there on purpose.
"""

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from app.accounts import views as saved
from app.alerts import repository
from app.alerts.models import AlertDelivery, AlertSubscription
from app.models import SavedView, as_utc
from app.notes import service as notes
from app.search.query import plan_query

log = logging.getLogger("chipwatch.alerts")
CADENCES = {"immediate": None, "daily": timedelta(days=1), "weekly": timedelta(days=7)}
FORMATS = ("json", "slack", "teams")
# Articles whose transaction committed after a later id's are found if they are at most this
# many ids below the mark (the unique outbox pair keeps them from being queued twice).
LOOKBACK = 1000
BATCH = 100  # articles per delivery
DIGEST_BATCH = 1000  # a daily or weekly digest: the period's matches in one email
RESENT = timedelta(milliseconds=500)  # available_at this far past created_at: claimed before
FIRST_RETRY = timedelta(seconds=2)
MAX_RETRY = timedelta(hours=1)
# How long a claimed batch is left to its sender before it counts as abandoned (a sender
# times out long before: 10 s per webhook or SMTP step): settings.alert_lease_seconds.
EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,255}$")


class AlertError(ValueError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def now() -> datetime:
    return datetime.now(UTC)


def subscribe(
    session: Session,
    view: SavedView,
    user_id: int,
    *,
    webhook: str | None = None,
    email: str | None = None,
    cadence: str = "immediate",
    format: str = "json",  # noqa: A002
    check_url=None,
) -> AlertSubscription:
    if (webhook is None) == (email is None):
        raise AlertError(422, "Give either 'webhook' (a URL) or 'email' (an address).")
    if cadence not in CADENCES:
        raise AlertError(422, f"cadence: use one of {', '.join(CADENCES)}.")
    if format not in FORMATS:
        raise AlertError(422, f"format: use one of {', '.join(FORMATS)}.")
    target: str | None
    if webhook is not None:
        if check_url is not None:
            reason = check_url(webhook)
            if reason:
                raise AlertError(422, f"webhook: {reason}")
        kind, target = "webhook", webhook
    else:
        if not EMAIL.match(email or ""):
            raise AlertError(422, f"email: {email!r} is not an email address.")
        kind, target = "email", email
    newest = saved.newest_id(session)
    sub = AlertSubscription(
        view_id=view.id,
        user_id=user_id,
        kind=kind,
        target=target,
        cadence=cadence,
        format=format if kind == "webhook" else "json",
        floor=newest,
        mark=newest,
        query=view.query,
    )
    if every := CADENCES[cadence]:
        sub.next_digest_at = now() + every
    session.add(sub)
    session.flush()
    return sub


def to_json(sub: AlertSubscription, pending: int = 0) -> dict:
    out = {
        "id": sub.id,
        "view_id": sub.view_id,
        "cadence": sub.cadence,
        "created_at": as_utc(sub.created_at).isoformat(),
        "pending": pending,
        "last_error": sub.last_error,
        "last_error_at": as_utc(sub.last_error_at).isoformat() if sub.last_error_at else None,
        "last_sent_at": as_utc(sub.last_sent_at).isoformat() if sub.last_sent_at else None,
    }
    if sub.kind == "webhook":
        out.update(webhook=sub.target, format=sub.format)
    else:
        out["email"] = sub.target
    return out


def pending_counts(session: Session, ids: list[int]) -> dict[int, int]:
    return repository.pending_counts(session, ids)


def of_user(session: Session, user_id: int, view_id: int | None = None) -> list[AlertSubscription]:
    return repository.subscriptions_of(session, user_id, view_id)


# --- matching -------------------------------------------------------------------------------


def match_new(runtime, limit: int = 500) -> int:
    """Queues new matches of every subscription; returns how many were queued."""
    queued = 0
    with runtime.sessions() as session:
        ids = repository.subscription_ids(session)
    for sub_id in ids:
        try:
            with runtime.sessions.begin() as session:
                queued += _match_one(session, runtime, sub_id, limit)
        except Exception:
            log.exception("alert matching failed for subscription %s", sub_id)
    return queued


def _match_one(session: Session, runtime, sub_id: int, limit: int) -> int:
    sub = repository.claim_subscription(session, sub_id)
    if sub is None:
        return 0
    view = session.get(SavedView, sub.view_id)
    if view is None:
        return 0
    if view.visibility == "private" and view.owner_id != sub.user_id:
        # A team view made private since: its other subscribers no longer get its articles
        # (nor, should it become a team view again, what arrived meanwhile).
        sub.floor = sub.mark = max(sub.mark, saved.newest_id(session))
        return 0
    if view.query != sub.query:
        # New filters: whatever is already stored is old news for them.
        sub.query, sub.floor = view.query, saved.newest_id(session)
        sub.mark = max(sub.mark, sub.floor)
        return 0
    try:
        filters = saved.parse_query(view.query)
    except saved.ViewError:
        return 0
    # has_note: the subscriber's notes (their own and the team's), as when they open the view.
    filters = notes.with_note_ids(session, notes.user_viewer(sub.user_id), filters)
    plan = plan_query(filters.q, runtime.query_tagger, filters.expand)
    after = max(sub.floor, sub.mark - LOOKBACK)
    stmt, params = saved.matching_after(session, runtime, filters, plan, after)
    found = repository.unqueued_matches(session, stmt, params, sub.id, after, limit)
    for article_id in found:
        session.add(AlertDelivery(subscription_id=sub.id, article_id=article_id))
    if found:
        sub.mark = max(sub.mark, max(found))
    return len(found)


# --- delivery -------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


def deliver_due(runtime, send, clock: Callable[[], datetime] = now) -> int:
    """Sends what is due; send(sub, view, articles, key) raises on failure. Returns the number
    of articles delivered. clock: what time it is (a digest is due when its day comes; tests
    move the clock instead of waiting)."""
    delivered = 0
    roll_empty_digests(runtime, clock)
    with runtime.sessions() as session:
        due = repository.subscriptions_with_due(session, clock())
    for sub_id in due:
        try:
            delivered += _deliver_one(runtime, sub_id, send, clock)
        except Exception:
            log.exception("alert delivery failed for subscription %s", sub_id)
    return delivered


def _deliver_one(runtime, sub_id: int, send, clock: Callable[[], datetime]) -> int:
    """Claim, send, settle: three steps so no transaction is open during the network call.
    The claim moves the rows' available_at a lease ahead, so another worker (or the next
    round) leaves them alone; a worker killed while sending leaves them to be sent again when
    the lease runs out, as the same batch (same_batch), for receivers to drop."""
    with runtime.sessions.begin() as session:
        sub = repository.claim_subscription(session, sub_id)
        if sub is None or (sub.next_digest_at and as_utc(sub.next_digest_at) > clock()):
            return 0  # gone, or a digest waiting for its day
        rows = repository.due_deliveries(
            session, sub.id, clock(), DIGEST_BATCH if CADENCES[sub.cadence] else BATCH
        )
        if not rows:
            return 0
        rows = same_batch(rows)
        view = session.get(SavedView, sub.view_id)
        articles = article_payloads(session, [r.article_id for r in rows])
        row_ids = [r.id for r in rows]
        claimed_until = clock() + timedelta(seconds=runtime.settings.alert_lease_seconds)
        for row in rows:  # one value for the batch: same_batch finds it again by it
            row.available_at = claimed_until
    key = f"chipwatch-{sub.id}-" + "-".join(str(a["id"]) for a in articles)
    error = None
    if articles and view is not None:
        try:
            send(runtime, sub, view, articles, key)
        except Exception as exc:  # noqa: BLE001 - every failure is a retry, recorded
            error = f"{type(exc).__name__}: {exc}"[:500]
    with runtime.sessions.begin() as session:
        sub = session.get(AlertSubscription, sub_id)
        rows = repository.deliveries_by_ids(session, row_ids)
        if sub is None:
            return 0
        if error is not None:
            retry_at = clock() + backoff(max((row.attempts for row in rows), default=0) + 1)
            for row in rows:
                row.attempts += 1
                row.last_error = error
                row.available_at = retry_at
            sub.last_error, sub.last_error_at = error, clock()
            log.warning("alert %s: delivery failed (%s); retrying", sub.id, error)
            return 0
        for row in rows:  # sent (a deleted article or view: nothing left to send)
            row.status, row.sent_at = "sent", clock()
        sub.last_sent_at, sub.last_error = clock(), None
        every = CADENCES[sub.cadence]
        if every:
            sub.next_digest_at = next_period(sub.next_digest_at, every, clock())
        return len(articles)


def same_batch(rows: list[AlertDelivery]) -> list[AlertDelivery]:
    """A batch that went out before (a worker died while sending it, or the receiver failed)
    goes again as it was: the same articles, so the same Idempotency-Key and Message-ID, and
    newer matches wait for the next batch. The rows of a batch share one available_at (its
    lease or its retry time); a row never sent has the time it was queued."""
    before = [r for r in rows if as_utc(r.available_at) - as_utc(r.created_at) >= RESENT]
    if not before:
        return rows
    first = min(as_utc(r.available_at) for r in before)
    return [r for r in before if as_utc(r.available_at) == first]


def next_period(due: datetime | None, cadence: timedelta, at: datetime) -> datetime:
    """The first digest time after `at` on the subscription's schedule (the same time of day
    or week as when it was made, whatever periods were skipped)."""
    if due is None:
        return at + cadence
    due = as_utc(due)
    if due > at:
        return due
    return due + cadence * ((at - due) // cadence + 1)


def roll_empty_digests(runtime, clock: Callable[[], datetime] = now) -> int:
    """Digests whose time came with nothing to send move on to their next period, so the next
    match waits for it rather than going out alone at once."""
    with runtime.sessions.begin() as session:
        idle = repository.idle_digests(
            session, [c for c, every in CADENCES.items() if every], clock()
        )
        for sub in idle:
            every = CADENCES[sub.cadence]
            if every:
                sub.next_digest_at = next_period(sub.next_digest_at, every, clock())
        return len(idle)


def article_payloads(session: Session, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    articles = repository.articles_by_id(session, ids)
    entities: dict[int, list[dict]] = {}
    for article_id, entity_id, type_, name in repository.entities_of(session, ids):
        entities.setdefault(article_id, []).append({"id": entity_id, "type": type_, "name": name})
    return [
        {
            "id": a.id,
            "title": a.title,
            "published_at": as_utc(a.published_at).isoformat(),
            "lang": a.lang,
            "source_url": a.url,
            "entities": entities.get(a.id, []),
        }
        for a in articles
    ]


def owner_name(session: Session, sub: AlertSubscription) -> str | None:
    return repository.user_name(session, sub.user_id)
