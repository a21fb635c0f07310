"""One data function per view: the search page, the article page and their JSON twins."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enrich.tagger import Tagger
from app.filters import ENTITY_PARAMS, FilterError, Filters
from app.gazetteer import EntityDef
from app.models import Article, ArticleEntity, Entity, Mention, Source, as_utc
from app.search.backend import FACETS, SearchBackend
from app.search.query import plan_query
from app.search.snippet import make_snippet

LANG_NAMES = {"ar": "العربية", "en": "English", "zh": "中文", "fr": "Français", "ja": "日本語",
              "ko": "한국어", "ru": "Русский", "de": "Deutsch", "es": "Español"}


@dataclass
class FacetValue:
    id: str
    name: str
    count: int
    selected: bool = False


@dataclass
class SearchPage:
    filters: Filters
    engine: str
    total: int
    hits: list[dict]
    facets: dict[str, list[FacetValue]]
    expansions: list[EntityDef] = field(default_factory=list)
    notice: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))

    def to_json(self) -> dict:
        return {
            "total": self.total, "page": self.filters.page, "per_page": self.filters.per_page,
            "engine": self.engine, "hits": self.hits,
            "facets": {k: [{"id": v.id, "name": v.name, "count": v.count} for v in values]
                       for k, values in self.facets.items()},
            "expansions": [{"id": e.id, "type": e.type, "name": e.name,
                            "aliases": e.all_aliases()} for e in self.expansions],
        }


def summaries(session: Session, ids: list[int], tokens: list[str] = (),
              highlight_entities: set[str] = frozenset()) -> list[dict]:
    """Contract summaries for the given article ids, in the given order."""
    if not ids:
        return []
    rows = {a.id: (a, src) for a, src in session.execute(
        select(Article, Source.name).outerjoin(Source, Source.id == Article.source_id)
        .where(Article.id.in_(ids)))}
    tags: dict[int, list[dict]] = {i: [] for i in ids}
    for article_id, entity_id, entity_type, name in session.execute(
            select(ArticleEntity.article_id, Entity.id, Entity.type, Entity.name)
            .join(Entity, Entity.id == ArticleEntity.entity_id)
            .where(ArticleEntity.article_id.in_(ids)).order_by(Entity.type, Entity.name)):
        tags[article_id].append({"id": entity_id, "type": entity_type, "name": name})
    spans: dict[int, list[tuple[int, int]]] = {}
    if highlight_entities:
        for m in session.scalars(select(Mention).where(Mention.article_id.in_(ids),
                                                       Mention.entity_id.in_(highlight_entities))):
            spans.setdefault(m.article_id, []).append((m.start, m.end))
    out = []
    for article_id in ids:
        if article_id not in rows:
            continue  # deleted between the search and now
        article, source_name = rows[article_id]
        out.append({
            "id": article.id, "title": article.title,
            "snippet": make_snippet(article.body, list(tokens), spans.get(article.id, [])),
            "url": article.url, "source": source_name, "lang": article.lang,
            "published_at": as_utc(article.published_at).isoformat(),
            "date_estimated": article.date_estimated,
            "entities": tags[article_id], "story_id": article.story_id,
        })
    return out


def check_entities(session: Session, filters: Filters) -> None:
    """Every entity in the filters must exist and be of the filter's type (else a 422)."""
    wanted = filters.entity_filters()
    if not wanted:
        return
    known = dict(session.execute(select(Entity.id, Entity.type).where(
        Entity.id.in_({v for values in wanted.values() for v in values}))).all())
    errors = [{"param": param, "msg": f"unknown {param} {value!r}" if value not in known
               else f"{value!r} is a {known[value]}, not a {param}"}
              for param, values in wanted.items() for value in values if known.get(value) != param]
    if errors:
        raise FilterError(errors)


def search_articles(session: Session, filters: Filters, backend: SearchBackend,
                    tagger: Tagger, fallback: SearchBackend | None = None) -> SearchPage:
    check_entities(session, filters)
    plan = plan_query(filters.q, tagger, expand=filters.expand)
    notice, engine = None, backend
    try:
        result = backend.search(session, filters, plan)
    except Exception:  # noqa: BLE001 - any engine failure falls back to the database
        if fallback is None:
            raise
        engine, notice = fallback, "The search engine is unreachable: results come from the database."
        result = fallback.search(session, filters, plan)
    expansions = plan.entities
    hits = summaries(session, result.ids, plan.tokens, {e.id for e in expansions}
                     | {v for vals in filters.entity_filters().values() for v in vals})
    # Names only: loading whole Entity rows decodes their JSON and was most of a search's time.
    names = dict(session.execute(select(Entity.id, Entity.name).where(Entity.id.in_(
        {v for k in ENTITY_PARAMS for v, _ in result.facets.get(k, [])}
        | {v for vals in filters.entity_filters().values() for v in vals}))).all())
    facets: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        selected = set(getattr(filters, facet))
        values = []
        for value, count in result.facets.get(facet, []):
            name = names.get(value, value) if facet in ENTITY_PARAMS else (
                LANG_NAMES.get(value, value) if facet == "lang" else value)
            values.append(FacetValue(value, name, count, value in selected))
        # A selected value with no match still shows, so it can be removed.
        for value in selected - {v.id for v in values}:
            values.insert(0, FacetValue(value, names.get(value, value), 0, True))
        facets[facet] = values
    return SearchPage(filters, engine.engine, result.total, hits, facets, expansions, notice)


def article_detail(session: Session, article_id: int) -> dict | None:
    article = session.get(Article, article_id)
    if article is None:
        return None
    detail = summaries(session, [article_id])[0]
    detail["snippet"] = make_snippet(article.body, [])
    mentions = session.scalars(select(Mention).where(Mention.article_id == article_id)
                               .order_by(Mention.start)).all()
    same_story = []
    if article.story_id:
        same_story = list(session.scalars(select(Article.id).where(
            Article.story_id == article.story_id, Article.id != article_id).order_by(Article.id)))
    duplicates = list(session.scalars(select(Article.id).where(Article.duplicate_of == article_id)
                                      .order_by(Article.id)))
    detail.update({
        "duplicates": duplicates,
        "body": article.body, "cited_sources": article.cited_sources or [],
        "mentions": [{"entity_id": m.entity_id, "surface": m.surface, "start": m.start,
                      "end": m.end} for m in mentions],
        "same_story": same_story, "duplicate_of": article.duplicate_of,
        "gazetteer_version": article.gazetteer_version,
    })
    return detail
