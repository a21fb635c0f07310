"""An Entity List rule's parties, proposed to the list review through the list import.

A stored Federal Register rule (an article of kind "rule", app/ingest/federal_register.py) that
adds entities to the Entity List names them in its text. What chipwatch stores of a rule is the
API's abstract, so the parties are read only when that text lists them in the supplement layout
the `fr-text` reader already knows (docs/lists.md: a country heading in capitals, then one block
per party: name, a.k.a. lines, address, labelled licence requirement, policy and citation). A
real abstract is one paragraph that at most names a few parties in passing: those are not
extracted (no reliable country or address), and nothing is imported for such a rule.

The parties found go through app/lists/importer.py like any list file, as a partial import
(a rule adds parties, it never removes the others) whose origin is the rule's document number:
each party is matched to the gazetteer's companies, and a match that is not certain is proposed
for review on /admin/lists.
"""

import hashlib
import re
from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from app.gazetteer import Gazetteer
from app.lists.federal_register import parse_fr_text
from app.lists.importer import ImportReport, import_parsed
from app.lists.records import ParsedFile, PartyRecord, parse_day
from app.models import Article

# "Additions to the Entity List", "adds 12 entities ... to the Entity List", "Entity List
# Additions; Revisions": a rule that lists parties (a removal or a correction does not add any).
_ADDS = re.compile(
    r"\baddition(?:s)?\b[^.]{0,80}\bentity list\b|\bentity list additions?\b"
    r"|\badd(?:s|ing)?\b[^.]{0,200}\bto the entity list\b",
    re.I,
)
RULE_TYPES = {"Rule"}  # a proposed rule lists no one yet


def is_entity_list_addition(rule: Article) -> bool:
    doc = rule.rule_document or {}
    return (
        rule.kind == "rule"
        and doc.get("type") in RULE_TYPES
        and bool(doc.get("document_number"))
        and bool(_ADDS.search(f"{rule.title}\n{rule.body}"))
    )


def _is_party(record: PartyRecord) -> bool:
    """An entry of the supplement, not a sentence of the abstract read as one: it sits under a
    country heading and carries a licence requirement or a citation."""
    return bool(record.country) and bool(
        record.license_requirement or record.license_policy or record.federal_register_notice
    )


def parties_of(rule: Article) -> ParsedFile | None:
    """The parties an Entity List addition rule's stored text lists (None: not such a rule, or
    its text lists none in the supplement layout). Each party's citation defaults to the rule's,
    its listing date to the rule's effective date, and its source names the document."""
    if not is_entity_list_addition(rule):
        return None
    doc = rule.rule_document or {}
    parsed = parse_fr_text(rule.body)
    records = [r for r in parsed.records if _is_party(r)]
    if not records:
        return None
    number = str(doc["document_number"])
    day: date | None = parse_day(doc.get("effective_on") or doc.get("publication_date"))
    citation = doc.get("citation")
    published = parse_day(doc.get("publication_date"))
    notice = None
    if citation:
        notice = (  # the supplement's own form: "91 FR 79340, 11/18/26"
            f"{citation}, {published.month}/{published.day}/{published:%y}"
            if published
            else str(citation)
        )
    out = ParsedFile("fr-text", lists={"entity-list"}, as_of=published or day)
    out.records = [
        replace(
            r,
            federal_register_notice=r.federal_register_notice or notice,
            start_date=r.start_date or day,
            source=f"Entity List (Federal Register {number})",
            source_list_url=r.source_list_url or doc.get("html_url"),
        )
        for r in records
    ]
    out.rows = len(out.records)
    return out


def import_rule_parties(
    session: Session, rule: Article, gazetteer: Gazetteer, *, outbox: bool = False
) -> ImportReport | None:
    """Import the parties of an Entity List addition rule (parties_of) as a partial list import
    whose origin is the rule's document number; None when the rule lists none. Importing the
    same rule text again writes nothing."""
    parsed = parties_of(rule)
    if parsed is None:
        return None
    number = str((rule.rule_document or {})["document_number"])
    digest = hashlib.sha256(f"federal-register:{number}\n{rule.body}".encode()).hexdigest()
    return import_parsed(session, parsed, number, digest, gazetteer, partial=True, outbox=outbox)
