"""GET / (the search page) without FastAPI's request handling, as GET /api/search
(app/web/search_route.py): a plain Starlette route placed ahead of the included routers.
FastAPI's operation (app/web/pages.py search_page) stays declared and answers nothing else.

Same page, same errors: the chart's scale and markers are checked here as FastAPI checked
them (the last value of a repeated parameter; a value outside the choices is the same
RequestValidationError, rendered by the app's handler), and the page is made by the same
search_page in a worker thread: /api/search's own pool (SearchThreads), not anyio's, whose
capacity limiter, cancel scope and backend lookups cost as much as the hop itself
(bench/reports/api8.md, page10.md). Both make one Meilisearch request per call, and the
Meilisearch client keeps as many sockets as the pool has threads."""

from typing import cast, get_args

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.web.pages import ChartMarkers, ChartScale, search_page
from app.web.search_route import THREADS_OF_SEARCH, PlainGetRoute

PATH = "/"
# (parameter, its choices, its default) from the declarations FastAPI read
CHOICES = [
    (name, get_args(get_args(kind)[0]), default)
    for name, kind, default in (
        ("scale", ChartScale, "count"),
        ("markers", ChartMarkers, "relevant"),
    )
]


class PageRoute(PlainGetRoute):
    def __init__(self) -> None:
        super().__init__(PATH, page, "search_page_route")


def chart_options(request: Request) -> dict[str, str]:
    """scale and markers as FastAPI validated them (Literal query parameters)."""
    params, out, errors = request.query_params, {}, []
    for name, choices, default in CHOICES:
        value = params.get(name, default)
        if value not in choices:
            expected = " or ".join(f"'{c}'" for c in choices)
            errors.append(
                {
                    "type": "literal_error",
                    "loc": ("query", name),
                    "msg": f"Input should be {expected}",
                    "input": value,
                    "ctx": {"expected": expected},
                }
            )
        out[name] = value
    if errors:
        raise RequestValidationError(errors)
    return out


async def page(request: Request) -> Response:
    options = chart_options(request)
    scale = cast(ChartScale, options["scale"])
    markers = cast(ChartMarkers, options["markers"])
    return await THREADS_OF_SEARCH.run(
        search_page, request, request.app.state.runtime, scale, markers
    )
