"""Alerts on saved views, as JSON: subscribe a webhook or an email address to a view, list
one's subscriptions on a view, remove one. Writes take a bearer token (personal), like the
other JSON writes."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.accounts import views as saved
from app.accounts.principal import Principal, check_csrf, resolve
from app.alerts import service as alerts
from app.alerts.models import AlertSubscription
from app.alerts.send import check_webhook
from app.web.deps import MAX_ID, SessionDep, ViewId
from app.web.schemas import errors

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["alerts"], responses=errors(401, 403, 404, 422, 429))
AlertId = Annotated[int, Path(ge=1, le=MAX_ID, description="Alert id")]


class AlertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    webhook: Annotated[
        str | None, Field(max_length=2000, description="http(s) URL to POST new articles to")
    ] = None
    email: Annotated[str | None, Field(max_length=320, description="Address for email alerts")] = (
        None
    )
    cadence: Literal["immediate", "daily", "weekly"] = "immediate"
    format: Literal["json", "slack", "teams"] = Field(
        "json", description="Webhook payload: chipwatch JSON, Slack or Teams incoming-webhook text"
    )


class AlertOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    view_id: int
    cadence: str
    pending: int
    last_error: str | None


class AlertsOut(BaseModel):
    alerts: list[AlertOut]


def _user(request: Request, session, *, write: bool) -> Principal:
    principal = resolve(request, session)
    if principal.kind != "user" or (write and principal.via != "bearer"):
        raise HTTPException(
            401,
            "Alerts belong to users: send 'Authorization: Bearer <personal API token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def _view(session, view_id: int, principal: Principal):
    try:
        return saved.get(session, view_id, principal)
    except saved.ViewError as exc:
        raise HTTPException(exc.status, exc.message) from None


def _subscribe(
    request: Request, session, principal: Principal, view_id: int, body: AlertIn
) -> dict:
    view = _view(session, view_id, principal)
    settings = request.app.state.runtime.settings
    try:
        sub = alerts.subscribe(
            session,
            view,
            principal.user_id,
            webhook=body.webhook,
            email=body.email,
            cadence=body.cadence,
            format=body.format,
            check_url=lambda url: check_webhook(settings, url),
        )
    except alerts.AlertError as exc:
        raise HTTPException(exc.status, exc.message) from None
    return alerts.to_json(sub)


@api_router.post("/views/{view_id}/alerts", response_model=AlertOut, status_code=201)
async def create_alert(
    view_id: ViewId, body: AlertIn, request: Request, session: SessionDep
) -> dict:
    """Subscribe to a view: articles that match it from now on are delivered once each."""

    def work() -> dict:
        return _subscribe(request, session, _user(request, session, write=True), view_id, body)

    return await run_in_threadpool(work)  # the webhook's host is resolved: not on the event loop


@router.post("/views/{view_id}/alerts")
async def create_alert_form(view_id: ViewId, request: Request, session: SessionDep):
    """The subscribe form on /views: `target` is a URL (webhook) or an address (email)."""
    form = dict(await request.form())
    principal = await run_in_threadpool(resolve, request, session)
    check_csrf(principal, form)
    if principal.kind != "user":
        raise HTTPException(401, "Alerts belong to users: log in at /account/login.")
    target = str(form.get("target", "")).strip()
    cadence = str(form.get("cadence", "immediate"))
    try:
        body = (
            AlertIn(webhook=target, cadence=cadence)
            if target.lower().startswith(("http://", "https://"))
            else AlertIn(email=target, cadence=cadence)
        )
    except ValueError:
        raise HTTPException(
            422, "cadence: use immediate, daily or weekly; target: a URL or an email address."
        ) from None
    await run_in_threadpool(_subscribe, request, session, principal, view_id, body)
    return RedirectResponse("/account", status_code=303)


@api_router.get("/views/{view_id}/alerts", response_model=AlertsOut)
def view_alerts(view_id: ViewId, request: Request, session: SessionDep) -> dict:
    """The caller's own alerts on a view, with pending deliveries and the last failure."""
    principal = _user(request, session, write=False)
    _view(session, view_id, principal)
    subs = alerts.of_user(session, principal.user_id, view_id)
    pending = alerts.pending_counts(session, [s.id for s in subs])
    return {"alerts": [alerts.to_json(s, pending.get(s.id, 0)) for s in subs]}


@api_router.delete("/alerts/{alert_id}", status_code=204)
def delete_alert(alert_id: AlertId, request: Request, session: SessionDep) -> Response:
    principal = _user(request, session, write=True)
    sub = session.get(AlertSubscription, alert_id)
    if sub is None:
        raise HTTPException(404, f"There is no alert {alert_id}.")
    if sub.user_id != principal.user_id:
        raise HTTPException(403, f"Alert {alert_id} is not yours.")
    session.delete(sub)
    return Response(status_code=204)
