"""Datelines: the date a wire story opens with, used when an article brings no date of its own.

    WASHINGTON, 3 March 2026 - ...        PARIS, le 3 mars 2026 - ...      BERLIN, 3. März 2026 - ...
    WASHINGTON, March 3, 2026 (Reuters) - ...                          МОСКВА, 3 марта 2026 — ...
    بكين - 3 مارس 2026 - ...              東京、2026年3月3日 - ...            서울, 2026년 3월 3일 - ...
    新华社北京3月3日电 ...                 本报华盛顿2026年3月3日讯 ...

Only the first lines are read, only the short segments before a dateline dash (or, in Chinese,
before 电/讯), and a date must name a day and a month (dateparser's REQUIRE_PARTS): a year or a
weekday alone, or a date further into the text, is never taken. The dates themselves are read by
the same code as every other date (app/ingest/normalize.py: month spellings, Eastern Arabic
digits), so every language it reads works here. A date without a year is the latest such day
not after `now`.
"""

import re
import unicodedata
from datetime import UTC, datetime, timedelta

import dateparser

from app.ingest.normalize import DATE_LANGUAGES, prepare_date_text

FIRST_LINES = 3
HEAD_CHARS = 160
SEGMENT_CHARS = 48  # "WASHINGTON, Tuesday, March 3, 2026" fits; a sentence does not
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_DASH = re.compile(r"\s+[-–—―]+\s+|\s*(?:--|——|—|–)\s*")
_COMMA = re.compile(r"\s*[,،、，]\s*")
_PAREN = re.compile(
    r"\s*[(（【\[][^)）】\]]{0,40}[)）】\]]\s*"
)  # (Reuters), （记者 张三）, 【共同】
_LEAD = re.compile(r"^(?:le|the|on|am|den|el|il|del)\s+", re.I)
_ZH = re.compile(r"((?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:电|讯|電|訊)")
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\d{4}")
_HAN_MONTH_DAY = re.compile(r"^\d{1,2}\s*月\s*\d{1,2}\s*日$")


def dateline_date(body: str, now: datetime | None = None) -> datetime | None:
    """The date of the body's dateline, in UTC, or None when it has none."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    lines = [
        line.strip()
        for line in body.split("\n", FIRST_LINES * 3)[: FIRST_LINES * 3]
        if line.strip()
    ]
    for line in lines[:FIRST_LINES]:
        head = unicodedata.normalize("NFKC", line[:HEAD_CHARS])
        for candidate in _candidates(head):
            found = _parse(candidate, now)
            if found is not None:
                return found
    return None


def _candidates(head: str):
    chinese = _ZH.search(head[:40])
    if chinese:
        yield chinese.group(1)
    segments = _DASH.split(head)
    if len(segments) < 2:  # no dash after it: not a dateline
        return
    for segment in segments[:-1][:2]:
        segment = _PAREN.sub(" ", segment).strip()
        if len(segment) > SEGMENT_CHARS * 2 or not _DIGIT.search(segment):
            continue
        pieces = _COMMA.split(segment)
        # The whole segment, then without the place before its first comma, and so on.
        for start in range(len(pieces)):
            candidate = _LEAD.sub("", " ".join(pieces[start:]).strip())
            if len(candidate) <= SEGMENT_CHARS and _DIGIT.search(candidate):
                yield candidate


def _parse(candidate: str, now: datetime) -> datetime | None:
    base = now.replace(tzinfo=None)
    text = prepare_date_text(candidate)
    yearless = not _YEAR.search(text)
    if _HAN_MONTH_DAY.match(text):  # dateparser reads "12月20日" as 2012: give it the year
        text = f"{now.year}年{text}"
    try:
        parsed = dateparser.parse(
            text,
            languages=DATE_LANGUAGES,
            settings={
                "TO_TIMEZONE": "UTC",
                "RETURN_AS_TIMEZONE_AWARE": True,
                "PREFER_DATES_FROM": "past",
                "REQUIRE_PARTS": ["day", "month"],
                "RELATIVE_BASE": base,
            },
        )
    except Exception:  # noqa: BLE001 - a third-party parser: any failure means "no date here"
        return None
    if parsed is None:
        return None
    parsed = parsed.astimezone(UTC)
    if parsed > now + timedelta(days=1) and yearless:  # "12月20日" read in early December
        try:
            parsed = parsed.replace(year=parsed.year - 1)
        except ValueError:  # 29 February
            return None
    if not EARLIEST <= parsed <= now + timedelta(days=1):
        return None
    return parsed
