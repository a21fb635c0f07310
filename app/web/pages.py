"""HTML views. Each calls the same data function as its JSON twin."""

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts.principal import resolve
from app.article.detail import article_detail
from app.db import lazy_session_scope
from app.entities import entity_data
from app.filters import ENTITY_PARAMS, Filters
from app.gazetteer.repository import entities_by_id
from app.models import Entity
from app.notes import service as notes
from app.runtime import Runtime
from app.search.service import search_articles, summaries
from app.timeline import (
    MAX_SERIES,
    all_articles,
    chart_counts,
    compare_view,
    period_counts,
    results_interval,
    timeline,
    weeks_possible,
)
from app.web.auth import is_admin, session_csrf
from app.web.charts import bar_chart, line_chart
from app.web.deps import ArticleId, FiltersDep, RuntimeDep, SessionDep, resolve_note_filter
from app.web.form_errors import filters_for_form
from app.web.page_cache import PageCache, carries_credentials
from app.web.redirects import came_from
from app.web.rendering import is_partial, render
from app.web.suggest import PICKABLE, suggest_entities

router = APIRouter(include_in_schema=False)
FACET_TITLES = {
    "company": "Companies",
    "chip": "Chips",
    "restriction": "Restrictions",
    "region": "Regions",
    "agency": "Agencies",
    "lang": "Language",
    "source": "Source",
    "listed": "Export-control lists",
    "list": "On list",
}


ChartScale = Annotated[
    Literal["count", "share"], Query(description="count, or share of all articles")
]
ChartMarkers = Annotated[
    Literal["relevant", "all"], Query(description="restrictions drawn on the chart")
]


CHART_DEFAULTS = {"interval": "auto", "scale": "count", "markers": "relevant"}


def _chart_options(**options: str) -> str:
    """The chart's own URL state (not a filter: the results do not change), defaults left out."""
    return urlencode([(k, v) for k, v in options.items() if v != CHART_DEFAULTS[k]])


def _view_url(path: str, filters: Filters, *, paging: bool = True, **options: str) -> str:
    """The URL of a charted view: its filters, then its chart options (the search page keeps
    its page, the timeline has none)."""
    query = "&".join(filter(None, [filters.query_string(paging=paging), _chart_options(**options)]))
    return path + ("?" + query if query else "")


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    runtime: RuntimeDep,
    scale: ChartScale = "count",
    markers: ChartMarkers = "relevant",
):
    """The search page, in its own session, begun and ended here in the worker thread, as
    SessionDep's would be: SessionDep ends a session in one more trip through the thread pool
    after the page is made, a wake-up of the event loop and of a thread on every page. The
    session is made only when something needs one: the search version, read first, does not,
    and a page whose articles are all kept in memory reads nothing else (app/db.py first_row)."""
    if runtime.gazetteer_due():  # another process accepted a gazetteer change: tag with it
        runtime.refresh_gazetteer()
    with lazy_session_scope(runtime.sessions) as session:
        return _search_page(request, session, runtime, scale, markers)


