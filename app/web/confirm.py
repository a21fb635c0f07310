"""Confirmation pages for destructive actions.

A Delete or Remove button is a link to one of these pages: it says what will go, and only its
own form (CSRF-protected, admin session) posts the action. No script, so it works everywhere.
"""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.accounts import repository as accounts_repo
from app.accounts import views as saved
from app.accounts.principal import resolve
from app.models import Source
from app.web.auth import session_csrf
from app.web.deps import SessionDep, ViewId
from app.web.redirects import here, login_url
from app.web.rendering import render

router = APIRouter(include_in_schema=False)
SourceId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _confirm(
    request: Request,
    *,
    title: str,
    name: str,
    consequence: str,
    action: str,
    button: str,
    cancel: str,
    csrf: str | None = None,
    login: str = "/admin",
):
    csrf = csrf or session_csrf(request)
    if csrf is None:  # log in first, then come back here
        return RedirectResponse(login_url(login, here(request)), status_code=303)
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "name": name,
            "consequence": consequence,
            "action": action,
            "button": button,
            "cancel": cancel,
            "csrf": csrf,
        },
    )


@router.get("/views/{view_id}/delete", response_class=HTMLResponse)
def confirm_delete_view(request: Request, view_id: ViewId, session: SessionDep):
    principal = resolve(request, session)
    if principal.csrf is None:  # log in first: as a user where there are users, else as admin
        login = "/account/login" if accounts_repo.has_users(session) else "/admin"
        return RedirectResponse(login_url(login, here(request)), status_code=303)
    try:
        view = saved.get(session, view_id, principal, edit=True)
    except saved.ViewError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return _confirm(
        request,
        title="Delete this saved view?",
        name=view.name,
        consequence="Its page, feed and CSV links stop working. The articles stay.",
        action=f"/views/{view.id}/delete",
        button="Delete the view",
        cancel="/views",
        csrf=principal.csrf,
    )


@router.get("/admin/sources/{source_id}/remove", response_class=HTMLResponse)
def confirm_remove_source(request: Request, source_id: SourceId, session: SessionDep):
    source = session.get(Source, source_id)
    if source is None:
        raise HTTPException(404, f"There is no source {source_id}.")
    return _confirm(
        request,
        title="Stop polling this feed?",
        name=source.name,
        consequence="Its articles stay; it can be added again later.",
        action=f"/admin/sources/{source.id}/remove",
        button="Stop polling",
        cancel="/admin",
    )
