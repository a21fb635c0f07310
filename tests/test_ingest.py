"""Ingestion of files: formats, encodings, rejections with reasons, exact duplicates."""

import json
import os

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.cli import main
from app.models import Article, ArticleEntity, Rejection
from tests.conftest import ADMIN_TOKEN, DATA, SHARED

SEED = SHARED / "seed" / "000_dc216fd5a588ab91.txt"


def _tags(runtime, article_id):
    with runtime.sessions() as s:
        return set(s.scalars(select(ArticleEntity.entity_id).where(ArticleEntity.article_id == article_id)))


def _count(runtime, model):
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


# An Arabic article written for this repo with what the shared seed article checks (Reuters
# cited, five companies, "H2O" among chip words since April): a clone without ../shared still
# tests the behaviour.
H2O_ARABIC = DATA / "h2o-arabic.txt"


def test_h2o_arabic_article_stored_once_with_its_entities(runtime, ingest, client):
    _stored_once_with_its_entities(runtime, ingest, client, H2O_ARABIC)


@pytest.mark.skipif(not SEED.exists(), reason="shared seed article not present")
def test_seed_article_stored_once_with_its_entities(runtime, ingest, client):
    _stored_once_with_its_entities(runtime, ingest, client, SEED)


def _stored_once_with_its_entities(runtime, ingest, client, path):
    first = ingest(path)
    assert (first.added, first.duplicates, first.rejected) == (1, 0, [])
    second = ingest(path)
    assert (second.added, second.duplicates) == (0, 1)
    article_id = first.article_ids[0]
    tags = _tags(runtime, article_id)
    assert {"alibaba", "bytedance", "deepseek", "huawei", "nvidia", "h20"} <= tags
    assert "2025-04-h20-licence-requirement" in tags  # "since April ... restrictions on H2O"
    for query in ("company=nvidia", "chip=h20", "q=Nvidia"):
        hits = client.get(f"/api/search?{query}").json()["hits"]
        assert [h["id"] for h in hits] == [article_id], query
    detail = client.get(f"/api/articles/{article_id}").json()
    assert detail["cited_sources"] == ["Reuters"]
    assert detail["lang"] == "ar"
    assert detail["title"] and len(detail["title"]) <= 100
    for m in detail["mentions"]:
        assert detail["body"][m["start"]:m["end"]] == m["surface"]


def test_directory_rejects_bad_files_and_keeps_good_ones(runtime, ingest, tmp_path):
    folder = tmp_path / "inbox"
    (folder / "nested").mkdir(parents=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "random.txt").write_bytes(os.urandom(2048))
    (folder / "lines.jsonl").write_text(
        json.dumps({"title": "No body here", "url": "https://example.org/a"}) + "\n"
        + json.dumps({"title": "TSMC halts 7nm shipments", "body": "TSMC told Chinese customers it would stop "
                      "shipping advanced 7nm AI chips from November, after a US order.",
                      "published_at": "2024-11-08T10:00:00Z", "lang": "en"}) + "\n", encoding="utf-8")
    (folder / "nested" / "arabic.txt").write_bytes((DATA / "arabic-cp1256.txt").read_bytes())
    (folder / "smic.md").write_text((DATA / "smic.md").read_text())
    (folder / "page.html").write_text((DATA / "nvidia-h20.html").read_text())

    report = ingest(folder)
    reasons = {r.origin.replace(str(folder) + "/", ""): r.reason for r in report.rejected}
    # Random bytes: what gave them away and where (a NUL byte, or a byte UTF-8 does not allow).
    assert reasons.pop("random.txt").startswith("not text: binary data or an unknown character encoding (")
    assert reasons == {
        "empty.txt": "empty input",
        "lines.jsonl:1": "no body: a JSON article needs a non-empty 'body' or 'html'",
    }
    assert report.added == 4
    with runtime.sessions() as s:
        stored = {a.title: a for a in s.scalars(select(Article))}
        assert _count(runtime, Rejection) == 3
    arabic = stored["شركة هواوي تكثف إنتاج رقائق أسيند"]
    assert arabic.lang == "ar" and "الولايات المتحدة" in arabic.body
    assert {"huawei", "ascend-910c", "nvidia", "china"} <= _tags(runtime, arabic.id)
    assert stored["SMIC reports record revenue despite export controls"].lang == "en"
    page = stored["Nvidia unveils H20 for China"]
    assert "alert" not in page.body and "Copyright" not in page.body
    assert {"nvidia", "h20", "h100", "ascend-910b"} <= _tags(runtime, page.id)


