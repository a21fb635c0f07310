"""List status over time: of a company (its linked parties' histories) and of an article (the
lists its companies were on at its date), stored in article_lists for both search engines.

A party is on its list from each "added" event up to the next "removed" event (exclusive).
Only links an admin accepted or the matcher made automatically count (ACTIVE_LINKS).
"""

import time
import weakref
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from app.index_queue import queue_upserts
from app.lists import list_name
from app.lists import repository as repo
from app.models import as_utc

ACTIVE_LINKS = ("auto", "accepted")
BATCH = 500

Span = tuple[str, date, date | None]  # (list slug, from, until exclusive or open)


def spans_of(events: Iterable[tuple[str, date]]) -> list[tuple[date, date | None]]:
    """[from, until) intervals of (action, effective date) events in order."""
    out: list[tuple[date, date | None]] = []
    opened: date | None = None
    for action, day in events:
        if action == "added" and opened is None:
            opened = day
        elif action == "removed" and opened is not None:
            if day > opened:
                out.append((opened, day))
            opened = None
    if opened is not None:
        out.append((opened, None))
    return out


def entity_spans(session: Session, entity_ids: Iterable[str]) -> dict[str, list[Span]]:
    """entity id -> the list spans of its linked parties."""
    ids = sorted(set(entity_ids))
    if not ids:
        return {}
    grouped: dict[tuple[str, int, str], list[tuple[str, date]]] = {}
    for entity_id, party_id, slug, action, day in repo.span_events(session, ids, ACTIVE_LINKS):
        grouped.setdefault((entity_id, party_id, slug), []).append((action, day))
    out: dict[str, list[Span]] = {}
    for (entity_id, _party, slug), events in grouped.items():
        out.setdefault(entity_id, []).extend((slug, a, b) for a, b in spans_of(events))
    return out


def lists_at(spans: Iterable[Span], day: date) -> set[str]:
    return {slug for slug, start, end in spans if start <= day and (end is None or day < end)}


def article_day(published_at: datetime) -> date:
    return as_utc(published_at).date()


def write_article_lists(
    session: Session,
    article_id: int,
    published_at: datetime,
    company_ids: Iterable[str],
    replace: bool = True,
) -> set[str]:
    """Store the lists the article's companies were on at its date (inside the caller's
    transaction); replace=False for a new article, which has no rows yet."""
    if replace:
        repo.delete_article_lists(session, [article_id])
    companies = list(company_ids)
    if not companies:
        return set()
    spans = [
        s for entity_spans_ in entity_spans(session, companies).values() for s in entity_spans_
    ]
    lists = lists_at(spans, article_day(published_at))
    repo.insert_article_lists(
        session, [{"article_id": article_id, "list_slug": s} for s in sorted(lists)]
    )
    return lists


def write_new_articles(session: Session, articles: list[tuple[int, datetime, list[str]]]) -> None:
    """The list status of newly stored articles, (id, published_at, company ids) each: one
    query for the whole batch (ingestion)."""
    spans = entity_spans(session, {c for _i, _p, companies in articles for c in companies})
    if not spans:
        return
    rows = [
        {"article_id": article_id, "list_slug": slug}
        for article_id, published_at, companies in articles
        for slug in sorted(
            lists_at([s for c in companies for s in spans.get(c, [])], article_day(published_at))
        )
    ]
    repo.insert_article_lists(session, rows)


def refresh_entities(session: Session, entity_ids: Iterable[str], outbox: bool) -> int:
    """Recompute the list status of every article tagged with these companies (after an import
    or a link decision); queue the changed ones for the search index. Returns how many changed."""
    forget_list_events(session)
    ids = sorted(set(entity_ids))
    if not ids:
        return 0
    article_ids = repo.articles_tagged_with(session, ids)
    changed = 0
    for start in range(0, len(article_ids), BATCH):
        changed += _refresh_articles(session, article_ids[start : start + BATCH], outbox)
    return changed


def _refresh_articles(session: Session, article_ids: list[int], outbox: bool) -> int:
    published = repo.published_at_of(session, article_ids)
    companies = repo.companies_of(session, article_ids)
    spans = entity_spans(session, {e for ids in companies.values() for e in ids})
    before = {a: set(slugs) for a, slugs in repo.article_lists(session, article_ids).items()}
    changed = []
    for article_id, when in published.items():
        now = lists_at(
            [s for e in companies.get(article_id, []) for s in spans.get(e, [])], article_day(when)
        )
        if now != before.get(article_id, set()):
            changed.append((article_id, now))
    if not changed:
        return 0
    repo.delete_article_lists(session, [a for a, _ in changed])
    repo.insert_article_lists(
        session, [{"article_id": a, "list_slug": s} for a, lists in changed for s in sorted(lists)]
    )
    if outbox:
        queue_upserts(session, [a for a, _ in changed])
    return len(changed)


