"""Subscriptions, matching new articles into the outbox, and delivering the outbox.

Matching (match_new): for each subscription, the view's filters run through the database
search over articles above the subscription's floor and near its mark; every match not yet
queued gets an outbox row, in the same transaction that moves the mark. Delivery
(deliver_due): the pending rows of a subscription are claimed for a lease, go out in one
webhook POST or email, and only a success marks them sent; a failure keeps them pending,
retried with exponential backoff, and shows on the owner's account page. An article is thus
sent at least once, and twice only if a worker dies between a receiver's answer and the
commit after it (the same Idempotency-Key lets receivers drop that copy).
"""

import logging
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import views as saved
from app.accounts.models import User
from app.alerts.models import AlertDelivery, AlertSubscription
from app.models import Article, SavedView, as_utc
from app.search.query import plan_query

log = logging.getLogger("chipwatch.alerts")
CADENCES = {"immediate": None, "daily": timedelta(days=1), "weekly": timedelta(days=7)}
FORMATS = ("json", "slack", "teams")
# Articles whose transaction committed after a later id's are found if they are at most this
# many ids below the mark (the unique outbox pair keeps them from being queued twice).
LOOKBACK = 1000
BATCH = 100  # articles per delivery
FIRST_RETRY = timedelta(seconds=2)
MAX_RETRY = timedelta(hours=1)
# How long a claimed batch is left to its sender before it counts as abandoned (a sender
# times out long before: 10 s per webhook or SMTP step).
LEASE = timedelta(minutes=2)
EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,255}$")


