"""Liveness and readiness."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from app.db import ping
from app.metrics import render_metrics
from app.search.repository import outbox_lag
from app.web.deps import RuntimeDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal["ready", "not ready"]
    database: str
    search: str
    engine: str
    index_lag: int | None = None


@router.get("/healthz", response_model=Health)
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(runtime: RuntimeDep) -> Response:
    """Prometheus text format; follows the read-access rule like every other read."""
    body, content_type = render_metrics(runtime)
    return Response(body, media_type=content_type)


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready"}},
)
def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks: dict[str, object] = {}
    try:
        with runtime.sessions() as session:
            ping(session)
            checks["index_lag"] = outbox_lag(session)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["database"] = f"error: {type(exc).__name__}"
    checks["search"] = "ok" if runtime.search.healthy() else "unreachable"
    checks["engine"] = runtime.search.engine
    ready = checks["database"] == "ok" and checks["search"] == "ok"
    return JSONResponse(
        {"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503
    )
