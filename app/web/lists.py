"""Export-control lists: the review page for links (/admin/lists) and its JSON twin (/api/lists)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.lists import service
from app.web.auth import admin_csrf, is_editor, require_editor_form
from app.web.deps import MAX_ID, RuntimeDep, SessionDep
from app.web.rendering import render
from app.web.schemas import READ_ERRORS, ListsOut

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"], responses=READ_ERRORS)
LinkId = Annotated[int, Path(ge=1, le=MAX_ID, description="List link id")]


@api_router.get("/lists", response_model=ListsOut)
def api_lists(session: SessionDep) -> dict:
    """The imported lists: parties listed and removed, links by status, the latest imports."""
    return service.summary(session)


@router.get("/admin/lists", response_class=HTMLResponse)
def admin_lists_page(request: Request, session: SessionDep):
    context = {
        "admin": is_editor(request),
        "csrf": admin_csrf(request, "editor"),
        "configured": bool(request.app.state.runtime.settings.admin_token),
    }
    if context["admin"]:
        context["summary"] = service.summary(session, imports=10)
        context["proposed"] = service.links(session, "proposed")
        context["decided"] = service.links(session, None, limit=300)
        context["unmatched_total"], context["unmatched"] = service.unmatched(session)
    return render(request, "admin_lists.html", context, alternate="/api/lists")


def _decide(link_id: int, decision: str, session, runtime) -> RedirectResponse:
    try:
        service.decide(session, link_id, decision, outbox=runtime.outbox)
    except service.LinkNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/admin/lists", status_code=303)


@router.post("/admin/lists/links/{link_id}/accept")
def admin_accept_link(
    link_id: LinkId,
    session: SessionDep,
    runtime: RuntimeDep,
    form: dict = Depends(require_editor_form),
):
    """Accept a proposed link: the party's list history now counts for the company's articles."""
    return _decide(link_id, "accepted", session, runtime)


@router.post("/admin/lists/links/{link_id}/reject")
def admin_reject_link(
    link_id: LinkId,
    session: SessionDep,
    runtime: RuntimeDep,
    form: dict = Depends(require_editor_form),
):
    """Reject a link (automatic or proposed): it no longer counts, and re-matching keeps it so."""
    return _decide(link_id, "rejected", session, runtime)
