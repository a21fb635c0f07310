"""Alerts (issue #15 part 3): with the worker running, a matching article reaches a real
loopback HTTP receiver and a real SMTP server (aiosmtpd) once; a non-matching one never; a
receiver that is down gets it later, once; new filters do not re-send old articles."""

import json
import re
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import time

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from app.accounts import service
from app.alerts.models import AlertSubscription
from app.worker import Worker
from tests.conftest import ADMIN_TOKEN
from tests.live import free_port

PASSWORD = "correct horse battery"
H20 = {"title": "Nvidia H20 licences", "lang": "en", "published_at": "2025-04-16",
       "body": "The US told Nvidia that exports of its H20 chip to China now need a licence."}
H20_LATER = {"title": "H20 shipments resume", "lang": "en", "published_at": "2025-07-15",
             "body": "Washington said it would grant licences, and H20 deliveries to Chinese buyers may restart soon."}
H20_AR = {"title": "إنفيديا تستأنف شحن رقائق H20 إلى الصين", "lang": "ar", "published_at": "2025-07-16",
          "body": "قالت إنفيديا إن شحنات رقائق H20 إلى الصين قد تستأنف قريبا بعد منح التراخيص الأمريكية."}
HUAWEI = {"title": "Huawei Ascend output grows", "lang": "en", "published_at": "2025-05-02",
          "body": "Huawei is making more Ascend 910C accelerators at its partner fabs, analysts said."}
HUAWEI_LATER = {"title": "Huawei shows a new Ascend roadmap", "lang": "en", "published_at": "2025-09-18",
                "body": "At its annual event Huawei presented Ascend chips for the next three years."}
RICE = {"title": "Rice harvest", "lang": "en", "published_at": "2025-04-17",
        "body": "Farmers reported a record rice harvest this autumn in the river valley."}
WAIT = 60  # seconds: the issue's bound for a delivery


