"""Read access: open by default; with CHIPWATCH_READ_TOKEN set, every page, API, export and
feed needs one of

- `Authorization: Bearer <read token>` (or the admin token),
- the signed read cookie set by logging in at /login with the read token,
- an admin session (/admin),
- a user's session (/account/login) or personal API token (app/accounts),
- for /feed.atom and /export.csv only: `?token=<read token>`, so feed readers and
  spreadsheets can fetch them. The parameter is removed before the app or the logs see it.

/healthz, /readyz, /static, /login and the admin login stay open. Tokens are compared in
constant time and never logged.
"""

import hmac
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.types import ASGIApp, Receive, Scope, Send

from app.web.auth import session_csrf, token_matches
from app.web.redirects import safe_next
from app.web.rendering import error_response, render, wants_html

COOKIE = "chipwatch_read"
COOKIE_SECONDS = 30 * 24 * 3600
OPEN_PATHS = frozenset(
    {"/healthz", "/readyz", "/login", "/admin", "/admin/login", "/favicon.ico", "/account/login"}
)
OPEN_PREFIXES = ("/static/",)
QUERY_TOKEN_PATHS = frozenset({"/feed.atom", "/export.csv", "/export.xlsx"})

router = APIRouter(include_in_schema=False)


def read_token(request: Request) -> str | None:
    token = request.app.state.runtime.settings.read_token
    return token.get_secret_value() if token and token.get_secret_value() else None


def read_token_matches(request: Request, given: str) -> bool:
    expected = read_token(request)
    return bool(expected) and bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(read_token(request), salt="chipwatch-read-session")


def has_read_cookie(request: Request) -> bool:
    raw = request.cookies.get(COOKIE)
    if not raw or not read_token(request):
        return False
    try:
        return _serializer(request).loads(raw, max_age=COOKIE_SECONDS) == {"read": True}
    except BadSignature:
        return False


def may_read(request: Request) -> bool:
    """Whether this request may read: always when no read token is configured."""
    if read_token(request) is None:
        return True
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and (
        read_token_matches(request, value) or token_matches(request, value)
    ):
        return True
    if has_read_cookie(request) or session_csrf(request) is not None:
        return True
    from app.accounts.principal import resolve  # a user's session or personal token

    return resolve(request).kind == "user"


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class ReadAccessMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        query_token = None
        if path in QUERY_TOKEN_PATHS and b"token=" in scope.get("query_string", b""):
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            query_token = next((v for k, v in pairs if k == "token"), None)
            # The token never reaches the filters, the views or the access log.
            scope["query_string"] = urlencode([(k, v) for k, v in pairs if k != "token"]).encode(
                "latin-1"
            )
        request = Request(scope)
        if (
            is_open(path)
            or may_read(request)
            or (query_token is not None and read_token_matches(request, query_token))
        ):
            await self.app(scope, receive, send)
            return
        await self.refuse(request)(scope, receive, send)

    @staticmethod
    def refuse(request: Request) -> Response:
        if wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return render(request, "login.html", {"next": target, "error": None}, status_code=401)
        return error_response(
            request,
            401,
            "A read token is required: send 'Authorization: Bearer <token>', log in at /login, "
            "or add ?token= to /feed.atom and /export.csv URLs.",
            headers={"WWW-Authenticate": 'Bearer realm="chipwatch"'},
        )


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no //host or scheme): no open redirect."""
    return safe_next(target)


@router.get("/login")
def login_page(request: Request, next: str = "/"):  # noqa: A002
    if read_token(request) is None or may_read(request):
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    target = _safe_next(str(form.get("next", "/")))
    if read_token(request) is None:
        return RedirectResponse(target, status_code=303)
    if not read_token_matches(request, str(form.get("token", ""))):
        return render(
            request,
            "login.html",
            {"next": target, "error": "That token is not right."},
            status_code=401,
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps({"read": True}),
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response
