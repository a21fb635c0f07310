"""Federal Register rules on export-control topics, proposed as restrictions for an editor.

A new article of kind "rule" (app/ingest/federal_register.py) whose title or text is about
advanced computing, semiconductor manufacturing items, Entity List additions or a foreign direct
product rule is proposed to the gazetteer review queue (app/gazetteer/suggestions.py) as a
restriction in the shape of app/gazetteer/data/restrictions.json, with a `document` object (its
Federal Register citation, number, dates and links). Notices, meetings and information
collections are not rules and are left alone; so is a rule a restriction already cites. The
editor accepts it on the gazetteer review page, which writes the overlay and re-tags the news.
"""

import re
from datetime import date

from sqlalchemy.orm import Session

from app.article import repository as article_repo
from app.gazetteer import Gazetteer, overlay, suggestions
from app.models import Article

ORIGIN = "federal-register"
RULE_TYPES = {"Rule", "Proposed Rule"}
# topic -> pattern over the title and abstract; the names are what the proposal's cues say.
TOPICS = {
    "advanced computing": re.compile(
        r"advanced[- ]computing|supercomputer|artificial intelligence"
        r"|\bAI (?:chips?|models?|diffusion)|integrated circuits?|model weights",
        re.I,
    ),
    "semiconductor manufacturing items": re.compile(
        r"semiconductor manufacturing|semiconductor production|chipmaking"
        r"|high[- ]bandwidth memory|\bHBM\b",
        re.I,
    ),
    "Entity List": re.compile(r"\bentity list\b", re.I),
    "foreign direct product rule": re.compile(r"foreign[- ](?:produced )?direct[- ]product", re.I),
}
BIS_AGENCIES = {"Industry and Security Bureau", "Bureau of Industry and Security"}
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def topics_of(title: str, text: str) -> list[str]:
    """The export-control topics a rule's title or text is about (empty: not one of ours)."""
    both = f"{title}\n{text}"
    return [name for name, pattern in TOPICS.items() if pattern.search(both)]


def cited_by(gazetteer: Gazetteer, document_number: str) -> str | None:
    """The restriction whose primary document (or one of its amendments) is this document."""
    for entity in gazetteer.of_type("restriction"):
        docs = [entity.raw.get("document") or {}, *(entity.raw.get("amendments") or [])]
        if any(isinstance(d, dict) and d.get("document_number") == document_number for d in docs):
            return entity.id
    return None


def _named(session: Session, article_id: int, gazetteer: Gazetteer) -> dict[str, list[str]]:
    """The companies, chips and regions the rule names (mentions and title, not inferred tags)."""
    out: dict[str, list[str]] = {}
    for entity_id, type_, reason in article_repo.entity_tags(session, article_id):
        if (
            type_ in ("company", "chip", "region")
            and reason in ("mention", "title")
            and entity_id in gazetteer.entities
        ):
            out.setdefault(type_, []).append(entity_id)
    return out


def _issuer(doc: dict, gazetteer: Gazetteer) -> str:
    agencies = set(doc.get("agencies") or [])
    if agencies & BIS_AGENCIES and "bis" in gazetteer.entities:
        return "bis"
    for entity in gazetteer.of_type("agency"):
        if entity.name in agencies:
            return entity.id
    return "united-states"


def _restriction_id(day: date, title: str, number: str, gazetteer: Gazetteer) -> str:
    base = f"{day:%Y-%m}-{suggestions.slug(title)[:60].strip('-') or 'federal-register-rule'}"
    return base if base not in gazetteer.entities else f"{base}-{suggestions.slug(number)}"


def restriction_payload(
    rule: Article, gazetteer: Gazetteer, named: dict[str, list[str]], topics: list[str]
) -> dict:
    """The proposed restriction in the shipped restrictions.json shape plus `document`."""
    doc = dict(rule.rule_document or {})
    day = date.fromisoformat(
        doc.get("effective_on")
        or doc.get("publication_date")
        or rule.published_at.date().isoformat()
    )
    name = f"{rule.title} ({_MONTHS[day.month - 1]} {day.year})"
    aliases = [name] + ([doc["citation"]] if doc.get("citation") else [])
    published = doc.get("publication_date")
    note = (
        f"Published in the Federal Register on {published}"
        if published
        else "Federal Register document"
    )
    if doc.get("effective_on"):
        note += f"; effective {doc['effective_on']}"
    concerns = {k: v for k, v in named.items() if v}
    if "region" not in concerns and "united-states" in gazetteer.entities:
        concerns["region"] = ["united-states"]
    elif "united-states" in gazetteer.entities and "united-states" not in concerns["region"]:
        concerns["region"] = [*concerns["region"], "united-states"]
    return {
        "id": _restriction_id(day, rule.title, doc.get("document_number", str(rule.id)), gazetteer),
        "type": "restriction",
        "name": name,
        "date": day.isoformat(),
        "date_note": note + ".",
        "issuer": _issuer(doc, gazetteer),
        "category": "us-restriction",
        "summary": (rule.body.split("\n\n")[0])[:800],
        "concerns": concerns,
        "aliases": {"en": aliases},
        "cues": {"en": topics},
        "sources": [u for u in (doc.get("html_url"), doc.get("pdf_url")) if u],
        "verified": False,
        "note": f"Proposed from Federal Register document {doc.get('document_number')} "
        f"({', '.join(topics)}).",
        "document": {**doc, "published": True},
    }


def propose_restriction(
    session: Session, rule: Article, gazetteer: Gazetteer | None = None
) -> dict | None:
    """Propose a stored rule as a restriction when it is an export-control rule no restriction
    cites yet; returns the payload proposed, or None. Proposing the same document again adds
    nothing (one suggestion per document number; a rejected one stays rejected)."""
    doc = rule.rule_document or {}
    number = doc.get("document_number")
    if rule.kind != "rule" or not number or doc.get("type") not in RULE_TYPES:
        return None
    topics = topics_of(rule.title, rule.body)
    if not topics:
        return None
    gazetteer = gazetteer or overlay.effective_gazetteer(session)
    if cited_by(gazetteer, number):
        return None
    payload = restriction_payload(rule, gazetteer, _named(session, rule.id, gazetteer), topics)
    suggestions.propose(
        session,
        "restriction",
        payload["name"],
        payload,
        [{"article_id": rule.id, "url": rule.url, "text": rule.title}],
        origin=ORIGIN,
        key=f"fr:{number}",
    )
    return payload


def propose_new_rules(session: Session, article_ids: list[int]) -> list[dict]:
    """propose_restriction for each of these articles (the poller's new rules)."""
    gazetteer = overlay.effective_gazetteer(session)
    proposed = []
    for article in article_repo.rules_by_ids(session, article_ids):
        payload = propose_restriction(session, article, gazetteer)
        if payload:
            proposed.append(payload)
    return proposed
