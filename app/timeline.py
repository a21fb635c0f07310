"""Counts of matching articles per week, month or year, and the restrictions in that range; the
comparison of several entities (the /timeline page and /api/timeline/compare)."""

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.filters import ENTITY_PARAMS, Filters
from app.models import Entity
from app.search.entity_cache import restrictions
from app.search.periods import bucket_end
from app.search.query import plan_query

log = logging.getLogger("chipwatch.timeline")


def histogram(session: Session, filters: Filters, runtime, interval: str) -> dict[date, int]:
    """Matching articles per period, from the search engine (the same counts as its results),
    or from the database when the engine cannot answer."""
    plan = plan_query(filters.q, runtime.query_tagger, expand=filters.expand)
    counts = None
    if runtime.search is not runtime.db_search:
        try:
            counts = runtime.search.histogram(session, filters, plan, interval)
        except Exception as exc:  # noqa: BLE001 - any engine failure falls back to the database
            log.warning("timeline from the database: %s", exc)
    if counts is None:
        counts = runtime.db_search.histogram(session, filters, plan, interval)
    return counts


def timeline(session: Session, filters: Filters, runtime, interval: str = "month",
             counts: dict[date, int] | None = None) -> dict:
    """The timeline of the filters; counts when the caller already has them (search page)."""
    if counts is None:
        counts = histogram(session, filters, runtime, interval)
    buckets = [{"start": start.isoformat(), "count": counts[start]} for start in sorted(counts)]
    first = filters.date_from or (min(counts) if counts else None)
    last = filters.date_to or (bucket_end(max(counts), interval) if counts else None)
    events = []
    if first and last:
        # With entity filters, the restrictions that concern them (or the ones filtered on).
        named = {v for param, vals in filters.entity_filters().items() if param != "restriction" for v in vals}
        for rx in restrictions(session):
            if not first <= rx.date <= last:
                continue
            if filters.restriction and rx.id not in filters.restriction:
                continue
            if named and not filters.restriction and not named & (rx.concerns | {rx.issuer}):
                continue
            events.append({"id": rx.id, "date": rx.date.isoformat(), "title": rx.name,
                           "entities": sorted(rx.concerns)})
        if not filters.restriction:  # additions to and removals from export-control lists
            from app.lists.status import timeline_events

            companies = set(filters.company) if filters.entity_filters() else None
            events.extend(timeline_events(session, first, last, companies))
            events.sort(key=lambda e: e["date"])
    return {"interval": interval, "buckets": buckets, "events": events}


def compare(session, filters: Filters, runtime, interval: str) -> dict:
    """One series per selected entity (the other filters apply to all), restrictions overlaid."""
    series = []
    base = filters.replace(**{p: () for p in ENTITY_PARAMS})
    names = {e.id: e.name for e in session.scalars(select(Entity).where(Entity.id.in_(
        [v for vals in filters.entity_filters().values() for v in vals])))}
    events: dict[str, dict] = {}
    for param, values in filters.entity_filters().items():
        for value in values:
            one = base.replace(**{param: (value,)})
            tl = timeline(session, one, runtime, interval)
            series.append({"id": value, "type": param, "name": names.get(value, value),
                           "query": one.query_string(paging=False),
                           "buckets": {date.fromisoformat(b["start"]): b["count"] for b in tl["buckets"]}})
            events.update({e["id"]: e for e in tl["events"]})
    return {"interval": interval, "series": series,
            "events": sorted(events.values(), key=lambda e: e["date"])}
