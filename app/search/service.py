"""The search view's data function (the page, its fragment, /api/search, CSV and Atom), and the
article summaries every list of articles shows (app/article/schemas.py Summary)."""

from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from app.enrich.tagger import Tagger
from app.filters import ENTITY_PARAMS, FilterError, Filters
from app.gazetteer import EntityDef
from app.lists import facet_value_name
from app.models import as_utc
from app.search.article_cache import ArticleCache, ArticleView, load_views
from app.search.backend import FACETS, BackendResult, SearchBackend
from app.search.concepts import topic_name
from app.search.database import word_in_index
from app.search.entity_cache import entity_names
from app.search.explain import SHOWN_ALIASES, did_you_mean, explainer_aliases, missing_terms, relax
from app.search.query import QueryPlan, plan_query, typed
from app.search.snippet import make_snippet
from app.search.timeframe import with_time_bounds

PREFIX_WORDS = 200  # words a prefix may stand for

LANG_NAMES = {
    "ar": "العربية",
    "en": "English",
    "zh": "中文",
    "fr": "Français",
    "ja": "日本語",
    "ko": "한국어",
    "ru": "Русский",
    "de": "Deutsch",
    "es": "Español",
}


@dataclass(slots=True)  # made by the hundred per page: slots make that about twice as fast
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
    # The week counts asked beside the histogram (search_articles weeks=True), for the chart;
    # None when not asked, or when the hits are the best partial matches (see show_articles).
    weeks: dict[date, int] | None = None
    understood: list[str] = field(default_factory=list)  # the query said back
    query_notices: list[str] = field(default_factory=list)  # syntax not taken as typed
    plan: QueryPlan = field(default_factory=QueryPlan)
    partial: bool = False  # nothing matched the whole query: the best partial matches
    not_found: list[str] = field(default_factory=list)  # query words no hit shown has
    suggestions: list[str] = field(default_factory=list)  # "did you mean", when nothing matched
    # to_json's facets when show_articles made them as JSON (facet_values=False)
    facets_json: dict[str, list[dict]] | None = None

    @property
    def searched_as(self) -> list[dict]:
        """Each name and concept of the query with at most three of its aliases (the query's
        language first) and how many more there are."""
        out = []
        for entity in [*self.expansions, *self.plan.concepts]:
            aliases = explainer_aliases(entity, self.plan.language)
            out.append(
                {
                    "id": entity.id,
                    "type": entity.type,
                    "name": topic_name(entity) if entity.type == "topic" else entity.name,
                    "shown": aliases[:SHOWN_ALIASES],
                    "more": aliases[SHOWN_ALIASES:],
                }
            )
        return out

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))

    def to_json(self) -> dict:
        return {
            "total": self.total,
            "page": self.filters.page,
            "per_page": self.filters.per_page,
            "engine": self.engine,
            "hits": self.hits,
            "facets": self.facets_json
            if self.facets_json is not None
            else {
                k: [{"id": v.id, "name": v.name, "count": v.count} for v in values]
                for k, values in self.facets.items()
            },
            "expansions": [
                {"id": e.id, "type": e.type, "name": e.name, "aliases": e.all_aliases()}
                for e in self.expansions
            ],
            "understood": self.understood,
            "query_notices": self.query_notices,
            "searched_as": {
                "match": self.filters.match,
                "language": self.plan.language,
                "terms": [
                    {
                        "id": t["id"],
                        "type": t["type"],
                        "name": t["name"],
                        "aliases": t["shown"],
                        "more": len(t["more"]),
                    }
                    for t in self.searched_as
                ],
                "required": [typed(c) for c in self.plan.clauses],
                "optional": [typed(c) for c in self.plan.optional],
                "corrections": [{"typed": a, "read_as": b} for a, b in self.plan.corrections],
                "stop_words": self.plan.dropped,
                "partial": self.partial,
                "not_found": self.not_found,
                "suggestions": self.suggestions,
            },
        }


