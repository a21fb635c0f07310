"""Notes on articles (issue #15 part 4): private or team, on the article page, in the JSON
twin and in CSV exports of a logged-in user."""

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from app.accounts import service
from tests.conftest import ADMIN_TOKEN

PASSWORD = "correct horse battery"
H20 = {"title": "Nvidia H20 licences", "lang": "en", "published_at": "2025-04-16",
       "body": "The US told Nvidia that exports of its H20 chip to China now need a licence."}


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(runtime):
    with runtime.sessions.begin() as session:
        return {name: service.issue_token(session, service.add_user(session, name, "reader", PASSWORD))[1]
                for name in ("alice", "bob")}


def test_private_and_team_notes(client, tokens):
    (article,) = client.post("/api/articles", json=H20, headers=auth(ADMIN_TOKEN)).json()["article_ids"]
    alice, bob = auth(tokens["alice"]), auth(tokens["bob"])
    private = client.post(f"/api/articles/{article}/notes", json={"body": "Check the licence date"}, headers=alice)
    assert private.status_code == 201 and private.json()["visibility"] == "private"
    team = client.post(f"/api/articles/{article}/notes", json={"body": "=cmd| for the team", "visibility": "team"},
                       headers=alice).json()
    assert client.post(f"/api/articles/{article}/notes", json={"body": ""}, headers=alice).status_code == 422
    assert client.post("/api/articles/999999/notes", json={"body": "x"}, headers=alice).status_code == 404
    assert client.post(f"/api/articles/{article}/notes", json={"body": "x"}).status_code == 401
    assert [n["body"] for n in client.get(f"/api/articles/{article}/notes", headers=alice).json()["notes"]] == [
        "Check the licence date", "=cmd| for the team"]
    assert [n["body"] for n in client.get(f"/api/articles/{article}/notes", headers=bob).json()["notes"]] == [
        "=cmd| for the team"]
    assert client.get(f"/api/articles/{article}/notes").json()["notes"] == []
    # In CSV exports of a user: the notes they may read, formula-safe; anonymous exports unchanged.
    rows = list(csv.reader(io.StringIO(client.get("/export.csv?chip=h20", headers=alice).text.lstrip("\ufeff"))))
    assert rows[0][-1] == "notes" and rows[1][-1] == "alice: Check the licence date | alice: =cmd| for the team"
    rows = list(csv.reader(io.StringIO(client.get("/export.csv?chip=h20", headers=bob).text.lstrip("\ufeff"))))
    assert rows[1][-1] == "alice: =cmd| for the team"  # bob reads the team note only
    assert "notes" not in client.get("/export.csv?chip=h20").text.splitlines()[0]
    # Only the author deletes.
    assert client.delete(f"/api/notes/{team['id']}", headers=bob).status_code == 403
    assert client.delete(f"/api/notes/{private.json()['id']}", headers=bob).status_code == 404
    assert client.delete(f"/api/notes/{team['id']}", headers=alice).status_code == 204


