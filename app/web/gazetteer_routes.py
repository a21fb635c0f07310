"""Gazetteer review: /admin/gazetteer (editors and admins, CSRF-protected forms) and its JSON
twin /api/gazetteer/suggestions.

Editors accept a suggestion as a new entity or as an alias of an existing one, or reject it;
they also edit any entity (aliases, family or maker, dates, a restriction's timeline entry) as
JSON in the shipped format. Every change goes to the overlay (app/gazetteer/overlay.py), which
queues a re-tag of the affected articles for the worker; its progress shows on the page.
"""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.accounts.principal import Principal, resolve
from app.article import retag
from app.gazetteer import overlay, suggestions
from app.models import GazetteerChange
from app.runtime import Runtime
from app.search import entity_cache
from app.web.auth import admin_csrf, is_editor, require_editor_form
from app.web.deps import MAX_ID, RuntimeDep, SessionDep
from app.web.rendering import error_response, render
from app.web.schemas import errors

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"])
SuggestionId = Annotated[int, Path(ge=1, le=MAX_ID, description="Suggestion id")]
EntityId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$", description="Entity id")]
PAGE = "/admin/gazetteer"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,99}$"


def _editor(request: Request, session: Session) -> Principal:
    principal = resolve(request, session)
    if principal.kind == "anonymous" or principal.kind == "read-token":
        raise HTTPException(
            401, "Log in as an editor (/account/login), or send an editor's or the admin token."
        )
    if not principal.at_least("editor"):
        raise HTTPException(403, "This needs the editor role.")
    return principal


