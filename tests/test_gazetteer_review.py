"""Gazetteer review end to end: discovery in several scripts, the review queue in the browser
(CSRF), as JSON and on the command line, re-tagging after a change (its invariance when the
change is undone), and the Ascend 910D scenario with the worker and Meilisearch."""

import html
import json
import re
import threading

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.accounts import service
from app.article.retag import run_jobs
from app.cli import main
from app.enrich import default_enricher
from app.enrich.discovery import Discovery
from app.gazetteer import overlay, suggestions
from app.ingest import pipeline
from app.ingest.items import RawItem
from app.main import create_app
from app.migrate import upgrade
from app.models import Article, ArticleEntity, Mention
from app.runtime import build_runtime
from app.worker import Worker
from tests.conftest import ADMIN_TOKEN, SAMPLE
from tests.feedserver import _feed_server_session, server  # noqa: F401 - fixtures
from tests.live import wait_for

PASSWORD = "correct horse battery staple"
ARTICLES = [
    {
        "title": "Huawei tests a new AI chip",
        "lang": "en",
        "published_at": "2025-05-20",
        "url": "https://news.example/910d-en",
        "body": "Huawei has begun testing its Ascend 910D processor with Chinese cloud operators, people "
        "familiar with the matter said. The company hopes it will beat Nvidia's H100.",
    },
    {
        "title": "华为测试新款AI芯片",
        "lang": "zh",
        "published_at": "2025-05-21",
        "url": "https://news.example/910d-zh",
        "body": "知情人士透露，华为已开始与几家国内云服务商测试昇腾910D芯片，希望其性能超过英伟达的H100。",
    },
]
OTHER = {
    "title": "Chip stocks fall",
    "lang": "en",
    "published_at": "2025-04-16",
    "url": "https://news.example/nvidea",
    "body": "Shares of Nvidea fell after the company said its H20 would need a licence to be sold in China.",
}


def find(text: str, lang: str) -> list[suggestions.Candidate]:
    enricher = default_enricher()
    e = enricher.enrich("", text, None)
    return Discovery(enricher.gazetteer).find("", text, lang, e.mentions, [], e.tags)


# --- discovery -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("en", "AMD's Instinct MI400 accelerators ship next year.", ("chip", "MI400", None, "amd")),
        ("zh", "华为已开始测试昇腾910D芯片。", ("chip", "Ascend 910D", None, "huawei")),
        (
            "ar",
            "بدأت هواوي اختبار رقاقة أسند 910D الجديدة.",
            ("chip", "Ascend 910D", None, "huawei"),
        ),
        ("fr", "Les MI400 d'AMD arriveront en 2026.", ("chip", "MI400", None, "amd")),
        (
            "fr",
            "La société japonaise Rapidus a produit ses premières plaquettes.",
            ("company", "Rapidus", None, None),
        ),
        ("zh", "据报道，中昊芯英公司完成新一轮融资。", ("company", "中昊芯英", None, None)),
        (
            "ar",
            "قالت إنفديا إن تصدير رقائق H20 إلى الصين يحتاج ترخيصا.",
            ("company", "إنفديا", "nvidia", None),
        ),
        (
            "ru",
            "Нвидия сообщила, что для поставок H20 в Китай требуется лицензия.",
            ("company", "Нвидия", "nvidia", None),
        ),
        (
            "ar",
            "قالت شركة مايكرون الأمريكية إن منتجاتها آمنة.",
            ("company", "مايكرون", "micron", None),
        ),
    ],
)
def test_discovery_finds_new_names_in_every_script(lang, text, expected):
    found = {(c.type, c.name, c.of, c.parent) for c in find(text, lang)}
    assert expected in found


@pytest.mark.parametrize(
    "lang, text",
    [
        (
            "en",
            "Nvidia's Q3 revenue rose as the H200 sold well; Huawei's H1 2025 sales grew. The firm said so.",
        ),
        (
            "en",
            "Huawei Technologies Co., Ltd. said the Ascend 910C and Nvidia's H20 are both in demand.",
        ),
        ("zh", "一家中国芯片公司表示，其产品性能接近英伟达H20。"),
        ("ar", "قالت شركة صينية ناشئة إنها تطور رقاقة منافسة لرقائق إنفيديا H20."),
    ],
)
def test_discovery_leaves_known_names_and_ordinary_words_alone(lang, text):
    assert find(text, lang) == []


