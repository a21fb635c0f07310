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
