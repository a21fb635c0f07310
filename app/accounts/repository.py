"""Reads of users and saved views that pages need beside the accounts services. Everything runs
in the caller's session."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.models import SavedView


def has_users(session: Session) -> bool:
    """Whether any user account exists (else the admin token is the way in)."""
    return session.scalar(select(User.id).limit(1)) is not None


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def view_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {v.id: v.name for v in session.scalars(select(SavedView).where(SavedView.id.in_(ids)))}


def view_name_for_query(session: Session, query: str) -> str | None:
    """The name of a saved view with exactly this query string, if there is one."""
    return session.scalar(select(SavedView.name).where(SavedView.query == query).limit(1))
