"""Charts drawn on the server as SVG: they need no JavaScript, obey the CSP, and every bar or
point is a link to the matching search. The same numbers are always shown in a table too.

Restrictions are drawn as markers coloured by who issued them; markers closer than a few
pixels are grouped into one marker with a count that links to the zoomed-in range, where they
stand apart again. A chart can show counts or each period's share of all articles."""

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache

from markupsafe import Markup, escape

from app.gazetteer import default as default_gazetteer
from app.search.periods import bucket_end, bucket_start
from app.web import html

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_BOTTOM, PAD_TOP = 900, 240, 44, 10, 24, 34
# Two markers nearer than this (in viewBox units, 1/900 of the width) are one group.
GROUP_GAP = 16
# Series colours: distinguishable, and each entity keeps its slot across pages (see colour_slots).
PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#79706e",
]  # Tableau 10: told apart by most readers, colour-blind ones too
MAX_SERIES = 8
# Who issued a restriction, by the region of the issuing agency.
ISSUERS = {
    "united-states": ("us", "United States"),
    "china": ("cn", "China"),
    "netherlands": ("nl", "Netherlands"),
    "japan": ("jp", "Japan"),
}
OTHER_ISSUER = ("other", "Other governments")
LIST_ACTION = ("list", "Export-control list additions and removals")


def fill_buckets(counts: dict[date, int], interval: str, first: date, last: date) -> list[date]:
    """Every bucket start from first to last, so empty periods show as gaps, not as nothing."""
    return [start for start, _end in _periods(interval, first, last)]


def _periods(interval: str, first: date, last: date) -> tuple[tuple[date, date], ...]:
    """(start, last day) of every bucket from first to last (at most 600)."""
    return _periods_from(bucket_start(first, interval), last, interval)


@lru_cache(maxsize=1024)
def _periods_from(start: date, last: date, interval: str) -> tuple[tuple[date, date], ...]:
    """_periods, kept: every chart from a day of the same month (week...) to the same last day
    has the same periods, and their date arithmetic was a fifth of drawing a chart."""
    out: list[tuple[date, date]] = []
    current = start
    while current <= last and len(out) < 600:
        end = bucket_end(current, interval)
        out.append((current, end))
        current = end + timedelta(days=1)
    return tuple(out)


@lru_cache(maxsize=4096)
def _iso(day: date) -> str:
    """day.isoformat() (as f"{day}" writes it), kept: the charts' periods repeat page after page."""
    return day.isoformat()


@lru_cache(maxsize=4096)
def _tenths(value: float) -> str:
    """f"{value:.1f}", kept: bar positions and widths repeat for charts of as many periods."""
    return f"{value:.1f}"


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    start: date
    end: date
    count: int
    share: float | None = None


Day = date  # the field Marker.date would shadow the type inside the class


@dataclass
class Marker:
    """One restriction (or list action), or a group of them too close together to tell apart."""

    x: float
    id: str
    title: str
    date: str
    url: str | None = None  # list actions link to their entity; restrictions to their search
    tone: str = "other"  # issuer class (us, cn, nl, jp, other, list)
    members: list["Marker"] = field(default_factory=list)  # a group's markers, oldest first
    zoom: tuple[Day, Day] | None = None  # a group: the range that shows its members apart
    label_x: float = 0.0

    @property
    def grouped(self) -> bool:
        return bool(self.members)

    @cached_property  # the template writes it three times per marker
    def label(self) -> str:
        if self.grouped:
            return f"{len(self.members)} restrictions, {self.members[0].date} to {self.members[-1].date}"
        short = self.title if len(self.title) <= 48 else self.title[:47].rstrip() + "…"
        return f"{short}, {self.date}"


def issuer_tone(issuer: str | None) -> tuple[str, str]:
    """(css class, legend text) for a restriction's issuer: an agency (by its region) or a region."""
    if not issuer:
        return OTHER_ISSUER
    entity = default_gazetteer().entities.get(issuer)
    region = entity.raw.get("region") if entity is not None and entity.type == "agency" else issuer
    return ISSUERS.get(region, OTHER_ISSUER)


def _x_of(day: date, first: date, last: date) -> float:
    span = max((last - first).days, 1)
    return PAD_LEFT + (WIDTH - PAD_LEFT - PAD_RIGHT) * (day - first).days / span


