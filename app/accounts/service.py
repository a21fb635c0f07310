"""Users, logins with backoff, server-side sessions and personal API tokens.

Everything here takes a SQLAlchemy session and leaves committing to the caller.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import passwords, repository
from app.accounts.models import ROLES, ApiToken, AppSecret, User, UserSession
from app.models import as_utc

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
TOKEN_PREFIX = "cwp_"  # recognisable in logs and secret scanners; never confused with env tokens
SESSION_TTL = timedelta(hours=12)
# Logins: the first FREE_FAILURES wrong passwords cost nothing; each further one locks the
# account for twice as long as the one before, up to MAX_LOCK (an attacker gets a handful of
# guesses an hour; the owner waits minutes, not forever).
FREE_FAILURES = 5
FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)


class AccountError(ValueError):
    pass


def now() -> datetime:
    return datetime.now(UTC)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- users ----------------------------------------------------------------------------------


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise AccountError(
            f"{name!r} is not a valid user name: 1 to 100 letters, digits or ._@- "
            "(starting with a letter or digit)."
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"{role!r} is not a role: use one of {', '.join(ROLES)}.")
    return role


def get_user(session: Session, name: str) -> User:
    user = repository.user_by_name(session, name)
    if user is None:
        raise AccountError(f"There is no user {name!r}.")
    return user


def add_user(session: Session, name: str, role: str, password: str) -> User:
    user = User(
        name=check_name(name),
        role=check_role(role),
        password_hash=passwords.hash_password(password),
        failed_logins=0,
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise AccountError(f"A user named {name!r} already exists.") from None
    return user


def remove_user(session: Session, name: str) -> None:
    """The user, their sessions, tokens and private views go; their team views stay, unowned."""
    user = get_user(session, name)
    repository.delete_sessions_of(session, user.id)
    repository.delete_tokens_of(session, user.id)
    for view in repository.views_owned_by(session, user.id):
        if view.visibility == "team" and not repository.unowned_view_id(session, view.name):
            view.owner_id = None
        else:
            session.delete(view)
    session.flush()
    session.delete(user)
    session.flush()


def list_users(session: Session) -> list[dict]:
    tokens = repository.token_counts(session)
    return [
        {
            "name": u.name,
            "role": u.role,
            "created_at": as_utc(u.created_at).isoformat(),
            "tokens": tokens.get(u.id, 0),
        }
        for u in repository.users_by_name(session)
    ]


def any_users(session: Session) -> bool:
    return repository.has_users(session)


# --- logins ---------------------------------------------------------------------------------


@dataclass
class LoginResult:
    user: User | None
    retry_after: int = 0  # seconds, when the account is locked


def lock_for(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** (failures - FREE_FAILURES), MAX_LOCK)


def authenticate(session: Session, name: str, password: str) -> LoginResult:
    """Checks the password unless the account is locked; counts failures. The answer for an
    unknown name is the same as for a wrong password, and takes as long."""
    user = repository.user_by_name(session, name) if NAME.match(name or "") else None
    if user is not None and user.locked_until and as_utc(user.locked_until) > now():
        return LoginResult(None, int((as_utc(user.locked_until) - now()).total_seconds()) + 1)
    ok = passwords.verify(user.password_hash if user else None, password)
    if user is None:
        return LoginResult(None)
    if not ok:
        user.failed_logins += 1
        lock = lock_for(user.failed_logins)
        user.locked_until = now() + lock if lock else None
        return LoginResult(None, int(lock.total_seconds()))
    user.failed_logins, user.locked_until = 0, None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return LoginResult(user)


def set_password(session: Session, user: User, password: str) -> None:
    """A new password ends every session of the user (the caller opens a new one if needed)."""
    user.password_hash = passwords.hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    end_all_sessions(session, user.id)


# --- sessions -------------------------------------------------------------------------------


def start_session(session: Session, user_id: int | None) -> tuple[str, str]:
    """A new server-side session: returns (the id for the cookie, its CSRF token)."""
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    repository.delete_sessions_expired_by(session, now())
    session.add(
        UserSession(id_hash=sha256(sid), user_id=user_id, csrf=csrf, expires_at=now() + SESSION_TTL)
    )
    session.flush()
    return sid, csrf


def find_session(session: Session, sid: str) -> UserSession | None:
    row = session.get(UserSession, sha256(sid))
    if row is None or as_utc(row.expires_at) <= now():
        return None
    return row


def end_session(session: Session, sid: str) -> None:
    repository.delete_session(session, sha256(sid))


def end_all_sessions(session: Session, user_id: int) -> None:
    repository.delete_sessions_of(session, user_id)


# --- personal API tokens --------------------------------------------------------------------


def issue_token(session: Session, user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new token: the plain value is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    label = " ".join("".join(c if c.isprintable() else " " for c in label).split())[:100]
    row = ApiToken(user_id=user.id, token_hash=sha256(plain), label=label or "token")
    session.add(row)
    session.flush()
    return row, plain


def token_user(session: Session, plain: str) -> User | None:
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    row = repository.token_by_hash(session, sha256(plain))
    if row is None:
        return None
    if row.last_used_at is None or now() - as_utc(row.last_used_at) > timedelta(minutes=5):
        row.last_used_at = now()  # coarse, so reads do not write on every request
    return session.get(User, row.user_id)


def revoke_token(session: Session, user: User, token_id: int) -> None:
    if not repository.delete_token(session, token_id, user.id):
        raise AccountError(f"There is no token {token_id} of {user.name!r}.")


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return repository.tokens_of(session, user.id)


# --- the cookie signing key -----------------------------------------------------------------


def signing_key(session: Session) -> str:
    """The app's own random key, made once and kept in the database so every process and
    every restart share it (an operator never has to configure one)."""
    row = session.get(AppSecret, "cookie-key")
    if row is None:
        try:
            with session.begin_nested():
                session.add(AppSecret(name="cookie-key", value=secrets.token_urlsafe(48)))
        except IntegrityError:  # another process made it first
            pass
        row = session.get(AppSecret, "cookie-key")
        assert row is not None  # made just now, by this process or the other
    return row.value
