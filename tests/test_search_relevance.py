"""Search relevance (#13): the judged query set on every engine, and the mechanisms behind it
(ranked matching, stop words, concepts, typos, strict matching, the explainer).

The thresholds are the issue's: Meilisearch recall@10 >= 0.90 and nDCG@10 >= 0.85 on
app/data/eval/queries.jsonl, the built-in engines within 0.05 of it, and no query with a judged
relevant article answered with zero hits on any engine.

The queries marked "set": "round3" were written and judged after that tuning, before any change
made for them, to measure queries nobody tuned for. They are held to a floor just under what
they measured when the work on them ended (README, Search relevance), not to the bar they do not
meet yet; the margin between engines and the zero-result rule hold for them too.
"""

import json

import pytest
from fastapi.testclient import TestClient

from app.enrich import default_enricher
from app.search.evaluate import QUERIES, EngineReport, corpus, load_queries, score
from app.search_eval import evaluate_engine
from app.search.query import leaves, plan_query
from app.search.relevance import correct_typos, is_stop_group, most, suggestions
from app.text import term_groups
from tests.conftest import PG_ADMIN, _pg_available

MEILI_RECALL, MEILI_NDCG, WITHIN = 0.90, 0.85, 0.05
HELD_OUT = "round3"
# Measured 0.828 / 0.799 with Meilisearch when the round-3 work ended: a regression fails.
HELD_OUT_RECALL, HELD_OUT_NDCG = 0.80, 0.77
# The round-4 queries (region, money and time questions in eight languages), the same way:
# measured 0.698 / 0.698 with Meilisearch when the round-4 work ended (0.500 / 0.488 blind).
ROUND4 = "round4"
ROUND4_RECALL, ROUND4_NDCG = 0.67, 0.67
# The round-5 whole questions (zh, es, ar, en), the same way: measured 0.691 / 0.649 with
# Meilisearch when the round-5 work ended (0.616 / 0.555 blind).
ROUND5 = "round5"
ROUND5_RECALL, ROUND5_NDCG = 0.66, 0.62
# The round-6 queries (whole questions in zh, es, ar, de, fr, ja; country + action keywords;
# numbers), the same way: measured 0.724 / 0.745 with Meilisearch when the round-6 work ended
# (0.711 / 0.717 blind).
ROUND6 = "round6"
ROUND6_RECALL, ROUND6_NDCG = 0.70, 0.72
# The round-7 queries (keywords and questions in seven languages: typos, transliterations,
# model numbers, "who is restricted", dates), the same way: measured 0.810 / 0.783 with
# Meilisearch when the round-7 work ended (0.729 / 0.721 blind).
ROUND7 = "round7"
ROUND7_RECALL, ROUND7_NDCG = 0.78, 0.75


@pytest.fixture(scope="module")
def tagger():
    return default_enricher().query_tagger


def test_the_judged_set_is_broad(tagger):
    queries = load_queries()
    assert len(queries) >= 80
    assert {q.lang for q in queries} >= {"ar", "en", "zh", "fr"}
    kinds = {q.kind for q in queries}
    assert {"entity", "entity+topic", "question", "sentence", "misspelling", "phrase", "facet",
            "control"} <= kinds
    assert any("from" in q.params or "to" in q.params for q in queries)
    held_out = [q for q in queries if q.set == HELD_OUT]
    assert len(held_out) >= 40
    assert {q.lang for q in held_out} >= {"ar", "en", "zh", "fr", "es", "de"}
    round4 = [q for q in queries if q.set == ROUND4]
    assert len(round4) >= 30
    assert {q.lang for q in round4} >= {"ar", "en", "zh", "fr", "es", "de", "ru", "ja"}
    round5 = [q for q in queries if q.set == ROUND5]
    assert len(round5) >= 16 and {q.lang for q in round5} >= {"ar", "en", "zh", "es"}
    round6 = [q for q in queries if q.set == ROUND6]
    assert len(round6) >= 40
    assert {q.lang for q in round6} >= {"ar", "en", "zh", "es", "de", "fr", "ja"}
    round7 = [q for q in queries if q.set == ROUND7]
    assert len(round7) >= 40
    assert {q.lang for q in round7} >= {"ar", "en", "zh", "es", "de", "fr", "ja"}
    docs = {d["doc"] for d in corpus()}
    for q in queries:
        assert set(q.relevant) <= docs, q.id  # every judged article exists
        assert all(g in (1, 2) for g in q.relevant.values()), q.id


