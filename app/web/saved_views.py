"""Saved views: the /views pages (CSRF-protected forms) and their JSON API (bearer tokens).

Who may do what is decided in app/accounts/views.py; this module only speaks HTTP. JSON
writes take `Authorization: Bearer` (a personal token or the admin token), never a cookie, so
another site cannot make a browser write through them.
"""

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.accounts import views as saved
from app.accounts.principal import Principal, check_csrf, resolve
from app.accounts.repository import user_names
from app.filters import Filters
from app.models import SavedView
from app.notes import service as notes
from app.web.deps import RuntimeDep, SessionDep, ViewId
from app.web.rendering import render
from app.web.schemas import READ_ERRORS, errors
from app.web.view_chips import view_chips

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["views"], responses=READ_ERRORS)
WRITE_ERRORS = errors(401, 403, 404, 409, 422, 429)


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(max_length=saved.MAX_NAME, description="1 to 200 characters")]
    query: Annotated[
        str,
        Field(max_length=4000, description="The filters as a query string, e.g. chip=h20&lang=ar"),
    ] = ""
    visibility: Literal["private", "team"] | None = Field(
        None, description="private (default for users) or team (editors and admins)"
    )


class ViewPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str | None, Field(max_length=saved.MAX_NAME)] = None
    query: Annotated[str | None, Field(max_length=4000)] = None
    visibility: Literal["private", "team"] | None = None


class ViewOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    name: str
    query: str
    visibility: str
    owner: str | None
    url: str
    open: str
    feed: str
    csv: str
    created_at: str
    updated_at: str | None
    new_since_opened: int | None = None


class ViewsOut(BaseModel):
    views: list[ViewOut]


