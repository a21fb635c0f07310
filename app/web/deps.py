"""Request dependencies as named aliases: SessionDep, FiltersDep, RuntimeDep, AdminDep."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.filters import LANG, MAX_QUERY, MAX_VALUES, SLUG, FilterError, Filters, parse_filters
from app.runtime import Runtime
from app.web.auth import token_matches


# Cheap dependencies are coroutines: FastAPI runs a plain def in the thread pool, a hop that
# costs more than their work.
async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; the request owns the transaction. Making a session does no
    I/O (it connects on first use); ending one that began a transaction does, so that runs in
    the thread pool. A session never used (a search answered from memory and Meilisearch)
    began nothing: it is closed here, without the hop to a thread."""
    runtime = request.app.state.runtime
    if runtime.gazetteer_due():  # another process accepted a gazetteer change: tag with it
        await run_in_threadpool(runtime.refresh_gazetteer)
    session = runtime.sessions()
    try:
        yield session
    except BaseException:
        await _finish(session, False)
        raise
    await _finish(session, True)


async def _finish(session: Session, commit: bool) -> None:
    if session.get_transaction() is None:  # no connection, nothing added: no I/O to do
        session.close()
    else:
        await run_in_threadpool(_end, session, commit)


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def _ids(what: str) -> Any:
    """A repeatable entity-id parameter, with the accepted form in the schema."""
    return Query(
        description=f"{what} ids (repeatable: OR within, AND across)",
        json_schema_extra={
            "items": {"type": "string", "pattern": SLUG.pattern},
            "maxItems": MAX_VALUES,
        },
    )


