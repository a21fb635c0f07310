"""ingest(items) -> IngestReport: clean, read, de-duplicate, enrich and store, in batches.

Reading an item (cleaning, language, date, HTML extraction), tagging it and cutting its text
into shingles and search tokens is analyse(): pure CPU, done for large inputs in worker
processes (a pool fed a bounded number of chunks ahead, results taken in input order, so memory
stays flat and the outcome is the one of a single process).

Storing is per batch: one query finds the exact duplicates (content hash, canonical URL) of the
whole batch, a few more fetch what near-duplicate and same-story linking needs
(app/ingest/dedupe.py), and each table is then written with one multi-row statement. Each batch
is one transaction: articles, their tags and mentions, their keys, their search rows and the
index-outbox rows commit together or not at all. The batch's writes run in a savepoint: when
another writer stored one of its articles between our check and our insert, the savepoint is
rolled back and the batch is stored item by item, each in its own savepoint, so one bad item
never loses the others.
"""

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from typing import NamedTuple

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.enrich import Enricher, Enrichment
from app.enrich.tagger import Hit
from app.gazetteer.sync import sync_entities
from app.ingest import dedupe
from app.ingest import normalize as nz
from app.ingest.dedupe import link_article
from app.ingest.formats import html_to_item
from app.ingest.items import RawItem, Rejected, RejectedInput
from app.metrics import count_ingest
from app.lists.status import write_article_lists, write_new_articles
from app.models import Article, ArticleEntity, IndexOutbox, Mention, Rejection, Source, as_utc
from app.search.database import write_document, write_documents
from app.text import index_tokens

MIN_BODY_CHARS = 40
MAX_BODY_CHARS = 1_000_000
BATCH = 250  # items per transaction
PARALLEL_MIN = 1000  # items an input must reach before worker processes are worth starting
CHUNK = 50  # items per task sent to a worker process
AHEAD = 12  # tasks in flight: enough to keep the workers busy while a batch is written


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


class Analysed(NamedTuple):
    """An item read and enriched, ready to store (what a worker process sends back)."""

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
    shingles: np.ndarray  # dedupe.shingle_array(body)
    document: str  # the search tokens of title and body, space-separated

    def enrichment(self) -> Enrichment:
        return Enrichment([Hit(*m) for m in self.mentions], self.tags, self.cited_sources,
                          self.gazetteer_version)


def analyse(item: RawItem | Rejected, default_lang: str | None, enricher: Enricher) -> Analysed | Rejected:
    """Everything about an item that needs no database: the CPU-bound part of ingestion."""
    if isinstance(item, Rejected):
        return item
    try:
        p = prepare(item, default_lang)
    except RejectedInput as exc:
        return Rejected(item.origin, str(exc))
    e = enricher.enrich(p.title, p.body, None if p.date_estimated else p.published_at)
    return Analysed(
        item.origin[:2000], item.author, item.source, p.title, p.body, p.lang, p.published_at,
        p.date_estimated, p.url, p.content_hash, e.cited_sources, e.gazetteer_version, e.tags,
        [(h.entity_id, h.surface, h.start, h.end) for h in e.mentions], dedupe.shingle_array(p.body),
        " ".join(index_tokens(p.title + "\n" + p.body)))


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# Worker processes are forked from the ingesting process and inherit its enricher (the
# gazetteer and automata, read-only). They never touch the database: its connections, inherited
# too, are neither used nor closed there (a worker ends with os._exit).
_worker_enricher: Enricher | None = None


def _init_worker(enricher: Enricher) -> None:
    global _worker_enricher
    _worker_enricher = enricher


def _analyse_chunk(items: list, lang: str | None) -> list:
    return [analyse(item, lang, _worker_enricher) for item in items]


