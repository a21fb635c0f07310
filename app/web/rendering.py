"""Jinja environment and the page-or-fragment rule of htmx 4.

htmx 4 marks its own swaps with HX-Request-Type: partial; history restores and cold loads
get the whole page. Responses vary on that header so a cache never serves one for the other.
"""

from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Template

from app import PACKAGE, __version__
from app.web.cards import card_tags, day, hit_card, hit_cards, marked
from app.web.charts import (
    bar_rows,
    bars_svg,
    brush_attrs,
    event_rows,
    legend_html,
    mark_links,
    marks_svg,
)
from app.web.facet_links import facet_boxes, facet_items
from app.web.redirects import login_url

templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
# Templates change with a deploy, not while serving: without this, every render, include and
# macro import stats its file (a twentieth of a search page).
templates.env.auto_reload = False
templates.env.globals["version"] = __version__
templates.env.globals["urlencode"] = urlencode
templates.env.globals["login_url"] = login_url
templates.env.filters["day"] = day


templates.env.filters["marked"] = marked


def web_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) link, else None: never a javascript: or data: href."""
    if not url or not isinstance(url, str):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


templates.env.filters["web_url"] = web_url
templates.env.filters["hit_card"] = hit_card  # {{ hit | hit_card }}: _hit.html, rendered once
templates.env.globals["hit_cards"] = hit_cards  # {{ hit_cards(hits) }}: every hit's, in one call
templates.env.globals.update(
    facet_items=facet_items,
    facet_boxes=facet_boxes,
    marks_svg=marks_svg,
    bars_svg=bars_svg,
    bar_rows=bar_rows,
    event_rows=event_rows,
    mark_links=mark_links,
    legend_html=legend_html,
    chart_brush=brush_attrs,
)


def page_bytes(template: Template, context: dict) -> bytes:
    """template.render(context).encode(), each piece encoded apart. A search page's static text
    holds Arabic and Chinese (the search box's placeholder) and arrows: the page joined as one
    string is stored two bytes a character, and its 50 KB of mostly ASCII went through the
    slow encoder and were copied wider on the way (a twentieth of an uncached page's
    instructions, bench/reports/page9.md); an ASCII piece is encoded by a copy."""
    ctx = template.new_context(context)
    try:
        return b"".join(map(str.encode, template.root_render_func(ctx)))
    except Exception:
        template.environment.handle_exception()  # raises it, the template's lines in its traceback
        raise  # (not reached)


def is_partial(request: Request) -> bool:
    return request.headers.get("hx-request-type") == "partial"


def render(
    request: Request,
    page: str,
    context: dict,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    alternate: str | None = None,
) -> HTMLResponse:
    name = fragment if fragment and is_partial(request) else page
    context.setdefault("request", request)  # as Jinja2Templates.TemplateResponse sets it
    response = HTMLResponse(page_bytes(templates.get_template(name), context), status_code)
    response.headers["Vary"] = "HX-Request-Type"
    if alternate:
        response.headers["Link"] = f'<{alternate}>; rel="alternate"; type="application/json"'
    return response


def wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(
        ("/api", "/metrics", "/openapi.json")
    ) and "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request,
    status: int,
    message: str,
    details: list | None = None,
    headers: dict | None = None,
) -> Response:
    """The one error format: a page (or htmx fragment) for browsers, JSON for everyone else."""
    if wants_html(request) or is_partial(request):
        name = "_error.html" if is_partial(request) else "error.html"
        response: Response = templates.TemplateResponse(
            request,
            name,
            {"status": status, "message": message, "details": details or []},
            status_code=status,
        )
    else:
        body: dict = {"detail": message}
        if details:
            body["errors"] = details
        response = JSONResponse(body, status_code=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


templates.env.filters["card_tags"] = card_tags
