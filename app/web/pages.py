"""HTML views. Each calls the same data function as its JSON twin."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from app.article.detail import article_detail
from app.entities import entity_data
from app.filters import ENTITY_PARAMS, Filters
from app.models import Entity
from app.search.service import search_articles, summaries
from app.timeline import compare, timeline
from app.web.auth import is_admin, session_csrf
from app.web.charts import bar_chart, line_chart
from app.web.deps import ArticleId, FiltersDep, RuntimeDep, SessionDep
from app.web.page_cache import PageCache
from app.web.rendering import is_partial, render

router = APIRouter(include_in_schema=False)
FACET_TITLES = {"company": "Companies", "chip": "Chips", "restriction": "Restrictions",
                "region": "Regions", "agency": "Agencies", "lang": "Language", "source": "Source",
                "listed": "Export-control lists", "list": "On list"}


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, filters: FiltersDep, session: SessionDep, runtime: RuntimeDep):
    cache: PageCache = request.app.state.page_cache
    key = None
    if cache.enabled and runtime.search is not runtime.db_search and not is_admin(request):
        version = cache.version(session)  # read first: a change meanwhile only makes it older
        if version is not None:
            key = (version, filters.query_string(), is_partial(request))
            cached = cache.get(key)
            if cached is not None:
                return cached
    interval = _interval(filters)
    page = search_articles(session, filters, runtime.search, runtime.query_tagger, runtime.fallback,
                           histogram=interval)
    selected = [(param, value, next((f.name for f in page.facets[param] if f.id == value), value))
                for param in (*ENTITY_PARAMS, "lang", "source", "listed", "list")
                for value in getattr(filters, param)]
    tl = timeline(session, filters, runtime, interval, counts=page.histogram)
    response = render(request, "search.html", {
        "page": page, "filters": filters, "facet_titles": FACET_TITLES, "selected": selected,
        "chart": bar_chart(tl["buckets"], tl["events"], interval), "interval": interval,
        "timeline": tl, "admin": is_admin(request), "csrf": session_csrf(request),
    }, fragment="_search_main.html", alternate="/api/search?" + filters.query_string())
    if key is not None and page.notice is None and page.engine == runtime.search.engine:
        cache.put(key, response)
    return response


@router.get("/facets/{facet}", response_class=HTMLResponse)
def facet_page(request: Request, facet: str, filters: FiltersDep, session: SessionDep,
               runtime: RuntimeDep):
    """Every value of one facet (the search page shows the first 8 and fetches these on demand)."""
    if facet not in FACET_TITLES:
        raise HTTPException(404, f"There is no facet {facet!r}.")
    page = search_articles(session, filters.replace(per_page=1), runtime.search,
                           runtime.query_tagger, runtime.fallback)
    return render(request, "facet.html", {
        "facet": facet, "title": FACET_TITLES[facet], "values": page.facets.get(facet, []),
        "filters": filters, "page": page,
    }, fragment="_facet_values.html", alternate="/api/search?" + filters.query_string())


def _interval(filters: Filters) -> str:
    """Months for a range of up to three years, else years; weeks for a range under 20 weeks."""
    if filters.date_from and filters.date_to:
        days = (filters.date_to - filters.date_from).days
        return "week" if days <= 140 else "month" if days <= 3 * 366 else "year"
    return "year" if not (filters.date_from or filters.date_to) else "month"


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: ArticleId, session: SessionDep):
    detail = article_detail(session, article_id)
    if detail is None:
        raise HTTPException(404, f"There is no article {article_id}.")
    names = {e.id: e for e in session.scalars(select(Entity).where(
        Entity.id.in_({m["entity_id"] for m in detail["mentions"]})))}
    related_ids = list(dict.fromkeys(detail["same_story"] + detail.get("duplicates", [])))
    return render(request, "article.html", {
        "a": detail, "segments": _segments(detail, names), "related": summaries(session, related_ids),
    }, alternate=f"/api/articles/{article_id}")


def _segments(detail: dict, names: dict) -> list[tuple[str, Entity | None]]:
    """The body cut into plain runs and mention runs, for highlighting without raw HTML."""
    body, pos, out = detail["body"], 0, []
    for m in detail["mentions"]:
        if m["start"] < pos:
            continue
        out.append((body[pos:m["start"]], None))
        out.append((body[m["start"]:m["end"]], names.get(m["entity_id"])))
        pos = m["end"]
    out.append((body[pos:], None))
    return out


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str, session: SessionDep, runtime: RuntimeDep):
    data = entity_data(session, entity_id)
    if data is None or data.entity.type not in ENTITY_PARAMS:
        raise HTTPException(404, f"There is no entity {entity_id!r}.")
    entity = data.entity
    own = Filters.model_validate({entity.type: [entity.id]})
    latest = search_articles(session, own.replace(per_page=10), runtime.search,
                             runtime.query_tagger, runtime.fallback, histogram="month")
    tl = timeline(session, own, runtime, "month", counts=latest.histogram)
    return render(request, "entity.html", {
        "e": entity, "latest": latest, "co": data.page_co_mentioned, "restrictions": data.restrictions,
        "concerns": data.concerns, "chart": bar_chart(tl["buckets"], tl["events"], "month"), "timeline": tl,
        "filters": own, "lists": data.lists,
    }, alternate=f"/api/entities/{entity_id}")


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, filters: FiltersDep, session: SessionDep, runtime: RuntimeDep,
                  interval: Annotated[Literal["week", "month", "year"], Query()] = "month"):
    if not filters.entity_filters():
        filters = filters.replace(company=("nvidia", "huawei"))
    data = compare(session, filters, runtime, interval)
    chart = line_chart(data["series"], data["events"], interval)
    starts = chart["starts"] if chart else []
    return render(request, "timeline.html", {
        "data": data, "chart": chart, "starts": starts, "filters": filters, "interval": interval,
        "entities": session.scalars(select(Entity).where(Entity.type.in_(("company", "chip")))
                                    .order_by(Entity.type, Entity.name)).all(),
    }, alternate="/api/timeline/compare?" + filters.query_string() + f"&interval={interval}")
