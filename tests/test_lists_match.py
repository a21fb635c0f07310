"""Matching list parties to gazetteer companies: hard cases one by one, and the quality bar on the
labelled set (app/data/eval/list_matches.jsonl, printed by `chipwatch lists eval`)."""

import json

import pytest
from click.testing import CliRunner

from app import gazetteer as gz
from app.lists.evaluate import EVAL_SET, evaluate, load_set
from app.lists.match import AUTO_THRESHOLD, Matcher, core, suggest_entry, words

PRECISION_BAR = 0.98


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(gz.default())


def automatic(matcher: Matcher, name: str, alt_names=()) -> str | None:
    return next((c.entity_id for c in matcher.candidates(name, list(alt_names)) if c.automatic), None)


def test_names_fold_across_case_punctuation_widths_and_scripts():
    assert words("HUAWEI TECHNOLOGIES CO., LTD.") == words("Huawei Technologies Co. Ltd")
    assert words("Ｈｕａｗｅｉ") == ["huawei"]
    assert words("ASML Holding N.V.") == ["asml", "holding", "nv"]
    assert core(words("Huawei Technologies Co., Ltd.")) == ["huawei"]
    assert core(words("华为技术有限公司")) == ["华为"]
    assert core(words("شركة هواوي تكنولوجيز")) == ["هواوي"]


@pytest.mark.parametrize(("name", "entity"), [
    ("Huawei Technologies Co., Ltd.", "huawei"), ("HUAWEI TECHNOLOGIES CO. LTD", "huawei"),
    ("华为技术有限公司", "huawei"), ("شركة هواوي تكنولوجيز", "huawei"),
    ("Semiconductor Manufacturing International Corporation", "smic"), ("ZTE Corporation", "zte"),
    ("中兴通讯股份有限公司", "zte"), ("Moore Threads Technology Co., Ltd.", "moore-threads"),
    ("Meta Platforms, Inc.", "meta"), ("ASML Holding N.V.", "asml"),
])
def test_the_company_itself_is_linked_automatically(matcher, name, entity):
    assert automatic(matcher, name) == entity


@pytest.mark.parametrize("name", [
    "Huawei Cloud Computing Technologies Co., Ltd.",  # an affiliate: its own listing
    "Huawei Cloud Technologies Co., Ltd.",  # "Huawei Cloud" is a gazetteer alias, but of a unit
    "华为云计算技术有限公司", "Huawei Device Co., Ltd.",
    "Semiconductor Manufacturing International (Beijing) Corporation",
    "Taiwan Semiconductor Co., Ltd.",  # not TSMC: generic words and a place
    "Meta Co., Ltd.", "Intel Trading Co., Ltd.",  # ordinary words
    "AMEC Co., Ltd.", "超威集团",  # an acronym or two characters others share
    "Northwind Trading FZE",
])
def test_lookalikes_are_never_linked_automatically(matcher, name):
    assert automatic(matcher, name) is None


def test_a_proposal_explains_itself(matcher):
    (candidate,) = matcher.candidates("Huawei Cloud Computing Technologies Co., Ltd.", ["Huawei Cloud"])
    assert candidate.entity_id == "huawei" and candidate.score < AUTO_THRESHOLD
    assert "'Huawei Cloud'" in candidate.explanation and "unit of Huawei" in candidate.explanation
    assert suggest_entry("Northwind Trading FZE", [])["id"] == "northwind-trading"  # legal form dropped


def test_two_companies_above_the_threshold_are_only_proposed(matcher):
    both = matcher.candidates("Intel Corporation", ["Nvidia Corporation"])
    assert {c.entity_id for c in both} == {"intel", "nvidia"}
    assert not any(c.automatic for c in both)
    assert all("as well" in c.explanation for c in both)


def test_precision_of_automatic_links_on_the_labelled_set():
    rows = load_set()
    assert len(rows) >= 100 and {r["kind"] for r in rows} >= {"name", "script", "affiliate", "similar", "unrelated"}
    assert sum(r["expected"] is None for r in rows) >= 50  # hard negatives and unrelated parties
    report = evaluate(rows, gz.default())
    assert report.precision >= PRECISION_BAR, report.auto_wrong
    assert report.recall >= 0.8, report.missed
    assert report.proposed_right == len(report.missed)  # every miss is at least proposed for review


def test_cli_prints_precision_and_recall():
    from app.cli import main

    text = CliRunner().invoke(main, ["lists", "eval", "--no-misses", "--fail-under", str(PRECISION_BAR)])
    assert text.exit_code == 0, text.output
    assert f"{len(load_set())} labelled names" in text.output and "precision 1.000" in text.output
    data = json.loads(CliRunner().invoke(main, ["lists", "eval", "--json"]).output)
    assert data["precision"] >= PRECISION_BAR and data["labelled"] >= 100 and data["threshold"] == AUTO_THRESHOLD
    assert EVAL_SET.name == "list_matches.jsonl"
