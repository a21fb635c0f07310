"""Importing a list file: a history, not an overwrite.

A file is the state of the lists it covers on its date (`as_of`: --as-of, else the date the
file gives, else today). Compared with what is stored, each party of the file is added (new,
or back after a removal), changed (a field differs: notice, policy, aliases...), or unchanged;
each stored party of a covered list that the file no longer has is removed on the file's date
(never from a --partial file, and never a party named by a malformed row). An end_date (CSL:
a denial order that expires) is a removal on that date. Every change is a ListEvent; the party
row holds the latest state. Importing the same content again writes nothing at all.

New and renamed parties are matched to gazetteer companies (app/lists/match.py); the articles
of every company whose list status changed are recomputed and, with Meilisearch configured,
queued for the index in the same transaction. The caller owns the transaction.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from app.gazetteer import Gazetteer
from app.gazetteer.sync import sync_entities
from app.lists import repository
from app.lists.match import Matcher
from app.lists.parse import parse
from app.lists.records import ParsedFile, PartyRecord, RowError, fingerprint, party_key
from app.lists.status import ACTIVE_LINKS, refresh_entities
from app.models import ListEvent, ListImport, ListLink, ListParty, utcnow


@dataclass
class ImportReport:
    origin: str
    format: str
    as_of: date
    lists: list[str]
    rows: int = 0
    added: list[str] = field(default_factory=list)  # party names
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    stale: int = 0  # parties with a change recorded after the file's date: the file is older
    duplicates: list[str] = field(default_factory=list)  # notes on merged rows
    errors: list[RowError] = field(default_factory=list)
    import_id: int | None = None  # None: nothing was written (the same content again)
    links_auto: int = 0
    links_proposed: int = 0
    articles_changed: int = 0

    def summary(self) -> str:
        stale = f", {self.stale} skipped (known from a newer file)" if self.stale else ""
        return (
            f"added {len(self.added)}, removed {len(self.removed)}, changed {len(self.changed)}, "
            f"unchanged {self.unchanged}{stale}, malformed {len(self.errors)}"
        )

    def to_dict(self) -> dict:
        return {
            "origin": self.origin,
            "format": self.format,
            "as_of": self.as_of.isoformat(),
            "lists": self.lists,
            "rows": self.rows,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "stale": self.stale,
            "duplicates": self.duplicates,
            "malformed": [e.to_dict() for e in self.errors],
            "import_id": self.import_id,
            "links": {"auto": self.links_auto, "proposed": self.links_proposed},
            "articles_changed": self.articles_changed,
        }


_MATCHERS: dict[str, Matcher] = {}


def matcher_for(gazetteer: Gazetteer) -> Matcher:
    """One Matcher per gazetteer version (building one indexes every company alias)."""
    matcher = _MATCHERS.get(gazetteer.version)
    if matcher is None:
        matcher = _MATCHERS[gazetteer.version] = Matcher(gazetteer)
    return matcher


def import_file(
    session: Session,
    content: bytes,
    origin: str,
    gazetteer: Gazetteer,
    *,
    fmt: str | None = None,
    as_of: date | None = None,
    partial: bool = False,
    lists: tuple[str, ...] = (),
    default_list: str | None = None,
    outbox: bool = False,
) -> ImportReport:
    """Parse and import one list file (raises FileError when it is not a list file at all)."""
    parsed = parse(content, origin, fmt, default_list)
    return import_parsed(
        session,
        parsed,
        origin,
        hashlib.sha256(content).hexdigest(),
        gazetteer,
        as_of=as_of,
        partial=partial,
        lists=lists,
        outbox=outbox,
    )


# A party's one-valued fields besides its names and addresses: merged rows fill the gaps of the
# first, and a stored party takes them from its record.
SCALAR_FIELDS = (
    "country",
    "source",
    "federal_register_notice",
    "start_date",
    "end_date",
    "license_requirement",
    "license_policy",
    "source_list_url",
)


def _merge(records: list[PartyRecord], report: ImportReport) -> dict[str, PartyRecord]:
    """One record per party, in file order: a later row of the same party adds its aliases and
    addresses and fills empty fields (deterministic whatever the duplicates are)."""
    merged: dict[str, PartyRecord] = {}
    for record in records:
        first = merged.get(record.key)
        if first is None:
            merged[record.key] = record
            continue
        report.duplicates.append(
            f"row {record.row}: same party as row {first.row} ({first.name}), merged"
        )
        known = {party_key("", n) for n in (first.name, *first.alt_names)}
        for name in (record.name, *record.alt_names):
            if party_key("", name) not in known:  # a new name, not a case or punctuation variant
                known.add(party_key("", name))
                first.alt_names.append(name)
        first.addresses.extend(a for a in record.addresses if a not in first.addresses)
        for attr in SCALAR_FIELDS:
            if getattr(first, attr) is None and getattr(record, attr) is not None:
                setattr(first, attr, getattr(record, attr))
    return merged


def party_fields(party: ListParty) -> dict:
    return {
        "name": party.name,
        "alt_names": party.alt_names or [],
        "addresses": party.addresses or [],
        "country": party.country,
        "federal_register_notice": party.federal_register_notice,
        "start_date": party.start_date.isoformat() if party.start_date else None,
        "end_date": party.end_date.isoformat() if party.end_date else None,
        "license_requirement": party.license_requirement,
        "license_policy": party.license_policy,
        "source_list_url": party.source_list_url,
    }


def _set_fields(party: ListParty, record: PartyRecord) -> None:
    for attr in ("name", "alt_names", "addresses", *SCALAR_FIELDS):
        setattr(party, attr, getattr(record, attr))
    party.fingerprint = record.fingerprint()
    party.updated_at = utcnow()


def _terms(record: PartyRecord) -> dict:
    return {
        "federal_register_notice": record.federal_register_notice,
        "license_requirement": record.license_requirement,
        "license_policy": record.license_policy,
        "start_date": record.start_date.isoformat() if record.start_date else None,
    }


class _History:
    """The events of this import, with each party's latest add/remove state."""

    def __init__(self, session: Session, party_ids: list[int]):
        self.pending: list[tuple[ListParty, str, date, dict]] = []
        # keyed by party id, or by the party's key while it is new (no id yet)
        self.last: dict[int | str, tuple[str, date, dict]] = {}  # party -> last add/remove event
        self.latest: dict[int | str, date] = {}  # party -> latest event date of any kind
        for start in range(0, len(party_ids), 500):
            chunk = party_ids[start : start + 500]
            for party_id, action, day, detail in repository.events_of(session, chunk):
                self.latest[party_id] = max(day, self.latest.get(party_id, day))
                if action in ("added", "removed"):
                    self.last[party_id] = (action, day, detail or {})

    def add(self, party: ListParty, action: str, day: date, detail: dict, key: int | str) -> date:
        """Record an event, never dated before the party's previous one (history stays in order)."""
        floor = self.latest.get(key)
        day = max(day, floor) if floor else day
        self.latest[key] = day
        if action in ("added", "removed"):
            self.last[key] = (action, day, detail)
        self.pending.append((party, action, day, detail))
        return day


