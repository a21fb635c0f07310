"""The built-in search: FTS5 on SQLite, a GIN-indexed token array on PostgreSQL.

Both hold tokens made by app.text (folded words, Arabic clitic-free forms, Han bigrams) and
the ids of the article's entities, written in the same transaction as the article (their rows
and SQL: app/search/repository.py).
"""

import itertools
import json
import math
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    any_,
    case,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.filters import Filters
from app.models import Article, ArticleEntity, ArticleList, Source
from app.search.backend import FACET_LIMIT, BackendResult
from app.search.concepts import topic_token
from app.search.documents import (  # noqa: F401  (search_text, title_entity_ids: importers of this module)
    ENTITY_TOKEN,
    TITLE_ENTITY,
    TITLE_MARK,
    fts_entity,
    search_text,
    title_entity_ids,
)
from app.search.periods import bucket_start
from app.search.query import AllOf, AnyOf, Clause, Node, QueryPlan, is_arabic, leaves
from app.search.repository import (  # noqa: F401  (rewrite_search_rows: the word-forms migration)
    fts_excluded,
    fts_has,
    fts_matches,
    pg_table,
    prefix_words,
    rewrite_search_rows,
)


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts_any(tokens) -> str:
    return "(" + " OR ".join(f"text : {_fts_quote(t)}" for t in tokens) + ")"


def _fts_phrase(clause: Clause) -> str:
    if any(is_arabic(g[0]) for g in clause.groups):
        # Arabic words are indexed with their clitic-free forms after them, so the words of
        # a phrase are near each other rather than adjacent: the shortest form of each, close.
        words = " ".join(_fts_quote(min(g, key=len)) for g in clause.groups)
        return f"text : NEAR({words}, {2 * len(clause.groups)})"
    return "text : " + _fts_quote(" ".join(g[0] for g in clause.groups))


def _fts_node(node: Node) -> str:
    if isinstance(node, AnyOf):
        return "(" + " OR ".join(_fts_node(p) for p in node.parts) + ")"
    if isinstance(node, AllOf):
        expr = "(" + " AND ".join(_fts_node(p) for p in node.parts) + ")"
        for excluded in node.excluded:
            expr = f"({expr} NOT {_fts_node(excluded)})"
        return expr
    if node.kind == "phrase":
        words = _fts_phrase(node)
    elif node.kind == "prefix":
        words = f"text : {_fts_quote(node.groups[0][0])} *"
    else:
        words = " AND ".join(_fts_any(group) for group in node.groups)
    alternatives = [f"({words})"] if node.groups else []
    if node.is_topic and node.entity is not None:  # (is_topic implies an entity)
        alternatives.append(f"text : {_fts_quote(topic_token(node.entity.id))}")
    elif node.entity is not None:
        alternatives.append(f"ents : {_fts_quote(fts_entity(node.entity.id))}")
        if node.kind != "tag":  # ranks an article that names the entity in its title first
            alternatives.append(f"ents : {_fts_quote(TITLE_ENTITY + fts_entity(node.entity.id))}")
    return "(" + " OR ".join(alternatives) + ")"


MAX_COMBINATIONS = 64  # "most of the words" as an OR of AND-ed subsets, at most this many


def _enough(n: int, k: int) -> int:
    """k, lowered until the subsets of k among n are few enough to write out."""
    while k > 1 and math.comb(n, k) > MAX_COMBINATIONS:
        k -= 1
    return max(k, 1)


def fts_expression(plan: QueryPlan) -> str:
    """The FTS5 MATCH expression: every required node and enough optional ones ("" when
    there is none). Optional words always appear in it, so bm25() ranks an article by all
    the query's terms it has (a title word counts twice, see search_text)."""
    required = " AND ".join(_fts_node(node) for node in plan.clauses)
    optional = [_fts_node(node) for node in plan.optional]
    if not optional:
        return required
    if required:
        return f"{required} AND ({' OR '.join([*optional, required])})"
    k = _enough(len(optional), plan.min_optional)
    if k <= 1:
        return " OR ".join(optional)
    return " OR ".join(
        "(" + " AND ".join(subset) + ")" for subset in itertools.combinations(optional, k)
    )


def fts_exclusion(plan: QueryPlan) -> str:
    return " OR ".join(_fts_node(node) for node in plan.excluded)


