"""The search syntax help page (linked from every search that says its query back)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/help/search", response_class=HTMLResponse)
def search_help(request: Request):
    return render(request, "help_search.html", {})
