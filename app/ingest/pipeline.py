"""ingest(items) -> IngestReport: clean, read, de-duplicate, enrich and store, in batches.

Each batch is one transaction: articles, their tags and mentions, their search rows and the
index-outbox rows commit together or not at all. Each item runs in a savepoint, so one bad
item is rejected without losing the rest of the batch.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.enrich import Enricher
from app.gazetteer.sync import sync_entities
from app.ingest import normalize as nz
from app.ingest.dedupe import link_article
from app.ingest.formats import html_to_item
from app.ingest.items import RawItem, Rejected, RejectedInput
from app.metrics import count_ingest
from app.models import Article, ArticleEntity, IndexOutbox, Mention, Rejection, Source
from app.search.database import write_document

MIN_BODY_CHARS = 40
MAX_BODY_CHARS = 1_000_000
BATCH = 200


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return f"added {self.added}, duplicates {self.duplicates}, rejected {len(self.rejected)}"

    def to_dict(self) -> dict:
        return {"added": self.added, "duplicates": self.duplicates,
                "rejected": [{"origin": r.origin, "reason": r.reason} for r in self.rejected],
                "article_ids": self.article_ids}


@dataclass
class Prepared:
    item: RawItem
    title: str
    body: str
    lang: str
    published_at: datetime
    date_estimated: bool
    url: str | None
    content_hash: str


def prepare(item: RawItem, default_lang: str | None = None) -> Prepared:
    """Turn a raw item into a clean article, or raise RejectedInput with the reason."""
    body, title = item.body, item.title
    if not (body or "").strip() and item.html:
        extracted = html_to_item(item.html, item.origin, item.url)
        body, title = extracted.body, title or extracted.title
    body = nz.clean_text(body or "")
    if len(body) > MAX_BODY_CHARS:
        raise RejectedInput(f"body too long ({len(body)} characters, at most {MAX_BODY_CHARS})")
    if not title:
        title, body = nz.split_title(body)
    title = nz.clean_text(title or "").replace("\n", " ") or None
    if len(body) < MIN_BODY_CHARS:
        raise RejectedInput(f"body too short ({len(body)} characters, at least {MIN_BODY_CHARS})")
    title = title or nz.derive_title(body)
    lang = (item.lang or default_lang or "").strip().lower() or nz.detect_language(title + "\n" + body)
    if not nz.LANG_CODE.match(lang):
        raise RejectedInput(f"language {lang!r} is not a language code such as ar, en, zh, fr")
    published = nz.parse_date(item.published_at)
    if item.published_at and published is None:
        raise RejectedInput(f"unreadable date {item.published_at!r}")
    return Prepared(item, title[:1000], body, lang, published or datetime.now(UTC),
                    published is None, nz.canonical_url(item.url), nz.content_hash(body))


class Ingestor:
    def __init__(self, session_factory: sessionmaker[Session], enricher: Enricher,
                 outbox: bool = False):
        self.session_factory = session_factory
        self.enricher = enricher
        self.outbox = outbox  # write index-outbox rows (an external engine is configured)
        self._sources: dict[str, int] = {}
        with session_factory.begin() as session:
            sync_entities(session, enricher.gazetteer)

    def ingest(self, items: Iterable[RawItem | Rejected], *, source: str | None = None,
               lang: str | None = None,
               progress: Callable[[int], None] | None = None) -> IngestReport:
        report = IngestReport()
        batch: list[RawItem | Rejected] = []
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH:
                self._store_batch(batch, report, source, lang)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            self._store_batch(batch, report, source, lang)
            if progress:
                progress(len(batch))
        count_ingest(report)
        return report

    def _store_batch(self, batch, report: IngestReport, source: str | None, lang: str | None) -> None:
        with self.session_factory.begin() as session:
            for item in batch:
                if isinstance(item, Rejected):
                    self._reject(session, report, item, source)
                    continue
                try:
                    prepared = prepare(item, lang)
                except RejectedInput as exc:
                    self._reject(session, report, Rejected(item.origin, str(exc)), source)
                    continue
                if self._is_duplicate(session, prepared):
                    report.duplicates += 1
                    continue
                try:
                    with session.begin_nested():
                        article_id = self._store(session, prepared, source)
                except IntegrityError:
                    # Another writer stored the same article between our check and insert.
                    report.duplicates += 1
                    continue
                report.added += 1
                report.article_ids.append(article_id)

    @staticmethod
    def _reject(session: Session, report: IngestReport, rejected: Rejected, source: str | None) -> None:
        report.rejected.append(rejected)
        session.add(Rejection(origin=rejected.origin[:2000], reason=rejected.reason[:2000],
                              source_name=source))

    @staticmethod
    def _is_duplicate(session: Session, p: Prepared) -> bool:
        match = select(Article.id).where(Article.content_hash == p.content_hash)
        if p.url:
            match = select(Article.id).where(
                (Article.content_hash == p.content_hash) | (Article.url == p.url))
        return session.execute(match.limit(1)).first() is not None

    def _source_id(self, session: Session, name: str | None) -> int | None:
        if not name:
            return None
        if name not in self._sources:
            found = session.scalar(select(Source.id).where(Source.name == name))
            if found is None:
                with session.begin_nested():
                    src = Source(name=name[:200])
                    session.add(src)
                    session.flush()
                found = src.id
            self._sources[name] = found
        return self._sources[name]

    def _store(self, session: Session, p: Prepared, source: str | None) -> int:
        enrichment = self.enricher.enrich(p.title, p.body, None if p.date_estimated else p.published_at)
        article = Article(
            title=p.title, body=p.body, lang=p.lang, url=p.url, author=p.item.author,
            published_at=p.published_at, date_estimated=p.date_estimated,
            content_hash=p.content_hash, cited_sources=enrichment.cited_sources,
            gazetteer_version=enrichment.gazetteer_version, origin=p.item.origin[:2000],
            source_id=self._source_id(session, p.item.source or source),
        )
        session.add(article)
        session.flush()
        apply_enrichment(session, article, enrichment, self.enricher)
        # Near-duplicates and same-story links (app/ingest/dedupe.py); returns others it relinked.
        relinked = link_article(session, article)
        if self.outbox:
            session.add(IndexOutbox(article_id=article.id, op="upsert"))
            session.add_all(IndexOutbox(article_id=other, op="upsert") for other in relinked)
        return article.id


def apply_enrichment(session: Session, article: Article, enrichment, enricher: Enricher) -> None:
    """Write tags, mentions and the search row of an article (replacing any earlier ones)."""
    entities = enricher.gazetteer.entities
    session.execute(ArticleEntity.__table__.delete().where(ArticleEntity.article_id == article.id))
    session.execute(Mention.__table__.delete().where(Mention.article_id == article.id))
    # Core inserts (executemany): an article has dozens of mentions, and ORM objects for each
    # were the slowest part of ingestion.
    if enrichment.tags:
        session.execute(ArticleEntity.__table__.insert(), [
            {"article_id": article.id, "entity_id": eid, "entity_type": entities[eid].type,
             "reason": reason} for eid, reason in enrichment.tags.items()])
    if enrichment.mentions:
        session.execute(Mention.__table__.insert(), [
            {"article_id": article.id, "entity_id": h.entity_id, "surface": h.surface,
             "start": h.start, "end": h.end} for h in enrichment.mentions])
    write_document(session, article, sorted(enrichment.tags))
