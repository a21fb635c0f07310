"""The Meilisearch backend: index settings as code, documents, and queries built from a QueryPlan.

What Meilisearch cannot do on chipwatch's text on its own (see ENGINE-NOTES), chipwatch does
before a word reaches it, the same way for documents and for queries:

- Text is indexed as the tokens of app.text (`index_tokens`), the ones the database search
  holds: folded case and Arabic orthography, every clitic-free form of an Arabic word (so
  لإنفيديا and وهواوي are found by انفيديا and هواوي), and Han runs as bigrams. A query word
  is sent in the same form (an Arabic word as its shortest clitic-free form).
- Tokens in scripts written without spaces (Han, kana, Hangul, Thai...) are sent as opaque
  ASCII words (`cjk` + hex of the UTF-8): Meilisearch's language detection would segment
  the same characters differently in a document and in a query (Chinese or Japanese, and
  910C glued to 昇腾), an opaque word is always one word.
- Prefix search is disabled (H20 must never find H200). Tokens with a digit (model numbers)
  and opaque words live in `title_exact`/`body_exact`, word forms in `forms`: attributes
  without typos. Other words keep Meilisearch's typo tolerance.
- An entity clause of the plan ("Nvidia" typed by the reader, an entity of the gazetteer)
  becomes one exact opaque word that every article tagged with the entity carries in the
  `ents` attribute, so it matches إنفيديا and 英伟达 articles too; `ents_title` holds the
  entities named in the title, so those rank first. With expand=0 the plan has no entity
  clause and only title and body are searched.
- A ranked plan (app/search/relevance.py) is a filter that decides the hits (its names and
  concepts as facets, `topic` for concepts; with words only, most of them on `terms`) and a
  q that ranks them with the "last" strategy: the required tags (or EVERY) first, so every
  filtered article matches, then the optional names and words.
- Every filter of the contract is a Meilisearch filter (entity ids, language, source, day).

Meilisearch answers which ids, in what order, how many and the facet counts; titles,
snippets (with <mark>) and entity names are loaded from the database by the search service
(and kept in memory while a hit's `view` stamp says the index holds the same article), so both
engines render identically and no key or Meilisearch URL ever reaches a browser.
"""

import hashlib
import itertools
import logging
import re
import threading
import time
from collections.abc import Iterable
from datetime import date
from operator import itemgetter
from urllib.parse import urlsplit

import meilisearch
import orjson
import urllib3
from meilisearch.errors import MeilisearchApiError
from sqlalchemy.orm import Session

from app.config import Settings
from app.filters import ENTITY_PARAMS, Filters
from app.gazetteer import Gazetteer
from app.models import Article, as_utc
from app.search.article_cache import ArticleCache
from app.search.backend import FACET_LIMIT, FACETS, BackendResult
from app.search.concepts import topics_in
from app.search.counts_cache import Counts, CountsCache, counts_key
from app.search.database import _enough, title_entity_ids
from app.search.meili_http import MeiliHTTP
from app.search.periods import INTERVALS, bucket_start
from app.search.query import AllOf, AnyOf, Clause, Node, QueryPlan, is_arabic
from app.search.repository import search_version
from app.text import ARABIC_LETTER, index_tokens
from app.wordforms import FORM_MARK, document_forms

log = logging.getLogger("chipwatch.meili")

ENGINE = "meilisearch"
# Opaque words (scripts written without spaces, see encode_token) and words with digits (model
# numbers) are kept in attributes of their own where typos are off: one typo away from H200 is
# H2000, from an opaque word another word. So they can be optional words of a query too.
TEXT_ATTRIBUTES = ["title", "title_exact", "body", "body_exact"]
# Order matters: Meilisearch's "attribute" rule ranks earlier attributes first.
SEARCHABLE = ["ents_title", "title", "title_exact", "ents", "body", "body_exact", "forms"]
# published_week|month|year: the first day of the article's period (yyyymmdd), faceted for
# the timeline drawn above the results.
PERIOD_FIELDS = {interval: f"published_{interval}" for interval in INTERVALS}
# terms: every token, word form (f:) and entity tag (e:) of the article, for the query
# operators Meilisearch's q cannot express (OR, groups, prefixes): see build_plan_filter.
# restriction_reported / restriction_context: the restriction links of each role.
ROLE_FIELDS = {"reported": "restriction_reported", "context": "restriction_context"}
# id: has_note narrows to the viewer's noted articles by id (id_filter).
FILTERABLE = [
    "id",
    *ENTITY_PARAMS,
    "topic",
    "lang",
    "source",
    "listed",
    "list",
    "published_day",
    *PERIOD_FIELDS.values(),
    "terms",
    *ROLE_FIELDS.values(),
]
# Filtered with <, >=...: the date range. Every other attribute is only compared for equality
# (=, IN, EXISTS...) and counted as a facet. Meilisearch builds a tree of value groups (facet
# levels) for an attribute that may be compared or sorted, and counting a facet by count walks
# that tree from its top: every group's documents intersected with the candidates, then the
# values under each group that has some. Without the tree it intersects the values alone: a
# search page's 10 facets cost Meilisearch 17 % fewer instructions at 10,000 articles
# (bench/reports/meili11.md). The sortable attributes keep their tree (sorting walks it).
COMPARED = ["published_day"]
SORTABLE = ["published_ts", "id"]
MAX_TOTAL_HITS = 1_000_000  # page (<= 10,000) x per_page (<= 100): totals are always exact