class Ingestor:
    def __init__(self, session_factory: sessionmaker[Session], enricher: Enricher,
                 outbox: bool = False, processes: int = 1):
        self.session_factory = session_factory
        self.enricher = enricher
        self.outbox = outbox  # write index-outbox rows (an external engine is configured)
        # Worker processes for analyse() on large inputs (the CLI uses one per core); 1: none.
        self.processes = processes
        self._sources: dict[str, int] = {}
        with session_factory.begin() as session:
            sync_entities(session, enricher.gazetteer)

    def ingest(self, items: Iterable[RawItem | Rejected], *, source: str | None = None,
               lang: str | None = None,
               progress: Callable[[int], None] | None = None) -> IngestReport:
        report = IngestReport()
        for batch in self._analysed(items, lang):
            self._store_batch(batch, report, source)
            if progress:
                progress(len(batch))
        count_ingest(report)
        return report

    # --- reading ---------------------------------------------------------------------------

    def _analysed(self, items: Iterable[RawItem | Rejected], lang: str | None) -> Iterator[list]:
        """Batches of analysed items, in input order."""
        it = iter(items)
        if self.processes > 1 and "fork" in multiprocessing.get_all_start_methods():
            head = list(islice(it, PARALLEL_MIN))
            if len(head) == PARALLEL_MIN:
                yield from self._analysed_in_pool(chain(head, it), lang)
                return
            it = iter(head)
        for chunk in _chunks(it, BATCH):
            yield [analyse(item, lang, self.enricher) for item in chunk]

    def _analysed_in_pool(self, items: Iterator, lang: str | None) -> Iterator[list]:
        # Objects that exist now are never freed by the workers' garbage collector (nor are
        # their pages copied for it).
        gc.freeze()
        try:
            yield from self._run_pool(items, lang)
        finally:
            gc.unfreeze()

    def _run_pool(self, items: Iterator, lang: str | None) -> Iterator[list]:
        context = multiprocessing.get_context("fork")
        with context.Pool(self.processes, initializer=_init_worker, initargs=(self.enricher,)) as pool:
            tasks = _chunks(items, CHUNK)
            running: deque = deque()

            def submit() -> None:
                chunk = next(tasks, None)
                if chunk is not None:
                    running.append(pool.apply_async(_analyse_chunk, (chunk, lang)))

            for _ in range(AHEAD):
                submit()
            ready: list = []
            while running:
                done = running.popleft().get()
                submit()
                ready += done
                while len(ready) >= BATCH:
                    yield ready[:BATCH]
                    ready = ready[BATCH:]
            if ready:
                yield ready

    # --- storing ---------------------------------------------------------------------------

    def _store_batch(self, batch: list, report: IngestReport, source: str | None) -> None:
        with self.session_factory.begin() as session:
            rejected = [r for r in batch if isinstance(r, Rejected)]
            fresh = self._not_stored(session, [a for a in batch if isinstance(a, Analysed)], report)
            if fresh:
                names = {a.source or source for a in fresh}
                sources = {name: self._source_id(session, name) for name in names}
                pending = [self._pending(a) for a in fresh]
                known = dedupe.prefetch(session, pending)  # reads only: before the savepoint
                try:
                    with session.begin_nested():
                        ids = self._write(session, fresh, pending, sources, source, known)
                except IntegrityError:
                    # Another writer stored one of them since _not_stored: one by one instead.
                    self._store_one_by_one(session, fresh, report, source)
                else:
                    report.added += len(ids)
                    report.article_ids += ids
                    for a in fresh:
                        dedupe.remember_shingles(a.content_hash, a.shingles)
            if rejected:
                report.rejected += rejected
                session.execute(insert(Rejection), [
                    {"origin": r.origin[:2000], "reason": r.reason[:2000], "source_name": source}
                    for r in rejected])

    def _not_stored(self, session: Session, analysed: list[Analysed], report: IngestReport) -> list[Analysed]:
        """The items that are no exact duplicate of a stored article or of an earlier item."""
        if not analysed:
            return []
        hashes = set(_select_in(session, "SELECT content_hash FROM articles WHERE content_hash IN ({})",
                                [a.content_hash for a in analysed]))
        urls = set(_select_in(session, "SELECT url FROM articles WHERE url IN ({})",
                              [a.url for a in analysed if a.url]))
        fresh = []
        for a in analysed:
            if a.content_hash in hashes or (a.url and a.url in urls):
                report.duplicates += 1
                continue
            hashes.add(a.content_hash)
            if a.url:
                urls.add(a.url)
            fresh.append(a)
        return fresh

    def _pending(self, a: Analysed) -> dedupe.Pending:
        entities = self.enricher.gazetteer.entities
        return dedupe.Pending(as_utc(a.published_at).date(), a.content_hash, a.shingles,
                              {eid: entities[eid].type for eid in a.tags})

    def _write(self, session: Session, fresh: list[Analysed], pending: list[dedupe.Pending],
               sources: dict, source: str | None, known: dedupe.Prefetched) -> list[int]:
        """Store new articles with everything that goes with them; returns their ids."""
        stored = session.execute(insert(Article).returning(Article.id, Article.content_hash), [
            {"title": a.title, "body": a.body, "lang": a.lang, "url": a.url, "author": a.author,
             "published_at": a.published_at, "date_estimated": a.date_estimated,
             "content_hash": a.content_hash, "cited_sources": a.cited_sources,
             "gazetteer_version": a.gazetteer_version, "origin": a.origin,
             "source_id": sources[a.source or source]} for a in fresh])
        id_of = dict((h, i) for i, h in stored)
        ids = [id_of[a.content_hash] for a in fresh]
        for p, article_id in zip(pending, ids):
            p.id = article_id
        earlier = dedupe.link_batch(pending, known)
        dedupe.write_batch(session, pending, earlier, known)
        conn = session.connection()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"

        def rows(table: str, columns: str, values: list[tuple]) -> None:
            if values:
                marks = ",".join([mark] * len(values[0]))
                conn.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)

        entities = self.enricher.gazetteer.entities
        rows("article_entities", "article_id, entity_id, entity_type, reason",
             [(i, eid, entities[eid].type, reason) for i, a in zip(ids, fresh) for eid, reason in a.tags.items()])
        rows("mentions", 'article_id, entity_id, surface, start, "end"',
             [(i, *m) for i, a in zip(ids, fresh) for m in a.mentions])
        write_documents(session, [(i, a.document, sorted(a.tags)) for i, a in zip(ids, fresh)])
        write_new_articles(session, [(i, a.published_at, [e for e in a.tags if entities[e].type == "company"])
                                     for i, a in zip(ids, fresh)])  # export-control list status
        if self.outbox:
            session.execute(insert(IndexOutbox), [
                {"article_id": other, "op": "upsert"} for p in pending for other in [p.id, *p.touched]])
        return ids

    def _store_one_by_one(self, session: Session, fresh: list[Analysed], report: IngestReport,
                          source: str | None) -> None:
        for a in fresh:
            if self._is_duplicate(session, a):
                report.duplicates += 1
                continue
            try:
                with session.begin_nested():
                    article_id = self._store(session, a, source)
            except IntegrityError:
                # Another writer stored the same article between our check and insert.
                report.duplicates += 1
                continue
            report.added += 1
            report.article_ids.append(article_id)

    @staticmethod
    def _is_duplicate(session: Session, p: Analysed | Prepared) -> bool:
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

    def _store(self, session: Session, a: Analysed, source: str | None) -> int:
        enrichment = a.enrichment()
        article = Article(
            title=a.title, body=a.body, lang=a.lang, url=a.url, author=a.author,
            published_at=a.published_at, date_estimated=a.date_estimated,
            content_hash=a.content_hash, cited_sources=a.cited_sources,
            gazetteer_version=a.gazetteer_version, origin=a.origin,
            source_id=self._source_id(session, a.source or source),
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


def _select_in(session: Session, sql: str, values: list) -> list:
    """The first column of `sql` (an IN list with a `{}` placeholder) for values, in chunks."""
    values = list(dict.fromkeys(values))
    found = []
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for i in range(0, len(values), 5000):
        part = values[i:i + 5000]
        found += [row[0] for row in conn.exec_driver_sql(sql.format(",".join([mark] * len(part))), tuple(part))]
    return found


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
    write_article_lists(session, article.id, article.published_at,
                        [e for e in enrichment.tags if entities[e].type == "company"])
