"""Jinja environment and the page-or-fragment rule of htmx 4.

htmx 4 marks its own swaps with HX-Request-Type: partial; history restores and cold loads
get the whole page. Responses vary on that header so a cache never serves one for the other.
"""

from datetime import datetime
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import ROOT, __version__

templates = Jinja2Templates(directory=str(ROOT / "templates"))
templates.env.globals["version"] = __version__
templates.env.globals["urlencode"] = urlencode
templates.env.filters["day"] = lambda iso: (datetime.fromisoformat(iso).strftime("%Y-%m-%d")
                                            if isinstance(iso, str) else iso.strftime("%Y-%m-%d"))


def is_partial(request: Request) -> bool:
    return request.headers.get("hx-request-type") == "partial"


def render(request: Request, page: str, context: dict, *, fragment: str | None = None,
           status_code: int = 200, alternate: str | None = None) -> HTMLResponse:
    name = fragment if fragment and is_partial(request) else page
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request-Type"
    if alternate:
        response.headers["Link"] = f'<{alternate}>; rel="alternate"; type="application/json"'
    return response
