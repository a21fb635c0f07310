"""What a text query means: its terms, and the entity names among them.

"Nvidia" typed in English is also an entity: the query then matches the word itself or any
article tagged nvidia, whatever language and spelling it used (إنفيديا, 英伟达). With
expand=False the query is only its words.
"""

from dataclasses import dataclass, field

from app.enrich.tagger import Tagger
from app.gazetteer import EntityDef
from app.text import term_groups


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
        clauses.extend(Clause((tuple(g),)) for g in term_groups(q[cursor:hit.start]))
        groups = tuple(tuple(g) for g in term_groups(q[hit.start:hit.end]))
        clauses.append(Clause(groups, tagger.gazetteer.entities[hit.entity_id]))
        cursor = hit.end
    clauses.extend(Clause((tuple(g),)) for g in term_groups(q[cursor:]))
    return QueryPlan(clauses)
