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
"""

import hashlib
import heapq
import re
import unicodedata
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache

import numpy as np
from sqlalchemy import Date, bindparam, delete, func, select
from sqlalchemy.orm import Session

from app.models import Article, ArticleEntity, ArticleKey, as_utc

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
WEIGHTS = {"restriction": 3.0, "chip": 2.0, "company": 2.0, "agency": 1.0, "region": 0.5}
_SPECIFIC = ("restriction", "chip", "company")
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_ARABIC_FOLD = str.maketrans("أإآٱىة", "اااايه")
_M = np.uint64(0x9E3779B97F4A7C15)
_RECENT_MAX = 512
_recent: dict[str, set[int]] = {}  # content hash -> shingles, oldest first


def shingles(text: str) -> set[int]:
    """64-bit hashes of the word 5-grams of a text, folded for case, width and Arabic spelling."""
    folded = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text).casefold()).translate(_ARABIC_FOLD)
    words = _TOKEN.findall(folded)
    if not words:
        return set()
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
    return set(mixed.view(np.int64).tolist())


@lru_cache(maxsize=100_000)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")


def _cached_shingles(content_hash: str, body: str) -> set[int]:
    """Shingles of a stored article, kept for the candidates that come up again and again."""
    found = _recent.get(content_hash)
    if found is None:
        found = shingles(body)
        _recent[content_hash] = found
        if len(_recent) > _RECENT_MAX:
            _recent.pop(next(iter(_recent)))
    return found


def resemblance(a: set[int], b: set[int]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / len(a | b), common / min(len(a), len(b))


def is_near_duplicate(a: set[int], b: set[int]) -> bool:
    jaccard, contained = resemblance(a, b)
    return jaccard >= JACCARD or (contained >= CONTAINED and min(len(a), len(b)) >= MIN_SHINGLES)


_keys = ArticleKey.__table__
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
_STORY_CANDIDATES = _candidates(STORY_MIN_SHARED, 20)
_TAGS_OF = select(_tags.c.article_id, _tags.c.entity_id, _tags.c.entity_type).where(
    _tags.c.article_id.in_(bindparam("ids", expanding=True)))


def _entity_key(entity_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"entity:{entity_id}".encode(), digest_size=8).digest(),
                          "big", signed=True)


def link_article(session: Session, article: Article) -> list[int]:
    """Record a new article's keys, link it to its first copy and its story.

    Call after the article and its entity tags are flushed. Returns the ids of *other* articles
    whose story_id changed (their search documents need refreshing).
    """
    own = shingles(article.body)
    anchors = heapq.nsmallest(ANCHORS, own)
    day = as_utc(article.published_at).date()
    touched: list[int] = []
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
    keys = heapq.nsmallest(ANCHORS, shingles(article.body))
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
        if is_near_duplicate(own, _cached_shingles(content_hash, body)):
            roots.append(duplicate_of or candidate_id)
    return min(roots) if roots else None


def _weighted_jaccard(a: dict[str, str], b: dict[str, str]) -> float:
    union = a.keys() | b.keys()
    total = sum(WEIGHTS.get(a.get(e) or b.get(e), 1.0) for e in union)
    common = sum(WEIGHTS.get(a[e], 1.0) for e in a.keys() & b.keys())
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
    score, best = max((_weighted_jaccard(own, tags[c]), -c) for c in candidates if c in tags)
    if score < STORY_SCORE:
        return []
    other = session.get(Article, -best)
    if other.story_id is None:
        other.story_id = _story_key(other.id)
        article.story_id = other.story_id
        return [other.id]
    article.story_id = other.story_id
    return []