@api_router.get("/gazetteer/suggestions", responses=errors(401, 403, 422, 429))
def api_suggestions(
    request: Request,
    session: SessionDep,
    status: Annotated[str, Query(pattern="^(open|accepted|rejected|all)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict:
    """Names the gazetteer lacks, the best attested first (editors and admins): each with `id`,
    `type`, `name`, `count` (articles), `examples` (sentences with article ids and links) and
    `of` (the entity it would become an alias of, or null)."""
    _editor(request, session)
    rows = suggestions.listing(session, None if status == "all" else status, limit)
    return {
        "version": overlay.effective_gazetteer(session).version,
        "suggestions": [suggestions.as_dict(r) for r in rows],
    }


class AcceptIn(BaseModel):
    """How to accept a suggestion: nothing (as proposed), `as` (an alias of that entity), or a
    new entity's canonical `name`, `entity_id` and `parent` (family or maker, parent company)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    as_entity: Annotated[
        str | None,
        Field(alias="as", pattern=ID_PATTERN, description="Accept as an alias of this entity"),
    ] = None
    name: Annotated[
        str | None, Field(min_length=1, max_length=200, description="Canonical name")
    ] = None
    entity_id: Annotated[
        str | None, Field(pattern=ID_PATTERN, description="Id of the new entity")
    ] = None
    parent: Annotated[
        str | None, Field(pattern=ID_PATTERN, description="Family or maker, parent company")
    ] = None


class ChangeOut(BaseModel):
    id: int
    entity_id: str
    action: str
    by: str
    at: str


class DecisionOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    suggestion: dict = Field(description="The suggestion as listed by /api/gazetteer/suggestions")
    change: ChangeOut | None = Field(
        None, description="The overlay change an acceptance made (it queues the re-tag)"
    )
    version: str = Field(description="The gazetteer version after the decision")


DECISION_ERRORS = errors(401, 403, 404, 409, 422, 429)


def _api_editor(request: Request, session: Session) -> Principal:
    """JSON writes take a bearer token only (an editor's or admin's personal token, or the
    admin token): a session cookie alone would let another site post on the editor's behalf."""
    principal = resolve(request, session)
    if principal.via != "bearer" or principal.kind in ("anonymous", "read-token"):
        if principal.kind == "read-token":
            raise HTTPException(403, "This needs the editor role; the read token only reads.")
        raise HTTPException(
            401,
            "Send 'Authorization: Bearer <token>': an editor's or admin's personal API token, "
            "or the admin token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not principal.at_least("editor"):
        raise HTTPException(403, "This needs the editor role.")
    return principal


def _bad_field(request: Request, field: str, message: str):
    return error_response(request, 422, f"{field}: {message}", [{"param": field, "msg": message}])


def _decision_error(request: Request, exc: Exception):
    if isinstance(exc, suggestions.UnknownSuggestion):
        raise HTTPException(404, str(exc))
    if isinstance(exc, suggestions.AlreadyDecided):
        raise HTTPException(409, str(exc))
    return error_response(request, 422, str(exc), [{"param": "body", "msg": str(exc)}])


def _change(change: GazetteerChange | None) -> dict | None:
    if change is None:
        return None
    return {
        "id": change.id,
        "entity_id": change.entity_id,
        "action": change.action,
        "by": change.by,
        "at": change.at.isoformat(),
    }


def _decided(
    session: Session, runtime: Runtime, suggestion_id: int, change: GazetteerChange | None
) -> dict:
    out: dict = {"change": _change(change)}
    session.commit()
    if change is not None:  # tag with the new gazetteer here at once (other processes follow)
        runtime.refresh_gazetteer(force=True)
        entity_cache.clear()
    out["suggestion"] = suggestions.as_dict(suggestions.get(session, suggestion_id))
    out["version"] = overlay.effective_gazetteer(session).version
    return out


@api_router.post(
    "/gazetteer/suggestions/{suggestion_id}/accept",
    response_model=DecisionOut,
    responses=DECISION_ERRORS,
)
def api_accept(
    suggestion_id: SuggestionId,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    body: AcceptIn | None = None,
):
    """Accept a suggestion (editors and admins; bearer token): with no body as proposed (an
    alias of its `of`, or a new entity), with `as` as an alias of that entity, or as a new
    entity named `name` with id `entity_id` and `parent`. The change goes to the overlay with
    its history and re-tags the affected articles in the background. 404: no such suggestion;
    409: already accepted or rejected; 422: a field that cannot be used, named."""
    principal = _api_editor(request, session)
    body = body or AcceptIn()
    try:
        row = suggestions.get(session, suggestion_id)
    except suggestions.SuggestionError as exc:
        return _decision_error(request, exc)
    if row.status != "open":
        raise HTTPException(409, f"suggestion {suggestion_id} is already {row.status}")
    current = overlay.effective_gazetteer(session)
    target = body.as_entity or row.of
    for field, value in (("as", body.as_entity), ("parent", body.parent)):
        if value and value not in current.entities:
            return _bad_field(request, field, f"no entity {value!r}")
    if target:
        for field, value in (("entity_id", body.entity_id), ("parent", body.parent)):
            if value:
                return _bad_field(
                    request, field, f"only for a new entity; this accepts an alias of {target}"
                )
    elif body.entity_id and body.entity_id in current.entities:
        return _bad_field(request, "entity_id", f"{body.entity_id!r} is taken")
    try:
        change = suggestions.accept(
            session,
            suggestion_id,
            principal.actor,
            as_entity=body.as_entity,
            name=body.name,
            entity_id=body.entity_id,
            overrides={"parent": body.parent} if body.parent else None,
        )
    except (suggestions.SuggestionError, overlay.OverlayError) as exc:
        session.rollback()
        return _decision_error(request, exc)
    return _decided(session, runtime, suggestion_id, change)


@api_router.post(
    "/gazetteer/suggestions/{suggestion_id}/reject",
    response_model=DecisionOut,
    responses=DECISION_ERRORS,
)
def api_reject(
    suggestion_id: SuggestionId, request: Request, session: SessionDep, runtime: RuntimeDep
):
    """Reject a suggestion (editors and admins; bearer token): the name is never proposed
    again. 404: no such suggestion; 409: already accepted or rejected."""
    principal = _api_editor(request, session)
    try:
        suggestions.reject(session, suggestion_id, principal.actor)
    except suggestions.SuggestionError as exc:
        return _decision_error(request, exc)
    return _decided(session, runtime, suggestion_id, None)


def _page_context(
    request: Request,
    session: Session,
    runtime: Runtime,
    entity: str | None,
    error: str | None = None,
) -> dict:
    context: dict = {
        "admin": is_editor(request),
        "csrf": admin_csrf(request, "editor"),
        "configured": bool(runtime.settings.admin_token)
        or resolve(request, session).kind == "user",
        "error": error,
    }
    if not context["admin"]:
        return context
    effective = overlay.effective_gazetteer(session)
    context.update(
        version=effective.version,
        open=[suggestions.as_dict(r) for r in suggestions.listing(session, "open", 200)],
        decided=[
            suggestions.as_dict(r)
            for r in suggestions.listing(session, "accepted", 30)
            + suggestions.listing(session, "rejected", 30)
        ],
        jobs=retag.jobs(session, 10),
        history=overlay.history(session, limit=30),
        entity=None,
        entity_id=entity or "",
        entity_json="",
    )
    if entity:
        found = effective.entities.get(entity)
        if found is None:
            context["error"] = context["error"] or f"No entity {entity!r}."
        else:
            context["entity"] = found
            context["entity_json"] = json.dumps(found.raw, ensure_ascii=False, indent=2)
            context["entity_history"] = overlay.history(session, entity, limit=20)
    return context


@router.get(PAGE, response_class=HTMLResponse)
def admin_gazetteer_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    entity: Annotated[str | None, Query(max_length=100)] = None,
):
    return render(
        request,
        "admin_gazetteer.html",
        _page_context(request, session, runtime, entity),
        alternate="/api/gazetteer/suggestions",
    )


def _applied(runtime: Runtime, target: str = PAGE) -> RedirectResponse:
    """After a change: this process tags with the new gazetteer at once (others within seconds)."""
    runtime.refresh_gazetteer(force=True)
    entity_cache.clear()
    return RedirectResponse(target, status_code=303)


def _actor(request: Request, session: Session) -> str:
    return resolve(request, session).actor


def _refused(
    request: Request, session: Session, runtime: Runtime, message: str, entity: str | None = None
):
    session.rollback()
    return render(
        request,
        "admin_gazetteer.html",
        _page_context(request, session, runtime, entity, message),
        status_code=422,
    )


@router.post(PAGE + "/suggestions/{suggestion_id}/accept")
def admin_accept(
    suggestion_id: SuggestionId,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    form: dict = Depends(require_editor_form),
):
    """Accept: as a new entity (optional canonical name, id, type, parent, names per language as
    JSON), or with `as_entity` as an alias of that entity."""

    def field(name: str) -> str | None:
        value = str(form.get(name, "")).strip()
        return value or None

    overrides: dict = {}
    if field("parent"):
        overrides["parent"] = field("parent")
    if field("type"):
        overrides["type"] = field("type")
    if field("aliases"):
        try:
            overrides["aliases"] = json.loads(str(field("aliases")))
        except json.JSONDecodeError as exc:
            return _refused(request, session, runtime, f"Names per language: not JSON: {exc}")
    try:
        suggestions.accept(
            session,
            suggestion_id,
            _actor(request, session),
            as_entity=field("as_entity"),
            name=field("name"),
            entity_id=field("entity_id"),
            overrides=overrides or None,
        )
    except suggestions.SuggestionError as exc:
        if "no suggestion" in str(exc):
            raise HTTPException(404, str(exc)) from None
        return _refused(request, session, runtime, str(exc))
    except overlay.OverlayError as exc:
        return _refused(request, session, runtime, str(exc))
    session.commit()
    return _applied(runtime)


@router.post(PAGE + "/suggestions/{suggestion_id}/reject")
def admin_reject(
    suggestion_id: SuggestionId,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    form: dict = Depends(require_editor_form),
):
    """Reject: the name is never proposed again."""
    try:
        suggestions.reject(session, suggestion_id, _actor(request, session))
    except suggestions.SuggestionError as exc:
        if "no suggestion" in str(exc):
            raise HTTPException(404, str(exc)) from None
        return _refused(request, session, runtime, str(exc))
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/entities/{entity_id}")
def admin_save_entity(
    entity_id: EntityId,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    form: dict = Depends(require_editor_form),
):
    """Replace an entity with the JSON given (the shipped shape): aliases, parent, dates, a
    restriction's timeline fields."""
    try:
        payload = json.loads(str(form.get("payload", "")))
    except json.JSONDecodeError as exc:
        return _refused(request, session, runtime, f"Not JSON: {exc}", entity_id)
    if not isinstance(payload, dict) or payload.get("id") != entity_id:
        return _refused(
            request,
            session,
            runtime,
            f"The JSON must be one entity with id {entity_id!r}.",
            entity_id,
        )
    try:
        overlay.put_entity(session, payload, _actor(request, session))
    except overlay.OverlayError as exc:
        return _refused(request, session, runtime, str(exc), entity_id)
    session.commit()
    return _applied(runtime, f"{PAGE}?entity={entity_id}")


@router.post(PAGE + "/entities/{entity_id}/aliases/{action}")
def admin_alias(
    entity_id: EntityId,
    action: Annotated[str, Path(pattern="^(add|remove)$")],
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    form: dict = Depends(require_editor_form),
):
    """Add or remove one alias (in a language)."""
    alias, lang = str(form.get("alias", "")).strip(), str(form.get("lang", "")).strip() or None
    try:
        if action == "add":
            overlay.add_alias(session, entity_id, alias, lang or "en", _actor(request, session))
        else:
            overlay.remove_alias(session, entity_id, alias, _actor(request, session), lang=lang)
    except overlay.OverlayError as exc:
        return _refused(request, session, runtime, str(exc), entity_id)
    session.commit()
    return _applied(runtime, f"{PAGE}?entity={entity_id}")
