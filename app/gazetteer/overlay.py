"""The gazetteer overlay: accepted changes kept in the database, with their history.

The shipped files (app/gazetteer/data) stay as they are. Each row of gazetteer_changes sets one
entity to a payload in the shipped JSON shape, or deletes it; the effective gazetteer is the
shipped data with the latest row of each entity applied. Its version is the shipped version
when the overlay changes nothing, else a hash of the shipped version and the entities the
overlay changes, so undoing a change (an alias added, then removed) gives back the very same
version, and caches keyed by it stay right.

Every change queues a re-tag job (app/article/retag.py runs it in the worker) for the articles
it may concern, and mirrors the effective gazetteer into the entities table.
"""

import copy
import hashlib
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app import gazetteer as gz
from app.gazetteer import repository
from app.gazetteer.sync import sync_entities
from app.models import GazetteerChange, RetagJob

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TYPES = (*gz.ENTITY_TYPES, "event")
FILES = {
    "company": "companies",
    "chip": "chips",
    "region": "regions",
    "agency": "agencies",
    "restriction": "restrictions",
    "event": "events",
}
RESTRICTION_ID = re.compile(r"^\d{4}-\d{2}-[a-z0-9-]+$")


class OverlayError(ValueError):
    """A change that cannot be applied; the message says why."""


def _canonical(raw: dict | None) -> str:
    return json.dumps(raw, sort_keys=True, ensure_ascii=False)


def state(session: Session) -> dict[str, dict | None]:
    """entity id -> its payload (None: deleted), for every entity the overlay touches."""
    return dict(repository.overlay_payloads(session))


def mark(session: Session) -> tuple[int, int]:
    """(number of changes, last change id): cheap to ask, different after any change."""
    return repository.overlay_mark(session)


def differences(shipped: gz.Gazetteer, overlay: dict[str, dict | None]) -> dict[str, dict | None]:
    """The overlay's entries that differ from the shipped data (what the version hashes)."""
    out = {}
    for entity_id, payload in overlay.items():
        base = shipped.entities.get(entity_id)
        if payload is None and base is None:
            continue
        if payload is not None and base is not None and _canonical(payload) == _canonical(base.raw):
            continue
        out[entity_id] = payload
    return out


def apply(shipped: gz.Gazetteer, overlay: dict[str, dict | None]) -> gz.Gazetteer:
    """The shipped gazetteer with the overlay applied."""
    changed = differences(shipped, overlay)
    if not changed:
        return shipped
    entities = dict(shipped.entities)
    for entity_id, payload in changed.items():
        if payload is None:
            entities.pop(entity_id, None)
        else:
            entities[entity_id] = gz._entity(payload, "overlay")
    digest = hashlib.sha256((shipped.version + _canonical(dict(sorted(changed.items())))).encode())
    version = "g-" + digest.hexdigest()[:12]
    return gz.Gazetteer(entities, shipped.context, version, shipped.base_version)


def effective_gazetteer(session: Session, shipped: gz.Gazetteer | None = None) -> gz.Gazetteer:
    """Shipped data + overlay: what the runtime tags with."""
    return apply(shipped or gz.default(), state(session))


def validate(raw: Any, gazetteer: gz.Gazetteer) -> dict:
    """A payload in the shipped shape, checked as check_data checks the files; a clear error
    if not."""
    if not isinstance(raw, dict):
        raise OverlayError("an entity is a JSON object")
    entity_id, type_ = raw.get("id"), raw.get("type")
    if not isinstance(entity_id, str) or not ID.match(entity_id) or len(entity_id) > 100:
        raise OverlayError(f"bad id {entity_id!r}: lowercase ASCII letters, digits and '-'")
    if type_ not in TYPES:
        raise OverlayError(f"bad type {type_!r}: one of {', '.join(TYPES)}")
    if not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise OverlayError(f"{entity_id}: a name is required")
    aliases = raw.get("aliases", {})
    if not isinstance(aliases, dict) or not all(
        isinstance(lang, str)
        and isinstance(names, list)
        and all(isinstance(n, str) and n.strip() for n in names)
        for lang, names in aliases.items()
    ):
        raise OverlayError(f"{entity_id}: aliases are {{language: [names]}}")
    if type_ == "restriction":
        if not RESTRICTION_ID.match(entity_id):
            raise OverlayError(f"{entity_id}: a restriction id starts with its date (YYYY-MM-)")
        if not raw.get("date"):
            raise OverlayError(f"{entity_id}: a restriction needs a date")
        if not str(raw["date"]).startswith(entity_id[:7]):
            raise OverlayError(f"{entity_id}: the id does not start with the YYYY-MM of its date")
    refs = [
        raw.get("parent"),
        raw.get("issuer"),
        *(i for ids in (raw.get("concerns") or {}).values() for i in ids),
    ]
    missing = sorted({r for r in refs if r and r != entity_id and r not in gazetteer.entities})
    if missing:
        raise OverlayError(f"{entity_id}: unknown entity ids {', '.join(missing)}")
    try:
        gz._entity(raw, "overlay")
    except ValueError as exc:
        raise OverlayError(str(exc)) from None
    return raw


