"""Admin sessions and CSRF for HTML forms.

The admin logs in with CHIPWATCH_ADMIN_TOKEN once; the browser then holds a signed, HttpOnly
cookie. Every form carries a CSRF token that must match the one inside that cookie (the token
is bound to the session, so another site cannot forge a form post). The cookie also names a
server-side session row (app/accounts): logout deletes it, so a copied cookie dies with it.
Users with the admin role (app/accounts) are admins too, with their own session's CSRF token.
"""

import hmac

from fastapi import HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

# The admin-token session cookie is read in app/accounts (its sessions are account sessions).
from app.accounts.admin_session import (
    COOKIE,
    SESSION_SECONDS,
    _cookie_data,
    _serializer,
    session_csrf,
)


def token_matches(request: Request, given: str) -> bool:
    token = request.app.state.runtime.settings.admin_token
    expected = token.get_secret_value() if token else ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _admin_user(request: Request, role: str = "admin"):
    """The logged-in user when their role is at least `role`, else None."""
    from app.accounts.principal import resolve

    principal = resolve(request)
    return principal if principal.kind == "user" and principal.at_least(role) else None


def is_admin(request: Request) -> bool:
    if session_csrf(request):
        return True
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(request, value):
        return True
    return _admin_user(request) is not None


def admin_csrf(request: Request, role: str = "admin") -> str | None:
    """The CSRF token for admin forms: the admin-token session's, or that of a user with the
    role (editors review sources and list links)."""
    csrf = session_csrf(request)
    if csrf:
        return csrf
    user = _admin_user(request, role)
    return user.csrf if user is not None and user.via == "session" else None


def is_editor(request: Request) -> bool:
    return is_admin(request) or _admin_user(request, "editor") is not None


def start_session(request: Request, response: Response) -> None:
    from app.accounts import service

    session = request.app.state.runtime.sessions()
    try:
        sid, csrf = service.start_session(session, None)
        session.commit()
    finally:
        session.close()
    value = _serializer(request).dumps({"sid": sid, "csrf": csrf})
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def end_session(request: Request, response: Response) -> None:
    data = _cookie_data(request)
    if data is not None:
        from app.accounts import service

        session = request.app.state.runtime.sessions()
        try:
            service.end_session(session, data["sid"])
            session.commit()
        finally:
            session.close()
    response.delete_cookie(COOKIE, path="/")


async def require_admin_form(request: Request) -> dict:
    """For HTML form posts: an admin session and a matching CSRF token; returns the form."""
    return await _require_form(request, "admin")


async def _require_form(request: Request, role: str) -> dict:
    form = dict(await request.form())
    csrf = await run_in_threadpool(admin_csrf, request, role)
    if csrf is None:
        if await run_in_threadpool(_admin_user, request, "reader"):
            raise HTTPException(403, f"This needs the {role} role.")
        raise HTTPException(
            401, f"Log in as {role} first (/account/login, or /admin with the admin token)."
        )
    if not hmac.compare_digest(str(form.get("csrf", "")).encode(), csrf.encode()):
        raise HTTPException(
            403, "The form's CSRF token is missing or stale: reload the page and try again."
        )
    return form


async def require_editor_form(request: Request) -> dict:
    """Source and list review: editors too."""
    return await _require_form(request, "editor")
