"""Request dependencies as named aliases: SessionDep, FiltersDep, RuntimeDep, AdminDep."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from sqlalchemy.orm import Session

from app.filters import MAX_QUERY, Filters, parse_filters
from app.runtime import Runtime
from app.web.auth import token_matches


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the request owns the transaction."""
    session = request.app.state.runtime.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_filters(
    request: Request,
    q: Annotated[str, Query(max_length=MAX_QUERY, description="Text query")] = "",
    company: Annotated[list[str], Query(description="Company ids (repeatable)")] = [],  # noqa: B006
    chip: Annotated[list[str], Query()] = [],  # noqa: B006
    restriction: Annotated[list[str], Query()] = [],  # noqa: B006
    region: Annotated[list[str], Query()] = [],  # noqa: B006
    agency: Annotated[list[str], Query()] = [],  # noqa: B006
    lang: Annotated[list[str], Query()] = [],  # noqa: B006
    source: Annotated[list[str], Query()] = [],  # noqa: B006
    date_from: Annotated[str | None, Query(alias="from", description="ISO date, inclusive")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="ISO date, inclusive")] = None,
    sort: Annotated[str | None, Query(description="relevance (default with q), newest, oldest")] = None,
    page: Annotated[str | None, Query(description="From 1")] = None,
    per_page: Annotated[str | None, Query(description="At most 100")] = None,
    expand: Annotated[str | None, Query(description="0 turns entity expansion off")] = None,
) -> Filters:
    """The shared filters; declared here for the OpenAPI schema, parsed once by parse_filters."""
    return parse_filters(list(request.query_params.multi_items()))


def require_admin(request: Request) -> None:
    """Bearer admin token (constant-time compare); refused when no token is configured."""
    token = request.app.state.runtime.settings.admin_token
    if not token or not token.get_secret_value():
        raise HTTPException(403, "write access is disabled: set CHIPWATCH_ADMIN_TOKEN")
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token_matches(request, value):
        raise HTTPException(401, "admin token required", headers={"WWW-Authenticate": "Bearer"})


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[Session, Depends(get_session)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
AdminDep = Depends(require_admin)
