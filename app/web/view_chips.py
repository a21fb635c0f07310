"""A saved view's filters as readable chips ("Chip: H20", "From 2025-01-01") for /views."""

from urllib.parse import parse_qsl

from app.filters import ENTITY_PARAMS, FilterError, Filters, parse_filters
from app.gazetteer.repository import entity_names

LABELS = {
    "company": "Company",
    "chip": "Chip",
    "restriction": "Restriction",
    "region": "Region",
    "agency": "Agency",
    "lang": "Language",
    "source": "Source",
    "listed": "On a list",
    "list": "List",
}


def view_chips(session, queries: list[str]) -> list[list[tuple[str, str]]]:
    """For each query string, its filters as (label, value) pairs, entity ids as names."""
    parsed: list[Filters | None] = []
    for query in queries:
        try:
            parsed.append(parse_filters(parse_qsl(query, keep_blank_values=False)))
        except FilterError:
            parsed.append(None)
    ids = {v for f in parsed if f for p in ENTITY_PARAMS for v in getattr(f, p)}
    names = entity_names(session, ids)
    out = []
    for query, f in zip(queries, parsed):
        if f is None:
            out.append([("Query", query)])
            continue
        chips = [("Words", f.q)] if f.q else []
        for param in LABELS:
            chips += [(LABELS[param], names.get(v, v)) for v in getattr(f, param)]
        if f.has_note:
            chips.append(("Notes", "with a note"))
        if f.date_from:
            chips.append(("From", f.date_from.isoformat()))
        if f.date_to:
            chips.append(("To", f.date_to.isoformat()))
        if f.sort:
            chips.append(("Sort", f.sort))
        if not f.expand:
            chips.append(("Names", "not expanded"))
        out.append(chips)
    return out