def _http(exc: saved.ViewError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


def _owners(session, views: list[SavedView]) -> dict[int, str]:
    ids = {v.owner_id for v in views if v.owner_id}
    return user_names(session, ids)


def _owner_notes(session, principal: Principal) -> Callable[[Filters], Filters]:
    """has_note resolved for the view's owner (the counts are only shown to them)."""
    return lambda filters: notes.with_note_ids(session, principal, filters)


def _listing(session, runtime, principal: Principal) -> list[dict]:
    views = saved.visible(session, principal)
    owners = _owners(session, views)
    mine = _owner_notes(session, principal)
    return [
        saved.to_json(
            v,
            owners,
            saved.new_since_opened(session, runtime, v, mine)
            if principal.kind == "user" and v.owner_id == principal.user_id
            else None,
        )
        for v in views
    ]


def _bearer(request: Request, session) -> Principal:
    principal = resolve(request, session)
    if principal.via != "bearer" or not saved.may_save(principal):
        raise HTTPException(
            401,
            "Send 'Authorization: Bearer <personal API token>' (or the admin token) "
            "to change saved views.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


# --- JSON -----------------------------------------------------------------------------------


@api_router.get("/views", response_model=ViewsOut)
def api_views(request: Request, session: SessionDep, runtime: RuntimeDep) -> dict:
    """The saved views this caller may see: their own and the team's (with a count of new
    matches since they last opened each of their own)."""
    return {"views": _listing(session, runtime, resolve(request, session))}


@api_router.post("/views", response_model=ViewOut, status_code=201, responses=WRITE_ERRORS)
def api_create_view(body: ViewIn, request: Request, session: SessionDep) -> dict:
    principal = _bearer(request, session)
    try:
        view = saved.create(session, principal, body.name, body.query, body.visibility)
    except saved.ViewError as exc:
        raise _http(exc) from None
    return saved.to_json(view, _owners(session, [view]), 0)


@api_router.get("/views/{view_id}", response_model=ViewOut, responses=errors(403, 404))
def api_view(view_id: ViewId, request: Request, session: SessionDep, runtime: RuntimeDep) -> dict:
    principal = resolve(request, session)
    try:
        view = saved.get(session, view_id, principal)
    except saved.ViewError as exc:
        raise _http(exc) from None
    own = principal.kind == "user" and view.owner_id == principal.user_id
    return saved.to_json(
        view,
        _owners(session, [view]),
        saved.new_since_opened(session, runtime, view, _owner_notes(session, principal))
        if own
        else None,
    )


@api_router.patch("/views/{view_id}", response_model=ViewOut, responses=WRITE_ERRORS)
def api_update_view(
    view_id: ViewId, body: ViewPatch, request: Request, session: SessionDep
) -> dict:
    principal = _bearer(request, session)
    try:
        view = saved.get(session, view_id, principal, edit=True)
        saved.update(
            session, view, principal, name=body.name, query=body.query, visibility=body.visibility
        )
    except saved.ViewError as exc:
        raise _http(exc) from None
    return saved.to_json(view, _owners(session, [view]))


@api_router.delete("/views/{view_id}", status_code=204, responses=WRITE_ERRORS)
def api_delete_view(view_id: ViewId, request: Request, session: SessionDep) -> Response:
    principal = _bearer(request, session)
    try:
        session.delete(saved.get(session, view_id, principal, edit=True))
    except saved.ViewError as exc:
        raise _http(exc) from None
    return Response(status_code=204)


# --- HTML -----------------------------------------------------------------------------------


async def _form(request: Request, session) -> tuple[Principal, dict]:
    form = dict(await request.form())
    principal = await run_in_threadpool(resolve, request, session)
    check_csrf(principal, form)
    return principal, form


@router.get("/views", response_class=HTMLResponse)
def views_page(request: Request, session: SessionDep, runtime: RuntimeDep):
    principal = resolve(request, session)
    views = _listing(session, runtime, principal)
    for view, chips in zip(views, view_chips(session, [v["query"] for v in views])):
        row = session.get(SavedView, view["id"])
        view["editable"] = saved.may_edit(row, principal)
        view["chips"] = chips
    return render(
        request,
        "views.html",
        {
            "views": views,
            "csrf": principal.csrf,
            "principal": principal,
            "team_ok": principal.at_least("editor"),
        },
        alternate="/api/views",
    )


@router.get("/views/{view_id}")
def open_view(view_id: ViewId, request: Request, session: SessionDep):
    """Opening a view: its search, and for its owner the mark from which articles count as new."""
    principal = resolve(request, session)
    try:
        view = saved.get(session, view_id, principal)
    except saved.ViewError as exc:
        raise _http(exc) from None
    saved.mark_opened(session, view, principal)
    return RedirectResponse("/?" + view.query, status_code=303)


@router.post("/views")
async def create_view(request: Request, session: SessionDep):
    principal, form = await _form(request, session)
    try:
        await run_in_threadpool(
            saved.create,
            session,
            principal,
            form.get("name"),
            form.get("query", ""),
            form.get("visibility") or None,
        )
    except saved.ViewError as exc:
        raise _http(exc) from None
    return RedirectResponse("/views", status_code=303)


async def _change(request: Request, session, view_id: int, change) -> RedirectResponse:
    """Checks the form, then applies change(view, principal, form) to a view the caller may edit."""
    principal, form = await _form(request, session)

    def work() -> None:
        change(saved.get(session, view_id, principal, edit=True), principal, form)

    try:
        await run_in_threadpool(work)
    except saved.ViewError as exc:
        raise _http(exc) from None
    return RedirectResponse("/views", status_code=303)


@router.post("/views/{view_id}/rename")
async def rename_view(view_id: ViewId, request: Request, session: SessionDep):
    return await _change(
        request,
        session,
        view_id,
        lambda view, principal, form: saved.update(
            session, view, principal, name=form.get("name", "")
        ),
    )


@router.post("/views/{view_id}/save")
async def resave_view(view_id: ViewId, request: Request, session: SessionDep):
    """Re-save with new filters (and, for the owner, a new visibility): the id stays."""
    return await _change(
        request,
        session,
        view_id,
        lambda view, principal, form: saved.update(
            session,
            view,
            principal,
            query=form.get("query"),
            visibility=form.get("visibility") or None,
        ),
    )


@router.post("/views/{view_id}/delete")
async def delete_view(view_id: ViewId, request: Request, session: SessionDep):
    return await _change(
        request, session, view_id, lambda view, principal, form: session.delete(view)
    )
