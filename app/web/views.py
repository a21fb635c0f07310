"""Saved views (/views) and the admin session (/admin)."""

from urllib.parse import parse_qsl

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.filters import FilterError, parse_filters
from app.models import Article, IndexOutbox, Rejection, SavedView, Source
from app.web.auth import end_session, is_admin, require_admin_form, session_csrf, start_session, token_matches
from app.web.deps import RuntimeDep, SessionDep, ViewId
from app.web.redirects import safe_next
from app.web.view_chips import view_chips
from app.web.rendering import render
from app.web.schemas import READ_ERRORS, ViewsOut

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"], responses=READ_ERRORS)
MAX_NAME = 200


def _view_json(view: SavedView) -> dict:
    return {"id": view.id, "name": view.name, "query": view.query,
            "url": "/?" + view.query, "feed": "/feed.atom?" + view.query,
            "csv": "/export.csv?" + view.query, "created_at": view.created_at.isoformat()}


def _clean_name(form: dict) -> str:
    # Control characters (NUL above all: PostgreSQL refuses it) are spaces in a name.
    name = " ".join("".join(c if c.isprintable() else " " for c in str(form.get("name", ""))).split())
    if not name or len(name) > MAX_NAME:
        raise HTTPException(422, f"A view needs a name of 1 to {MAX_NAME} characters.")
    return name


def _clean_query(raw: str) -> str:
    try:
        filters = parse_filters(parse_qsl(raw.lstrip("?"), keep_blank_values=False))
    except FilterError as exc:
        raise HTTPException(422, f"The view's filters are invalid: {exc}") from None
    return filters.query_string(paging=False)


@api_router.get("/views", response_model=ViewsOut)
def api_views(session: SessionDep) -> dict:
    return {"views": [_view_json(v) for v in session.scalars(select(SavedView).order_by(SavedView.name))]}


@router.get("/views", response_class=HTMLResponse)
def views_page(request: Request, session: SessionDep):
    views = [_view_json(v) for v in session.scalars(select(SavedView).order_by(SavedView.name))]
    for view, chips in zip(views, view_chips(session, [v["query"] for v in views])):
        view["chips"] = chips
    return render(request, "views.html", {"views": views, "csrf": session_csrf(request)},
                  alternate="/api/views")


@router.post("/views")
def create_view(request: Request, session: SessionDep, form: dict = Depends(require_admin_form)):
    view = SavedView(name=_clean_name(form), query=_clean_query(str(form.get("query", ""))))
    session.add(view)
    try:
        session.flush()
    except IntegrityError:
        raise HTTPException(409, f"A view named {view.name!r} already exists.") from None
    return RedirectResponse("/views", status_code=303)


def _get_view(session, view_id: int) -> SavedView:
    view = session.get(SavedView, view_id)
    if view is None:
        raise HTTPException(404, f"There is no saved view {view_id}.")
    return view


@router.post("/views/{view_id}/rename")
def rename_view(view_id: ViewId, session: SessionDep, form: dict = Depends(require_admin_form)):
    view = _get_view(session, view_id)
    view.name = _clean_name(form)
    try:
        session.flush()
    except IntegrityError:
        raise HTTPException(409, f"A view named {view.name!r} already exists.") from None
    return RedirectResponse("/views", status_code=303)


@router.post("/views/{view_id}/delete")
def delete_view(view_id: ViewId, session: SessionDep, form: dict = Depends(require_admin_form)):
    session.delete(_get_view(session, view_id))
    return RedirectResponse("/views", status_code=303)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, session: SessionDep, next: str = ""):  # noqa: A002
    context = {"admin": is_admin(request), "csrf": session_csrf(request), "next": safe_next(next, ""),
               "configured": bool(request.app.state.runtime.settings.admin_token)}
    if context["admin"]:
        context["sources"] = session.scalars(select(Source).order_by(Source.name)).all()
        context["rejections"] = session.scalars(select(Rejection).order_by(Rejection.id.desc()).limit(50)).all()
        context["articles"] = session.scalar(select(func.count()).select_from(Article))
        context["lag"] = session.scalar(select(func.count()).select_from(IndexOutbox))
        context["engine"] = request.app.state.runtime.search.engine
    return render(request, "admin.html", context)


@router.post("/admin/sources")
def admin_add_source(session: SessionDep, runtime: RuntimeDep, form: dict = Depends(require_admin_form)):
    """Add a feed from /admin (same rules as `chipwatch sources add`)."""
    from app.ingest.sources import SourceError, add_source, check_feed_address, check_feed_url

    try:
        interval = int(str(form.get("interval") or 60))
        url = check_feed_url(str(form.get("url", "")))
        check_feed_address(url, allow_private=runtime.settings.allow_private_urls)
        add_source(session, url, name=str(form.get("name", "")),
                   lang=str(form.get("lang", "")), interval=interval)
    except (SourceError, ValueError) as exc:
        raise HTTPException(422, f"Cannot add this source: {exc}") from None
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/sources/{source_id}/remove")
def admin_remove_source(source_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep,
                        form: dict = Depends(require_admin_form)):
    """Stop polling a feed; its articles stay (same as `chipwatch sources remove`)."""
    from app.ingest.sources import SourceError, remove_source

    try:
        remove_source(session, str(source_id))
    except SourceError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/login")
async def admin_login(request: Request):
    form = await request.form()
    target = safe_next(str(form.get("next", "")), "")
    if not token_matches(request, str(form.get("token", ""))):
        return render(request, "admin.html", {"admin": False, "error": "That token is not right.",
                                              "next": target,
                                              "configured": bool(request.app.state.runtime.settings.admin_token)},
                      status_code=401)
    # Back to the page that asked for the login (e.g. the search to save as a view).
    response = RedirectResponse(target or "/admin", status_code=303)
    start_session(request, response)
    return response


@router.post("/admin/logout")
def admin_logout(form: dict = Depends(require_admin_form)):
    response = RedirectResponse("/", status_code=303)
    end_session(response)
    return response
