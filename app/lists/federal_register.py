"""The BIS Entity List as Supplement No. 4 to Part 744 of the EAR, in the text layout of
docs/lists.md: country headings in capitals, then one block per entry (name, a.k.a. lines,
address, labelled licence requirement, licence review policy and Federal Register citation).
"""

import re

from app.errors import failure_reason
from app.lists.records import (
    MAX_FIELD,
    MAX_NAME,
    MAX_VALUES,
    ParsedFile,
    PartyRecord,
    RowError,
    clean,
    parse_day,
    party_key,
)

_LABELS = {
    "address": "address",
    "license requirement": "license_requirement",
    "licence requirement": "license_requirement",
    "license review policy": "license_policy",
    "licence review policy": "license_policy",
    "federal register citation": "federal_register_notice",
    "federal register citations": "federal_register_notice",
    "effective": "start_date",
    "effective date": "start_date",
    "start date": "start_date",
    "end date": "end_date",
}
_ALIAS_LINE = re.compile(r"^\s*[—–-]+\s*(.+?)\s*(?:;\s*(?:and)?|\.)?\s*$")
_FILE_DATE = re.compile(r"^(?:effective date|as of|effective)\s*:\s*(.+)$", re.I)
_CITATION_DATE = re.compile(r"\b(\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))\b")


def parse_fr_text(text: str) -> ParsedFile:
    """Supplement No. 4 to Part 744 as text: country headings, then one block per entry."""
    parsed = ParsedFile("fr-text", lists={"entity-list"})
    country = None
    for start, lines in _blocks(text):
        if len(lines) == 1 and _is_heading(lines[0]):
            country = lines[0].strip().rstrip(".:")
            continue
        if len(lines) == 1 and (m := _FILE_DATE.match(lines[0].strip())):
            try:
                parsed.as_of = parse_day(m.group(1))
            except ValueError as exc:
                parsed.errors.append(RowError(start, f"file date: {exc}"))
            continue
        if len(lines) == 1 and lines[0].strip().lower().startswith("supplement no"):
            continue
        parsed.rows += 1
        try:
            parsed.records.append(_fr_entry(start, lines, country))
        except Exception as exc:  # noqa: BLE001 - an entry that breaks a parser is that entry's error
            first = lines[0].strip().rstrip(",")
            named = first and not _label(first)[0]
            reason = str(exc) if isinstance(exc, ValueError) else failure_reason("parse", exc)
            parsed.errors.append(
                RowError(start, reason, party_key("entity-list", first) if named else None)
            )
    return parsed


def _blocks(text: str):
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _is_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(not c.islower() for c in letters) and len(line) < 80


def _label(line: str) -> tuple[str | None, str]:
    head, sep, rest = line.partition(":")
    field_name = _LABELS.get(head.strip().lower()) if sep else None
    return field_name, rest.strip() if field_name else line.strip()


def _fr_entry(start: int, lines: list[str], country: str | None) -> PartyRecord:
    name = lines[0].strip().rstrip(",").strip()
    if _label(name)[0]:
        raise ValueError("an entry must start with the party's name")
    if not name:
        raise ValueError("no name")
    if len(name) > MAX_NAME:
        raise ValueError(f"name longer than {MAX_NAME} characters")
    values: dict[str, str] = {}
    aliases: list[str] = []
    address: list[str] = []
    for line in lines[1:]:
        field_name, value = _label(line)
        if field_name:
            values[field_name] = (values.get(field_name, "") + " " + value).strip()
        elif line.strip().lower().startswith("a.k.a"):
            continue  # "a.k.a. the following two aliases:"; the aliases follow, one a line
        elif (m := _ALIAS_LINE.match(line)) and line.strip()[0] in "—–-":
            aliases.append(m.group(1).strip())
        else:
            address.append(line.strip())
    notice = values.get("federal_register_notice")
    start_date = parse_day(values["start_date"]) if values.get("start_date") else None
    if start_date is None and notice and (m := _CITATION_DATE.search(notice)):
        start_date = parse_day(m.group(1))  # the first citation is the listing
    raw_address = " ".join([*address, values.get("address", "")]).strip()
    return PartyRecord(
        row=start,
        list_slug="entity-list",
        name=name,
        alt_names=[a for a in dict.fromkeys(aliases) if a != name][:MAX_VALUES],
        addresses=[raw_address[:MAX_FIELD]] if raw_address else [],
        country=country[:100] if country else None,
        source="Entity List (Federal Register)",
        federal_register_notice=clean(notice, "Federal Register citation"),
        start_date=start_date,
        end_date=parse_day(values.get("end_date")),
        license_requirement=clean(values.get("license_requirement"), "license requirement"),
        license_policy=clean(values.get("license_policy"), "license review policy"),
    )
