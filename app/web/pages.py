"""HTML views. Each calls the same data function as its JSON twin."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from app.filters import ENTITY_PARAMS
from app.models import Entity
from app.search.service import article_detail, search_articles
from app.web.deps import FiltersDep, RuntimeDep, SessionDep
from app.web.rendering import render

router = APIRouter(include_in_schema=False)
FACET_TITLES = {"company": "Companies", "chip": "Chips", "restriction": "Restrictions",
                "region": "Regions", "agency": "Agencies", "lang": "Language", "source": "Source"}


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, filters: FiltersDep, session: SessionDep, runtime: RuntimeDep):
    page = search_articles(session, filters, runtime.search, runtime.query_tagger, runtime.fallback)
    selected = [(param, value, next((f.name for f in page.facets[param] if f.id == value), value))
                for param in (*ENTITY_PARAMS, "lang", "source") for value in getattr(filters, param)]
    return render(request, "search.html", {
        "page": page, "filters": filters, "facet_titles": FACET_TITLES, "selected": selected,
    }, fragment="_search_main.html", alternate="/api/search?" + filters.query_string())


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: int, session: SessionDep):
    detail = article_detail(session, article_id)
    if detail is None:
        raise HTTPException(404, f"There is no article {article_id}.")
    names = {e.id: e for e in session.scalars(select(Entity).where(
        Entity.id.in_({m["entity_id"] for m in detail["mentions"]})))}
    return render(request, "article.html", {"a": detail, "segments": _segments(detail, names)},
                  alternate=f"/api/articles/{article_id}")


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