class AlertError(ValueError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def now() -> datetime:
    return datetime.now(UTC)


def subscribe(session: Session, view: SavedView, user_id: int, *, webhook: str | None = None,
              email: str | None = None, cadence: str = "immediate", format: str = "json",  # noqa: A002
              check_url=None) -> AlertSubscription:
    if (webhook is None) == (email is None):
        raise AlertError(422, "Give either 'webhook' (a URL) or 'email' (an address).")
    if cadence not in CADENCES:
        raise AlertError(422, f"cadence: use one of {', '.join(CADENCES)}.")
    if format not in FORMATS:
        raise AlertError(422, f"format: use one of {', '.join(FORMATS)}.")
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
    sub = AlertSubscription(view_id=view.id, user_id=user_id, kind=kind, target=target, cadence=cadence,
                            format=format if kind == "webhook" else "json", floor=newest, mark=newest,
                            query=view.query)
    if CADENCES[cadence]:
        sub.next_digest_at = now() + CADENCES[cadence]
    session.add(sub)
    session.flush()
    return sub


def to_json(sub: AlertSubscription, pending: int = 0) -> dict:
    out = {"id": sub.id, "view_id": sub.view_id, "cadence": sub.cadence,
           "created_at": as_utc(sub.created_at).isoformat(), "pending": pending,
           "last_error": sub.last_error,
           "last_error_at": as_utc(sub.last_error_at).isoformat() if sub.last_error_at else None,
           "last_sent_at": as_utc(sub.last_sent_at).isoformat() if sub.last_sent_at else None}
    if sub.kind == "webhook":
        out.update(webhook=sub.target, format=sub.format)
    else:
        out["email"] = sub.target
    return out


def pending_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(session.execute(select(AlertDelivery.subscription_id, func.count())
                                .where(AlertDelivery.subscription_id.in_(ids), AlertDelivery.status == "pending")
                                .group_by(AlertDelivery.subscription_id)).all())


def of_user(session: Session, user_id: int, view_id: int | None = None) -> list[AlertSubscription]:
    stmt = select(AlertSubscription).where(AlertSubscription.user_id == user_id)
    if view_id is not None:
        stmt = stmt.where(AlertSubscription.view_id == view_id)
    return list(session.scalars(stmt.order_by(AlertSubscription.id)))


# --- matching -------------------------------------------------------------------------------

def match_new(runtime, limit: int = 500) -> int:
    """Queues new matches of every subscription; returns how many were queued."""
    queued = 0
    with runtime.sessions() as session:
        ids = list(session.scalars(select(AlertSubscription.id).order_by(AlertSubscription.id)))
    for sub_id in ids:
        try:
            with runtime.sessions.begin() as session:
                queued += _match_one(session, runtime, sub_id, limit)
        except Exception:
            log.exception("alert matching failed for subscription %s", sub_id)
    return queued


def _match_one(session: Session, runtime, sub_id: int, limit: int) -> int:
    stmt = select(AlertSubscription).where(AlertSubscription.id == sub_id)
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # another worker has it this round
    sub = session.scalar(stmt)
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
    plan = plan_query(filters.q, runtime.query_tagger, filters.expand)
    after = max(sub.floor, sub.mark - LOOKBACK)
    stmt, params = saved.matching_after(session, runtime, filters, plan, after)
    queued_ids = select(AlertDelivery.article_id).where(AlertDelivery.subscription_id == sub.id,
                                                        AlertDelivery.article_id > after)
    stmt = stmt.where(Article.id.not_in(queued_ids)).limit(limit)
    found = [row[0] for row in session.execute(stmt, params)]
    for article_id in found:
        session.add(AlertDelivery(subscription_id=sub.id, article_id=article_id))
    if found:
        sub.mark = max(sub.mark, max(found))
    return len(found)


# --- delivery -------------------------------------------------------------------------------

def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


def deliver_due(runtime, send) -> int:
    """Sends what is due; send(sub, view, articles, key) raises on failure. Returns the number
    of articles delivered."""
    delivered = 0
    with runtime.sessions() as session:
        due = session.execute(
            select(AlertDelivery.subscription_id).where(AlertDelivery.status == "pending",
                                                        AlertDelivery.available_at <= now())
            .group_by(AlertDelivery.subscription_id)).scalars().all()
    for sub_id in due:
        try:
            delivered += _deliver_one(runtime, sub_id, send)
        except Exception:
            log.exception("alert delivery failed for subscription %s", sub_id)
    return delivered


def _deliver_one(runtime, sub_id: int, send) -> int:
    """Claim, send, settle: three steps so no transaction is open during the network call.
    The claim moves the rows' available_at a lease ahead, so another worker (or the next
    round) leaves them alone; a worker killed while sending leaves them to be sent again when
    the lease runs out (with the same Idempotency-Key / Message-ID, for receivers to drop)."""
    with runtime.sessions.begin() as session:
        stmt = select(AlertSubscription).where(AlertSubscription.id == sub_id)
        if session.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)  # another worker has it this round
        sub = session.scalar(stmt)
        if sub is None or (sub.next_digest_at and as_utc(sub.next_digest_at) > now()):
            return 0  # gone, or a digest waiting for its day
        rows = list(session.scalars(
            select(AlertDelivery).where(AlertDelivery.subscription_id == sub.id, AlertDelivery.status == "pending",
                                        AlertDelivery.available_at <= now())
            .order_by(AlertDelivery.article_id).limit(BATCH)))
        if not rows:
            return 0
        view = session.get(SavedView, sub.view_id)
        articles = article_payloads(session, [r.article_id for r in rows])
        row_ids = [r.id for r in rows]
        for row in rows:
            row.available_at = now() + LEASE
    key = f"chipwatch-{sub.id}-" + "-".join(str(a["id"]) for a in articles)
    error = None
    if articles and view is not None:
        try:
            send(runtime, sub, view, articles, key)
        except Exception as exc:  # noqa: BLE001 - every failure is a retry, recorded
            error = f"{type(exc).__name__}: {exc}"[:500]
    with runtime.sessions.begin() as session:
        sub = session.get(AlertSubscription, sub_id)
        rows = list(session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(row_ids))))
        if sub is None:
            return 0
        if error is not None:
            for row in rows:
                row.attempts += 1
                row.last_error = error
                row.available_at = now() + backoff(row.attempts)
            sub.last_error, sub.last_error_at = error, now()
            log.warning("alert %s: delivery failed (%s); retrying", sub.id, error)
            return 0
        for row in rows:  # sent (a deleted article or view: nothing left to send)
            row.status, row.sent_at = "sent", now()
        sub.last_sent_at, sub.last_error = now(), None
        if CADENCES[sub.cadence]:
            sub.next_digest_at = now() + CADENCES[sub.cadence]
        return len(articles)


def article_payloads(session: Session, ids: list[int]) -> list[dict]:
    from app.models import ArticleEntity, Entity

    if not ids:
        return []
    articles = session.scalars(select(Article).where(Article.id.in_(ids)).order_by(Article.id)).all()
    entities: dict[int, list[dict]] = {}
    for article_id, entity_id, type_, name in session.execute(
            select(ArticleEntity.article_id, Entity.id, Entity.type, Entity.name)
            .join(Entity, Entity.id == ArticleEntity.entity_id)
            .where(ArticleEntity.article_id.in_(ids)).order_by(Entity.type, Entity.name)):
        entities.setdefault(article_id, []).append({"id": entity_id, "type": type_, "name": name})
    return [{"id": a.id, "title": a.title, "published_at": as_utc(a.published_at).isoformat(),
             "lang": a.lang, "source_url": a.url, "entities": entities.get(a.id, [])} for a in articles]


def owner_name(session: Session, sub: AlertSubscription) -> str | None:
    return session.scalar(select(User.name).where(User.id == sub.user_id))
