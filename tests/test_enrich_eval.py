"""The labelled evaluation set and `chipwatch eval`: a drop below micro-F1 0.95 for any entity type
fails the suite. Also the gazetteer version on stored articles and re-tagging after a change."""

import json
import shutil
from collections import Counter

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app import gazetteer as gz
from app.cli import main
from app.enrich import Enricher, default_enricher
from app.enrich.evaluate import KINDS, evaluate, load_eval_set, load_sample_set
from app.gazetteer import ENTITY_TYPES
from app.article.retag import retag_all
from app.models import Article, ArticleEntity, Entity, Mention

BAR = 0.95


@pytest.fixture(scope="module")
def eval_set() -> list[dict]:
    return load_eval_set()


@pytest.fixture(scope="module")
def report(eval_set):
    return evaluate(eval_set, default_enricher())


def test_eval_set_is_large_multilingual_and_labelled_with_gazetteer_ids(eval_set):
    entities = default_enricher().gazetteer.entities
    outlets = set(default_enricher().gazetteer.context["sources"])
    assert len(eval_set) >= 120
    langs = Counter(a["lang"] for a in eval_set)
    assert {"ar", "en", "zh", "fr"} <= set(langs) and all(langs[k] >= 20 for k in ("ar", "en", "zh", "fr"))
    assert len({a["id"] for a in eval_set}) == len(eval_set)
    for art in eval_set:
        assert art["title"] and art["body"] and art["published_at"]
        assert set(art["gold"]) == set(ENTITY_TYPES)
        for kind, values in art["gold"].items():
            for value in values:
                assert entities[value].type == kind, (art["id"], value)
        assert set(art["cited_sources"]) <= outlets, art["id"]
    # Off-topic controls and restrictions referred to: both are there.
    assert sum(not any(a["gold"].values()) for a in eval_set) >= 5
    assert sum(bool(a["gold"]["restriction"]) for a in eval_set) >= 60


@pytest.mark.parametrize("kind", ENTITY_TYPES)
def test_micro_f1_per_entity_type_meets_the_bar(report, kind):
    score = report.scores[kind]
    misses = [m.to_dict() for m in report.misses if m.kind == kind]
    assert score.f1 >= BAR, f"{kind}: F1 {score.f1:.3f} < {BAR}; misses: {misses}"


def test_cited_sources_meet_the_bar(report):
    assert report.scores["cited_sources"].f1 >= BAR


def test_restriction_rule_on_the_sample_corpus_held_out():
    """The sample corpus was written by someone else; its restriction labels check the rule."""
    sample = evaluate(load_sample_set(), default_enricher())
    assert sample.articles == 49 and sample.labelled == {"restriction"}
    assert sample.scores["restriction"].f1 >= 0.93
    assert sample.rule["wrong"] <= 3


def test_report_lists_misses_with_article_and_surface():
    articles = [{"id": "t-1", "lang": "en", "title": "", "published_at": "2025-05-01T00:00:00Z",
                 "body": "Nvidia's H200 shipped, according to Reuters.",
                 "gold": {"company": ["nvidia"], "chip": ["h20"], "restriction": [], "region": [], "agency": []},
                 "cited_sources": ["Reuters", "Bloomberg"]}]
    rep = evaluate(articles, default_enricher())
    misses = {(m.error, m.kind, m.value, m.surface) for m in rep.misses}
    assert ("fp", "chip", "h200", "H200") in misses
    assert ("fn", "chip", "h20", "") in misses
    assert ("fn", "cited_sources", "Bloomberg", "") in misses
    assert rep.scores["company"].f1 == 1.0 and rep.scores["chip"].tp == 0
    text = rep.format_text()
    assert "FP t-1" in text and "'H200'" in text


def test_eval_command_prints_the_table_and_writes_json(tmp_path):
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["eval", "--json", str(out), "--fail-under", str(BAR)])
    assert result.exit_code == 0, result.output
    for kind in KINDS:
        assert kind in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["scores"]) == set(KINDS)
    assert data["articles"] >= 120 and "misses" in data and "restriction_rule" in data
    assert all(data["scores"][k]["f1"] >= BAR for k in ENTITY_TYPES)