def markers(events: list[dict], first: date, last: date) -> list[Marker]:
    """Markers for the events in [first, last] on an axis from first to last, crowded ones grouped."""
    singles = []
    for e in events:
        day = date.fromisoformat(e["date"])
        if not first <= day <= last:
            continue
        tone = LIST_ACTION[0] if e.get("kind") == "list" else issuer_tone(e.get("issuer"))[0]
        singles.append(
            Marker(_x_of(day, first, last), e["id"], e["title"], e["date"], e.get("url"), tone)
        )
    singles.sort(key=lambda m: (m.x, m.date, m.id))
    groups: list[list[Marker]] = []
    for m in singles:
        if groups and m.x - groups[-1][0].x < GROUP_GAP:
            groups[-1].append(m)
        else:
            groups.append([m])
    out = []
    for group in groups:
        if len(group) == 1:
            out.append(group[0])
            continue
        lo, hi = date.fromisoformat(group[0].date), date.fromisoformat(group[-1].date)
        pad = max(timedelta(days=15), (hi - lo) / 4)
        tones = {m.tone for m in group}
        out.append(
            Marker(
                sum(m.x for m in group) / len(group),
                "group-" + group[0].id,
                f"{len(group)} restrictions",
                group[0].date,
                None,
                tones.pop() if len(tones) == 1 else "mixed",
                members=group,
                zoom=(lo - pad, hi + pad),
            )
        )
    for m in out:  # labels stay inside the chart
        m.label_x = min(max(m.x, PAD_LEFT + 150), WIDTH - PAD_RIGHT - 150)
    return out


def legend(chart_markers: list[Marker]) -> list[tuple[str, str]]:
    """The issuer colours present on the chart, for its legend."""
    tones = {m.tone for top in chart_markers for m in (top.members or [top])}
    entries = [
        (cls, text) for cls, text in (*ISSUERS.values(), OTHER_ISSUER, LIST_ACTION) if cls in tones
    ]
    return entries


def bar_chart(
    buckets: list[dict],
    events: list[dict],
    interval: str,
    totals: dict[date, int] | None = None,
    span: tuple[date | None, date | None] = (None, None),
) -> dict | None:
    """Bars per period; with totals (all articles per period), each bar is its share of them.
    span: the date range asked for; the chart covers it even where it has no articles."""
    if not buckets:
        return None
    counts = {date.fromisoformat(b["start"]): b["count"] for b in buckets}
    periods = _periods(interval, span[0] or min(counts), span[1] or max(counts))
    first, last = periods[0][0], periods[-1][1]
    values: dict[date, float]
    if totals is not None:
        values = {s: counts.get(s, 0) / totals[s] if totals.get(s) else 0.0 for s, _ in periods}
    else:
        values = {s: counts.get(s, 0) for s, _ in periods}
    top = max(values.values()) or 1
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / len(periods)
    bars = []
    for i, (start, end) in enumerate(periods):
        h = plot_h * values[start] / top
        bars.append(
            Bar(
                PAD_LEFT + i * slot + slot * 0.1,
                PAD_TOP + plot_h - h,
                max(slot * 0.8, 1),
                h,
                start,
                end,
                counts.get(start, 0),
                values[start] if totals is not None else None,
            )
        )
    chart_markers = markers(events, first, last)
    return {
        "bars": bars,
        "markers": chart_markers,
        "legend": legend(chart_markers),
        "top": _top_label(top, totals is not None),
        "width": WIDTH,
        "height": HEIGHT,
        "base": HEIGHT - PAD_BOTTOM,
        "top_y": PAD_TOP,
        "first": first,
        "last": last,
        "pad_left": PAD_LEFT,
        "plot_right": WIDTH - PAD_RIGHT,
        "share": totals is not None,
    }


def _top_label(top: float, share: bool) -> str:
    return f"{top:.0%}" if share else str(int(top))


def colour_slots(ids: list[str]) -> dict[str, int]:
    """A palette slot per entity: its own (a hash of its id, so Nvidia is the same colour on every
    page), or the next free one when two entities on one chart share a slot."""
    taken: dict[str, int] = {}
    used: set[int] = set()
    for entity_id in ids:
        slot = zlib.crc32(entity_id.encode()) % len(PALETTE)
        while slot in used:
            slot = (slot + 1) % len(PALETTE)
        taken[entity_id] = slot
        used.add(slot)
    return taken


