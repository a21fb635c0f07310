"""All SQL about notes: which notes a viewer may read, and the reads of the article page, the
has_note filter and the CSV export. Everything runs in the caller's session."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.principal import Principal
from app.notes.models import Note


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    if principal.kind != "user":
        return false()
    return or_(Note.user_id == principal.user_id, Note.visibility == "team")


def filter_clause(principal: Principal) -> ColumnElement[bool]:
    """The notes the has_note filter counts for this viewer: a user's own notes and the team's;
    any other viewer (the read or admin token, anyone on an open deployment) has no notes of
    its own, so the team's alone. The filter tells which articles carry a team note, never
    its text (the article page shows notes to logged-in users only)."""
    if principal.kind != "user":
        return Note.visibility == "team"
    return visible_clause(principal)


def noted_article_ids(session: Session, principal: Principal) -> frozenset[int]:
    noted = select(Note.article_id).where(filter_clause(principal)).distinct()
    return frozenset(session.scalars(noted))


def notes_with_authors(
    session: Session, principal: Principal, article_id: int
) -> list[tuple[Note, str]]:
    """The notes of an article the viewer may read, with their authors' names, oldest first."""
    rows = session.execute(
        select(Note, User.name)
        .join(User, User.id == Note.user_id)
        .where(Note.article_id == article_id, visible_clause(principal))
        .order_by(Note.created_at, Note.id)
    )
    return [(note, name) for note, name in rows]


def note_bodies(
    session: Session, principal: Principal, article_ids: Sequence[int]
) -> list[tuple[int, str, str]]:
    """(article id, author, body) of the notes the viewer may read on these articles (at most a
    few hundred ids: one IN list), oldest first."""
    rows = session.execute(
        select(Note.article_id, User.name, Note.body)
        .join(User, User.id == Note.user_id)
        .where(Note.article_id.in_(article_ids), visible_clause(principal))
        .order_by(Note.created_at, Note.id)
    )
    return [(article_id, author, body) for article_id, author, body in rows]
