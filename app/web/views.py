"""The admin page and the admin-token session (/admin); saved views live in saved_views.py."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

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
    context = {"admin": is_admin(request), "csrf": admin_csrf(request), "next": safe_next(next, ""),
               "configured": bool(request.app.state.runtime.settings.admin_token)}
    if context["admin"]:
        context["sources"] = ingest_repo.sources_by_name(session)
        context["rejections"] = ingest_repo.latest_rejections(session, 50)
        context["articles"] = search_repo.article_count(session)
        context["lag"] = search_repo.outbox_lag(session)
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
def admin_logout(request: Request, form: dict = Depends(require_admin_form)):
    response = RedirectResponse("/", status_code=303)
    end_session(request, response)
    return response
