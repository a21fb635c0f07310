"""Accounts (issue #15 part 1-2, #23 sessions): users and roles, logins with backoff, sessions
that die at logout, personal API tokens, saved views with owners, and the command line."""

import json
import os
import re
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.accounts import service
from app.accounts.models import ApiToken, AuditEvent, User
from tests.conftest import ADMIN_TOKEN

PASSWORD = "correct horse battery"
H20 = {"title": "Nvidia H20 licences", "lang": "en", "published_at": "2025-04-16",
       "body": "The US told Nvidia that exports of its H20 chip to China now need a licence."}
H20_LATER = {"title": "H20 shipments resume", "lang": "en", "published_at": "2025-07-15",
             "body": "Washington said it would grant licences, and H20 deliveries to Chinese buyers may restart soon."}
OTHER = {"title": "Rice harvest", "lang": "en", "published_at": "2025-04-17",
         "body": "Farmers reported a record rice harvest this autumn in the river valley."}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def users(runtime):
    """alice and bob (readers), erin (editor), ada (admin), each with a personal token."""
    tokens = {}
    with runtime.sessions.begin() as session:
        for name, role in (("alice", "reader"), ("bob", "reader"), ("erin", "editor"), ("ada", "admin")):
            user = service.add_user(session, name, role, PASSWORD)
            tokens[name] = service.issue_token(session, user, "test")[1]
    return tokens