def filter_query(
    q: Annotated[str, Query(max_length=MAX_QUERY, description="Text query")] = "",
    company: Annotated[list[str], _ids("Company")] = [],  # noqa: B006
    chip: Annotated[list[str], _ids("Chip")] = [],  # noqa: B006
    restriction: Annotated[list[str], _ids("Restriction")] = [],  # noqa: B006
    region: Annotated[list[str], _ids("Region")] = [],  # noqa: B006
    agency: Annotated[list[str], _ids("Agency")] = [],  # noqa: B006
    lang: Annotated[
        list[str],
        Query(
            description="Language codes such as ar, en, zh, fr (repeatable)",
            json_schema_extra={
                "items": {"type": "string", "pattern": LANG.pattern},
                "maxItems": MAX_VALUES,
            },
        ),
    ] = [],  # noqa: B006
    source: Annotated[
        list[str],
        Query(description="Source names (repeatable)", json_schema_extra={"maxItems": MAX_VALUES}),
    ] = [],  # noqa: B006
    date_from: Annotated[
        str | None,
        Query(
            alias="from", description="ISO date, inclusive", json_schema_extra={"format": "date"}
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(alias="to", description="ISO date, inclusive", json_schema_extra={"format": "date"}),
    ] = None,
    sort: Annotated[
        str | None,
        Query(
            description="relevance (default with q), newest, oldest",
            json_schema_extra={"enum": ["relevance", "newest", "oldest"]},
        ),
    ] = None,
    page: Annotated[
        str | None,
        Query(
            description="From 1 (at most 10000)",
            json_schema_extra={"pattern": r"^([1-9][0-9]{0,3}|10000)$"},
        ),
    ] = None,
    per_page: Annotated[
        str | None,
        Query(
            description="1 to 100 (default 20)",
            json_schema_extra={"pattern": r"^([1-9][0-9]?|100)$"},
        ),
    ] = None,
    expand: Annotated[str | None, Query(description="0 turns entity expansion off")] = None,
    match: Annotated[
        str | None,
        Query(
            description="any (default): ranked, a hit needs the query's names and concepts or most "
            "of its words; all: every word is required",
            json_schema_extra={"enum": ["any", "all"]},
        ),
    ] = None,
    listed: Annotated[
        list[str],
        Query(
            description="yes: a company tagged on the article was on an export-control list at its "
            "date; no: none was (repeatable)",
            json_schema_extra={"items": {"type": "string", "enum": ["yes", "no"]}, "maxItems": 2},
        ),
    ] = [],  # noqa: B006
    lists: Annotated[
        list[str],
        Query(
            alias="list",
            description="Export-control list ids such as entity-list: a tagged company "
            "was on it at the article's date (repeatable)",
            json_schema_extra={
                "items": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{0,59}$"},
                "maxItems": MAX_VALUES,
            },
        ),
    ] = [],  # noqa: B006
    has_note: Annotated[
        str | None,
        Query(
            description="1: only articles with a note the caller may read (their own private notes "
            "and the team's; without a user, the team's)",
            json_schema_extra={"enum": ["0", "1"]},
        ),
    ] = None,
    restriction_role: Annotated[
        list[str],
        Query(
            description="reported: the article reports the restriction (with `restriction`, that one; "
            "without, any); context: it refers back to it. Both, or none: either",
            json_schema_extra={
                "items": {"type": "string", "enum": ["reported", "context"]},
                "maxItems": 2,
            },
        ),
    ] = [],  # noqa: B006
) -> None:
    """The shared filters' query parameters as the OpenAPI schema documents them; never called.
    app/main.py adds them to every operation that takes FiltersDep (filter_parameters)."""


def filter_parameters() -> list[dict]:
    """The OpenAPI parameters of filter_query, as FastAPI writes them for an operation."""
    probe = FastAPI()

    @probe.get("/")
    def _probe(_: Annotated[None, Depends(filter_query)]) -> None: ...

    schema = get_openapi(title="", version="", routes=probe.routes)
    return schema["paths"]["/"]["get"]["parameters"]


# Query string -> its Filters, for query strings parsed before (a view reloaded or polled):
# Filters are frozen and a function of the query string alone; refusals are not kept.
_PARSED: dict[bytes, Filters] = {}
MAX_PARSED, MAX_PARSED_QUERY = 4096, 2048  # entries (all forgotten when full), bytes


async def get_filters(request: Request) -> Filters:
    """The shared filters, parsed once by parse_filters from the query string. FastAPI does not
    validate them (19 declared parameters cost it about 0.1 ms per request, for one check:
    the length of q, made here the same way, with the same 422)."""
    raw = request.scope.get("query_string", b"")
    filters = _PARSED.get(raw)
    if filters is None:
        filters = _parse_filters(request)
        if len(raw) <= MAX_PARSED_QUERY and not filters.has_note:
            if len(_PARSED) >= MAX_PARSED:
                _PARSED.clear()
            _PARSED[raw] = filters
    if filters.has_note:  # the viewer's noted articles: database work, off the event loop
        filters = await run_in_threadpool(resolve_note_filter, request, filters)
    return filters


def _parse_filters(request: Request) -> Filters:
    items = list(request.query_params.multi_items())
    typed = [value for key, value in items if key == "q"]
    if typed and len(typed[-1]) > MAX_QUERY:  # FastAPI read the last q
        raise RequestValidationError(
            [
                {
                    "type": "string_too_long",
                    "loc": ("query", "q"),
                    "msg": f"String should have at most {MAX_QUERY} characters",
                    "input": typed[-1],
                    "ctx": {"max_length": MAX_QUERY},
                }
            ]
        )
    nul = sorted({key for key, value in items if "\x00" in value})
    if nul:  # PostgreSQL refuses NUL in text: a clear 422 instead of a 500
        raise FilterError([{"param": key, "msg": "contains a NUL character"} for key in nul])
    return parse_filters(items)


def resolve_note_filter(
    request: Request, filters: Filters, session: Session | None = None
) -> Filters:
    """has_note resolved for whoever asks (app/notes/service.py with_note_ids)."""
    from app.accounts.principal import resolve
    from app.notes.service import with_note_ids

    if session is not None:
        return with_note_ids(session, resolve(request, session), filters)
    viewer = resolve(request)  # in its own session, which it commits (a token's last use)
    with request.app.state.runtime.sessions() as own:
        return with_note_ids(own, viewer, filters)


admin_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="adminToken",
    description="CHIPWATCH_ADMIN_TOKEN, as `Authorization: Bearer <token>`",
)


def require_admin(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(admin_bearer)] = None,
) -> None:
    """Bearer admin token (constant-time compare) or an admin user's personal token; refused
    when neither kind exists."""
    from app.accounts.principal import resolve

    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    principal = resolve(request)
    if principal.via == "bearer" and principal.kind == "user":
        if principal.role == "admin":
            return
        raise HTTPException(
            403, f"This needs the admin role; {principal.name} is {principal.role}."
        )
    token = request.app.state.runtime.settings.admin_token
    if not token or not token.get_secret_value():
        raise HTTPException(403, "write access is disabled: set CHIPWATCH_ADMIN_TOKEN")
    if scheme.lower() != "bearer" or not token_matches(request, value):
        raise HTTPException(401, "admin token required", headers={"WWW-Authenticate": "Bearer"})


MAX_ID = 2**31 - 1  # integer primary keys (PostgreSQL int4); larger ids are a 422, not a 500
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="Article id")]
ViewId = Annotated[int, Path(ge=1, le=MAX_ID, description="Saved view id")]

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# scope="function": the transaction commits before the response leaves (a client that
# follows the 303 of a write sees it; a failed commit is an error answer, not a lost write).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# Its parameters are in the schema (filter_query), not in its signature: see get_filters.
FiltersDep = Annotated[Filters, Depends(get_filters)]
AdminDep = Depends(require_admin)
