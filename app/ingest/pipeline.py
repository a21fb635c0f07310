"""ingest(items) -> IngestReport: clean, read, de-duplicate, enrich and store, in batches.

Reading an item (cleaning, language, date, HTML extraction), tagging it and cutting its text
into shingles and search tokens is analyse(): pure CPU, done for large inputs in worker
processes (app/ingest/pool.py: they may die, each item has a CPU-time budget). analyse() never
raises for an item's sake: a parser's exception is the item's rejection, naming the stage
(app/ingest/stages.py), and the run goes on.

Storing is per batch. Its lookups come first: one query finds the exact duplicates (content
hash, canonical URL) of the whole batch, a few more fetch what near-duplicate and same-story
linking needs (app/article/linking.py). They run in a thread, on their own connection, while the
batch before is being written (the database works without holding the GIL), so that batch is
linked from memory rather than read back. Then the batch is handed to app/article/service.py,
which links it in memory and writes each table with one multi-row statement (COPY on
PostgreSQL). Each batch is one transaction: articles, their tags and mentions, their keys and
shingles, their search rows, list status and index-outbox rows commit together or not at all.
The batch's writes run in a savepoint: when another writer stored one of its articles between
our lookup and our insert, the savepoint is rolled back and the batch is stored item by item
(each a batch of one, in its own savepoint), so one bad item never loses the others.
"""

import ctypes
import ctypes.util
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain, islice
from typing import TYPE_CHECKING

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.article import linking
from app.article import repository as article_repo
from app.article.service import ArticleWriter, NewArticle
from app.db import checkpoint_wal
from app.enrich import Enricher, Enrichment
from app.enrich.discovery import discovery_for
from app.gazetteer.suggestions import Candidate
from app.gazetteer.sync import sync_entities
from app.ingest import normalize as nz
from app.ingest.datelines import dateline_date
from app.ingest.formats import html_to_item
from app.ingest.items import RawItem, Rejected, RejectedInput
from app.ingest.pool import DEFAULT_CPU_SECONDS, AnalysisPool, chunks, cpu_limit
from app.ingest.stages import ItemTimeLimit, current_stage, rejection, stage
from app.metrics import count_ingest
from app.models import Rejection
from app.search.documents import search_document, title_entity_ids
from app.urls import BadUrl

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger("chipwatch.ingest")
MIN_BODY_CHARS = 40
MAX_BODY_CHARS = 1_000_000
BATCH = 500  # items per transaction
PARALLEL_MIN = 1000  # items an input must reach before worker processes are worth starting


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return f"added {self.added}, duplicates {self.duplicates}, rejected {len(self.rejected)}"

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "rejected": [
                {"origin": r.origin, "reason": r.reason, "stage": r.stage} for r in self.rejected
            ],
            "article_ids": self.article_ids,
        }


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
    """Turn a raw item into a clean article, or raise RejectedInput with the reason (StageFailed
    when a library raised: app/ingest/stages.py)."""
    body, title = item.body, item.title
    if not (body or "").strip() and item.html:
        with stage("extract"):
            extracted = html_to_item(item.html, item.origin, item.url)
        body, title = extracted.body, title or extracted.title
        if item.page:  # a whole page (an .html file): its date, author and link count too
            item = replace(
                item,
                url=item.url or extracted.url,
                author=item.author or extracted.author,
                published_at=item.published_at or extracted.published_at,
            )
    with stage("clean"):
        body = nz.clean_text(body or "")
        if len(body) > MAX_BODY_CHARS:
            raise RejectedInput(f"body too long ({len(body)} characters, at most {MAX_BODY_CHARS})")
        if not title:
            title, body = nz.split_title(body)
        title = nz.clean_text(title or "").replace("\n", " ") or None
        if len(body) < MIN_BODY_CHARS:
            raise RejectedInput(
                f"body too short ({len(body)} characters, at least {MIN_BODY_CHARS})"
            )
        title = title or nz.derive_title(body)
    with stage("language"):
        lang = nz.language_code(item.lang or default_lang) or nz.detect_language(
            title + "\n" + body
        )
        if not nz.LANG_CODE.match(lang):
            raise RejectedInput(f"language {lang!r} is not a language code such as ar, en, zh, fr")
    with stage("dates"):
        published = nz.parse_date(item.published_at)
        if item.published_at and published is None:
            raise RejectedInput(f"unreadable date {item.published_at!r}")
        if published is None:  # "WASHINGTON, 3 March 2026 - ..." (app/ingest/datelines.py)
            published = dateline_date(body)
    with stage("url"):
        url = _item_url(item.url)
    return Prepared(
        item,
        title[:1000],
        body,
        lang,
        published or datetime.now(UTC),
        published is None,
        url,
        nz.content_hash(body),
    )


