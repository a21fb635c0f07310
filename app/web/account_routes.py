"""Accounts in the browser: log in and out, change the password, end every session, and
personal API tokens (shown once). Forms are CSRF-protected with the session's token; the
login form is rate limited (app/web/limits.py) and failures back off per account."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.accounts import passwords, service
from app.accounts.models import User
from app.accounts.principal import COOKIE, Principal, check_csrf, resolve, session_id, set_cookie
from app.accounts.repository import view_names
from app.web.access import _safe_next
from app.web.deps import SessionDep
from app.web.rendering import render
from app.web.schemas import errors

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["account"])


class AccountOut(BaseModel):
    kind: str
    name: str | None
    role: str | None


def _user(request: Request, session) -> tuple[Principal, User]:
    principal = resolve(request, session)
    user = session.get(User, principal.user_id) if principal.kind == "user" else None
    if user is None:
        raise HTTPException(401, "Log in first (/account/login).")
    return principal, user


@api_router.get("/account", response_model=AccountOut, responses=errors(401))
def api_account(request: Request, session: SessionDep) -> dict:
    """Who the credentials sent belong to."""
    principal = resolve(request, session)
    return {"kind": principal.kind, "name": principal.name, "role": principal.role}


@router.get("/account/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/"):  # noqa: A002
    return render(request, "account_login.html", {"next": _safe_next(next), "error": None})


@router.post("/account/login")
async def login(request: Request, session: SessionDep):
    form = await request.form()
    target = _safe_next(str(form.get("next", "/")))
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    result = await run_in_threadpool(service.authenticate, session, name, password)
    if result.user is None:
        # An answer, not an exception: the request's transaction keeps the failure count.
        message, status, headers = "That name and password do not match.", 401, {}
        if result.retry_after:
            message = f"Too many failed logins: try again in {result.retry_after} seconds."
            status, headers = 429, {"Retry-After": str(result.retry_after)}
        response = render(
            request, "account_login.html", {"next": target, "error": message}, status_code=status
        )
        response.headers.update(headers)
        return response
    old = session_id(request, session)
    if old:
        service.end_session(session, old)  # a fresh id at login: no session fixation
    sid, _csrf = await run_in_threadpool(service.start_session, session, result.user.id)
    request.state.principal = Principal("user", result.user.id, result.user.name, result.user.role)
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, session, response, sid)
    return response


async def _form(request: Request, session) -> tuple[Principal, User, dict]:
    form = dict(await request.form())
    principal = await run_in_threadpool(resolve, request, session)
    check_csrf(principal, form)
    if principal.kind != "user":
        raise HTTPException(401, "Log in first (/account/login).")
    return principal, session.get(User, principal.user_id), form


@router.post("/account/logout")
async def logout(request: Request, session: SessionDep):
    await _form(request, session)
    service.end_session(session, session_id(request, session))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/account/logout-everywhere")
async def logout_everywhere(request: Request, session: SessionDep):
    _principal, user, _form_data = await _form(request, session)
    service.end_all_sessions(session, user.id)
    response = RedirectResponse("/account/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep):
    principal = resolve(request, session)
    if principal.kind != "user":
        return RedirectResponse("/account/login?next=/account", status_code=303)
    user = session.get(User, principal.user_id)
    return render(
        request,
        "account.html",
        {
            "user": user,
            "csrf": principal.csrf,
            "tokens": service.tokens_of(session, user),
            "new_token": None,
            "alerts": _alerts(session, user),
        },
    )


def _alerts(session, user: User) -> list[dict]:
    """The user's alerts with their view's name, pending deliveries and last failure."""
    from app.alerts import service as alerts

    subs = alerts.of_user(session, user.id)
    pending = alerts.pending_counts(session, [s.id for s in subs])
    names = view_names(session, {s.view_id for s in subs})
    return [
        {
            **alerts.to_json(s, pending.get(s.id, 0)),
            "view": names.get(s.view_id),
            "target": s.target,
        }
        for s in subs
    ]


@router.post("/account/password")
async def change_password(request: Request, session: SessionDep):
    principal, user, form = await _form(request, session)
    if not await run_in_threadpool(
        passwords.verify, user.password_hash, str(form.get("current", ""))
    ):
        raise HTTPException(403, "The current password is not right.")
    new = str(form.get("new", ""))
    try:
        await run_in_threadpool(service.set_password, session, user, new)
    except passwords.PasswordError as exc:
        raise HTTPException(422, f"new: {exc}") from None
    # Every other session (and any copy of this cookie) is over; this browser gets a new one.
    sid, _csrf = service.start_session(session, user.id)
    response = RedirectResponse("/account", status_code=303)
    set_cookie(request, session, response, sid)
    return response


@router.post("/account/tokens", response_class=HTMLResponse)
async def create_token(request: Request, session: SessionDep):
    principal, user, form = await _form(request, session)
    _row, plain = service.issue_token(session, user, str(form.get("label", "")))
    # Shown on this answer only: it is stored hashed.
    response = render(
        request,
        "account.html",
        {
            "user": user,
            "csrf": principal.csrf,
            "tokens": service.tokens_of(session, user),
            "new_token": plain,
            "alerts": _alerts(session, user),
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(token_id: int, request: Request, session: SessionDep):
    _principal, user, _form_data = await _form(request, session)
    try:
        service.revoke_token(session, user, token_id)
    except service.AccountError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/account", status_code=303)
