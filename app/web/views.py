"""The admin page and the admin-token session (/admin); saved views live in saved_views.py."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.ingest import repository as ingest_repo
from app.search import repository as search_repo
from app.web.auth import (
    admin_csrf,
    end_session,
    is_admin,
    require_admin_form,
    start_session,
    token_matches,
)
from app.web.deps import RuntimeDep, SessionDep
from app.web.redirects import safe_next
from app.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, session: SessionDep, next: str = ""):  # noqa: A002
    context = {
        "admin": is_admin(request),
        "csrf": admin_csrf(request),
        "next": safe_next(next, ""),
        "configured": bool(request.app.state.runtime.settings.admin_token),
    }
    if context["admin"]:
        context["sources"] = ingest_repo.sources_by_name(session)
        context["rejections"] = ingest_repo.latest_rejections(session, 50)
        context["articles"] = search_repo.article_count(session)
        context["lag"] = search_repo.outbox_lag(session)
        context["engine"] = request.app.state.runtime.search.engine
    return render(request, "admin.html", context)


@router.post("/admin/sources")
def admin_add_source(
    session: SessionDep, runtime: RuntimeDep, form: dict = Depends(require_admin_form)
):
    """Add a feed from /admin (same rules as `chipwatch sources add`)."""
    from app.ingest.sources import SourceError, add_source, check_feed_address, check_feed_url

    try:
        interval = int(str(form.get("interval") or 60))
        url = check_feed_url(str(form.get("url", "")))
        check_feed_address(url, allow_private=runtime.settings.allow_private_urls)
        add_source(
            session,
            url,
            name=str(form.get("name", "")),
            lang=str(form.get("lang", "")),
            interval=interval,
        )
    except (SourceError, ValueError) as exc:
        raise HTTPException(422, f"Cannot add this source: {exc}") from None
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin/sources.opml")
def admin_export_sources(request: Request, session: SessionDep):
    """The polled sources as an OPML download (same as `chipwatch sources export`)."""
    from app.ingest.opml import export_opml

    if not is_admin(request):
        raise HTTPException(401, "Log in as admin first (/admin).")
    return Response(
        export_opml(session),
        media_type="text/x-opml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="chipwatch-sources.opml"'},
    )


@router.post("/admin/sources/import")
async def admin_import_sources(
    request: Request, runtime: RuntimeDep, form: dict = Depends(require_admin_form)
):
    """Subscribe to an uploaded OPML file's feeds (same as `chipwatch sources import`): all or
    nothing, a problem shown with its line."""
    from starlette.concurrency import run_in_threadpool

    from app.ingest.opml import OpmlError, import_opml

    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(422, "Choose an OPML file to import.")
    data = await upload.read()

    def run() -> str:
        with runtime.sessions.begin() as session:
            return import_opml(
                session, data, allow_private=runtime.settings.allow_private_urls
            ).summary()

    try:
        summary = await run_in_threadpool(run)
    except OpmlError as exc:
        raise HTTPException(
            422, f"Cannot import {upload.filename or 'this file'}: {exc}. Nothing was imported."
        ) from None
    return render(request, "admin_imported.html", {"summary": summary})


@router.post("/admin/sources/{source_id}/remove")
def admin_remove_source(
    source_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    form: dict = Depends(require_admin_form),
):
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
        return render(
            request,
            "admin.html",
            {
                "admin": False,
                "error": "That token is not right.",
                "next": target,
                "configured": bool(request.app.state.runtime.settings.admin_token),
            },
            status_code=401,
        )
    # Back to the page that asked for the login (e.g. the search to save as a view).
    response = RedirectResponse(target or "/admin", status_code=303)
    start_session(request, response)
    return response


@router.post("/admin/logout")
def admin_logout(request: Request, form: dict = Depends(require_admin_form)):
    response = RedirectResponse("/", status_code=303)
    end_session(request, response)
    return response
