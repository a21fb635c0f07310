"""The search view's data function (the page, its fragment, /api/search, CSV and Atom), and the
article summaries every list of articles shows (app/article/schemas.py Summary)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from app.enrich.tagger import Tagger
from app.filters import ENTITY_PARAMS, FilterError, Filters
from app.gazetteer import EntityDef
from app.lists import facet_value_name
from app.models import as_utc
from app.search.article_cache import ArticleCache, ArticleView, load_views
from app.search.backend import FACETS, SearchBackend
from app.search.entity_cache import entity_names
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
    histogram: dict[date, int] | None = None

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
              highlight_entities: set[str] = frozenset(),
              cache: ArticleCache | None = None) -> list[dict]:
    """Contract summaries for the given article ids, in the given order."""
    views = (cache.views(session, ids) if cache is not None
             else load_views(session, ids, set(highlight_entities)))
    names = entity_names(session)

    def summary(view: ArticleView) -> dict:
        entities = []
        for entity_id in view.entity_ids:
            type_, name = names.get(entity_id) or _missing_name(session, entity_id)
            entities.append({"id": entity_id, "type": type_, "name": name})
        return {
            "id": view.id, "title": view.title, "snippet": None,
            "url": view.url, "source": view.source, "lang": view.lang,
            "published_at": as_utc(view.published_at).isoformat(),
            "date_estimated": view.date_estimated,
            "entities": sorted(entities, key=lambda t: (t["type"], t["name"])),
            "story_id": view.story_id,
        }

    out = []
    for article_id in ids:
        view = views.get(article_id)
        if view is None:
            continue  # deleted between the search and now
        spans = [(start, end) for entity_id, start, end in view.mentions if entity_id in highlight_entities]
        if cache is None:
            hit = summary(view)
            hit["snippet"] = make_snippet(view.body, list(tokens), spans)
        else:
            hit = dict(cache.summary(view, summary))
            hit["snippet"] = cache.snippet((view.body, tuple(tokens), tuple(spans)),
                                           lambda v=view, s=spans: make_snippet(v.body, list(tokens), s))
        out.append(hit)
    return out


def _missing_name(session: Session, entity_id: str) -> tuple[str, str]:
    """An entity tagged since the names were loaded: reload them once."""
    return entity_names(session, {entity_id}).get(entity_id, ("", entity_id))


def check_entities(session: Session, filters: Filters) -> None:
    """Every entity in the filters must exist and be of the filter's type (else a 422)."""
    wanted = filters.entity_filters()
    if not wanted:
        return
    known = entity_names(session, {v for values in wanted.values() for v in values})
    errors = [{"param": param, "msg": f"unknown {param} {value!r}" if value not in known
               else f"{value!r} is a {known[value][0]}, not a {param}"}
              for param, values in wanted.items() for value in values
              if known.get(value, ("",))[0] != param]
    if errors:
        raise FilterError(errors)


def search_articles(session: Session, filters: Filters, backend: SearchBackend,
                    tagger: Tagger, fallback: SearchBackend | None = None, *,
                    histogram: str | None = None) -> SearchPage:
    """One search; with histogram ("week", "month", "year") also the timeline's counts."""
    check_entities(session, filters)
    plan = plan_query(filters.q, tagger, expand=filters.expand)
    notice, engine = None, backend
    try:
        result = backend.search(session, filters, plan, histogram)
    except Exception:  # noqa: BLE001 - any engine failure falls back to the database
        if fallback is None:
            raise
        engine, notice = fallback, "The search engine is unreachable: results come from the database."
        result = fallback.search(session, filters, plan, histogram)
    if histogram and result.histogram is None:  # an index from before the period fields
        result.histogram = (fallback or backend).histogram(session, filters, plan, histogram)
    expansions = plan.entities
    hits = summaries(session, result.ids, plan.tokens, {e.id for e in expansions}
                     | {v for vals in filters.entity_filters().values() for v in vals},
                     cache=getattr(engine, "article_cache", None))
    names = {eid: name for eid, (_type, name) in entity_names(session).items()}
    facets: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        selected = set(getattr(filters, facet))
        values = []
        for value, count in result.facets.get(facet, []):
            name = names.get(value, value) if facet in ENTITY_PARAMS else (
                LANG_NAMES.get(value, value) if facet == "lang" else facet_value_name(facet, value))
            values.append(FacetValue(value, name, count, value in selected))
        # A selected value with no match still shows, so it can be removed.
        for value in selected - {v.id for v in values}:
            values.insert(0, FacetValue(value, names.get(value, facet_value_name(facet, value)), 0, True))
        facets[facet] = values
    return SearchPage(filters, engine.engine, result.total, hits, facets, expansions, notice,
                      result.histogram)
