"""Alert subscriptions and their delivery outbox (schema: the accounts migration)."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base, utcnow


class AlertSubscription(Base):
    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    view_id: Mapped[int] = mapped_column(ForeignKey("saved_views.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # webhook | email
    target: Mapped[str] = mapped_column(String(2000))  # the URL or the address
    cadence: Mapped[str] = mapped_column(String(10), default="immediate")  # immediate | daily | weekly
    format: Mapped[str] = mapped_column(String(10), default="json")  # json | slack | teams (webhooks)
    # Only articles above floor are ever delivered: set at subscription and whenever the
    # view's filters change, so new filters never re-send old articles.
    floor: Mapped[int] = mapped_column(Integer, default=0)
    # The view's filters the floor belongs to.
    query: Mapped[str] = mapped_column(Text, default="")
    # Highest article id matched so far (the next round looks a little below it as well, for
    # articles whose transaction committed after a later one's).
    mark: Mapped[int] = mapped_column(Integer, default=0)
    next_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertDelivery(Base):
    """One article for one subscription: the outbox row, written with the match. The unique
    pair is what makes a delivery happen at most once per article and subscription."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "article_id", name="uq_alert_deliveries_sub_article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("alert_subscriptions.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(Integer)  # no FK: a deleted article is skipped, not lost
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
