"""The news-style restriction set (#20): split, scoring, and the bars on its test part."""

import hashlib
from collections import Counter

import pytest

from app.enrich import default_enricher
from app.enrich.evaluate_restrictions import evaluate_restrictions, load_restriction_set
from app.gazetteer import default as default_gazetteer


@pytest.fixture(scope="module")
def articles():
    return load_restriction_set()


def test_set_is_large_multilingual_and_labelled_with_restriction_ids(articles):
    assert len(articles) >= 150
    langs = Counter(a["lang"] for a in articles)
    assert all(langs[lang] >= 25 for lang in ("en", "ar", "zh", "fr"))
    assert len({a["id"] for a in articles}) == len(articles)
    entities = default_gazetteer().entities
    for art in articles:
        for rid in (*art["reported"], *art["context"]):
            assert entities[rid].type == "restriction", (art["id"], rid)
        assert not set(art["reported"]) & set(art["context"]), art["id"]


def test_split_is_deterministic_and_covers_every_language(articles):
    again = {a["id"]: a["part"] for a in load_restriction_set()}
    assert again == {a["id"]: a["part"] for a in articles}
    # The first articles alternate by hash; those written later before any tuning on them
    # alternate as written; those written after tuning began are development-only.
    # The rx3 batch (issue 20, third round) was split by the first hex digit of sha1(id)
    # before the linker was run on it: it is checked on its own below.
    # The rx4 batch (fourth round, back-references) was split the same way before scoring.
    rx3 = [a for a in articles if a.get("added", "").startswith("rx3 batch")]
    rx4 = [a for a in articles if a.get("added", "").startswith("rx4 batch")]
    # The rx5 batch (fifth round: English, Arabic, Chinese, French) likewise.
    rx5 = [a for a in articles if a.get("added", "").startswith("rx5 batch")]
    # The rx6 batch (sixth round: German, Dutch, Spanish and relaxations) likewise.
    rx6 = [a for a in articles if a.get("added", "").startswith("rx6 batch")]
    # The rx8 batch (Japanese and Korean) likewise.
    rx8 = [a for a in articles if a.get("added", "").startswith("rx8 batch")]
    # The rx9 batch (English and German) likewise.
    rx9 = [a for a in articles if a.get("added", "").startswith("rx9 batch")]
    # The rx10 batch (back-references, mostly English) likewise.
    rx10 = [a for a in articles if a.get("added", "").startswith("rx10 batch")]
    # The rx11 batch (back-references in en, ar, zh, fr, ko) likewise.
    rx11 = [a for a in articles if a.get("added", "").startswith("rx11 batch")]
    # The rx13 batch (English, general mechanisms) likewise.
    rx13 = [a for a in articles if a.get("added", "").startswith("rx13 batch")]
    # The rx15 batch (back-references in en, ar, zh; Spanish case-by-case) likewise.
    rx15 = [a for a in articles if a.get("added", "").startswith("rx15 batch")]
    # The rx16 batch (false-link traps in eight languages, es/nl/ja/ko back-references) likewise.
    rx16 = [a for a in articles if a.get("added", "").startswith("rx16 batch")]
    for art in rx3 + rx4 + rx5 + rx6 + rx8 + rx9 + rx10 + rx11 + rx13 + rx15 + rx16:
        digit = hashlib.sha1(art["id"].encode()).hexdigest()[0]
        assert art["part"] == ("dev" if digit < "8" else "test"), art["id"]
    assert {a["lang"] for a in rx3 if a["part"] == "test"} >= {"en", "ar", "zh", "fr", "es", "nl"}
    assert len(rx4) >= 40 and sum(a["lang"] == "en" for a in rx4) >= 15
    assert {a["lang"] for a in rx4} >= {"en", "nl", "ar", "fr", "zh", "es", "de"}
    assert any(not a["reported"] and not a["context"] for a in rx4 if a["part"] == "test")
    assert len(rx5) >= 60 and sum(a["lang"] == "en" for a in rx5) >= 25
    assert all(sum(a["lang"] == lang for a in rx5) >= 10 for lang in ("ar", "zh", "fr"))
    assert {a["lang"] for a in rx5 if a["part"] == "test"} >= {"en", "ar", "zh", "fr"}
    assert any(not a["reported"] and not a["context"] for a in rx5 if a["part"] == "test")
    assert len(rx6) >= 55 and {a["lang"] for a in rx6 if a["part"] == "test"} >= {"de", "nl", "es"}
    assert sum(a["lang"] == "de" for a in rx6) >= 18
    assert all(sum(a["lang"] == lang for a in rx6) >= 12 for lang in ("nl", "es"))
    assert any(not a["reported"] and not a["context"] for a in rx6 if a["part"] == "test")
    assert len(rx8) >= 12 and {a["lang"] for a in rx8 if a["part"] == "test"} >= {"ja", "ko"}
    assert any(not a["reported"] and not a["context"] for a in rx8)
    assert len(rx9) >= 80 and {a["lang"] for a in rx9 if a["part"] == "test"} >= {"en", "de"}
    assert any(not a["reported"] and not a["context"] for a in rx9 if a["part"] == "test")
    assert len(rx10) >= 40 and sum(a["lang"] == "en" for a in rx10) >= 25
    assert {a["lang"] for a in rx10} >= {"en", "ar", "zh", "fr", "de"}
    assert sum(bool(a["context"]) for a in rx10) >= 40
    assert len(rx11) >= 40 and {a["lang"] for a in rx11} >= {"en", "ar", "zh", "fr", "ko"}
    assert all(a["context"] for a in rx11)
    assert len(rx13) >= 20 and {a["lang"] for a in rx13} == {"en"}
    assert any(not a["reported"] and not a["context"] for a in rx13)
    assert len(rx15) >= 45 and all(
        sum(a["lang"] == lang for a in rx15) >= 15 for lang in ("en", "ar", "zh")
    )
    assert sum(bool(a["context"]) for a in rx15) >= 35
    assert {a["lang"] for a in rx15 if a["part"] == "test"} >= {"en", "ar", "zh"}
    assert any(not a["reported"] and not a["context"] for a in rx15 if a["part"] == "test")
    assert len(rx16) >= 40 and {a["lang"] for a in rx16} >= {"en", "es", "nl", "ja", "ko", "zh"}
    assert {a["lang"] for a in rx16 if a["part"] == "test"} >= {"es", "nl", "ja", "ko"}
    batches = rx3 + rx4 + rx5 + rx6 + rx8 + rx9 + rx10 + rx11 + rx13 + rx15 + rx16
    before = [
        a for a in articles if ("added" not in a or "before" in a["added"]) and a not in batches
    ]
    for lang in ("en", "ar", "zh", "fr", "es", "nl"):
        hashed = Counter(a["part"] for a in before if a["lang"] == lang and "added" not in a)
        written = Counter(a["part"] for a in before if a["lang"] == lang and "added" in a)
        assert abs(hashed["dev"] - hashed["test"]) <= 1
        assert abs(written["dev"] - written["test"]) <= 1
        assert hashed["test"] + written["test"] >= 2, lang
    assert all(a["part"] == "dev" for a in articles if "added" in a and "dev only" in a["added"])
    # The rx14 (German and French back-references), rx17 (follow-up articles) and rx18a-e (rounds
    # on real excerpts) batches keep the loader's rule: per language, ordered by sha1(id),
    # alternating dev/test, before any run.
    rx14 = [a for a in articles if a.get("added", "").startswith("rx14 batch")]
    rx17 = [a for a in articles if a.get("added", "").startswith("rx17 batch")]
    rx18a = [a for a in articles if a.get("added", "").startswith("rx18a batch")]
    rx18b = [a for a in articles if a.get("added", "").startswith("rx18b batch")]
    rx18c = [a for a in articles if a.get("added", "").startswith("rx18c batch")]
    rx18d = [a for a in articles if a.get("added", "").startswith("rx18d batch")]
    rx18e = [a for a in articles if a.get("added", "").startswith("rx18e batch")]
    rx19b = [a for a in articles if a.get("added", "").startswith("rx19b batch")]
    for batch in (rx14, rx17, rx18a, rx18b, rx18c, rx18d, rx18e, rx19b):
        for lang in {a["lang"] for a in batch}:
            ordered = sorted(
                (a for a in batch if a["lang"] == lang),
                key=lambda a: hashlib.sha1(a["id"].encode()).hexdigest(),
            )
            assert [a["part"] for a in ordered] == [
                ("dev", "test")[k % 2] for k in range(len(ordered))
            ]
    assert len(rx14) >= 40 and {a["lang"] for a in rx14} == {"de", "fr"}
    assert sum(bool(a["context"]) for a in rx14) >= 20
    assert any(not a["reported"] and not a["context"] for a in rx14 if a["part"] == "test")
    assert len(rx17) >= 40 and {a["lang"] for a in rx17} >= {"en", "zh", "ar", "de", "fr"}
    assert len(rx18a) >= 20 and {a["lang"] for a in rx18a} >= {"de", "fr", "es", "nl"}
    # rx18e: de/fr rows with guards (empty gold) in the set
    assert len(rx18e) >= 12 and {a["lang"] for a in rx18e} == {"de", "fr"}
    assert any(not a["reported"] and not a["context"] for a in rx18e)
    # rx19b: the Nexperia ban after a September sentence, with guards written before the ban
    assert len(rx19b) >= 12 and {a["lang"] for a in rx19b} == {"de", "zh", "ar"}
    assert {a["part"] for a in rx19b if not a["context"]} == {"dev", "test"}
    # rx18c: false-link traps (some with empty gold) in both parts
    assert len(rx18c) >= 14 and {a["part"] for a in rx18c if not a["context"]} == {"dev", "test"}
    assert len(rx18b) >= 28 and {a["lang"] for a in rx18b} == {"en", "zh", "ja", "ar", "ko"}
    # rx18d: recaps (context links) in both parts, in seven languages
    assert len(rx18d) >= 17 and {a["part"] for a in rx18d if a["context"]} == {"dev", "test"}
    assert {a["lang"] for a in rx18d} == {"en", "de", "fr", "es", "zh", "ja", "ar"}


