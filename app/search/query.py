"""What a text query means: its terms, and the entity names among them.

"Nvidia" typed in English is also an entity: the query then matches the word itself or any
article tagged nvidia, whatever language and spelling it used (إنفيديا, 英伟达). With
expand=False the query is only its words.
"""

import re
from dataclasses import dataclass, field

from app.enrich.tagger import Tagger
from app.gazetteer import EntityDef
from app.search import concepts
from app.search.relevance import correct_typos, forced_words, is_stop_group, most, query_language
from app.text import ARABIC_PREFIXES, normalize, term_groups

_ARABIC_WORD_END = re.compile(r"[\u0621-\u064A\u064B-\u065F\u0640]+$")


def _drop_attached_clitic(gap: str) -> str:
    """Text before an entity hit, without an Arabic clitic written onto the name (the ل of لإنفيديا)."""
    match = _ARABIC_WORD_END.search(gap)
    if match and normalize(match.group()) in ARABIC_PREFIXES:
        return gap[:match.start()]
    return gap


@dataclass(frozen=True)
class Clause:
    """Matches when all groups match (each group: any of its tokens), or the entity is tagged.
    An entity of type "topic" is a concept (app/search/concepts.py): its tag is an index token."""

    groups: tuple[tuple[str, ...], ...]
    entity: EntityDef | None = None
    kind: str = "word"  # "word", "exact" (a name as typed), "phrase" (quoted, in order)
    text: str = ""  # as typed

    @property
    def is_topic(self) -> bool:
        return self.entity is not None and self.entity.type == "topic"


@dataclass
class QueryPlan:
    """clauses: all required. optional: rank only, and at least min_optional of them must
    match (app/search/relevance.py decides which is which)."""

    clauses: list[Clause] = field(default_factory=list)
    optional: list[Clause] = field(default_factory=list)
    min_optional: int = 0
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, read as)
    dropped: list[str] = field(default_factory=list)  # stop words left out
    language: str = "en"
    strict: bool = False

    def all_clauses(self) -> list[Clause]:
        return [*self.clauses, *self.optional]

    @property
    def entities(self) -> list[EntityDef]:
        seen: dict[str, EntityDef] = {}
        for c in self.all_clauses():
            if c.entity is not None and not c.is_topic:
                seen.setdefault(c.entity.id, c.entity)
        return list(seen.values())

    @property
    def concepts(self) -> list[EntityDef]:
        seen: dict[str, EntityDef] = {}
        for c in self.all_clauses():
            if c.is_topic:
                seen.setdefault(c.entity.id, c.entity)
        return list(seen.values())

    @property
    def tokens(self) -> list[str]:
        return [tok for c in self.all_clauses() for g in c.groups for tok in g]

    def __bool__(self) -> bool:
        return bool(self.clauses or self.optional)


def _hits(text: str, tagger: Tagger) -> list[tuple[int, int, EntityDef]]:
    """Entity and concept names in text, longest first where they overlap, entities before
    concepts on the same span."""
    found = [(h.start, h.end, 0, tagger.gazetteer.entities[h.entity_id]) for h in tagger.find(text)]
    topics = concepts.topics().entities
    found += [(h.start, h.end, 1, topics[h.entity_id]) for h in concepts.query_tagger().find(text)]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), f[2]))
    out, cursor = [], 0
    for start, end, _rank, entity in found:
        if start < cursor:
            continue  # a second name on the same span: the first one already covers the words
        out.append((start, end, entity))
        cursor = end
    return out


def _word_clauses(text: str, dropped: list[str]) -> list[Clause]:
    clauses = []
    for g in term_groups(text):
        if is_stop_group(g):
            dropped.append(g[0])
        else:
            clauses.append(Clause((tuple(g),), text=g[0]))
    return clauses


def plan_query(q: str, tagger: Tagger, expand: bool = True, match: str = "any",
               langs: tuple[str, ...] = (), known=None) -> QueryPlan:
    """The plan of a typed query: names, concepts and words, which decide and which rank.
    known(word) tells whether a word is in the index (a real word is never a typo)."""
    q = q.strip()
    if not q:
        return QueryPlan()
    q, forced = forced_words(q)
    plan = QueryPlan(language=query_language(q, langs), strict=match == "all")
    clauses: list[Clause] = []
    for quoted, text in _parts(q):
        if quoted:
            groups = tuple(tuple(g) for g in term_groups(text))
            if groups:
                # A quoted name ("Entity List") is still the name: its words as typed, or its
                # tag (قائمة الكيانات, 实体清单).
                hits = _hits(text, tagger) if expand else []
                whole = len(hits) == 1 and not text[:hits[0][0]].strip() and not text[hits[0][1]:].strip()
                clauses.append(Clause(groups, hits[0][2] if whole else None, "phrase", text))
            continue
        text, corrections = correct_typos(text, tagger, known)
        plan.corrections.extend(corrections)
        if not expand:
            clauses.extend(_word_clauses(text, plan.dropped))
            continue
        cursor = 0
        for start, end, entity in _hits(text, tagger):
            clauses.extend(_word_clauses(_drop_attached_clitic(text[cursor:start]), plan.dropped))
            groups = tuple(tuple(g) for g in term_groups(text[start:end]))
            clauses.append(Clause(groups, entity, "exact", text[start:end]))
            cursor = end
        clauses.extend(_word_clauses(text[cursor:], plan.dropped))
    if not clauses and plan.dropped:  # only stop words: search them rather than nothing
        plan.dropped = []
        clauses = [Clause((tuple(g),), text=g[0]) for g in term_groups(q)]
    _decide(plan, clauses, forced)
    return plan


def _parts(q: str) -> list[tuple[bool, str]]:
    """q split into (quoted?, text) parts; an unclosed quote is a plain quote character."""
    parts, last = [], 0
    for m in re.finditer(r'"([^"]*)"', normalize_quotes(q)):
        parts.append((False, q[last:m.start()]))
        parts.append((True, m.group(1)))
        last = m.end()
    parts.append((False, q[last:]))
    return [(quoted, text) for quoted, text in parts if text.strip()]


def normalize_quotes(q: str) -> str:
    return q.translate(str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "„": '"', "＂": '"'}))


def _decide(plan: QueryPlan, clauses: list[Clause], forced: set[str]) -> None:
    """Which clauses decide a hit and which only rank (see app/search/relevance.py)."""
    if plan.strict:
        plan.clauses = clauses
        return
    named = [c for c in clauses if c.entity is not None or c.kind == "phrase"
             or (c.groups and c.groups[0] and c.groups[0][0] in forced)]
    words = [c for c in clauses if c not in named]
    if named:
        plan.clauses, plan.optional, plan.min_optional = named, words, 0
    else:
        plan.clauses, plan.optional, plan.min_optional = [], words, most(len(words))
