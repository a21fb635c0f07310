"""Tables of the accounts feature. The schema itself is made by the Alembic migration
migrations/versions/2026-12-06-2340_accounts.py."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base, utcnow

ROLES = ("reader", "editor", "admin")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(10))  # reader | editor | admin
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, PHC string
    # Failed logins since the last success, and until when the account refuses logins.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserSession(Base):
    """A browser session, server-side so that logout and password changes end it for good.
    user_id is None for a session opened with CHIPWATCH_ADMIN_TOKEN at /admin."""

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's id
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal API token: shown once, stored as its sha256 (it is 256 random bits, so a
    fast hash is enough), revoked by deleting the row."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who changed what: one row per accepted write (web, API or command line)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))  # user:NAME, admin-token, cli, ...
    action: Mapped[str] = mapped_column(String(200))  # e.g. "POST /views/{view_id}/rename"
    target: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)


class AppSecret(Base):
    """Secrets the app makes for itself (the cookie signing key), shared by every process."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
