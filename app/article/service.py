"""The one place an article is written: stored (a batch, or one), updated in place, re-tagged.

Whatever writes an article writes everything that goes with it, in the caller's transaction:
the article row, its tags and mentions, its near-duplicate keys and links (app/article/linking.py),
its search row (app/search/database.py), its export-control list status (app/lists/status.py)
and, when an external engine is configured, its index-outbox rows (app/index_queue.py), for it
and for the articles whose story it changed. Callers decide the transaction; ArticleWriter
decides what goes in it.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from app.article import linking
from app.article import repository as repo
from app.enrich import Enricher, Enrichment
from app.enrich.discovery import discovery_for
from app.enrich.links import RestrictionLink, tag_rows
from app.enrich.tagger import Hit
from app.gazetteer.suggestions import Candidate, record_found
from app.index_queue import queue_upserts
from app.lists.status import write_article_lists, write_new_articles
from app.models import Article, as_utc
from app.search.repository import write_document, write_documents

log = logging.getLogger("chipwatch.article")


class NewArticle(NamedTuple):
    """An item read and enriched, ready to store (what an ingest worker process sends back)."""

    origin: str
    author: str | None
    source: str | None
    title: str
    body: str
    lang: str
    published_at: datetime
    date_estimated: bool
    url: str | None
    content_hash: str
    cited_sources: list[str]
    gazetteer_version: str
    tags: dict[str, str]  # entity id -> "mention" | "title" | rule
    mentions: list[tuple[str, str, int, int]]  # (entity id, surface, start, end) in the body
    shingles: (
        bytes  # linking.encode_shingles(linking.shingle_array(body)): bytes cross processes fast
    )
    document: str  # app.search.documents.search_text(title, body, lang)
    titled: list[str]  # titled_entities(document, sorted(tags)): read where the text was
    links: dict[str, tuple[str, str]] = {}  # restriction id -> (role, reason)
    candidates: tuple[Candidate, ...] = ()  # names the gazetteer lacks (app/enrich/discovery.py)
    kind: str = "news"  # or "rule": a Federal Register document
    rule_document: dict | None = None  # a rule's number, dates and links

    def enrichment(self) -> Enrichment:
        return Enrichment(
            [Hit(*m) for m in self.mentions],
            self.tags,
            self.cited_sources,
            self.gazetteer_version,
            restrictions={k: RestrictionLink(*v) for k, v in self.links.items()},
        )


@dataclass
class StoredBatch:
    ids: list[int]  # of the new articles, in order
    stories: dict[int, str]  # story_id given to articles stored before the batch


class ArticleWriter:
    """Writes articles with everything that goes with them. `outbox`: queue changed articles
    for the external search engine (Runtime.outbox decides it)."""

    def __init__(self, enricher: Enricher, outbox: bool):
        self.enricher = enricher
        self.outbox = outbox

    def _type(self, entity_id: str) -> str:
        return self.enricher.gazetteer.entities[entity_id].type

    def pending(self, a: NewArticle) -> linking.Pending:
        """How the near-duplicate linker sees a new article."""
        return linking.Pending(
            as_utc(a.published_at).date(),
            a.content_hash,
            linking.decode_shingles(a.shingles),
            {eid: self._type(eid) for eid in a.tags},
            blob=a.shingles,
        )

    def store_batch(
        self,
        session: Session,
        articles: Sequence[NewArticle],
        pending: Sequence[linking.Pending],
        source_ids: Sequence[int | None],
        known: linking.Prefetched,
        recent: Sequence[linking.Pending] = (),
        recent_stories: dict[int, str] | None = None,
    ) -> StoredBatch:
        """Store new articles (none a duplicate of a stored one), with `pending` (self.pending of
        each) and their sources' ids; `known`, `recent` and `recent_stories` are what
        linking.link_batch takes. A constraint violation raises IntegrityError: run it in a
        savepoint."""
        conn = session.connection()
        # Ids first: linking needs them, and the articles then go in with their links, in one
        # statement (COPY on PostgreSQL).
        ids = repo.new_ids(conn, len(articles))
        for p, article_id in zip(pending, ids):
            p.id = article_id
        earlier = linking.link_batch(pending, known, recent, recent_stories or {})
        now = datetime.now(UTC)
        repo.insert_articles(
            conn,
            [
                (
                    p.id,
                    a.title,
                    a.body,
                    a.lang,
                    a.url,
                    a.author,
                    a.published_at,
                    a.date_estimated,
                    now,
                    a.content_hash,
                    a.cited_sources,
                    a.gazetteer_version,
                    a.origin,
                    source_id,
                    p.duplicate_of,
                    p.story_id,
                    a.kind,
                    a.rule_document,
                )
                for a, p, source_id in zip(articles, pending, source_ids)
            ],
        )
        repo.write_links(session, pending, earlier, known, linked=True)
        entities = self.enricher.gazetteer.entities
        repo.insert_tags(
            conn,
            [row for i, a in zip(ids, articles) for row in tag_rows(i, a.tags, a.links, entities)],
        )
        repo.insert_mentions(conn, [(i, *m) for i, a in zip(ids, articles) for m in a.mentions])
        write_documents(
            session, [(i, a.document, sorted(a.tags), a.titled) for i, a in zip(ids, articles)]
        )
        write_new_articles(
            session,
            [
                (i, a.published_at, [e for e in a.tags if self._type(e) == "company"])
                for i, a in zip(ids, articles)
            ],
        )  # export-control list status
        self._changed(session, [other for p in pending for other in [p.id, *p.touched]])
        self._suggest(session, [(i, a.url, c) for i, a in zip(ids, articles) for c in a.candidates])
        return StoredBatch(ids, earlier)

    def store(self, session: Session, article: NewArticle, source_id: int | None) -> int:
        """Store one new article: a batch of one, linked against the database only."""
        pending = self.pending(article)
        known = repo.prefetch(session, [pending])
        return self.store_batch(session, [article], [pending], [source_id], known).ids[0]

    def update(
        self,
        session: Session,
        article: Article,
        *,
        title: str,
        body: str,
        content_hash: str,
        author: str | None,
        published_at: datetime | None,
        rule_document: dict | None = None,
    ) -> None:
        """A stored article's text changed (a feed entry edited): new text, tags, mentions, keys,
        search row and list status; its links stay as they are. `published_at` None keeps the
        stored date; `rule_document` None keeps a rule's record. The new text being another
        article's raises IntegrityError (at the flush)."""
        article.title, article.body, article.content_hash = title, body, content_hash
        if rule_document is not None:
            article.rule_document = rule_document
        article.author = author or article.author
        if published_at is not None:
            article.published_at, article.date_estimated = published_at, False
        enrichment = self._enrich(session, article)
        repo.refresh_keys(session, article)
        self._changed(session, [article.id])
        self._suggest(
            session, [(article.id, article.url, c) for c in self._discover(article, enrichment)]
        )

    def _discover(self, article: Article, enrichment: Enrichment) -> list[Candidate]:
        """Names the gazetteer lacks in an updated article's new text, as the ingest pipeline
        finds them in a new one. Never the update's failure: any exception means none, logged."""
        try:
            return discovery_for(self.enricher.gazetteer).find(
                article.title,
                article.body,
                article.lang,
                enrichment.mentions,
                enrichment.title_mentions,
                enrichment.tags,
            )
        except Exception:  # discovery is a bonus; the update is what matters
            log.exception("discovery failed on updated article %s", article.id)
            return []

    def retag(self, session: Session, article: Article) -> None:
        """Tag a stored article again (after a gazetteer change): tags, mentions, search row and
        list status, and the version of the gazetteer that made them."""
        self._enrich(session, article)
        self._changed(session, [article.id])

    def _enrich(self, session: Session, article: Article) -> Enrichment:
        enrichment = self.enricher.enrich(
            article.title, article.body, None if article.date_estimated else article.published_at
        )
        article.cited_sources = enrichment.cited_sources
        article.gazetteer_version = enrichment.gazetteer_version
        session.flush()
        repo.replace_tags(
            session,
            article.id,
            tag_rows(
                article.id,
                enrichment.tags,
                enrichment.restrictions,
                self.enricher.gazetteer.entities,
            ),
            [(h.entity_id, h.surface, h.start, h.end) for h in enrichment.mentions],
        )
        write_document(session, article, sorted(enrichment.tags))
        write_article_lists(
            session,
            article.id,
            article.published_at,
            [e for e in enrichment.tags if self._type(e) == "company"],
        )
        return enrichment

    @staticmethod
    def _suggest(session: Session, found: list[tuple[int, str | None, Candidate]]) -> None:
        """Discovery's candidates join the review queue (app/gazetteer/suggestions.py), in a
        savepoint: a failure there costs the suggestions, never the articles."""
        if not found:
            return
        try:
            with session.begin_nested():
                record_found(session, found)
        except Exception:  # the articles matter more than their suggestions
            log.exception("recording %d gazetteer candidates failed", len(found))

    def _changed(self, session: Session, article_ids: list[int]) -> None:
        """Every write ends here with the articles whose search document changed (new, updated,
        re-tagged, or given a story): the one place to add what follows any article write."""
        if self.outbox:
            queue_upserts(session, article_ids)