def test_scoring_counts_false_links_and_wrong_roles():
    art = {
        "id": "t-1",
        "lang": "en",
        "part": "test",
        "published_at": "2025-04-16T08:00:00Z",
        "title": "",
        "body": "Nvidia said exporting the H20 to China now needs a licence.",
        "reported": [],
        "context": ["2022-10-advanced-computing-rule"],
    }
    part = evaluate_restrictions([art], default_enricher())["test"]
    assert part.score.fn == 1 and part.score.tp == 0
    assert {m["error"] for m in part.misses} >= {"fn"}


def test_eval_prints_both_parts_and_the_test_part_holds(tmp_path):
    """`chipwatch eval` reports dev and test; the test part guards against regressions. Since
    the rx3 batch (issue 20, third round: 34 more test articles written from real outlets'
    phrasing, in seven languages) the test part is harder; the floors sit below its scores at
    that commit (P 0.976 / R 0.865 / role 0.963; recall ar 0.83, nl 0.83, en 0.80), not at the
    issue's 0.90 bars, which recall does not meet yet (English and Arabic back-references)."""
    import json

    from click.testing import CliRunner

    from app.cli import main

    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["eval", "--no-misses", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "[dev]" in result.output and "[test]" in result.output and "gold role" in result.output
    test = json.loads(out.read_text(encoding="utf-8"))["restriction_linking"]["test"]
    assert test["restriction"]["precision"] >= 0.95 and test["restriction"]["recall"] >= 0.85
    assert test["role_accuracy"] >= 0.85
    assert all(test["by_language"][lang]["recall"] >= 0.80 for lang in ("ar", "zh", "fr", "es"))
    assert test["by_language"]["nl"]["recall"] >= 0.80
    assert test["by_language"]["en"]["recall"] >= 0.75