def test_a_failing_discovery_never_fails_the_article(monkeypatch, caplog):
    def broken(_gazetteer):
        raise RuntimeError("discovery bug")

    monkeypatch.setattr(pipeline, "discovery_for", broken)
    item = RawItem(origin="t", title=ARTICLES[0]["title"], body=ARTICLES[0]["body"], lang="en")
    analysed = pipeline.analyse(item, None, default_enricher())
    assert isinstance(analysed, pipeline.Analysed) and analysed.candidates == ()
    assert "ascend" in analysed.tags and "discovery failed" in caplog.text


# --- the review flow ---------------------------------------------------------------------------


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(runtime):
    out = {}
    with runtime.sessions.begin() as session:
        for name, role in (("rita", "reader"), ("erin", "editor")):
            user = service.add_user(session, name, role, PASSWORD)
            out[name] = service.issue_token(session, user, "test")[1]
    return out


def post_articles(client, *articles) -> list[int]:
    answer = client.post("/api/articles", json=list(articles), headers=bearer(ADMIN_TOKEN))
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["article_ids"]


def tags_of(runtime, article_id: int) -> set[str]:
    with runtime.sessions() as s:
        return set(
            s.scalars(select(ArticleEntity.entity_id).where(ArticleEntity.article_id == article_id))
        )