def _fts_params(plan: QueryPlan) -> dict:
    params = {}
    if plan.clauses or plan.optional:
        params["match"] = fts_expression(plan)
    if plan.excluded:
        params["exclude"] = fts_exclusion(plan)
    return params


def _text_array(values) -> object:
    return literal(list(values), postgresql.ARRAY(Text))


def _pg_node(node: Node, prefixes: dict[str, list[str]]):
    tokens = pg_table.c.tokens
    if isinstance(node, AnyOf):
        return or_(*(_pg_node(p, prefixes) for p in node.parts))
    if isinstance(node, AllOf):
        return and_(
            *(_pg_node(p, prefixes) for p in node.parts),
            *(not_(_pg_node(e, prefixes)) for e in node.excluded),
        )
    if node.kind == "prefix":
        # A token array has no prefix search: the words of the index that start with it.
        words = prefixes.get(node.groups[0][0], [])
        condition = tokens.overlap(_text_array(words)) if words else false()
    else:
        # A phrase is all of its words here (the array keeps no positions): emulated. A name
        # or concept matched by its tag alone has no words (true() keeps and_ from being empty).
        condition = and_(true(), *(tokens.overlap(_text_array(g)) for g in node.groups))
    if node.is_topic and node.entity is not None:  # (is_topic implies an entity)
        tag = tokens.overlap(_text_array([topic_token(node.entity.id)]))
        return or_(condition, tag) if node.groups else tag
    if node.entity is not None:
        tag = tokens.contains(_text_array([ENTITY_TOKEN + node.entity.id]))
        return or_(condition, tag) if node.groups else tag
    return condition


def _as_int(condition):
    return case((condition, 1), else_=0)


def _pg_match(plan: QueryPlan):
    """(condition, rank) on the token array: every required node and enough optional ones;
    the rank counts the terms an article matches, and again those in its title."""
    tokens = pg_table.c.tokens
    conditions = [_pg_node(n, plan.prefixes) for n in plan.clauses]
    optional = [_as_int(_pg_node(n, plan.prefixes)) for n in plan.optional]
    if optional and plan.min_optional:
        conditions.append(sum(optional[1:], optional[0]) >= plan.min_optional)
    rank = [_as_int(_pg_node(n, plan.prefixes)) for n in plan.clauses] + optional
    for clause in leaves(plan.clauses) + leaves(plan.optional):
        if clause.kind == "prefix":
            continue
        if clause.entity is not None and clause.groups:
            # A name matched by its words as typed, not only by its tag, ranks higher.
            rank.append(_as_int(and_(*(tokens.overlap(_text_array(g)) for g in clause.groups))))
        in_title = (
            [
                and_(
                    *(
                        tokens.overlap(_text_array([TITLE_MARK + t for t in g]))
                        for g in clause.groups
                    )
                )
            ]
            if clause.groups
            else []
        )
        if clause.is_topic and clause.entity is not None:  # (is_topic implies an entity)
            in_title.append(
                tokens.overlap(_text_array([TITLE_MARK + topic_token(clause.entity.id)]))
            )
        elif clause.entity is not None:
            in_title.append(
                tokens.overlap(_text_array([TITLE_MARK + ENTITY_TOKEN + clause.entity.id]))
            )
        if in_title:
            rank.append(_as_int(or_(*in_title)))
    return and_(true(), *conditions), (sum(rank[1:], rank[0]) if rank else literal(0))


def _pg_condition(plan: QueryPlan, nodes: list[Node]):
    nodes_match = (_pg_node(n, plan.prefixes) for n in nodes)
    return select(pg_table.c.article_id).where(and_(true(), *nodes_match))


def _pg_any(plan: QueryPlan, nodes: list[Node]):
    return select(pg_table.c.article_id).where(or_(*(_pg_node(n, plan.prefixes) for n in nodes)))


def word_in_index(session: Session, token: str) -> bool:
    """Whether some article has this (folded) word: one index lookup."""
    if session.get_bind().dialect.name == "sqlite":
        return fts_has(session, f"text : {_fts_quote(token)}")
    return (
        session.execute(
            select(pg_table.c.article_id)
            .where(pg_table.c.tokens.contains(_text_array([token])))
            .limit(1)
        ).first()
        is not None
    )


