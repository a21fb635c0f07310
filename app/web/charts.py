"""Charts drawn on the server as SVG: they need no JavaScript, obey the CSP, and every bar or
point is a link to the matching search. The same numbers are always shown in a table too."""

from dataclasses import dataclass
from datetime import date, timedelta

from app.search.periods import bucket_end, bucket_start

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 900, 220, 40, 24, 20
PALETTE = ["#1f5fbf", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085"]


def fill_buckets(counts: dict[date, int], interval: str, first: date, last: date) -> list[date]:
    """Every bucket start from first to last, so empty periods show as gaps, not as nothing."""
    starts, current = [], bucket_start(first, interval)
    while current <= last and len(starts) < 600:
        starts.append(current)
        current = bucket_end(current, interval) + timedelta(days=1)
    return starts


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    start: date
    end: date
    count: int


@dataclass
class Marker:
    x: float
    id: str
    title: str
    date: str
    url: str | None = None  # list actions link to their entity; restrictions to their search


def _x_of(day: date, first: date, last: date) -> float:
    span = max((last - first).days, 1)
    return PAD_LEFT + (WIDTH - PAD_LEFT - 10) * (day - first).days / span


def bar_chart(buckets: list[dict], events: list[dict], interval: str) -> dict | None:
    if not buckets:
        return None
    counts = {date.fromisoformat(b["start"]): b["count"] for b in buckets}
    starts = fill_buckets(counts, interval, min(counts), max(counts))
    first, last = starts[0], bucket_end(starts[-1], interval)
    top = max(counts.values())
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = (WIDTH - PAD_LEFT - 10) / len(starts)
    bars = []
    for i, start in enumerate(starts):
        n = counts.get(start, 0)
        h = plot_h * n / top
        bars.append(Bar(PAD_LEFT + i * slot + slot * 0.1, PAD_TOP + plot_h - h, max(slot * 0.8, 1), h,
                        start, bucket_end(start, interval), n))
    markers = [Marker(_x_of(date.fromisoformat(e["date"]), first, last), e["id"], e["title"], e["date"],
                      e.get("url"))
               for e in events if first <= date.fromisoformat(e["date"]) <= last]
    return {"bars": bars, "markers": markers, "top": top, "width": WIDTH, "height": HEIGHT,
            "base": HEIGHT - PAD_BOTTOM, "first": first, "last": last, "pad_left": PAD_LEFT}


def line_chart(series: list[dict], events: list[dict], interval: str) -> dict | None:
    """series: [{"id", "name", "buckets": {date: count}}] on a shared time axis."""
    all_days = [d for s in series for d in s["buckets"]]
    if not all_days:
        return None
    starts = fill_buckets({}, interval, min(all_days), max(all_days))
    first, last = starts[0], starts[-1]
    top = max(max(s["buckets"].values(), default=0) for s in series) or 1
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    lines = []
    for i, s in enumerate(series):
        points = []
        for start in starts:
            x = _x_of(start, first, last) if len(starts) > 1 else WIDTH / 2
            n = s["buckets"].get(start, 0)
            points.append({"x": x, "y": PAD_TOP + plot_h - plot_h * n / top, "count": n, "start": start,
                           "end": bucket_end(start, interval)})
        lines.append({"id": s["id"], "name": s["name"], "color": PALETTE[i % len(PALETTE)],
                      "points": points,
                      "path": " ".join(f"{p['x']:.1f},{p['y']:.1f}" for p in points)})
    markers = [Marker(_x_of(date.fromisoformat(e["date"]), first, last), e["id"], e["title"], e["date"],
                      e.get("url"))
               for e in events if first <= date.fromisoformat(e["date"]) <= bucket_end(last, interval)]
    return {"lines": lines, "markers": markers, "top": top, "width": WIDTH, "height": HEIGHT,
            "base": HEIGHT - PAD_BOTTOM, "starts": starts, "pad_left": PAD_LEFT}
