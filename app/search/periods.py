"""Timeline periods: weeks (from Monday), months, quarters and years, each keyed by its first day.

The engines count weeks, months and years (INTERVALS); quarters are folded from months."""

from datetime import date, timedelta

INTERVALS = ("week", "month", "year")  # what the engines count


def bucket_start(day: date, interval: str) -> date:
    if interval == "year":
        return day.replace(month=1, day=1)
    if interval == "quarter":
        return day.replace(month=day.month - (day.month - 1) % 3, day=1)
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_end(start: date, interval: str) -> date:
    """The last day of the period that begins on start."""
    if interval == "year":
        return start.replace(month=12, day=31)
    if interval == "week":
        return start + timedelta(days=6)
    if interval == "quarter":
        last_month = start.month + 2
        following = (
            start.replace(year=start.year + 1, month=1)
            if last_month == 12
            else start.replace(month=last_month + 1)
        )
        return following - timedelta(days=1)
    following = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return following - timedelta(days=1)


# --- how coarse a chart is -----------------------------------------------------------------------
# The interval follows the range, so a chart has roughly 12 to 60 buckets whether it spans three
# months or ten years. Quarters (and years, when only months are at hand) are folded from months.

MAX_BUCKETS = 60
CHART_INTERVALS = ("week", "month", "quarter", "year")


def interval_for(first: date, last: date) -> str:
    """The finest interval that keeps the range within MAX_BUCKETS buckets."""
    days = (last - first).days + 1
    if days <= 7 * (MAX_BUCKETS - 2):  # part-weeks at both ends are buckets too
        return "week"
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= MAX_BUCKETS:
        return "month"
    if months / 3 <= MAX_BUCKETS:
        return "quarter"
    return "year"


def engine_interval(interval: str) -> str:
    """What to ask the engine for: quarters are counted as months, then folded."""
    return "month" if interval == "quarter" else interval


def fold(counts: dict[date, int], interval: str) -> dict[date, int]:
    """Counts keyed by a finer bucket start, re-keyed (and summed) by the interval's bucket start."""
    out: dict[date, int] = {}
    for start, n in counts.items():
        key = bucket_start(start, interval)
        out[key] = out.get(key, 0) + n
    return out


def span_of(counts: dict[date, int]) -> tuple[date, date] | None:
    days = [d for d, n in counts.items() if n]
    return (min(days), max(days)) if days else None
