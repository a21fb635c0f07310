"""JSON API: the twins of the HTML views, and article ingestion."""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)

from app.article.detail import article_detail
from app.db import lazy_session_scope
from app.entities import entity_data, entity_json
from app.filters import Filters
from app.gazetteer import repository as entity_repo
from app.ingest.items import RawItem, Rejected
from app.ingest.normalize import article_url
from app.ingest.pipeline import Ingestor
from app.runtime import Runtime
from app.search.service import find_articles
from app.timeline import compare_view, period_counts, timeline
from app.urls import BadUrl
from app.web.deps import AdminDep, ArticleId, FiltersDep, RuntimeDep, SessionDep
from app.web.schemas import (
    READ_ERRORS,
    ArticleOut,
    CompareOut,
    EntitiesOut,
    EntityDetailOut,
    IngestErrorOut,
    IngestOut,
    SearchOut,
    TimelineOut,
    errors,
)
from app.web.search_answers import SearchAnswers

router = APIRouter(prefix="/api", tags=["api"], responses=READ_ERRORS)
SEARCH_ANSWERS = SearchAnswers()  # one per process, whatever the app
EntityType = Literal["company", "chip", "restriction", "region", "agency"]


class ArticleIn(BaseModel):
    title: str | None = Field(None, max_length=1000)
    body: str | None = Field(None, max_length=1_000_000)
    html: str | None = Field(None, max_length=2_000_000)
    url: str | None = Field(None, max_length=2000)
    published_at: str | None = Field(None, max_length=100)
    source: str | None = Field(None, max_length=200)
    lang: str | None = Field(None, max_length=35)  # a BCP 47 tag: zh-Hant-TW is zh
    author: str | None = Field(None, max_length=500)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        """NUL characters carry no meaning in an article and PostgreSQL refuses them in text."""
        return value.replace("\x00", "") if isinstance(value, str) else value


@dataclass(frozen=True)
class UnusableItem:
    """An item ArticleIn refuses (a field over its length or not a string, an item that is no
    object): the item's rejection, recorded with the others, while the rest are ingested."""

    problems: tuple[tuple[str, str], ...]  # (field, what is wrong); field "" for the whole item


def _problems(exc: ValidationError) -> tuple[tuple[str, str], ...]:
    """What is wrong, without the input itself (megabytes, or text PostgreSQL refuses)."""
    found = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"])
        if error["type"] in ("model_type", "model_attributes_type"):
            msg = "not a JSON object"
        elif error["type"] == "string_too_long":
            msg = f"{error['msg']} (got {len(error['input'])})"
        else:
            msg = error["msg"]
        found.append((field, msg))
    return tuple(found)


