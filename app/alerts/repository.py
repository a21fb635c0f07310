"""All SQL about alerts: subscriptions, their queued deliveries and the articles a delivery
sends. Everything runs in the caller's session; app/alerts/service.py decides what is written
when."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.alerts.models import AlertDelivery, AlertSubscription
from app.models import Article, ArticleEntity, Entity


def pending_counts(session: Session, ids: list[int]) -> dict[int, int]:
    """subscription id -> deliveries still pending (subscriptions without any are absent)."""
    if not ids:
        return {}
    return dict(
        session.execute(
            select(AlertDelivery.subscription_id, func.count())
            .where(AlertDelivery.subscription_id.in_(ids), AlertDelivery.status == "pending")
            .group_by(AlertDelivery.subscription_id)
        ).all()
    )


def subscriptions_of(
    session: Session, user_id: int, view_id: int | None = None
) -> list[AlertSubscription]:
    stmt = select(AlertSubscription).where(AlertSubscription.user_id == user_id)
    if view_id is not None:
        stmt = stmt.where(AlertSubscription.view_id == view_id)
    return list(session.scalars(stmt.order_by(AlertSubscription.id)))


def subscription_ids(session: Session) -> list[int]:
    return list(session.scalars(select(AlertSubscription.id).order_by(AlertSubscription.id)))


def claim_subscription(session: Session, sub_id: int) -> AlertSubscription | None:
    """The subscription, locked for this transaction on PostgreSQL (None as well when another
    worker holds it: it has it this round)."""
    stmt = select(AlertSubscription).where(AlertSubscription.id == sub_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt)


def unqueued_matches(
    session: Session, matching: Select, params: dict[str, Any], sub_id: int, after: int, limit: int
) -> list[int]:
    """The ids of the matching articles (a statement over article ids above `after`) not queued
    for the subscription yet, at most limit."""
    queued_ids = select(AlertDelivery.article_id).where(
        AlertDelivery.subscription_id == sub_id, AlertDelivery.article_id > after
    )
    stmt = matching.where(Article.id.not_in(queued_ids)).limit(limit)
    return [row[0] for row in session.execute(stmt, params)]


def subscriptions_with_due(session: Session, moment: datetime) -> list[int]:
    """The ids of the subscriptions with a pending delivery available at `moment`."""
    return list(
        session.execute(
            select(AlertDelivery.subscription_id)
            .where(AlertDelivery.status == "pending", AlertDelivery.available_at <= moment)
            .group_by(AlertDelivery.subscription_id)
        )
        .scalars()
        .all()
    )


def due_deliveries(
    session: Session, sub_id: int, moment: datetime, limit: int
) -> list[AlertDelivery]:
    """A subscription's pending deliveries available at `moment`, by article, at most limit."""
    return list(
        session.scalars(
            select(AlertDelivery)
            .where(
                AlertDelivery.subscription_id == sub_id,
                AlertDelivery.status == "pending",
                AlertDelivery.available_at <= moment,
            )
            .order_by(AlertDelivery.article_id)
            .limit(limit)
        )
    )


def deliveries_by_ids(session: Session, ids: list[int]) -> list[AlertDelivery]:
    return list(session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(ids))))


def idle_digests(
    session: Session, cadences: Iterable[str], moment: datetime
) -> list[AlertSubscription]:
    """The subscriptions of these (digest) cadences whose time came by `moment` with nothing
    pending."""
    pending = select(AlertDelivery.subscription_id).where(AlertDelivery.status == "pending")
    return list(
        session.scalars(
            select(AlertSubscription).where(
                AlertSubscription.cadence.in_(list(cadences)),
                AlertSubscription.next_digest_at.is_not(None),
                AlertSubscription.next_digest_at <= moment,
                AlertSubscription.id.not_in(pending),
            )
        )
    )


def articles_by_id(session: Session, ids: list[int]) -> list[Article]:
    """The articles among ids, by id."""
    return list(
        session.scalars(select(Article).where(Article.id.in_(ids)).order_by(Article.id)).all()
    )


def entities_of(session: Session, ids: list[int]) -> list[tuple[int, str, str, str]]:
    """(article id, entity id, type, name) of the entities tagged on these articles, by type and
    name."""
    return [
        (article_id, entity_id, type_, name)
        for article_id, entity_id, type_, name in session.execute(
            select(ArticleEntity.article_id, Entity.id, Entity.type, Entity.name)
            .join(Entity, Entity.id == ArticleEntity.entity_id)
            .where(ArticleEntity.article_id.in_(ids))
            .order_by(Entity.type, Entity.name)
        )
    ]


def user_name(session: Session, user_id: int) -> str | None:
    return session.scalar(select(User.name).where(User.id == user_id))
