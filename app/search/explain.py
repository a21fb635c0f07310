"""What the search page says about a query: how it was searched, what was not found, and what
to try when nothing matched."""

from sqlalchemy.orm import Session

from app.gazetteer import EntityDef
from app.search.concepts import topic_token
from app.search.database import search_text
from app.search.query import Clause, QueryPlan
from app.search.relevance import suggestions
from app.search.repository import tagged_entity_ids, titles_and_bodies
from app.text import normalize

SHOWN_ALIASES = 3


def explainer_aliases(entity: EntityDef, language: str) -> list[str]:
    """An entity's or concept's aliases for "searched as": the query's language first, each
    spelling once (folded), without stem marks."""
    ordered = [
        *entity.aliases.get(language, ()),
        *(a for lang, names in entity.aliases.items() if lang != language for a in names),
    ]
    if entity.type != "topic":
        ordered.insert(
            0 if language == "en" else len(entity.aliases.get(language, ())), entity.name
        )
    seen: dict[str, str] = {}
    for alias in ordered:
        shown = alias.rstrip("*")
        seen.setdefault(normalize(shown), shown)
    return list(seen.values())


def relax(plan: QueryPlan) -> QueryPlan | None:
    """The plan of the best partial matches: any of the query's terms, ranked by how many
    match (None when there is nothing to relax: one term only)."""
    clauses = plan.all_clauses()
    if len(clauses) < 2 or not all(isinstance(c, Clause) for c in clauses):
        return None
    return QueryPlan(
        clauses=[],
        excluded=plan.excluded,
        optional=clauses,
        min_optional=1,
        filters=plan.filters,
        notices=plan.notices,
        understood=plan.understood,
        prefixes=plan.prefixes,
        rest=plan.rest,
        corrections=plan.corrections,
        dropped=plan.dropped,
        language=plan.language,
    )


def _matches(clause: Clause, tokens: set[str], entity_ids: set[str]) -> bool:
    if clause.kind == "prefix":
        return any(t.startswith(clause.groups[0][0]) for t in tokens)
    if clause.entity is not None:
        if clause.entity.type == "topic":
            if topic_token(clause.entity.id) in tokens:
                return True
        elif clause.entity.id in entity_ids:
            return True
    return bool(clause.groups) and all(tokens.intersection(g) for g in clause.groups)


def missing_terms(session: Session, plan: QueryPlan, ids: list[int]) -> list[str]:
    """The query's terms that none of the shown articles has (read from the database, no
    search engine request)."""
    if not ids:
        return []
    rows = titles_and_bodies(session, ids)
    tokens: set[str] = set()
    for _id, title, body in rows:
        tokens.update(search_text(title, body, None).split(" "))
    entity_ids = tagged_entity_ids(session, ids)
    clauses = [
        c for c in plan.all_clauses() if isinstance(c, Clause)
    ]  # a relaxed plan's: all (relax)
    return [
        c.text or " ".join(g[0] for g in c.groups)
        for c in clauses
        if not _matches(c, tokens, entity_ids)
    ]


def did_you_mean(q: str, tagger) -> list[str]:
    return suggestions(q, tagger)