SEARCH_TIMEOUT = 5.0  # seconds; a slower answer falls back to the database
ADMIN_TIMEOUT = 60
TASK_TIMEOUT_MS = 600_000
RETRY_AFTER_FAILURE = 5.0  # seconds during which searches go straight to the fallback
SETTINGS_TTL = 60.0  # seconds between checks that the live index has our settings

# The API key the app needs (tests create one with the master key; so can operators).
APP_KEY_ACTIONS = ["search", "documents.*", "indexes.*", "settings.*", "tasks.get"]


def _filterable(names: list[str], comparison: bool) -> dict:
    return {
        "attributePatterns": names,
        "features": {"facetSearch": False, "filter": {"equality": True, "comparison": comparison}},
    }


def filterable_attributes() -> list[dict]:
    """FILTERABLE as Meilisearch's granular rules: comparisons on COMPARED only, no facet search."""
    return [
        _filterable([name for name in FILTERABLE if name not in COMPARED], comparison=False),
        _filterable(COMPARED, comparison=True),
    ]


def index_settings() -> dict:
    """The index settings, as code: applied on start and to every rebuilt index."""
    return {
        "searchableAttributes": SEARCHABLE,
        # A hit is read for its id and view stamp only (everything shown comes from the
        # database). Meilisearch turns every displayed field of a hit into JSON before it picks
        # attributesToRetrieve, so with "*" each hit's body, terms and forms were converted and
        # dropped: about a quarter of its CPU per search page (bench/reports/page7.md). The
        # documents API still returns whole documents.
        "displayedAttributes": ["id", "view"],
        "filterableAttributes": filterable_attributes(),
        "sortableAttributes": SORTABLE,
        # "sort" first: newest/oldest are strict orders; without a sort it is a no-op and
        # relevance decides, with the publication date as the last tie-break.
        "rankingRules": [
            "sort",
            "words",
            "attribute",
            "typo",
            "proximity",
            "exactness",
            "published_ts:desc",
        ],
        "prefixSearch": "disabled",
        "typoTolerance": {
            "enabled": True,
            "disableOnNumbers": True,
            "disableOnAttributes": ["ents", "ents_title", "title_exact", "body_exact", "forms"],
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        },
        # Enough values for every month of a long timeline; entity facets are cut to FACET_LIMIT.
        "faceting": {"maxValuesPerFacet": 1000, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "facetSearch": False,
        "stopWords": [],
        "synonyms": {},
        "distinctAttribute": None,
    }


# --- tokens ---------------------------------------------------------------------------------

# Scripts from U+0800 on (Indic, Thai, CJK, Hangul...): Meilisearch segments them by its own
# language detection, differently in a document and in a query. Latin, Greek, Cyrillic,
# Hebrew and Arabic (below U+0800) are left to it, with typo tolerance.
_OPAQUE = re.compile(r"[^\u0000-\u07ff]")


def encode_token(token: str) -> str:
    """The word Meilisearch sees for one app.text token."""
    return "cjk" + token.encode().hex() if _OPAQUE.search(token) else token


def entity_token(entity_id: str) -> str:
    """The opaque word an article tagged with the entity carries (never typed by a reader)."""
    return "xent" + hashlib.blake2b(entity_id.encode(), digest_size=6).hexdigest()


TERM_FORM, TERM_ENTITY = "f:", "e:"  # namespaces in the terms attribute
# Every document's ents has this word: a ranked query of words only starts with it, so the
# "last" strategy keeps every article the filter lets through and the words only rank.
EVERY = "xeverydoc"


def _text(text: str) -> tuple[str, str]:
    """(the words typos may reach, the exact words: opaque ones and those with digits)."""
    plain: list[str] = []
    exact: list[str] = []
    for token in index_tokens(text):
        word = encode_token(token)
        (exact if word != token or any(ch.isdigit() for ch in token) else plain).append(word)
    return " ".join(plain), " ".join(exact)


def document(
    article: Article,
    tags: Iterable[tuple[str, str]],
    source_name: str | None,
    gazetteer: Gazetteer | None = None,
    lists: Iterable[str] = (),
    roles: dict[str, str] | None = None,
    view: str | None = None,
) -> dict:
    """The Meilisearch document of an article; tags are its (entity_id, entity_type) pairs,
    lists the export-control lists its companies were on at its date (app/lists/status.py),
    roles the role of each restriction link (reported or context), view the view_stamp of the
    article as a hit shows it (app/search/article_cache.py; neither searched nor filtered)."""
    tags = sorted(set(tags))
    published = as_utc(article.published_at)
    in_title = title_entity_ids(
        set(index_tokens(article.title)), [e for e, _type in tags], gazetteer
    )
    tokens = index_tokens(article.title + "\n" + article.body)
    forms = sorted(document_forms(tokens, article.lang))
    # Topic concepts (app/search/concepts.py) are tagged like entities, in the index only.
    topics = topics_in(article.title + "\n" + article.body)
    title_topics = topics_in(article.title)
    (title, title_exact), (body, body_exact) = _text(article.title), _text(article.body)
    doc: dict = {
        "id": article.id,
        "title": title,
        "title_exact": title_exact,
        "body": body,
        "body_exact": body_exact,
        "forms": " ".join(encode_token(f) for f in forms),
        "terms": sorted(set(tokens))
        + [TERM_FORM + f for f in forms]
        + [TERM_ENTITY + e for e, _type in tags]
        + [TERM_ENTITY + t for t in topics],
        "ents_title": " ".join(
            [entity_token(e) for e in in_title] + [entity_token(t) for t in title_topics]
        ),
        "ents": " ".join(
            [entity_token(e) for e, _type in tags] + [entity_token(t) for t in topics] + [EVERY]
        ),
        "topic": topics,
        "lang": article.lang,
        "source": source_name,
        "published_ts": int(published.timestamp()),
        "published_day": _day(published.date()),
    }
    for interval, name in PERIOD_FIELDS.items():
        doc[name] = _day(bucket_start(published.date(), interval))
    for facet in ENTITY_PARAMS:
        doc[facet] = [e for e, type_ in tags if type_ == facet]
    for role, field_name in ROLE_FIELDS.items():
        doc[field_name] = sorted(e for e, r in (roles or {}).items() if r == role)
    doc["list"] = sorted(set(lists))
    doc["listed"] = "yes" if doc["list"] else "no"
    if view is not None:
        doc["view"] = view
    return doc


# --- queries --------------------------------------------------------------------------------


def _query_word(group: tuple[str, ...], exact: bool = True) -> str:
    if ARABIC_LETTER.match(group[0]):
        # The shortest clitic-free form: every document word with that form carries it.
        token = min(group, key=len)
    else:
        token = group[0]
    word = encode_token(token)
    if exact and (word != token or any(ch.isdigit() for ch in token)):
        return f'"{word}"'  # a phrase: exact, and never dropped by a matching strategy
    return word  # (opaque words and model numbers are in attributes without typos anyway)


def _forms(clause: Clause) -> list[str]:
    return [t[len(FORM_MARK) :] for g in clause.groups for t in g if t.startswith(FORM_MARK)]


def native_query(plan: QueryPlan) -> bool:
    """Whether Meilisearch's own q matches the plan exactly as the database search does:
    required entity names only (exact opaque tags, ranked with the entity in the title
    first). Anything else is matched by a filter on the terms attribute (build_plan_filter),
    exactly as the database search matches it (the same tokens and forms), with top-level
    phrases in q for their word order; those results are ranked by date."""
    return (
        plan.is_simple
        and bool(plan.clauses)
        and all(isinstance(c, Clause) and c.entity is not None for c in plan.clauses)
    )


def typo_query(plan: QueryPlan) -> bool:
    """Whether a plan that matched nothing may be retried with Meilisearch's typo tolerance
    ("Nvidai" finds Nvidia): required words and names only, or (ranked) words only; no Arabic
    word (Meilisearch's own Arabic segmentation misses some words, e.g. قيود)."""
    if plan.relaxed and not plan.clauses and not plan.excluded:
        return all(
            isinstance(c, Clause) and c.kind == "word" and not _arabic(c) for c in plan.optional
        )
    return (
        plan.is_simple
        and bool(plan.clauses)
        and not native_query(plan)
        and all(c.entity is not None or not _arabic(c) for c in plan.clauses)
    )


def _surface_words(clause: Clause) -> list[str]:
    """A clause's words as typed (not its word forms), for q."""
    return [
        _query_word(tuple(t for t in g if not t.startswith(FORM_MARK)) or g, exact=False)
        for g in clause.groups
        if g
    ]


def ranked_query(plan: QueryPlan) -> tuple[str, bool]:
    """q of a ranked plan (plan.relaxed, see app/search/relevance.py): required names first as
    exact tags (every article the filter lets through has them: the "last" strategy, which
    drops words from the end, keeps them all), required phrases, then the names' words as
    typed (an article that writes them, in its title first, ranks higher), then the optional
    words. The filter (ranked_filter) decides what is a hit; the words rank."""
    required, named_words, optional, entities = [], [], [], False
    for node in plan.clauses:
        if not isinstance(node, Clause):
            continue  # OR and groups: matched by the filter
        if node.entity is not None and node.kind != "tag":
            required.append(f'"{entity_token(node.entity.id)}"')
            entities = True
            named_words.extend(_surface_words(node))
        elif _q_phrase(node):
            required.append(_phrase(node))
    for node in plan.optional:
        if isinstance(node, Clause) and node.entity is not None:
            optional.append(entity_token(node.entity.id))  # no typos on ents; may be dropped
            entities = True
        elif isinstance(node, Clause) and node.kind != "prefix":
            optional.extend(_surface_words(node))
    # "last" drops words from the end: names that only rank first, then the longer words
    # (likely the rarer ones: Meilisearch has no idea of a word's weight in this strategy).
    optional = list(dict.fromkeys(optional))
    optional.sort(key=lambda w: (not w.startswith("xent"), -len(w)))
    if not required:
        required, entities = [f'"{EVERY}"'], True
    return " ".join(required + optional + named_words), entities


def ranked_filter(plan: QueryPlan, typos: bool = False) -> list[str]:
    """Filters deciding the hits of a ranked plan: each required name or concept by its tag
    (a facet), anything else required or excluded as build_plan_filter matches it; with words
    only, most of them (exact tokens and word forms, as the database search; with typos, the
    retry after nothing matched, Meilisearch's q decides)."""
    out: list[str] = []
    if not plan.clauses and plan.optional and not typos:
        nodes = [_filter_node(n, plan.prefixes) for n in plan.optional]
        k = _enough(len(nodes), plan.min_optional)
        out.append(
            " OR ".join(
                "(" + " AND ".join(subset) + ")" for subset in itertools.combinations(nodes, k)
            )
        )
    for node in plan.clauses:
        entity = node.entity if isinstance(node, Clause) and node.kind != "tag" else None
        if entity is not None:
            field = "topic" if entity.type == "topic" else entity.type
            if field in (*ENTITY_PARAMS, "topic"):
                out.append(f"{field} = {_quote(entity.id)}")
                continue
        out.append(_filter_node(node, plan.prefixes))
    out += [f"NOT {_filter_node(node, plan.prefixes)}" for node in plan.excluded]
    return out


def matching_strategy(plan: QueryPlan, typos: bool = False) -> str:
    if not plan.relaxed:
        return "all"
    # Required names (or EVERY) first in q: every filtered article matches and the words
    # rank. The typo retry of words alone keeps the rarest words longest.
    return "frequency" if typos else "last"


def build_query(plan: QueryPlan, typos: bool = False) -> tuple[str, bool]:
    """The Meilisearch q for a plan, and whether it searches entity tags. With a plan that is
    not native_query(), q holds only its top-level phrases (word order) and the filter does
    the matching; with typos, the words as typed (see typo_query)."""
    if plan.relaxed and not typos:
        return ranked_query(plan)
    if plan.relaxed:  # the typo retry of words only (typo_query)
        return " ".join(w for c in plan.optional for w in _surface_words(c)), False
    words, entities = [], False
    if not native_query(plan) and not typos:
        for clause in plan.clauses:
            if _q_phrase(clause):
                words.append(_phrase(clause))
        words.extend("-" + _phrase(clause) for clause in plan.excluded if _q_phrase(clause))
        return " ".join(words), False
    for clause in plan.clauses:
        if clause.entity is not None:
            words.append(f'"{entity_token(clause.entity.id)}"')
            entities = True
        else:
            words.extend(_query_word((group[0],)) for group in clause.groups if group)
    return " ".join(words), entities


def _q_phrase(node: Node) -> bool:
    """A top-level phrase Meilisearch's q matches natively (word order; Arabic words are
    indexed with their clitic-free forms between them, so not those)."""
    # A quoted name ("Entity List") is also its tag: the filter matches both, q cannot.
    return (
        isinstance(node, Clause)
        and node.kind == "phrase"
        and not _arabic(node)
        and node.entity is None
    )


def _phrase(clause: Clause) -> str:
    return '"' + " ".join(encode_token(g[0]) for g in clause.groups) + '"'


def _arabic(clause: Clause) -> bool:
    return any(is_arabic(g[0]) for g in clause.groups)


_NEVER = "published_day = 0"


def _term(token: str) -> str:
    return TERM_FORM + token[len(FORM_MARK) :] if token.startswith(FORM_MARK) else token


def _filter_node(node: Node, prefixes: dict[str, list[str]]) -> str:
    if isinstance(node, AnyOf):
        return "(" + " OR ".join(_filter_node(p, prefixes) for p in node.parts) + ")"
    if isinstance(node, AllOf):
        parts = [_filter_node(p, prefixes) for p in node.parts]
        parts += [f"NOT {_filter_node(e, prefixes)}" for e in node.excluded]
        return "(" + " AND ".join(parts) + ")"
    if node.kind == "prefix":
        words = prefixes.get(node.groups[0][0], [])
        groups = [words] if words else []
        condition = f"terms IN [{', '.join(_quote(w) for w in words)}]" if words else _NEVER
    else:
        # A phrase is all of its words here (filters know no positions): emulated.
        groups = [[_term(t) for t in dict.fromkeys(g)] for g in node.groups]
        condition = " AND ".join(f"terms IN [{', '.join(_quote(t) for t in g)}]" for g in groups)
    alternatives = [f"({condition})"] if node.groups else []
    if node.entity is not None:
        alternatives.append(f"terms = {_quote(TERM_ENTITY + node.entity.id)}")
    return "(" + " OR ".join(alternatives) + ")"


def build_plan_filter(plan: QueryPlan) -> list[str]:
    """Filter clauses matching a plan that Meilisearch's q cannot (see native_query)."""
    if not plan or native_query(plan):
        return []
    clauses = [_filter_node(node, plan.prefixes) for node in plan.clauses]
    clauses += [
        f"NOT {_filter_node(node, plan.prefixes)}" for node in plan.excluded if not _q_phrase(node)
    ]  # those are -"phrases" in q
    return clauses


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _day(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _from_day(value: int) -> date:
    return date(value // 10000, value // 100 % 100, value % 100)


ID_CHUNK = 1000  # ids per IN [...] of an id filter


def id_filter(ids: frozenset[int]) -> str:
    """One filter clause for "id is one of these" (has_note): IN lists of ID_CHUNK ids OR-ed
    together; no id at all matches nothing (ids start at 1)."""
    if not ids:
        return "id = 0"
    ordered = sorted(ids)
    chunks = [ordered[i : i + ID_CHUNK] for i in range(0, len(ordered), ID_CHUNK)]
    return " OR ".join(f"id IN [{', '.join(map(str, chunk))}]" for chunk in chunks)


def build_filter(filters: Filters) -> list[str]:
    clauses = []
    for name in (*ENTITY_PARAMS, "lang", "source", "list"):
        values = getattr(filters, name)
        if values:
            clauses.append(f"{name} IN [{', '.join(_quote(v) for v in values)}]")
    if filters.role:
        field_name = ROLE_FIELDS[filters.role]
        clauses.append(
            f"{field_name} IN [{', '.join(_quote(v) for v in filters.restriction)}]"
            if filters.restriction
            else f"{field_name} IS NOT EMPTY"
        )
    if len(set(filters.listed)) == 1:  # yes and no together filter nothing
        # "no" as "not yes": a document indexed before list status existed has no field at all.
        clauses.append('listed = "yes"' if filters.listed[0] == "yes" else 'listed != "yes"')
    if filters.noted_ids is not None:
        clauses.append(id_filter(filters.noted_ids))
    if filters.date_from:
        clauses.append(f"published_day >= {_day(filters.date_from)}")
    if filters.date_to:
        clauses.append(f"published_day <= {_day(filters.date_to)}")
    return clauses


def search_request(
    filters: Filters,
    plan: QueryPlan,
    histogram: str | None = None,
    typos: bool = False,
    weeks: bool = False,
) -> dict:
    """The exact body chipwatch POSTs to /indexes/{uid}/search (benchmarks replay it); with
    histogram, the timeline's period counts come in the same answer (with weeks, the week
    counts too)."""
    q, entities = build_query(plan, typos)
    body: dict = {
        "q": q,
        "matchingStrategy": matching_strategy(plan, typos),
        "page": filters.page,
        "hitsPerPage": filters.per_page,
        # view: the stamp of the article as indexed (a kept view with that stamp is shown
        # without reading the database, app/search/article_cache.py)
        "attributesToRetrieve": ["id", "view"],
        "facets": facet_fields(filters)
        + ([PERIOD_FIELDS[histogram]] if histogram else [])
        + ([PERIOD_FIELDS["week"]] if weeks and histogram != "week" else []),
    }
    if q and not entities:
        # Phrases are matched in the text; a typo retry also in the word forms.
        body["attributesToSearchOn"] = [*TEXT_ATTRIBUTES, *(["forms"] if typos else [])]
    sort = filters.effective_sort
    if sort == "oldest":
        body["sort"] = ["published_ts:asc", "id:asc"]
    elif sort == "newest" or not q:
        body["sort"] = ["published_ts:desc", "id:desc"]
    if plan.relaxed:
        filter_ = build_filter(filters) + ranked_filter(plan, typos)
    else:
        filter_ = build_filter(filters) + ([] if typos else build_plan_filter(plan))
    if filter_:
        body["filter"] = filter_
    return body


def facet_fields(filters: Filters) -> list[str]:
    """The attributes counted for the facets: with one restriction_role asked for, the
    restriction facet counts that role's links (restriction_reported or restriction_context)."""
    return [
        ROLE_FIELDS[filters.role] if facet == "restriction" and filters.role else facet
        for facet in FACETS
    ]


def _facets(distribution: dict, filters: Filters | None = None) -> dict[str, list[tuple[str, int]]]:
    """Each facet's (value, count) pairs, most counted first, then by value (lang: all of them,
    the others: the first FACET_LIMIT)."""
    out = {}
    for facet, field_name in zip(FACETS, facet_fields(filters) if filters else FACETS):
        # By value, then by count, descending: a stable sort keeps equal counts in value order
        # (the order of sorting by (-count, value), with no Python key function per value).
        values = sorted(distribution.get(field_name, {}).items())
        values.sort(key=itemgetter(1), reverse=True)
        out[facet] = values if facet == "lang" else values[:FACET_LIMIT]
    return out


def _periods(result: dict, interval: str) -> dict[date, int] | None:
    counts = (result.get("facetDistribution") or {}).get(PERIOD_FIELDS[interval]) or {}
    if not counts and result.get("totalHits"):
        return None  # matches, but no period values: documents indexed before the fields existed
    return {_from_day(int(key)): n for key, n in counts.items()}


class _OneWrite:
    """A request's head and body sent in one write. http.client writes them apart, so
    Meilisearch is woken for the head, then again for the body: on a busy machine each wake-up
    waits its turn (measured on the 100,000-article index, load 14: a search's p50 5.8 -> 2.0
    ms and p95 21.5 -> 12.1 ms, client CPU 0.48 -> 0.36 ms)."""

    _holding: list[bytes] | None = None
    _pending = b""

    def endheaders(self, message_body=None, *, encode_chunked=False) -> None:
        self._holding = []
        try:
            super().endheaders(message_body, encode_chunked=encode_chunked)  # type: ignore[misc]
        finally:
            held, self._holding = self._holding, None
        self._pending = b"".join(held)

    def send(self, data) -> None:
        if self._holding is not None and isinstance(data, bytes):
            self._holding.append(data)
            return
        pending, self._pending = self._pending, b""
        if pending and isinstance(data, (bytes, bytearray, memoryview)):
            data, pending = pending + bytes(data), b""
        if pending:
            super().send(pending)  # type: ignore[misc]
        super().send(data)  # type: ignore[misc]

    def getresponse(self, *args, **kwargs):
        if self._pending:  # a request without a body: its head alone
            pending, self._pending = self._pending, b""
            super().send(pending)  # type: ignore[misc]
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _OneWriteHTTPConnection(_OneWrite, urllib3.connection.HTTPConnection):
    pass


class _OneWriteHTTPSConnection(_OneWrite, urllib3.connection.HTTPSConnection):
    pass


class MeiliUnavailable(RuntimeError):
    """Meilisearch did not answer (or failed recently): the caller falls back."""


class MeiliSearch:
    """A SearchBackend on a Meilisearch index (settings.meili_index)."""

    engine = ENGINE

    def __init__(self, settings: Settings, index: str | None = None):
        if not settings.meili_url:
            raise ValueError("CHIPWATCH_MEILI_URL is not set")
        self.url = settings.meili_url.rstrip("/")
        key = settings.meili_key.get_secret_value() if settings.meili_key else None
        self.index_uid = index or settings.meili_index
        # Admin work (settings, documents, tasks, swaps) goes through the official client;
        # searches through kept-alive connections shared by every thread (short timeout, a
        # search retried once on a dropped connection): app/search/meili_http.py on plain http,
        # a urllib3 pool on https (either about 0.3 ms less than httpx per search, which is a
        # tenth of Meilisearch's own time).
        # Uncompressed answers: Meilisearch streams a compressed answer in chunks, and on a
        # kept-alive connection the chunks meet Nagle's algorithm and the client's delayed ACK
        # (about 40 ms added to every answer over ~1 KB, i.e. every search with facets).
        self.client = meilisearch.Client(
            self.url, key, timeout=ADMIN_TIMEOUT, custom_headers={"Accept-Encoding": "identity"}
        )
        headers = {"Accept-Encoding": "identity"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        headers["Content-Type"] = "application/json"
        self._plain: MeiliHTTP | None = None
        self._http: urllib3.HTTPConnectionPool | None = None
        if urlsplit(self.url).scheme == "http":
            # Plain http (a Meilisearch beside the app): the lean client, about a third of a
            # repeated search's CPU in the web process less than urllib3 (bench/reports/api8.md).
            self._plain = MeiliHTTP(self.url, headers, SEARCH_TIMEOUT, maxsize=16)
        else:
            self._http = urllib3.connection_from_url(
                self.url,
                maxsize=16,
                block=False,
                headers=headers,
                timeout=urllib3.Timeout(SEARCH_TIMEOUT),
                retries=urllib3.Retry(
                    total=1,
                    connect=1,
                    read=1,
                    other=1,
                    status=0,
                    redirect=0,
                    allowed_methods=None,
                    raise_on_status=False,
                ),
            )
            self._http.ConnectionCls = (
                _OneWriteHTTPSConnection
                if self._http.scheme == "https"
                else _OneWriteHTTPConnection
            )
        self._down_until = 0.0
        self._checked: dict[str, float] = {}
        self.article_cache = ArticleCache()  # hits as shown, per stamp (or search version)
        self.counts = CountsCache()  # facet and period counts per search and search version
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never shows the key
        return f"MeiliSearch({self.url!r}, index={self.index_uid!r})"

    def close(self) -> None:
        if self._plain is not None:
            self._plain.close()
        if self._http is not None:
            self._http.close()

    def _request(
        self, method: str, path: str, body: bytes | None = None, timeout: float | None = None
    ) -> tuple[int, bytes]:
        """(status, body) of a request to Meilisearch (searches and health, not admin work)."""
        if self._plain is not None:
            return self._plain.request(method, path, body, timeout)
        assert self._http is not None
        response = self._http.urlopen(
            method, path, body=body, **({"timeout": timeout} if timeout is not None else {})
        )
        return response.status, response.data

    # --- health -----------------------------------------------------------------------------
    def healthy(self) -> bool:
        try:
            status, data = self._request("GET", "/health", timeout=2.0)
            ok = status == 200 and orjson.loads(data).get("status") == "available"
        except (urllib3.exceptions.HTTPError, OSError, ValueError):
            ok = False
        if ok:
            self._down_until = 0.0
        else:
            self._down_until = time.monotonic() + RETRY_AFTER_FAILURE
        return ok

    # --- index and settings -----------------------------------------------------------------
    def index_exists(self, uid: str | None = None) -> bool:
        try:
            self.client.get_raw_index(uid or self.index_uid)
            return True
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return False
            raise

    def ensure_index(self, uid: str | None = None, force: bool = False) -> None:
        """Create the index if needed and apply index_settings() when they differ (idempotent)."""
        uid = uid or self.index_uid
        with self._lock:
            if (
                not force
                and time.monotonic() - self._checked.get(uid, -SETTINGS_TTL) < SETTINGS_TTL
            ):
                return
            if not self.index_exists(uid):
                self.wait(self.client.create_index(uid, {"primaryKey": "id"}).task_uid)
            wanted = index_settings()
            current = self.client.index(uid).get_settings()
            if not _settings_match(wanted, current):
                log.info("applying Meilisearch settings to %s", uid)
                self.wait(self.client.index(uid).update_settings(wanted).task_uid)
            self._checked[uid] = time.monotonic()

    def forget(self, uid: str | None = None) -> None:
        self._checked.pop(uid or self.index_uid, None)

    # --- documents --------------------------------------------------------------------------
    def upsert(self, docs: list[dict], uid: str | None = None) -> int:
        """Enqueue documents (replacing any with the same id); returns the task uid.

        Sent as UTF-8 JSON (orjson), not as the client's json.dumps, which writes every letter
        outside ASCII as a \\uXXXX escape: Meilisearch keeps each field's JSON as it came and
        parses every field of a document for each hit it returns, escapes and all (whatever
        attributesToRetrieve asks), so an escaped Arabic, Chinese or Russian article cost more
        per hit, and a third more bytes (bench/reports/meili11.md)."""
        return (
            self.client.index(uid or self.index_uid)
            .add_documents_raw(
                orjson.dumps(docs), primary_key="id", content_type="application/json"
            )
            .task_uid
        )

    def delete(self, ids: list[int], uid: str | None = None) -> int:
        # POST .../documents/delete-batch (the client's ids= form warns it is deprecated).
        task = self.client.http.post(f"indexes/{uid or self.index_uid}/documents/delete-batch", ids)
        return int(task["taskUid"])

    def wait(self, *task_uids: int) -> None:
        """Wait for tasks; raise if any did not succeed."""
        for task_uid in task_uids:
            task = self.client.wait_for_task(
                task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=20
            )
            if task.status != "succeeded":
                raise RuntimeError(f"Meilisearch task {task_uid} {task.status}: {task.error}")

    def document_count(self, uid: str | None = None) -> int:
        # documents.get, not stats.get: the app's key has only the actions it needs.
        return int(
            self.client.index(uid or self.index_uid)
            .get_documents({"limit": 1, "fields": ["id"]})
            .total
        )

    def document_ids(self, uid: str | None = None) -> list[int]:
        """Every document id in the index (tests and checks; pages through all of them)."""
        out, offset = [], 0
        while True:
            page = self.client.index(uid or self.index_uid).get_documents(
                {"fields": ["id"], "limit": 1000, "offset": offset}
            )
            out.extend(int(d.id) for d in page.results)
            offset += len(page.results)
            if offset >= page.total or not page.results:
                return out

    # --- search -----------------------------------------------------------------------------
    def raw_search(self, body: dict, uid: str | None = None) -> dict:
        if time.monotonic() < self._down_until:
            raise MeiliUnavailable("Meilisearch failed recently; retrying shortly")
        path = f"/indexes/{uid or self.index_uid}/search"
        try:
            status, data = self._request("POST", path, orjson.dumps(body))
            answer = orjson.loads(data)
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            self._down_until = time.monotonic() + RETRY_AFTER_FAILURE
            raise MeiliUnavailable(f"Meilisearch unreachable: {type(exc).__name__}") from exc
        if status != 200:
            if status >= 500:
                self._down_until = time.monotonic() + RETRY_AFTER_FAILURE
            detail = answer.get("code", "") if isinstance(answer, dict) else ""
            raise MeiliUnavailable(f"Meilisearch answered {status} {detail}")
        return answer

    def stale_documents(self, uid: str | None = None) -> bool:
        """Whether the index holds documents written before the terms attribute (word forms,
        query operators) existed: they need a rebuild."""
        answer = self.raw_search(
            {"q": "", "filter": "terms NOT EXISTS", "hitsPerPage": 0, "page": 1}, uid
        )
        return bool(answer.get("totalHits"))

    def search(
        self,
        session: Session,
        filters: Filters,
        plan: QueryPlan,
        histogram: str | None = None,
        reuse_counts: bool = False,
        weeks: bool = False,
    ) -> BackendResult:
        """reuse_counts: take the facet and period counts kept for the same search (another
        page, page size or sort of it) at the same search version, and ask Meilisearch for
        the hits alone (app/search/counts_cache.py). weeks: the week counts too, in the same
        request (BackendResult.weeks)."""
        version = search_version(session) if reuse_counts else None
        weeks = weeks and histogram is not None
        body = search_request(filters, plan, histogram, weeks=weeks)
        result, counts = self._counted(body, filters, histogram, version, weeks)
        if not result.get("totalHits") and typo_query(plan):
            body = search_request(filters, plan, histogram, typos=True, weeks=weeks)
            result, counts = self._counted(body, filters, histogram, version, weeks)
        hits = result.get("hits", [])
        return BackendResult(
            [int(hit["id"]) for hit in hits],
            int(result.get("totalHits", 0)),
            counts.facets,
            counts.periods if histogram else None,
            stamps=[hit.get("view") for hit in hits],
            weeks=counts.weeks,
        )

    def _counted(
        self,
        body: dict,
        filters: Filters,
        histogram: str | None,
        version: int | None,
        weeks: bool = False,
    ) -> tuple[dict, Counts]:
        """Meilisearch's answer to body and its counts: those kept for it when there are, and
        then the answer holds the hits alone."""
        key = None if version is None else counts_key(version, self.index_uid, body)
        kept = None if key is None else self.counts.get(key)
        if kept is not None:
            return self.raw_search({k: v for k, v in body.items() if k != "facets"}), kept
        result = self.raw_search(body)
        counts = Counts(
            _facets(result.get("facetDistribution") or {}, filters),
            _periods(result, histogram) if histogram else None,
            _periods(result, "week") if weeks else None,
        )
        if key is not None:
            self.counts.keep(key, counts)
        return result, counts

    def histogram(
        self, session: Session, filters: Filters, plan: QueryPlan, interval: str
    ) -> dict[date, int] | None:
        """Period counts alone (None: the index predates the period fields; ask the database)."""
        result = None
        for typos in (False, True):
            if typos and (result.get("totalHits") or not typo_query(plan)):
                break
            body = {
                **search_request(filters, plan, typos=typos),
                "hitsPerPage": 0,
                "page": 1,
                "facets": [PERIOD_FIELDS[interval]],
            }
            body.pop("sort", None)
            result = self.raw_search(body)
        return _periods(result, interval)


ORDERED_SETTINGS = ("searchableAttributes", "rankingRules")


def _settings_match(wanted, current, key: str = "") -> bool:
    """Whether current (Meilisearch's full settings) has every value of wanted."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(
            _settings_match(value, current.get(k), k) for k, value in wanted.items()
        )
    if isinstance(wanted, list) and isinstance(current, list) and key not in ORDERED_SETTINGS:
        return sorted(map(_unordered, wanted)) == sorted(map(_unordered, current))
    return wanted == current


def _unordered(value) -> str:
    """A setting's list item as a comparable string: a rule (filterableAttributes) as JSON with
    its keys and its lists sorted, anything else as str()."""
    if isinstance(value, dict):
        return orjson.dumps(_sorted_lists(value), option=orjson.OPT_SORT_KEYS).decode()
    return str(value)


def _sorted_lists(value):
    if isinstance(value, dict):
        return {k: _sorted_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_sorted_lists(v) for v in value), key=_unordered)
    return value


def create_app_key(
    master: meilisearch.Client, indexes: list[str] = ("*",), description: str = "chipwatch app"
) -> str:
    """A key limited to the actions the app needs. Keep indexes ["*"] for rebuilds: an index
    swap is a task without an index uid, invisible to a key limited to index patterns."""
    key = master.create_key(
        {
            "description": description,
            "actions": APP_KEY_ACTIONS,
            "indexes": list(indexes),
            "expiresAt": None,
        }
    )
    return key.key
