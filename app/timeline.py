"""Counts of matching articles per week, month or year, and the restrictions in that range; the
comparison of several entities (the /timeline page and /api/timeline/compare)."""

import logging
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.filters import ENTITY_PARAMS, Filters
from app.gazetteer.repository import entity_names
from app.search.entity_cache import restrictions
from app.search.periods import (
    bucket_end,
    bucket_start,
    engine_interval,
    fold,
    interval_for,
    span_of,
)
from app.search.repository import published_days
from app.search.service import prepare_query

log = logging.getLogger("chipwatch.timeline")


def histogram(session: Session, filters: Filters, runtime, interval: str) -> dict[date, int]:
    """Matching articles per period, from the search engine (the same counts as its results),
    or from the database when the engine cannot answer."""
    filters, plan = prepare_query(session, filters, runtime.query_tagger)
    counts = None
    if runtime.search is not runtime.db_search:
        try:
            counts = runtime.search.histogram(session, filters, plan, interval)
        except Exception as exc:  # noqa: BLE001 - any engine failure falls back to the database
            log.warning("timeline from the database: %s", exc)
    if counts is None:
        counts = runtime.db_search.histogram(session, filters, plan, interval)
    return counts


def timeline(
    session: Session,
    filters: Filters,
    runtime,
    interval: str = "month",
    counts: dict[date, int] | None = None,
    relevant: set[str] | None = None,
    all_markers: bool = False,
) -> dict:
    """The timeline of the filters; counts when the caller already has them (search page).

    Restrictions drawn: with all_markers every one in range; otherwise those filtered on, those
    in relevant (the restrictions the matching articles are tagged with, when the caller knows
    them) or, with entity filters, those that concern the filtered entities."""
    if counts is None:
        counts = histogram(session, filters, runtime, interval)
    buckets = [{"start": start.isoformat(), "count": counts[start]} for start in sorted(counts)]
    first = filters.date_from or (min(counts) if counts else None)
    last = filters.date_to or (bucket_end(max(counts), interval) if counts else None)
    events: list[dict[str, Any]] = []
    if first and last:
        # With entity filters, the restrictions that concern them (or the ones filtered on).
        named = {
            v
            for param, vals in filters.entity_filters().items()
            if param != "restriction"
            for v in vals
        }
        for rx in restrictions(session):
            if not first <= rx.date <= last:
                continue
            if not all_markers:
                if filters.restriction and rx.id not in filters.restriction:
                    continue
                if relevant is not None and not filters.restriction and rx.id not in relevant:
                    continue
                if named and not filters.restriction and not named & (rx.concerns | {rx.issuer}):
                    continue
            events.append(
                {
                    "id": rx.id,
                    "date": rx.date.isoformat(),
                    "title": rx.name,
                    "entities": sorted(rx.concerns),
                    "issuer": rx.issuer,
                }
            )
        if not filters.restriction:  # additions to and removals from export-control lists
            from app.lists.status import timeline_events

            companies = set(filters.company) if filters.entity_filters() else None
            events.extend(timeline_events(session, first, last, companies))
            events.sort(key=lambda e: e["date"])
    return {"interval": interval, "buckets": buckets, "events": events}


def period_counts(session: Session, filters: Filters, runtime, interval: str) -> dict[date, int]:
    """histogram() for any chart interval: quarters are folded from the engine's months."""
    counts = histogram(session, filters, runtime, engine_interval(interval))
    return fold(counts, interval) if interval == "quarter" else counts


def choose_interval(filters: Filters, months: dict[date, int]) -> str:
    """The interval for a chart of the filters, given its counts per month: from the date range
    when both ends are set, else from the months that have articles."""
    span = span_of(months)
    first = filters.date_from or (span[0] if span else None)
    last = filters.date_to or (bucket_end(span[1], "month") if span else None)
    if first is None or last is None or last < first:
        return "month"
    return interval_for(first, last)


def from_months(
    session: Session, filters: Filters, runtime, months: dict[date, int], interval: str
) -> dict[date, int]:
    """Counts per interval from counts per month: folded, or (weeks) asked of the engine."""
    if interval == "week":
        return histogram(session, filters, runtime, "week")
    return fold(months, interval) if interval in ("quarter", "year") else months


