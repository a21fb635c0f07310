"""What a list file becomes: party records and row errors, with the helpers every layout uses."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from app.text import normalize

MAX_NAME = 500
MAX_FIELD = 4000
MAX_VALUES = 200  # aliases or addresses of one party


class FileError(ValueError):
    """The file is not a list file chipwatch can read (the message says why)."""


@dataclass
class PartyRecord:
    row: int
    list_slug: str
    name: str
    alt_names: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    country: str | None = None
    source: str | None = None
    federal_register_notice: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    source_list_url: str | None = None

    @property
    def key(self) -> str:
        return party_key(self.list_slug, self.name)

    def fields(self) -> dict:
        """What a party is: compared between imports (a difference is a "changed" event)."""
        return {
            "name": self.name,
            "alt_names": self.alt_names,
            "addresses": self.addresses,
            "country": self.country,
            "federal_register_notice": self.federal_register_notice,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "license_requirement": self.license_requirement,
            "license_policy": self.license_policy,
            "source_list_url": self.source_list_url,
        }

    def fingerprint(self) -> str:
        return fingerprint(self.fields())


def fingerprint(fields: dict) -> str:
    """A hash of a party's fields; the order of aliases and addresses does not count."""
    data = {k: sorted(v) if isinstance(v, list) else v for k, v in fields.items()}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class RowError:
    row: int
    reason: str
    key: str | None = None  # the party the row names, when it names one: never "removed" for this

    def to_dict(self) -> dict:
        return {"row": self.row, "reason": self.reason}


@dataclass
class ParsedFile:
    format: str
    records: list[PartyRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    as_of: date | None = None  # the date the file itself gives for its content
    lists: set[str] = field(default_factory=set)  # every list the file names, bad rows included
    rows: int = 0


_WORD = re.compile(r"[^\W_]+")


def party_key(slug: str, name: str) -> str:
    """Case, punctuation, spacing and script forms folded: "Huawei Technologies Co., Ltd." and
    "HUAWEI TECHNOLOGIES CO. LTD" are one party of a list."""
    return (slug + ":" + " ".join(_WORD.findall(normalize(name))))[:700]


def parse_day(value) -> date | None:
    """ISO dates (a time part is ignored) and US M/D/YY or M/D/YYYY; ValueError otherwise."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"date {value!r} is not text")
    text = value.strip()
    if not text:
        return None
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text[:10])
        else:
            m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", text)
            if not m:
                raise ValueError
            year = int(m.group(3))
            year += 2000 if year < 70 else 1900 if year < 100 else 0
            day = date(year, int(m.group(1)), int(m.group(2)))
    except ValueError:
        raise ValueError(f"unreadable date {text[:40]!r}") from None
    if not 1900 <= day.year <= 2100:
        raise ValueError(f"date {text[:40]!r} out of range")
    return day


def clean(value, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise ValueError(f"{what} is not text")
    text = " ".join(str(value).replace("\x00", "").split())
    if len(text) > MAX_FIELD:
        raise ValueError(f"{what} longer than {MAX_FIELD} characters")
    return text or None


def values_of(value, what: str) -> list[str]:
    """A list of strings, or one string of values separated by semicolons (the CSV layout)."""
    if value is None or value == "":
        return []
    items = (
        value
        if isinstance(value, list)
        else str(value).split(";")
        if isinstance(value, str)
        else None
    )
    if items is None:
        raise ValueError(f"{what} is neither a list nor text")
    out = []
    for item in items:
        text = clean(item, what)
        if text and text not in out:
            out.append(text)
    if len(out) > MAX_VALUES:
        raise ValueError(f"more than {MAX_VALUES} {what}")
    return out
