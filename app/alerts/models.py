"""Alert subscriptions and their delivery outbox (defined in app/models.py with every table;
schema: the accounts migration)."""

from app.models import AlertDelivery, AlertSubscription  # noqa: F401