class DatabaseSearch:
    """Search inside the database itself: the embedded default."""

    def __init__(self, dialect: str):
        self.engine = "sqlite" if dialect == "sqlite" else "postgresql"

    def healthy(self) -> bool:
        return True

    def _matching(
        self, filters: Filters, plan: QueryPlan
    ) -> tuple[Select, ColumnElement[Any] | None]:
        """Ids of the matching articles, and a rank expression when ranking by relevance."""
        stmt = select(Article.id).where(Article.duplicate_of.is_(None))
        rank = None
        if plan:
            if self.engine == "sqlite" and plan.excluded:
                stmt = stmt.where(Article.id.not_in(fts_excluded()))
            if self.engine == "sqlite" and (plan.clauses or plan.optional):
                fts = fts_matches()
                stmt = stmt.join(fts, fts.c.rid == Article.id)
                rank = fts.c.rank
            elif self.engine != "sqlite":
                if plan.clauses or plan.optional:
                    condition, pg_rank = _pg_match(plan)
                    stmt = stmt.join(pg_table, pg_table.c.article_id == Article.id).where(condition)
                    rank = -pg_rank
                if plan.excluded:
                    stmt = stmt.where(Article.id.not_in(_pg_any(plan, plan.excluded)))
        for values in filters.entity_filters().values():
            stmt = stmt.where(
                Article.id.in_(
                    select(ArticleEntity.article_id).where(ArticleEntity.entity_id.in_(values))
                )
            )
        if filters.role:
            linked = select(ArticleEntity.article_id).where(
                ArticleEntity.entity_type == "restriction", ArticleEntity.role == filters.role
            )
            if filters.restriction:
                linked = linked.where(ArticleEntity.entity_id.in_(filters.restriction))
            stmt = stmt.where(Article.id.in_(linked))
        if filters.lang:
            stmt = stmt.where(Article.lang.in_(filters.lang))
        if filters.source:
            stmt = stmt.where(
                Article.source_id.in_(select(Source.id).where(Source.name.in_(filters.source)))
            )
        if filters.date_from:
            stmt = stmt.where(func.date(Article.published_at) >= filters.date_from)
        if filters.date_to:
            stmt = stmt.where(func.date(Article.published_at) <= filters.date_to)
        # Export-control list status at the article's date (app/lists/status.py writes it).
        if set(filters.listed) == {"yes"}:
            stmt = stmt.where(Article.id.in_(select(ArticleList.article_id)))
        elif set(filters.listed) == {"no"}:
            stmt = stmt.where(Article.id.not_in(select(ArticleList.article_id)))
        if filters.list:
            stmt = stmt.where(
                Article.id.in_(
                    select(ArticleList.article_id).where(ArticleList.list_slug.in_(filters.list))
                )
            )
        noted = filters.noted_ids
        if noted is not None:  # has_note: the viewer's noted articles (resolved by the caller)
            stmt = stmt.where(self._id_in(noted))
        return stmt, rank

    def _id_in(self, ids: frozenset[int]):
        """Article.id among ids, as one bound value whatever their number (an IN list would
        bind one parameter per id, and drivers cap those)."""
        if not ids:
            return false()
        if self.engine == "sqlite":
            listed: Select = select(literal_column("value")).select_from(
                func.json_each(literal(json.dumps(sorted(ids))))
            )
            return Article.id.in_(listed)
        return Article.id == any_(literal(sorted(ids), postgresql.ARRAY(Integer)))

    def histogram(
        self, session: Session, filters: Filters, plan: QueryPlan, interval: str
    ) -> dict[date, int]:
        """Matching articles per week, month or year (counted per day by the database)."""
        return _bucketed(self._days(session, filters, plan), interval)

    def _days(self, session: Session, filters: Filters, plan: QueryPlan) -> list[tuple[date, int]]:
        """Matching articles per publication day."""
        stmt, _rank = self._matching(filters, plan)
        params = _fts_params(plan) if plan and self.engine == "sqlite" else {}
        day = func.date(Article.published_at)
        return [
            (_as_date(value), n)
            for value, n in session.execute(
                select(day, func.count()).where(Article.id.in_(stmt)).group_by(day), params
            )
        ]

    def search(
        self,
        session: Session,
        filters: Filters,
        plan: QueryPlan,
        histogram: str | None = None,
        reuse_counts: bool = False,  # nothing kept here: every search counts afresh
        weeks: bool = False,
    ) -> BackendResult:
        stmt, rank = self._matching(filters, plan)
        params = _fts_params(plan) if plan and self.engine == "sqlite" else {}
        ids_sub = stmt.subquery()
        total = session.execute(select(func.count()).select_from(ids_sub), params).scalar_one()

        sort = filters.effective_sort
        ordered = stmt.add_columns(Article.published_at)
        if sort == "relevance" and rank is not None:
            ordered = ordered.order_by(rank, Article.published_at.desc(), Article.id.desc())
        elif sort == "oldest":
            ordered = ordered.order_by(Article.published_at.asc(), Article.id.asc())
        else:
            ordered = ordered.order_by(Article.published_at.desc(), Article.id.desc())
        ordered = ordered.limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
        ids = [row[0] for row in session.execute(ordered, params)]

        facets: dict[str, list[tuple[str, int]]] = {}
        counted: ColumnElement[bool] = ArticleEntity.article_id.in_(select(ids_sub.c.id))
        if filters.role:
            # With a role asked for, the restriction facet counts only the links of that role:
            # the counts beside restriction_role=context are the articles referring back to each.
            counted = and_(
                counted,
                or_(ArticleEntity.entity_type != "restriction", ArticleEntity.role == filters.role),
            )
        entity_counts = session.execute(
            select(ArticleEntity.entity_type, ArticleEntity.entity_id, func.count().label("n"))
            .where(counted)
            .group_by(ArticleEntity.entity_type, ArticleEntity.entity_id)
            .order_by(func.count().desc(), ArticleEntity.entity_id),
            params,
        )
        for type_, entity_id, n in entity_counts:
            facets.setdefault(type_, []).append((entity_id, n))
        facets = {k: v[:FACET_LIMIT] for k, v in facets.items()}
        facets["lang"] = [
            (lang, n)
            for lang, n in session.execute(
                select(Article.lang, func.count())
                .where(Article.id.in_(select(ids_sub.c.id)))
                .group_by(Article.lang)
                .order_by(func.count().desc(), Article.lang),
                params,
            )
        ]
        facets["source"] = [
            (name, n)
            for name, n in session.execute(
                select(Source.name, func.count())
                .join(Article, Article.source_id == Source.id)
                .where(Article.id.in_(select(ids_sub.c.id)))
                .group_by(Source.name)
                .order_by(func.count().desc(), Source.name)
                .limit(FACET_LIMIT),
                params,
            )
        ]
        facets.update(_list_facets(session, select(ids_sub.c.id), total, params))
        if not histogram:
            return BackendResult(ids, total, facets)
        days = self._days(session, filters, plan)  # one count per day for both intervals
        return BackendResult(
            ids,
            total,
            facets,
            _bucketed(days, histogram),
            weeks=_bucketed(days, "week") if weeks else None,
        )