def line_chart(
    series: list[dict],
    events: list[dict],
    interval: str,
    totals: dict[date, int] | None = None,
    span: tuple[date | None, date | None] = (None, None),
) -> dict | None:
    """series: [{"id", "name", "buckets": {date: count}}] on a shared time axis; with totals,
    each point is the share of all articles in its period; span as for bar_chart."""
    all_days = [d for s in series for d in s["buckets"]]
    if not all_days:
        return None
    starts = fill_buckets({}, interval, span[0] or min(all_days), span[1] or max(all_days))
    first, last = starts[0], bucket_end(starts[-1], interval)

    def value(s: dict, start: date) -> float:
        n = s["buckets"].get(start, 0)
        if totals is None:
            return n
        return n / totals[start] if totals.get(start) else 0.0

    top = max((value(s, start) for s in series for start in starts), default=0) or 1
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slots = colour_slots([s["id"] for s in series])
    lines = []
    for s in series:
        points = []
        for start in starts:
            x = _x_of(start, first, last) if len(starts) > 1 else WIDTH / 2
            v = value(s, start)
            points.append(
                {
                    "x": x,
                    "y": PAD_TOP + plot_h - plot_h * v / top,
                    "count": s["buckets"].get(start, 0),
                    "share": v if totals is not None else None,
                    "start": start,
                    "end": bucket_end(start, interval),
                }
            )
        slot = slots[s["id"]]
        lines.append(
            {
                "id": s["id"],
                "name": s["name"],
                "color": PALETTE[slot],
                "slot": slot,
                "points": points,
                "path": " ".join(f"{p['x']:.1f},{p['y']:.1f}" for p in points),
            }
        )
    chart_markers = markers(events, first, last)
    return {
        "lines": lines,
        "markers": chart_markers,
        "legend": legend(chart_markers),
        "top": _top_label(top, totals is not None),
        "width": WIDTH,
        "height": HEIGHT,
        "base": HEIGHT - PAD_BOTTOM,
        "top_y": PAD_TOP,
        "starts": starts,
        "first": first,
        "last": last,
        "pad_left": PAD_LEFT,
        "plot_right": WIDTH - PAD_RIGHT,
        "share": totals is not None,
    }


def marks_svg(
    chart: dict, single_url: Callable[[Marker], str], zoom_url: Callable[[Marker], str]
) -> Markup:
    """The restriction markers of a chart as SVG links (templates/_chart_marks.html), written
    here: up to fifty markers of a dozen attributes each were a tenth of a search page as a
    template loop. single_url(m) and zoom_url(m) give each link's href, already escaped."""
    top, base = chart["top_y"], chart["base"]
    out = ['\n<g class="marks">\n  ']
    for m in chart["markers"]:
        x, label = f"{m.x:.1f}", html.text(m.label)
        grouped = m.grouped
        href = zoom_url(m) if grouped else single_url(m)
        if grouped:
            knob = (
                f'\n    <circle cx="{x}" cy="{top - 14}" r="10" class="knob"/>\n    <text x="{x}" '
                f'y="{top - 10}" class="knob-count" text-anchor="middle">{len(m.members)}</text>\n    '
            )
            members = ": " + "; ".join(
                f"{html.text(g.date)} {html.text(g.title)}" for g in m.members
            )
        else:
            knob = f'\n    <circle cx="{x}" cy="{top - 14}" r="6" class="knob"/>\n    '
            members = ""
        out.append(
            f'\n  \n  <a href="{href}" class="mark tone-{html.text(m.tone)}{" mark-group" if grouped else ""}" '
            f'aria-label="{label}{": zoom in" if grouped else ""}" data-mark="{html.text(m.id)}">\n'
            f'    <line x1="{x}" x2="{x}" y1="{top - 6}" y2="{base}" class="marker"/>\n    {knob}\n'
            f'    <rect x="{m.x - 7:.1f}" y="{top - 26}" width="14" height="{base - top + 26}" class="hitbox"/>\n'
            f'    <g class="mark-label" aria-hidden="true">\n'
            f'      <rect x="{m.label_x - 150:.1f}" y="{top + 2}" width="300" height="20" rx="3"/>\n'
            f'      <text x="{m.label_x:.1f}" y="{top + 16}" text-anchor="middle">{label}</text>\n'
            f"    </g>\n    <title>{label}{members}</title>\n  </a>\n  "
        )
    out.append("\n</g>\n")
    return Markup("".join(out))


def _pct(share: float) -> str:
    return f"{share * 100:.1f}"


