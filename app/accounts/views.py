"""Saved views with owners: who may see and change which view, and what is new in it.

A view is `private` (its owner only) or `team` (everyone who may read). Views saved before
accounts, or with the admin token, have no owner and are team views. Readers save private
views; editors and admins may also publish to the team. A private view is its owner's alone:
nobody else (not an admin either) reads, renames or deletes it.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from sqlalchemy.orm import Session

from app.accounts import repository
from app.accounts.principal import Principal
from app.filters import FilterError, Filters, parse_filters
from app.models import Article, SavedView, as_utc
from app.search.query import plan_query

MAX_NAME = 200
VISIBILITIES = ("private", "team")


class ViewError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def clean_name(raw: object) -> str:
    # Control characters (NUL above all: PostgreSQL refuses it) are spaces in a name.
    name = " ".join("".join(c if c.isprintable() else " " for c in str(raw or "")).split())
    if not name or len(name) > MAX_NAME:
        raise ViewError(422, f"name: a view needs a name of 1 to {MAX_NAME} characters.")
    return name


def parse_query(raw: object) -> Filters:
    if not isinstance(raw, str):
        raise ViewError(
            422, "query: the filters must be a query string such as 'chip=h20&lang=ar'."
        )
    try:
        return parse_filters(parse_qsl(raw.lstrip("?"), keep_blank_values=False))
    except FilterError as exc:
        raise ViewError(422, f"query: the view's filters are invalid: {exc}") from None


def clean_query(raw: object) -> str:
    return parse_query(raw).query_string(paging=False)


def may_save(principal: Principal) -> bool:
    return principal.kind in ("user", "admin-token")


def may_read(view: SavedView, principal: Principal) -> bool:
    return view.visibility == "team" or (
        principal.kind == "user" and view.owner_id == principal.user_id
    )


def may_edit(view: SavedView, principal: Principal) -> bool:
    if principal.kind == "user" and view.owner_id == principal.user_id:
        return True
    return view.visibility == "team" and principal.at_least("editor")


def check_visibility(visibility: object, principal: Principal) -> str:
    if visibility not in VISIBILITIES:
        raise ViewError(422, "visibility: use 'private' or 'team'.")
    if visibility == "team" and not principal.at_least("editor"):
        raise ViewError(403, "visibility: only editors and admins may publish a view to the team.")
    if visibility == "private" and principal.kind != "user":
        raise ViewError(
            422, "visibility: a private view needs a user; the admin token saves team views."
        )
    return visibility


def visible(session: Session, principal: Principal) -> list[SavedView]:
    return repository.views_visible_to(session, principal)


def get(session: Session, view_id: int, principal: Principal, *, edit: bool = False) -> SavedView:
    view = session.get(SavedView, view_id)
    if view is None:
        raise ViewError(404, f"There is no saved view {view_id}.")
    if not may_read(view, principal):
        raise ViewError(403, f"Saved view {view_id} is private to its owner.")
    if edit and not may_edit(view, principal):
        if principal.kind == "anonymous":
            raise ViewError(401, "Log in (or send a personal API token) to change saved views.")
        raise ViewError(403, f"You may not change saved view {view_id}.")
    return view


def _name_taken(session: Session, owner_id: int | None, name: str, but: int | None = None) -> bool:
    return repository.view_name_taken(session, owner_id, name, but)


def newest_id(session: Session) -> int:
    return repository.newest_article_id(session)


def create(
    session: Session,
    principal: Principal,
    name: object,
    query: object,
    visibility: object | None = None,
) -> SavedView:
    if not may_save(principal):
        raise ViewError(401, "Log in (or send a personal API token) to save views.")
    name = clean_name(name)
    if visibility is None:
        visibility = "private" if principal.kind == "user" else "team"
    visibility = check_visibility(visibility, principal)
    owner = principal.user_id if principal.kind == "user" else None
    if _name_taken(session, owner, name):
        raise ViewError(409, f"A view named {name!r} already exists.")
    view = SavedView(
        name=name,
        query=clean_query(query),
        visibility=visibility,
        owner_id=owner,
        updated_by=principal.actor,
        opened_mark=newest_id(session),
    )
    session.add(view)
    session.flush()
    return view


def update(
    session: Session,
    view: SavedView,
    principal: Principal,
    *,
    name: object = None,
    query: object = None,
    visibility: object = None,
) -> SavedView:
    """Rename, re-save with new filters or change visibility: the id stays."""
    if name is not None:
        name = clean_name(name)
        if _name_taken(session, view.owner_id, name, but=view.id):
            raise ViewError(409, f"A view named {name!r} already exists.")
        view.name = name
    if query is not None:
        view.query = clean_query(query)
    if visibility is not None and visibility != view.visibility:
        if principal.kind != "user" or view.owner_id != principal.user_id:
            raise ViewError(403, "visibility: only the view's owner may change it.")
        view.visibility = check_visibility(visibility, principal)
    view.updated_at = datetime.now(UTC)
    view.updated_by = principal.actor
    session.flush()
    return view


def new_since_opened(
    session: Session, runtime, view: SavedView, notes: Callable[[Filters], Filters] | None = None
) -> int:
    """Articles matching the view that arrived after its owner last opened it, counted by the
    database search (always there, whatever engine serves pages) over ids above the mark.
    notes resolves has_note for the owner (app/notes, which this package may not import)."""
    try:
        filters = parse_query(view.query)
    except ViewError:
        return 0
    if notes is not None:
        filters = notes(filters)
    plan = plan_query(filters.q, runtime.query_tagger, filters.expand)
    return count_after(session, runtime, filters, plan, view.opened_mark)


def matching_after(
    session: Session, runtime, filters: Filters, plan, after_id: int, limit: int | None = None
):
    stmt, _rank = runtime.db_search._matching(filters, plan)
    stmt = stmt.where(Article.id > after_id).order_by(Article.id)
    if limit:
        stmt = stmt.limit(limit)
    params = {"match": _fts(plan)} if plan and runtime.db_search.engine == "sqlite" else {}
    return stmt, params


def count_after(session: Session, runtime, filters: Filters, plan, after_id: int) -> int:
    stmt, params = matching_after(session, runtime, filters, plan, after_id)
    return repository.count_rows(session, stmt, params)


def _fts(plan) -> str:
    from app.search.database import fts_expression

    return fts_expression(plan)


def mark_opened(session: Session, view: SavedView, principal: Principal) -> None:
    if principal.kind == "user" and view.owner_id == principal.user_id:
        view.opened_mark = newest_id(session)


def to_json(view: SavedView, owners: dict[int, str], new: int | None = None) -> dict:
    out = {
        "id": view.id,
        "name": view.name,
        "query": view.query,
        "visibility": view.visibility,
        "owner": owners.get(view.owner_id) if view.owner_id else None,
        "url": "/?" + view.query,
        "open": f"/views/{view.id}",
        "feed": "/feed.atom?" + view.query,
        "csv": "/export.csv?" + view.query,
        "created_at": as_utc(view.created_at).isoformat(),
        "updated_at": as_utc(view.updated_at).isoformat() if view.updated_at else None,
    }
    if new is not None:
        out["new_since_opened"] = new
    return out
