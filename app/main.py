"""The FastAPI application: create_app(settings) builds everything; nothing happens at import."""

import copy
import gc
import os
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import PACKAGE, __version__
from app.accounts.audit import AuditMiddleware
from app.config import Settings, get_settings
from app.filters import ENTITY_PARAMS, FilterError
from app.runtime import Runtime, build_runtime
from app.web import (
    access,
    account_routes,
    alert_routes,
    api,
    apidocs,
    confirm,
    deps,
    exports,
    gazetteer_routes,
    health,
    hosts,
    lists,
    note_routes,
    pages,
    saved_views,
    source_routes,
    views,
    xlsx_export,
)
from app.web import (
    help as help_pages,
)
from app.web.access import ReadAccessMiddleware
from app.web.limits import BodyLimitMiddleware, RateLimitMiddleware
from app.web.logging import RequestLogMiddleware, configure_logging
from app.web.page_cache import PageCache
from app.web.page_route import PageRoute
from app.web.rendering import error_response
from app.web.search_route import SearchRoute

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _entity_enums(schema: dict, runtime) -> None:
    entities = getattr(
        getattr(getattr(runtime, "enricher", None), "gazetteer", None), "entities", None
    )
    if not entities:
        return
    ids: dict[str, list[str]] = {}
    for entity in entities.values():
        ids.setdefault(entity.type, []).append(entity.id)
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            for param in op.get("parameters", []):
                if (
                    param.get("in") == "query"
                    and param["name"] in ENTITY_PARAMS
                    and ids.get(param["name"])
                ):
                    param["schema"]["items"] = {
                        "type": "string",
                        "enum": sorted(ids[param["name"]]),
                    }


def _takes_filters(dependant: Dependant) -> bool:
    return any(d.call is deps.get_filters or _takes_filters(d) for d in dependant.dependencies)


def _filter_parameters(schema: dict, routes) -> None:
    """The filter parameters (app/web/deps.py filter_query) at the end of the parameters of
    every operation that takes FiltersDep, where FastAPI put them when it read them itself."""
    params = deps.filter_parameters()
    for route in iter_route_contexts(routes):  # routes of included routers too, as FastAPI's
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        if not _takes_filters(route.dependant):
            continue
        for method in route.methods or ():
            op = schema["paths"].get(route.path_format, {}).get(method.lower())
            if op is None:
                continue
            if "parameters" in op:
                op["parameters"] += copy.deepcopy(params)
                continue
            # Where FastAPI writes them: before the request body and the responses.
            keys = list(op)
            at = next((i for i, k in enumerate(keys) if k in ("requestBody", "responses")), None)
            at = len(keys) if at is None else at
            items = list(op.items())
            op.clear()
            op.update(items[:at] + [("parameters", copy.deepcopy(params))] + items[at:])


# FastAPI's own OpenTelemetry switched off where nothing set OpenTelemetry up: FastAPI asks on
# every request whether a tracer, meter or logger provider has been configured since, three
# lookups of os.environ (a key encoded each time) and ~15-60 us of the event loop's time per
# request (bench/reports/api10.md). Left to FastAPI when the environment speaks of
# OpenTelemetry (OTEL_* variables, FASTAPI_OTEL_AUTO_CONFIGURE, `opentelemetry-instrument`,
# which sets OTEL_* or loads the SDK before the app is made).
OTEL_OFF = {"tracing": False, "metrics": False, "logs": False}


def _telemetry() -> dict | None:
    configured = "opentelemetry.sdk" in sys.modules or any(
        name.startswith(("OTEL_", "FASTAPI_OTEL_")) for name in os.environ
    )
    return None if configured else OTEL_OFF


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Everything built so far (gazetteer, tagger automaton, templates) lives as long as the
        # process: out of the collector's sight, a full collection no longer walks it in the
        # middle of a request (those pauses were the slowest searches).
        gc.freeze()
        yield
        if owns_runtime:
            app.state.runtime.close()

    owns_runtime = runtime is None
    configure_logging(settings.log_format)
    # No Swagger UI / ReDoc: they need CDN and inline script, which the CSP refuses; /docs is
    # a server-rendered page instead (app/web/apidocs.py).
    app = FastAPI(
        title="chipwatch",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="AI-chip export-control news: search, entities, timelines.",
        telemetry=_telemetry(),
    )
    app.state.runtime = runtime or build_runtime(settings)
    app.state.page_cache = PageCache(settings.page_cache_entries)
    app.router.routes.append(SearchRoute())  # ahead of the included routers: matched first
    app.router.routes.append(PageRoute())  # GET /, likewise
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    app.include_router(access.router)
    app.include_router(apidocs.router)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(health.router)
    app.include_router(views.router)
    app.include_router(source_routes.router)
    app.include_router(confirm.router)
    app.include_router(saved_views.router)
    app.include_router(saved_views.api_router)
    app.include_router(account_routes.router)
    app.include_router(account_routes.api_router)
    app.include_router(alert_routes.router)
    app.include_router(alert_routes.api_router)
    app.include_router(note_routes.router)
    app.include_router(note_routes.api_router)
    app.include_router(lists.router)
    app.include_router(gazetteer_routes.router)
    app.include_router(gazetteer_routes.api_router)
    app.include_router(lists.api_router)
    app.include_router(exports.router)
    app.include_router(xlsx_export.router)
    app.include_router(help_pages.router)

    # The last added runs first: forwarded headers from trusted proxies only (so logs and limits
    # see the real client), request log and metrics (see everything) with the security headers
    # (on every response, errors included), allowed hosts, rate limit, body cap, read access,
    # the audit trail of accepted writes, then the routes.
    app.add_middleware(AuditMiddleware)
    app.add_middleware(ReadAccessMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RateLimitMiddleware)
    allowed_hosts = hosts.allowed_hosts(settings)
    if allowed_hosts != ["*"]:  # any host: Starlette's layer would only pass every request on
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    app.add_middleware(RequestLogMiddleware, headers=SECURITY_HEADERS)
    if hosts.trusted_proxies(settings):
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=hosts.trusted_proxies(settings))

    error = error_response

    def openapi() -> dict:
        """FastAPI's schema, with the entity ids of the gazetteer as the allowed filter values
        (any other id is a 422), so clients and the fuzzer know them."""
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            _filter_parameters(schema, app.routes)
            _entity_enums(schema, app.state.runtime)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema

    @app.exception_handler(FilterError)
    async def filter_error(request: Request, exc: FilterError):
        return error(request, 422, "Invalid filters", exc.errors)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        details = [
            {"param": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "msg": e["msg"]}
            for e in exc.errors()
        ]
        return error(request, 422, "Invalid request", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return error(request, exc.status_code, str(exc.detail), headers=exc.headers)

    return app
