"""What a text query means: its terms, and the entity names among them.

"Nvidia" typed in English is also an entity: the query then matches the word itself or any
article tagged nvidia, whatever language and spelling it used (إنفيديا, 英伟达). With
expand=False the query is only its words.
"""

import re
from dataclasses import dataclass, field

from app.enrich.tagger import Tagger
from app.gazetteer import EntityDef
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
    """Matches when all groups match (each group: any of its tokens), or the entity is tagged."""

    groups: tuple[tuple[str, ...], ...]
    entity: EntityDef | None = None


@dataclass
class QueryPlan:
    clauses: list[Clause] = field(default_factory=list)

    @property
    def entities(self) -> list[EntityDef]:
        return [c.entity for c in self.clauses if c.entity]

    @property
    def tokens(self) -> list[str]:
        return [tok for c in self.clauses for g in c.groups for tok in g]

    def __bool__(self) -> bool:
        return bool(self.clauses)


def plan_query(q: str, tagger: Tagger, expand: bool = True) -> QueryPlan:
    q = q.strip()
    if not q:
        return QueryPlan()
    if not expand:
        return QueryPlan([Clause((tuple(g),)) for g in term_groups(q)])
    clauses: list[Clause] = []
    cursor = 0
    for hit in tagger.find(q):
        if hit.start < cursor:
            continue  # a second entity on the same span: the first one already covers the words
        clauses.extend(Clause((tuple(g),)) for g in term_groups(_drop_attached_clitic(q[cursor:hit.start])))
        groups = tuple(tuple(g) for g in term_groups(q[hit.start:hit.end]))
        clauses.append(Clause(groups, tagger.gazetteer.entities[hit.entity_id]))
        cursor = hit.end
    clauses.extend(Clause((tuple(g),)) for g in term_groups(q[cursor:]))
    return QueryPlan(clauses)
