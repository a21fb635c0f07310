"""The query syntax (#25) on the three engines: SQLite FTS5, the PostgreSQL token array and
Meilisearch, on the bundled sample corpus, each operator against ground truth computed from
the database (folded tokens, tags and text; tests/test_search_contract.py's corpus).

Where an engine emulates a feature the contract says so: PostgreSQL's token array has no
positions, so a phrase there is all of its words (a superset of the exact phrase); Meilisearch
matches OR, groups and prefixes with a filter on its `terms` attribute and ranks those
results by date, not relevance.
"""

import re

import pytest
from fastapi.testclient import TestClient

from app.text import normalize
from tests.test_search_contract import corpus  # noqa: F401 - the module-scoped corpus fixture


def mentions(corpus, entity_id: str, word: str) -> set[int]:
    """Articles that mention an entity: tagged with it, or containing its word."""
    return corpus.tagged(entity_id) | corpus.where(lambda t: word in t["tokens"])


def words_like(corpus, pattern: str) -> set[int]:
    rx = re.compile(pattern)
    return corpus.where(lambda t: any(rx.fullmatch(tok) for tok in t["tokens"]))


def test_exclusion(corpus):
    nvidia, huawei = mentions(corpus, "nvidia", "nvidia"), mentions(corpus, "huawei", "huawei")
    assert nvidia - huawei and nvidia & huawei  # the corpus has both kinds
    page = corpus.search(q="Nvidia -Huawei", per_page=100)
    assert {h["id"] for h in page.hits} == nvidia - huawei
    assert page.total == len(nvidia - huawei)
    assert page.understood == ["Nvidia", "not Huawei"]
    assert set(corpus.ids(q="Nvidia NOT Huawei")) == nvidia - huawei
    # A query of exclusions only: everything else.
    assert set(corpus.ids(q="-Huawei", per_page=100)) == set(corpus.truth) - huawei


def test_excluded_phrase(corpus):
    entity_list = corpus.where(lambda t: re.search(r"\bentity list\b", normalize(t["text"])) is not None)
    assert entity_list
    found = set(corpus.ids(q='Nvidia -"entity list"'))
    nvidia = mentions(corpus, "nvidia", "nvidia")
    if corpus.engine == "postgresql":
        # Emulated: all the phrase's words, anywhere, are excluded (a superset of the phrase).
        both = corpus.where(lambda t: {"entity", "list"} <= t["tokens"])
        assert found == nvidia - both
    else:
        assert found == nvidia - entity_list


def test_or_is_the_union(corpus):
    nvidia, huawei = mentions(corpus, "nvidia", "nvidia"), mentions(corpus, "huawei", "huawei")
    page = corpus.search(q="Nvidia OR Huawei", per_page=100)
    assert {h["id"] for h in page.hits} == nvidia | huawei
    assert page.total == len(nvidia | huawei)
    assert page.understood == ["Nvidia or Huawei"]


def test_groups(corpus):
    nvidia, huawei = mentions(corpus, "nvidia", "nvidia"), mentions(corpus, "huawei", "huawei")
    h20 = mentions(corpus, "h20", "h20")
    expected = (nvidia | huawei) - h20
    assert expected
    assert set(corpus.ids(q="(Nvidia OR Huawei) -H20")) == expected
    china = mentions(corpus, "china", "china")
    assert set(corpus.ids(q="China (Nvidia OR Huawei)")) == china & (nvidia | huawei)


def test_prefix(corpus):
    expected = words_like(corpus, r"licen\w*")
    licence = corpus.where(lambda t: "licence" in t["tokens"])
    license_ = corpus.where(lambda t: "license" in t["tokens"])
    assert licence and license_
    page = corpus.search(q="licen*", per_page=100)
    assert {h["id"] for h in page.hits} == expected
    said = page.understood[0]
    assert said.startswith("licen*: ") and {"licence", "licences", "license", "licensing"} <= set(
        said.removeprefix("licen*: ").split(", "))
    assert any("<mark>licen" in h["snippet"].lower() for h in page.hits)


def test_prefix_is_never_a_model_number(corpus):
    page = corpus.search(q="H2*", per_page=100)
    assert {h["id"] for h in page.hits} == corpus.where(lambda t: "h2" in t["tokens"])
    assert not any("h200" in t["tokens"] and "h2" not in t["tokens"]
                   for i, t in corpus.truth.items() if i in {h["id"] for h in page.hits})
    assert any("model number" in n for n in page.query_notices)
    short = corpus.search(q="li*")
    assert any("at least 3" in n for n in short.query_notices)


def test_accents_fold(corpus):
    for plain, accented in (("Pekin", "Pékin"), ("controle", "contrôle")):
        found = set(corpus.ids(q=plain, per_page=100))
        assert found and found == set(corpus.ids(q=accented, per_page=100)), plain
    pekin = corpus.where(lambda t: "Pékin" in t["text"])
    assert pekin <= set(corpus.ids(q="Pekin", per_page=100))  # and every article tagged China
    page = corpus.search(q="Pekin", expand=0, per_page=100)
    assert {h["id"] for h in page.hits} == pekin
    # The page shows and highlights the original, accented text.
    assert any("<mark>Pékin</mark>" in h["snippet"] for h in page.hits)