def test_metrics_on_a_known_ranking():
    grades = {1: 2, 2: 1, 3: 1}
    perfect = score([1, 2, 3], grades)
    assert perfect == {"recall": 1.0, "ndcg": 1.0, "rr": 1.0}
    late = score([9, 8, 3], grades)
    assert late["recall"] == pytest.approx(1 / 3) and late["rr"] == pytest.approx(1 / 3)
    assert 0 < late["ndcg"] < 0.3
    assert score([], grades) == {"recall": 0.0, "ndcg": 0.0, "rr": 0.0}


# --- the plan -----------------------------------------------------------------------------------

def test_names_and_concepts_decide_words_rank(tagger):
    plan = plan_query("Saudi Arabia licence exports", tagger)
    assert {c.entity.id for c in plan.clauses} == {"saudi-arabia", "topic-licence"}
    assert [c.text for c in plan.optional] == ["exports"] and plan.min_optional == 0
    # "AI chips", implied by the whole domain, only ranks beside another name (round 4).
    plan = plan_query("Saudi Arabia AI chip exports", tagger)
    assert [c.entity.id for c in plan.clauses] == ["saudi-arabia"]
    assert [c.text for c in plan.optional] == ["AI chip", "exports"]
    words = plan_query("tempête Bretagne côte", tagger)
    assert words.clauses == [] and len(words.optional) == 3 and words.min_optional == most(3) == 2


def test_stop_words_never_decide(tagger):
    for stop in ("the", "in", "في", "的", "les", "لماذا", "وفي"):
        assert is_stop_group(term_groups(stop)[0]), stop
    plan = plan_query("Why did Nvidia take the charge?", tagger)
    assert set(plan.dropped) >= {"why", "did", "the"}
    assert "the" not in [c.text for c in leaves(plan.all_clauses())]
    assert plan_query("the", tagger).all_clauses()  # a query of stop words only is still searched


def test_concepts_expand_in_every_language(tagger):
    for q in ("customs ban", "الجمارك تمنع", "海关 禁止", "douanes interdit"):
        plan = plan_query(q, tagger)
        assert {c.entity.id for c in plan.clauses} == {"topic-customs", "topic-ban"}, q
    for spelling in ("data centre", "data center", "centres de données", "数据中心", "مراكز البيانات"):
        assert [c.entity.id for c in plan_query(spelling, tagger).clauses] == ["topic-data-centre"]
    for spelling in ("licence", "license", "licences", "许可证", "تراخيص"):
        assert [c.entity.id for c in plan_query(spelling, tagger).clauses] == ["topic-licence"]
    quoted = plan_query('"Entity List"', tagger)
    assert quoted.clauses[0].kind == "phrase" and quoted.clauses[0].entity.id == "topic-entity-list"


def test_typos_forgiven_towards_names_never_on_model_numbers(tagger):
    assert correct_typos("Tencnet H200", tagger)[1] == [("Tencnet", "Tencent")]
    assert correct_typos("Huwei Ascend", tagger)[1] == [("Huwei", "Huawei")]
    assert correct_typos("smugling", tagger)[1] == [("smugling", "smuggling")]
    assert correct_typos("Nvidia H200 910C", tagger)[1] == []
    assert correct_typos("H2000 910D", tagger)[1] == []  # digits: never a typo
    assert correct_typos("Nvida", tagger)[1] == []  # a listed spelling, not a typo
    # A word that is in the index is a word, not a typo of a name.
    assert correct_typos("Tencant", tagger)[1] == [("Tencant", "Tencent")]
    assert correct_typos("Tencant", tagger, known=lambda w: w == "tencant")[1] == []
    # Below six letters, one substituted letter makes another word (Biden is not Biren).
    assert correct_typos("Biden", tagger)[1] == []
    assert correct_typos("Nvdiia", tagger)[1] == [("Nvdiia", "Nvidia")]  # read as a spelling of Nvidia
    assert plan_query("Nvdiia H20", tagger).entities[0].id == "nvidia"


def test_strict_matching_stays(tagger):
    strict = plan_query("Nvidia China sales", tagger, match="all")
    assert strict.optional == [] and strict.strict and len(strict.clauses) == 3
    forced = plan_query("Huawei +roadmap 2028", tagger)
    assert "roadmap" in [c.text for c in forced.clauses] and "2028" in [c.text for c in forced.optional]
    phrase = plan_query('"presumption of denial" Huawei', tagger)
    assert any(c.kind == "phrase" for c in phrase.clauses)


def test_did_you_mean(tagger):
    assert suggestions("Nvdiaa Hauwei", tagger)[:2] == ["Nvidia", "Huawei"]


# --- the page and the JSON twin -----------------------------------------------------------------