def bars_svg(chart: dict, by_span: Callable[[str, str], str]) -> Markup:
    """A bar chart's bars as SVG links (the loop of templates/_chart.html), written here: fifty
    bars of a dozen formatted attributes each were a sixth of a search page as a template loop.
    by_span(start, end): a bar's query string (Filters.span_linker)."""
    top, height = chart["top_y"], chart["base"] - chart["top_y"]
    out = []
    for b in chart["bars"]:
        start, end = _iso(b.start), _iso(b.end)
        url = "/?" + html.query(by_span(start, end))
        x, w = _tenths(b.x), _tenths(b.w)
        of_all = f" ({_pct(b.share)}% of all" if b.share is not None else ""
        out.append(
            f'\n    <a href="{url}" hx-get="{url}" class="period" aria-label="{start} to {end}: '
            f'{b.count} articles{of_all + ")" if of_all else ""}">\n      <rect x="{x}" '
            f'y="{b.y:.1f}" width="{w}" height="{b.h:.1f}" class="bar"><title>{start} to '
            f"{end}: {b.count}{of_all + ' articles)' if of_all else ''}</title></rect>\n"
            f'      <rect x="{x}" y="{top}" width="{w}" height="{height}" class="hitbox"/>\n'
            f"    </a>\n    "
        )
    return Markup("".join(out))


def bar_rows(chart: dict) -> Markup:
    """The rows of the chart's table: one per bar with articles (as the template wrote them)."""
    share = chart["share"]
    return Markup(
        "".join(
            f"<tr><td>{b.start}</td><td>{b.count}</td>"
            f"{f'<td>{_pct(b.share)}%</td>' if share else ''}</tr>"
            for b in chart["bars"]
            if b.count
        )
    )


def event_rows(events: list[dict]) -> Markup:
    """The rows of the table of restrictions in range (as the template wrote them)."""
    return Markup(
        "".join(
            _event_row(
                e.get("date", ""),
                e.get("url") or "/entities/" + str(e.get("id", "")),
                e.get("title", ""),
                e.get("issuer") or "",
            )
            for e in events
        )
    )


@lru_cache(maxsize=4096)
def _event_row(day: str, url: str, title: str, issuer: str) -> str:
    """One restriction's row, kept: the same restrictions are in range page after page."""
    return (
        f'<tr><td>{escape(day)}</td><td><a href="{escape(url)}"><bdi>{escape(title)}</bdi></a>'
        f"</td><td>{escape(issuer)}</td></tr>"
    )


def legend_html(chart: dict) -> Markup:
    """The legend of a chart's restriction colours (the legend macro of
    templates/_chart_marks.html, which calls this), with the group swatch when markers were
    grouped; a line break before and after, as the macro wrote them."""
    if not chart["legend"]:
        return Markup("\n\n")
    items = "".join(
        f'<li><span class="swatch tone-{html.text(cls)}" aria-hidden="true"></span>'
        f"{html.text(text)}</li>"
        for cls, text in chart["legend"]
    )
    grouped = (
        '<li><span class="swatch-group" aria-hidden="true">3</span>several restrictions close '
        "together (opens the range)</li>"
        if any(m.grouped for m in chart["markers"])
        else ""
    )
    return Markup(
        '\n<ul class="legend legend-issuers" aria-label="Restriction colours: who issued them">'
        f"\n  {items}\n  {grouped}\n</ul>\n"
    )


def brush_attrs(chart: dict, href: str) -> Markup:
    """The attributes chart.js reads to zoom by dragging (the brush_attrs macro of
    templates/_chart_marks.html, which calls this): href is the range link without dates."""
    return Markup(
        f'data-brush data-href="{escape(href)}" data-first="{escape(chart["first"])}" '
        f'data-last="{escape(chart["last"])}" data-x0="{escape(chart["pad_left"])}" '
        f'data-x1="{escape(chart["plot_right"])}" data-width="{escape(chart["width"])}"'
    )


def mark_links(
    by_restriction: Callable[[str], str], by_span: Callable[[str, str], str], options: str
) -> tuple[Callable[[Marker], Markup], Callable[[Marker], Markup]]:
    """single_url(m) and zoom_url(m) of the search page's markers (once macros of
    templates/_chart.html, a template call per marker): a restriction's search (or a list
    action's own link), and a group's zoomed-in range with the chart's options."""
    tail = Markup("&amp;") + options if options else ""

    def single_url(m: Marker) -> Markup:
        if m.url:
            return escape(m.url)
        return Markup("/?" + html.query(by_restriction(m.id)))

    def zoom_url(m: Marker) -> Markup:
        assert m.zoom is not None  # a group's
        return (
            Markup("/?" + html.query(by_span(m.zoom[0].isoformat(), m.zoom[1].isoformat()))) + tail
        )

    return single_url, zoom_url
