"""Each restriction link stored with its role and reason, shown on the article page and in
/api/articles/{id}, and filtered with restriction_role (#20). Runs on SQLite and PostgreSQL."""

import json

H20 = "2025-04-h20-licence-requirement"
NEWS = {"title": "Nvidia warns of a $5.5bn charge", "url": "https://example.test/h20-news",
        "body": "Nvidia said US officials told it that shipments of its H20 to China now need a "
                "licence, for an indefinite period.",
        "published_at": "2025-04-16T08:00:00Z", "lang": "en", "source": "test"}
LATER = {"title": "Chinese groups train models abroad", "url": "https://example.test/offshore",
         "body": "Alibaba trains its models in Malaysia. The shift has grown since April, when "
                 "Washington restricted sales of the H20.",
         "published_at": "2025-11-20T08:00:00Z", "lang": "en", "source": "test"}


def _ids(client, **params):
    return {h["url"]: h["id"] for h in client.get("/api/search", params={**params, "per_page": 100}).json()["hits"]}


def test_links_carry_role_and_reason_in_the_api_and_on_the_page(client, ingest, tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in (NEWS, LATER)), encoding="utf-8")
    assert ingest(path).added == 2
    ids = _ids(client)
    news = client.get(f"/api/articles/{ids[NEWS['url']]}").json()
    later = client.get(f"/api/articles/{ids[LATER['url']]}").json()
    [news_link] = [r for r in news["restrictions"] if r["id"] == H20]
    [later_link] = [r for r in later["restrictions"] if r["id"] == H20]
    assert news_link["role"] == "reported" and later_link["role"] == "context"
    # The back-reference is linked by what the sentence says: the chip, the actor, the month.
    assert "H20" in later_link["reason"] and "April 2025" in later_link["reason"]
    page = client.get(f"/articles/{ids[LATER['url']]}").text
    assert "Linked because:" in page and "April 2025" in page and "role-context" in page

    assert set(_ids(client, restriction=H20, restriction_role="reported")) == {NEWS["url"]}
    assert set(_ids(client, restriction=H20, restriction_role="context")) == {LATER["url"]}
    assert set(_ids(client, restriction=H20)) == {NEWS["url"], LATER["url"]}
    bad = client.get("/api/search", params={"restriction_role": "background"})
    assert bad.status_code == 422 and "restriction_role" in bad.text


def _links(session, article_id):
    from sqlalchemy import select

    from app.models import ArticleEntity

    return {eid: (role, why) for eid, role, why in session.execute(
        select(ArticleEntity.entity_id, ArticleEntity.role, ArticleEntity.link_reason)
        .where(ArticleEntity.article_id == article_id, ArticleEntity.entity_type == "restriction"))}


def test_every_article_write_stores_role_and_reason(runtime):
    """ArticleWriter writes the links' role and reason on each of its paths: a batch, one
    article, an update in place and a re-tag (not only the bulk insert)."""
    from app.article.service import ArticleWriter
    from app.gazetteer.sync import sync_entities
    from app.ingest.items import RawItem
    from app.ingest.normalize import content_hash
    from app.ingest.pipeline import analyse
    from app.models import Article, ArticleEntity

    writer = ArticleWriter(runtime.enricher, outbox=False)

    def analysed(a):
        return analyse(RawItem("test", a["body"], title=a["title"], url=a["url"],
                               published_at=a["published_at"], lang=a["lang"]), None, runtime.enricher)

    news, later = analysed(NEWS), analysed(LATER)
    assert news.links[H20][0] == "reported" and later.links[H20][0] == "context"
    with runtime.sessions.begin() as session:
        sync_entities(session, runtime.enricher.gazetteer)  # what Ingestor does first
    with runtime.sessions.begin() as session:
        pending = writer.pending(news)
        batch = writer.store_batch(session, [news], [pending], [None], writer_known(session, pending))
        one = writer.store(session, later, None)
    with runtime.sessions.begin() as session:
        assert _links(session, batch.ids[0])[H20] == news.links[H20]
        assert _links(session, one)[H20] == later.links[H20]
        # Update in place (a feed entry edited): the links of the new text, with their roles.
        article = session.get(Article, one)
        body = LATER["body"] + " Alibaba declined to comment."
        expected = runtime.enricher.enrich(LATER["title"], body, article.published_at).restrictions[H20]
        session.query(ArticleEntity).filter(ArticleEntity.article_id == one).update(
            {"role": None, "link_reason": None})
        writer.update(session, article, title=LATER["title"], body=body,
                      content_hash=content_hash(body), author=None, published_at=None)
    with runtime.sessions.begin() as session:
        assert _links(session, one)[H20] == (expected.role, expected.reason) == ("context", expected.reason)
        # Re-tag after the roles were lost (as for articles stored before roles existed).
        session.query(ArticleEntity).filter(ArticleEntity.article_id == batch.ids[0]).update(
            {"role": None, "link_reason": None})
    with runtime.sessions.begin() as session:
        assert _links(session, batch.ids[0])[H20] == (None, None)
        writer.retag(session, session.get(Article, batch.ids[0]))
    with runtime.sessions.begin() as session:
        assert _links(session, batch.ids[0])[H20] == news.links[H20]


def writer_known(session, pending):
    from app.article import repository

    return repository.prefetch(session, [pending])
