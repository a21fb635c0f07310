"""The review queue: names the gazetteer lacks, with their evidence, until an editor decides.

Two kinds of proposers write here: discovery during enrichment (app/enrich/discovery.py, many
small candidates per ingest batch, `record_found`) and importers that propose a whole entity
(a Federal Register rule as a restriction, `propose`). Either way a suggestion is one row per
(type, normalised name); accepting it writes the overlay (app/gazetteer/overlay.py), which
re-tags the affected articles in the background. A rejected suggestion keeps its row, so the
same name is never proposed again.
"""

import copy
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from app import gazetteer as gz
from app.gazetteer import overlay, repository
from app.models import GazetteerChange, GazetteerSuggestion
from app.text import normalize

EXAMPLES = 5  # example sentences kept per suggestion
EVIDENCE_IDS = 200  # article ids kept per suggestion (the count goes on)
STATUSES = ("open", "accepted", "rejected")


class SuggestionError(ValueError):
    """A review action that cannot be done (unknown id, already decided, bad override)."""


class UnknownSuggestion(SuggestionError):
    """No suggestion has this id."""


class AlreadyDecided(SuggestionError):
    """The suggestion was accepted or rejected before."""


class Candidate(NamedTuple):
    """One name discovery found in one article (app/enrich/discovery.py)."""

    type: str  # chip | company | ... : what the accepted entity would be
    key: str  # normalised name; one suggestion per (type, key)
    name: str  # display name (canonical name if accepted as new)
    of: str | None  # the entity it would be an alias of, or None for a new entity
    parent: str | None  # family or maker (chips), parent company
    lang: str  # the language its surface is in
    surface: str  # as written in the article
    text: str  # the sentence it was found in
    kind: str | None = None  # chips: accelerator ...
    entity_id: str | None = None  # the id a new entity would get


def fold(name: str) -> str:
    return " ".join(normalize(name).split())


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80]


def _now() -> datetime:
    return datetime.now(UTC)


def _example(article_id: int | None, url: str | None, text: str) -> dict:
    return {"article_id": article_id, "url": url, "text": text[:400]}


def _add_alias(payload: dict, lang: str, surface: str) -> None:
    names = payload.setdefault("aliases", {}).setdefault(lang, [])
    if surface not in names and len(names) < 12:
        names.append(surface)


def _new(
    session: Session,
    type_: str,
    key: str,
    name: str,
    of: str | None,
    parent: str | None,
    origin: str,
    payload: dict,
    now: datetime,
) -> GazetteerSuggestion:
    """A new open suggestion with no evidence yet (the callers add it)."""
    row = GazetteerSuggestion(
        type=type_,
        key=key,
        name=name,
        status="open",
        of=of,
        parent=parent,
        origin=origin,
        payload=payload,
        count=0,
        first_seen=now,
        last_seen=now,
        examples=[],
        article_ids=[],
    )
    session.add(row)
    return row


def propose(
    session: Session,
    type: str,  # noqa: A002 - the suggestion's type, as in the JSON contract
    name: str,
    payload: dict | None = None,
    evidence: Iterable[dict] = (),
    *,
    of: str | None = None,
    parent: str | None = None,
    origin: str = "importer",
    key: str | None = None,
) -> int:
    """Propose an entity (payload in the shipped JSON shape: a restriction as in restrictions.json)
    or, with `of`, an alias of an existing entity. `evidence`: dicts with `text` and optionally
    `article_id` and `url`. Returns the suggestion's id; proposing the same (type, name) again
    adds evidence to it (and refreshes its payload while it is open); a rejected one stays
    rejected."""
    if type not in overlay.TYPES:
        raise SuggestionError(f"bad type {type!r}: one of {', '.join(overlay.TYPES)}")
    if not name or not name.strip():
        raise SuggestionError("a suggestion needs a name")
    key = key or fold(name)
    row = repository.suggestion_by_key(session, type, key)
    now = _now()
    if row is None:
        row = _new(
            session, type, key, name.strip(), of, parent, origin, copy.deepcopy(payload or {}), now
        )
    elif row.status == "open" and payload:
        row.payload = copy.deepcopy(payload)
    _add_evidence(
        row, [(e.get("article_id"), e.get("url"), str(e.get("text", ""))) for e in evidence], now
    )
    session.flush()
    return row.id


