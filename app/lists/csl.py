"""The trade.gov Consolidated Screening List: its CSV download and its JSON (API) layout.

Fields read: name, alt_names, addresses, source, federal_register_notice, start_date, end_date,
license_requirement, license_policy, source_list_url (others are ignored). In the CSV, values of
alt_names and addresses are separated by semicolons; `source` names the list
("Entity List (EL) - Bureau of Industry and Security").
"""

import csv
import io
import json
import re
from datetime import date

from app.errors import failure_reason
from app.lists import list_slug
from app.lists.records import (
    MAX_NAME,
    MAX_VALUES,
    FileError,
    ParsedFile,
    PartyRecord,
    RowError,
    clean,
    parse_day,
    party_key,
    values_of,
)
from app.urls import BadUrl, parse_url


def _address(value) -> tuple[str, str | None]:
    """One CSL address as text, and its country code when it has one."""
    if isinstance(value, dict):
        parts = [
            clean(value.get(k), "address")
            for k in ("address", "city", "state", "postal_code", "country")
        ]
        return ", ".join(p for p in parts if p), clean(value.get("country"), "country")
    text = clean(value, "address") or ""
    last = text.rsplit(",", 1)[-1].strip()
    return text, last if re.fullmatch(r"[A-Z]{2}", last) else None


def _record(row: int, raw: dict, default_list: str | None) -> PartyRecord:
    """A PartyRecord from one CSL row (CSV or JSON); ValueError with the reason if malformed."""
    name = clean(raw.get("name"), "name")
    if not name:
        raise ValueError("no name")
    if len(name) > MAX_NAME:
        raise ValueError(f"name longer than {MAX_NAME} characters")
    source = clean(raw.get("source"), "source")
    slug = list_slug(source) if source else default_list
    if not slug:
        raise ValueError(f"unknown list {source!r}" if source else "no source list")
    addresses, country = [], clean(raw.get("country"), "country")
    raw_addresses = raw.get("addresses")
    if isinstance(raw_addresses, str):
        raw_addresses = [a for a in raw_addresses.split(";")]
    elif raw_addresses is not None and not isinstance(raw_addresses, list):
        raise ValueError("addresses is neither a list nor text")
    for item in raw_addresses or []:
        text, code = _address(item)
        if text and text not in addresses:
            addresses.append(text)
        country = country or code
    if len(addresses) > MAX_VALUES:
        raise ValueError(f"more than {MAX_VALUES} addresses")
    return PartyRecord(
        row=row,
        list_slug=slug,
        name=name,
        alt_names=[a for a in values_of(raw.get("alt_names"), "alt_names") if a != name],
        addresses=addresses,
        country=country[:100] if country else None,
        source=source,
        federal_register_notice=clean(
            raw.get("federal_register_notice"), "federal_register_notice"
        ),
        start_date=parse_day(raw.get("start_date")),
        end_date=parse_day(raw.get("end_date")),
        license_requirement=clean(raw.get("license_requirement"), "license_requirement"),
        license_policy=clean(raw.get("license_policy"), "license_policy"),
        source_list_url=_url(clean(raw.get("source_list_url"), "source_list_url")),
    )


def _url(value: str | None) -> str | None:
    try:
        return parse_url(value) if value else None
    except BadUrl as exc:
        raise ValueError(f"source_list_url: {exc}") from None


def _add(parsed: ParsedFile, row: int, raw, default_list: str | None) -> None:
    parsed.rows += 1
    if not isinstance(raw, dict):
        parsed.errors.append(RowError(row, f"not an object but {type(raw).__name__}"))
        return
    source = raw.get("source")
    slug = list_slug(source) if isinstance(source, str) and source.strip() else default_list
    if slug:
        parsed.lists.add(slug)
    try:
        parsed.records.append(_record(row, raw, default_list))
    except Exception as exc:  # noqa: BLE001 - a row that breaks a parser is that row's error
        name = raw.get("name")
        key = party_key(slug, name) if slug and isinstance(name, str) and name.strip() else None
        reason = str(exc) if isinstance(exc, ValueError) else failure_reason("parse", exc)
        parsed.errors.append(RowError(row, reason, key))


def parse_csl_csv(text: str, default_list: str | None = None) -> ParsedFile:
    parsed = ParsedFile("csl-csv")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    except StopIteration:
        raise FileError("empty CSV file") from None
    except csv.Error as exc:
        raise FileError(f"unreadable CSV header: {exc}") from None
    if "name" not in header:
        raise FileError(
            "the CSV has no `name` column (expected the Consolidated Screening List layout)"
        )
    row = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row += 1
            parsed.rows += 1
            parsed.errors.append(RowError(row, f"unreadable CSV: {exc}"))
            continue
        row += 1
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) != len(header):
            parsed.rows += 1
            raw = dict(zip(header, values, strict=False))
            slug = list_slug(raw.get("source", "")) or default_list
            name = raw.get("name", "")
            parsed.errors.append(
                RowError(
                    row,
                    f"{len(values)} fields where the header has {len(header)}",
                    party_key(slug, name) if slug and name.strip() else None,
                )
            )
            continue
        _add(parsed, row, dict(zip(header, values, strict=True)), default_list)
    return parsed


def parse_csl_json(text: str, default_list: str | None = None) -> ParsedFile:
    parsed = ParsedFile("csl-json")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FileError(f"not JSON: {exc}") from None
    if isinstance(data, dict):
        parsed.as_of = _json_as_of(data, parsed)
        results = data.get("results")
        if not isinstance(results, list):
            raise FileError(
                'JSON without a "results" list (expected the Consolidated Screening List API layout)'
            )
    elif isinstance(data, list):
        results = data
    else:
        raise FileError('JSON that is neither a list of parties nor {"results": [...]}')
    for index, raw in enumerate(results, start=1):
        _add(parsed, index, raw, default_list)
    return parsed


def _json_as_of(data: dict, parsed: ParsedFile) -> date | None:
    """chipwatch's own "as_of", else the newest `source_last_updated` of `sources_used`."""
    try:
        if data.get("as_of"):
            return parse_day(data["as_of"])
        days = [
            parse_day(s.get("source_last_updated"))
            for s in data.get("sources_used") or []
            if isinstance(s, dict)
        ]
    except ValueError as exc:
        parsed.errors.append(RowError(0, f"file date: {exc}"))
        return None
    known = [d for d in days if d]
    return max(known) if known else None