def import_parsed(
    session: Session,
    parsed: ParsedFile,
    origin: str,
    file_hash: str,
    gazetteer: Gazetteer,
    *,
    as_of: date | None = None,
    partial: bool = False,
    lists: tuple[str, ...] = (),
    outbox: bool = False,
) -> ImportReport:
    as_of = as_of or parsed.as_of or datetime.now(UTC).date()
    scope = sorted(parsed.lists | set(lists))
    report = ImportReport(
        origin, parsed.format, as_of, scope, rows=parsed.rows, errors=list(parsed.errors)
    )
    merged = _merge(parsed.records, report)
    protected = {e.key for e in parsed.errors if e.key}
    stored = {
        p.key: p
        for p in repository.parties_on(
            session, sorted(set(scope) | {r.list_slug for r in merged.values()})
        )
    }
    history = _History(session, sorted(p.id for p in stored.values()))
    renamed: list[ListParty] = []
    # Newer complete files per list: a party only this older file has was gone by then.
    newer: dict[str, date] = {}
    for day, covered in repository.complete_imports_after(session, as_of):
        newer.update({slug: day for slug in covered or []})

    for key, record in merged.items():
        party = stored.get(key)
        if party is None:
            party = ListParty(key=key, list_slug=record.list_slug, active=True)
            _set_fields(party, record)
            stored[key] = party
            renamed.append(party)
            day = history.add(
                party,
                "added",
                record.start_date or as_of,
                {**_terms(record), "reason": "listed"},
                key,
            )
            if record.end_date:
                history.add(
                    party, "removed", max(record.end_date, day), {"reason": "end date"}, key
                )
            elif record.list_slug in newer:
                history.add(
                    party,
                    "removed",
                    max(newer[record.list_slug], day),
                    {"reason": f"not in the list file of {newer[record.list_slug].isoformat()}"},
                    key,
                )
            report.added.append(record.name)
            continue
        hid = party.id
        if history.latest.get(hid, as_of) > as_of or (party.seen_as_of or as_of) > as_of:
            report.stale += 1  # an older file says nothing new about a party known since
            continue
        state = history.last.get(hid)
        old_fields = party_fields(party)
        expired_same = (
            state
            and state[0] == "removed"
            and state[2].get("reason") == "end date"
            and record.end_date
            and record.end_date == party.end_date
        )
        if state is None or state[0] == "removed" and not expired_same:
            # Back on the list (or never on it): listed again from its new start date, or the file's.
            last_day = history.latest.get(hid)
            start = (
                record.start_date
                if record.start_date and (not last_day or record.start_date > last_day)
                else as_of
            )
            _set_fields(party, record)
            day = history.add(
                party, "added", start, {**_terms(record), "reason": "listed again"}, hid
            )
            if record.end_date:
                history.add(
                    party, "removed", max(record.end_date, day), {"reason": "end date"}, hid
                )
            report.added.append(record.name)
            renamed.append(party)
            continue
        changes = {
            k: [old_fields.get(k), v]
            for k, v in record.fields().items()
            if fingerprint({k: old_fields.get(k)}) != fingerprint({k: v})
        }
        if not changes:
            report.unchanged += 1
            continue
        if party.name != record.name or sorted(party.alt_names or []) != sorted(record.alt_names):
            renamed.append(party)
        _set_fields(party, record)
        history.add(party, "changed", as_of, {**_terms(record), "changes": changes}, hid)
        if "end_date" in changes and record.end_date and state[0] == "added":
            history.add(party, "removed", record.end_date, {"reason": "end date"}, hid)
        report.changed.append(record.name)

    if not partial:
        for key, party in stored.items():
            if (
                key in merged
                or key in protected
                or party.list_slug not in scope
                or party.id is None
            ):
                continue
            state = history.last.get(party.id)
            if history.latest.get(party.id, as_of) > as_of or (party.seen_as_of or as_of) > as_of:
                continue  # listed (or seen) after the file's date: not the file's to remove
            if state and state[0] == "added":
                history.add(
                    party,
                    "removed",
                    as_of,
                    {"reason": f"not in the list file of {as_of.isoformat()}"},
                    party.id,
                )
                report.removed.append(party.name)

    known_file = repository.imports_of_file(session, file_hash)
    if not history.pending and known_file:
        return report  # the same content again: nothing to record
    for key in merged:
        party = stored[key]
        if party.seen_as_of is None or party.seen_as_of < as_of:
            party.seen_as_of = as_of
    return _write(session, report, history, renamed, stored, file_hash, partial, gazetteer, outbox)