def _search_page(
    request: Request, session: Session, runtime: Runtime, scale: str, markers: str
) -> Response:
    filters, form_errors = filters_for_form(request)
    cache: PageCache = request.app.state.page_cache
    key = None
    chart_options = _chart_options(scale=scale, markers=markers)
    # Only pages without credentials are cached (a logged-in page carries its CSRF token and
    # the viewer's forms), and those are told apart without resolving anyone (database reads).
    # has_note pages are never cached: their results depend on who asks, not on the URL alone.
    if (
        not form_errors
        and cache.enabled
        and runtime.search is not runtime.db_search
        and not carries_credentials(request)
        and not filters.has_note
    ):
        version = cache.version(session)  # read first: a change meanwhile only makes it older
        if version is not None:
            key = (version, filters.query_string(), chart_options, is_partial(request))
            cached = cache.get(key)
            if cached is not None:
                return cached
    if filters.has_note:
        filters = resolve_note_filter(request, filters, session)
    # The chart's counts come with the results (the same engine request).
    counted = results_interval(filters)
    page = search_articles(
        session,
        filters,
        runtime.search,
        runtime.query_tagger,
        runtime.fallback,
        histogram=counted,
        reuse_counts=True,
        weeks=weeks_possible(session, filters, counted),
    )
    filters = page.filters  # field terms (company:huawei) become facet selections
    interval, counts = chart_counts(
        session, filters, runtime, page.histogram or {}, counted, page.weeks
    )
    selected = [
        (param, value, next((f.name for f in page.facets[param] if f.id == value), value))
        for param in (*ENTITY_PARAMS, "lang", "source", "listed", "list")
        for value in getattr(filters, param)
    ]
    # The restrictions drawn are those the matching articles are tagged with (unless all).
    viewer = resolve(request, session)
    tagged = {f.id for f in page.facets.get("restriction", [])}
    tl = timeline(
        session,
        filters,
        runtime,
        interval,
        counts=counts,
        relevant=tagged,
        all_markers=markers == "all",
    )
    totals = (
        period_counts(session, all_articles(filters), runtime, interval)
        if scale == "share"
        else None
    )
    response = render(
        request,
        "search.html",
        {
            "page": page,
            "filters": filters,
            "facet_titles": FACET_TITLES,
            "selected": selected,
            "chart": bar_chart(
                tl["buckets"],
                tl["events"],
                interval,
                totals,
                span=(filters.date_from, filters.date_to),
            ),
            "interval": interval,
            "chart_options": chart_options,
            "scale": scale,
            "markers": markers,
            "chart_urls": {
                "count": _view_url("/", filters, scale="count", markers=markers),
                "share": _view_url("/", filters, scale="share", markers=markers),
                "relevant": _view_url("/", filters, scale=scale, markers="relevant"),
                "all": _view_url("/", filters, scale=scale, markers="all"),
            },
            "timeline": tl,
            "admin": is_admin(request),
            "csrf": session_csrf(request),
            "form_errors": form_errors,
            "can_login": bool(runtime.settings.admin_token),
            "view_csrf": viewer.csrf,
            "view_team": viewer.kind == "user" and viewer.at_least("editor"),
            "note_filter": viewer.kind == "user",
            # Only a page filtered on notes shows the chip that removes the filter.
            "no_notes_url": "/?" + filters.replace(has_note=False).query_string()
            if filters.has_note
            else None,
        },
        fragment="_search_main.html",
        alternate="/api/search?" + filters.query_string(),
        status_code=422 if form_errors else 200,
    )
    if key is not None and page.notice is None and page.engine == runtime.search.engine:
        cache.put(key, response)
    return response


@router.get("/facets/{facet}", response_class=HTMLResponse)
def facet_page(
    request: Request, facet: str, filters: FiltersDep, session: SessionDep, runtime: RuntimeDep
):
    """Every value of one facet (the search page shows the first 8 and fetches these on demand)."""
    if facet not in FACET_TITLES:
        raise HTTPException(404, f"There is no facet {facet!r}.")
    page = search_articles(
        session,
        filters.replace(per_page=1),
        runtime.search,
        runtime.query_tagger,
        runtime.fallback,
        reuse_counts=True,
    )
    return render(
        request,
        "facet.html",
        {
            "facet": facet,
            "title": FACET_TITLES[facet],
            "values": page.facets.get(facet, []),
            "filters": filters,
            "page": page,
        },
        fragment="_facet_values.html",
        alternate="/api/search?" + filters.query_string(),
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: ArticleId, session: SessionDep):
    detail = article_detail(session, article_id)
    if detail is None:
        raise HTTPException(404, f"There is no article {article_id}.")
    names = entities_by_id(session, {m["entity_id"] for m in detail["mentions"]})
    related_ids = list(dict.fromkeys(detail["same_story"] + detail.get("duplicates", [])))
    viewer = resolve(request, session)
    return render(
        request,
        "article.html",
        {
            "a": detail,
            "back": came_from(request),
            "segments": _segments(detail, names),
            "related": summaries(session, related_ids),
            "viewer": viewer,
            "notes": notes.for_article(session, viewer, article_id),
            "article_id": article_id,
        },
        alternate=f"/api/articles/{article_id}",
    )


