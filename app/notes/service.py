"""Adding, reading and deleting notes. A private note is its author's alone; a team note is
read by everyone logged in. Only the author deletes a note."""

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.filters import Filters
from app.models import Article, as_utc
from app.notes import repository
from app.notes.models import Note

MAX_BODY = 2000


class NoteError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def noted_article_ids(session: Session, principal: Principal) -> frozenset[int]:
    return repository.noted_article_ids(session, principal)


def with_note_ids(session: Session, principal: Principal, filters: Filters) -> Filters:
    """The filters with has_note resolved for this viewer (unchanged without has_note)."""
    if not filters.has_note:
        return filters
    return filters.model_copy(update={"note_ids": noted_article_ids(session, principal)})


def user_viewer(user_id: int) -> Principal:
    """The owner of a saved view or alert, as the viewer whose notes has_note counts."""
    return Principal("user", user_id=user_id)


def add(
    session: Session, principal: Principal, article_id: int, body: object, visibility: object
) -> Note:
    if principal.kind != "user":
        raise NoteError(401, "Log in (or send a personal API token) to write notes.")
    if session.get(Article, article_id) is None:
        raise NoteError(404, f"There is no article {article_id}.")
    text = "\n".join(
        " ".join("".join(c if c.isprintable() else " " for c in line).split())
        for line in str(body or "").splitlines()
    ).strip()
    if not text or len(text) > MAX_BODY:
        raise NoteError(422, f"body: a note has 1 to {MAX_BODY} characters.")
    if visibility not in ("private", "team"):
        raise NoteError(422, "visibility: use 'private' or 'team'.")
    note = Note(article_id=article_id, user_id=principal.user_id, visibility=visibility, body=text)
    session.add(note)
    session.flush()
    return note


def for_article(session: Session, principal: Principal, article_id: int) -> list[dict]:
    if principal.kind != "user":
        return []
    rows = repository.notes_with_authors(session, principal, article_id)
    return [to_json(note, name, principal) for note, name in rows]


def to_json(note: Note, author: str, principal: Principal) -> dict:
    return {
        "id": note.id,
        "article_id": note.article_id,
        "author": author,
        "visibility": note.visibility,
        "body": note.body,
        "created_at": as_utc(note.created_at).isoformat(),
        "mine": principal.kind == "user" and note.user_id == principal.user_id,
    }


def delete(session: Session, principal: Principal, note_id: int) -> int:
    """Deletes the caller's note; returns its article id."""
    note = session.get(Note, note_id)
    visible = (
        note is not None
        and principal.kind == "user"
        and (note.user_id == principal.user_id or note.visibility == "team")
    )
    if note is None or not visible:
        raise NoteError(404, f"There is no note {note_id}.")
    if note.user_id != principal.user_id:
        raise NoteError(403, f"Note {note_id} is not yours.")
    session.delete(note)
    return note.article_id


def note_texts(session: Session, principal: Principal, article_ids: list[int]) -> dict[int, str]:
    """Per article, the notes the user may read as one cell: "author: text" joined by " | "."""
    out: dict[int, list[str]] = {}
    for start in range(0, len(article_ids), 500):
        for article_id, author, body in repository.note_bodies(
            session, principal, article_ids[start : start + 500]
        ):
            out.setdefault(article_id, []).append(f"{author}: {' '.join(body.split())}")
    return {k: " | ".join(v) for k, v in out.items()}