def summaries(
    session: Session,
    ids: list[int],
    tokens: Sequence[str] = (),
    highlight_entities: Set[str] = frozenset(),
    cache: ArticleCache | None = None,
    stamps: Sequence[str | None] | None = None,
    views: dict[int, ArticleView] | None = None,
    names: dict[str, tuple[str, str]] | None = None,
) -> list[dict]:
    """Contract summaries for the given article ids, in the given order (stamps: the index's
    view stamp of each, for the cache; views and names: the cache's views of the ids and the
    entity names, when the caller has just read them)."""
    if views is None:
        views = (
            cache.views(session, ids, stamps)
            if cache is not None
            else load_views(session, ids, set(highlight_entities))
        )
    if names is None:
        names = entity_names(session)

    def summary(view: ArticleView) -> dict:
        entities = []
        for entity_id in view.entity_ids:
            type_, name = names.get(entity_id) or _missing_name(session, entity_id)
            entities.append({"id": entity_id, "type": type_, "name": name})
        return {
            "id": view.id,
            "title": view.title,
            "snippet": None,
            "url": view.url,
            "source": view.source,
            "lang": view.lang,
            "published_at": as_utc(view.published_at).isoformat(),
            "date_estimated": view.date_estimated,
            "entities": sorted(entities, key=lambda t: (t["type"], t["name"])),
            "story_id": view.story_id,
        }

    out = []
    token_key = tuple(tokens)  # (the snippet's key, made once for every hit)
    for article_id in ids:
        view = views.get(article_id)
        if view is None:
            continue  # deleted between the search and now
        # (no entity to highlight, as in most word searches: no walk over the mentions)
        spans = (
            [
                (start, end)
                for entity_id, start, end in view.mentions
                if entity_id in highlight_entities
            ]
            if highlight_entities
            else []
        )
        if cache is None:
            hit = summary(view)
            hit["snippet"] = make_snippet(view.body, list(tokens), spans)
        else:
            hit = dict(cache.summary(view, names, summary))
            hit["snippet"] = cache.snippet(
                (view.body, token_key, tuple(spans)),
                lambda v=view, s=spans: make_snippet(v.body, list(tokens), s),
            )
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
    errors = [
        {
            "param": param,
            "msg": f"unknown {param} {value!r}"
            if value not in known
            else f"{value!r} is a {known[value][0]}, not a {param}",
        }
        for param, values in wanted.items()
        for value in values
        if known.get(value, ("",))[0] != param
    ]
    if errors:
        raise FilterError(errors)


def search_articles(
    session: Session,
    filters: Filters,
    backend: SearchBackend,
    tagger: Tagger,
    fallback: SearchBackend | None = None,
    *,
    histogram: str | None = None,
    reuse_counts: bool = False,
    weeks: bool = False,
) -> SearchPage:
    """One search; with histogram ("week", "month", "year") also the timeline's counts, and
    with weeks the week counts too (SearchPage.weeks: a chart that may turn out weekly).
    reuse_counts: the facet and period counts of the same search may come from the engine's
    memory (another page, page size or sort of it at the same search version): the pages ask
    for it; /api/search does not (each request's engine request is the one it documents)."""
    return show_articles(
        session,
        find_articles(
            session,
            filters,
            backend,
            tagger,
            fallback,
            histogram=histogram,
            reuse_counts=reuse_counts,
            weeks=weeks,
        ),
    )


@dataclass
class Found:
    """What a search found, before its hits are shown (find_articles, then show_articles)."""

    filters: Filters  # with the query's field terms and stated time as filters
    plan: QueryPlan
    result: BackendResult
    engine: SearchBackend  # the one that answered (the fallback when the first failed)
    notice: str | None
    partial: bool
    not_found: list[str]
    suggestions: list[str]


def find_articles(
    session: Session,
    filters: Filters,
    backend: SearchBackend,
    tagger: Tagger,
    fallback: SearchBackend | None = None,
    *,
    histogram: str | None = None,
    reuse_counts: bool = False,
    weeks: bool = False,
) -> Found:
    """The search itself: the query planned, the engine asked (the fallback when it fails; the
    best partial matches when nothing matches the whole query). reuse_counts: see
    search_articles."""
    check_entities(session, filters)
    filters, plan = prepare_query(session, filters, tagger)
    notice, engine = None, backend

    def run(plan):
        nonlocal engine, notice
        try:
            return engine.search(session, filters, plan, histogram, reuse_counts, weeks)
        except Exception:
            if fallback is None or engine is fallback:
                raise
            engine, notice = (
                fallback,
                "The search engine is unreachable: results come from the database.",
            )
            return fallback.search(session, filters, plan, histogram, reuse_counts, weeks)

    result = run(plan)
    partial, not_found, suggestions = False, [], []
    relaxed = relax(plan)
    if not result.total and relaxed is not None:
        # Zero results is the last resort: the articles matching most of the query.
        partial_result = run(relaxed)
        if partial_result.total:
            result, partial, plan = partial_result, True, relaxed
    if partial and result.total:
        not_found = missing_terms(session, plan, result.ids)
    elif not result.total and filters.q.strip():
        suggestions = did_you_mean(filters.q, tagger)
    if histogram and result.histogram is None:  # an index from before the period fields
        result.histogram = (fallback or backend).histogram(session, filters, plan, histogram)
    return Found(filters, plan, result, engine, notice, partial, not_found, suggestions)