def _item_or_unusable(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as exc:
        return UnusableItem(_problems(exc))


def _single_item_or_unusable(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if isinstance(value, list):
        return handler(value)  # refused here: the list form of the body takes it
    return _item_or_unusable(value, handler)


# The body's items are checked one by one (the schema stays ArticleIn's): one bad item is that
# item's rejection, as in every other input path, not a 422 for the whole request.
ListedItem = Annotated[ArticleIn, WrapValidator(_item_or_unusable)]
SingleItem = Annotated[ArticleIn, WrapValidator(_single_item_or_unusable)]


def search_json(runtime: Runtime, filters: Filters) -> Response:
    """/api/search's answer (run in a worker thread): in its own session, begun and ended here,
    as the search page's: SessionDep's generator (its exit stacks, the session closed back on
    the event loop) cost 2-5 % of a repeated search's instructions (bench/reports/loadgen.md).
    Meilisearch is asked every time; the JSON made of an answer is remembered for the same
    search (app/web/search_answers.py)."""
    if runtime.gazetteer_due():  # another process accepted a gazetteer change: tag with it
        runtime.refresh_gazetteer()
    tagger = runtime.query_tagger
    with lazy_session_scope(runtime.sessions) as session:
        found = find_articles(session, filters, runtime.search, tagger, runtime.fallback)
        # SearchOut documents the shape (tests hold the data to it); re-validating every hit
        # of every answer was a third of the route's own time.
        body = SEARCH_ANSWERS.answer(session, found, tagger)
    return Response(body, media_type="application/json")


# The documented operation (its schema in /openapi.json). GET requests are answered by the
# same search_json through app/web/search_route.py, matched ahead of every included router.
@router.get("/search", response_model=SearchOut)
def api_search(filters: FiltersDep, runtime: RuntimeDep) -> Response:
    return search_json(runtime, filters)


@router.get("/articles/{article_id}", response_model=ArticleOut, responses=errors(404))
def api_article(article_id: ArticleId, session: SessionDep) -> dict:
    detail = article_detail(session, article_id)
    if detail is None:
        raise HTTPException(404, f"no article {article_id}")
    return detail


@router.post(
    "/articles",
    dependencies=[AdminDep],
    response_model=IngestOut,
    responses={
        **errors(403, 413),
        422: {
            "model": IngestErrorOut,
            "description": "Some items have a field that cannot be used (an invalid URL, a "
            "field over its length or not a string) or are no object: the others were ingested, "
            "the bad ones recorded as rejections; `errors` names each bad item's index and field",
        },
    },
)
def api_ingest(
    runtime: RuntimeDep, payload: Annotated[SingleItem | list[ListedItem], Body()]
) -> dict | JSONResponse:
    items = payload if isinstance(payload, list) else [payload]
    if len(items) > 1000:
        raise HTTPException(413, "at most 1000 articles per request")
    ingestor = Ingestor.for_runtime(runtime)
    raw: list[RawItem | Rejected] = []
    bad: list[dict] = []
    for i, item in enumerate(items):
        origin = f"api[{i}]"
        # Refused here with its index and field; still recorded with the other rejections.
        where = f"{i}." if isinstance(payload, list) else ""
        if isinstance(item, UnusableItem):
            for field, msg in item.problems:
                param = (where + field).rstrip(".") or "body"
                bad.append({"param": param, "index": i, "field": field or None, "msg": msg})
            reason = "; ".join(f"{field}: {msg}" if field else msg for field, msg in item.problems)
            raw.append(Rejected(origin, reason, stage="read"))
            continue
        try:
            article_url(item.url)
        except BadUrl as exc:
            bad.append({"param": where + "url", "index": i, "field": "url", "msg": str(exc)})
            raw.append(Rejected(origin, f"bad url {item.url[:200]!r}: {exc}", stage="url"))
            continue
        raw.append(RawItem(origin=origin, **item.model_dump()))
    report = ingestor.ingest(raw).to_dict()
    if bad:
        unusable = len({e["index"] for e in bad})
        stored = (
            f"; the other {len(items) - unusable} were ingested" if len(items) > unusable else ""
        )
        return JSONResponse(
            {
                "detail": f"{unusable} of {len(items)} items cannot be used{stored}",
                "errors": bad,
                **report,
            },
            status_code=422,
        )
    return report


@router.get("/entities", response_model=EntitiesOut)
def api_entities(session: SessionDep, type: EntityType | None = None) -> dict:  # noqa: A002
    counts = entity_repo.article_counts(session)
    return {
        "entities": [
            entity_json(e, counts.get(e.id, 0))
            for e in entity_repo.entities_in_order(session, type)
        ]
    }


@router.get("/entities/{entity_id}", response_model=EntityDetailOut, responses=errors(404))
def api_entity(entity_id: str, session: SessionDep) -> dict:
    data = entity_data(session, entity_id)
    if data is None:
        raise HTTPException(404, f"no entity {entity_id!r}")
    return data.to_json()


@router.get("/timeline", response_model=TimelineOut)
def api_timeline(
    filters: FiltersDep,
    session: SessionDep,
    runtime: RuntimeDep,
    interval: Annotated[Literal["week", "month", "quarter", "year"], Query()] = "month",
    markers: Annotated[Literal["relevant", "all"], Query()] = "relevant",
) -> dict:
    counts = period_counts(session, filters, runtime, interval)
    return timeline(
        session, filters, runtime, interval, counts=counts, all_markers=markers == "all"
    )


@router.get("/timeline/compare", response_model=CompareOut)
def api_timeline_compare(
    filters: FiltersDep,
    session: SessionDep,
    runtime: RuntimeDep,
    interval: Annotated[Literal["auto", "week", "month", "quarter", "year"], Query()] = "auto",
    scale: Annotated[Literal["count", "share"], Query()] = "count",
    markers: Annotated[Literal["relevant", "all"], Query()] = "relevant",
) -> dict:
    """The /timeline view: one series per selected entity (at most 8); interval=auto follows the range."""
    data = compare_view(session, filters, runtime, interval, scale, markers)

    def buckets(counts: dict) -> list[dict]:
        return [{"start": d.isoformat(), "count": n} for d, n in sorted(counts.items())]

    return {
        "interval": data["interval"],
        "events": data["events"],
        "totals": buckets(data["totals"]) if data["totals"] is not None else None,
        "series": [
            {"id": s["id"], "type": s["type"], "name": s["name"], "buckets": buckets(s["buckets"])}
            for s in data["series"]
        ],
    }
