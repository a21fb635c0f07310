"""Enrichment: entities with offsets, restrictions referred to, and cited sources."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from app import gazetteer as gz
from app.enrich.citations import CitationFinder
from app.enrich.restrictions import RestrictionRule
from app.enrich.tagger import Hit, Tagger


@dataclass
class Enrichment:
    mentions: list[Hit]
    tags: dict[str, str] = field(default_factory=dict)  # entity id -> "mention" | "title" | rule
    cited_sources: list[str] = field(default_factory=list)
    gazetteer_version: str = ""


class Enricher:
    def __init__(self, gazetteer: gz.Gazetteer):
        self.gazetteer = gazetteer
        self.tagger = Tagger(gazetteer, types=gz.ENTITY_TYPES)
        self.citations = CitationFinder(gazetteer)
        self.restriction_rule = RestrictionRule(gazetteer)

    def enrich(self, title: str, body: str, published_at: datetime | None) -> Enrichment:
        mentions = self.tagger.find(body)
        tags = {h.entity_id: "mention" for h in mentions}
        for hit in self.tagger.find(title):
            tags.setdefault(hit.entity_id, "title")
        for rx_id in self.restriction_rule.infer(body, mentions, published_at):
            tags.setdefault(rx_id, "implied-restriction")
        return Enrichment(mentions, tags, self.citations.find(body), self.gazetteer.version)


@lru_cache
def default_enricher() -> Enricher:
    return Enricher(gz.default())
