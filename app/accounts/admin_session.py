"""The admin-token session: a signed, HttpOnly cookie naming a server-side session row without
a user (app/web/auth.py starts and ends it; app/accounts/principal.py recognises it)."""

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "chipwatch_admin"
SESSION_SECONDS = 12 * 3600
_UNSET = object()


def _serializer(request: Request) -> URLSafeTimedSerializer | None:
    token = request.app.state.runtime.settings.admin_token
    if not token or not token.get_secret_value():
        return None
    return URLSafeTimedSerializer(token.get_secret_value(), salt="chipwatch-admin-session")


def _cookie_data(request: Request) -> dict | None:
    serializer = _serializer(request)
    raw = request.cookies.get(COOKIE)
    if serializer is None or not raw:
        return None
    try:
        data = serializer.loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("sid"), str) else None


def session_csrf(request: Request) -> str | None:
    """The CSRF token of a live admin-token session, or None when not logged in."""
    state = request.state
    if getattr(state, "admin_csrf", _UNSET) is _UNSET:
        data = _cookie_data(request)
        csrf = None
        if data is not None:
            from app.accounts import service

            session = request.app.state.runtime.sessions()
            try:
                row = service.find_session(session, data["sid"])
                csrf = row.csrf if row is not None and row.user_id is None else None
            finally:
                session.close()
        state.admin_csrf = csrf
    return state.admin_csrf
