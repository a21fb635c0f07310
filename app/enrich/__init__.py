"""Enrichment: entities with offsets, restrictions referred to, and cited sources."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from app import gazetteer as gz
from app.enrich.citations import CitationFinder
from app.enrich.links import RestrictionLink
from app.enrich.resolve import RestrictionLinker
from app.enrich.tagger import Hit, Tagger
from app.enrich.version import enrichment_version


@dataclass
class Enrichment:
    mentions: list[Hit]  # in the body: offsets into the stored body
    tags: dict[str, str] = field(default_factory=dict)  # entity id -> "mention" | "title" | rule
    cited_sources: list[str] = field(default_factory=list)
    gazetteer_version: str = ""  # the enrichment version (Enricher.version), the column's name
    title_mentions: list[Hit] = field(default_factory=list)
    evidence: dict[str, str] = field(
        default_factory=dict
    )  # rule-linked id -> the text that linked it
    restrictions: dict[str, RestrictionLink] = field(default_factory=dict)  # id -> role and reason


class Enricher:
    def __init__(self, gazetteer: gz.Gazetteer):
        self.gazetteer = gazetteer
        # What the articles it tags record: the shipped data's, code's and topics' version.
        self.version = enrichment_version(gazetteer.base_version)
        self.tagger = Tagger(gazetteer, types=gz.ENTITY_TYPES)
        self.query_tagger = Tagger(gazetteer, types=gz.ENTITY_TYPES, query=True)  # for search
        self.citations = CitationFinder(gazetteer)
        self.linker = RestrictionLinker(gazetteer)
        self.restriction_rule = self.linker.rule
        # Entities and news outlets in one automaton: an article is scanned once for both.
        both = gz.Gazetteer(
            {**gazetteer.entities, **self.citations.outlets}, gazetteer.context, gazetteer.version
        )
        self._scanner = Tagger(both, types=(*gz.ENTITY_TYPES, "source"))

    def _scan(self, text: str, document: str | None) -> tuple[list[Hit], list[Hit]]:
        """(entity mentions, outlets named) in text, the names inside an outlet's name dropped:
        英国《金融时报》 is the Financial Times, not a mention of Britain; the South China Morning
        Post is not China."""
        hits: list[Hit] = []
        outlets: list[Hit] = []
        for hit in self._scanner.find(text, document):
            (outlets if hit.entity_id in self.citations.outlets else hits).append(hit)
        if outlets:
            masks = [(m.start, m.end) for m in outlets]
            hits = [h for h in hits if not any(s <= h.start and h.end <= e for s, e in masks)]
        return hits, outlets

    def find(self, text: str, document: str | None = None) -> list[Hit]:
        """Entity mentions in text (see _scan); `document`: the whole article when text is its
        title (rules that look anywhere then look at the article, see Tagger.find)."""
        return self._scan(text, document)[0]

    def enrich(self, title: str, body: str, published_at: datetime | None) -> Enrichment:
        document = f"{title}\n{body}" if title else body
        mentions, outlets = self._scan(body, document)
        title_mentions = self.find(title, document) if title else []
        tags = {h.entity_id: "mention" for h in mentions}
        for hit in title_mentions:
            tags.setdefault(hit.entity_id, "title")
        evidence = {}
        links = self.linker.link(title, body, title_mentions, mentions, published_at)
        for rx_id, link in links.items():
            if rx_id not in tags:
                tags[rx_id] = "implied-restriction"
                evidence[rx_id] = link.reason
        cited = self.citations.find(body, outlets)
        return Enrichment(mentions, tags, cited, self.version, title_mentions, evidence, links)


@lru_cache
def default_enricher() -> Enricher:
    return Enricher(gz.default())


_BY_VERSION: dict[str, Enricher] = {}


def enricher_for(gazetteer: gz.Gazetteer) -> Enricher:
    """The enricher of a gazetteer (the shipped one's is default_enricher()), kept per version:
    building one compiles several automata."""
    if gazetteer.version == gz.default().version:
        return default_enricher()
    enricher = _BY_VERSION.get(gazetteer.version)
    if enricher is None:
        if len(_BY_VERSION) >= 4:
            _BY_VERSION.pop(next(iter(_BY_VERSION)))
        enricher = _BY_VERSION[gazetteer.version] = Enricher(gazetteer)
    return enricher
