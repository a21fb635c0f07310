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
