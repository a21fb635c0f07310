"""Lists linked to the news: the `listed` and `list` filters and facets (SQLite and PostgreSQL;
Meilisearch in tests/test_search_contract.py), entity pages, timelines, and the review page."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.lists.importer import import_file
from app.lists.service import decide
from app.models import ArticleList, IndexOutbox, ListLink, ListParty
from tests.conftest import ADMIN_TOKEN

LISTS = Path(__file__).parent / "data" / "lists"
EL = "Entity List (EL) - Bureau of Industry and Security"

ARTICLES = [  # (title, published_at): Huawei before and after its listing, and a company never listed
    ("Huawei wins a European 5G contract before any US action", "2018-06-01T09:00:00+00:00"),
    ("Huawei scrambles for chips after the US blacklisting", "2019-06-03T09:00:00+00:00"),
    ("Huawei unveils a new Ascend accelerator for data centres", "2024-09-01T09:00:00+00:00"),
    ("Nvidia reports record data-centre revenue from AI chips", "2019-06-04T09:00:00+00:00"),
]


def ingest_articles(ingest, tmp_path) -> None:
    path = tmp_path / "articles.jsonl"
    with path.open("w") as f:
        for title, published in ARTICLES:
            f.write(json.dumps({"title": title, "published_at": published, "lang": "en",
                                "body": f"{title}. The company said more about its plans for the year, "
                                        "its suppliers and its customers in several markets."}) + "\n")
    report = ingest(path)
    assert report.added == len(ARTICLES), report.rejected


def import_lists(runtime, *names: str, **options):
    for name in names:
        with runtime.sessions.begin() as session:
            import_file(session, (LISTS / name).read_bytes(), name, runtime.enricher.gazetteer, **options)


def titles(client, **params) -> list[str]:
    response = client.get("/api/search", params={"per_page": 100, "sort": "oldest", **params})
    assert response.status_code == 200, response.text
    return [h["title"] for h in response.json()["hits"]]


@pytest.mark.parametrize("order", ["lists-first", "articles-first"])
def test_listed_yes_returns_only_articles_dated_after_the_listing(runtime, client, ingest, tmp_path, order):
    if order == "lists-first":
        import_lists(runtime, "csl-2024-01.json")
        ingest_articles(ingest, tmp_path)
    else:
        ingest_articles(ingest, tmp_path)
        import_lists(runtime, "csl-2024-01.json")
    listed = client.get("/api/search", params={"company": "huawei", "listed": "yes", "per_page": 100}).json()
    assert [h["title"] for h in listed["hits"]] == [ARTICLES[2][0], ARTICLES[1][0]]
    assert all(h["published_at"] >= "2019-05-16" for h in listed["hits"])
    assert titles(client, company="huawei", listed="no") == [ARTICLES[0][0]]
    assert titles(client, listed="no") == [ARTICLES[0][0], ARTICLES[3][0]]
    assert titles(client, list="entity-list") == [ARTICLES[1][0], ARTICLES[2][0]]
    assert titles(client, list="meu-list") == []
    assert len(titles(client, listed=["yes", "no"])) == len(ARTICLES)  # OR within a parameter
    facets = client.get("/api/search", params={"company": "huawei"}).json()["facets"]
    assert {f["id"]: f["count"] for f in facets["listed"]} == {"yes": 2, "no": 1}
    assert facets["list"] == [{"id": "entity-list", "name": "Entity List (BIS)", "count": 2}]


def test_list_changes_reach_the_articles(runtime, client, ingest, tmp_path):
    """A removal (June file) and the return (September file) change the September article."""
    ingest_articles(ingest, tmp_path)
    with runtime.sessions.begin() as session:
        report = import_file(session, (LISTS / "entity-list-supplement.txt").read_bytes(), "fr.txt",
                             runtime.enricher.gazetteer)
    assert report.articles_changed == 2  # Huawei listed from 2019-05-21 in this file
    assert titles(client, company="huawei", listed="yes") == [ARTICLES[1][0], ARTICLES[2][0]]


def test_a_decision_on_a_link_updates_the_articles_and_queues_them(runtime, client, ingest, tmp_path):
    ingest_articles(ingest, tmp_path)
    import_lists(runtime, "csl-2024-01.json")
    with runtime.sessions() as session:
        link_id = session.scalar(select(ListLink.id).join(ListParty, ListParty.id == ListLink.party_id)
                                 .where(ListParty.name == "Huawei Technologies Co., Ltd."))
    with runtime.sessions.begin() as session:
        decide(session, link_id, "rejected", outbox=True)
    with runtime.sessions() as session:
        queued = set(session.scalars(select(IndexOutbox.article_id)))
        assert len(queued) == 2  # the two listed Huawei articles changed: re-indexed
    assert titles(client, company="huawei", listed="yes") == []
    with runtime.sessions.begin() as session:
        decide(session, link_id, "accepted", outbox=False)
    assert len(titles(client, company="huawei", listed="yes")) == 2
    # Re-matching never overrides an admin's decision.
    with runtime.sessions.begin() as session:
        decide(session, link_id, "rejected", outbox=False)
    import_lists(runtime, "csl-2024-06.json", "csl-2024-09.json")
    with runtime.sessions() as session:
        assert session.get(ListLink, link_id).status == "rejected"


def test_entity_page_shows_listing_date_notice_and_policy(runtime, client):
    import_lists(runtime, "csl-2024-01.json", "csl-2024-06.json", "csl-2024-09.json")
    body = client.get("/api/entities/huawei").json()
    (huawei,) = [p for p in body["lists"] if p["name"] == "Huawei Technologies Co., Ltd."]
    assert huawei["listed"] and huawei["listed_from"] == "2019-05-16" and huawei["list"] == "entity-list"
    assert huawei["federal_register_notice"] == "Fixture notice A (2019-05-21)"
    assert huawei["license_policy"] == "Presumption of denial."
    assert huawei["link"]["status"] == "auto" and "equals" in huawei["link"]["explanation"]
    page = client.get("/entities/huawei").text
    assert 'id="lists"' in page and "Listed" in page and "2019-05-16" in page
    assert "Fixture notice A (2019-05-21)" in page and "Presumption of denial." in page
    sunway = client.get("/api/entities/sunway").json()["lists"][0]
    assert sunway["spans"] == [{"from": "2021-04-08", "until": "2024-06-03"}, {"from": "2024-08-20", "until": None}]
    assert [h["action"] for h in sunway["history"]] == ["added", "removed", "added"]
    assert "removed" in client.get("/entities/sunway").text
    assert client.get("/api/entities/h20").json().get("lists", []) == []  # chips have no list status


def test_timeline_marks_list_actions(runtime, client, ingest, tmp_path):
    ingest_articles(ingest, tmp_path)
    import_lists(runtime, "csl-2024-01.json")
    events = client.get("/api/timeline", params={"company": "huawei"}).json()["events"]
    actions = [e for e in events if e.get("kind") == "list"]
    assert [(e["date"], e["title"]) for e in actions] == [
        ("2019-05-16", "Huawei Technologies Co., Ltd. added to the Entity List (BIS)")]
    assert actions[0]["url"] == "/entities/huawei#lists" and actions[0]["entities"] == ["huawei"]
    assert not [e for e in client.get("/api/timeline", params={"company": "nvidia"}).json()["events"]
                if e.get("kind") == "list"]
    page = client.get("/", params={"company": "huawei"}).text
    assert "added to the Entity List (BIS)" in page and 'href="/entities/huawei#lists"' in page


@pytest.mark.parametrize(("query", "param"), [("listed=maybe", "listed"), ("list=Entity%20List", "list"),
                                              ("listed=YES", "listed")])
def test_bad_list_filters_are_a_422(client, query, param):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == param


def test_list_filters_round_trip_through_urls(client, sample):
    page = client.get("/", params=[("company", "huawei"), ("listed", "yes"), ("list", "entity-list")])
    assert page.status_code == 200
    assert "/api/search?company=huawei&amp;listed=yes&amp;list=entity-list" in page.text
    assert re.search(r'<input type="hidden" name="listed" value="yes">', page.text)


def _login(client) -> str:
    assert client.post("/admin/login", data={"token": ADMIN_TOKEN}, follow_redirects=False).status_code == 303
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/lists").text).group(1)


def test_review_page_needs_admin_and_csrf(runtime, client):
    import_lists(runtime, "csl-2024-01.json")
    with runtime.sessions() as session:
        proposed = session.scalar(select(ListLink).where(ListLink.status == "proposed"))
    anonymous = client.get("/admin/lists")
    assert anonymous.status_code == 200 and "Log in" in anonymous.text and "Huawei Cloud" not in anonymous.text
    accept = f"/admin/lists/links/{proposed.id}/accept"
    assert client.post(accept, data={"csrf": "x"}).status_code == 401
    csrf = _login(client)
    page = client.get("/admin/lists").text
    assert "Huawei Cloud Computing Technologies Co., Ltd." in page and "names a unit of Huawei" in page
    assert "Northwind Trading FZE" in page  # no company: proposed as a new gazetteer entry
    assert client.post(accept, data={"csrf": csrf[:-2] + "xx"}).status_code == 403
    assert client.post(accept, data={}).status_code == 403
    done = client.post(accept, data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin/lists"
    with runtime.sessions() as session:
        assert session.get(ListLink, proposed.id).status == "accepted"
    assert client.post("/admin/lists/links/999999/reject", data={"csrf": csrf}).status_code == 404
    reject = client.post(f"/admin/lists/links/{proposed.id}/reject", data={"csrf": csrf}, follow_redirects=False)
    assert reject.status_code == 303
    summary = client.get("/api/lists").json()
    entity_list = next(item for item in summary["lists"] if item["id"] == "entity-list")
    assert entity_list["links"] == {"auto": 4, "proposed": 0, "accepted": 0, "rejected": 1}
    assert summary["imports"][0]["malformed"] == 4 and summary["imports"][0]["errors"][0]["row"] == 3


def test_demo_loads_the_bundled_list_actions(sqlite_settings):
    from click.testing import CliRunner

    from app.cli import main
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        env = {"CHIPWATCH_DATA_DIR": str(sqlite_settings.data_dir)}
        first = CliRunner().invoke(main, ["demo", "--no-serve"], env=env)
        again = CliRunner().invoke(main, ["demo", "--no-serve"], env=env)
    finally:
        get_settings.cache_clear()
    assert "export-control lists: added 17" in first.output, first.output
    assert "export-control lists: added 0, removed 0, changed 0, unchanged 17" in again.output
    from app.runtime import build_runtime

    runtime = build_runtime(sqlite_settings)
    try:
        with runtime.sessions() as session:
            assert session.scalar(select(ArticleList.article_id).limit(1)) is not None
            huawei = session.scalar(select(ListParty).where(ListParty.name == "Huawei Technologies Co., Ltd."))
            assert huawei.start_date == date(2019, 5, 16) and "21 May 2019" in huawei.federal_register_notice
    finally:
        runtime.close()


@pytest.mark.meili
def test_meilisearch_follows_list_changes_through_the_outbox(meili_settings, tmp_path):
    """An import and a link decision queue the changed articles in their own transaction; once
    drained, Meilisearch filters on the new status."""
    from app.cli import run_ingest
    from app.filters import parse_filters
    from app.search.indexing import drain_outbox
    from app.search.service import search_articles
    from tests.test_search_contract import make_runtime

    runtime = make_runtime(meili_settings)
    try:
        ingest_articles(lambda path: run_ingest(runtime, [str(path)], None, None), tmp_path)
        drain_outbox(runtime)

        def listed() -> int:
            with runtime.sessions() as session:
                page = search_articles(session, parse_filters([("company", "huawei"), ("listed", "yes")]),
                                       runtime.search, runtime.query_tagger)
            assert page.engine == "meilisearch"
            return page.total

        assert listed() == 0
        import_lists(runtime, "csl-2024-01.json", outbox=True)
        with runtime.sessions() as session:
            assert len(set(session.scalars(select(IndexOutbox.article_id)))) == 2
        assert drain_outbox(runtime) == 2 and listed() == 2
        with runtime.sessions.begin() as session:
            link_id = session.scalar(select(ListLink.id).where(ListLink.entity_id == "huawei",
                                                               ListLink.status == "auto"))
            decide(session, link_id, "rejected", outbox=True)
        drain_outbox(runtime)
        assert listed() == 0
    finally:
        runtime.close()


def test_a_list_change_made_by_another_process_shows_at_the_next_page(settings, client, ingest, tmp_path):
    """The list actions a web process keeps are keyed by the lists version, which every list change
    bumps: an import made by another process (`chipwatch lists import`, as an analyst or a cron job
    runs it) shows at this process' next page, not after a cache lifetime."""
    import os
    import subprocess
    import sys

    ingest_articles(ingest, tmp_path)

    def list_actions() -> list[str]:
        events = client.get("/api/timeline", params={"company": "huawei"}).json()["events"]
        return [e["title"] for e in events if e.get("kind") == "list"]

    assert list_actions() == []  # read and kept by this process
    env = {**os.environ, "CHIPWATCH_DATA_DIR": str(settings.data_dir),
           "CHIPWATCH_DATABASE_URL": settings.database_url or ""}
    if not settings.database_url:
        env.pop("CHIPWATCH_DATABASE_URL")
    done = subprocess.run([sys.executable, "-m", "app", "lists", "import", str(LISTS / "csl-2024-01.json")],
                          env=env, capture_output=True, text=True, timeout=120)
    # (exit 1: the file also holds malformed rows, each reported; the good ones are imported)
    assert list_actions() == ["Huawei Technologies Co., Ltd. added to the Entity List (BIS)"], done.stderr
