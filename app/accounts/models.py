"""Tables of the accounts feature (defined in app/models.py with every table). The schema itself
is made by the Alembic migration app/migrations/versions/2026-12-06-2340_accounts.py."""

from app.models import ApiToken, AppSecret, AuditEvent, User, UserSession  # noqa: F401

ROLES = ("reader", "editor", "admin")
