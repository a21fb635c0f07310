"""The starter set of feeds (/sources: shown to anyone, subscribed by an admin) and the Federal
Register source on /admin: the rules of `chipwatch sources add --starter|--federal-register`."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.web.auth import admin_csrf, is_admin, require_admin_form
from app.web.deps import RuntimeDep, SessionDep
from app.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, session: SessionDep):
    """The curated starter set with why each feed is there; nothing is subscribed by viewing."""
    from app.ingest.sources import list_sources
    from app.ingest.starter import starter_set

    feeds, not_listed = starter_set()
    subscribed = {s.url for s in list_sources(session)}
    return render(
        request,
        "sources.html",
        {
            "feeds": feeds,
            "not_listed": not_listed,
            "subscribed": subscribed,
            "admin": is_admin(request),
            "csrf": admin_csrf(request),
        },
    )


@router.post("/admin/sources/starter")
def admin_add_starter(session: SessionDep, form: dict = Depends(require_admin_form)):
    from app.ingest.sources import SourceError
    from app.ingest.starter import subscribe_starter

    try:
        subscribe_starter(session)
    except SourceError as exc:
        raise HTTPException(422, f"Cannot subscribe to the starter set: {exc}") from None
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/sources/federal-register")
def admin_add_federal_register(
    session: SessionDep, runtime: RuntimeDep, form: dict = Depends(require_admin_form)
):
    """Poll the Federal Register's documents API for one agency (default: BIS)."""
    from app.ingest.federal_register import DEFAULT_AGENCY, AgencyError, documents_url, source_name
    from app.ingest.sources import SourceError, add_source

    agency = str(form.get("agency") or "").strip() or DEFAULT_AGENCY
    try:
        interval = int(str(form.get("interval") or 120))
        add_source(
            session,
            documents_url(agency),
            name=source_name(agency),
            lang="en",
            interval=interval,
            kind="federal-register",
            tags=["Official"],
        )
    except (AgencyError, SourceError, ValueError) as exc:
        raise HTTPException(422, f"Cannot add this Federal Register source: {exc}") from None
    return RedirectResponse("/admin", status_code=303)
