"""One data function per view: the article and the entity, as their page and their JSON twin get
them, hold to the documented shapes (app/article/schemas.py, app/web/schemas.py)."""

from app.article.detail import article_detail
from app.entities import co_mentioned, entity_data
from app.web.schemas import ArticleOut, EntityDetailOut, Summary


def test_article_detail_and_summaries_hold_to_their_schemas(runtime, sample):
    from app.search.service import summaries

    with runtime.sessions() as session:
        detail = article_detail(session, 1)
        hits = summaries(session, [1, 2, 3])
    assert detail is not None and detail["mentions"] and detail["id"] == 1
    assert ArticleOut.model_validate(detail).model_dump(mode="json", exclude_unset=True) == detail
    assert [Summary.model_validate(h).model_dump(mode="json", exclude_unset=True) for h in hits] == hits


def test_entity_page_and_json_come_from_one_data_function(runtime, sample, client):
    with runtime.sessions() as session:
        data = entity_data(session, "nvidia")
        # the page's companies and chips are those the page asked the database for before
        assert data.page_co_mentioned == co_mentioned(session, "nvidia", types=("company", "chip"), limit=24)
        assert data.to_json()["co_mentioned"] == co_mentioned(session, "nvidia", limit=30)
        assert entity_data(session, "no-such-entity") is None
    body = client.get("/api/entities/nvidia").json()
    assert body.pop("date") is None  # the response model's default for an entity without one
    assert body == data.to_json()
    assert EntityDetailOut.model_validate(body).model_dump(mode="json", exclude_unset=True, by_alias=True) == body
    page = client.get("/entities/nvidia").text
    assert all(c["name"] in page for c in data.page_co_mentioned)
