"""The query syntax parser and the plan it becomes (app.search.query_syntax, app.search.query),
with Hypothesis: no input makes the parser raise, and every plan is a valid FTS5 query and a
valid PostgreSQL statement on the real engines."""

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.enrich.tagger import Tagger
from app.gazetteer import default as default_gazetteer
from app.search.database import fts_exclusion, fts_expression
from app.search.meili import build_plan_filter, build_query
from app.search.query import AllOf, AnyOf, Clause, leaves, plan_query
from app.search.query_syntax import Group, Not, Or, Phrase, Word, FieldTerm, parse
from app.text import normalize
from app.wordforms import FORM_MARK, document_forms, query_forms


@pytest.fixture(scope="module")
def tagger():
    return Tagger(default_gazetteer())


@pytest.mark.parametrize("q, expected", [
    ("Nvidia -Huawei", (Word("Nvidia"), Not(Word("Huawei")))),
    ("Nvidia NOT Huawei", (Word("Nvidia"), Not(Word("Huawei")))),
    ("Nvidia OR Huawei", (Or((Word("Nvidia"), Word("Huawei"))),)),
    ("a OR b c", (Or((Word("a"), Word("b"))), Word("c"))),
    ('"entity list" -"H20 chip"', (Phrase("entity list"), Not(Phrase("H20 chip")))),
    ("«قيود التصدير»", (Phrase("قيود التصدير"),)),
    ("(Nvidia OR AMD) -(a b)", (Or((Word("Nvidia"), Word("AMD"))), Not(Group((Word("a"), Word("b")))))),
    ("licen*", (Word("licen", prefix=True),)),
    ('company:huawei chip:"H20"', (FieldTerm("company", "huawei"), FieldTerm("chip", "H20"))),
    ("-company:huawei", (Not(FieldTerm("company", "huawei")),)),
    ("Ascend-910C U.S. and or", (Word("Ascend-910C"), Word("U.S."), Word("and"), Word("or"))),
    ("a AND b", (Word("a"), Word("b"))),
])
def test_parses(q, expected):
    parsed = parse(q)
    assert not parsed.degraded and parsed.query.items == expected


@pytest.mark.parametrize("q, reason", [
    ('"Nvidia', "a quote is not closed"), ("(Nvidia", "a parenthesis is not closed"),
    ("Nvidia)", "a closing parenthesis has no opening one"), ("Nvidia OR", "OR needs a term"),
    ("OR Nvidia", "OR needs a term"), ("a OR -b", "an exclusion cannot be one side of OR"),
    ("x ()", "empty parentheses"), ("x (-a)", "a group has only exclusions"),
    ("(" * 10 + "a" + ")" * 10, "parentheses nest deeper"), ("a NOT", "a minus needs"),
])
def test_malformed_degrades_to_words(q, reason):
    parsed = parse(q)
    assert parsed.degraded and parsed.notices[0].startswith(reason)
    assert "plain words" in parsed.notices[0] and "at character" in parsed.notices[0]
    assert all(isinstance(w, Word) and not w.prefix for w in parsed.query.items)


def test_plan_says_back_what_it_understood(tagger):
    plan = plan_query("Nvidia -Huawei", tagger)
    assert plan.understood == ["Nvidia", "not Huawei"]
    assert [c.entity.id for c in plan.clauses] == ["nvidia"] and plan.excluded[0].entity.id == "huawei"
    assert plan_query('(Nvidia OR Huawei) "entity list"', tagger, expand=False).understood == [
        "nvidia or huawei", "“entity list”"]


def test_words_read_together_find_names_of_several_words(tagger):
    plan = plan_query("Ascend 910C Huawei", tagger)
    assert [c.entity.id for c in plan.clauses] == ["ascend-910c", "huawei"]  # a name of two words


def test_prefix_rules(tagger):
    assert plan_query("licen*", tagger).clauses == [Clause((("licen",),), None, "prefix", "licen")]
    for q, notice in (("H2*", "model number"), ("li*", "at least 3"), ("U.S.*", "single word")):
        plan = plan_query(q, tagger)
        assert not any(c.kind == "prefix" for c in leaves(plan.clauses)), q
        assert notice in plan.notices[0], q