def _item_url(raw: str | None) -> str | None:
    try:
        return nz.article_url(raw)
    except BadUrl as exc:
        raise RejectedInput(f"bad url {raw[:200]!r}: {exc}") from None


# An item read and enriched, ready to store (what a worker process sends back).
Analysed = NewArticle


def analyse(
    item: RawItem | Rejected, default_lang: str | None, enricher: Enricher
) -> Analysed | Rejected:
    """Everything about an item that needs no database: the CPU-bound part of ingestion.
    Never raises for the item's sake: whatever goes wrong is its rejection, with the stage."""
    if isinstance(item, Rejected):
        return Rejected(nz.storable(item.origin), nz.storable(item.reason), item.stage)
    origin = nz.storable(item.origin)[:2000]
    try:
        p = prepare(item, default_lang)
        with stage("tagging"):
            e = enricher.enrich(p.title, p.body, None if p.date_estimated else p.published_at)
        with stage("near-duplicate check"):
            shingles = linking.encode_shingles(linking.shingle_array(p.body))
        with stage("search tokens"):
            document, title_tokens = search_document(p.title, p.body, p.lang)
            titled = title_entity_ids(title_tokens, sorted(e.tags)) if title_tokens else []
        candidates = discover(enricher, p.title, p.body, p.lang, e)
    except ItemTimeLimit as exc:
        return _out_of_time(origin, exc)
    except Exception as exc:  # noqa: BLE001 - StageFailed, RejectedInput, or a bug outside a stage
        return rejection(origin, exc)
    return Analysed(
        origin,
        nz.storable(p.item.author),
        nz.storable(p.item.source),
        p.title,
        p.body,
        p.lang,
        p.published_at,
        p.date_estimated,
        p.url,
        p.content_hash,
        e.cited_sources,
        e.gazetteer_version,
        e.tags,
        [(h.entity_id, h.surface, h.start, h.end) for h in e.mentions],
        shingles,
        document,
        titled,
        {k: (link.role, link.reason) for k, link in e.restrictions.items()},
        candidates,
        p.item.kind,
        p.item.rule_document,
    )


def discover(
    enricher: Enricher, title: str, body: str, lang: str, e: Enrichment
) -> tuple[Candidate, ...]:
    """Names the gazetteer lacks (app/enrich/discovery.py). Never the item's failure: any
    exception means no candidates for it, logged."""
    try:
        return tuple(
            discovery_for(enricher.gazetteer).find(
                title, body, lang, e.mentions, e.title_mentions, e.tags
            )
        )
    except ItemTimeLimit:
        raise
    except Exception:  # discovery is a bonus, never a rejection
        log.exception("discovery failed on %.80s", title)
        return ()


def analyse_limited(item, lang: str | None, enricher: Enricher, seconds: float | None):
    """analyse() within the CPU budget; the item's rejection when it runs out."""
    try:
        with cpu_limit(seconds):
            return analyse(item, lang, enricher)
    except ItemTimeLimit as exc:  # fired between analyse() returning and the timer stopping
        return _out_of_time(nz.storable(item.origin)[:2000], exc)


def _out_of_time(origin: str, exc: ItemTimeLimit) -> Rejected:
    """The rejection of an item whose CPU budget ran out, naming the stage it was in."""
    where = getattr(exc, "stage", None) or current_stage()
    return Rejected(origin, f"{where} stopped: {exc}", stage=where)


def _libc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_malloc_trim = _libc_trim()


def _release_memory() -> None:
    """Give the C heap's free pages back after a batch: each batch allocates and frees tens of
    megabytes (texts, rows, query results) from two threads, and glibc otherwise keeps the high
    water mark of every arena, so a long run's RSS would creep although nothing is kept."""
    if _malloc_trim is not None:
        _malloc_trim(0)