def test_review_in_the_browser_with_csrf_and_as_json(runtime, client, tokens):
    ids = post_articles(client, *ARTICLES, OTHER)
    assert client.get("/api/gazetteer/suggestions").status_code == 401
    assert (
        client.get("/api/gazetteer/suggestions", headers=bearer(tokens["rita"])).status_code == 403
    )
    listed = client.get("/api/gazetteer/suggestions", headers=bearer(tokens["erin"])).json()[
        "suggestions"
    ]
    chip = next(s for s in listed if s["type"] == "chip")
    assert (chip["name"], chip["count"], chip["of"]) == ("Ascend 910D", 2, None)
    assert sorted(e["article_id"] for e in chip["examples"]) == ids[:2]
    assert {"昇腾910D", "Ascend 910D"} <= {n for ns in chip["aliases"].values() for n in ns}
    spelling = next(s for s in listed if s["name"] == "Nvidea")
    assert spelling["of"] == "nvidia" and spelling["examples"][0]["article_id"] == ids[2]

    # An editor's session: the page lists them; forms need the session's CSRF token.
    answer = client.post(
        "/account/login", data={"name": "erin", "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303
    page = client.get("/admin/gazetteer")
    assert page.status_code == 200 and "Ascend 910D" in page.text and "昇腾910D" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    accept = f"/admin/gazetteer/suggestions/{chip['id']}/accept"
    assert client.post(accept, data={"csrf": "forged"}).status_code == 403
    assert TestClient(client.app).post(accept, data={"csrf": csrf}).status_code == 401  # no session
    answer = client.post(
        accept,
        data={"csrf": csrf, "name": "Ascend 910D", "entity_id": "ascend-910d", "parent": "huawei"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    answer = client.post(
        f"/admin/gazetteer/suggestions/{spelling['id']}/reject",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert client.post(accept, data={"csrf": csrf}).status_code == 422  # already accepted: said so

    # The change is the overlay's, with who made it; the worker's re-tag job follows.
    with runtime.sessions() as s:
        (change,) = overlay.history(s)
        assert (change.entity_id, change.action, change.by) == ("ascend-910d", "add", "user:erin")
    assert run_jobs(runtime)["retagged"] >= 2
    assert "ascend-910d" in tags_of(runtime, ids[0]) and "ascend-910d" in tags_of(runtime, ids[1])
    assert "nvidia" not in tags_of(runtime, ids[2]) or "Nvidea" not in json.dumps(
        client.get(f"/api/articles/{ids[2]}").json()["mentions"]
    )
    found = client.get("/api/search", params={"chip": "ascend-910d"}).json()
    assert sorted(h["id"] for h in found["hits"]) == ids[:2]
    entity = client.get("/entities/ascend-910d")
    assert entity.status_code == 200 and "昇腾910D" in entity.text
    page = client.get("/admin/gazetteer").text
    assert "Nothing to review" in page and "user:erin" in page

    # A rejected name stays rejected when it is seen again.
    post_articles(
        client, {**OTHER, "url": "https://news.example/nvidea-2", "body": OTHER["body"] + " Again."}
    )
    again = client.get(
        "/api/gazetteer/suggestions", params={"status": "all"}, headers=bearer(tokens["erin"])
    )
    nvidea = [s for s in again.json()["suggestions"] if s["name"] == "Nvidea"]
    assert [(s["status"], s["count"]) for s in nvidea] == [("rejected", 1)]


def test_editing_an_entity_in_the_browser(runtime, client):
    client.post("/admin/login", data={"token": ADMIN_TOKEN})
    page = client.get("/admin/gazetteer", params={"entity": "micron"})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    raw = json.loads(
        html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1))
    )
    raw["aliases"]["ar"].append("مايكرون")
    answer = client.post(
        "/admin/gazetteer/entities/micron",
        data={"csrf": csrf, "payload": json.dumps(raw)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    bad = client.post(
        "/admin/gazetteer/entities/micron", data={"csrf": csrf, "payload": "{not json"}
    )
    assert bad.status_code == 422 and "Not JSON" in bad.text
    removed = client.post(
        "/admin/gazetteer/entities/micron/aliases/remove",
        data={"csrf": csrf, "alias": "مايكرون", "lang": "ar"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    with runtime.sessions() as s:
        assert [c.action for c in overlay.history(s, "micron")] == ["remove-alias", "update"]
        assert overlay.export(s) == {}


def test_review_on_the_command_line(sqlite_settings, tmp_path):
    env = {"CHIPWATCH_DATA_DIR": str(sqlite_settings.data_dir)}
    runner = CliRunner()
    data = tmp_path / "news.jsonl"
    data.write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in (*ARTICLES, OTHER)) + "\n",
        encoding="utf-8",
    )
    assert runner.invoke(main, ["ingest", str(data)], env=env).exit_code == 0
    listed = json.loads(runner.invoke(main, ["gazetteer", "suggestions", "--json"], env=env).output)
    assert all({"id", "type", "name", "count", "examples", "of"} <= s.keys() for s in listed)
    chip = next(s for s in listed if s["name"] == "Ascend 910D")
    spelling = next(s for s in listed if s["name"] == "Nvidea")
    assert (
        runner.invoke(
            main, ["gazetteer", "accept", str(chip["id"]), "--name", "Ascend 910D"], env=env
        ).exit_code
        == 0
    )
    done = runner.invoke(
        main, ["gazetteer", "accept", str(spelling["id"]), "--as", "nvidia"], env=env
    )
    assert done.exit_code == 0, done.output
    again = runner.invoke(main, ["gazetteer", "reject", str(spelling["id"])], env=env)
    assert again.exit_code == 1 and "already accepted" in again.output
    assert runner.invoke(main, ["gazetteer", "reject", "99999"], env=env).exit_code == 1
    jobs = runner.invoke(main, ["gazetteer", "jobs", "--run", "--json"], env=env)
    assert [j["status"] for j in json.loads(jobs.output)] == ["done", "done"]
    exported = json.loads(runner.invoke(main, ["gazetteer", "export"], env=env).output)
    assert [c["id"] for c in exported["chips"]] == ["ascend-910d"]
    assert "Nvidea" in exported["companies"][0]["aliases"]["en"]
    history = json.loads(runner.invoke(main, ["gazetteer", "history", "--json"], env=env).output)
    assert [c["action"] for c in history["changes"]] == ["add-alias", "add"]
    runtime = build_runtime(sqlite_settings)
    try:
        with runtime.sessions() as s:
            tagged = set(
                s.scalars(
                    select(ArticleEntity.article_id).where(ArticleEntity.entity_id == "ascend-910d")
                )
            )
        assert len(tagged) == 2
    finally:
        runtime.close()


# --- re-tagging is exact --------------------------------------------------------------------------


def snapshot(runtime) -> dict:
    with runtime.sessions() as s:
        tags = sorted(
            s.execute(
                select(
                    ArticleEntity.article_id,
                    ArticleEntity.entity_id,
                    ArticleEntity.reason,
                    ArticleEntity.role,
                    ArticleEntity.link_reason,
                )
            ).all()
        )
        mentions = sorted(
            s.execute(
                select(Mention.article_id, Mention.entity_id, Mention.start, Mention.end)
            ).all()
        )
        versions = sorted(s.execute(select(Article.id, Article.gazetteer_version)).all())
    return {"tags": tags, "mentions": mentions, "versions": versions}


def test_accepting_then_removing_an_alias_leaves_every_article_tagged_as_before(
    runtime, ingest, tmp_path
):
    ingest(SAMPLE)
    data = tmp_path / "more.jsonl"
    data.write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in (*ARTICLES, OTHER)) + "\n",
        encoding="utf-8",
    )
    ingest(data)
    before = snapshot(runtime)
    with runtime.sessions.begin() as s:
        spelling = next(r for r in suggestions.listing(s) if r.name == "Nvidea")
        suggestions.accept(s, spelling.id, "tester")
        # And a second alias that touches many articles: "chips" as a name of Huawei.
        overlay.add_alias(s, "huawei", "chips", "en", "tester")
    run_jobs(runtime, max_chunks=100)
    during = snapshot(runtime)
    assert during["tags"] != before["tags"]
    with runtime.sessions.begin() as s:
        overlay.remove_alias(s, "nvidia", "Nvidea", "tester")
        overlay.remove_alias(s, "huawei", "chips", "tester")
    run_jobs(runtime, max_chunks=100)
    assert runtime.enricher.gazetteer.version == default_enricher().gazetteer.version
    assert snapshot(runtime) == before


# --- the scenario of the issue: worker, Meilisearch, command line, web ---------------------------


def test_ascend_910d_found_accepted_and_searchable_with_the_worker(meili_settings, tmp_path):
    upgrade(meili_settings)
    worker_runtime = build_runtime(meili_settings)
    worker_runtime.search.ensure_index()
    stop = threading.Event()
    worker = threading.Thread(target=Worker(worker_runtime).run, args=(stop,), daemon=True)
    worker.start()
    web_runtime = build_runtime(meili_settings)  # the web process: its own runtime
    env = {
        "CHIPWATCH_DATA_DIR": str(meili_settings.data_dir),
        "CHIPWATCH_MEILI_URL": meili_settings.meili_url,
        "CHIPWATCH_MEILI_KEY": meili_settings.meili_key.get_secret_value(),
        "CHIPWATCH_MEILI_INDEX": meili_settings.meili_index,
    }
    runner = CliRunner()
    try:
        data = tmp_path / "news.jsonl"
        data.write_text(
            "\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES) + "\n", encoding="utf-8"
        )
        report = json.loads(runner.invoke(main, ["ingest", str(data), "--json"], env=env).output)
        ids = report["article_ids"]
        listed = json.loads(
            runner.invoke(main, ["gazetteer", "suggestions", "--json"], env=env).output
        )
        chip = next(s for s in listed if s["type"] == "chip")
        assert chip["name"] == "Ascend 910D" and chip["of"] is None
        assert sorted(e["article_id"] for e in chip["examples"]) == sorted(ids)
        accepted = runner.invoke(main, ["gazetteer", "accept", str(chip["id"])], env=env)
        assert accepted.exit_code == 0, accepted.output
        with TestClient(create_app(meili_settings, web_runtime)) as client:

            def found():
                answer = client.get("/api/search", params={"chip": "ascend-910d"})
                return answer.status_code == 200 and sorted(
                    h["id"] for h in answer.json()["hits"]
                ) == sorted(ids)

            wait_for(found, "the accepted chip's articles in /api/search", timeout=60)
            assert (
                client.get("/api/search", params={"chip": "ascend-910d"}).json()["engine"]
                == "meilisearch"
            )
            page = client.get("/entities/ascend-910d")
            assert page.status_code == 200
            assert "Ascend 910D" in page.text and "昇腾910D" in page.text
    finally:
        stop.set()
        worker.join(timeout=30)
        worker_runtime.close()
        web_runtime.close()


def test_a_retag_job_keeps_its_progress_and_resumes(runtime, ingest, monkeypatch):
    """The worker runs a job a chunk per transaction; one stopped half-way (a killed worker)
    goes on from the last article it scanned, and the page shows the progress."""
    from app.article import retag
    from app.models import RetagJob

    ingest(SAMPLE)
    monkeypatch.setattr(retag, "CHUNK", 10)
    with runtime.sessions.begin() as s:
        overlay.add_alias(s, "huawei", "chips", "en", "tester")
    assert run_jobs(runtime, max_chunks=2)["chunks"] == 2  # then the worker "dies"
    with runtime.sessions() as s:
        (job,) = s.scalars(select(RetagJob))
        assert (job.status, job.done) == ("running", 20) and job.total >= 44
        halfway = job.retagged
    run_jobs(runtime, max_chunks=100)
    with runtime.sessions() as s:
        (job,) = s.scalars(select(RetagJob))
        assert job.status == "done" and job.done == job.total and job.retagged > halfway
        tagged = set(
            s.scalars(
                select(ArticleEntity.article_id).where(ArticleEntity.entity_id == "huawei")
            )
        )
        with_chips = {
            a.id
            for a in s.scalars(select(Article))
            if re.search(r"\bchips\b", f"{a.title}\n{a.body}", re.IGNORECASE)
        }
    assert with_chips and with_chips <= tagged


def test_aliases_and_export_on_the_command_line(sqlite_settings, tmp_path):
    env = {"CHIPWATCH_DATA_DIR": str(sqlite_settings.data_dir)}
    runner = CliRunner()
    added = runner.invoke(main, ["gazetteer", "alias", "add", "micron", "مايكرون", "--lang", "ar"], env=env)
    assert added.exit_code == 0, added.output
    twice = runner.invoke(main, ["gazetteer", "alias", "add", "micron", "مايكرون", "--lang", "ar"], env=env)
    assert twice.exit_code == 1 and "already has the alias" in twice.output
    out = tmp_path / "export"
    written = runner.invoke(main, ["gazetteer", "export", "--out", str(out)], env=env)
    assert written.exit_code == 0 and [p.name for p in out.iterdir()] == ["companies.json"]
    companies = json.loads((out / "companies.json").read_text(encoding="utf-8"))
    assert "مايكرون" in next(c for c in companies if c["id"] == "micron")["aliases"]["ar"]
    removed = runner.invoke(main, ["gazetteer", "alias", "remove", "micron", "مايكرون"], env=env)
    assert removed.exit_code == 0, removed.output
    assert json.loads(runner.invoke(main, ["gazetteer", "export"], env=env).output) == {}
    missing = runner.invoke(main, ["gazetteer", "alias", "remove", "nowhere", "x"], env=env)
    assert missing.exit_code == 1 and "no entity 'nowhere'" in missing.output


def test_accept_and_reject_as_json_with_a_bearer_token(runtime, client, tokens):
    ids = post_articles(client, *ARTICLES, OTHER)
    listed = client.get("/api/gazetteer/suggestions", headers=bearer(tokens["erin"])).json()
    chip = next(s for s in listed["suggestions"] if s["name"] == "Ascend 910D")
    spelling = next(s for s in listed["suggestions"] if s["name"] == "Nvidea")
    accept = f"/api/gazetteer/suggestions/{chip['id']}/accept"

    # Who may: an editor's or admin's personal token, or the admin token; not a reader, not
    # an anonymous caller, not a session cookie alone (no CSRF on JSON).
    assert client.post(accept).status_code == 401
    assert client.post(accept, headers=bearer(tokens["rita"])).status_code == 403
    client.post("/account/login", data={"name": "erin", "password": PASSWORD})
    refused = client.post(accept, json={})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"

    # Bad bodies say which field.
    editor = bearer(tokens["erin"])
    for body, field in (
        ({"as": "no-such-entity"}, "as"),
        ({"as": "Not An Id"}, "as"),
        ({"parent": "nowhere"}, "parent"),
        ({"entity_id": "nvidia"}, "entity_id"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
    ):
        answer = client.post(accept, json=body, headers=editor)
        assert answer.status_code == 422, (body, answer.text)
        assert field in {e["param"].split(".")[-1] for e in answer.json()["errors"]}, answer.json()
    assert client.post(
        "/api/gazetteer/suggestions/99999/accept", json={}, headers=editor
    ).status_code == 404
    assert client.post("/api/gazetteer/suggestions/99999/reject", headers=editor).status_code == 404

    done = client.post(
        accept,
        json={"name": "Ascend 910D", "entity_id": "ascend-910d", "parent": "huawei"},
        headers=editor,
    )
    assert done.status_code == 200, done.text
    answer = done.json()
    assert answer["suggestion"]["status"] == "accepted"
    assert answer["suggestion"]["decided_by"] == "user:erin"
    assert answer["change"]["entity_id"] == "ascend-910d" and answer["change"]["action"] == "add"
    assert answer["version"] != default_enricher().gazetteer.version
    again = client.post(accept, json={}, headers=editor)
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]

    # The admin token rejects; a second decision is a conflict.
    reject = f"/api/gazetteer/suggestions/{spelling['id']}/reject"
    rejected = client.post(reject, headers=bearer(ADMIN_TOKEN))
    assert rejected.status_code == 200 and rejected.json()["suggestion"]["status"] == "rejected"
    assert rejected.json()["change"] is None
    assert client.post(reject, headers=editor).status_code == 409
    assert client.post(
        f"/api/gazetteer/suggestions/{spelling['id']}/accept", json={"as": "nvidia"}, headers=editor
    ).status_code == 409

    assert run_jobs(runtime)["retagged"] >= 2
    assert "ascend-910d" in tags_of(runtime, ids[0]) and "ascend-910d" in tags_of(runtime, ids[1])
    with runtime.sessions() as s:
        assert overlay.effective_gazetteer(s).entities["ascend-910d"].raw["parent"] == "huawei"


# --- discovery on a feed entry updated in place ---------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Chip Ledger</title><link>https://chipledger.example/</link><description>chips</description>
<item><title>Huawei readies its next AI processor</title>
<guid isPermaLink="false">chipledger-910d</guid><pubDate>Tue, 20 May 2025 08:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>
</channel></rss>"""
BEFORE = "Huawei is preparing a new processor for Chinese cloud operators, people familiar said."
AFTER = (
    "Huawei has begun testing its Ascend 910D processor with Chinese cloud operators, people "
    "familiar with the matter said."
)


def _poll_changed_entry(server, runtime, settings) -> int:
    from datetime import UTC, datetime, timedelta

    from app.ingest.poller import poll_due_sources
    from app.ingest.sources import add_source

    settings.allow_private_urls = True
    headers = {"Content-Type": "application/rss+xml"}
    server.add("/ledger.xml", RSS.format(text=BEFORE), headers={**headers, "ETag": '"v1"'})
    with runtime.sessions.begin() as session:
        add_source(session, server.url("/ledger.xml"), name="Chip Ledger", lang="en", interval=60)
    t0 = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    assert poll_due_sources(runtime, now=t0)["added"] == 1
    server.add("/ledger.xml", RSS.format(text=AFTER), headers={**headers, "ETag": '"v2"'})
    assert poll_due_sources(runtime, now=t0 + timedelta(hours=2))["updated"] == 1
    with runtime.sessions() as session:
        (article,) = session.scalars(select(Article))
        assert "Ascend 910D" in article.body
        return article.id


def open_names(runtime) -> dict:
    with runtime.sessions() as session:
        return {s.name: s for s in suggestions.listing(session)}


def test_an_entry_updated_in_place_is_searched_for_new_names(server, runtime, settings):
    article_id = _poll_changed_entry(server, runtime, settings)
    chip = open_names(runtime)["Ascend 910D"]
    assert (chip.type, chip.parent, chip.count) == ("chip", "huawei", 1)
    assert chip.article_ids == [article_id] and "Ascend 910D" in chip.examples[0]["text"]


def test_a_failing_suggestion_never_fails_the_update(server, runtime, settings, monkeypatch, caplog):
    from app.article import service as article_service

    def broken(*_args):
        raise RuntimeError("review queue bug")

    monkeypatch.setattr(article_service, "record_found", broken)
    _poll_changed_entry(server, runtime, settings)  # stored, updated: the text is the new one
    assert "Ascend 910D" not in open_names(runtime)
    assert "gazetteer candidates failed" in caplog.text