def _bucketed(days: list[tuple[date, int]], interval: str) -> dict[date, int]:
    counts: Counter[date] = Counter()
    for day, n in days:
        counts[bucket_start(day, interval)] += n
    return dict(counts)


def _list_facets(session: Session, ids: Select, total: int, params: dict) -> dict:
    """The `listed` (yes/no) and `list` facets; no query on them before any list is imported."""
    if not total or session.execute(select(ArticleList.article_id).limit(1)).first() is None:
        return {"listed": [("no", total)] if total else [], "list": []}
    listed = session.execute(
        select(func.count(func.distinct(ArticleList.article_id))).where(
            ArticleList.article_id.in_(ids)
        ),
        params,
    ).scalar_one()
    counts = [(v, n) for v, n in (("yes", listed), ("no", total - listed)) if n]
    return {
        "listed": sorted(counts, key=lambda kv: (-kv[1], kv[0])),
        "list": [
            (slug, n)
            for slug, n in session.execute(
                select(ArticleList.list_slug, func.count())
                .where(ArticleList.article_id.in_(ids))
                .group_by(ArticleList.list_slug)
                .order_by(func.count().desc(), ArticleList.list_slug),
                params,
            )
        ],
    }


def _as_date(value) -> date:
    """SQLite's date() gives text, PostgreSQL's a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)
