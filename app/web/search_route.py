"""GET /api/search without FastAPI's request handling: the hottest endpoint, and a repeated
search spends most of its web CPU in the framework around it (bench/reports/api7.md).

A plain Starlette route, placed ahead of the included routers (matched first) and out of the
schema: the documented FastAPI operation (app/web/api.py api_search) stays in /openapi.json
and answers nothing else. Same answer, same errors: the filters are parsed by the same
get_filters (its 422s raised to the app's exception handlers), the search is the same
search_json in the same thread pool, and the middleware stack sees the request as before."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from app.web.api import search_json
from app.web.deps import get_filters

PATH = "/api/search"


class SearchRoute(Route):
    def __init__(self) -> None:
        super().__init__(
            PATH, search, methods=["GET"], name="api_search_route", include_in_schema=False
        )
        # FastAPI's operation takes GET only (HEAD is a 405 with Allow: GET); Starlette would
        # add HEAD to a GET route.
        self.methods = {"GET"}

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            # As FastAPI's routes do: the request log labels the request with this template.
            child_scope["route"] = self
        return match, child_scope


async def search(request: Request) -> Response:
    filters = await get_filters(request)
    return await run_in_threadpool(search_json, request.app.state.runtime, filters)