class Receiver:
    """A webhook receiver on loopback: records each POST; answers `status` (settable)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.status = 200
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with receiver.changed:
                    status = receiver.status
                    receiver.posts.append({"status": status, "body": body,
                                           "key": self.headers.get("idempotency-key")})
                    receiver.changed.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout: float = WAIT):
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self.posts), timeout), self.posts

    def delivered(self) -> list[dict]:
        """Articles in the answered-200 deliveries."""
        return [a for p in self.posts if p["status"] == 200 for a in p["body"]["articles"]]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self):
        self.messages = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.changed:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.changed.notify_all()
        return "250 OK"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def world(settings, mailbox):
    """App, runtime and a running worker; alice has a token; loopback receivers are allowed."""
    from app.main import create_app
    from app.migrate import upgrade
    from app.runtime import build_runtime
    from tests.conftest import _truncate_pg

    settings = settings.model_copy(update={"allow_private_urls": True, "base_url": "https://cw.example",
                                           "allowed_hosts": "*",  # the TestClient is testserver
                                           "smtp_url": SecretStr(f"smtp://127.0.0.1:{mailbox.port}")})
    upgrade(settings)
    runtime = build_runtime(settings)
    if runtime.engine.dialect.name == "postgresql":
        _truncate_pg(runtime)
    with runtime.sessions.begin() as session:
        token = service.issue_token(session, service.add_user(session, "alice", "reader", PASSWORD))[1]
        bob = service.issue_token(session, service.add_user(session, "bob", "reader", PASSWORD))[1]
    stop = threading.Event()
    with TestClient(create_app(settings, runtime)) as client:
        client.token, client.bob, client.runtime = token, bob, runtime
        thread = threading.Thread(target=Worker(runtime).run, args=(stop,), daemon=True)
        thread.start()
        yield client
        stop.set()
        thread.join()
    runtime.close()


def wait_until(predicate, timeout: float = WAIT) -> None:
    """Polls a condition (the database, which has no notifications) until it holds."""
    deadline, tick = time.monotonic() + timeout, threading.Event()
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        tick.wait(0.05)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def ingest(client, *articles) -> list[int]:
    answer = client.post("/api/articles", json=list(articles), headers=auth(ADMIN_TOKEN))
    assert answer.status_code == 200, answer.text
    return answer.json()["article_ids"]


def make_view(client, query: str) -> int:
    made = client.post("/api/views", json={"name": f"view {query}", "query": query}, headers=auth(client.token))
    assert made.status_code == 201, made.text
    return made.json()["id"]


def test_a_matching_article_reaches_the_webhook_once(world, receiver):
    old = ingest(world, H20)  # there before the alert: never delivered
    view = make_view(world, "chip=h20")
    made = world.post(f"/api/views/{view}/alerts", json={"webhook": receiver.url}, headers=auth(world.token))
    assert made.status_code == 201 and made.json()["webhook"] == receiver.url
    new, rice = ingest(world, H20_LATER, RICE)
    receiver.wait_for(lambda posts: any(p["status"] == 200 for p in posts))
    body = receiver.posts[0]["body"]
    assert body["view"] == {"id": view, "name": "view chip=h20", "url": "https://cw.example/?chip=h20"}
    (article,) = body["articles"]
    # The contract's fields, and delivery_id: the same in every copy of this article for this
    # subscription, for receivers to drop a copy re-sent after a worker crash.
    assert set(article) == {"id", "title", "url", "published_at", "lang", "entities", "delivery_id"}
    assert article["delivery_id"] == f"chipwatch-{made.json()['id']}-{new}"
    assert (article["id"], article["title"], article["url"], article["lang"]) == (
        new, "H20 shipments resume", f"https://cw.example/articles/{new}", "en")
    assert article["published_at"].startswith("2025-07-15")
    assert {"h20"} <= {e["id"] for e in article["entities"]}
    # Another matching article later: when it arrives, the worker has had rounds enough to
    # send the first one twice, had it been going to.
    (third,) = ingest(world, H20_AR)
    receiver.wait_for(lambda posts: third in [a["id"] for p in posts for a in p["body"]["articles"]])
    ids = [a["id"] for a in receiver.delivered()]
    assert sorted(ids) == sorted([new, third]) and rice not in ids and old[0] not in ids

    def alerts() -> dict:
        return world.get(f"/api/views/{view}/alerts", headers=auth(world.token)).json()["alerts"][0]

    wait_until(lambda: alerts()["pending"] == 0)  # the worker settles after the receiver answered
    assert alerts()["last_error"] is None and alerts()["last_sent_at"]


def test_a_receiver_that_is_down_gets_it_later_once(world, receiver):
    receiver.status = 503
    view = make_view(world, "chip=h20")
    world.post(f"/api/views/{view}/alerts", json={"webhook": receiver.url}, headers=auth(world.token))
    (new,) = ingest(world, H20_LATER)
    receiver.wait_for(lambda posts: len(posts) >= 2)  # the first try and a retry after backoff
    alerts = world.get(f"/api/views/{view}/alerts", headers=auth(world.token)).json()["alerts"]
    assert alerts[0]["pending"] == 1 and "503" in alerts[0]["last_error"]
    world.post("/account/login", data={"name": "alice", "password": PASSWORD})
    assert "Delivery failing" in world.get("/account").text
    receiver.status = 200
    receiver.wait_for(lambda posts: any(p["status"] == 200 for p in posts))
    (third,) = ingest(world, H20_AR)
    receiver.wait_for(lambda posts: third in [a["id"] for p in posts if p["status"] == 200
                                              for a in p["body"]["articles"]])
    assert [a["id"] for a in receiver.delivered()] == [new, third]
    # Every retry of the same batch carried the same idempotency key.
    assert len({p["key"] for p in receiver.posts if new in [a["id"] for a in p["body"]["articles"]]}) == 1


def test_email_alerts_are_multipart_and_right_to_left_for_arabic(world, mailbox):
    view = make_view(world, "chip=h20")
    made = world.post(f"/api/views/{view}/alerts", json={"email": "alice@example.org", "cadence": "immediate"},
                      headers=auth(world.token))
    assert made.status_code == 201
    (new,) = ingest(world, H20_AR)
    with mailbox.changed:
        assert mailbox.changed.wait_for(lambda: mailbox.messages, WAIT)
    msg = mailbox.messages[0]
    assert msg["To"] == "alice@example.org" and "view chip=h20" in msg["Subject"]
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    assert H20_AR["title"] in plain and f"https://cw.example/articles/{new}" in plain
    assert f'<li dir="rtl"><a href="https://cw.example/articles/{new}">' in page
    (later,) = ingest(world, H20_LATER)
    with mailbox.changed:
        assert mailbox.changed.wait_for(lambda: len(mailbox.messages) >= 2, WAIT)
    assert '<li dir="ltr">' in mailbox.messages[1].get_body(("html",)).get_content()
    assert H20_AR["title"] not in mailbox.messages[1].get_body(("plain",)).get_content()  # sent once


def test_new_filters_do_not_resend_old_articles(world, receiver):
    view = make_view(world, "chip=h20")
    alert = world.post(f"/api/views/{view}/alerts", json={"webhook": receiver.url}, headers=auth(world.token)).json()["id"]
    (h20,) = ingest(world, H20_LATER)
    receiver.wait_for(lambda posts: any(p["status"] == 200 for p in posts))
    (huawei,) = ingest(world, HUAWEI)  # after the subscription, but not a match for chip=h20
    assert world.patch(f"/api/views/{view}", json={"query": "company=huawei"}, headers=auth(world.token)).status_code == 200

    def worker_saw_the_new_filters() -> bool:
        with world.runtime.sessions() as session:
            return session.scalar(select(AlertSubscription.query).where(AlertSubscription.id == alert)) == "company=huawei"

    wait_until(worker_saw_the_new_filters)
    (huawei_later,) = ingest(world, HUAWEI_LATER)
    receiver.wait_for(lambda posts: huawei_later in [a["id"] for p in posts for a in p["body"]["articles"]])
    # The Huawei article stored before the change is old news for the new filters.
    assert [a["id"] for a in receiver.delivered()] == [h20, huawei_later] and huawei not in [h20, huawei_later]


def test_alert_rules(world, receiver):
    view = make_view(world, "chip=h20")
    mine = auth(world.token)
    assert world.post(f"/api/views/{view}/alerts", json={"webhook": receiver.url}).status_code == 401
    assert world.post(f"/api/views/{view}/alerts", json={"webhook": receiver.url}, headers=auth(world.bob)).status_code == 403
    assert world.get(f"/api/views/{view}/alerts", headers=auth(world.bob)).status_code == 403
    for bad, where in (({}, "either"), ({"webhook": receiver.url, "email": "a@b.c"}, "either"),
                       ({"email": "not an address"}, "email"), ({"webhook": "ftp://x.example/"}, "webhook"),
                       ({"webhook": receiver.url, "cadence": "hourly"}, "cadence")):
        answer = world.post(f"/api/views/{view}/alerts", json=bad, headers=mine)
        assert answer.status_code == 422 and where in answer.text, (bad, answer.text)
    alert = world.post(f"/api/views/{view}/alerts", json={"webhook": receiver.url, "format": "slack"}, headers=mine).json()
    assert world.delete(f"/api/alerts/{alert['id']}", headers=auth(world.bob)).status_code == 403
    assert world.delete(f"/api/alerts/{alert['id']}", headers=mine).status_code == 204
    assert world.get(f"/api/views/{view}/alerts", headers=mine).json()["alerts"] == []
    # The subscribe form on /views: CSRF-protected, same rules.
    assert world.post(f"/views/{view}/alerts", data={"target": "a@b.example"}).status_code == 401
    world.post("/account/login", data={"name": "alice", "password": PASSWORD})
    csrf = re.search(r'name="csrf" value="([^"]+)"', world.get("/views").text).group(1)
    assert world.post(f"/views/{view}/alerts", data={"target": "a@b.example", "csrf": "forged"}).status_code == 403
    assert world.post(f"/views/{view}/alerts", data={"target": "nobody", "csrf": csrf}).status_code == 422
    assert world.post(f"/views/{view}/alerts", data={"target": "a@b.example", "cadence": "hourly",
                                                     "csrf": csrf}).status_code == 422
    made = world.post(f"/views/{view}/alerts", data={"target": "a@b.example", "cadence": "weekly", "csrf": csrf},
                      follow_redirects=False)
    assert made.status_code == 303
    assert [(a["email"], a["cadence"]) for a in world.get(f"/api/views/{view}/alerts", headers=mine).json()["alerts"]] == [
        ("a@b.example", "weekly")]


def test_webhooks_follow_the_private_address_rule(client, runtime):
    with runtime.sessions.begin() as session:
        token = service.issue_token(session, service.add_user(session, "alice", "reader", PASSWORD))[1]
    view = client.post("/api/views", json={"name": "v", "query": ""}, headers=auth(token)).json()["id"]
    for url in ("http://127.0.0.1:9/hook", "http://[::1]/hook", "http://10.0.0.5/", "http://localhost:8000/"):
        answer = client.post(f"/api/views/{view}/alerts", json={"webhook": url}, headers=auth(token))
        assert answer.status_code == 422 and "CHIPWATCH_ALLOW_PRIVATE_URLS" in answer.text, (url, answer.text)


def test_slack_and_teams_payloads():
    from types import SimpleNamespace

    from app.alerts.send import webhook_body

    view = {"id": 1, "name": "H20", "url": "https://cw.example/?chip=h20"}
    items = [{"id": 7, "title": "A <b>|c", "url": "https://cw.example/articles/7", "published_at": "2025-07-15T00:00:00+00:00",
              "lang": "en", "entities": []}]
    slack = webhook_body(SimpleNamespace(format="slack"), view, items)
    assert slack == {"text": "1 new in “H20”\n• <https://cw.example/articles/7|A &lt;b&gt;¦c> (2025-07-15, en)"}
    teams = webhook_body(SimpleNamespace(format="teams"), view, items)
    assert teams["text"].endswith("- [A <b>|c](https://cw.example/articles/7) (2025-07-15, en)")


def test_a_view_made_private_stops_its_other_subscribers_alerts(client, runtime):
    from app.alerts.models import AlertDelivery
    from app.alerts.service import match_new

    with runtime.sessions.begin() as session:
        erin = service.issue_token(session, service.add_user(session, "erin", "editor", PASSWORD))[1]
        bob = service.issue_token(session, service.add_user(session, "bob", "reader", PASSWORD))[1]
    view = client.post("/api/views", json={"name": "Team H20", "query": "chip=h20", "visibility": "team"},
                       headers=auth(erin)).json()["id"]
    hooks = {name: client.post(f"/api/views/{view}/alerts", json={"email": f"{name}@example.org"},
                               headers=auth(token)).json()["id"] for name, token in (("erin", erin), ("bob", bob))}
    assert client.patch(f"/api/views/{view}", json={"visibility": "private"}, headers=auth(erin)).status_code == 200
    ingest(client, H20_LATER)
    assert match_new(runtime) == 1
    with runtime.sessions() as session:
        queued = {sub for (sub,) in session.execute(select(AlertDelivery.subscription_id))}
    assert queued == {hooks["erin"]}
