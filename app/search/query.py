"""What a text query means: the query plan every search engine consumes.

The box's text is read by app.search.query_syntax (phrases, -exclusions, OR, parentheses,
prefixes, field:value) and turned here into a QueryPlan:

    QueryPlan
      clauses   [Node]  required: an article matches every one
      excluded  [Node]  an article matching any one is left out
      optional  [Node]  ranking only (app/search/relevance.py): at least min_optional of them
                        must match; more of them, and in the title, rank first
      filters   {facet: [entity id]}  company:/chip:/restriction:/region:/agency: fields,
                        applied exactly like the facet links (OR within one, AND across)
      notices   [str]   what was not taken as typed, and why (shown on the page)
      understood [str]  the query said back: "Nvidia", "not Huawei", "licen*: licence, ..."
      prefixes  {prefix: [words]}  words of the index a prefix stands for (filled by the
                        search service from the index vocabulary; engines without native
                        prefix search match these)
      rest      str     the query without the field terms that became filters

    Node = Clause | AnyOf | AllOf
      Clause(groups, entity, kind, text)  one term. groups: one per word position, each a
            tuple of interchangeable index tokens; all positions must match. kind:
              "word"    tokens are the word's forms (FORM_MARK + stem, app.wordforms) and
                        its folded surface: "export" matches exports, exporting
              "exact"   folded surface tokens (an entity's name as typed)
              "phrase"  folded surface tokens in this order, adjacent
              "prefix"  one group with one token: any index word starting with it
              "tag"     no words: only the entity's tag (a field inside OR or an exclusion)
            entity: an EntityDef, or None. A clause with an entity also matches any article
            tagged with it ("Nvidia" finds إنفيديا), unless expand=0.
      AnyOf(parts)            at least one part matches (OR)
      AtLeast(parts, names, k)  k of names (an AnyOf of the subsets of k names): the
                              places and topics beside a company, chip or restriction
      AllOf(parts, excluded)  every part and no excluded part (a parenthesised group)

Tokens are those of app.text.term_groups (folded, Arabic clitic-free forms, Han bigrams), so a
plan and an index can never disagree about folding.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field, replace

from app.enrich.tagger import Tagger
from app.gazetteer import EntityDef, Gazetteer
from app.search import concepts
from app.search import query_syntax as syn
from app.search.relevance import (
    correct_typos,
    forced_words,
    is_stop_group,
    join_model_numbers,
    most,
    query_language,
)
from app.search.restriction_topics import known_restrictions
from app.search.timeframe import TimeBounds, time_bounds
from app.text import ARABIC_LETTER, ARABIC_PREFIXES, HAN, normalize, normalize_with_map, term_groups
from app.wordforms import marked, query_forms

_ARABIC_WORD_END = re.compile(r"[\u0621-\u064A\u064B-\u065F\u0640]+$")
MIN_PREFIX = 3
_HIRAGANA = re.compile(r"[\u3041-\u309f]+")


def _drop_attached_clitic(gap: str) -> str:
    """Text before an entity hit, without an Arabic clitic written onto the name (the ل of لإنفيديا)."""
    match = _ARABIC_WORD_END.search(gap)
    if match and normalize(match.group()) in ARABIC_PREFIXES:
        return gap[: match.start()]
    return gap


@dataclass(frozen=True)
class Clause:
    """One term (see the module docstring)."""

    groups: tuple[tuple[str, ...], ...]
    entity: EntityDef | None = None
    kind: str = "exact"
    text: str = ""

    @property
    def is_topic(self) -> bool:
        """A topic concept (app/search/concepts.py): its tag is an index token, not a facet."""
        return self.entity is not None and self.entity.type == concepts.TOPIC


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]
    excluded: tuple[Node, ...] = ()


@dataclass(frozen=True)
class AtLeast(AnyOf):
    """k of several names or concepts: the places and topics a query names beside a company,
    chip or restriction. Its parts are the subsets of k of them, so every engine matches it as
    the OR of ANDs it is; names says them back."""

    names: tuple[Clause, ...] = ()
    k: int = 0
    wide: tuple[Widened, ...] = ()  # the names that stand for wider ones too


Node = Clause | AnyOf | AllOf


def leaves(nodes) -> list[Clause]:
    out: list[Clause] = []
    for node in nodes:
        if isinstance(node, Clause):
            out.append(node)
        elif isinstance(node, AnyOf):
            out.extend(leaves(node.parts))
        else:
            out.extend(leaves(node.parts))
            out.extend(leaves(node.excluded))
    return out


@dataclass
class QueryPlan:
    clauses: list[Node] = field(default_factory=list)
    excluded: list[Node] = field(default_factory=list)
    optional: list[Node] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    understood: list[str] = field(default_factory=list)
    prefixes: dict[str, list[str]] = field(default_factory=dict)
    # The query without the field terms that became filters (what the search box then
    # shows; the filters show as facet selections), or None when there were none.
    rest: str | None = None
    min_optional: int = 0
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, read as)
    dropped: list[str] = field(default_factory=list)  # stop words left out
    language: str = "en"  # the query's (app.search.relevance.query_language)
    strict: bool = False  # match=all: every word required
    # The time the query states ("in 2024", "since October 2022": app.search.timeframe),
    # applied as the from/to filters; its words are not searched.
    published: TimeBounds | None = None

    def all_clauses(self) -> list[Node]:
        return [*self.clauses, *self.optional]

    @property
    def entities(self) -> list[EntityDef]:
        """Entities whose tag the query matches (shown as expansions, highlighted)."""
        seen: dict[str, EntityDef] = {}
        for clause in leaves(self.clauses) + leaves(self.optional):
            if clause.entity is not None and clause.kind != "tag" and not clause.is_topic:
                seen.setdefault(clause.entity.id, clause.entity)
        return list(seen.values())

    @property
    def concepts(self) -> list[EntityDef]:
        """Topic concepts the query names (shown as expansions like entities)."""
        seen: dict[str, EntityDef] = {}
        for clause in leaves(self.clauses) + leaves(self.optional):
            if clause.is_topic and clause.entity is not None:  # (is_topic implies an entity)
                seen.setdefault(clause.entity.id, clause.entity)
        return list(seen.values())

    @property
    def relaxed(self) -> bool:
        """Ranked matching: optional words beside required names (see relevance.py)."""
        return bool(self.optional) and not self.strict

    @property
    def tokens(self) -> list[str]:
        """What snippets highlight: surface tokens, marked forms, and prefixes as "licen*"."""
        out: list[str] = []
        for clause in leaves(self.clauses) + leaves(self.optional):
            if clause.kind == "prefix":
                out.append(clause.groups[0][0] + "*")
            else:
                out.extend(tok for g in clause.groups for tok in g)
        return out

    @property
    def is_simple(self) -> bool:
        """Only required words and names: no OR, group, prefix, phrase or exclusion."""
        return (
            not self.excluded
            and not self.optional
            and all(isinstance(c, Clause) and c.kind in ("word", "exact") for c in self.clauses)
        )

    def __bool__(self) -> bool:
        return bool(self.clauses or self.excluded or self.optional)


# --- from syntax to plan ----------------------------------------------------------------------


class _Planner:
    def __init__(self, tagger: Tagger | None, expand: bool, langs: tuple[str, ...], known=None):
        self.tagger, self.expand, self.langs, self.known = tagger, expand, langs, known
        self.corrections: list[tuple[str, str]] = []
        self.dropped: list[str] = []
        self.notices: list[str] = []
        self.filters: dict[str, list[str]] = {}
        self.lifted: list[tuple[str, str]] = []  # the field terms that became filters

    # Words typed one after another are read together, so names of several words
    # ("Entity List", "Ascend 910C") are found as entities.
    # Names of entities and topic concepts are found the same way; a word one typo away from
    # a name is read as it (app/search/relevance.py); stop words are left out.
    def words(self, text: str) -> list[Clause]:
        if self.tagger is not None:
            text, corrections = correct_typos(text, self.tagger, self.known)
            self.corrections.extend(corrections)
        if not self.expand or self.tagger is None:
            return self.plain(text)
        clauses: list[Clause] = []
        cursor = 0
        for start, end, entity in _hits(text, self.tagger):
            clauses.extend(self.plain(_drop_attached_clitic(text[cursor:start])))
            groups = tuple(tuple(g) for g in term_groups(text[start:end]))
            clauses.append(Clause(groups, entity, "exact", text[start:end]))
            cursor = end
        clauses.extend(self.plain(text[cursor:]))
        return clauses

    def plain(self, text: str) -> list[Clause]:
        # Japanese writes particles, endings and question words in hiragana (の, は, なぜ,
        # になったのか): stop words, which would otherwise glue the words around them into one.
        self.dropped.extend(_HIRAGANA.findall(text))
        text = _HIRAGANA.sub(" ", text)
        out = []
        for g in term_groups(text):
            if is_stop_group(g):
                self.dropped.append(g[0])
            else:
                out.append(self.word_clause(g, text))
        return out

    def word_clause(self, group: list[str], text: str) -> Clause:
        forms: dict[str, None] = {}
        for tok in group:
            forms.update((marked(f), None) for f in query_forms(tok, self.langs))
        return Clause(((*dict.fromkeys(group), *forms),), None, "word", _surface(group, text))

    def phrase(self, text: str) -> list[Clause]:
        groups = tuple(tuple(g) for g in term_groups(text))
        if not groups:
            return []
        if len(groups) == 1:
            return self.words(text)  # a one-word phrase is that word, typed exactly
        # A quoted name ("Entity List") is still the name: its words in this order, or its
        # tag (قائمة الكيانات, 实体清单).
        hits = _hits(text, self.tagger) if self.expand and self.tagger is not None else []
        whole = len(hits) == 1 and not text[: hits[0][0]].strip() and not text[hits[0][1] :].strip()
        return [Clause(groups, hits[0][2] if whole else None, "phrase", text)]

    def prefix(self, text: str) -> list[Clause]:
        groups = term_groups(text)
        if len(groups) == 1 and len(groups[0]) >= 1:
            token = groups[0][0]
            if any(ch.isdigit() for ch in token):
                self.notices.append(
                    f"{text}*: a model number is never a prefix (H2* must not find "
                    f"H200); searched {text} as a word"
                )
            elif len(token) < MIN_PREFIX:
                self.notices.append(
                    f"{text}*: a prefix needs at least {MIN_PREFIX} letters; "
                    f"searched {text} as a word"
                )
            else:
                return [Clause(((token,),), None, "prefix", text)]
        elif groups:
            self.notices.append(f"{text}*: only a single word can be a prefix; searched as words")
        return self.words(text)

    def field(self, term: syn.FieldTerm, top_level: bool, negated: bool) -> list[Clause]:
        entity = self.find_entity(term.name, term.value)
        if entity is None:
            self.notices.append(
                f"{term.name}:{term.value}: no {term.name} of that name; searched as words"
            )
            return self.words(term.value)
        if top_level and not negated:
            self.lifted.append((term.name, term.value))
            values = self.filters.setdefault(term.name, [])
            if entity.id not in values:
                values.append(entity.id)
            return []
        return [Clause((), entity, "tag", f"{term.name}:{term.value}")]

    def find_entity(self, type_: str, value: str) -> EntityDef | None:
        if self.tagger is None:
            return None
        entities = self.tagger.gazetteer.entities
        slug = value.strip().lower()
        if slug in entities and entities[slug].type == type_:
            return entities[slug]
        folded = normalize(value).strip()
        for entity in entities.values():
            if entity.type == type_ and any(normalize(a) == folded for a in entity.all_aliases()):
                return entity
        for hit in self.tagger.find(value):
            entity = entities[hit.entity_id]
            if entity.type == type_:
                return entity
        return None

    # --- the tree ---
    def node(self, item, top_level: bool = False) -> list[Node]:
        """Required nodes for one syntax item (a run of words can make several)."""
        # (list(...): a list of Clauses, as the list of Nodes it is here)
        if isinstance(item, syn.Word):
            return list(self.prefix(item.text) if item.prefix else self.words(item.text))
        if isinstance(item, syn.Phrase):
            return list(self.phrase(item.text))
        if isinstance(item, syn.FieldTerm):
            return list(self.field(item, top_level, negated=False))
        if isinstance(item, syn.Or):
            parts = [p for p in (self.as_one(self.node(i)) for i in item.items) if p is not None]
            return [AnyOf(tuple(parts))] if len(parts) > 1 else parts
        if isinstance(item, syn.Group):
            required, excluded = self.group(item.items, top_level=False)
            if not required:
                return []
            if not excluded and len(required) == 1:
                return required
            return [AllOf(tuple(required), tuple(excluded))]
        raise TypeError(item)

    def negated(self, item) -> list[Node]:
        if isinstance(item, syn.FieldTerm):
            return list(self.field(item, top_level=False, negated=True))
        if isinstance(item, syn.Phrase):
            # An excluded phrase is the phrase as typed, not the concept it may name.
            groups = tuple(tuple(g) for g in term_groups(item.text))
            if len(groups) > 1:
                return [Clause(groups, None, "phrase", item.text)]
        return self.node(item)

    def as_one(self, nodes: list[Node]) -> Node | None:
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else AllOf(tuple(nodes))

    def group(self, items, top_level: bool) -> tuple[list[Node], list[Node]]:
        required: list[Node] = []
        excluded: list[Node] = []
        run: list[str] = []

        def flush():
            if run:
                required.extend(self.words(" ".join(run)))
                run.clear()

        for item in items:
            if isinstance(item, syn.Word) and not item.prefix:
                run.append(item.text)
                continue
            flush()
            if isinstance(item, syn.Not):
                node = self.as_one(self.negated(item.item))
                if node is not None:
                    excluded.append(node)
            else:
                required.extend(self.node(item, top_level))
        flush()
        return required, excluded


def _surface(group: list[str], text: str) -> str:
    """The word said back: its token, but Han characters as the reader typed them (輸出, not
    the simplified 输出 they fold to, which is what a Japanese or Taiwan reader did not write)."""
    token = group[0] if group else ""
    if not HAN.search(token):
        return token
    folded, index = normalize_with_map(text)
    at = folded.find(token)
    return text[index[at] : index[at + len(token) - 1] + 1] if at >= 0 else token


_SHORTENED: dict[str, Tagger] = {}
MIN_SHORTENED_WORDS = 3


def _shortened_tagger(tagger: Tagger) -> Tagger:
    """A query tagger for long names typed without their last word ("foreign direct product"
    for the foreign direct product rule, «الذاكرة عالية النطاق» for HBM): every name or concept
    alias of four words or more, less its last word, unless that leaves a stop word last."""
    key = tagger.gazetteer.version + concepts.topics().version
    cached = _SHORTENED.get(key)
    if cached is not None:
        return cached
    entities: dict[str, EntityDef] = {}
    for entity in [*tagger.gazetteer.entities.values(), *concepts.topics().entities.values()]:
        shortened: dict[str, list[str]] = {}
        for lang, names in entity.aliases.items():
            for alias in names:
                words = alias.split()
                if alias.endswith("*") or len(words) <= MIN_SHORTENED_WORDS:
                    continue
                last = term_groups(words[-2])
                if not last or is_stop_group(last[-1]):
                    continue
                shortened.setdefault(lang, []).append(" ".join(words[:-1]))
        if shortened:
            entities[entity.id] = replace(
                entity, name="", aliases=shortened, raw={**entity.raw, "_of": entity}
            )
    cached = _SHORTENED[key] = Tagger(Gazetteer(entities, {}, key), query=True)
    return cached


def _hits(text: str, tagger: Tagger) -> list[tuple[int, int, EntityDef]]:
    """Entity and topic-concept names in text, longest first where they overlap (an entity
    before a concept on the same span)."""
    found = [(h.start, h.end, 0, tagger.gazetteer.entities[h.entity_id]) for h in tagger.find(text)]
    topics = concepts.topics().entities
    found += [(h.start, h.end, 1, topics[h.entity_id]) for h in concepts.query_tagger().find(text)]
    shortened = _shortened_tagger(tagger)
    found += [
        (h.start, h.end, 2, shortened.gazetteer.entities[h.entity_id].raw["_of"])
        for h in shortened.find(text)
    ]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), f[2]))
    out, cursor = [], 0
    for start, end, _rank, entity in found:
        if start < cursor:
            continue  # a second name on the same span: the first one already covers the words
        out.append((start, end, entity))
        cursor = end
    return out


def plan_query(
    q: str,
    tagger: Tagger | None,
    expand: bool = True,
    langs: tuple[str, ...] = (),
    match: str = "any",
    known=None,
) -> QueryPlan:
    """The plan for a query typed by a reader (see the module docstring). match="all"
    requires every word; known(word) tells whether a word is in the index (a real word is
    never read as a typo)."""
    q = q.strip()
    if not q:
        return QueryPlan()
    bounds = None
    if match != "all" and '"' not in q:
        rest, bounds = time_bounds(q)
        if bounds is not None and rest:
            q = rest
        else:
            bounds = None  # a query that is only a time ("2024年") searches its words
    if tagger is not None:
        q = join_model_numbers(q, tagger)
    q_plain, forced = forced_words(q)
    parsed = syn.parse(q_plain)
    planner = _Planner(tagger, expand, langs, known)
    required, excluded = planner.group(parsed.query.items, top_level=True)
    if not required and not excluded and planner.dropped:
        # Only stop words: search them rather than nothing.
        planner.dropped = []
        required = [Clause((tuple(g),), None, "word", g[0]) for g in term_groups(q_plain)]
    plan = QueryPlan(
        required,
        excluded,
        [],
        planner.filters,
        [*parsed.notices, *planner.notices],
        corrections=planner.corrections,
        dropped=planner.dropped,
        language=query_language(q, langs),
        strict=match == "all",
    )
    _decide(plan, forced, tagger.gazetteer if tagger is not None else None)
    if planner.lifted:
        plan.rest = syn.without_fields(q, planner.lifted)
    plan.published = bounds
    plan.understood = describe(plan) + ([bounds.said()] if bounds is not None else [])
    return plan


# Which names decide a hit when a query has several kinds: the most specific kind present.
# An article about a company, a chip, a restriction or a country often does not name the
# agency that acted ("the Biden administration"): beside other names, agencies only rank.
# Places and topics beside a company, chip or restriction are how a question is worded
# ("when did the US ban H20 sales to China"), not all of them how an article is: one or
# two must all match, of three or more most must (AtLeast), and all of them rank.
_TIERS = (("company", "chip", "restriction"), ("topic", "region"), ("agency",))
SOFT_TIER = 1
# Concepts every article of the domain implies: beside any other name or concept they only
# rank ("Nvidia chips" is Nvidia, "europe chip export controls" is Europe and export controls:
# nearly every article of the corpus is about chips); alone they decide.
IMPLIED = frozenset({"topic-ai-chips"})
MAX_SUBSETS = 64  # AtLeast's subsets written out, at most this many (k lowered to fit)


def _decide(plan: QueryPlan, forced: set[str], gazetteer: Gazetteer | None = None) -> None:
    """Which terms decide a hit and which only rank (see app/search/relevance.py): phrases,
    operators, +words and names decide (agencies only when the query names nothing else);
    other words rank, and with nothing that decides, a hit needs most of the words."""
    if plan.strict:
        return

    # the chips and companies named: a concept beside them may name a restriction ("H20 ban",
    # "Micron ban")
    chips = tuple(
        c.entity.id
        for c in leaves(plan.clauses)
        if c.entity is not None and c.entity.type in ("chip", "company") and c.kind != "tag"
    )

    def _widened(node: Node) -> Node:
        return widened(node, gazetteer, chips)

    def tier(node: Node) -> int | None:
        """The name tier of a plain name clause (None: not a plain name)."""
        if isinstance(node, Clause) and node.kind == "exact" and node.entity is not None:
            return next((i for i, types in enumerate(_TIERS) if node.entity.type in types), None)
        return None

    def is_word(node: Node) -> bool:
        return (
            isinstance(node, Clause)
            and node.kind == "word"
            and node.entity is None
            and not (node.groups and node.groups[0] and node.groups[0][0] in forced)
        )

    def implied(node: Node) -> bool:
        return isinstance(node, Clause) and node.entity is not None and node.entity.id in IMPLIED

    tiers = [t for t in map(tier, plan.clauses) if t is not None]
    top = min(tiers) if tiers else None
    # Anything else that decides ("AI chips" alone still does).
    others = any(
        t <= SOFT_TIER and not implied(n)
        for n, t in zip(plan.clauses, map(tier, plan.clauses), strict=True)
        if t is not None
    )

    def ranks_only(node: Node) -> bool:
        t = tier(node)
        if is_word(node):
            return True
        if t == SOFT_TIER and implied(node) and others:
            return True
        # Places and topics beside a company or chip still decide (see _TIERS).
        return t is not None and t != top and not (top == 0 and t == SOFT_TIER)

    soft = [
        n
        for n in plan.clauses
        if isinstance(n, Clause)
        and top in (0, SOFT_TIER)
        and tier(n) == SOFT_TIER
        and not ranks_only(n)
    ]
    # one concept said twice ("gallium and germanium") is one of the names, not two
    soft = list({n.entity.id: n for n in soft[::-1] if n.entity is not None}.values())[::-1]
    if len(soft) < 3:
        soft = []
    if not soft and not any(ranks_only(n) for n in plan.clauses):
        named = [_widened(n) for n in plan.clauses]
        # A widened concept also ranks: an article that names it comes before the wider ones
        # (and the engines rank a plan with optional terms, not by date).
        plan.clauses = named
        plan.optional = [p for n in named if isinstance(n, Widened) for p in n.ranking()]
        return
    is_soft = {id(n) for n in soft}
    optional = [n for n in plan.clauses if ranks_only(n) or id(n) in is_soft]
    named = [_widened(n) for n in plan.clauses if not ranks_only(n) and id(n) not in is_soft]
    optional += [p for n in named if isinstance(n, Widened) for p in n.ranking()]
    if soft:
        at_least = _at_least(soft, gazetteer, chips)
        named.append(at_least)
        optional += [p for n in at_least.wide for p in n.ranking()[1:]]
    plan.clauses, plan.optional = named, optional
    # Field terms (company:huawei) decide like names do: they became filters.
    plan.min_optional = 0 if named or plan.filters else most(len(optional))


def _at_least(
    names: list[Clause], gazetteer: Gazetteer | None = None, chips: tuple[str, ...] = ()
) -> AtLeast:
    """Most of names (more than half), as the subsets of that many of them."""
    k = most(len(names))
    while k > 1 and math.comb(len(names), k) > MAX_SUBSETS:
        k -= 1
    wide = [widened(n, gazetteer, chips) for n in names]
    subsets = tuple(AllOf(tuple(c)) for c in itertools.combinations(wide, k))
    return AtLeast(subsets, tuple(names), k, tuple(w for w in wide if isinstance(w, Widened)))


@dataclass(frozen=True)
class Widened(AnyOf):
    """A concept or its wider ones (topics.json "also": a ban is, in the record, an export
    control or a licence requirement), or a region or the countries inside it (regions.json
    "within": Malaysia is in Southeast Asia); said back as the concept or region."""

    # restrictions called "<chip> <concept>" (app/search/restriction_topics.py): they rank
    # with the concept typed, the other wider ones after it
    named: tuple[Clause, ...] = ()

    @property
    def entity(self) -> EntityDef | None:
        """The concept typed (the wider ones are tags beside it)."""
        first = self.parts[0]
        return first.entity if isinstance(first, Clause) else None

    def ranking(self) -> list[Node]:
        """What ranks an article first: the concept typed and the restrictions it names."""
        return [self.parts[0], *self.named]


_MEMBERS: dict[str, dict[str, list[EntityDef]]] = {}


def region_members(gazetteer: Gazetteer) -> dict[str, list[EntityDef]]:
    """region id -> the regions inside it (their "within"), per gazetteer version."""
    cached = _MEMBERS.get(gazetteer.version)
    if cached is None:
        cached = {}
        for entity in gazetteer.entities.values():
            if entity.type == "region":
                for outer in entity.raw.get("within", ()):
                    cached.setdefault(outer, []).append(entity)
        _MEMBERS[gazetteer.version] = cached
    return cached


def widened(node: Node, gazetteer: Gazetteer | None = None, chips: tuple[str, ...] = ()) -> Node:
    """A clause that decides, with what also answers it as tags beside it: a topic's wider
    concepts ("also"), a region's countries (an article about Malaysia answers a question
    about Southeast Asia, though it may never say so; the articles that name the region
    still rank first, since the region's own clause also ranks)."""
    if not (isinstance(node, Clause) and node.entity is not None and node.kind != "tag"):
        return node
    if node.is_topic:
        topics = concepts.topics().entities
        wider = [topics[t] for t in node.entity.raw.get("also", ()) if t in topics]
        tags = [Clause((), w, "tag", concepts.topic_name(w)) for w in wider]
        named = tuple(
            Clause((), r, "tag", r.name) for r in known_restrictions(node.entity, chips, gazetteer)
        )
        if named:
            return Widened((node, *tags, *named), named)
    elif node.entity.type == "region" and gazetteer is not None:
        members = region_members(gazetteer).get(node.entity.id, [])
        tags = [Clause((), m, "tag", m.name) for m in members]
    else:
        tags = []
    return Widened((node, *tags)) if tags else node


