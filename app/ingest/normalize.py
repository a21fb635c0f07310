"""Cleaning and reading one article: text, title, language, date, content hash, canonical URL."""

import email.utils
import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dateparser
import py3langid

from app.urls import BadUrl, looks_like_url, parse_url
from app.words import folded_words

# C0 controls, and lone surrogates: no database can store them as UTF-8 text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Runs of spaces become one " ": only the runs that change are matched (two or more, or one
# that is not " "), not every word gap.
_SPACES_TO_FOLD = re.compile(
    r" [ \t\u00a0\u2000-\u200a\u3000]+|[\t\u00a0\u2000-\u200a\u3000][ \t\u00a0\u2000-\u200a\u3000]*"
)
_OTHER_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u3000]")
_SENTENCE_END = re.compile(r"[.!?。！？؟]\s|[.!?。！？؟]$|[。！？]")
_BLANK_LINES = re.compile(r"\n{3,}")
TITLE_MAX = 150
DERIVED_TITLE_MAX = 90
LANG_CODE = re.compile(r"^[a-z]{2,3}$")


def language_code(tag: str | None) -> str | None:
    """The language of a tag as feeds, CMSs and browsers write it (BCP 47: "en-US", "zh-Hant-TW",
    "pt_BR", " FR "): its primary subtag, lower-cased; None for no tag. A tag whose primary
    subtag is not two or three letters comes back as written, for the caller to refuse."""
    if tag is None or not tag.strip():
        return None
    tag = tag.strip().lower()
    primary = re.split(r"[-_]", tag, maxsplit=1)[0]
    return primary if LANG_CODE.match(primary) else tag


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces, at most one blank line between paragraphs."""
    text = unicodedata.normalize(
        "NFC", _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    )
    # _SPACES_TO_FOLD never matches a line break: one pass gives what one per line would.
    # (Most texts hold neither a double space nor another kind of space: nothing to replace.)
    if "  " in text or _OTHER_SPACE.search(text):
        text = _SPACES_TO_FOLD.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def storable(text: str | None) -> str | None:
    """Text any database keeps as it is: no NUL, no lone surrogates (a file name that is not
    UTF-8, a JSON string with an unpaired \\ud800)."""
    if text is None:
        return None
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def split_title(body: str) -> tuple[str | None, str]:
    """Take the first line as the title when it reads like one (short, no full stop)."""
    first, _, rest = body.partition("\n")
    first = first.strip()
    if rest.strip() and 0 < len(first) <= TITLE_MAX and not _SENTENCE_END.search(first):
        return first, rest.strip()
    return None, body


def derive_title(body: str) -> str:
    """A short title from the opening sentence, cut at a word boundary."""
    first_line = body.strip().split("\n", 1)[0]
    match = _SENTENCE_END.search(first_line)
    sentence = first_line[: match.start() + 1] if match else first_line
    sentence = sentence.strip().rstrip(".;:,،؛")
    if len(sentence) <= DERIVED_TITLE_MAX:
        return sentence
    cut = sentence[:DERIVED_TITLE_MAX]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(".;:,،؛ ") + "…"


def detect_language(text: str) -> str:
    lang, _score = py3langid.classify(text[:2000])
    return lang


# Month names dateparser does not know: Levantine/Iraqi (كانون الثاني...) and Maghrebi (جانفي...),
# rewritten to the forms it does know. Longer names first, so "كانون الثاني" wins over "كانون".
_ARABIC_MONTHS = {
    "كانون الثاني": "يناير",
    "كانون الاول": "ديسمبر",
    "كانون الأول": "ديسمبر",
    "تشرين الثاني": "نوفمبر",
    "تشرين الاول": "أكتوبر",
    "تشرين الأول": "أكتوبر",
    "شباط": "فبراير",
    "آذار": "مارس",
    "اذار": "مارس",
    "نيسان": "أبريل",
    "أيار": "مايو",
    "ايار": "مايو",
    "حزيران": "يونيو",
    "تموز": "يوليو",
    "آب": "أغسطس",
    "اب": "أغسطس",
    "أيلول": "سبتمبر",
    "ايلول": "سبتمبر",
    "جانفي": "يناير",
    "فيفري": "فبراير",
    "أفريل": "أبريل",
    "افريل": "أبريل",
    "ماي": "مايو",
    "جوان": "يونيو",
    "جويلية": "يوليو",
    "أوت": "أغسطس",
    "اوت": "أغسطس",
    "يوليوز": "يوليو",
    "غشت": "أغسطس",
    "شتنبر": "سبتمبر",
    "نونبر": "نوفمبر",
    "دجنبر": "ديسمبر",
}
_ARABIC_MONTH = re.compile(
    r"(?<!\w)("
    + "|".join(sorted(map(re.escape, _ARABIC_MONTHS), key=len, reverse=True))
    + r")(?!\w)"
)
_MONTH_PAIR = re.compile(r"(?<!\w)(\w+)\s*/\s*\1(?!\w)")  # "أبريل/نيسان" once rewritten
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Named local times, as UTC offsets (places without daylight saving time only).
_ZONE_WORDS = [
    (re.compile(r"[(（]?\s*(北京|中国标准|台北|香港|新加坡)[时時]间\s*[)）]?"), " +0800"),
    (re.compile(r"[(（]?\s*(东京|東京|日本)[时時]间\s*[)）]?"), " +0900"),
    (
        re.compile(
            r"\(?\s*بتوقيت\s+(?:مكة(?:\s+المكرمة)?|الرياض|السعودية|الدوحة|الكويت|بغداد)\s*\)?"
        ),
        " +0300",
    ),
    (re.compile(r"\(?\s*بتوقيت\s+(?:الإمارات|الامارات|أبوظبي|ابوظبي|دبي|مسقط)\s*\)?"), " +0400"),
    (re.compile(r"\(?\s*(?:بتوقيت\s+(?:غرينتش|جرينتش|غرينيتش)|ت\.\s?غ\.?)\s*\)?"), " +0000"),
]
# 下午3时30分, 晚上8点, 上午 9:30 -> 15:30, 20:00, 09:30
_ZH_TIME = re.compile(
    r"(上午|早上|凌晨|中午|下午|傍晚|晚上|晚)?\s*(\d{1,2})\s*[时時点點]\s*(?:(\d{1,2})\s*分?)?"
)
_ZH_PERIOD = re.compile(r"(上午|早上|凌晨|中午|下午|傍晚|晚上|晚)\s*(\d{1,2}):(\d{2})")
_ZH_AFTERNOON = {"下午", "傍晚", "晚上", "晚"}
# The languages dates are read in: naming them spares dateparser guessing among 200 locales
# (about 1 ms instead of 10 for a string that is not a date).
DATE_LANGUAGES = [
    "en",
    "ar",
    "zh",
    "fr",
    "de",
    "es",
    "ru",
    "ja",
    "ko",
    "pt",
    "it",
    "tr",
    "fa",
    "he",
    "hi",
    "id",
    "ms",
    "nl",
    "pl",
    "uk",
    "vi",
    "th",
]
DATE_RANGE = (1800, 2200)  # years an article's date may have; others are no date (parse_date)
_DATEPARSER = {"TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DATES_FROM": "past"}


def _zh_clock(match: re.Match) -> str:
    period, hour, minute = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if period in _ZH_AFTERNOON and hour < 12:
        hour += 12
    return f" {hour:02d}:{minute:02d}"


def _prepare_date_text(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).translate(_EASTERN_DIGITS)
    text = _ARABIC_MONTH.sub(lambda m: _ARABIC_MONTHS[m.group(1)], text)
    text = _MONTH_PAIR.sub(r"\1", text)
    for pattern, offset in _ZONE_WORDS:
        text = pattern.sub(offset, text)
    text = _ZH_TIME.sub(_zh_clock, text)
    text = _ZH_PERIOD.sub(lambda m: _zh_clock(m), text)
    return " ".join(text.split())


prepare_date_text = _prepare_date_text  # for app/ingest/datelines.py


def parse_date(raw: str | None, now: datetime | None = None) -> datetime | None:
    """Any date the press writes, in UTC: ISO 8601, RFC 822, "16 avril 2025", "١٦ نيسان ٢٠٢٥",
    "2025年4月16日 下午3时 北京时间", "منذ 3 ساعات", "3 hours ago" (relative to `now`).
    A date without a time zone is taken as UTC; one outside DATE_RANGE is None."""
    if not raw or not raw.strip():
        return None
    raw = raw.strip()[:200]
    parsed, settled = _fast_date(raw)
    if not settled:
        base = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
        parsed = _slow_date(_prepare_date_text(raw), base) or parsed
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the year 1
        return None
    # No article is dated 0001-01-01 or 9999-12-31, and date arithmetic on such a date
    # (the restriction linker's "announced ahead" window) overflows.
    return parsed if DATE_RANGE[0] <= parsed.year <= DATE_RANGE[1] else None


def _fast_date(raw: str) -> tuple[datetime | None, bool]:
    """ISO 8601 and RFC 822 (feeds) without dateparser's cost: (date, whether it is settled)."""
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")), True
    except ValueError:
        pass
    if raw[:1].isascii() and ("," in raw[:5] or raw[:1].isdigit()):
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None, False
        # A zone name parsedate does not know ("CEST") comes back naive: let dateparser try.
        return parsed, parsed.tzinfo is not None or raw.rstrip().endswith(("-0000", "+0000"))
    return None, False