def article_lists(session: Session, article_ids: list[int]) -> dict[int, list[str]]:
    """article id -> the lists it is on, by slug (the search documents)."""
    return repo.article_lists(session, article_ids)


# --- for readers: an entity's status, and list actions on timelines -------------------------------


def entity_status(session: Session, entity_id: str, today: date | None = None) -> list[dict]:
    """Every list party linked to the company: listed from, by which notice, licence policy,
    removals, and the whole history (the entity page and /api/entities/{id})."""
    today = today or datetime.now(UTC).date()
    out = []
    for link, party in repo.linked_parties(session, entity_id, ACTIVE_LINKS):
        events = repo.events_in_order(session, party.id)
        spans = spans_of((e.action, e.effective_date) for e in events)
        current = next(
            (s for s in reversed(spans) if s[0] <= today and (s[1] is None or today < s[1])), None
        )
        out.append(
            {
                "party_id": party.id,
                "list": party.list_slug,
                "list_name": list_name(party.list_slug),
                "name": party.name,
                "alt_names": party.alt_names,
                "country": party.country,
                "listed": current is not None,
                "listed_from": current[0].isoformat() if current else None,
                "first_listed": spans[0][0].isoformat() if spans else None,
                "removed_on": spans[-1][1].isoformat()
                if spans and spans[-1][1] and not current
                else None,
                "federal_register_notice": party.federal_register_notice,
                "license_requirement": party.license_requirement,
                "license_policy": party.license_policy,
                "source_list_url": party.source_list_url,
                "link": {
                    "status": link.status,
                    "score": link.score,
                    "explanation": link.explanation,
                },
                "spans": [
                    {"from": a.isoformat(), "until": b.isoformat() if b else None} for a, b in spans
                ],
                "history": [
                    {
                        "action": e.action,
                        "date": e.effective_date.isoformat(),
                        "federal_register_notice": (e.detail or {}).get("federal_register_notice"),
                        "license_policy": (e.detail or {}).get("license_policy"),
                        "reason": (e.detail or {}).get("reason"),
                        "changes": (e.detail or {}).get("changes"),
                    }
                    for e in events
                ],
            }
        )
    return out


# Every search page draws the list actions of its range: read once and kept per database and
# lists version (search_state.lists_version, bumped in the transaction of every list change),
# so each process sees a change made by any other (worker, CLI, another web process) at its
# next page, without reading the events again before then.
_events: "weakref.WeakKeyDictionary[Engine | Connection, tuple[int | None, float, list[dict]]]" = (
    weakref.WeakKeyDictionary()
)
# Only a database whose schema predates the version reloads on a timer (no version to watch).
UNVERSIONED_TTL = 30.0


def forget_list_events(session: Session) -> None:
    """Lists change in this transaction: bump the version every process watches."""
    repo.bump_lists_version(session)


def _list_events(session: Session) -> list[dict]:
    """Every addition to and removal from a list of a linked party, oldest first, with the
    entities it concerns."""
    bind = session.get_bind()
    version = repo.lists_version(session)
    kept = _events.get(bind)
    fresh = version is not None or (kept and time.monotonic() - kept[1] <= UNVERSIONED_TTL)
    if kept is not None and kept[0] == version and fresh:
        return kept[2]
    events: dict[int, dict] = {}
    for event_id, action, day, name, slug, entity_id in repo.linked_span_events(
        session, ACTIVE_LINKS
    ):
        event = events.setdefault(
            event_id,
            {
                "id": f"list-action-{event_id}",
                "date": day.isoformat(),
                "day": day,
                "kind": "list",
                "title": f"{name} {'added to' if action == 'added' else 'removed from'} the {list_name(slug)}",
                "entities": [],
                "list": slug,
                "action": action,
            },
        )
        if entity_id not in event["entities"]:
            event["entities"].append(entity_id)
    loaded = list(events.values())
    _events[bind] = (version, time.monotonic(), loaded)
    return loaded


def timeline_events(
    session: Session, first: date, last: date, entity_ids: set[str] | None = None
) -> list[dict]:
    """List additions and removals of linked parties in [first, last], as timeline events
    (of the given companies only, when entity_ids is given)."""
    if entity_ids is not None and not entity_ids:
        return []
    out = []
    for event in _list_events(session):
        if not first <= event["day"] <= last:
            continue
        entities = (
            event["entities"]
            if entity_ids is None
            else [e for e in event["entities"] if e in entity_ids]
        )
        if entities:  # linked to the first of them, as each was when read row by row
            out.append(
                {
                    "id": event["id"],
                    "date": event["date"],
                    "kind": "list",
                    "title": event["title"],
                    "entities": list(entities),
                    "list": event["list"],
                    "action": event["action"],
                    "url": f"/entities/{entities[0]}#lists",
                }
            )
    return out
