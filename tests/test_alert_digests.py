"""Daily and weekly email digests, end to end through a real SMTP server on loopback
(aiosmtpd): the matches of a period go out together in one multipart email when the period
is due, never before; a period with nothing to send moves on, so a later match waits for the
next period. The clock is injected (deliver_due(clock=...)): no test waits a day."""

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from app.accounts import service
from app.alerts.models import AlertSubscription
from app.alerts.send import send
from app.alerts.service import deliver_due, match_new
from app.models import as_utc
from tests.conftest import _truncate_pg
from tests.test_alerts import H20, H20_AR, H20_LATER, PASSWORD, RICE, auth, ingest, mailbox  # noqa: F401

MINUTE = timedelta(minutes=1)
H20_AGAIN = {
    "title": "H20 export licences granted",
    "lang": "en",
    "published_at": "2025-08-12",
    "body": "The Commerce Department began granting licences for Nvidia H20 sales to China.",
}


@pytest.fixture
def digest_world(settings, mailbox):  # noqa: F811
    """App and runtime with SMTP on loopback; no worker thread: the test runs its rounds."""
    from app.main import create_app
    from app.migrate import upgrade
    from app.runtime import build_runtime

    settings = settings.model_copy(
        update={
            "base_url": "https://cw.example",
            "allowed_hosts": "*",
            "smtp_url": SecretStr(f"smtp://127.0.0.1:{mailbox.port}"),
        }
    )
    upgrade(settings)
    runtime = build_runtime(settings)
    if runtime.engine.dialect.name == "postgresql":
        _truncate_pg(runtime)
    with runtime.sessions.begin() as session:
        token = service.issue_token(
            session, service.add_user(session, "alice", "reader", PASSWORD)
        )[1]
    with TestClient(create_app(settings, runtime)) as client:
        client.token, client.runtime = token, runtime
        yield client
    runtime.close()


def titles(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


@pytest.mark.parametrize(
    "cadence, period", [("daily", timedelta(days=1)), ("weekly", timedelta(days=7))]
)
def test_a_digest_sends_its_periods_matches_in_one_email(digest_world, mailbox, cadence, period):  # noqa: F811
    client, runtime = digest_world, digest_world.runtime
    view = client.post(
        "/api/views", json={"name": "H20", "query": "chip=h20"}, headers=auth(client.token)
    ).json()
    made = client.post(
        f"/api/views/{view['id']}/alerts",
        json={"email": "alice@example.org", "cadence": cadence},
        headers=auth(client.token),
    )
    assert made.status_code == 201 and made.json()["cadence"] == cadence
    with runtime.sessions() as session:
        due = as_utc(session.scalar(select(AlertSubscription.next_digest_at)))
    first = ingest(client, H20, H20_AR, RICE)
    assert match_new(runtime) == 2  # the two H20 articles; not the rice harvest

    def round_at(when: datetime) -> int:
        match_new(runtime)
        return deliver_due(runtime, send, clock=lambda: when)

    assert round_at(due - MINUTE) == 0 and mailbox.messages == []  # not due yet
    assert round_at(due + MINUTE) == 2
    (digest,) = mailbox.messages
    assert (
        digest.get_content_type() == "multipart/alternative" and "2 new in H20" in digest["Subject"]
    )
    plain, page = titles(digest)
    for article_id, article in zip(first[:2], (H20, H20_AR), strict=True):
        assert article["title"] in plain and f"https://cw.example/articles/{article_id}" in plain
    assert (
        RICE["title"] not in plain
        and f'<li dir="rtl"><a href="https://cw.example/articles/{first[1]}">' in page
    )
    assert round_at(due + 2 * MINUTE) == 0 and len(mailbox.messages) == 1  # sent once

    # The next period: a new match waits for it, then goes alone (the old ones are not re-sent).
    (later,) = ingest(client, H20_LATER)
    assert round_at(due + period - MINUTE) == 0 and len(mailbox.messages) == 1
    assert round_at(due + period + MINUTE) == 1
    plain, _page = titles(mailbox.messages[1])
    assert (
        H20_LATER["title"] in plain and H20["title"] not in plain and f"/articles/{later}" in plain
    )

    # A period with nothing to send moves on: a match arriving after it waits for the next one.
    assert round_at(due + 2 * period + MINUTE) == 0
    with runtime.sessions() as session:
        assert as_utc(session.scalar(select(AlertSubscription.next_digest_at))) == due + 3 * period
    ingest(client, H20_AGAIN)
    assert round_at(due + 2 * period + 2 * MINUTE) == 0 and len(mailbox.messages) == 2
    assert round_at(due + 3 * period + MINUTE) == 1
    assert H20_AGAIN["title"] in titles(mailbox.messages[2])[0] and len(mailbox.messages) == 3
