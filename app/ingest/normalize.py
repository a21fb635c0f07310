"""Cleaning and reading one article: text, title, language, date, content hash, canonical URL."""

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dateparser
import py3langid

from app.text import normalize

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_SENTENCE_END = re.compile(r"[.!?。！？؟]\s|[.!?。！？؟]$|[。！？]")
_NON_WORD = re.compile(r"[\W_]+")
TITLE_MAX = 150
DERIVED_TITLE_MAX = 90
LANG_CODE = re.compile(r"^[a-z]{2,3}$")


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces, at most one blank line between paragraphs."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


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


def parse_date(raw: str | None) -> datetime | None:
    """Any date the press writes (ISO, RFC 822, "16 avril 2025", "١٦ أبريل ٢٠٢٥", "2025年4月16日") in UTC."""
    if not raw or not raw.strip():
        return None
    raw = raw.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        parsed = dateparser.parse(raw, settings={
            "TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DATES_FROM": "past",
        })
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def content_hash(body: str) -> str:
    """Exact-duplicate key: the folded words of the body, ignoring case, spacing and punctuation."""
    folded = _NON_WORD.sub(" ", normalize(body)).strip()
    return hashlib.sha256(folded.encode()).hexdigest()


def canonical_url(url: str | None) -> str | None:
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(("utm_", "fbclid", "gclid"))]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))