def test_json_array_stdin_and_field_errors(runtime, ingest, tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([
        {"title": "Dutch expand DUV controls", "body": "The Netherlands widened licence requirements "
         "for ASML immersion DUV lithography systems in September 2024.", "published_at": "7 September 2024"},
        {"title": 42, "body": "x"},
        "not an object",
        {"body": "A body that has a date nobody can read, long enough to be kept.", "published_at": "sometime soon-ish?"},
    ]))
    report = ingest(path)
    assert report.added == 1
    assert [r.reason for r in report.rejected] == [
        "field 'title' must be a string, got int",
        "expected a JSON object, got str",
        "unreadable date 'sometime soon-ish?'",
    ]
    assert [r.origin.rsplit("/", 1)[-1] for r in report.rejected] == ["batch.json[1]", "batch.json[2]", "batch.json[3]"]


def test_undated_article_keeps_ingestion_time_and_is_marked(runtime, ingest, tmp_path):
    path = tmp_path / "undated.txt"
    path.write_text("Huawei ships Ascend 910C\n\nHuawei began mass shipments of its Ascend 910C accelerator to Chinese cloud firms.")
    report = ingest(path)
    with runtime.sessions() as s:
        article = s.get(Article, report.article_ids[0])
    assert article.date_estimated is True and article.title == "Huawei ships Ascend 910C"


def test_duplicates_ignore_spacing_and_case(runtime, ingest, tmp_path):
    (tmp_path / "a.txt").write_text("Nvidia  said the H20 licence requirement will cost it $5.5 billion in charges.")
    (tmp_path / "b.txt").write_text("NVIDIA said the H20 licence requirement will cost it $5.5 billion in charges!")
    report = ingest(tmp_path)
    assert (report.added, report.duplicates) == (1, 1)


def test_cli_summary_and_exit_codes(sqlite_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(sqlite_settings.data_dir))
    from app.config import get_settings

    get_settings.cache_clear()
    good = tmp_path / "good.md"
    good.write_text((DATA / "smic.md").read_text())
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    runner = CliRunner()
    ok = runner.invoke(main, ["ingest", str(good)])
    assert ok.exit_code == 0 and ok.output.strip().endswith("added 1, duplicates 0, rejected 0")
    rejected = runner.invoke(main, ["ingest", "--json", str(good), str(bad)])
    assert rejected.exit_code == 1
    report = json.loads(rejected.stdout.strip().splitlines()[-1])
    assert report["duplicates"] == 1 and report["rejected"][0]["reason"] == "empty input"
    assert runner.invoke(main, ["ingest", str(tmp_path / "missing.txt")]).exit_code == 2
    assert runner.invoke(main, ["ingest", "--lang", "Arabic!", str(good)]).exit_code == 2
    assert runner.invoke(main, ["ingest"]).exit_code == 2
    stdin = runner.invoke(main, ["ingest", "-"], input=json.dumps(
        {"title": "Stdin article", "body": "Alibaba trains its Qwen models in Singapore data centres, sources say."}))
    assert stdin.exit_code == 0 and "added 1" in stdin.output
    get_settings.cache_clear()


def test_language_tags_as_feeds_and_cmss_write_them(runtime, ingest, client, tmp_path):
    """A JSON item's or the API's lang may be a BCP 47 tag ("en-US", "zh-Hant-TW", "pt_BR"): its
    primary subtag is the language. A tag with no language in it is still a recorded rejection."""
    body = "Nvidia said on Tuesday that its H20 accelerators now need an export licence for China. " * 3
    items = [{"title": f"Item {tag}", "body": f"{tag} {body}", "lang": tag, "url": f"https://example.com/{i}"}
             for i, tag in enumerate(["en-US", "ZH-hant-TW", "pt_BR", " fr "])]
    items.append({"title": "Bad tag", "body": "x " + body, "lang": "english-language", "url": "https://example.com/x"})
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    report = ingest(path)
    assert report.added == 4 and len(report.rejected) == 1
    assert "not a language code" in str(report.rejected[0])
    with runtime.sessions() as session:
        langs = dict(session.execute(select(Article.title, Article.lang)).all())
    assert langs == {"Item en-US": "en", "Item ZH-hant-TW": "zh", "Item pt_BR": "pt", "Item fr": "fr"}
    response = client.post("/api/articles", headers={"Authorization": "Bearer " + ADMIN_TOKEN},
                           json=[{"title": "API item", "body": "api " + body, "lang": "zh-Hant-TW",
                                  "url": "https://example.com/api"}])
    assert response.status_code < 300, response.text
    with runtime.sessions() as session:
        assert session.scalar(select(Article.lang).where(Article.title == "API item")) == "zh"