def show_articles(
    session: Session,
    found: Found,
    views: dict[int, ArticleView] | None = None,
    names: dict[str, tuple[str, str]] | None = None,
    facet_values: bool = True,
) -> SearchPage:
    """The page of what was found: the hits as summaries with snippets, the facets named.
    views and names: see summaries. Without facet_values, SearchPage.facets stays empty and
    the facets are made straight as JSON (facets_json: /api/search shows no FacetValue)."""
    filters, plan, result = found.filters, found.plan, found.result
    expansions = plan.entities
    if names is None:
        names = entity_names(session)  # id -> (type, name), held in memory: read, not copied
    hits = summaries(
        session,
        result.ids,
        plan.tokens,
        {e.id for e in expansions}
        | {v for vals in filters.entity_filters().values() for v in vals},
        cache=getattr(found.engine, "article_cache", None),
        stamps=result.stamps,
        views=views,
        names=names,
    )
    facets: dict[str, list[FacetValue]] = {}
    for facet in FACETS if facet_values else ():
        selected = set(getattr(filters, facet))
        counted = result.facets.get(facet, [])
        facets[facet] = [
            FacetValue(v, name, 0, True) for v, name in _unmatched(filters, facet, counted, names)
        ] + [
            FacetValue(v, name, n, v in selected)
            for (v, n), name in zip(counted, _facet_names(facet, counted, names))
        ]
    page = SearchPage(
        filters,
        found.engine.engine,
        result.total,
        hits,
        facets,
        expansions,
        found.notice,
        result.histogram,
        # The best partial matches' weeks are not what the chart shows: it asks the engine for
        # the weeks of the whole query (app/timeline.py from_months), as before weeks came along.
        None if found.partial else result.weeks,
        understood=plan.understood,
        query_notices=plan.notices,
        plan=plan,
        partial=found.partial,
        not_found=found.not_found,
        suggestions=found.suggestions,
    )
    if not facet_values:
        page.facets_json = facets_json(filters, result, names)
    return page


def _facet_names(
    facet: str, counted: list[tuple[str, int]], names: dict[str, tuple[str, str]]
) -> list[str]:
    """The names of a facet's counted values (up to 9 x 50 values a page: one comprehension per
    facet, no test per value)."""
    if facet in ENTITY_PARAMS:
        return [names[v][1] if v in names else v for v, _n in counted]
    if facet == "lang":
        return [LANG_NAMES.get(v, v) for v, _n in counted]
    return [facet_value_name(facet, v) for v, _n in counted]


def _unmatched(
    filters: Filters,
    facet: str,
    counted: list[tuple[str, int]],
    names: dict[str, tuple[str, str]],
) -> list[tuple[str, str]]:
    """The selected values with no match, named: they still show, first, so they can be
    removed; in the URL's order (a set's order would follow each process's hash seed)."""
    chosen = getattr(filters, facet)
    if not chosen:
        return []
    shown = {v for v, _n in counted}
    return [
        (v, names[v][1] if v in names else facet_value_name(facet, v))
        for v in dict.fromkeys(chosen)
        if v not in shown
    ]


def facets_json(
    filters: Filters, result: BackendResult, names: dict[str, tuple[str, str]]
) -> dict[str, list[dict]]:
    """SearchPage.to_json()'s facets made straight from the engine's counts: the values and
    names show_articles gives, without a FacetValue for each value to turn into a dict after."""
    out: dict[str, list[dict]] = {}
    for facet in FACETS:
        counted = result.facets.get(facet, [])
        out[facet] = [
            {"id": v, "name": name, "count": 0}
            for v, name in _unmatched(filters, facet, counted, names)
        ] + [
            {"id": v, "name": name, "count": n}
            for (v, n), name in zip(counted, _facet_names(facet, counted, names))
        ]
    return out


def prepare_query(session: Session, filters: Filters, tagger: Tagger) -> tuple[Filters, QueryPlan]:
    """The plan of the filters' query, and the filters with its field prefixes
    (company:huawei...) added, the same filters as the facet links."""
    plan = plan_query(
        filters.q,
        tagger,
        expand=filters.expand,
        langs=filters.lang,
        match=filters.match,
        known=lambda word: word_in_index(session, word),
    )
    if plan.filters:
        filters = filters.model_copy(
            update={
                "q": plan.rest if plan.rest is not None else filters.q,
                **{
                    name: tuple(dict.fromkeys((*getattr(filters, name), *ids)))
                    for name, ids in plan.filters.items()
                },
            }
        )
    # "in 2024", "since October 2022": the from/to filters they mean (app/search/timeframe.py).
    filters = with_time_bounds(filters, plan.published)
    resolve_prefixes(session, plan)
    return filters, plan


def resolve_prefixes(session: Session, plan: QueryPlan) -> None:
    """The index words each prefix of the plan stands for (engines without native prefix
    search match them; the page lists them)."""
    from app.search.database import prefix_words
    from app.search.query import describe, prefix_clauses

    for clause in prefix_clauses(plan):
        prefix = clause.groups[0][0]
        if prefix not in plan.prefixes:
            plan.prefixes[prefix] = prefix_words(session, prefix, PREFIX_WORDS)
            if len(plan.prefixes[prefix]) >= PREFIX_WORDS:
                plan.notices.append(
                    f"{clause.text}* stands for more than {PREFIX_WORDS} words: "
                    f"the {PREFIX_WORDS} shortest are searched"
                )
    if plan.prefixes:
        plan.understood = describe(plan)
