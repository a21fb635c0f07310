"""Near-duplicates and same-story grouping, decided when articles are stored: one linker.

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

Articles are linked a batch at a time (an article stored alone is a batch of one): the database
is asked once per batch for the candidates among the articles stored before it (prefetch, one
query for copies and one for stories, each keeping every article's best candidates), the
candidates within the batch come from its own keys in memory, and the articles are then linked in
order (link_batch), each seeing the ones before it. Shingles come with the new articles (computed
where they were read) and are stored (article_shingles), so confirming a candidate never re-cuts
its text (an article stored before that table existed gets its row the first time it is a
candidate).
"""

import hashlib
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import chain

import numpy as np

from app.words import folded_words

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
_HAN_KANA = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_TOKEN = re.compile(_HAN_KANA + r"|[^\W_]+")
# Without a Han or kana character, a text's tokens are its plain words: found without trying
# the first alternative at every position.
_ANY_HAN_KANA = re.compile(_HAN_KANA)
_WORDS = re.compile(r"[^\W_]+")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_ARABIC_LETTERS = tuple(zip("أإآٱىة", "اااايه"))  # hamza forms, alef maqsura, taa marbuta
_M = np.uint64(0x9E3779B97F4A7C15)
# Shingles of recently stored articles by content hash, oldest first: the candidates that come up
# again and again. Sorted int64 arrays (about 1.7 KB each), so the cache stays small and flat.
_RECENT_MAX = 1024
_recent: "OrderedDict[str, np.ndarray]" = OrderedDict()
_recent_lock = threading.Lock()  # ingestion reads it from its lookup thread too
_EMPTY = np.empty(0, dtype=np.int64)


def shingle_array(text: str) -> np.ndarray:
    """The sorted, distinct 64-bit hashes of the word 5-grams of a text (see shingles)."""
    if text.isascii():
        # NFKC leaves ASCII as it is and casefold() is lower() there, as is normalize(): these
        # are the words the content hash and the search tokens already cut from this text.
        words = folded_words(text)
    else:
        words = _folded_words(text)
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
            mixed = mixed * _M + h[k : k + n]
    return _sorted_distinct(mixed.view(np.int64))


def _folded_words(text: str) -> list[str]:
    """The words of a text folded for case, width and Arabic spelling (Han and kana characters
    one by one)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = _ARABIC_MARKS.sub("", folded)
        # str.translate looks every character up in a dict (about 20 ns each, 29 us for a
        # 1.4 kB article); the six letters it changes are found and replaced at C speed. The
        # same result: no replacement is itself replaced.
        for letter, plain in _ARABIC_LETTERS:
            if letter in folded:
                folded = folded.replace(letter, plain)
    return (_TOKEN if _ANY_HAN_KANA.search(folded) else _WORDS).findall(folded)


def _sorted_distinct(values: np.ndarray) -> np.ndarray:
    """np.unique of a non-empty array, without its general machinery (half the time here)."""
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


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


def remembered(content_hash: str) -> np.ndarray | None:
    with _recent_lock:
        found = _recent.get(content_hash)
        if found is not None:
            _recent.move_to_end(content_hash)
        return found


def cached_array(content_hash: str, body: str) -> np.ndarray:
    found = remembered(content_hash)
    if found is None:
        found = shingle_array(body)
        remember_shingles(content_hash, found)
    return found


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


def _near_duplicate_arrays(own: np.ndarray, other: np.ndarray) -> bool:
    """is_near_duplicate on shingle arrays (sorted, distinct): numpy counts what they share
    faster than Python sets of 64-bit integers would."""
    if not len(own) or not len(other):
        return False
    merged = np.concatenate((own, other))
    merged.sort()  # a shared value shows up twice, side by side (default kind: the fastest)
    common = int(np.count_nonzero(merged[1:] == merged[:-1]))
    return _decide(*_ratios(common, len(own), len(other)), min(len(own), len(other)))


@lru_cache(maxsize=4096)
def _entity_key(entity_id: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(f"entity:{entity_id}".encode(), digest_size=8).digest(), "big", signed=True
    )


def story_keys(tags: dict[str, str]) -> list[int]:
    return [_entity_key(e) for e, kind in tags.items() if kind in _SPECIFIC]


def _story_key(article_id: int) -> str:
    return f"s{article_id}"


def _weight(tags: dict[str, str]) -> float:
    return sum(WEIGHTS.get(kind, 1.0) for kind in tags.values())


def _fast_weighted_jaccard(
    a: dict[str, str], weight_a: float, b: dict[str, str], weight_b: float
) -> float:
    """Weighted Jaccard of two articles' entities (each counted with its type's weight), from
    the total weights of a and b (the weights are multiples of 0.5, so the sums are exact in any
    order)."""
    common = common_b = 0.0
    for e in a.keys() & b.keys():
        common += WEIGHTS.get(a[e], 1.0)
        common_b += WEIGHTS.get(b[e], 1.0)
    total = weight_a + weight_b - common_b
    return common / total if total else 0.0


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
        return story_keys(self.tags)


@dataclass
class Prefetched:
    """What the database knows that a batch's linking needs, read before the batch is written."""

    copies: dict["Pending", list[tuple[int, int]]]  # -> [(shared anchors, article id)]
    stories: dict["Pending", list[tuple[int, int]]]  # -> [(shared entity keys, article id)]
    duplicate_of: dict[int, int | None]  # of each copy candidate
    story_id: dict[int, str | None]  # of copy candidates, their originals and story candidates
    shingles: dict[int, np.ndarray]  # of copy candidates
    tags: dict[int, dict[str, str]]  # of story candidates
    backfill: dict[int, np.ndarray] = field(
        default_factory=dict
    )  # candidates without stored shingles