class Ingestor:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        enricher: Enricher,
        outbox: bool = False,
        processes: int = 1,
        cpu_seconds: float | None = DEFAULT_CPU_SECONDS,
        parallel_min: int | None = None,
    ):
        self.session_factory = session_factory
        self.enricher = enricher
        self.outbox = outbox  # write index-outbox rows (an external engine is configured)
        self.writer = ArticleWriter(enricher, outbox)
        # Worker processes for analyse() on large inputs (the CLI uses one per core); 1: none.
        # app/ingest/pool.py: they may die, and each item has a CPU-time budget.
        self.processes = processes
        self.cpu_seconds = cpu_seconds
        # Items an input must reach before worker processes are started (default PARALLEL_MIN).
        self.parallel_min = parallel_min
        self.worker_restarts = 0  # times a worker process died and the pool was restarted
        self._sources: dict[str, int] = {}
        with session_factory.begin() as session:
            sync_entities(session, enricher.gazetteer)

    @classmethod
    def for_runtime(cls, runtime: "Runtime", processes: int = 1) -> "Ingestor":
        # Tag with the gazetteer as accepted changes left it (and never sync the entities
        # table back to an older one).
        runtime.refresh_gazetteer(force=True)
        return cls(
            runtime.sessions,
            runtime.enricher,
            outbox=runtime.outbox,
            processes=processes,
            cpu_seconds=runtime.settings.item_cpu_seconds or None,
        )

    def ingest(
        self,
        items: Iterable[RawItem | Rejected],
        *,
        source: str | None = None,
        lang: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        report = IngestReport()
        batches = self._analysed(items, lang)
        # A batch's lookups (duplicates, near-duplicate and story candidates: mostly time in the
        # database, which runs without the GIL) run in a thread while the batch before it is
        # written; that batch is then linked from memory (linking.link_batch's `recent`).
        with ThreadPoolExecutor(1, thread_name_prefix="ingest-lookups") as lookups:
            current = next(batches, None)
            looking = lookups.submit(self._look_up, current) if current is not None else None
            previous: _Stored | None = None
            while current is not None:
                looked = looking.result()
                # No lookup is reading now: the log of the batches written so far can be
                # checkpointed in full, so it starts over instead of growing (app/db.py).
                checkpoint_wal(self.session_factory)
                following = next(batches, None)
                if following is not None:
                    looking = lookups.submit(self._look_up, following)
                stored = self._store_batch(current, looked, previous, report, source)
                if stored is None and following is not None:
                    # Stored item by item: memory does not hold what went in. Look again.
                    looking.result()
                    looking = lookups.submit(self._look_up, following)
                previous = stored
                _release_memory()
                if progress:
                    progress(len(current))
                current = following
        count_ingest(report)
        return report

    # --- reading ---------------------------------------------------------------------------

    def _analysed(self, items: Iterable[RawItem | Rejected], lang: str | None) -> Iterator[list]:
        """Batches of analysed items, in input order."""
        it = iter(items)
        if self.processes > 1 and "fork" in multiprocessing.get_all_start_methods():
            least = self.parallel_min or PARALLEL_MIN
            head = list(islice(it, least))
            if len(head) == least:
                pool = AnalysisPool(
                    self.processes, self.enricher, self.cpu_seconds, analyse_one=analyse_limited
                )
                try:
                    with pool:
                        yield from chunks(pool.results(chain(head, it), lang), BATCH)
                finally:
                    self.worker_restarts += pool.restarts
                return
            it = iter(head)
        for chunk in chunks(it, BATCH):
            yield [analyse_limited(item, lang, self.enricher, self.cpu_seconds) for item in chunk]

    # --- storing ---------------------------------------------------------------------------

    def _look_up(self, batch: list) -> "_Lookups":
        """What the database holds about a batch's items (in the lookup thread, its own session)."""
        analysed = [a for a in batch if isinstance(a, Analysed)]
        pending = [self._pending(a) for a in analysed]
        if not analysed:
            return _Lookups(
                analysed, pending, set(), set(), linking.Prefetched({}, {}, {}, {}, {}, {})
            )
        with self.session_factory() as session:
            hashes = article_repo.stored_hashes(session, [a.content_hash for a in analysed])
            urls = article_repo.stored_urls(session, [a.url for a in analysed if a.url])
            known = article_repo.prefetch(session, pending)
        return _Lookups(analysed, pending, hashes, urls, known)

    def _store_batch(
        self,
        batch: list,
        looked: "_Lookups",
        previous: "_Stored | None",
        report: IngestReport,
        source: str | None,
    ) -> "_Stored | None":
        """Store a batch; returns what went in, or None when it went in item by item."""
        stored: _Stored | None = _Stored([], {}, set(), set())
        with self.session_factory.begin() as session:
            article_repo.use_bulk_cache(session)
            rejected = [r for r in batch if isinstance(r, Rejected)]
            fresh, pending = self._not_stored(looked, previous, report)
            if fresh:
                # In the batch's order, not a set's: new sources get the same ids whatever
                # PYTHONHASHSEED orders strings by (tests/test_ingest_determinism.py).
                names = dict.fromkeys(a.source or source for a in fresh)
                sources = {name: self._source_id(session, name) for name in names}
                recent, recent_stories = (
                    (previous.pending, previous.stories) if previous else ([], {})
                )
                try:
                    with session.begin_nested():
                        written = self.writer.store_batch(
                            session,
                            fresh,
                            pending,
                            [sources[a.source or source] for a in fresh],
                            looked.known,
                            recent,
                            recent_stories,
                        )
                except IntegrityError:
                    # Another writer stored one of them since our lookup: one by one instead.
                    self._store_one_by_one(session, fresh, report, source)
                    stored = None
                else:
                    report.added += len(written.ids)
                    report.article_ids += written.ids
                    stored = _Stored(
                        pending,
                        written.stories,
                        {a.content_hash for a in fresh},
                        {a.url for a in fresh if a.url},
                    )
            if rejected:
                report.rejected += rejected
                session.execute(
                    insert(Rejection),
                    [
                        {
                            "origin": r.origin[:2000],
                            "reason": r.reason[:2000],
                            "source_name": source,
                        }
                        for r in rejected
                    ],
                )
        if stored is not None:
            for p in stored.pending:
                linking.remember_shingles(p.content_hash, p.shingles)
        return stored

    @staticmethod
    def _not_stored(
        looked: "_Lookups", previous: "_Stored | None", report: IngestReport
    ) -> tuple[list[Analysed], list[linking.Pending]]:
        """The items that are no exact duplicate of a stored article or of an earlier item."""
        hashes, urls = set(looked.hashes), set(looked.urls)
        if previous:  # stored after the lookup may have run
            hashes |= previous.hashes
            urls |= previous.urls
        fresh, pending = [], []
        for a, p in zip(looked.analysed, looked.pending):
            if a.content_hash in hashes or (a.url and a.url in urls):
                report.duplicates += 1
                continue
            hashes.add(a.content_hash)
            if a.url:
                urls.add(a.url)
            fresh.append(a)
            pending.append(p)
        return fresh, pending

    def _pending(self, a: Analysed) -> linking.Pending:
        return self.writer.pending(a)

    def _store_one_by_one(
        self, session: Session, fresh: list[Analysed], report: IngestReport, source: str | None
    ) -> None:
        for a in fresh:
            if article_repo.is_stored(session, a.content_hash, a.url):
                report.duplicates += 1
                continue
            try:
                with session.begin_nested():
                    article_id = self.writer.store(
                        session, a, self._source_id(session, a.source or source)
                    )
            except IntegrityError:
                # Another writer stored the same article between our check and insert.
                report.duplicates += 1
                continue
            report.added += 1
            report.article_ids.append(article_id)

    def _source_id(self, session: Session, name: str | None) -> int | None:
        if not name:
            return None
        if name not in self._sources:
            self._sources[name] = article_repo.source_id(session, name)
        return self._sources[name]


@dataclass
class _Lookups:
    """What the database held about a batch when it was looked up (Ingestor._look_up)."""

    analysed: list[Analysed]
    pending: list[linking.Pending]  # one per analysed item
    hashes: set[str]  # content hashes already stored
    urls: set[str]  # canonical URLs already stored
    known: linking.Prefetched


@dataclass
class _Stored:
    """A batch as stored, for the next one, whose lookup may have run before it was."""

    pending: list[linking.Pending]
    stories: dict[int, str]  # story_id it gave to articles stored before it
    hashes: set[str]
    urls: set[str]
