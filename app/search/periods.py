"""Timeline periods: weeks (from Monday), months and years, each keyed by its first day."""

from datetime import date, timedelta

INTERVALS = ("week", "month", "year")


def bucket_start(day: date, interval: str) -> date:
    if interval == "year":
        return day.replace(month=1, day=1)
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_end(start: date, interval: str) -> date:
    """The last day of the period that begins on start."""
    if interval == "year":
        return start.replace(month=12, day=31)
    if interval == "week":
        return start + timedelta(days=6)
    following = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return following - timedelta(days=1)