# --- said back ----------------------------------------------------------------------------------


def _say(node: Node, prefixes: dict[str, list[str]]) -> str:
    if isinstance(node, AtLeast):
        return f"{node.k} of " + ", ".join(_say(n, prefixes) for n in node.names)
    if isinstance(node, Widened):
        # the restrictions it names are said with it: "ban or H20/MI308 License Requirement"
        return " or ".join([_say(node.parts[0], prefixes), *(c.text for c in node.named)])
    if isinstance(node, AnyOf):
        return " or ".join(_say(p, prefixes) for p in node.parts)
    if isinstance(node, AllOf):
        inner = " and ".join(_say(p, prefixes) for p in node.parts)
        inner += "".join(f", not {_say(e, prefixes)}" for e in node.excluded)
        return f"({inner})"
    if node.kind == "tag" and node.entity is not None:  # (a tag clause always names its entity)
        return f"{node.entity.name} (tagged)"
    if node.kind == "phrase":
        return f"“{node.text}”"
    if node.kind == "prefix":
        words = prefixes.get(node.groups[0][0])
        if words is None:
            return f"{node.text}*"
        shown = ", ".join(words[:8]) + (", …" if len(words) > 8 else "")
        return f"{node.text}*: {shown}" if words else f"{node.text}*: no word in the index"
    if node.entity is not None:
        return concepts.topic_name(node.entity) if node.is_topic else node.entity.name
    return node.text