def _record(
    session: Session,
    entity_id: str,
    action: str,
    payload: dict | None,
    by: str,
    note: str | None,
    suggestion_id: int | None,
    names: Iterable[str] = (),
) -> GazetteerChange:
    before = effective_gazetteer(session)
    change = GazetteerChange(
        entity_id=entity_id,
        action=action,
        payload=payload,
        by=by,
        at=datetime.now(UTC),
        note=note,
        suggestion_id=suggestion_id,
    )
    session.add(change)
    session.flush()
    after = effective_gazetteer(session)
    sync_entities(session, after)
    old = before.entities.get(entity_id)
    related = {entity_id}
    for raw in (old.raw if old else None, payload):
        if raw:
            related.update(i for ids in (raw.get("concerns") or {}).values() for i in ids)
    all_names = set(names)
    for entity in (old, after.entities.get(entity_id)):
        if entity is not None:
            all_names.update(entity.all_aliases())
    session.add(RetagJob(change_id=change.id, entity_ids=sorted(related), names=sorted(all_names)))
    session.flush()
    return change


def put_entity(
    session: Session,
    raw: dict,
    by: str,
    *,
    action: str | None = None,
    note: str | None = None,
    suggestion_id: int | None = None,
) -> GazetteerChange:
    """Add or replace an entity (shipped JSON shape). Raises OverlayError when it is not valid."""
    current = effective_gazetteer(session)
    raw = validate(copy.deepcopy(raw), current)
    existing = current.entities.get(raw["id"])
    if existing is not None and existing.type != raw["type"]:
        raise OverlayError(f"{raw['id']} is a {existing.type}, not a {raw['type']}")
    return _record(
        session,
        raw["id"],
        action or ("update" if existing else "add"),
        raw,
        by,
        note,
        suggestion_id,
    )


def delete_entity(
    session: Session, entity_id: str, by: str, note: str | None = None
) -> GazetteerChange:
    current = effective_gazetteer(session)
    if entity_id not in current.entities:
        raise OverlayError(f"no entity {entity_id!r}")
    return _record(session, entity_id, "delete", None, by, note, None)


def _raw(session: Session, entity_id: str) -> dict:
    entity = effective_gazetteer(session).entities.get(entity_id)
    if entity is None:
        raise OverlayError(f"no entity {entity_id!r}")
    return copy.deepcopy(entity.raw)


def add_alias(
    session: Session,
    entity_id: str,
    alias: str,
    lang: str,
    by: str,
    *,
    note: str | None = None,
    suggestion_id: int | None = None,
) -> GazetteerChange:
    """One more name for an entity, in a language ("en", "ar", "zh", ...)."""
    alias = " ".join(alias.split())
    if not alias:
        raise OverlayError("an alias cannot be empty")
    raw = _raw(session, entity_id)
    names = raw.setdefault("aliases", {}).setdefault(lang, [])
    if alias in names:
        raise OverlayError(f"{entity_id} already has the alias {alias!r} ({lang})")
    names.append(alias)
    return put_entity(session, raw, by, action="add-alias", note=note, suggestion_id=suggestion_id)


def remove_alias(
    session: Session,
    entity_id: str,
    alias: str,
    by: str,
    *,
    lang: str | None = None,
    note: str | None = None,
) -> GazetteerChange:
    """Drop an alias (in `lang`, or in every language that lists it)."""
    raw = _raw(session, entity_id)
    found = False
    for code, names in list(raw.get("aliases", {}).items()):
        if (lang is None or code == lang) and alias in names:
            names.remove(alias)
            found = True
            if not names:
                del raw["aliases"][code]
    if not found:
        raise OverlayError(f"{entity_id} has no alias {alias!r}")
    return put_entity(session, raw, by, action="remove-alias", note=note)


def history(
    session: Session, entity_id: str | None = None, limit: int = 200
) -> list[GazetteerChange]:
    return repository.changes(session, entity_id, limit)


def export(session: Session, shipped: gz.Gazetteer | None = None) -> dict[str, Any]:
    """The overlay in the shipped format: {file stem: [entities, sorted by id]} for the entities
    it adds or changes, and "deleted": [ids] for the shipped ones it removes."""
    shipped = shipped or gz.default()
    out: dict[str, Any] = {}
    deleted = []
    for entity_id, payload in sorted(differences(shipped, state(session)).items()):
        if payload is None:
            deleted.append(entity_id)
        else:
            out.setdefault(FILES[payload["type"]], []).append(payload)
    if deleted:
        out["deleted"] = deleted
    return out


def write_files(
    session: Session, directory: Path, shipped: gz.Gazetteer | None = None
) -> list[Path]:
    """The effective gazetteer's files, written like the shipped ones (sorted by id, 2-space
    JSON), for the files the overlay changes: copy them over app/gazetteer/data to contribute."""
    shipped = shipped or gz.default()
    changed = differences(shipped, state(session))
    effective = apply(shipped, state(session))
    stems = {FILES[(p or shipped.entities[i].raw)["type"]] for i, p in changed.items()}
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for stem in sorted(stems):
        rows = sorted(
            (e.raw for e in effective.entities.values() if FILES.get(e.type) == stem),
            key=lambda r: r["id"],
        )
        path = directory / f"{stem}.json"
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