def test_searched_as_shows_three_aliases_query_language_first(client, sample):
    body = client.get("/api/search", params={"q": "إنفيديا الجمارك"}).json()
    terms = {t["id"]: t for t in body["searched_as"]["terms"]}
    assert len(terms["nvidia"]["aliases"]) == 3 and terms["nvidia"]["aliases"][0] == "إنفيديا"
    assert terms["nvidia"]["more"] > 0
    assert terms["topic-customs"]["type"] == "topic" and terms["topic-customs"]["aliases"][0] == "الجمارك"
    page = client.get("/", params={"q": "إنفيديا الجمارك"}).text
    assert "and " in page and " more</summary>" in page


def test_match_all_in_url_and_json(client, sample):
    ranked = client.get("/api/search", params={"q": "Nvidia Huawei conference"}).json()
    strict = client.get("/api/search", params={"q": "Nvidia Huawei conference", "match": "all"}).json()
    assert ranked["searched_as"]["match"] == "any" and strict["searched_as"]["match"] == "all"
    assert strict["total"] <= ranked["total"]
    assert client.get("/api/search", params={"q": "x", "match": "some"}).status_code == 422
    assert "match=all" in client.get("/", params={"q": "Nvidia Huawei conference"}).text


def test_partial_matches_say_what_was_not_found(client, sample):
    body = client.get("/api/search", params={"q": "Huawei +zzqxvword", "match": "all"}).json()
    assert body["total"] > 0 and body["searched_as"]["partial"]
    assert "zzqxvword" in body["searched_as"]["not_found"]
    nothing = client.get("/api/search", params={"q": "Hauweii"}).json()
    assert nothing["total"] > 0 or nothing["searched_as"]["suggestions"]


# --- the judged set on every engine -------------------------------------------------------------

@pytest.fixture(scope="module")
def reports(request) -> dict[str, EngineReport]:
    """The judged set on each engine (each on a fresh store: SQLite, a scratch PostgreSQL
    database, a new index on the test Meilisearch)."""
    queries = load_queries(QUERIES)
    out = {"sqlite": evaluate_engine("sqlite", queries)}
    if _pg_available():
        out["postgresql"] = evaluate_engine("postgresql", queries, pg_admin=PG_ADMIN)
    server = request.getfixturevalue("meili_server")
    out["meilisearch"] = evaluate_engine("meilisearch", queries, meili_url=server.url,
                                         meili_key=server.app_key)
    return out


@pytest.mark.meili
def test_meilisearch_meets_the_thresholds(reports):
    meili = reports["meilisearch"].only("")
    assert meili.mean("recall") >= MEILI_RECALL, json.dumps(meili.summary()["recall@10"])
    assert meili.mean("ndcg") >= MEILI_NDCG


@pytest.mark.meili
def test_held_out_queries_do_not_regress(reports):
    meili = reports["meilisearch"].only(HELD_OUT)
    assert meili.mean("recall") >= HELD_OUT_RECALL, json.dumps(meili.summary()["recall@10"])
    assert meili.mean("ndcg") >= HELD_OUT_NDCG
    meili = reports["meilisearch"].only(ROUND4)
    assert meili.mean("recall") >= ROUND4_RECALL, json.dumps(meili.summary()["recall@10"])
    assert meili.mean("ndcg") >= ROUND4_NDCG
    meili = reports["meilisearch"].only(ROUND5)
    assert meili.mean("recall") >= ROUND5_RECALL, json.dumps(meili.summary()["recall@10"])
    assert meili.mean("ndcg") >= ROUND5_NDCG
    meili = reports["meilisearch"].only(ROUND6)
    assert meili.mean("recall") >= ROUND6_RECALL, json.dumps(meili.summary()["recall@10"])
    assert meili.mean("ndcg") >= ROUND6_NDCG
    meili = reports["meilisearch"].only(ROUND7)
    assert meili.mean("recall") >= ROUND7_RECALL, json.dumps(meili.summary()["recall@10"])
    assert meili.mean("ndcg") >= ROUND7_NDCG


@pytest.mark.meili
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_built_in_engines_within_margin(reports, engine):
    if engine not in reports:
        pytest.skip("PostgreSQL not reachable")
    for name in ("", HELD_OUT, ROUND4, ROUND6, ROUND7):
        meili, built_in = reports["meilisearch"].only(name), reports[engine].only(name)
        assert built_in.mean("recall") >= meili.mean("recall") - WITHIN, name
        assert built_in.mean("ndcg") >= meili.mean("ndcg") - WITHIN, name


@pytest.mark.meili
def test_no_judged_query_answers_nothing(reports):
    for engine, report in reports.items():
        assert report.zero_result_queries == [], engine
