"""The built-in search: FTS5 on SQLite, a GIN-indexed token array on PostgreSQL.

Both hold tokens made by app.text (folded words, Arabic clitic-free forms, Han bigrams) and
the ids of the article's entities, written in the same transaction as the article (their rows
and SQL: app/search/repository.py).
"""

from collections import Counter
from datetime import date

from sqlalchemy import Select, Text, and_, func, literal, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.filters import Filters
from app.models import Article, ArticleEntity, ArticleList, Source
from app.search.backend import FACET_LIMIT, BackendResult
from app.search.periods import bucket_start
from app.search.query import QueryPlan
from app.search.repository import ENTITY_TOKEN, fts_entity, fts_matches, pg_table


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_expression(plan: QueryPlan) -> str:
    clauses = []
    for clause in plan.clauses:
        words = " AND ".join(
            "(" + " OR ".join(f"text : {_fts_quote(t)}" for t in group) + ")" for group in clause.groups
        )
        alternatives = [f"({words})"] if words else []
        if clause.entity is not None:
            alternatives.append(f"ents : {_fts_quote(fts_entity(clause.entity.id))}")
        clauses.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(clauses)


def _text_array(values) -> object:
    return literal(list(values), postgresql.ARRAY(Text))


def _pg_condition(plan: QueryPlan):
    tokens = pg_table.c.tokens
    conditions = []
    for clause in plan.clauses:
        words = and_(*(tokens.overlap(_text_array(group)) for group in clause.groups))
        if clause.entity is not None:
            conditions.append(or_(words, tokens.contains(_text_array([ENTITY_TOKEN + clause.entity.id]))))
        else:
            conditions.append(words)
    return select(pg_table.c.article_id).where(and_(*conditions))


class DatabaseSearch:
    """Search inside the database itself: the embedded default."""

    def __init__(self, dialect: str):
        self.engine = "sqlite" if dialect == "sqlite" else "postgresql"

    def healthy(self) -> bool:
        return True

    def _matching(self, filters: Filters, plan: QueryPlan) -> tuple[Select, object | None]:
        """Ids of the matching articles, and a rank expression when ranking by relevance."""
        stmt = select(Article.id).where(Article.duplicate_of.is_(None))
        rank = None
        if plan:
            if self.engine == "sqlite":
                fts = fts_matches()
                stmt = stmt.join(fts, fts.c.rid == Article.id)
                rank = fts.c.rank
            else:
                stmt = stmt.where(Article.id.in_(_pg_condition(plan)))
        for name, values in filters.entity_filters().items():
            stmt = stmt.where(Article.id.in_(
                select(ArticleEntity.article_id).where(ArticleEntity.entity_id.in_(values))))
        if filters.lang:
            stmt = stmt.where(Article.lang.in_(filters.lang))
        if filters.source:
            stmt = stmt.where(Article.source_id.in_(select(Source.id).where(Source.name.in_(filters.source))))
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
            stmt = stmt.where(Article.id.in_(select(ArticleList.article_id)
                                             .where(ArticleList.list_slug.in_(filters.list))))
        return stmt, rank

    def histogram(self, session: Session, filters: Filters, plan: QueryPlan,
                  interval: str) -> dict[date, int]:
        """Matching articles per week, month or year (counted per day by the database)."""
        stmt, _rank = self._matching(filters, plan)
        params = {"match": fts_expression(plan)} if plan and self.engine == "sqlite" else {}
        day = func.date(Article.published_at)
        counts: Counter[date] = Counter()
        for value, n in session.execute(
                select(day, func.count()).where(Article.id.in_(stmt)).group_by(day), params):
            counts[bucket_start(_as_date(value), interval)] += n
        return dict(counts)

    def search(self, session: Session, filters: Filters, plan: QueryPlan,
               histogram: str | None = None) -> BackendResult:
        stmt, rank = self._matching(filters, plan)
        params = {"match": fts_expression(plan)} if plan and self.engine == "sqlite" else {}
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
        entity_counts = session.execute(
            select(ArticleEntity.entity_type, ArticleEntity.entity_id, func.count().label("n"))
            .where(ArticleEntity.article_id.in_(select(ids_sub.c.id)))
            .group_by(ArticleEntity.entity_type, ArticleEntity.entity_id)
            .order_by(func.count().desc(), ArticleEntity.entity_id), params)
        for type_, entity_id, n in entity_counts:
            facets.setdefault(type_, []).append((entity_id, n))
        facets = {k: v[:FACET_LIMIT] for k, v in facets.items()}
        facets["lang"] = [(lang, n) for lang, n in session.execute(
            select(Article.lang, func.count()).where(Article.id.in_(select(ids_sub.c.id)))
            .group_by(Article.lang).order_by(func.count().desc(), Article.lang), params)]
        facets["source"] = [(name, n) for name, n in session.execute(
            select(Source.name, func.count()).join(Article, Article.source_id == Source.id)
            .where(Article.id.in_(select(ids_sub.c.id)))
            .group_by(Source.name).order_by(func.count().desc(), Source.name)
            .limit(FACET_LIMIT), params)]
        facets.update(_list_facets(session, select(ids_sub.c.id), total, params))
        counts = self.histogram(session, filters, plan, histogram) if histogram else None
        return BackendResult(ids, total, facets, counts)


def _list_facets(session: Session, ids: Select, total: int, params: dict) -> dict:
    """The `listed` (yes/no) and `list` facets; no query on them before any list is imported."""
    if not total or session.execute(select(ArticleList.article_id).limit(1)).first() is None:
        return {"listed": [("no", total)] if total else [], "list": []}
    listed = session.execute(select(func.count(func.distinct(ArticleList.article_id)))
                             .where(ArticleList.article_id.in_(ids)), params).scalar_one()
    counts = [(v, n) for v, n in (("yes", listed), ("no", total - listed)) if n]
    return {"listed": sorted(counts, key=lambda kv: (-kv[1], kv[0])),
            "list": [(slug, n) for slug, n in session.execute(
                select(ArticleList.list_slug, func.count()).where(ArticleList.article_id.in_(ids))
                .group_by(ArticleList.list_slug).order_by(func.count().desc(), ArticleList.list_slug),
                params)]}


def _as_date(value) -> date:
    """SQLite's date() gives text, PostgreSQL's a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)