def _write(
    session: Session,
    report: ImportReport,
    history: _History,
    renamed: list[ListParty],
    stored: dict[str, ListParty],
    file_hash: str,
    partial: bool,
    gazetteer: Gazetteer,
    outbox: bool,
) -> ImportReport:
    record = ListImport(
        origin=report.origin[:2000],
        format=report.format,
        file_hash=file_hash,
        as_of=report.as_of,
        lists=report.lists,
        partial=partial,
        rows=report.rows,
        added=len(report.added),
        removed=len(report.removed),
        changed=len(report.changed),
        malformed=len(report.errors),
        duplicates=len(report.duplicates),
        errors=[e.to_dict() for e in report.errors[:1000]],
    )
    session.add(record)
    for party in {id(p): p for p, *_ in history.pending}.values():
        session.add(party)
    session.flush()
    report.import_id = record.id
    touched: set[int] = set()
    now = max(report.as_of, datetime.now(UTC).date())
    for party, action, day, detail in history.pending:
        session.add(
            ListEvent(
                party_id=party.id,
                action=action,
                effective_date=day,
                import_id=record.id,
                detail=detail,
            )
        )
        touched.add(party.id)
    for party in stored.values():
        if party.id is not None:
            state = history.last.get(party.id) or history.last.get(party.key)
            active = state is not None and (
                state[0] == "added" or state[1] > now
            )  # an end date to come
            if party.active != active:
                party.active = active
    session.flush()
    entities = (
        repository.linked_entities(session, sorted(touched), ACTIVE_LINKS) if touched else set()
    )
    entities |= link_parties(session, renamed, gazetteer, report)
    report.articles_changed = refresh_entities(session, entities, outbox)
    return report


def link_parties(
    session: Session,
    parties: list[ListParty],
    gazetteer: Gazetteer,
    report: ImportReport | None = None,
) -> set[str]:
    """(Re)match parties to companies, keeping admin decisions; returns the companies whose
    active links changed. Links below the threshold are only proposed."""
    if not parties:
        return set()
    sync_entities(session, gazetteer)  # links point at entity rows
    matcher = matcher_for(gazetteer)
    changed: set[str] = set()
    existing: dict[int, dict[str, ListLink]] = {}
    for stored_link in repository.links_of(session, [p.id for p in parties]):
        existing.setdefault(stored_link.party_id, {})[stored_link.entity_id] = stored_link
    for party in parties:
        links = existing.get(party.id, {})
        wanted = {c.entity_id: c for c in matcher.candidates(party.name, party.alt_names or [])}
        for entity_id, old_link in links.items():
            if old_link.status in ("accepted", "rejected"):
                continue  # an admin's decision stands
            if entity_id not in wanted:
                if old_link.status == "auto":
                    changed.add(entity_id)
                session.delete(old_link)
        for entity_id, candidate in wanted.items():
            status = "auto" if candidate.automatic else "proposed"
            link = links.get(entity_id)
            if link is None:
                session.add(
                    ListLink(
                        party_id=party.id,
                        entity_id=entity_id,
                        score=candidate.score,
                        explanation=candidate.explanation,
                        status=status,
                    )
                )
            elif link.status in ("accepted", "rejected"):
                continue
            else:
                if link.status != status:
                    changed.add(entity_id)
                link.score, link.explanation, link.status = (
                    candidate.score,
                    candidate.explanation,
                    status,
                )
            if status == "auto":
                changed.add(entity_id)
            if report is not None:
                if status == "auto":
                    report.links_auto += 1
                else:
                    report.links_proposed += 1
    session.flush()
    return changed