def test_notes_on_the_article_page(client, tokens):
    (article,) = client.post("/api/articles", json=H20, headers=auth(ADMIN_TOKEN)).json()["article_ids"]
    assert "Add a note" not in client.get(f"/articles/{article}").text
    assert client.post("/account/login", data={"name": "bob", "password": PASSWORD}, follow_redirects=False).status_code == 303
    page = client.get(f"/articles/{article}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post(f"/articles/{article}/notes", data={"body": "x", "csrf": "forged"}).status_code == 403
    saved = client.post(f"/articles/{article}/notes", data={"body": "مذكرة بالعربية", "visibility": "private",
                                                             "csrf": csrf}, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(f"/articles/{article}").text
    assert '<p dir="auto">مذكرة بالعربية</p>' in page
    note_id = re.search(r'action="/notes/(\d+)/delete"', page).group(1)
    other = TestClient(client.app)
    other.post("/account/login", data={"name": "alice", "password": PASSWORD})
    assert "مذكرة بالعربية" not in other.get(f"/articles/{article}").text
    assert client.post(f"/notes/{note_id}/delete", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert "مذكرة بالعربية" not in client.get(f"/articles/{article}").text


BODIES = ["Nvidia said the H20 licence requirement would cost it billions in lost sales to China.",
          "Huawei began shipping Ascend 910C accelerators to Chinese cloud providers this month.",
          "TSMC reported record revenue while reviewing which customers may receive advanced nodes.",
          "The Commerce Department added several Chinese firms to the Entity List on Tuesday."]
ARTICLES = [{"title": f"Export controls update {n}", "lang": "en", "published_at": f"2025-04-{10 + n:02d}",
             "body": body} for n, body in enumerate(BODIES)]


def test_has_note_filter(client, tokens):
    """has_note=1 on /api/search, /, the CSV export and the timeline: the notes the caller may
    read (own private + team; anonymous and the admin token: the team's)."""
    ids = client.post("/api/articles", json=ARTICLES, headers=auth(ADMIN_TOKEN)).json()["article_ids"]
    alice, bob = auth(tokens["alice"]), auth(tokens["bob"])
    for article, body, visibility, who in ((ids[0], "a private", "private", alice),
                                           (ids[1], "a team note", "team", alice),
                                           (ids[2], "b private", "private", bob)):
        assert client.post(f"/api/articles/{article}/notes", json={"body": body, "visibility": visibility},
                           headers=who).status_code == 201

    def found(headers: dict | None = None, query: str = "has_note=1") -> set[int]:
        answer = client.get(f"/api/search?{query}", headers=headers or {})
        assert answer.status_code == 200, answer.text
        if "page=" not in query:
            assert answer.json()["total"] == len(answer.json()["hits"])
        return {h["id"] for h in answer.json()["hits"]}

    assert found(alice) == {ids[0], ids[1]}
    assert found(bob) == {ids[1], ids[2]}
    assert found() == {ids[1]} == found(auth(ADMIN_TOKEN))
    assert found(alice, "has_note=0") == set(ids) == found(alice, "has_note=")
    assert found(alice, "has_note=1&per_page=1&page=2") == {ids[0]}  # newest first: 1, then 0
    assert client.get("/api/search?has_note=maybe").status_code == 422
    timeline = client.get("/api/timeline?has_note=1&interval=month", headers=bob).json()
    assert sum(b["count"] for b in timeline["buckets"]) == 2
    rows = list(csv.reader(io.StringIO(client.get("/export.csv?has_note=1", headers=bob).text.lstrip("\ufeff"))))
    assert len(rows) == 3
    # The page: a checkbox for logged-in users, a chip to remove the filter.
    assert 'name="has_note"' not in client.get("/").text
    client.post("/account/login", data={"name": "alice", "password": PASSWORD})
    page = client.get("/?has_note=1").text
    assert re.search(r'name="has_note" value="1"\s+checked', page)
    assert 'data-key="chip:has_note:1"' in page and "a private" not in page
    assert "Export controls update 0" in page and "Export controls update 2" not in page
    assert re.search(r'name="has_note" value="1"\s+>', client.get("/").text)


def test_a_saved_has_note_view_counts_its_owners_notes(client, tokens):
    """A saved view with has_note=1 counts new articles with a note its owner may read."""
    alice, bob = auth(tokens["alice"]), auth(tokens["bob"])
    view = client.post("/api/views", json={"name": "Noted", "query": "has_note=1"}, headers=alice)
    assert view.status_code == 201 and view.json()["query"] == "has_note=1"
    ids = client.post("/api/articles", json=ARTICLES, headers=auth(ADMIN_TOKEN)).json()["article_ids"]
    for article, visibility, who in ((ids[0], "private", alice), (ids[1], "private", bob),
                                     (ids[2], "team", bob)):
        assert client.post(f"/api/articles/{article}/notes", json={"body": "n", "visibility": visibility},
                           headers=who).status_code == 201
    mine = client.get(f"/api/views/{view.json()['id']}", headers=alice).json()
    assert mine["new_since_opened"] == 2  # her private note and bob's team note, not his private one
