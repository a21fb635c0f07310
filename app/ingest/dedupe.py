"""Near-duplicates and same-story grouping, decided when an article is stored.

Near-duplicates (one wire story lightly edited by several outlets): the folded text is cut into
word 5-gram shingles (a Han or kana character counts as a word), each hashed to 64 bits. Every
article keeps its ANCHORS smallest hashes in article_keys (a bottom-k sketch). Two texts that
share much of their shingles share most of these anchors, so a new article looks up the articles
that share at least three of its anchors and were published within WINDOW_DAYS, then confirms on
the real texts: shingle Jaccard at least JACCARD, or the shorter text CONTAINED in the longer.
The copy gets duplicate_of = the first copy (search hides copies). The sketch lives in the
database, so every worker and every restart sees the same index (an in-memory LSH would not).

Same story in any language: articles published within STORY_DAYS of each other whose entities
overlap (weighted Jaccard: restrictions, chips and companies count most, regions least) share a
story_id; so do a copy and its original. Candidates come from the same article_keys table (a key
per company, chip and restriction), so the lookup reads only the days around the article, however
common "Nvidia" is. Two different stories about the same firms and chips in the same few days can
be grouped together: the price of a signal that needs no translation.

Bulk ingestion links a whole batch at once with the same rules and the same outcome as linking its
articles one by one (link_batch): the database is asked once per batch for the candidates among the
articles stored before it (prefetch, one query for copies and one for stories, each keeping every
article's best candidates), the candidates within the batch come from its own keys in memory, and
the articles are then linked in order. Shingles come with the new articles (computed where they
were read) and are stored (article_shingles), so confirming a candidate never re-cuts its text
(an article stored before that table existed gets its row the first time it is a candidate).
"""

import hashlib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
from sqlalchemy import Date, bindparam, delete, func, select
from sqlalchemy.orm import Session

from app.ingest.bulk import insert_rows, select_in, select_rows
from app.models import Article, ArticleEntity, ArticleKey, ArticleShingles, as_utc

SHINGLE_WORDS = 5
ANCHORS = 16
MIN_SHARED_ANCHORS = 3
MIN_SHINGLES = 10
WINDOW_DAYS = 7
JACCARD = 0.5
CONTAINED = 0.8
CANDIDATES = 8
STORY_DAYS = 3
STORY_SCORE = 0.5
STORY_MIN_SHARED = 2
STORY_CANDIDATES = 20
WEIGHTS = {"restriction": 3.0, "chip": 2.0, "company": 2.0, "agency": 1.0, "region": 0.5}
_SPECIFIC = ("restriction", "chip", "company")
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_ARABIC_FOLD = str.maketrans("أإآٱىة", "اااايه")
_M = np.uint64(0x9E3779B97F4A7C15)
# Shingles of recently stored articles by content hash, oldest first: the candidates that come up
# again and again. Sorted int64 arrays (about 1.7 KB each), so the cache stays small and flat.
_RECENT_MAX = 1024
_recent: "OrderedDict[str, np.ndarray]" = OrderedDict()
_recent_lock = threading.Lock()  # ingestion reads it from its lookup thread too
_EMPTY = np.empty(0, dtype=np.int64)


def shingle_array(text: str) -> np.ndarray:
    """The sorted, distinct 64-bit hashes of the word 5-grams of a text (see shingles)."""
    folded = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text).casefold()).translate(_ARABIC_FOLD)
    words = _TOKEN.findall(folded)
    if not words:
        return _EMPTY
    h = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    if len(h) < SHINGLE_WORDS:
        h = np.concatenate([h, np.zeros(SHINGLE_WORDS - len(h), dtype=np.uint64)])
    # A polynomial over the five word hashes, mod 2**64 (numpy wraps), read as a signed BIGINT:
    # stable across processes and versions, unlike hash().
    n = len(h) - SHINGLE_WORDS + 1
    with np.errstate(over="ignore"):
        mixed = h[:n].copy()
        for k in range(1, SHINGLE_WORDS):
            mixed = mixed * _M + h[k:k + n]
    return np.unique(mixed.view(np.int64))