def results_interval(filters: Filters) -> str:
    """What a search counts with its results for its chart: weeks when the date range is short
    enough to show them, else months (chart_counts folds them into quarters or years)."""
    start, end = filters.date_from, filters.date_to
    if start is None or end is None or end < start:
        return "month"
    return "week" if interval_for(start, end) == "week" else "month"


def weeks_possible(session: Session, filters: Filters, counted: str) -> bool:
    """Whether a search counted per month (results_interval) may get a weekly chart: when the
    range from the first to the last article, narrowed by the end of the range the filters
    set, calls for weeks. Any results' months lie in that range, and a shorter range never
    calls for a coarser interval (choose_interval, interval_for), so otherwise their chart is
    never weekly. The search then asks for the week counts in the same request (weeks=True),
    and chart_counts uses them instead of a second request when the chart is weekly."""
    if counted != "month":
        return False
    days = published_days(session)
    if days is None:
        return False
    first = filters.date_from or bucket_start(days[0], "month")
    last = filters.date_to or bucket_end(bucket_start(days[1], "month"), "month")
    return first <= last and interval_for(first, last) == "week"


def chart_counts(
    session: Session,
    filters: Filters,
    runtime,
    counts: dict[date, int],
    counted: str,
    weeks: dict[date, int] | None = None,
) -> tuple[str, dict[date, int]]:
    """The chart's interval and counts, from the counts per `counted` (results_interval) that
    came with the results: weeks as they are; months folded into the interval the range
    calls for (or, when the months span only a few weeks, the weeks that came with them, or
    else weeks asked of the engine)."""
    if counted == "week":
        return "week", counts
    interval = choose_interval(filters, counts)
    if interval == "week" and weeks is not None:
        return interval, weeks
    return interval, from_months(session, filters, runtime, counts, interval)


def all_articles(filters: Filters) -> Filters:
    """Every article in the filters' date range: what a share is a share of."""
    return Filters.model_validate({}).replace(date_from=filters.date_from, date_to=filters.date_to)


MAX_SERIES = 8


def compare_view(
    session: Session,
    filters: Filters,
    runtime,
    interval: str = "auto",
    scale: str = "count",
    markers: str = "relevant",
) -> dict:
    """compare_data for the /timeline page and /api/timeline/compare, from their URL options:
    interval "auto" follows the range, scale "share" adds all articles' counts, markers "all"
    draws every restriction (not only those concerning the series)."""
    return compare_data(
        session,
        filters,
        runtime,
        None if interval == "auto" else interval,
        share=scale == "share",
        all_markers=markers == "all",
    )


def compare_data(
    session: Session,
    filters: Filters,
    runtime,
    interval: str | None = None,
    share: bool = False,
    all_markers: bool = False,
) -> dict:
    """One series per selected entity (at most MAX_SERIES; the other filters apply to all),
    restrictions overlaid; the interval follows the range unless given; with share, also the
    count of all articles per period."""
    base = filters.replace(**{p: () for p in ENTITY_PARAMS})
    picked = [
        (param, value) for param, values in filters.entity_filters().items() for value in values
    ][:MAX_SERIES]
    names = entity_names(session, [value for _, value in picked])
    one_of = {value: base.replace(**{param: (value,)}) for param, value in picked}
    months = {value: period_counts(session, one, runtime, "month") for value, one in one_of.items()}
    if interval is None:
        combined: dict[date, int] = {}
        for counts in months.values():
            for day, n in counts.items():
                combined[day] = combined.get(day, 0) + n
        interval = choose_interval(filters, combined)
    series, events = [], {}
    for param, value in picked:
        one = one_of[value]
        counts = from_months(session, one, runtime, months[value], interval)
        tl = timeline(session, one, runtime, interval, counts=counts, all_markers=all_markers)
        series.append(
            {
                "id": value,
                "type": param,
                "name": names.get(value, value),
                "query": one.query_string(paging=False),
                "buckets": {date.fromisoformat(b["start"]): b["count"] for b in tl["buckets"]},
            }
        )
        events.update({e["id"]: e for e in tl["events"]})
    totals = period_counts(session, all_articles(filters), runtime, interval) if share else None
    return {
        "interval": interval,
        "series": series,
        "totals": totals,
        "events": sorted(events.values(), key=lambda e: e["date"]),
    }