def test_word_forms(corpus):
    export_forms = words_like(corpus, r"export(s|ing|ed)?")
    assert len(export_forms) >= 10
    page = corpus.search(q="export", per_page=100)
    found = {h["id"] for h in page.hits}
    assert export_forms <= found
    # Nothing without a word of that family.
    assert found <= words_like(corpus, r"export\w*")
    assert any("<mark>exports</mark>" in h["snippet"] for h in page.hits)
    assert set(corpus.ids(q="exports", per_page=100)) == found
    restrictions = words_like(corpus, r"restrictions?")
    assert restrictions and restrictions <= set(corpus.ids(q="restriction", per_page=100))


def test_arabic_word_forms_meet(corpus):
    forms = corpus.where(lambda t: bool({"قيود", "قيودا", "قيودها", "القيود"} & t["tokens"]))
    assert forms
    results = [set(corpus.ids(q=q, expand=0, per_page=100)) for q in ("قيود", "القيود", "قيودا")]
    assert results[0] == results[1] == results[2]
    assert forms <= results[0]


def test_exact_phrase(corpus):
    phrase = corpus.where(lambda t: re.search(r"\bentity list\b", normalize(t["text"])) is not None)
    both_words = corpus.where(lambda t: {"entity", "list"} <= t["tokens"])
    found = set(corpus.ids(q='"entity list"', expand=0, per_page=100))
    assert phrase
    if corpus.engine == "postgresql":
        assert found == both_words  # emulated: all the words
    else:
        assert found == phrase


def test_field_prefixes_are_the_facet_filters(corpus):
    page = corpus.search(q="company:huawei", per_page=100)
    facet = corpus.search(company="huawei", per_page=100)
    assert [h["id"] for h in page.hits] == [h["id"] for h in facet.hits]
    assert page.filters.company == ("huawei",) and page.filters.q == ""  # the box, the chip
    assert any(v.selected and v.id == "huawei" for v in page.facets["company"])
    # By name in another script, and combined with words.
    assert {h["id"] for h in corpus.search(q="company:هواوي", per_page=100).hits} == corpus.tagged("huawei")
    assert set(corpus.ids(q="chip:h20 -company:huawei")) == corpus.tagged("h20") - corpus.tagged("huawei")
    unknown = corpus.search(q="company:zzqxv")
    assert unknown.total == 0 and any("no company" in n for n in unknown.query_notices)


@pytest.mark.parametrize("q", ['Nvidia OR', '(Nvidia', '"Nvidia', 'Nvidia )', '- Nvidia',
                               'Nvidia OR OR', 'Nvidia ()', 'Nvidia OR -Huawei', '((((((((((Nvidia))))))))))'])
def test_malformed_queries_degrade_to_words(corpus, q):
    page = corpus.search(q=q, per_page=100)
    assert {h["id"] for h in page.hits} == set(corpus.ids(q="Nvidia", per_page=100)) or (
        q == "Nvidia OR -Huawei" and {h["id"] for h in page.hits} == set(corpus.ids(q="Nvidia Huawei")))
    if q not in ("- Nvidia",):
        assert page.query_notices and "plain words" in page.query_notices[0]


def test_api_and_page_say_back_the_query(corpus):
    from app.main import create_app

    client = TestClient(create_app(corpus.runtime.settings, corpus.runtime))
    answer = client.get("/api/search", params={"q": "Nvidia -Huawei OR"})
    assert answer.status_code == 200
    assert answer.json()["query_notices"]
    page = client.get("/", params={"q": "Nvidia -Huawei"})
    assert page.status_code == 200
    assert "Nvidia, not Huawei" in page.text and 'href="/help/search"' in page.text
    assert client.get("/help/search").status_code == 200
    # A field term leaves the box and shows as the facet selection (removable like any other).
    page = client.get("/", params={"q": "company:huawei export"}).text
    assert 'value="export"' in page and "company:huawei" not in page.split('name="q"')[1][:200]
    assert 'aria-label="Active filters"' in page


SYNTAX_AGREEMENT = ["Nvidia -Huawei", "Nvidia OR Huawei", "licen*", "export", "Pekin", "controle",
                    "(Nvidia OR Huawei) -H20", '"entity list"', "company:huawei", "chip:h20 licen*",
                    "قيود", "H2*", '-"export controls" Nvidia', '-"export controls"', "Nvidia OR"]


@pytest.mark.meili
@pytest.mark.parametrize("corpus", ["meilisearch"], indirect=True)
@pytest.mark.parametrize("q", SYNTAX_AGREEMENT)
def test_engines_agree_on_the_syntax(corpus, q):
    """On one database, Meilisearch and FTS5 find the same articles for each operator."""
    from app.filters import parse_filters
    from app.search.service import search_articles

    filters = parse_filters([("q", q), ("per_page", "100")])
    rt = corpus.runtime
    with rt.sessions() as session:
        meili = search_articles(session, filters, rt.search, rt.query_tagger)
        database = search_articles(session, filters, rt.db_search, rt.query_tagger)
    assert meili.engine == "meilisearch" and database.engine == "sqlite"
    assert {h["id"] for h in meili.hits} == {h["id"] for h in database.hits}
    assert meili.total == database.total and meili.understood == database.understood
    for facet in meili.facets:
        assert ({(v.id, v.count) for v in meili.facets[facet]}
                == {(v.id, v.count) for v in database.facets[facet]}), facet


def test_help_explains_time_and_region_rules(client):
    """The two query rules of round 4 are on the help page, each with its example."""
    page = client.get("/help/search").text
    assert "A stated time becomes a date filter" in page and "export controls in 2024" in page
    assert "A region also finds its countries" in page and "Southeast Asia" in page
