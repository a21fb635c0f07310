"""The FastAPI application: create_app(settings) builds everything; nothing happens at import."""

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import ROOT, __version__
from app.config import Settings, get_settings
from app.filters import FilterError
from app.runtime import Runtime, build_runtime
from app.web import api, exports, health, pages, views
from app.web.rendering import is_partial, templates

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if owns_runtime:
            app.state.runtime.close()

    owns_runtime = runtime is None
    app = FastAPI(title="chipwatch", version=__version__, lifespan=lifespan,
                  description="AI-chip export-control news: search, entities, timelines.")
    app.state.runtime = runtime or build_runtime(settings)
    app.mount("/static", StaticFiles(directory=str(ROOT / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(health.router)
    app.include_router(views.router)
    app.include_router(views.api_router)
    app.include_router(exports.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def error(request: Request, status: int, message: str, details: list | None = None):
        if _wants_html(request) or is_partial(request):
            name = "_error.html" if is_partial(request) else "error.html"
            return templates.TemplateResponse(request, name,
                                              {"status": status, "message": message,
                                               "details": details or []}, status_code=status)
        body = {"detail": message}
        if details:
            body["errors"] = details
        return JSONResponse(body, status_code=status)

    @app.exception_handler(FilterError)
    async def filter_error(request: Request, exc: FilterError):
        return error(request, 422, "Invalid filters", exc.errors)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        details = [{"param": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                    "msg": e["msg"]} for e in exc.errors()]
        return error(request, 422, "Invalid request", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        response = error(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    return app
