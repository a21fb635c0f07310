"""Liveness and readiness."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text

from app.models import IndexOutbox
from app.web.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks: dict[str, object] = {}
    try:
        with runtime.sessions() as session:
            session.execute(text("SELECT 1"))
            checks["index_lag"] = session.scalar(select(func.count()).select_from(IndexOutbox))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["database"] = f"error: {type(exc).__name__}"
    checks["search"] = "ok" if runtime.search.healthy() else "unreachable"
    checks["engine"] = runtime.search.engine
    ready = checks["database"] == "ok" and checks["search"] == "ok"
    return JSONResponse({"status": "ready" if ready else "not ready", **checks},
                        status_code=200 if ready else 503)
