"""The audit trail: who made each accepted write (web, API or command line)."""

import getpass
import logging

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.models import AuditEvent

log = logging.getLogger("chipwatch.audit")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def record(
    session: Session, actor: str, action: str, target: str | None = None, status: int | None = None
) -> None:
    session.add(AuditEvent(actor=actor[:120], action=action[:200], target=target, status=status))


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


class AuditMiddleware:
    """Records every write request that succeeded (status below 400) with its actor: the
    route's path template as the action and the concrete path as the target. Login forms
    record who logged in; refused writes are counted by the request log and metrics instead."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] < 400:
            try:
                await run_in_threadpool(self._write, scope, status[0])
            except Exception:
                log.exception("audit trail: could not record %s %s", scope["method"], scope["path"])

    @staticmethod
    def _write(scope: Scope, status: int) -> None:
        from app.accounts.principal import resolve

        request = Request(scope)
        route = scope.get("route")
        action = f"{scope['method']} {getattr(route, 'path', scope['path'])}"
        runtime = scope["app"].state.runtime
        session = runtime.sessions()
        try:
            principal = getattr(request.state, "principal", None) or resolve(request, session)
            record(session, principal.actor, action, scope["path"], status)
            session.commit()
        finally:
            session.close()
