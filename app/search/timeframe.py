"""Time bounds a query states in words, read as the date filters they mean.

Analysts bound questions in time: "chip export controls announced in 2024", "restricciones
... en 2022", "the October 2023 update", "since 2024", "2023年", «في عام 2024». A stated year
or month (never a bare number: "Huawei 2019" stays a word, and a year after this one is a
plan, "roadmap to 2028", not a date) narrows the search to the articles published then, like
the from/to filters it becomes (the page shows them and they can be removed); its words are
left out of the query. Relative times ("last year") are not read: the clock of an archive is
not the reader's.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from app.filters import Filters

# Month names (folded: lower case; accents kept as typed and also without them).
_MONTHS = {
    1: "january jan janvier januar enero يناير январь января",
    2: "february feb fevrier février februar febrero فبراير февраль февраля",
    3: "march mar mars märz marz marzo مارس март марта",
    4: "april apr avril abril أبريل ابريل апрель апреля",
    5: "may mai mayo مايو май мая",
    6: "june jun juin juni junio يونيو июнь июня",
    7: "july jul juillet juli julio يوليو июль июля",
    8: "august aug aout août agosto أغسطس اغسطس август августа",
    9: "september sep sept septembre septiembre سبتمبر сентябрь сентября",
    10: "october oct octobre oktober octubre أكتوبر اكتوبر октябрь октября",
    11: "november nov novembre noviembre نوفمبر ноябрь ноября",
    12: "december dec decembre décembre dezember diciembre ديسمبر декабрь декабря",
}
_MONTH_OF = {name: n for n, names in _MONTHS.items() for name in names.split() if len(name) > 2}
_MONTH = "(?P<month>" + "|".join(sorted(map(re.escape, _MONTH_OF), key=len, reverse=True)) + ")"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_B, _E = r"(?<![\w-])", r"(?![\w-])"  # word edges (Arabic and Cyrillic letters are \w)

_IN = r"in|during|throughout|en|im|im jahr|durante|en el año|au cours de|pendant|في|خلال|عام|في عام|в|во"
_SINCE = r"since|from|depuis|seit|ab|desde|منذ|с|со"
_BEFORE = r"before|until|till|avant|vor|bis|antes de|hasta|قبل|до"

# (kind, pattern): the first that matches wins; a month with its year before a year alone.
_PATTERNS = [
    (
        "since",
        rf"{_B}(?:{_SINCE})\s+(?:the\s+|l'|le\s+)?(?:{_MONTH}\s+(?:de\s+|del\s+)?)?{_YEAR}{_E}(?:\s*(?:году|года|год))?",
    ),
    ("since", rf"(?:自|从)?{_YEAR}年(?:(?P<zmonth>\d{{1,2}})月)?(?:以来|起)"),
    (
        "before",
        rf"{_B}(?:{_BEFORE})\s+(?:the\s+)?(?:{_MONTH}\s+(?:de\s+|del\s+)?)?{_YEAR}{_E}(?:\s*(?:году|года|год))?",
    ),
    ("before", rf"{_YEAR}年(?:(?P<zmonth>\d{{1,2}})月)?(?:以前|之前)"),
    ("during", rf"{_B}(?:(?:{_IN})\s+)?{_MONTH}\s+(?:de\s+|del\s+)?{_YEAR}{_E}"),
    ("during", rf"{_YEAR}年(?P<zmonth>\d{{1,2}})月"),
    ("during", rf"{_B}(?:{_IN})\s+{_YEAR}{_E}(?:\s*(?:году|года|год))?"),
    ("during", rf"{_YEAR}\s*年(?!\d)"),
]
_COMPILED = [(kind, re.compile(p, re.IGNORECASE)) for kind, p in _PATTERNS]


@dataclass(frozen=True)
class TimeBounds:
    date_from: date | None
    date_to: date | None
    text: str  # the words that said it, as typed

    def said(self) -> str:
        """The bounds said back: "published in 2024", "published since October 2022"."""
        if self.date_from and self.date_to:
            if (
                self.date_from.year == self.date_to.year
                and self.date_from.month == self.date_to.month
            ):
                return f"published in {self.date_from:%B %Y}"
            if self.date_from.month == 1 and self.date_to.month == 12:
                return f"published in {self.date_from.year}"
        if self.date_from:
            return f"published since {self.date_from:%B %Y}"
        return f"published before {self.date_to:%B %Y}" if self.date_to else ""


def _window(year: int, month: int | None) -> tuple[date, date]:
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def time_bounds(q: str, today: date | None = None) -> tuple[str, TimeBounds | None]:
    """q without the words that state a time, and the bounds they state (None: none)."""
    today = today or date.today()
    for kind, pattern in _COMPILED:
        for match in pattern.finditer(q):
            year = int(match.group("year"))
            groups = match.groupdict()
            month = (_MONTH_OF.get(groups["month"].lower()) if groups.get("month") else None) or (
                int(groups["zmonth"]) if groups.get("zmonth") else None
            )
            if year > today.year or (month is not None and not 1 <= month <= 12):
                continue  # a plan ("roadmap to 2028"), not a date of the archive
            start, end = _window(year, month)
            if kind == "since":
                bounds = TimeBounds(start, None, match.group())
            elif kind == "before":
                bounds = TimeBounds(None, date.fromordinal(start.toordinal() - 1), match.group())
            else:
                bounds = TimeBounds(start, end, match.group())
            rest = (q[: match.start()] + " " + q[match.end() :]).strip()
            return re.sub(r"\s{2,}", " ", rest), bounds
    return q, None


def with_time_bounds(filters: Filters, bounds: TimeBounds | None) -> Filters:
    """filters narrowed to the bounds a query states (within any from/to already set)."""
    if bounds is None:
        return filters
    update = {}
    if bounds.date_from and (filters.date_from is None or bounds.date_from > filters.date_from):
        update["date_from"] = bounds.date_from
    if bounds.date_to and (filters.date_to is None or bounds.date_to < filters.date_to):
        update["date_to"] = bounds.date_to
    return filters.model_copy(update=update) if update else filters