def _add_evidence(
    row: GazetteerSuggestion, items: Sequence[tuple[int | None, str | None, str]], now: datetime
) -> None:
    ids = list(row.article_ids or [])
    examples = list(row.examples or [])
    seen = set(ids)
    new = 0
    for article_id, url, text in items:
        if article_id is not None and article_id in seen:
            continue
        new += 1
        if article_id is not None:
            seen.add(article_id)
            if len(ids) < EVIDENCE_IDS:
                ids.append(article_id)
        if len(examples) < EXAMPLES:
            examples.append(_example(article_id, url, text))
    if not new and items:
        return
    row.count = (row.count or 0) + max(new, 0 if items else 1)
    row.article_ids, row.examples, row.last_seen = ids, examples, now


def record_found(session: Session, found: Sequence[tuple[int, str | None, Candidate]]) -> int:
    """Candidates discovery found in stored articles ((article id, url, candidate) each): one
    query for the suggestions they name, new rows for the others. Rejected and accepted
    suggestions are left as they are. Returns the number of suggestions touched."""
    if not found:
        return 0
    by_key: dict[tuple[str, str], list[tuple[int, str | None, Candidate]]] = {}
    for item in found:
        by_key.setdefault((item[2].type, item[2].key), []).append(item)
    keys = {k for _t, k in by_key}
    rows = {(r.type, r.key): r for r in repository.suggestions_by_keys(session, keys)}
    now = _now()
    for (type_, key), items in by_key.items():
        row = rows.get((type_, key))
        first = items[0][2]
        if row is None:
            payload: dict[str, Any] = {}
            if first.of is None:
                payload = {
                    "id": first.entity_id or slug(first.name),
                    "type": type_,
                    "name": first.name,
                    "aliases": {},
                }
                if first.kind:
                    payload["kind"] = first.kind
                if first.parent:
                    payload["parent"] = first.parent
            else:
                payload = {"aliases": {}}
            row = _new(
                session, type_, key, first.name, first.of, first.parent, "discovery", payload, now
            )
        elif row.status != "open":
            continue
        payload = copy.deepcopy(row.payload or {})
        for _id, _url, cand in items:
            _add_alias(payload, cand.lang, cand.surface)
        row.payload = payload
        _add_evidence(row, [(article_id, url, cand.text) for article_id, url, cand in items], now)
    session.flush()
    return len(by_key)


def as_dict(row: GazetteerSuggestion) -> dict:
    return {
        "id": row.id,
        "type": row.type,
        "name": row.name,
        "count": row.count,
        "examples": list(row.examples or []),
        "of": row.of,
        "parent": row.parent,
        "status": row.status,
        "origin": row.origin,
        "aliases": (row.payload or {}).get("aliases", {}),
        "proposed": row.payload or {},
        "first_seen": row.first_seen.isoformat() if row.first_seen else None,
        "last_seen": row.last_seen.isoformat() if row.last_seen else None,
        "article_ids": list(row.article_ids or []),
        "decided_by": row.decided_by,
        "change_id": row.change_id,
    }


def _prior(row: GazetteerSuggestion) -> int:
    """Among equally attested suggestions, the kinds that are most often right come first: a
    model number next to its maker, then a spelling of a known name, then a name in a company
    context (and proposals from importers, which carry a whole entity, with the first)."""
    if row.origin != "discovery" or (row.type == "chip" and row.of is None):
        return 3
    return 2 if row.of is not None else 1


def listing(
    session: Session, status: str | None = "open", limit: int = 500
) -> list[GazetteerSuggestion]:
    """Suggestions, the best attested first (most articles, then the surer kind, then the most
    recent)."""
    rows = repository.suggestions_with_status(session, status)
    rows.sort(key=lambda r: (-(r.count or 0), -_prior(r), -r.last_seen.timestamp(), r.id))
    return rows[:limit]