def shingles(text: str) -> set[int]:
    """64-bit hashes of the word 5-grams of a text, folded for case, width and Arabic spelling."""
    return set(shingle_array(text).tolist())


def encode_shingles(array: np.ndarray) -> bytes:
    return array.astype("<i8", copy=False).tobytes()


def decode_shingles(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i8").astype(np.int64, copy=False)


@lru_cache(maxsize=16_384)  # the common words; bounded, so a long run's memory stays flat
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")


def remember_shingles(content_hash: str, array: np.ndarray) -> None:
    with _recent_lock:
        _recent[content_hash] = array
        _recent.move_to_end(content_hash)
        if len(_recent) > _RECENT_MAX:
            _recent.popitem(last=False)


def _remembered(content_hash: str) -> np.ndarray | None:
    with _recent_lock:
        found = _recent.get(content_hash)
        if found is not None:
            _recent.move_to_end(content_hash)
        return found


def _cached_array(content_hash: str, body: str) -> np.ndarray:
    found = _remembered(content_hash)
    if found is None:
        found = shingle_array(body)
        remember_shingles(content_hash, found)
    return found


def _cached_shingles(content_hash: str, body: str) -> set[int]:
    """Shingles of a stored article, kept for the candidates that come up again and again."""
    return set(_cached_array(content_hash, body).tolist())


def resemblance(a: set[int], b: set[int]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    return _ratios(len(a & b), len(a), len(b))


def _ratios(common: int, na: int, nb: int) -> tuple[float, float]:
    return common / (na + nb - common), common / min(na, nb)


def is_near_duplicate(a: set[int], b: set[int]) -> bool:
    jaccard, contained = resemblance(a, b)
    return _decide(jaccard, contained, min(len(a), len(b)))


def _decide(jaccard: float, contained: float, smaller: int) -> bool:
    return jaccard >= JACCARD or (contained >= CONTAINED and smaller >= MIN_SHINGLES)


def _near_duplicate_of(own: set[int], other: np.ndarray) -> bool:
    """is_near_duplicate(own, set(other)) without building the second set."""
    if not own or not len(other):
        return False
    common = len(own.intersection(other.tolist()))
    return _decide(*_ratios(common, len(own), len(other)), min(len(own), len(other)))


def _near_duplicate_arrays(own: np.ndarray, other: np.ndarray) -> bool:
    """is_near_duplicate on shingle arrays (sorted, distinct): numpy counts what they share
    faster than Python sets of 64-bit integers would."""
    if not len(own) or not len(other):
        return False
    merged = np.concatenate((own, other))
    merged.sort(kind="stable")  # a merge of two sorted runs; a shared value shows up twice
    common = int(np.count_nonzero(merged[1:] == merged[:-1]))
    return _decide(*_ratios(common, len(own), len(other)), min(len(own), len(other)))


_keys = ArticleKey.__table__
_shingles = ArticleShingles.__table__
_tags = ArticleEntity.__table__
_articles = Article.__table__
# Built once: these run for every stored article, so only their parameters change.
_shared = func.count().label("shared")


def _candidates(min_shared: int, limit: int):
    return (select(_keys.c.article_id, _shared)
            .where(_keys.c.key.in_(bindparam("keys", expanding=True)), _keys.c.article_id != bindparam("me"),
                   _keys.c.day.between(bindparam("lo", type_=Date), bindparam("hi", type_=Date)))
            .group_by(_keys.c.article_id).having(func.count() >= min_shared)
            .order_by(_shared.desc(), _keys.c.article_id).limit(limit))


_copies = _candidates(MIN_SHARED_ANCHORS, CANDIDATES).subquery()
_COPY_CANDIDATES = (
    select(_articles.c.id, _articles.c.duplicate_of, _articles.c.content_hash, _articles.c.body)
    .join(_copies, _copies.c.article_id == _articles.c.id)
    .order_by(_copies.c.shared.desc(), _articles.c.id))
_STORY_CANDIDATES = _candidates(STORY_MIN_SHARED, STORY_CANDIDATES)
_TAGS_OF = select(_tags.c.article_id, _tags.c.entity_id, _tags.c.entity_type).where(
    _tags.c.article_id.in_(bindparam("ids", expanding=True)))


@lru_cache(maxsize=4096)
def _entity_key(entity_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"entity:{entity_id}".encode(), digest_size=8).digest(),
                          "big", signed=True)


def link_article(session: Session, article: Article) -> list[int]:
    """Record a new article's keys, link it to its first copy and its story.

    Call after the article and its entity tags are flushed. Returns the ids of *other* articles
    whose story_id changed (their search documents need refreshing).
    """
    array = shingle_array(article.body)
    own = set(array.tolist())
    anchors = array[:ANCHORS].tolist()
    day = as_utc(article.published_at).date()
    touched: list[int] = []
    session.execute(_shingles.insert(), [{"article_id": article.id, "shingles": encode_shingles(array)}])
    if len(own) >= MIN_SHINGLES:
        original_id = _first_copy(session, article.id, own, anchors, day)
        if original_id is not None:
            original = session.get(Article, original_id)
            article.duplicate_of = original.id
            if original.story_id is None:
                original.story_id = _story_key(original.id)
                touched.append(original.id)
            article.story_id = original.story_id
    tags = _tags_of(session, [article.id]).get(article.id, {})
    # A copy is no story candidate of its own: its original stands for it.
    entity_keys = [] if article.duplicate_of else _story_keys(tags)
    _store_keys(session, article.id, anchors + entity_keys, day)
    if article.story_id is None and len(entity_keys) >= STORY_MIN_SHARED:
        touched += _join_story(session, article, tags, entity_keys, day)
    session.flush()
    return touched


def refresh(session: Session, article: Article) -> None:
    """Replace the keys of an article whose text changed (links are left as they are)."""
    session.execute(delete(ArticleKey).where(ArticleKey.article_id == article.id))
    session.execute(delete(ArticleShingles).where(ArticleShingles.article_id == article.id))
    array = shingle_array(article.body)
    session.execute(_shingles.insert(), [{"article_id": article.id, "shingles": encode_shingles(array)}])
    keys = array[:ANCHORS].tolist()
    if not article.duplicate_of:
        keys += _story_keys(_tags_of(session, [article.id]).get(article.id, {}))
    _store_keys(session, article.id, keys, as_utc(article.published_at).date())


def _story_keys(tags: dict[str, str]) -> list[int]:
    return [_entity_key(e) for e, kind in tags.items() if kind in _SPECIFIC]


def _store_keys(session: Session, article_id: int, keys: Iterable[int], day) -> None:
    rows = [{"article_id": article_id, "key": k, "day": day} for k in dict.fromkeys(keys)]
    if rows:
        session.execute(_keys.insert(), rows)


def _tags_of(session: Session, ids: list[int]) -> dict[int, dict[str, str]]:
    tags: dict[int, dict[str, str]] = {}
    for article_id, entity_id, entity_type in session.execute(_TAGS_OF, {"ids": ids}):
        tags.setdefault(article_id, {})[entity_id] = entity_type
    return tags


def _story_key(article_id: int) -> str:
    return f"s{article_id}"


def _first_copy(session: Session, article_id: int, own: set[int], anchors: list[int], day) -> int | None:
    """The id of the first copy of this text, if an earlier article is a near-duplicate of it."""
    if not anchors:
        return None
    window = timedelta(days=WINDOW_DAYS)
    roots = []
    for candidate_id, duplicate_of, content_hash, body in session.execute(
            _COPY_CANDIDATES, {"keys": anchors, "me": article_id, "lo": day - window, "hi": day + window}):
        if _near_duplicate_of(own, _cached_array(content_hash, body)):
            roots.append(duplicate_of or candidate_id)
    return min(roots) if roots else None


def _weighted_jaccard(a: dict[str, str], b: dict[str, str]) -> float:
    union = a.keys() | b.keys()
    total = sum(WEIGHTS.get(a.get(e) or b.get(e), 1.0) for e in union)
    common = sum(WEIGHTS.get(a[e], 1.0) for e in a.keys() & b.keys())
    return common / total if total else 0.0


def _weight(tags: dict[str, str]) -> float:
    return sum(WEIGHTS.get(kind, 1.0) for kind in tags.values())


def _fast_weighted_jaccard(a: dict[str, str], weight_a: float, b: dict[str, str], weight_b: float) -> float:
    """_weighted_jaccard(a, b) from the total weights of a and b (the weights are multiples of
    0.5, so the sums are exact in any order and the result is the same float)."""
    common = common_b = 0.0
    for e in a.keys() & b.keys():
        common += WEIGHTS.get(a[e], 1.0)
        common_b += WEIGHTS.get(b[e], 1.0)
    total = weight_a + weight_b - common_b
    return common / total if total else 0.0


def _join_story(session: Session, article: Article, own: dict[str, str], entity_keys: list[int],
                day) -> list[int]:
    """Give the article the story of the best-matching nearby article (creating it if need be)."""
    window = timedelta(days=STORY_DAYS)
    candidates = list(session.scalars(_STORY_CANDIDATES, {
        "keys": entity_keys, "me": article.id, "lo": day - window, "hi": day + window}))
    if not candidates:
        return []
    tags = _tags_of(session, candidates)
    scored = [(_weighted_jaccard(own, tags[c]), -c) for c in candidates if c in tags]
    if not scored:
        return []
    score, best = max(scored)
    if score < STORY_SCORE:
        return []
    other = session.get(Article, -best)
    if other.story_id is None:
        other.story_id = _story_key(other.id)
        article.story_id = other.story_id
        return [other.id]
    article.story_id = other.story_id
    return []


# --- Batches -------------------------------------------------------------------------------


@dataclass(eq=False)
class Pending:
    """A new article of a batch, as the linker sees it; id is set once it is inserted, and
    duplicate_of, story_id, keys and touched are the linker's answers."""

    day: date
    content_hash: str
    shingles: np.ndarray  # shingle_array(body)
    tags: dict[str, str]  # entity id -> entity type
    id: int = 0
    blob: bytes | None = None  # encode_shingles(shingles), when already at hand
    duplicate_of: int | None = None
    story_id: str | None = None
    keys: list[int] = field(default_factory=list)
    touched: list[int] = field(default_factory=list)  # other articles whose story_id it set

    @property
    def anchors(self) -> list[int]:
        return self.shingles[:ANCHORS].tolist()

    @property
    def entity_keys(self) -> list[int]:
        return _story_keys(self.tags)


@dataclass
class Prefetched:
    """What the database knows that a batch's linking needs, read before the batch is written."""

    copies: dict["Pending", list[tuple[int, int]]]  # -> [(shared anchors, article id)]
    stories: dict["Pending", list[tuple[int, int]]]  # -> [(shared entity keys, article id)]
    duplicate_of: dict[int, int | None]  # of each copy candidate
    story_id: dict[int, str | None]  # of copy candidates, their originals and story candidates
    shingles: dict[int, np.ndarray]  # of copy candidates
    tags: dict[int, dict[str, str]]  # of story candidates
    backfill: dict[int, np.ndarray] = field(default_factory=dict)  # candidates without stored shingles


_TOP = """{prefix}SELECT idx, article_id, shared FROM (
  SELECT q.idx AS idx, k.article_id AS article_id, count(*) AS shared,
         row_number() OVER (PARTITION BY q.idx ORDER BY count(*) DESC, k.article_id) AS rn
  FROM {source} JOIN article_keys k ON k."key" = q."key" AND k.day BETWEEN q.lo AND q.hi
  GROUP BY q.idx, k.article_id HAVING count(*) >= {min_shared}) ranked
WHERE rn <= {limit}"""
# PostgreSQL takes the query rows as four arrays; SQLite as a VALUES list, walked first (CROSS
# JOIN fixes the order) with the (key, day) index probed for each row.
_PG_QUERIES = 'unnest(%s::int[], %s::bigint[], %s::date[], %s::date[]) AS q(idx, "key", lo, hi)'
_SQLITE_ROWS = 2048  # query rows per statement: 4 parameters each, well under SQLite's limit
_SQLITE_SHORT = 256


def _top_candidates(session: Session, queries: list[tuple[int, int, object, object]], min_shared: int,
                    limit: int) -> dict[int, list[tuple[int, int]]]:
    """For each batch index, its best `limit` stored articles sharing at least `min_shared` of its
    keys (a key per query row) within the row's days, as [(shared, article id)]: the per-article
    _candidates query, for a whole batch in one statement."""
    found: dict[int, list[tuple[int, int]]] = {}
    if not queries:
        return found
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        sql = _TOP.format(prefix="", source=_PG_QUERIES, min_shared=int(min_shared), limit=int(limit))
        columns = [list(c) for c in zip(*queries)]
        statements = [(sql, tuple(columns))]
    else:
        statements = []
        for i in range(0, len(queries), _SQLITE_ROWS):
            part = queries[i:i + _SQLITE_ROWS]
            # Padded with rows that match nothing (an empty day range) to one of two lengths, so
            # two statements are prepared once and reused rather than one per batch.
            size = _SQLITE_SHORT if len(part) <= _SQLITE_SHORT else _SQLITE_ROWS
            part += [(-1, 0, "9", "0")] * (size - len(part))
            values = ",".join(["(?,?,?,?)"] * len(part))
            sql = _TOP.format(prefix=f'WITH q(idx, "key", lo, hi) AS (VALUES {values}) ', source="q CROSS",
                              min_shared=int(min_shared), limit=int(limit))
            params = tuple(x for row in part for x in row)
            statements.append((sql, params))
    for sql, params in statements:
        for idx, article_id, shared in select_rows(conn, sql, params):
            found.setdefault(idx, []).append((shared, article_id))
    return found


def _select_in(session: Session, sql: str, ids: Iterable[int]) -> list[tuple]:
    """Rows of `sql` (with an `IN ({ids})`) for ids."""
    return select_in(session.connection(), sql.replace("{ids}", "{values}"), list(ids))


def prefetch(session: Session, batch: Sequence[Pending]) -> Prefetched:
    """Read everything linking the batch needs from the articles stored before it."""
    copy_window, story_window = timedelta(days=WINDOW_DAYS), timedelta(days=STORY_DAYS)
    iso = session.get_bind().dialect.name == "sqlite"  # SQLite compares the DATE column as ISO text
    copy_rows, story_rows = [], []
    for i, p in enumerate(batch):
        if len(p.shingles) >= MIN_SHINGLES:
            lo, hi = p.day - copy_window, p.day + copy_window
            if iso:
                lo, hi = lo.isoformat(), hi.isoformat()
            copy_rows += [(i, key, lo, hi) for key in p.anchors]
        entity_keys = p.entity_keys
        if len(entity_keys) >= STORY_MIN_SHARED:
            lo, hi = p.day - story_window, p.day + story_window
            if iso:
                lo, hi = lo.isoformat(), hi.isoformat()
            story_rows += [(i, key, lo, hi) for key in entity_keys]
    copies = {batch[i]: found for i, found in
              _top_candidates(session, copy_rows, MIN_SHARED_ANCHORS, CANDIDATES).items()}
    stories = {batch[i]: found for i, found in
               _top_candidates(session, story_rows, STORY_MIN_SHARED, STORY_CANDIDATES).items()}
    copy_ids = {a for found in copies.values() for _s, a in found}
    story_ids = {a for found in stories.values() for _s, a in found}
    duplicate_of: dict[int, int | None] = {}
    story_id: dict[int, str | None] = {}
    hashes: dict[int, str] = {}
    for a, dup, story, content_hash in _select_in(
            session, "SELECT id, duplicate_of, story_id, content_hash FROM articles WHERE id IN ({ids})",
            copy_ids | story_ids):
        duplicate_of[a], story_id[a], hashes[a] = dup, story, content_hash
    originals = {d for a, d in duplicate_of.items() if d is not None and a in copy_ids} - story_id.keys()
    if originals:
        story_id.update(_select_in(session, "SELECT id, story_id FROM articles WHERE id IN ({ids})", originals))
    arrays: dict[int, np.ndarray] = {}
    missing = []
    for a in copy_ids & hashes.keys():
        cached = _remembered(hashes[a])
        if cached is None:
            missing.append(a)
        else:
            arrays[a] = cached
    backfill: dict[int, np.ndarray] = {}
    if missing:
        for a, data in _select_in(
                session, "SELECT article_id, shingles FROM article_shingles WHERE article_id IN ({ids})", missing):
            arrays[a] = decode_shingles(data)
            remember_shingles(hashes[a], arrays[a])
        unstored = [a for a in missing if a not in arrays]
        if unstored:
            for a, body in _select_in(session, "SELECT id, body FROM articles WHERE id IN ({ids})", unstored):
                arrays[a] = backfill[a] = _cached_array(hashes[a], body)
    tags: dict[int, dict[str, str]] = {}
    if story_ids:
        for a, entity_id, entity_type in _select_in(
                session, "SELECT article_id, entity_id, entity_type FROM article_entities "
                         "WHERE article_id IN ({ids})", story_ids):
            tags.setdefault(a, {})[entity_id] = entity_type
    return Prefetched(copies, stories, duplicate_of, story_id, arrays, tags, backfill)


def link_batch(batch: Sequence[Pending], known: Prefetched, recent: Sequence[Pending] = (),
               recent_stories: dict[int, str] | None = None) -> dict[int, str]:
    """Link the articles of a batch in order, as link_article would one by one.

    Every article must have its id. `known` was read from the database before the batch was
    written; `recent` is the batch stored just before this one when `known` may have been read
    before it was (it is then linked from memory, whatever the database showed of it), and
    `recent_stories` the story_id it gave to articles before it. Sets duplicate_of, story_id,
    keys and touched on each article, and returns the story_id given to articles stored before
    the batch (id -> story_id).
    """
    articles = [*recent, *batch]  # candidates from memory: the recent batch, then this one
    by_key: dict[int, dict[int, list[int]]] = {}  # key -> day -> indexes in articles
    by_id = {p.id: p for p in articles}
    in_recent = {p.id for p in recent}
    overrides = recent_stories or {}
    earlier_stories: dict[int, str] = {}
    weight = {p.id: _weight(p.tags) for p in articles}
    def story_of(article_id: int) -> str | None:
        mine = by_id.get(article_id)
        if mine is not None:
            return mine.story_id
        return earlier_stories.get(article_id) or overrides.get(article_id) or known.story_id.get(article_id)

    def set_story(article_id: int, story: str) -> None:
        mine = by_id.get(article_id)
        if mine is not None:
            mine.story_id = story
        if mine is None or article_id in in_recent:
            earlier_stories[article_id] = story  # stored already: updated with this batch

    def index(i: int, p: Pending) -> None:
        day = p.day.toordinal()
        for key in p.keys:
            by_key.setdefault(key, {}).setdefault(day, []).append(i)

    def in_memory(keys: list[int], day: int, window: int, min_shared: int, me: int) -> dict[int, int]:
        """_candidates among the articles in memory: article id -> shared keys."""
        shared: dict[int, int] = {}
        lo, hi = day - window, day + window
        for key in keys:
            days = by_key.get(key)
            if not days:
                continue
            if len(days) <= hi - lo:
                for d, indexes in days.items():
                    if lo <= d <= hi:
                        for j in indexes:
                            shared[j] = shared.get(j, 0) + 1
            else:  # a key of many days ("nvidia"): only the days of the window
                for d in range(lo, hi + 1):
                    for j in days.get(d, ()):
                        shared[j] = shared.get(j, 0) + 1
        return {articles[j].id: n for j, n in shared.items() if n >= min_shared and j != me}

    def best(stored: list[tuple[int, int]], mine: dict[int, int], limit: int) -> list[int]:
        """The ids of the `limit` best candidates, the database's and memory's together (an
        article the database already showed is the same article, with the same keys)."""
        merged = {a: n for n, a in stored}
        merged.update(mine)
        return [a for a, _n in sorted(merged.items(), key=lambda c: (-c[1], c[0]))[:limit]]

    for i, p in enumerate(recent):
        index(i, p)
    for i, p in enumerate(batch, start=len(recent)):
        anchors = p.anchors
        day = p.day.toordinal()
        if len(p.shingles) >= MIN_SHINGLES and anchors:
            found = best(known.copies.get(p, []), in_memory(anchors, day, WINDOW_DAYS, MIN_SHARED_ANCHORS, i),
                         CANDIDATES)
            roots = []
            for a in found:
                mine = by_id.get(a)
                other = mine.shingles if mine is not None else known.shingles.get(a)
                if other is not None and _near_duplicate_arrays(p.shingles, other):
                    roots.append((mine.duplicate_of if mine is not None else known.duplicate_of.get(a)) or a)
            if roots:
                original = min(roots)
                p.duplicate_of = original
                story = story_of(original)
                if story is None:
                    story = _story_key(original)
                    set_story(original, story)
                    p.touched.append(original)
                p.story_id = story
        entity_keys = [] if p.duplicate_of else p.entity_keys
        p.keys = list(dict.fromkeys(anchors + entity_keys))
        index(i, p)
        if p.story_id is None and len(entity_keys) >= STORY_MIN_SHARED:
            found = best(known.stories.get(p, []), in_memory(entity_keys, day, STORY_DAYS, STORY_MIN_SHARED, i),
                         STORY_CANDIDATES)
            scored = []
            own_weight = weight[p.id]
            for a in found:
                mine = by_id.get(a)
                tags = mine.tags if mine is not None else known.tags.get(a)
                if tags:
                    other_weight = weight.get(a)
                    if other_weight is None:
                        other_weight = weight[a] = _weight(tags)
                    scored.append((_fast_weighted_jaccard(p.tags, own_weight, tags, other_weight), -a))
            if scored:
                score, best_id = max(scored)
                if score >= STORY_SCORE:
                    story = story_of(-best_id)
                    if story is None:
                        story = _story_key(-best_id)
                        set_story(-best_id, story)
                        p.touched.append(-best_id)
                    p.story_id = story
    return earlier_stories


def write_batch(session: Session, batch: Sequence[Pending], earlier: dict[int, str],
                known: Prefetched, linked: bool = False) -> None:
    """Store what link_batch decided: keys, shingles and links of the batch's articles (unless
    `linked`: inserted with them), the story_id it gave earlier articles, and the shingles of
    candidates that had none stored."""
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    insert_rows(conn, "article_keys", ("article_id", "key", "day"),
                [(p.id, k, p.day.isoformat() if sqlite else p.day) for p in batch for k in p.keys])
    insert_rows(conn, "article_shingles", ("article_id", "shingles"),
                [(p.id, p.blob if p.blob is not None else encode_shingles(p.shingles)) for p in batch])
    if known.backfill:
        conn.exec_driver_sql(
            f"INSERT INTO article_shingles (article_id, shingles) VALUES ({mark}, {mark}) "
            "ON CONFLICT (article_id) DO NOTHING",
            [(a, encode_shingles(array)) for a, array in known.backfill.items()])
    links = [] if linked else [(p.duplicate_of, p.story_id, p.id) for p in batch if p.duplicate_of or p.story_id]
    if links:
        conn.exec_driver_sql(f"UPDATE articles SET duplicate_of = {mark}, story_id = {mark} WHERE id = {mark}",
                             links)
    if earlier:
        conn.exec_driver_sql(f"UPDATE articles SET story_id = {mark} WHERE id = {mark}",
                             [(story, a) for a, story in earlier.items()])
