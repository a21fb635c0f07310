"""What the CLI, /admin/lists and /api/lists show of the lists, and link decisions.

Services flush only: the caller (a request, a CLI command) owns the transaction.
"""

from sqlalchemy.orm import Session

from app.lists import list_name, repository
from app.lists.match import AUTO_THRESHOLD, PROPOSE_THRESHOLD, suggest_entry
from app.lists.status import refresh_entities
from app.models import ListImport, ListLink, utcnow

LINK_STATUSES = ("auto", "proposed", "accepted", "rejected")


class LinkNotFound(LookupError):
    pass


def import_json(row: ListImport) -> dict:
    return {
        "id": row.id,
        "origin": row.origin,
        "format": row.format,
        "as_of": row.as_of.isoformat(),
        "lists": row.lists,
        "partial": row.partial,
        "rows": row.rows,
        "added": row.added,
        "removed": row.removed,
        "changed": row.changed,
        "malformed": row.malformed,
        "duplicates": row.duplicates,
        "errors": row.errors[:50],
        "imported_at": row.imported_at.isoformat(),
    }


def summary(session: Session, imports: int = 20) -> dict:
    """Per list: parties on it now, removed, links by status; and the latest imports."""
    parties = repository.party_counts(session)
    links: dict[str, dict[str, int]] = {}
    for slug, status, n in repository.link_counts(session):
        links.setdefault(slug, {})[status] = n
    return {
        "threshold": {"auto": AUTO_THRESHOLD, "propose": PROPOSE_THRESHOLD},
        "lists": [
            {
                "id": slug,
                "name": list_name(slug),
                "parties": total,
                "listed": active,
                "removed": total - active,
                "links": {s: links.get(slug, {}).get(s, 0) for s in LINK_STATUSES},
            }
            for slug, total, active in parties
        ],
        "imports": [import_json(i) for i in repository.latest_imports(session, imports)],
    }


def links(session: Session, status: str | None = None, limit: int = 200) -> list[dict]:
    """Links with their party and company, proposals first, best score first."""
    return [
        {
            "id": link.id,
            "status": link.status,
            "score": link.score,
            "explanation": link.explanation,
            "entity_id": link.entity_id,
            "entity_name": name,
            "party_id": party.id,
            "party": party.name,
            "alt_names": party.alt_names,
            "list": party.list_slug,
            "country": party.country,
            "listed": party.active,
            "start_date": party.start_date.isoformat() if party.start_date else None,
        }
        for link, party, name in repository.links_with_parties(session, status, limit)
    ]


def unmatched(session: Session, limit: int = 50) -> tuple[int, list[dict]]:
    """Parties linked to no company (not even a rejected proposal): candidates for new
    gazetteer entries, newest first, with an entry to start from."""
    total, rows = repository.unlinked_parties(session, limit)
    return total, [
        {
            "party_id": p.id,
            "name": p.name,
            "alt_names": p.alt_names,
            "list": p.list_slug,
            "country": p.country,
            "listed": p.active,
            "start_date": p.start_date.isoformat() if p.start_date else None,
            "suggested_entry": suggest_entry(p.name, p.alt_names or []),
        }
        for p in rows
    ]


def decide(session: Session, link_id: int, decision: str, outbox: bool) -> ListLink:
    """Accept or reject a link (an admin's decision; re-matching never overrides it), and
    recompute the list status of the company's articles."""
    if decision not in ("accepted", "rejected"):
        raise ValueError(f"unknown decision {decision!r}")
    link = session.get(ListLink, link_id)
    if link is None:
        raise LinkNotFound(f"There is no list link {link_id}.")
    if link.status != decision:
        link.status, link.decided_at = decision, utcnow()
        session.flush()
        refresh_entities(session, [link.entity_id], outbox)
    return link
