"""Notes on articles: forms on the article page (CSRF) and a JSON twin (bearer writes)."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.accounts.principal import check_csrf, resolve
from app.notes import service as notes
from app.web.deps import MAX_ID, ArticleId, SessionDep
from app.web.schemas import errors

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["notes"], responses=errors(401, 403, 404, 422, 429))
NoteId = Annotated[int, Path(ge=1, le=MAX_ID, description="Note id")]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Annotated[str, Field(min_length=1, max_length=notes.MAX_BODY)]
    visibility: Literal["private", "team"] = "private"


class NoteOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    article_id: int
    author: str
    visibility: str
    body: str
    created_at: str


class NotesOut(BaseModel):
    notes: list[NoteOut]


def _http(exc: notes.NoteError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


def _bearer(request: Request, session):
    principal = resolve(request, session)
    if principal.kind != "user" or principal.via != "bearer":
        raise HTTPException(
            401,
            "Notes belong to users: send 'Authorization: Bearer <personal API token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


@api_router.get("/articles/{article_id}/notes", response_model=NotesOut)
def api_notes(article_id: ArticleId, request: Request, session: SessionDep) -> dict:
    """The caller's notes on an article and the team's (none without a user)."""
    return {"notes": notes.for_article(session, resolve(request, session), article_id)}


@api_router.post("/articles/{article_id}/notes", response_model=NoteOut, status_code=201)
def api_add_note(
    article_id: ArticleId, body: NoteIn, request: Request, session: SessionDep
) -> dict:
    principal = _bearer(request, session)
    try:
        note = notes.add(session, principal, article_id, body.body, body.visibility)
    except notes.NoteError as exc:
        raise _http(exc) from None
    return notes.to_json(note, principal.name, principal)


@api_router.delete("/notes/{note_id}", status_code=204)
def api_delete_note(note_id: NoteId, request: Request, session: SessionDep) -> Response:
    try:
        notes.delete(session, _bearer(request, session), note_id)
    except notes.NoteError as exc:
        raise _http(exc) from None
    return Response(status_code=204)


async def _form(request: Request, session):
    form = dict(await request.form())
    principal = await run_in_threadpool(resolve, request, session)
    check_csrf(principal, form)
    return principal, form


@router.post("/articles/{article_id}/notes")
async def add_note(article_id: ArticleId, request: Request, session: SessionDep):
    principal, form = await _form(request, session)
    try:
        await run_in_threadpool(
            notes.add,
            session,
            principal,
            article_id,
            form.get("body"),
            form.get("visibility", "private"),
        )
    except notes.NoteError as exc:
        raise _http(exc) from None
    return RedirectResponse(f"/articles/{article_id}", status_code=303)


@router.post("/notes/{note_id}/delete")
async def delete_note(note_id: NoteId, request: Request, session: SessionDep):
    principal, _form_data = await _form(request, session)
    try:
        article_id = await run_in_threadpool(notes.delete, session, principal, note_id)
    except notes.NoteError as exc:
        raise _http(exc) from None
    return RedirectResponse(f"/articles/{article_id}", status_code=303)