def browser(client: TestClient) -> TestClient:
    """A second client on the same app: another browser with its own cookies."""
    return TestClient(client.app)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    answer = client.post("/account/login", data={"name": name, "password": password}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/account").text).group(1)


def ingest(client: TestClient, *articles: dict) -> list[int]:
    answer = client.post("/api/articles", json=list(articles), headers=bearer(ADMIN_TOKEN))
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["article_ids"]


# --- sessions -------------------------------------------------------------------------------

def test_a_cookie_replayed_after_logout_is_refused(client, users):
    csrf = login(client, "alice")
    stolen = client.cookies.get("chipwatch_session")
    assert client.get("/api/account").json() == {"kind": "user", "name": "alice", "role": "reader"}
    assert client.post("/account/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    replay = browser(client)
    replay.cookies.set("chipwatch_session", stolen)
    assert replay.get("/api/account").json()["kind"] == "anonymous"
    answer = replay.post("/views", data={"name": "x", "query": "chip=h20", "csrf": csrf})
    assert answer.status_code == 401
    assert client.get("/api/views", headers=bearer(users["alice"])).json()["views"] == []


def test_password_change_and_logout_everywhere_end_other_sessions(client, users):
    laptop, phone = client, browser(client)
    csrf = login(laptop, "alice")
    login(phone, "alice")
    phone_cookie = phone.cookies.get("chipwatch_session")
    new = "a much longer new password"
    assert laptop.post("/account/password", data={"csrf": csrf, "current": "wrong", "new": new}).status_code == 403
    assert laptop.post("/account/password", data={"csrf": csrf, "current": PASSWORD, "new": "short"}).status_code == 422
    changed = laptop.post("/account/password", data={"csrf": csrf, "current": PASSWORD, "new": new},
                          follow_redirects=False)
    assert changed.status_code == 303
    assert laptop.get("/api/account").json()["name"] == "alice"  # this browser got a new session
    assert phone.get("/api/account").json()["kind"] == "anonymous"
    assert phone_cookie != laptop.cookies.get("chipwatch_session")
    assert browser(client).post("/account/login", data={"name": "alice", "password": PASSWORD}).status_code == 401
    csrf = login(phone, "alice", new)
    assert phone.post("/account/logout-everywhere", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert laptop.get("/api/account").json()["kind"] == "anonymous"
    assert phone.get("/api/account").json()["kind"] == "anonymous"


def test_an_admin_token_session_replayed_after_logout_is_refused(client):
    """Issue #23, case 4: the admin cookie used to work for 12 hours after logout."""
    assert client.post("/admin/login", data={"token": ADMIN_TOKEN}, follow_redirects=False).status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/admin").text).group(1)
    stolen = client.cookies.get("chipwatch_admin")
    assert client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    replay = browser(client)
    replay.cookies.set("chipwatch_admin", stolen)
    assert replay.post("/views", data={"name": "x", "query": "", "csrf": csrf}).status_code == 401
    assert client.get("/api/views").json()["views"] == []


def test_logins_back_off_after_repeated_failures(client, runtime, users):
    for _ in range(service.FREE_FAILURES - 1):
        assert client.post("/account/login", data={"name": "bob", "password": "nope"}).status_code == 401
    locked = client.post("/account/login", data={"name": "bob", "password": "nope"})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) == 30
    # Locked: even the right password waits, and says for how long.
    right = client.post("/account/login", data={"name": "bob", "password": PASSWORD})
    assert right.status_code == 429 and "try again in" in right.text
    # An unknown name answers like a wrong password.
    assert client.post("/account/login", data={"name": "nobody", "password": "x"}).status_code == 401
    with runtime.sessions.begin() as session:  # the lock has run out
        session.execute(update(User).where(User.name == "bob").values(locked_until=None))
    again = client.post("/account/login", data={"name": "bob", "password": "nope"})
    assert again.status_code == 429 and int(again.headers["Retry-After"]) == 60  # doubled
    with runtime.sessions.begin() as session:
        session.execute(update(User).where(User.name == "bob").values(locked_until=None))
    login(client, "bob")
    with runtime.sessions() as session:
        assert session.scalar(select(User.failed_logins).where(User.name == "bob")) == 0


def test_login_redirects_only_to_this_site(client, users):
    for target, expected in (("/views", "/views"), ("//evil.example/", "/"), ("https://evil.example", "/")):
        answer = browser(client).post("/account/login", data={"name": "alice", "password": PASSWORD,
                                                              "next": target}, follow_redirects=False)
        assert answer.headers["location"] == expected


# --- personal tokens ------------------------------------------------------------------------

def test_personal_tokens_are_shown_once_stored_hashed_and_revocable(client, runtime, users):
    csrf = login(client, "alice")
    page = client.post("/account/tokens", data={"csrf": csrf, "label": "feed reader"})
    assert page.headers["cache-control"] == "no-store"
    token = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
    assert token not in client.get("/account").text
    with runtime.sessions() as session:
        hashes = set(session.scalars(select(ApiToken.token_hash)))
    assert token not in hashes and service.sha256(token) in hashes
    assert client.get("/api/account", headers=bearer(token)).json()["name"] == "alice"
    token_id = int(re.search(r'/account/tokens/(\d+)/revoke"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]+">\s*'
                             r'<button type="submit" aria-label="Revoke token feed reader"', client.get("/account").text).group(1))
    assert client.post(f"/account/tokens/{token_id}/revoke", data={"csrf": csrf},
                       follow_redirects=False).status_code == 303
    anonymous = browser(client)
    assert anonymous.get("/api/account", headers=bearer(token)).json()["kind"] == "anonymous"
    assert anonymous.post("/api/views", json={"name": "x"}, headers=bearer(token)).status_code == 401
    # bob cannot revoke alice's other token
    with runtime.sessions() as session:
        other = session.scalar(select(ApiToken.id).join(User).where(User.name == "alice"))
    bob_csrf = login(anonymous, "bob")
    assert anonymous.post(f"/account/tokens/{other}/revoke", data={"csrf": bob_csrf}).status_code == 404


def test_roles_decide_writes_and_every_write_names_its_author(client, runtime, users):
    assert client.post("/api/articles", json=H20, headers=bearer(users["alice"])).status_code == 403
    assert client.post("/api/articles", json=H20, headers=bearer(users["ada"])).status_code in (200, 201)
    csrf = login(client, "alice")
    feed = {"url": "https://feeds.example.org/x.xml", "name": "X", "csrf": csrf}
    assert client.post("/admin/sources", data=feed).status_code == 403  # a reader is not an admin
    admin = browser(client)
    admin_csrf = login(admin, "ada")
    assert admin.post("/admin/sources", data={**feed, "csrf": admin_csrf}, follow_redirects=False).status_code == 303
    client.post("/api/views", json={"name": "Mine", "query": "chip=h20"}, headers=bearer(users["alice"]))
    with runtime.sessions() as session:
        trail = {(e.actor, e.action) for e in session.scalars(select(AuditEvent))}
    assert ("user:ada", "POST /api/articles") in trail
    assert ("user:ada", "POST /admin/sources") in trail
    assert ("user:alice", "POST /api/views") in trail
    assert ("user:alice", "POST /account/login") in trail


def test_read_token_mode_accepts_user_sessions_and_personal_tokens(tmp_path):
    from app.config import Settings
    from app.main import create_app
    from app.migrate import upgrade
    from app.runtime import build_runtime

    settings = Settings(data_dir=tmp_path / "data", admin_token=ADMIN_TOKEN, read_token="read-token-0123456789")
    upgrade(settings)
    runtime = build_runtime(settings)
    with runtime.sessions.begin() as session:
        token = service.issue_token(session, service.add_user(session, "alice", "reader", PASSWORD))[1]
    try:
        with TestClient(create_app(settings, runtime)) as client:
            assert client.get("/api/search").status_code == 401
            assert client.get("/api/search", headers=bearer(token)).status_code == 200
            assert client.get("/api/search", headers=bearer("read-token-0123456789")).status_code == 200
            assert client.get("/account/login").status_code == 200  # open, or nobody could log in
            refused = client.get("/views", headers={"accept": "text/html"})
            assert refused.status_code == 401 and 'href="/account/login?next=%2Fviews"' in refused.text
            login(client, "alice")
            assert client.get("/api/search").status_code == 200
    finally:
        runtime.close()


# --- saved views ----------------------------------------------------------------------------

def test_private_views_are_their_owners_alone(client, users):
    alice, bob, erin = (bearer(users[n]) for n in ("alice", "bob", "erin"))
    made = client.post("/api/views", json={"name": "H20", "query": "chip=h20", "visibility": "private"},
                       headers=alice)
    assert made.status_code == 201
    a = made.json()
    assert (a["name"], a["query"], a["visibility"], a["owner"]) == ("H20", "chip=h20", "private", "alice")
    b = client.post("/api/views", json={"name": "H20", "query": "company=huawei"}, headers=bob).json()
    assert b["visibility"] == "private"  # the default; the same name is fine for another owner
    assert client.post("/api/views", json={"name": "H20"}, headers=alice).status_code == 409
    for mine, theirs, headers in ((a, b, alice), (b, a, bob)):
        assert [v["id"] for v in client.get("/api/views", headers=headers).json()["views"]] == [mine["id"]]
        assert client.get(f"/api/views/{theirs['id']}", headers=headers).status_code == 403
        assert client.patch(f"/api/views/{theirs['id']}", json={"name": "x"}, headers=headers).status_code == 403
        assert client.delete(f"/api/views/{theirs['id']}", headers=headers).status_code == 403
    # An admin does not read private views either; anonymous readers see none.
    assert client.get(f"/api/views/{a['id']}", headers=bearer(users["ada"])).status_code == 403
    assert client.get("/api/views").json()["views"] == []
    # In HTML too: bob's browser is refused alice's view, to open, rename or delete.
    csrf = login(client, "bob")
    html = {"accept": "text/html"}
    assert client.get(f"/views/{a['id']}", headers=html, follow_redirects=False).status_code == 403
    assert client.post(f"/views/{a['id']}/rename", data={"name": "mine", "csrf": csrf}, headers=html).status_code == 403
    assert client.post(f"/views/{a['id']}/delete", data={"csrf": csrf}, headers=html).status_code == 403
    assert "company=huawei" in client.get("/views").text and "chip=h20" not in client.get("/views").text
    # Team views: readers may not publish; editors may, and both readers see them.
    assert client.post("/api/views", json={"name": "T", "visibility": "team"}, headers=alice).status_code == 403
    team = client.post("/api/views", json={"name": "Team H20", "query": "chip=h20", "visibility": "team"},
                       headers=erin).json()
    for headers in (alice, bob, {}):
        assert team["id"] in [v["id"] for v in client.get("/api/views", headers=headers).json()["views"]]
    assert client.patch(f"/api/views/{team['id']}", json={"name": "y"}, headers=alice).status_code == 403
    # The JSON API takes bearer tokens only: a cookie session cannot write through it.
    assert client.post("/api/views", json={"name": "via cookie"}).status_code == 401


def test_rename_resave_and_delete_keep_the_id(client, users):
    alice = bearer(users["alice"])
    view = client.post("/api/views", json={"name": "A", "query": "chip=h20"}, headers=alice).json()
    renamed = client.patch(f"/api/views/{view['id']}", json={"name": "B"}, headers=alice).json()
    resaved = client.patch(f"/api/views/{view['id']}", json={"query": "chip=h20&lang=ar"}, headers=alice).json()
    assert (renamed["id"], resaved["id"], resaved["name"], resaved["query"]) == (view["id"], view["id"], "B", "chip=h20&lang=ar")
    bad = client.patch(f"/api/views/{view['id']}", json={"query": "company=NOPE!"}, headers=alice)
    assert bad.status_code == 422 and "query" in bad.json()["detail"]
    assert client.patch(f"/api/views/{view['id']}", json={"colour": "red"}, headers=alice).status_code == 422
    csrf = login(client, "alice")
    assert client.post(f"/views/{view['id']}/save", data={"csrf": csrf, "query": "chip=h20&lang=zh"},
                       follow_redirects=False).status_code == 303
    assert client.get(f"/api/views/{view['id']}", headers=alice).json()["query"] == "chip=h20&lang=zh"
    assert client.delete(f"/api/views/{view['id']}", headers=alice).status_code == 204
    assert client.get(f"/api/views/{view['id']}", headers=alice).status_code == 404


def test_a_view_counts_articles_new_since_its_owner_opened_it(client, users):
    alice = bearer(users["alice"])
    ingest(client, H20)
    view = client.post("/api/views", json={"name": "H20", "query": "chip=h20"}, headers=alice).json()
    assert view["new_since_opened"] == 0  # what was there when it was saved is not new
    ingest(client, H20_LATER, OTHER)
    assert client.get(f"/api/views/{view['id']}", headers=alice).json()["new_since_opened"] == 1
    login(client, "alice")
    assert "1 new since last opened" in client.get("/views").text
    opened = client.get(f"/views/{view['id']}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/?chip=h20"
    assert client.get(f"/api/views/{view['id']}", headers=alice).json()["new_since_opened"] == 0


def test_form_saved_views_by_users_and_by_the_admin_token(client, users):
    csrf = login(client, "erin")
    page = client.get("/?q=nvidia").text
    assert 'name="visibility"' in page and csrf in page  # editors choose private or team
    assert client.post("/views", data={"name": "E", "query": "chip=h20", "visibility": "team", "csrf": csrf},
                       follow_redirects=False).status_code == 303
    reader = browser(client)
    reader_csrf = login(reader, "alice")
    assert 'name="visibility"' not in reader.get("/?q=nvidia").text
    assert reader.post("/views", data={"name": "R", "query": "", "visibility": "team", "csrf": reader_csrf}).status_code == 403
    views = {v["name"]: v for v in client.get("/api/views").json()["views"]}
    assert views["E"]["owner"] == "erin" and views["E"]["visibility"] == "team"


# --- the command line -----------------------------------------------------------------------

def test_the_command_line_from_a_clean_data_dir(tmp_path):
    """As a new user would: `chipwatch users add`, a token, and the API with it."""
    env = {**os.environ, "CHIPWATCH_DATA_DIR": str(tmp_path / "data"), "CHIPWATCH_DATABASE_URL": "",
           "CHIPWATCH_ADMIN_TOKEN": ""}

    def cli(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "app", *args], input=stdin, capture_output=True,
                              text=True, env=env, cwd=tmp_path)

    added = cli("users", "add", "alice", "--role", "reader", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0 and "added user 'alice' (reader)" in added.stdout, added.stderr
    generated = cli("users", "add", "bob", "--role", "editor")
    password = re.search(r"password: (\S+)", generated.stdout).group(1)
    assert cli("users", "add", "alice").returncode == 1
    assert "already exists" in cli("users", "add", "alice").stderr
    assert "not a valid user name" in cli("users", "add", "no spaces").stderr
    assert "at least 10" in cli("users", "add", "carol", "--password-stdin", stdin="short\n").stderr
    assert cli("users", "add", "x", "--role", "boss").returncode == 2
    token = cli("users", "token", "alice").stdout.strip()
    assert token.startswith("cwp_")
    listed = json.loads(cli("users", "list", "--json").stdout)
    assert [(u["name"], u["role"], u["tokens"]) for u in listed] == [("alice", "reader", 1), ("bob", "editor", 0)]

    from app.config import Settings
    from app.main import create_app
    from app.runtime import build_runtime

    settings = Settings(data_dir=tmp_path / "data")
    runtime = build_runtime(settings)
    try:
        with TestClient(create_app(settings, runtime)) as client:
            made = client.post("/api/views", json={"name": "Mine", "query": "chip=h20"}, headers=bearer(token))
            assert made.status_code == 201 and made.json()["owner"] == "alice"
            assert client.post("/account/login", data={"name": "bob", "password": password},
                               follow_redirects=False).status_code == 303
    finally:
        runtime.close()
    assert cli("users", "remove", "alice").returncode == 0
    assert "There is no user 'alice'" in cli("users", "remove", "alice").stderr
    assert [u["name"] for u in json.loads(cli("users", "list", "--json").stdout)] == ["bob"]
    with TestClient(create_app(settings, runtime := build_runtime(settings))) as client:
        assert client.get("/api/account", headers=bearer(token)).json()["kind"] == "anonymous"
        assert client.get("/api/views").json()["views"] == []  # her private view went with her
    runtime.close()