@lru_cache(maxsize=4096)
def _slow_date(text: str, base: datetime) -> datetime | None:
    # Relative dates ("3 hours ago") count from `base`, a minute-precise now, so the cache holds.
    try:
        return dateparser.parse(
            text,
            languages=DATE_LANGUAGES,
            settings={**_DATEPARSER, "RELATIVE_BASE": base.replace(tzinfo=None)},
        )
    except (ValueError, OverflowError, TypeError):
        return None


def content_hash(body: str) -> str:
    """Exact-duplicate key: the folded words of the body, ignoring case, spacing and punctuation."""
    # (the words joined by single spaces, as re.sub(r"[\W_]+", " ", ...).strip() gives them)
    folded = " ".join(folded_words(body))
    return hashlib.sha256(folded.encode()).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """The URL articles are compared by (tracking parameters and fragment dropped); None for no
    URL, BadUrl (app/urls.py) for one that cannot be used."""
    if not url or not url.strip():
        return None
    parts = urlsplit(parse_url(url))
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(("utm_", "fbclid", "gclid"))
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def article_url(url: str | None) -> str | None:
    """An article's canonical URL. What is no web address at all ("tag:...", a bare feed guid,
    javascript:, data:) leaves the article without a URL; an http(s) URL that cannot be parsed
    (http://[zz]/) raises BadUrl: it was meant as a link and is broken."""
    try:
        return canonical_url(url)
    except BadUrl:
        if not url or not looks_like_url(url):  # (BadUrl means there was one)
            return None
        raise


def lookup_url(url: str | None) -> str | None:
    """canonical_url for looking an article up: a URL that cannot be used matches nothing."""
    try:
        return canonical_url(url)
    except BadUrl:
        return None