def _segments(detail: dict, names: dict) -> list[tuple[str, Entity | None]]:
    """The body cut into plain runs and mention runs, for highlighting without raw HTML."""
    body, pos, out = detail["body"], 0, []
    for m in detail["mentions"]:
        if m["start"] < pos:
            continue
        out.append((body[pos : m["start"]], None))
        out.append((body[m["start"] : m["end"]], names.get(m["entity_id"])))
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
    counted = results_interval(own)
    latest = search_articles(
        session,
        own.replace(per_page=10),
        runtime.search,
        runtime.query_tagger,
        runtime.fallback,
        histogram=counted,
        weeks=weeks_possible(session, own, counted),
    )
    interval, counts = chart_counts(
        session, own, runtime, latest.histogram or {}, counted, latest.weeks
    )
    tl = timeline(session, own, runtime, interval, counts=counts)
    return render(
        request,
        "entity.html",
        {
            "e": entity,
            "latest": latest,
            "co": data.page_co_mentioned,
            "restrictions": data.restrictions,
            "concerns": data.concerns,
            "chart": bar_chart(tl["buckets"], tl["events"], interval),
            "timeline": tl,
            "filters": own,
            "interval": interval,
            "lists": data.lists,
            "record": data.record,
        },
        alternate=f"/api/entities/{entity_id}",
    )


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request,
    filters: FiltersDep,
    session: SessionDep,
    runtime: RuntimeDep,
    interval: Annotated[Literal["auto", "week", "month", "quarter", "year"], Query()] = "auto",
    scale: ChartScale = "count",
    markers: ChartMarkers = "relevant",
    add: Annotated[str | None, Query(max_length=200, description="an entity name to add")] = None,
):
    if add is not None:  # the picker without JavaScript: the best match of the typed name
        found = suggest_entities(session, add, types=PICKABLE, limit=1)
        if found:
            param, value = found[0]["type"], found[0]["id"]
            if value not in getattr(filters, param):
                filters = filters.replace(**{param: (*getattr(filters, param), value)})
        return RedirectResponse(_timeline_url(filters, interval, scale, markers), status_code=303)
    if not filters.entity_filters():
        filters = filters.replace(company=("nvidia", "huawei"))
    data = compare_view(session, filters, runtime, interval, scale, markers)
    chart = line_chart(
        data["series"],
        data["events"],
        data["interval"],
        data["totals"],
        span=(filters.date_from, filters.date_to),
    )
    starts = chart["starts"] if chart else []
    picked = [(s["type"], s["id"], s["name"]) for s in data["series"]]
    # The same view as JSON: every option the page read, markers included.
    json_url = (
        f"/api/timeline/compare?{filters.query_string()}"
        f"&interval={interval}&scale={scale}&markers={markers}"
    )
    return render(
        request,
        "timeline.html",
        {
            "data": data,
            "chart": chart,
            "starts": starts,
            "filters": filters,
            "interval": data["interval"],
            "asked_interval": interval,
            "scale": scale,
            "markers": markers,
            "picked": picked,
            "max_series": MAX_SERIES,
            "url_of": lambda f, **o: _timeline_url(
                f, o.get("interval", interval), o.get("scale", scale), o.get("markers", markers)
            ),
            "colours": {line["id"]: line["slot"] for line in (chart["lines"] if chart else [])},
            "json_url": json_url,
        },
        alternate=json_url,
    )


def _timeline_url(filters: Filters, interval: str, scale: str, markers: str) -> str:
    return _view_url(
        "/timeline", filters, paging=False, interval=interval, scale=scale, markers=markers
    )


@router.get("/suggest", response_class=HTMLResponse)
def entity_suggestions(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    add: Annotated[str, Query(max_length=200, description="the picker's field")] = "",
    types: Annotated[str, Query(pattern=r"^[a-z,]*$", max_length=60)] = "company,chip",
):
    """Type-ahead for the entity picker: server-rendered options (every alias, every language)."""
    typed = q or add
    wanted = tuple(t for t in types.split(",") if t in ENTITY_PARAMS) or PICKABLE
    return render(
        request,
        "_suggestions.html",
        {"q": typed, "options": suggest_entities(session, typed, wanted)},
    )
