"""Counts of matching articles per week, month or year, and the restrictions in that range."""

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.filters import Filters
from app.models import Article, Entity
from app.search.query import plan_query


def bucket_start(day: date, interval: str) -> date:
    if interval == "year":
        return day.replace(month=1, day=1)
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def timeline(session: Session, filters: Filters, runtime, interval: str = "month") -> dict:
    plan = plan_query(filters.q, runtime.query_tagger, expand=filters.expand)
    days = runtime.db_search.published_dates(session, filters, plan)
    counts = Counter(bucket_start(d, interval) for d in days)
    buckets = [{"start": start.isoformat(), "count": counts[start]} for start in sorted(counts)]
    first = filters.date_from or (min(counts) if counts else None)
    last = filters.date_to or (max(days) if days else None)
    events = []
    if first and last:
        stmt = (select(Entity).where(Entity.type == "restriction", Entity.date >= first,
                                     Entity.date <= last).order_by(Entity.date, Entity.id))
        # With entity filters, the restrictions that concern them (or the ones filtered on).
        named = {v for param, vals in filters.entity_filters().items() if param != "restriction" for v in vals}
        for rx in session.scalars(stmt):
            concerns = (rx.data or {}).get("concerns", {})
            related = {e for ids in concerns.values() for e in ids} | {(rx.data or {}).get("issuer")}
            if filters.restriction and rx.id not in filters.restriction:
                continue
            if named and not filters.restriction and not named & related:
                continue
            events.append({"id": rx.id, "date": rx.date.isoformat(), "title": rx.name,
                           "entities": sorted({e for ids in concerns.values() for e in ids})})
    return {"interval": interval, "buckets": buckets, "events": events}