def test_fields_become_filters(tagger):
    plan = plan_query("company:huawei chip:H20 region:Chine export", tagger)
    assert plan.filters == {"company": ["huawei"], "chip": ["h20"], "region": ["china"]}
    # The fields decide (filters); the word only ranks (app/search/relevance.py).
    assert [c.text for c in plan.optional] == ["export"] and plan.min_optional == 0
    inside = plan_query("company:huawei OR company:nvidia", tagger)
    assert isinstance(inside.clauses[0], AnyOf) and all(c.kind == "tag" for c in inside.clauses[0].parts)
    unknown = plan_query("company:zzqxv", tagger)
    assert unknown.filters == {} and "no company" in unknown.notices[0]


def test_word_forms():
    # English, French, German, Spanish inflections and Arabic prefixes and suffixes
    # (ال و ات ون ين ها, tanween alef) meet; broken plurals (تراخيص) are out of a light stemmer's reach.
    for a, b in (("export", "exporting"), ("licence", "licences"), ("restriction", "restrictions"),
                 ("قيود", "القيود"), ("قيود", "قيودا"), ("مهندس", "المهندسون"), ("شركة", "شركتها"),
                 ("صادر", "صادرات"), ("شركة", "شركات"), ("صادرات", "الصادرات"), ("مصدر", "المصدرين")):
        assert set(query_forms(normalize(a))) & document_forms([normalize(b)], None), (a, b)
    for a, b, lang in (("Beschränkung", "Beschränkungen", "de"), ("restricción", "restricciones", "es"),
                       ("contrôle", "contrôles", "fr"), ("puce", "puces", "fr"), ("экспорт", "экспорта", "ru")):
        assert set(query_forms(normalize(a))) & document_forms([normalize(b)], lang), (a, b)
    # Model numbers, Han bigrams and short words are their own form.
    assert query_forms("h20") == ("h20",) and document_forms(["h200"], "en") == {"h200"}
    assert document_forms(["芯片"], "zh") == {"芯片"}
    # French words are stemmed as French in French articles, and found from an English query form.
    assert set(query_forms("exportations")) & document_forms(["exportation"], "fr")


def test_accent_and_width_folding():
    assert normalize("Pékin contrôle Ελλάδα Ёлка ＨＵＡＷＥＩ") == "pekin controle ελλαδα елка huawei"
    assert normalize("한국 がぎ") == "한국 がぎ"  # Hangul and kana keep their letters


_alphabet = st.sampled_from(list('ab xyz"()-*:OR NOT AND company:chip:H20 Nvidia é قيود 芯片 \\\'{}[]^.,'))
_query = st.one_of(st.text(max_size=60), st.lists(_alphabet, max_size=30).map("".join),
                   st.lists(st.sampled_from(["Nvidia", "OR", "-", "(", ")", '"', "licen*", "H2*",
                                             "company:huawei", "-company:nvidia", "NOT", "AND",
                                             "export", "قيود", "芯片", " "]), max_size=12).map(" ".join))


@pytest.fixture(scope="module")
def fts():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE article_fts USING fts5(text, ents, tokenize='unicode61 remove_diacritics 0')")
    conn.execute("INSERT INTO article_fts(rowid, text, ents) VALUES (1, ?, 'nvidia')",
                 (f"nvidia export licence {FORM_MARK}export",))
    return conn


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=_query)
def test_any_query_makes_a_valid_plan_for_every_engine(q, tagger, fts):
    parsed = parse(q)  # never raises
    assert isinstance(parsed.query, Group)
    plan = plan_query(q, tagger)
    for node in plan.clauses + plan.excluded:
        assert isinstance(node, (Clause, AnyOf, AllOf))
    if plan.clauses:
        fts.execute("SELECT rowid FROM article_fts WHERE article_fts MATCH ?", (fts_expression(plan),)).fetchall()
    if plan.excluded:
        fts.execute("SELECT rowid FROM article_fts WHERE article_fts MATCH ?", (fts_exclusion(plan),)).fetchall()
    build_query(plan)
    for clause in build_plan_filter(plan):
        assert clause.count("(") == clause.count(")")