def get(session: Session, suggestion_id: int) -> GazetteerSuggestion:
    row = session.get(GazetteerSuggestion, suggestion_id)
    if row is None:
        raise UnknownSuggestion(f"no suggestion {suggestion_id}")
    return row


def _open(session: Session, suggestion_id: int) -> GazetteerSuggestion:
    row = get(session, suggestion_id)
    if row.status != "open":
        raise AlreadyDecided(f"suggestion {suggestion_id} is already {row.status}")
    return row


def _free_id(wanted: str, gazetteer: gz.Gazetteer) -> str:
    base = wanted or "entity"
    candidate, n = base, 2
    while candidate in gazetteer.entities:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def accept(
    session: Session,
    suggestion_id: int,
    by: str,
    *,
    as_entity: str | None = None,
    name: str | None = None,
    entity_id: str | None = None,
    overrides: dict | None = None,
) -> GazetteerChange:
    """Accept a suggestion: as an alias of `as_entity` (or of the entity it was found close to),
    or as a new entity (its canonical name `name`, id `entity_id` or one made from the name;
    `overrides`: other fields of the payload, e.g. {"parent": "huawei"}). Writes the overlay,
    which queues the re-tag; raises SuggestionError or overlay.OverlayError with the reason."""
    row = _open(session, suggestion_id)
    current = overlay.effective_gazetteer(session)
    target = as_entity or row.of
    aliases = (row.payload or {}).get("aliases", {}) or {}
    if target:
        if target not in current.entities:
            raise SuggestionError(f"no entity {target!r} to add the alias to")
        names = [(lang, n) for lang, ns in aliases.items() for n in ns] or [("en", row.name)]
        if name:
            names = [(names[0][0], name)]
        raw = copy.deepcopy(current.entities[target].raw)
        known = {fold(a) for a in current.entities[target].all_aliases()}
        for lang, alias in names:
            if fold(alias) not in known:
                raw.setdefault("aliases", {}).setdefault(lang, []).append(alias)
                known.add(fold(alias))
        change = overlay.put_entity(
            session,
            raw,
            by,
            action="add-alias",
            suggestion_id=row.id,
            note=f"suggestion {row.id}: {row.name}",
        )
    else:
        payload = copy.deepcopy(row.payload or {})
        payload.update(overrides or {})
        payload.setdefault("type", row.type)
        if name:
            payload["name"] = name
        payload.setdefault("name", row.name)
        en = payload.setdefault("aliases", {}).setdefault("en", [])
        if payload["name"] not in en and not any(
            payload["name"] in ns for ns in payload["aliases"].values()
        ):
            en.insert(0, payload["name"])
        if not en:
            del payload["aliases"]["en"]
        if entity_id:
            payload["id"] = entity_id
        elif not payload.get("id") or (
            payload["id"] in current.entities and row.type != "restriction"
        ):
            payload["id"] = _free_id(
                slug(payload.get("id") or payload["name"]) or f"entity-{row.id}", current
            )
        payload.setdefault("verified", False)
        payload.setdefault("note", f"Accepted from suggestion {row.id} ({row.origin}).")
        change = overlay.put_entity(
            session,
            payload,
            by,
            action="add",
            suggestion_id=row.id,
            note=f"suggestion {row.id}: {row.name}",
        )
    row.status, row.decided_by, row.decided_at, row.change_id = "accepted", by, _now(), change.id
    session.flush()
    return change


def reject(session: Session, suggestion_id: int, by: str) -> GazetteerSuggestion:
    """Reject a suggestion: it stays, so discovery never proposes the name again."""
    row = _open(session, suggestion_id)
    row.status, row.decided_by, row.decided_at = "rejected", by, _now()
    session.flush()
    return row


def rejected_keys(session: Session) -> set[tuple[str, str]]:
    return repository.rejected_suggestion_keys(session)
