"""Admin sessions and CSRF for HTML forms.

The admin logs in with CHIPWATCH_ADMIN_TOKEN once; the browser then holds a signed, HttpOnly
cookie. Every form carries a CSRF token that must match the one inside that cookie (the token
is bound to the session, so another site cannot forge a form post).
"""

import hmac
import secrets

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "chipwatch_admin"
SESSION_SECONDS = 12 * 3600


def _serializer(request: Request) -> URLSafeTimedSerializer | None:
    token = request.app.state.runtime.settings.admin_token
    if not token or not token.get_secret_value():
        return None
    return URLSafeTimedSerializer(token.get_secret_value(), salt="chipwatch-admin-session")


def token_matches(request: Request, given: str) -> bool:
    token = request.app.state.runtime.settings.admin_token
    expected = token.get_secret_value() if token else ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def session_csrf(request: Request) -> str | None:
    """The CSRF token of a valid admin session, or None when not logged in."""
    serializer = _serializer(request)
    raw = request.cookies.get(COOKIE)
    if serializer is None or not raw:
        return None
    try:
        data = serializer.loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    return data.get("csrf") if isinstance(data, dict) else None


def is_admin(request: Request) -> bool:
    if session_csrf(request):
        return True
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token_matches(request, value)


def start_session(request: Request, response: Response) -> None:
    serializer = _serializer(request)
    value = serializer.dumps({"csrf": secrets.token_urlsafe(24)})
    response.set_cookie(COOKIE, value, max_age=SESSION_SECONDS, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


async def require_admin_form(request: Request) -> dict:
    """For HTML form posts: an admin session and a matching CSRF token; returns the form."""
    form = dict(await request.form())
    csrf = session_csrf(request)
    if csrf is None:
        raise HTTPException(401, "Log in as admin first (/admin).")
    if not hmac.compare_digest(str(form.get("csrf", "")).encode(), csrf.encode()):
        raise HTTPException(403, "The form's CSRF token is missing or stale: reload the page and try again.")
    return form
