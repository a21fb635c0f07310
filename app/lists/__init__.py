"""Export-control lists as data: the trade.gov Consolidated Screening List and the BIS Entity
List, imported with their history (parse, importer), linked to gazetteer companies (match),
and turned into each article's list status at its date (status). See docs/lists.md.
"""

import re

from app.text import normalize

# List slugs chipwatch knows, with the names shown to readers. A CSL `source` is mapped by the
# abbreviation in its parentheses ("Entity List (EL) - Bureau of Industry and Security").
LIST_NAMES = {
    "entity-list": "Entity List (BIS)",
    "meu-list": "Military End-User List (BIS)",
    "unverified-list": "Unverified List (BIS)",
    "denied-persons": "Denied Persons List (BIS)",
    "sdn": "Specially Designated Nationals (Treasury)",
    "cmic": "Chinese Military-Industrial Complex Companies (Treasury)",
    "ssi": "Sectoral Sanctions Identifications (Treasury)",
    "fse": "Foreign Sanctions Evaders (Treasury)",
    "ns-mbs": "Non-SDN Menu-Based Sanctions (Treasury)",
    "plc": "Palestinian Legislative Council (Treasury)",
    "capta": "Correspondent Account or Payable-Through Account Sanctions (Treasury)",
    "itar-debarred": "ITAR Debarred (State)",
    "isn": "Nonproliferation Sanctions (State)",
}
_ABBREVIATIONS = {
    "el": "entity-list",
    "meu": "meu-list",
    "uvl": "unverified-list",
    "dpl": "denied-persons",
    "sdn": "sdn",
    "cmic": "cmic",
    "ssi": "ssi",
    "fse": "fse",
    "ns-mbs list": "ns-mbs",
    "ns-mbs": "ns-mbs",
    "plc": "plc",
    "cap": "capta",
    "dtc": "itar-debarred",
    "isn": "isn",
}
_PLAIN = {
    "entity list": "entity-list",
    "military end user list": "meu-list",
    "military end-user list": "meu-list",
    "unverified list": "unverified-list",
    "denied persons list": "denied-persons",
    "specially designated nationals": "sdn",
}
LIST_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def list_slug(source: str) -> str | None:
    """The list slug of a CSL `source` value (or of a slug, an abbreviation, a plain name)."""
    text = " ".join(normalize(source or "").split())
    if not text:
        return None
    if text in LIST_NAMES or text in _ABBREVIATIONS.values():
        return text
    found = re.search(r"\(([^)]+)\)", text)
    if found and found.group(1).strip() in _ABBREVIATIONS:
        return _ABBREVIATIONS[found.group(1).strip()]
    if text in _ABBREVIATIONS:
        return _ABBREVIATIONS[text]
    head = text.split(" - ")[0].split("(")[0].strip()
    if head in _PLAIN:
        return _PLAIN[head]
    slug = re.sub(r"[^a-z0-9]+", "-", head).strip("-")[:60]
    return slug if slug and LIST_SLUG.match(slug) else None


def list_name(slug: str) -> str:
    return LIST_NAMES.get(slug, slug.replace("-", " ").capitalize())


LISTED_NAMES = {"yes": "Listed at the article's date", "no": "Not listed at the article's date"}


def facet_value_name(facet: str, value: str) -> str:
    """The reader's name of a `listed` or `list` facet value (others pass through)."""
    if facet == "listed":
        return LISTED_NAMES.get(value, value)
    if facet == "list":
        return list_name(value)
    return value