def test_eval_command_fails_under_a_bar_it_cannot_meet(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "lang": "en", "title": "", "body": "Nothing here.",
                               "published_at": "2025-01-01T00:00:00Z",
                               "gold": {"company": ["nvidia"], "chip": [], "restriction": [], "region": [],
                                        "agency": []}, "cited_sources": []}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--data", str(bad), "--no-misses", "--fail-under", "0.5"])
    assert result.exit_code == 1
    assert "company" in result.output


def test_eval_command_on_the_sample_restrictions():
    result = CliRunner().invoke(main, ["eval", "--sample", "--no-misses"])
    assert result.exit_code == 0, result.output
    assert "restriction" in result.output and "company" not in result.output


# --- stored articles ------------------------------------------------------------------------

ARTICLE = {"title": "中昊芯英与英伟达", "url": "https://example.test/tpu",
           "body": ("据路透社报道，杭州初创企业中昊芯英正在研发张量处理器（TPU）芯片，希望在国内数据中心"
                    "替代英伟达H20。该公司表示，新一代芯片将于明年量产。"),
           "published_at": "2025-06-01T08:00:00+08:00", "lang": "zh", "source": "test"}


def _article_state(runtime, url):
    with runtime.sessions() as session:
        article = session.scalar(select(Article).where(Article.url == url))
        tags = set(session.scalars(select(ArticleEntity.entity_id).where(ArticleEntity.article_id == article.id)))
        mentions = session.execute(select(Mention.entity_id, Mention.surface, Mention.start, Mention.end)
                                   .where(Mention.article_id == article.id)).all()
        return article, tags, mentions


def test_articles_record_the_gazetteer_version_and_mention_offsets(runtime, ingest, tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(ARTICLE, ensure_ascii=False) + "\n", encoding="utf-8")
    report = ingest(path)
    assert report.added == 1 and not report.rejected
    article, tags, mentions = _article_state(runtime, ARTICLE["url"])
    assert article.gazetteer_version == runtime.enricher.version
    assert article.cited_sources == ["Reuters"]
    assert {"nvidia", "h20", "tpu"} <= tags
    for _eid, surface, start, end in mentions:
        assert article.body[start:end] == surface


def test_enrich_all_retags_after_a_gazetteer_change(runtime, ingest, tmp_path):
    """What `chipwatch enrich --all` runs: a new company in a copy of the gazetteer is tagged on
    stored articles, the entities table follows, and the articles record the new version."""
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(ARTICLE, ensure_ascii=False) + "\n", encoding="utf-8")
    ingest(path)
    old_version = runtime.enricher.gazetteer.version
    _article, tags, _mentions = _article_state(runtime, ARTICLE["url"])
    assert "zhonghao-xinying" not in tags

    data = tmp_path / "gazetteer"
    shutil.copytree(gz.DATA_DIR, data)
    companies = json.loads((data / "companies.json").read_text(encoding="utf-8"))
    companies.append({"id": "zhonghao-xinying", "type": "company", "name": "Zhonghao Xinying",
                      "aliases": {"en": ["Zhonghao Xinying"], "zh": ["中昊芯英"], "fr": ["Zhonghao Xinying"]},
                      "verified": True, "note": "Chinese TPU designer (test entry)."})
    companies.sort(key=lambda e: e["id"])
    (data / "companies.json").write_text(json.dumps(companies, ensure_ascii=False, indent=2), encoding="utf-8")
    runtime.enricher = Enricher(gz.load(data))
    assert runtime.enricher.gazetteer.version != old_version

    assert retag_all(runtime) == 1
    article, tags, mentions = _article_state(runtime, ARTICLE["url"])
    assert article.gazetteer_version == runtime.enricher.version
    assert {"zhonghao-xinying", "nvidia", "h20"} <= tags
    (hit,) = [m for m in mentions if m.entity_id == "zhonghao-xinying"]
    assert article.body[hit.start:hit.end] == "中昊芯英" == hit.surface
    with runtime.sessions() as session:
        assert session.get(Entity, "zhonghao-xinying").name == "Zhonghao Xinying"