def typed(node: Node) -> str:
    """A term as it was typed, near enough: a group's parts joined back with OR, brackets and
    minus signs (the JSON's `searched_as.required`/`optional`)."""
    if isinstance(node, AtLeast):
        return " ".join(typed(n) for n in node.names)
    if isinstance(node, Widened):
        return typed(node.parts[0])
    if isinstance(node, AnyOf):
        return " OR ".join(typed(p) for p in node.parts)
    if isinstance(node, AllOf):
        parts = [f"({typed(p)})" if isinstance(p, AnyOf) else typed(p) for p in node.parts]
        return "(" + " ".join(parts + [f"-{typed(e)}" for e in node.excluded]) + ")"
    return node.text or (node.entity.name if node.entity is not None else "")


def describe(plan: QueryPlan) -> list[str]:
    """The query said back, one item per term: "Nvidia", "not Huawei", "licen*: licence, ...";
    words that only rank are said in brackets."""
    said = [_say(node, plan.prefixes) for node in plan.clauses]
    # The names of "k of ..." rank too; they are said once, there.
    counted = [id(n) for node in plan.clauses if isinstance(node, AtLeast) for n in node.names]
    wide = [n for n in plan.clauses if isinstance(n, Widened)]
    wide += [w for n in plan.clauses if isinstance(n, AtLeast) for w in n.wide]
    counted += [id(p) for node in wide for p in node.ranking()]
    said += [f"({_say(node, plan.prefixes)})" for node in plan.optional if id(node) not in counted]
    said += [f"not {_say(node, plan.prefixes)}" for node in plan.excluded]
    return said


def prefix_clauses(plan: QueryPlan) -> list[Clause]:
    return [c for c in leaves(plan.clauses) + leaves(plan.excluded) if c.kind == "prefix"]


def is_arabic(token: str) -> bool:
    return bool(ARABIC_LETTER.match(token))
