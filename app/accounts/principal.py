"""Who is making a request, worked out once per request and kept on request.state.

In order: `Authorization: Bearer` with a personal token (a user), the admin token or the read
token (as before accounts); then the user session cookie; then the admin-token session
cookie (app/web/auth.py). Session cookies are signed with the app's key and name a
server-side session row, so logout, a password change or "log out everywhere" end them even
for a copy of the cookie.
"""

import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.admin_session import session_csrf
from app.accounts.models import User

COOKIE = "chipwatch_session"
RANK = {"reader": 1, "editor": 2, "admin": 3}


@dataclass
class Principal:
    kind: str  # "user" | "admin-token" | "read-token" | "anonymous"
    user_id: int | None = None
    name: str | None = None
    role: str | None = None  # the user's role; admin-token counts as admin
    csrf: str | None = None  # set for cookie sessions: forms must echo it
    via: str = "none"  # "bearer" | "session" | "none"

    @property
    def actor(self) -> str:
        return f"user:{self.name}" if self.kind == "user" else self.kind

    def at_least(self, role: str) -> bool:
        return RANK.get(self.role or "", 0) >= RANK[role]


ANONYMOUS = Principal("anonymous")


def _serializer(request: Request, session: Session) -> URLSafeSerializer:
    """Signs with the app's key. It is read (or made, once) in the caller's session: on
    SQLite a second connection could not write while the request's transaction does."""
    state = request.app.state
    key = getattr(state, "cookie_key", None)
    if key is None:
        key = state.cookie_key = service.signing_key(session)
    return URLSafeSerializer(key, salt="chipwatch-user-session")


def unsign(request: Request, session: Session, raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        value = _serializer(request, session).loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def set_cookie(request: Request, session: Session, response: Response, sid: str) -> None:
    response.set_cookie(
        COOKIE,
        _serializer(request, session).dumps(sid),
        max_age=int(service.SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _from_user(user: User, via: str, csrf: str | None = None) -> Principal:
    return Principal("user", user.id, user.name, user.role, csrf, via)


def resolve(request: Request, session: Session | None = None) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    own = session is None
    session = session or request.app.state.runtime.sessions()
    try:
        principal = _resolve(request, session)
        if own:
            session.commit()  # a token's last-used time
    finally:
        if own:
            session.close()
    request.state.principal = principal
    return principal


def _equal(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _resolve(request: Request, session: Session) -> Principal:
    settings = request.app.state.runtime.settings
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value:
        if value.startswith(service.TOKEN_PREFIX):
            user = service.token_user(session, value)
            return _from_user(user, "bearer") if user else ANONYMOUS
        admin = settings.admin_token.get_secret_value() if settings.admin_token else ""
        if _equal(value, admin):
            return Principal("admin-token", role="admin", via="bearer")
        read = settings.read_token.get_secret_value() if settings.read_token else ""
        if _equal(value, read):
            return Principal("read-token", via="bearer")
    sid = unsign(request, session, request.cookies.get(COOKIE))
    if sid:
        row = service.find_session(session, sid)
        if row is not None and row.user_id is not None:
            user = session.get(User, row.user_id)
            if user is not None:
                return _from_user(user, "session", row.csrf)
    admin_csrf = session_csrf(request)
    if admin_csrf:
        return Principal("admin-token", role="admin", csrf=admin_csrf, via="session")
    return ANONYMOUS


def session_id(request: Request, session: Session) -> str | None:
    return unsign(request, session, request.cookies.get(COOKIE))


def check_csrf(principal: Principal, form: dict) -> None:
    """A form post needs a browser session (user or admin token) and its CSRF token."""
    if principal.via != "session":
        raise HTTPException(401, "Log in first (/account/login, or /admin with the admin token).")
    if not _equal(str(form.get("csrf", "")), principal.csrf or ""):
        raise HTTPException(
            403, "The form's CSRF token is missing or stale: reload the page and try again."
        )
