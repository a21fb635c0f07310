"""All SQL about accounts: users, their sessions and API tokens (for app/accounts/service.py), and
the reads of users and saved views that pages need. Everything runs in the caller's session."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Select, delete, false, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import ApiToken, User, UserSession
from app.models import Article, SavedView

if TYPE_CHECKING:  # (principal.py reaches this module through service.py)
    from app.accounts.principal import Principal


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


# --- the accounts services (app/accounts/service.py) ----------------------------------------


def user_by_name(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def users_by_name(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def token_counts(session: Session) -> dict[int, int]:
    """user id -> how many API tokens the user has (users without any are absent)."""
    return dict(
        session.execute(select(ApiToken.user_id, func.count()).group_by(ApiToken.user_id)).all()
    )


def views_owned_by(session: Session, user_id: int) -> list[SavedView]:
    return list(session.scalars(select(SavedView).where(SavedView.owner_id == user_id)))


def unowned_view_id(session: Session, name: str) -> int | None:
    """The id of the team view of this name that has no owner, if there is one."""
    return session.scalar(
        select(SavedView.id).where(SavedView.owner_id.is_(None), SavedView.name == name)
    )


def delete_sessions_of(session: Session, user_id: int) -> None:
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def delete_sessions_expired_by(session: Session, moment: datetime) -> None:
    session.execute(delete(UserSession).where(UserSession.expires_at < moment))


def delete_session(session: Session, id_hash: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id_hash == id_hash))


def delete_tokens_of(session: Session, user_id: int) -> None:
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


def delete_token(session: Session, token_id: int, user_id: int) -> int:
    """Deletes the user's token; returns how many rows went (0: no such token of theirs)."""
    deleted = cast(
        CursorResult[Any],
        session.execute(
            delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
        ),
    )
    return deleted.rowcount


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    )


# --- saved views (app/accounts/views.py) ----------------------------------------------------


def views_visible_to(session: Session, principal: "Principal") -> list[SavedView]:
    """The team's views and, for a user, their own, by name."""
    mine = SavedView.owner_id == principal.user_id if principal.kind == "user" else false()
    return list(
        session.scalars(
            select(SavedView)
            .where(or_(SavedView.visibility == "team", mine))
            .order_by(SavedView.name, SavedView.id)
        )
    )


def view_name_taken(
    session: Session, owner_id: int | None, name: str, but: int | None = None
) -> bool:
    """Whether the owner (None: the unowned team views) has a view of this name, besides `but`."""
    owner = SavedView.owner_id == owner_id if owner_id is not None else SavedView.owner_id.is_(None)
    stmt = select(SavedView.id).where(owner, SavedView.name == name)
    if but is not None:
        stmt = stmt.where(SavedView.id != but)
    return session.scalar(stmt.limit(1)) is not None


def newest_article_id(session: Session) -> int:
    return session.scalar(select(func.max(Article.id))) or 0


def count_rows(session: Session, stmt: Select, params: dict[str, Any]) -> int:
    """How many rows the statement (a view's matching articles) returns."""
    return session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery()), params
    ).scalar_one()
