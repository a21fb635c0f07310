"""The Federal Register as a source: recorded API responses served on loopback, polled like any
feed (conditional requests, backoff), each document stored once as an article of kind "rule";
and the starter set of feeds, shown without subscribing."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.ingest.federal_register import AgencyError, documents_url, parse_documents
from app.ingest.poller import poll_due_sources
from app.ingest.sources import add_source, list_sources
from app.ingest.starter import starter_set
from app.models import Article, ArticleEntity, Source, as_utc
from tests.feedserver import _feed_server_session, server  # noqa: F401 - fixtures
from tests.test_auth import admin_login, make_client

DATA = Path(__file__).parent / "data" / "federal_register"
API_PATH = "/api/v1/documents.json"


@pytest.fixture
def allow_private(settings):
    settings.allow_private_urls = True
    return settings


@pytest.fixture
def t0():
    # Sources are due from the moment they are added: the test clock starts just after now.
    return (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)


def recorded(server, name: str = "bis-documents.json", **headers) -> bytes:
    body = (DATA / name).read_bytes().replace(b"{base}", server.base.encode())
    server.add(
        API_PATH,
        body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "ETag": f'"{hashlib.sha1(body).hexdigest()[:16]}"',
            **headers,
        },
    )
    return body


def add_fr(runtime, server, agency="industry-and-security-bureau") -> int:
    with runtime.sessions.begin() as session:
        return add_source(
            session,
            documents_url(agency, server.url(API_PATH)),
            name=f"FR {agency}",
            lang="en",
            kind="federal-register",
            interval=60,
        ).id


def rules(runtime) -> list[Article]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Article).where(Article.kind == "rule").order_by(Article.published_at)
            )
        )


def test_the_search_url_asks_for_the_agency_fields_and_newest_first():
    query = parse_qs(urlsplit(documents_url()).query)
    assert query["conditions[agencies][]"] == ["industry-and-security-bureau"]
    assert {
        "document_number",
        "title",
        "type",
        "abstract",
        "publication_date",
        "effective_on",
        "html_url",
        "pdf_url",
        "agencies",
        "cfr_references",
        "docket_ids",
    } <= set(query["fields[]"])
    assert query["order"] == ["newest"]
    for bad in ("", "BIS; drop", "../x", "a" * 101):
        with pytest.raises(AgencyError):
            documents_url(bad)


def test_documents_become_rules_once_and_a_second_poll_stores_nothing(
    server, allow_private, runtime, t0
):
    recorded(server)
    source_id = add_fr(runtime, server)
    first = poll_due_sources(runtime, now=t0)
    assert first["added"] == 5 and first["rejected"] == 0 and first["failed"] == 0
    query = parse_qs(urlsplit(server.requests[0][0]).query)
    assert query["conditions[agencies][]"] == ["industry-and-security-bureau"] and query[
        "order"
    ] == ["newest"]

    stored = rules(runtime)
    assert [a.rule_document["document_number"] for a in stored] == [
        "2025-00636",
        "2026-24101",
        "2026-24102",
        "2026-24150",
        "2026-24177",
    ]
    diffusion = stored[0]
    assert (
        diffusion.title == "Framework for Artificial Intelligence Diffusion"
        and diffusion.lang == "en"
    )
    assert as_utc(diffusion.published_at).date().isoformat() == "2025-01-15"
    assert diffusion.body.startswith("This interim final rule revises")  # the abstract is the text
    assert (
        diffusion.url
        == "https://www.federalregister.gov/documents/2025/01/15/2025-00636/framework-for-artificial-intelligence-diffusion"
    )
    assert diffusion.rule_document == {
        "document_number": "2025-00636",
        "type": "Rule",
        "citation": "90 FR 4544",
        "publication_date": "2025-01-15",
        "effective_on": "2025-01-13",
        "html_url": diffusion.url,
        "pdf_url": "https://www.govinfo.gov/content/pkg/FR-2025-01-15/pdf/2025-00636.pdf",
        "agencies": ["Commerce Department", "Industry and Security Bureau"],
        "cfr_references": ["15 CFR 734", "15 CFR 740", "15 CFR 742", "15 CFR 774"],
        "docket_ids": [],
    }
    meeting = next(a for a in stored if a.rule_document["document_number"] == "2026-24150")
    assert "Notice published in the Federal Register on 2026-11-23" in meeting.body  # no abstract
    with runtime.sessions() as session:  # tagged like any article
        tags = set(
            session.scalars(
                select(ArticleEntity.entity_id).where(ArticleEntity.article_id == stored[2].id)
            )
        )
    assert {"nvidia", "h20", "china"} <= tags
    # No article page was fetched: a rule's record is the API's fields.
    assert {p.split("?")[0] for p, _h in server.requests} == {API_PATH}

    # Same data again: a conditional request, answered 304, stores nothing.
    second = poll_due_sources(runtime, now=t0 + timedelta(hours=2))
    assert second["not_modified"] == 1 and second["added"] == 0
    assert server.hits(API_PATH)[-1].get("if-none-match")
    # Same data without validators: read again, every document known, nothing stored.
    recorded(server, ETag="")
    third = poll_due_sources(runtime, now=t0 + timedelta(hours=4))
    assert third["unchanged"] == 5 and third["added"] == 0 and third["updated"] == 0
    assert len(rules(runtime)) == 5
    with runtime.sessions() as session:
        assert session.get(Source, source_id).items_seen == 5


def test_a_changed_document_updates_its_rule_and_another_agency_does_not_store_it_twice(
    server, allow_private, runtime, t0
):
    body = recorded(server)
    add_fr(runtime, server)
    poll_due_sources(runtime, now=t0)
    data = json.loads(body)
    data["results"][4]["effective_on"] = "2025-01-14"
    server.add(API_PATH, json.dumps(data), headers={"Content-Type": "application/json"})
    again = poll_due_sources(runtime, now=t0 + timedelta(hours=2))
    assert again["updated"] == 1 and again["unchanged"] == 4
    assert rules(runtime)[0].rule_document["effective_on"] == "2025-01-14"
    # A second source listing the same documents (another agency's search) adds no article.
    add_fr(runtime, server, agency="commerce-department")
    other = poll_due_sources(runtime, now=t0 + timedelta(hours=2, minutes=1))
    assert other["added"] == 0 and other["duplicates"] == 5 and len(rules(runtime)) == 5


def test_a_broken_response_is_the_sources_error_with_backoff(server, allow_private, runtime, t0):
    server.add(API_PATH, b'{"count": 3, "results": ', headers={"Content-Type": "application/json"})
    source_id = add_fr(runtime, server)
    assert poll_due_sources(runtime, now=t0)["failed"] == 1
    with runtime.sessions() as session:
        source = session.get(Source, source_id)
        assert "invalid JSON" in source.last_error and source.consecutive_failures == 1
        assert as_utc(source.next_check_at) == t0 + timedelta(minutes=60)
    server.add(
        API_PATH, b'{"errors": ["bad request"]}', headers={"Content-Type": "application/json"}
    )
    assert poll_due_sources(runtime, now=t0 + timedelta(hours=1))["failed"] == 1
    assert rules(runtime) == []
    recorded(server)
    assert poll_due_sources(runtime, now=t0 + timedelta(hours=4))["added"] == 5


def test_documents_without_a_number_are_rejected_alone():
    items = list(
        parse_documents(
            json.dumps(
                {
                    "results": [
                        {"title": "x"},
                        {"document_number": "2026-1", "title": "Notice of meeting"},
                    ]
                }
            ),
            "u",
        )
    )
    assert (
        items[0].reason.startswith("Federal Register document without") and items[1].kind == "rule"
    )
    assert list(parse_documents('{"count": 0}', "u"))[0].reason == "feed without entries"


def _cli(runtime, monkeypatch):
    from app import cli
    from app.config import get_settings

    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(runtime.settings.data_dir))
    if runtime.settings.database_url:
        monkeypatch.setenv("CHIPWATCH_DATABASE_URL", runtime.settings.database_url)
    get_settings.cache_clear()
    return lambda *args: CliRunner().invoke(cli.main, list(args))


def test_cli_federal_register_and_starter(runtime, monkeypatch):
    from app.config import get_settings

    monkeypatch.setenv(
        "CHIPWATCH_ALLOW_PRIVATE_URLS", "1"
    )  # no DNS query for www.federalregister.gov
    run = _cli(runtime, monkeypatch)
    try:
        assert run("sources", "add").exit_code == 2
        assert run("sources", "add", "--federal-register", "--agency", "not a slug").exit_code == 2
        assert run("sources", "add", "--agency", "x", "https://x.example/feed").exit_code == 2
        added = run("sources", "add", "--federal-register")
        assert (
            added.exit_code == 0
            and "Federal Register: industry-and-security-bureau" in added.output
        )
        dry = run("sources", "add", "--starter", "--dry-run")
        feeds, not_listed = starter_set()
        assert dry.exit_code == 0 and f"{len(feeds)} feeds (dry run" in dry.output
        assert all(f.url in dry.output for f in feeds) and "MOFCOM" in dry.output
        with runtime.sessions() as session:
            assert len(list_sources(session)) == 1  # the dry run subscribed to nothing
        starter = run("sources", "add", "--starter")
        # The Federal Register entry is the BIS source added above: subscribed once.
        assert (
            starter.exit_code == 0
            and f"added {len(feeds) - 1}, already subscribed 1" in starter.output
        )
        assert "added 0," in run("sources", "add", "--starter").output
        with runtime.sessions() as session:
            sources = {s.name: s for s in list_sources(session)}
        assert len(sources) == len(feeds)
        assert sources["BBC Arabic"].lang == "ar" and sources["BBC Arabic"].tags == [
            "News",
            "Arabic",
        ]
        assert {s.kind for s in sources.values()} == {"feed", "federal-register"}
    finally:
        get_settings.cache_clear()


def test_starter_data_is_documented():
    feeds, not_listed = starter_set()
    assert {f.lang for f in feeds} >= {"ar", "en", "zh", "fr"} and {f.kind for f in feeds} == {
        "official",
        "news",
    }
    assert all(f.why and f.evidence and f.url.startswith("https://") for f in feeds)
    assert len({f.url for f in feeds}) == len(feeds)
    assert {"BIS", "MOFCOM", "Netherlands"} <= {
        w for p in not_listed for w in p["publisher"].replace("(", " ").split()
    }


def test_sources_page_shows_the_starter_set_and_admin_adds_the_federal_register(tmp_path):
    with make_client(tmp_path) as client:
        try:
            page = client.get("/sources")
            assert (
                page.status_code == 200
                and "BBC Arabic" in page.text
                and "URL unverified" in page.text
            )
            assert 'action="/admin/sources/starter"' not in page.text  # no button for visitors
            assert (
                client.post("/admin/sources/federal-register", data={"agency": "x"}).status_code
                == 401
            )
            csrf = admin_login(client)
            assert 'action="/admin/sources/federal-register"' in client.get("/admin").text
            bad = client.post(
                "/admin/sources/federal-register", data={"csrf": csrf, "agency": "Not OK"}
            )
            assert bad.status_code == 422 and "agency slug" in bad.text
            ok = client.post(
                "/admin/sources/federal-register",
                data={"csrf": csrf, "agency": ""},
                follow_redirects=False,
            )
            assert ok.status_code == 303
            with client.runtime.sessions() as session:
                assert (
                    session.scalar(
                        select(func.count())
                        .select_from(Source)
                        .where(Source.kind == "federal-register")
                    )
                    == 1
                )
            assert (
                client.post(
                    "/admin/sources/starter", data={"csrf": csrf}, follow_redirects=False
                ).status_code
                == 303
            )
            with client.runtime.sessions() as session:
                assert len(list_sources(session)) == len(starter_set()[0])
            assert "(subscribed)" in client.get("/sources").text
        finally:
            client.runtime.close()