def link_batch(
    batch: Sequence[Pending],
    known: Prefetched,
    recent: Sequence[Pending] = (),
    recent_stories: dict[int, str] | None = None,
) -> dict[int, str]:
    """Link the articles of a batch in order, each seeing the ones before it.

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
    weight: dict[int, float] = {}  # article id -> _weight(its tags), worked out when needed

    def story_of(article_id: int) -> str | None:
        mine = by_id.get(article_id)
        if mine is not None:
            return mine.story_id
        return (
            earlier_stories.get(article_id)
            or overrides.get(article_id)
            or known.story_id.get(article_id)
        )

    def set_story(article_id: int, story: str) -> None:
        mine = by_id.get(article_id)
        if mine is not None:
            mine.story_id = story
        if mine is None or article_id in in_recent:
            earlier_stories[article_id] = story  # stored already: updated with this batch

    def index(i: int, p: Pending) -> None:
        # About twenty keys an article, twice per batch (as new, then as the recent batch):
        # plain lookups, no empty dict and list made for every key already there.
        day = p.day.toordinal()
        for key in p.keys:
            days = by_key.get(key)
            if days is None:
                by_key[key] = {day: [i]}
            else:
                same_day = days.get(day)
                if same_day is None:
                    days[day] = [i]
                else:
                    same_day.append(i)

    def in_memory(
        keys: list[int], day: int, window: int, min_shared: int, me: int
    ) -> dict[int, int]:
        """_candidates among the articles in memory: article id -> shared keys."""
        lo, hi = day - window, day + window
        near: set[int] | None = None  # the window's days, made for the first key of many days
        hits: list[list[int]] = []  # the articles of each (key, day in the window)
        for key in keys:
            days = by_key.get(key)
            if days is None:
                continue
            if len(days) <= 2:  # most keys: an article or two
                for d, indexes in days.items():
                    if lo <= d <= hi:
                        hits.append(indexes)
            else:  # a key of many days ("nvidia"): only the days of the window, found in C
                if near is None:
                    near = set(range(lo, hi + 1))
                hits += [days[d] for d in days.keys() & near]
        # Counted at C speed (Counter over one chained iterable), not a dict.get per article.
        shared = Counter(chain.from_iterable(hits))
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
            found = best(
                known.copies.get(p, []),
                in_memory(anchors, day, WINDOW_DAYS, MIN_SHARED_ANCHORS, i),
                CANDIDATES,
            )
            roots = []
            for a in found:
                mine = by_id.get(a)
                other = mine.shingles if mine is not None else known.shingles.get(a)
                if other is not None and _near_duplicate_arrays(p.shingles, other):
                    roots.append(
                        (mine.duplicate_of if mine is not None else known.duplicate_of.get(a)) or a
                    )
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
            found = best(
                known.stories.get(p, []),
                in_memory(entity_keys, day, STORY_DAYS, STORY_MIN_SHARED, i),
                STORY_CANDIDATES,
            )
            scored = []
            own_weight = weight.get(p.id)
            if own_weight is None:
                own_weight = weight[p.id] = _weight(p.tags)
            for a in found:
                mine = by_id.get(a)
                tags = mine.tags if mine is not None else known.tags.get(a)
                if tags:
                    other_weight = weight.get(a)
                    if other_weight is None:
                        other_weight = weight[a] = _weight(tags)
                    scored.append(
                        (_fast_weighted_jaccard(p.tags, own_weight, tags, other_weight), -a)
                    )
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
