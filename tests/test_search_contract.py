"""One search contract, three engines: the database search on SQLite (FTS5) and on PostgreSQL
(token array), and Meilisearch (the real 1.21 server, tests/conftest_meili.py).

The contract tests run once per engine on the bundled sample corpus (49 articles, ar/en/fr/zh)
and compare every answer with ground truth computed straight from the database (tags,
languages, sources, dates, tokens). What only Meilisearch does (typo tolerance, ranking the
articles that name the entity in their title first) is skipped for the database search with
the reason. Then Meilisearch-only tests: both engines agree query by query on one database,
the outbox through an outage (Meilisearch killed in the middle of an ingest while the worker
runs, restarted, every article indexed exactly once), retries with backoff, deletions, the
atomic rebuild, the index settings, the limited key, the worker, `index status` and /readyz,
and draining on PostgreSQL with concurrent drainers.

The corpus is loaded once per engine and module (the tests only read it): the same load as
the `sample` fixture, without an ingest and an index per test on two cores.
"""

import re
import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.cli import DEMO_LISTS, run_ingest, run_list_import
from app.config import Settings
from app.filters import parse_filters
from app.migrate import upgrade
from app.models import Article, ArticleEntity, ArticleList, IndexOutbox, Source, as_utc, utcnow
from app.runtime import Runtime, build_runtime
from app.search import indexing as outbox_module
from app.search.meili import EVERY, MeiliSearch, document, encode_token, entity_token, index_settings
from app.search.indexing import drain_outbox, load_documents, rebuild_meili
from app.search.periods import bucket_start
from app.search.query import plan_query
from app.search.service import SearchPage, search_articles
from app.text import index_tokens
from tests.conftest import ADMIN_TOKEN, PG_ADMIN, SAMPLE, _pg_available
from tests.live import under_ci, wait_for

ENGINES = ["sqlite", "postgresql", pytest.param("meilisearch", marks=pytest.mark.meili)]

# --- corpus and helpers ---------------------------------------------------------------------

@dataclass
class Corpus:
    engine: str  # "sqlite" | "postgresql" (the database search) | "meilisearch"
    runtime: Runtime
    truth: dict[int, dict]  # article id -> lang, source, day, published, tags, tokens

    @property
    def expected_engine(self) -> str:
        return self.engine

    @property
    def is_database(self) -> bool:
        return self.engine in ("sqlite", "postgresql")

    def search(self, query: str = "", **params) -> SearchPage:
        pairs = [(k, v) for k, v in re.findall(r"([^&=]+)=([^&]*)", query)]
        for key, value in params.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            pairs.extend((key, str(v)) for v in values)
        filters = parse_filters(pairs)
        with self.runtime.sessions() as session:
            # No fallback: a Meilisearch failure must fail the test, not hide behind the database.
            page = search_articles(session, filters, self.runtime.search, self.runtime.query_tagger)
        assert page.engine == self.expected_engine and page.notice is None
        return page

    def ids(self, query: str = "", **params) -> list[int]:
        params.setdefault("per_page", 100)
        return [h["id"] for h in self.search(query, **params).hits]

    def where(self, predicate) -> set[int]:
        return {i for i, t in self.truth.items() if predicate(t)}

    def tagged(self, entity_id: str) -> set[int]:
        return self.where(lambda t: entity_id in t["tags"])


def load_truth(runtime: Runtime) -> dict[int, dict]:
    with runtime.sessions() as session:
        truth = {a.id: {"lang": a.lang, "source": src, "published": as_utc(a.published_at),
                        "day": as_utc(a.published_at).date(), "tags": set(),
                        "tokens": set(index_tokens(a.title + "\n" + a.body)),
                        "text": a.title + "\n" + a.body}
                 for a, src in session.execute(
                     select(Article, Source.name).outerjoin(Source, Source.id == Article.source_id)
                     .where(Article.duplicate_of.is_(None)))}
        tags = session.execute(select(ArticleEntity.article_id, ArticleEntity.entity_id, ArticleEntity.role))
        for t in truth.values():
            t["roles"] = {}
        for article_id, entity_id, role in tags:
            if article_id in truth:
                truth[article_id]["tags"].add(entity_id)
                if role:
                    truth[article_id]["roles"][entity_id] = role
        for t in truth.values():
            t["lists"] = set()
        for article_id, slug in session.execute(select(ArticleList.article_id, ArticleList.list_slug)):
            if article_id in truth:
                truth[article_id]["lists"].add(slug)
    return truth


def outbox_rows(runtime: Runtime) -> list[IndexOutbox]:
    with runtime.sessions() as session:
        return list(session.scalars(select(IndexOutbox).order_by(IndexOutbox.id)))


def article_ids(runtime: Runtime) -> list[int]:
    with runtime.sessions() as session:
        return sorted(session.scalars(select(Article.id).where(Article.duplicate_of.is_(None))))


def make_runtime(settings: Settings) -> Runtime:
    upgrade(settings)
    runtime = build_runtime(settings)
    if settings.meili_url:
        runtime.search.ensure_index()
    return runtime


@pytest.fixture(scope="module", params=ENGINES)
def corpus(request, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp(request.param) / "data", admin_token=ADMIN_TOKEN)
    server, pg_name = None, None
    if request.param == "postgresql":
        pg_name = f"chipwatch_contract_{uuid.uuid4().hex[:10]}"
        settings = settings.model_copy(update={"database_url": scratch_pg_database(pg_name)})
    if request.param == "meilisearch":
        server = request.getfixturevalue("meili_server")
        settings = server.settings(settings)
    runtime = make_runtime(settings)
    # As `chipwatch demo`: the bundled list actions first, then the corpus (list status at ingest).
    run_list_import(runtime, DEMO_LISTS.read_bytes(), DEMO_LISTS.name)
    report = run_ingest(runtime, [str(SAMPLE)], None, None)
    assert report.added >= 44 and not report.rejected
    if server:
        queued = outbox_rows(runtime)  # written with the articles (and with story re-links)
        assert {r.article_id for r in queued} == set(report.article_ids)
        assert drain_outbox(runtime) == len(queued)
        assert outbox_rows(runtime) == []
    else:
        assert outbox_rows(runtime) == []  # no external engine, no queue
    yield Corpus(request.param, runtime, load_truth(runtime))
    runtime.close()
    if server and server.running:
        server.drop_indexes(settings.meili_index)
    if pg_name:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def scratch_pg_database(name: str) -> str:
    """A database of its own for the module's PostgreSQL corpus (other tests truncate theirs)."""
    if not _pg_available():
        if under_ci():
            pytest.fail(f"PostgreSQL is required under CI and not reachable at {PG_ADMIN}")
        pytest.skip("PostgreSQL not reachable")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def newest_first(corpus: Corpus, ids) -> list[int]:
    return sorted(ids, key=lambda i: (corpus.truth[i]["published"], i), reverse=True)


# --- the contract ---------------------------------------------------------------------------

def test_browse_everything_newest_first(corpus):
    page = corpus.search(per_page=100)
    assert page.total == len(corpus.truth) and len(page.hits) == page.total
    assert [h["id"] for h in page.hits] == newest_first(corpus, corpus.truth)
    assert set(page.facets) == {"company", "chip", "restriction", "region", "agency", "lang", "source",
                                "listed", "list"}


def test_restriction_role_narrows_the_restriction_links(corpus):
    """restriction_role=reported|context keeps the articles whose link to the restriction (or to
    any restriction) has that role; both roles, like none, mean any link."""
    h20 = "2025-04-h20-licence-requirement"
    assert corpus.where(lambda t: t["roles"].get(h20) == "reported")  # the sample has both roles
    assert corpus.where(lambda t: t["roles"].get(h20) == "context")
    for role in ("reported", "context"):
        assert set(corpus.ids(restriction=h20, restriction_role=role)) == \
            corpus.where(lambda t, role=role: t["roles"].get(h20) == role)
        assert set(corpus.ids(restriction_role=role)) == \
            corpus.where(lambda t, role=role: role in t["roles"].values())
    assert set(corpus.ids(restriction=h20, restriction_role=["reported", "context"])) == corpus.tagged(h20)


def test_restriction_facet_counts_narrow_by_role(corpus):
    """Beside restriction_role=R, the restriction facet counts the matching articles whose link
    to each restriction has role R (not every link of those articles); the other facets count
    the matching articles as usual, and both roles together count every link."""
    links = {aid: t["roles"] for aid, t in corpus.truth.items()}
    for role in ("reported", "context"):
        page = corpus.search(restriction_role=role, per_page=1)
        matching = corpus.where(lambda t, role=role: role in t["roles"].values())
        assert page.total == len(matching)
        want = Counter(rid for aid in matching for rid, r in links[aid].items() if r == role)
        got = {v.id: v.count for v in page.facets["restriction"]}
        assert len(want) <= 50 and got == dict(want)  # fewer than FACET_LIMIT: every value
        # Another facet still counts the matching articles.
        langs = Counter(corpus.truth[aid]["lang"] for aid in matching)
        assert {v.id: v.count for v in page.facets["lang"]} == dict(langs)
    # An article that reports one restriction and refers back to another: counted only under
    # the role each link has.
    mixed = [aid for aid, roles in links.items() if len(set(roles.values())) == 2]
    assert mixed, "the sample corpus has an article with links of both roles"
    both = corpus.search(restriction_role=["reported", "context"], per_page=1)
    every = Counter(rid for roles in links.values() for rid in roles)  # both roles: no narrowing
    assert {v.id: v.count for v in both.facets["restriction"]} == dict(every)


def test_facet_counts_are_exact(corpus):
    page = corpus.search()
    langs = {v.id: v.count for v in page.facets["lang"]}
    assert langs == {lang: len(corpus.where(lambda t, lang=lang: t["lang"] == lang))
                     for lang in {t["lang"] for t in corpus.truth.values()}}
    sources = {v.id: v.count for v in page.facets["source"]}
    assert sources == {s: len(corpus.where(lambda t, s=s: t["source"] == s))
                       for s in {t["source"] for t in corpus.truth.values()}}
    for facet in ("company", "chip", "region", "restriction", "agency"):
        values = page.facets[facet]
        counts = [v.count for v in values]
        assert counts == sorted(counts, reverse=True), facet
        for v in values:
            assert v.count == len(corpus.tagged(v.id)), (facet, v.id)
    nvidia = next(v for v in page.facets["company"] if v.id == "nvidia")
    assert nvidia.name == "Nvidia"


def test_facet_counts_follow_the_query(corpus):
    page = corpus.search(q="H20", per_page=100)
    hits = {h["id"] for h in page.hits}
    assert page.total == len(hits) > 0
    langs = {v.id: v.count for v in page.facets["lang"]}
    assert langs == {lang: sum(corpus.truth[i]["lang"] == lang for i in hits)
                     for lang in {corpus.truth[i]["lang"] for i in hits}}
    chips = {v.id: v.count for v in page.facets["chip"]}
    assert chips["h20"] == page.total
    assert all(count == sum(c in corpus.truth[i]["tags"] for i in hits) for c, count in chips.items())


def test_entity_filters_or_within_and_across(corpus):
    nvidia, huawei = corpus.tagged("nvidia"), corpus.tagged("huawei")
    assert set(corpus.ids(company="nvidia")) == nvidia
    assert set(corpus.ids(company=["nvidia", "huawei"])) == nvidia | huawei
    assert set(corpus.ids(company="nvidia", chip="h20")) == nvidia & corpus.tagged("h20")
    arabic = corpus.where(lambda t: t["lang"] == "ar")
    assert set(corpus.ids(company="nvidia", lang="ar")) == nvidia & arabic
    rule = "2025-04-h20-licence-requirement"
    if corpus.tagged(rule):
        assert set(corpus.ids(restriction=rule)) == corpus.tagged(rule)
    assert set(corpus.ids(region="china", agency="bis")) == corpus.tagged("china") & corpus.tagged("bis")


def test_language_and_source_filters(corpus):
    for lang in ("ar", "zh", "en", "fr"):
        assert set(corpus.ids(lang=lang)) == corpus.where(lambda t, lang=lang: t["lang"] == lang)
    for source in ("The Export Ledger", "البوابة التقنية", "芯观察", "L'Écho des Semi-conducteurs"):
        expected = corpus.where(lambda t, source=source: t["source"] == source)
        assert expected and set(corpus.ids(source=source)) == expected, source
    two = ["The Export Ledger", "芯观察"]
    assert set(corpus.ids(source=two)) == corpus.where(lambda t: t["source"] in two)
    assert corpus.ids(source='No "such" \\ source') == []


def test_date_ranges_are_inclusive(corpus):
    start, end = date(2025, 4, 16), date(2025, 8, 1)
    expected = corpus.where(lambda t: start <= t["day"] <= end)
    assert expected and set(corpus.ids(**{"from": start.isoformat(), "to": end.isoformat()})) == expected
    assert set(corpus.ids(**{"from": "2025-12-01"})) == corpus.where(lambda t: t["day"] >= date(2025, 12, 1))
    assert set(corpus.ids(to="2019-12-31")) == corpus.where(lambda t: t["day"] <= date(2019, 12, 31))
    one_day = next(iter(corpus.truth.values()))["day"].isoformat()
    assert set(corpus.ids(**{"from": one_day, "to": one_day})) == corpus.where(
        lambda t: t["day"].isoformat() == one_day)
    combined = corpus.ids(q="Nvidia", lang="zh", **{"from": "2025-08-01"})
    assert set(combined) == corpus.tagged("nvidia") & corpus.where(
        lambda t: t["lang"] == "zh" and t["day"] >= date(2025, 8, 1))


@pytest.mark.parametrize("interval", ["week", "month", "year"])
def test_timeline_counts_per_period(corpus, interval):
    """The counts drawn above the results come with the search and agree with the truth."""
    filters = parse_filters([("q", "Nvidia"), ("from", "2024-01-01")])
    matching = corpus.tagged("nvidia") & corpus.where(lambda t: t["day"] >= date(2024, 1, 1))
    expected = Counter(bucket_start(corpus.truth[i]["day"], interval) for i in matching)
    with corpus.runtime.sessions() as session:
        page = search_articles(session, filters, corpus.runtime.search, corpus.runtime.query_tagger,
                               histogram=interval)
        alone = corpus.runtime.search.histogram(
            session, filters, plan_query(filters.q, corpus.runtime.query_tagger), interval)
    assert expected and page.histogram == dict(expected) == alone
    assert sum(page.histogram.values()) == page.total


def test_weekly_chart_comes_in_the_search_request(corpus, monkeypatch):
    """A page whose results' months span few weeks (here `from` alone, at the corpus's last
    months) draws its weekly chart from the week counts asked in the same engine request:
    no second request, and the same chart as the weeks asked alone (what pages did before)."""
    from app.main import create_app
    from app.timeline import choose_interval, histogram, weeks_possible

    runtime, asked = corpus.runtime, Counter()
    last = max(t["day"] for t in corpus.truth.values())
    for name in ("histogram", "raw_search"):
        if hasattr(runtime.search, name):
            real = getattr(runtime.search, name)
            monkeypatch.setattr(runtime.search, name,
                                lambda *a, _real=real, _name=name, **k: asked.update([_name]) or _real(*a, **k))
    for query, start in [("", last - timedelta(days=150)), ("Nvidia", last - timedelta(days=300)),
                         ("zzqxv", last - timedelta(days=150))]:
        filters = parse_filters([("q", query), ("from", start.isoformat())])
        matching = {i for i in corpus.ids(q=query, per_page=100, **{"from": start.isoformat()})}
        with runtime.sessions() as session:
            assert weeks_possible(session, filters, "month")
            page = search_articles(session, filters, runtime.search, runtime.query_tagger,
                                   histogram="month", weeks=True)
            alone = histogram(session, page.filters, runtime, "week")
        weekly = Counter(bucket_start(corpus.truth[i]["day"], "week") for i in matching)
        assert page.weeks == dict(weekly) == alone
        assert choose_interval(page.filters, page.histogram) == ("week" if matching else "month")
        asked.clear()
        with TestClient(create_app(runtime.settings, runtime)) as client:
            assert client.get("/", params={"q": query, "from": start.isoformat()}).status_code == 200
        # (nothing matched "zzqxv": its typo retry and the best partial matches ask again)
        assert asked["histogram"] == 0
        if matching and not corpus.is_database:
            assert asked["raw_search"] == 1, query
    with runtime.sessions() as session:  # a range long enough for months: no weeks asked
        assert not weeks_possible(session, parse_filters([("from", f"{last.year - 3}-01-01")]), "month")
        assert not weeks_possible(session, parse_filters([]), "week")


def test_list_status_filters_and_facets(corpus):
    """listed / list: a company tagged on the article was on a list at the article's date
    (the bundled list actions, as in `chipwatch demo`)."""
    listed = corpus.where(lambda t: t["lists"])
    assert listed and set(corpus.ids(listed="yes")) == listed
    assert set(corpus.ids(listed="no")) == set(corpus.truth) - listed
    assert set(corpus.ids(listed=["yes", "no"])) == set(corpus.truth)
    entity_list = corpus.where(lambda t: "entity-list" in t["lists"])
    assert set(corpus.ids(list="entity-list")) == entity_list
    assert corpus.ids(list="no-such-list") == []
    huawei = corpus.ids(company="huawei", listed="yes")
    assert huawei and set(huawei) == corpus.tagged("huawei")  # every sample Huawei article is dated after 2019-05-16
    assert all(corpus.truth[i]["day"] >= date(2019, 5, 16) for i in huawei)
    page = corpus.search(company="smic")
    expected = {"yes": len(corpus.tagged("smic") & listed), "no": len(corpus.tagged("smic") - listed)}
    assert {v.id: v.count for v in page.facets["listed"]} == {k: n for k, n in expected.items() if n}
    assert {v.id: v.count for v in corpus.search().facets["list"]} == {"entity-list": len(entity_list)}
    before = corpus.where(lambda t: "smic" in t["tags"] and t["day"] < date(2020, 12, 18)
                          and not t["tags"] & {"huawei", "hisilicon", "sugon", "zte", "fujian-jinhua"})
    assert before <= set(corpus.ids(company="smic", listed="no"))


def test_has_note_narrows_to_the_viewers_noted_articles(corpus, monkeypatch):
    """has_note=1: the articles with a note the viewer may read (their private notes and the
    team's; without a user, the team's), exact under paging and in the facet counts; on
    Meilisearch an `id IN [...]` filter, here in chunks of 2 ids to exercise the OR of chunks."""
    from app.accounts import service as accounts
    from app.accounts.principal import ANONYMOUS, Principal
    from app.models import Note
    from app.notes.service import with_note_ids
    from app.search import meili

    monkeypatch.setattr(meili, "ID_CHUNK", 2)
    ids = newest_first(corpus, corpus.truth)
    alice_private, team, bob_private = set(ids[:5:2]), set(ids[10:13]), {ids[20]}
    with corpus.runtime.sessions.begin() as session:
        alice = accounts.add_user(session, "alice-notes", "reader", "correct horse battery")
        bob = accounts.add_user(session, "bob-notes", "reader", "correct horse battery")
        session.add_all([Note(article_id=i, user_id=alice.id, visibility="private", body="mine")
                         for i in alice_private]
                        + [Note(article_id=i, user_id=bob.id, visibility="team", body="ours") for i in team]
                        + [Note(article_id=i, user_id=bob.id, visibility="private", body="bob's")
                           for i in bob_private]
                        + [Note(article_id=ids[10], user_id=alice.id, visibility="team", body="twice")])
        viewers = {"alice": Principal("user", alice.id, alice.name, "reader"),
                   "bob": Principal("user", bob.id, bob.name, "reader"), "anonymous": ANONYMOUS,
                   "read-token": Principal("read-token")}
    try:
        def search(viewer: str, **params) -> SearchPage:
            filters = parse_filters([("has_note", "1"), *((k, str(v)) for k, v in params.items())])
            with corpus.runtime.sessions() as session:
                filters = with_note_ids(session, viewers[viewer], filters)
                page = search_articles(session, filters, corpus.runtime.search, corpus.runtime.query_tagger)
            assert page.engine == corpus.expected_engine and page.notice is None
            return page

        expected = {"alice": alice_private | team, "bob": team | bob_private,
                    "anonymous": team, "read-token": team}
        for viewer, noted in expected.items():
            page = search(viewer, per_page=100)
            assert [h["id"] for h in page.hits] == newest_first(corpus, noted), viewer
            assert page.total == len(noted)
            langs = Counter(corpus.truth[i]["lang"] for i in noted)
            assert {v.id: v.count for v in page.facets["lang"]} == dict(langs)
        # Paging: the pages of 2 are the whole list, in order.
        pages = [search("alice", per_page=2, page=n) for n in (1, 2, 3, 4)]
        assert [h["id"] for p in pages for h in p.hits] == newest_first(corpus, expected["alice"])
        assert all(p.total == 6 for p in pages) and pages[-1].hits == []
        # With other filters: AND.
        lang = corpus.truth[ids[0]]["lang"]
        assert {h["id"] for h in search("alice", lang=lang, per_page=100).hits} == {
            i for i in expected["alice"] if corpus.truth[i]["lang"] == lang}
        # A large id set (a team with many notes): one bound value on the databases, IN lists
        # of 1,000 OR-ed on Meilisearch.
        monkeypatch.setattr(meili, "ID_CHUNK", 1000)
        many = parse_filters([("has_note", "1"), ("per_page", "1")]).model_copy(
            update={"note_ids": frozenset(range(1, 30_001))})
        with corpus.runtime.sessions() as session:
            page = search_articles(session, many, corpus.runtime.search, corpus.runtime.query_tagger)
        assert page.total == len([i for i in corpus.truth if i <= 30_000]) > 0
        # Unresolved (nobody asked on whose behalf): nothing, not everything.
        assert corpus.ids(has_note="1") == []
        assert parse_filters([("has_note", "1")]).query_string() == "has_note=1"
    finally:
        with corpus.runtime.sessions.begin() as session:
            session.execute(Note.__table__.delete())
            for user in (alice, bob):
                session.delete(session.merge(user))


def test_sort_orders(corpus):
    newest = corpus.ids(q="Nvidia", sort="newest")
    oldest = corpus.ids(q="Nvidia", sort="oldest")
    relevance = corpus.ids(q="Nvidia")
    assert newest == newest_first(corpus, corpus.tagged("nvidia"))
    assert oldest == list(reversed(newest))
    assert sorted(relevance) == sorted(newest)
    assert corpus.ids(sort="oldest", lang="fr") == list(reversed(corpus.ids(lang="fr")))


def test_relevance_ranks_the_entity_in_the_title_first(corpus):
    if corpus.is_database:
        pytest.skip("the database search ranks by its token index (bm25 on SQLite), not by where "
                    "the entity is named")
    hits = corpus.search(q="Huawei", per_page=5).hits
    assert all("huawei" in h["title"].lower() or "هواوي" in h["title"] or "华为" in h["title"]
               for h in hits[:3]), [h["title"] for h in hits]


def test_pagination_walks_every_hit_once(corpus):
    everything = corpus.ids(q="Nvidia", sort="newest")
    walked, page_no = [], 1
    while True:
        page = corpus.search(q="Nvidia", sort="newest", per_page=7, page=page_no)
        assert page.total == len(everything)
        if not page.hits:
            break
        assert len(page.hits) <= 7
        walked.extend(h["id"] for h in page.hits)
        page_no += 1
    assert walked == everything and page_no == -(-len(everything) // 7) + 1
    beyond = corpus.search(q="Nvidia", per_page=7, page=page_no + 3)
    assert beyond.hits == [] and beyond.total == len(everything)


def test_highlighting_marks_matches_in_safe_snippets(corpus):
    for hit in corpus.search(q="Huawei", per_page=100).hits:
        assert "<mark>" in hit["snippet"], hit["title"]
        assert re.sub(r"</?mark>", "", hit["snippet"]).count("<") == 0
    arabic = corpus.search(q="Nvidia", lang="ar", per_page=100).hits
    assert arabic and all("<mark>" in h["snippet"] for h in arabic)
    marked = {m for h in arabic for m in re.findall(r"<mark>(.*?)</mark>", h["snippet"])}
    assert marked & {"إنفيديا", "انفيديا", "لإنفيديا", "وإنفيديا"}, marked


def test_cross_lingual_entity_queries(corpus):
    nvidia = corpus.tagged("nvidia")
    hits = corpus.search(q="Nvidia", per_page=100)
    assert {h["id"] for h in hits.hits} == nvidia
    assert {"ar", "zh", "en", "fr"} <= {h["lang"] for h in hits.hits}
    assert [e.id for e in hits.expansions] == ["nvidia"]
    arabic_spelling = corpus.where(lambda t: "إنفيديا" in t["text"] or "انفيديا" in t["text"])
    chinese_spelling = corpus.where(lambda t: "英伟达" in t["text"])
    assert arabic_spelling and chinese_spelling and arabic_spelling | chinese_spelling <= nvidia
    assert set(corpus.ids(q="英伟达")) == nvidia  # and the other way round
    assert set(corpus.ids(q="إنفيديا")) == nvidia
    assert set(corpus.ids(q="هواوي")) == corpus.tagged("huawei")
    english = corpus.where(lambda t: t["lang"] == "en" and "huawei" in t["tokens"])
    assert english <= set(corpus.ids(q="华为"))


def test_expansion_can_be_switched_off(corpus):
    words_only = corpus.search(q="Nvidia", expand=0, per_page=100)
    assert words_only.expansions == []
    assert {h["id"] for h in words_only.hits} == corpus.where(lambda t: "nvidia" in t["tokens"])
    assert {h["lang"] for h in words_only.hits} <= {"en", "fr", "zh"}  # the Latin word only


def test_h20_never_finds_h200_only_articles(corpus):
    h200_only = corpus.where(lambda t: "h200" in t["tokens"] and "h20" not in t["tokens"]
                             and "h20" not in t["tags"])
    h20_only = corpus.where(lambda t: "h20" in t["tokens"] and "h200" not in t["tokens"]
                            and "h200" not in t["tags"])
    assert h200_only and h20_only
    for expand in (1, 0):
        h20 = set(corpus.ids(q="H20", expand=expand))
        h200 = set(corpus.ids(q="H200", expand=expand))
        assert h20 and not h20 & h200_only, expand
        assert h200 and not h200 & h20_only, expand
    assert set(corpus.ids(q="H20", expand=0)) == corpus.where(lambda t: "h20" in t["tokens"])
    assert set(corpus.ids(q="H20")) == corpus.tagged("h20")
    assert set(corpus.ids(q="H2", expand=0)) == corpus.where(lambda t: "h2" in t["tokens"])  # no prefix


def test_model_numbers_inside_chinese_text(corpus):
    glued = corpus.where(lambda t: re.search(r"[\u4e00-\u9fff]910C", t["text"]) is not None)
    assert glued and glued <= set(corpus.ids(q="910C", expand=0))
    assert glued <= set(corpus.ids(q="昇腾910C"))


def test_chinese_words_inside_unbroken_text(corpus):
    expected = corpus.where(lambda t: "芯片" in t["text"])
    assert expected and set(corpus.ids(q="芯片", expand=0)) == expected
    phrase = corpus.where(lambda t: "实体清单" in t["text"])
    assert phrase and phrase <= set(corpus.ids(q="实体清单", expand=0))


def test_traditional_characters_find_simplified_articles(corpus):
    # A Taiwan or Hong Kong reader's spelling (app/text.py folds it; tests/test_han_variants.py).
    simplified = set(corpus.ids(q="实体清单", expand=0))
    assert simplified and set(corpus.ids(q="實體清單", expand=0)) == simplified
    assert set(corpus.ids(q="美國 晶片", expand=0)) == set(corpus.ids(q="美国 晶片", expand=0))


def test_arabic_normalisation_in_queries(corpus):
    hamza = corpus.where(lambda t: "إنفيديا" in t["text"])
    bare = corpus.where(lambda t: re.search(r"(^|\s)انفيديا", t["text"]) is not None)
    assert hamza and bare
    words_only = set(corpus.ids(q="انفيديا", expand=0))
    assert hamza | bare <= words_only  # hamza forms fold together
    assert set(corpus.ids(q="إنفيديا", expand=0)) == words_only
    with_clitic = corpus.where(lambda t: re.search(r"[وبل](هواوي)", t["text"]) is not None)
    assert with_clitic and with_clitic <= set(corpus.ids(q="هواوي", expand=0))  # وهواوي, لهواوي
    # A query word with a clitic finds the bare word too.
    assert corpus.where(lambda t: "الصين" in t["tokens"]) <= set(corpus.ids(q="والصين", expand=0))


def test_arabic_query_with_attached_clitic_finds_the_entity(corpus):
    assert set(corpus.ids(q="لإنفيديا")) == corpus.tagged("nvidia")


def test_typo_tolerance_for_words(corpus):
    # Every engine: a word one typo from a name is read as the name (app/search/relevance.py).
    assert corpus.where(lambda t: "nvidia" in t["tokens"]) <= set(corpus.ids(q="Nvidai", expand=0))
    assert corpus.ids(q="H2000", expand=0) == []  # model numbers stay exact


def test_no_match_is_an_empty_page(corpus):
    page = corpus.search(q="zzqxv wombat")
    assert page.total == 0 and page.hits == []
    assert all(values == [] for values in page.facets.values())


def test_selected_facet_value_without_matches_still_shows(corpus):
    page = corpus.search(q="zzqxv", company="nvidia")
    assert [(v.id, v.count, v.selected) for v in page.facets["company"]] == [("nvidia", 0, True)]


def test_json_api_reports_the_engine(corpus):
    from app.main import create_app

    with TestClient(create_app(corpus.runtime.settings, corpus.runtime)) as client:
        body = client.get("/api/search", params={"q": "Nvidia", "lang": "zh"}).json()
        assert body["engine"] == corpus.expected_engine
        assert body["total"] == len(corpus.tagged("nvidia") & corpus.where(lambda t: t["lang"] == "zh"))
        page = client.get("/", params={"q": "Nvidia"}).text
    if corpus.engine == "meilisearch":
        settings = corpus.runtime.settings
        host = settings.meili_url.split("//")[1]
        for secret in (settings.meili_key.get_secret_value(), settings.meili_url, host):
            assert secret not in page and secret not in str(body)


# --- Meilisearch only -----------------------------------------------------------------------

AGREEMENT_QUERIES = [
    {"q": "Nvidia"}, {"q": "Huawei"}, {"q": "H20"}, {"q": "H200"}, {"q": "英伟达"},
    {"q": "华为昇腾"}, {"q": "هواوي"}, {"q": "انفيديا", "expand": 0}, {"q": "ASML"},
    {"q": "SMIC"}, {"q": "TSMC"}, {"q": "DeepSeek"}, {"q": "entity list"},
    {"q": "Reuters"}, {"q": "910C"}, {"q": "芯片", "expand": 0}, {"q": "Malaysia"},
    {"q": "Nvidia H20", "lang": "ar"}, {"company": "alibaba", "region": "southeast-asia"},
    {"chip": "h20", "from": "2025-07-01", "to": "2025-09-30"}, {"q": "Blackwell", "sort": "oldest"},
    {"company": "huawei", "listed": "yes"}, {"listed": "no", "lang": "zh"}, {"list": "entity-list", "q": "chip"},
]


@pytest.mark.meili
@pytest.mark.parametrize("corpus", ["meilisearch"], indirect=True)
@pytest.mark.parametrize("params", AGREEMENT_QUERIES,
                         ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_engines_agree(corpus, params):
    """On the same database, Meilisearch and the database search find the same articles."""
    filters = parse_filters([(k, str(v)) for k, v in {**params, "per_page": 100}.items()])
    rt = corpus.runtime
    with rt.sessions() as session:
        meili = search_articles(session, filters, rt.search, rt.query_tagger)
        database = search_articles(session, filters, rt.db_search, rt.query_tagger)
    assert meili.engine == "meilisearch" and database.engine == "sqlite"
    assert meili.total == database.total
    assert {h["id"] for h in meili.hits} == {h["id"] for h in database.hits}
    if filters.effective_sort != "relevance":
        assert [h["id"] for h in meili.hits] == [h["id"] for h in database.hits]
    for facet in meili.facets:
        assert ({(v.id, v.count) for v in meili.facets[facet]}
                == {(v.id, v.count) for v in database.facets[facet]}), facet


@pytest.fixture
def meili_runtime(meili_settings):
    runtime = make_runtime(meili_settings)
    yield runtime
    runtime.close()


def sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines()


def ingest_lines(runtime: Runtime, lines: list[str], tmp_path, name: str):
    path = tmp_path / f"{name}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_ingest(runtime, [str(path)], None, None)
    assert not report.rejected
    return report


def meili_ids(runtime: Runtime) -> list[int]:
    return sorted(runtime.search.document_ids())


@pytest.mark.meili
def test_document_shape(meili_runtime):
    runtime = meili_runtime
    run_ingest(runtime, [str(SAMPLE)], None, None)
    with runtime.sessions() as session:
        zh = session.scalar(select(Article).where(Article.lang == "zh", Article.body.contains("910C")))
        docs, gone = load_documents(session, [zh.id, 999_999], runtime.enricher.gazetteer)
    assert gone == [999_999] and len(docs) == 1
    doc = docs[0]
    assert doc["id"] == zh.id and doc["lang"] == "zh" and doc["source"]
    # Model numbers and opaque words sit apart, in attributes without typos.
    assert "910c" in doc["body_exact"].split() and encode_token("芯片") in doc["body_exact"].split()
    assert "910c" not in doc["body"].split()
    assert not re.search(r"[\u4e00-\u9fff]", doc["title"] + doc["body"] + doc["title_exact"] + doc["body_exact"])
    assert "huawei" in doc["company"] and entity_token("huawei") in doc["ents"].split()
    assert doc["published_day"] == int(as_utc(zh.published_at).strftime("%Y%m%d"))
    bare = document(zh, [("huawei", "company"), ("ascend-910c", "chip")], None)
    assert bare["company"] == ["huawei"] and bare["chip"] == ["ascend-910c"] and bare["source"] is None
    # Entity tags, then the topic concepts the text mentions (app/search/concepts.py).
    assert bare["ents"].split() == ([entity_token("ascend-910c"), entity_token("huawei")]
                                    + [entity_token(t) for t in bare["topic"]] + [EVERY])


@pytest.mark.meili
def test_settings_are_code_and_applied_once(meili_runtime, meili_server):
    meili: MeiliSearch = meili_runtime.search
    client = meili_server.master()
    current = client.index(meili.index_uid).get_settings()
    assert current["prefixSearch"] == "disabled"
    assert current["searchableAttributes"] == index_settings()["searchableAttributes"]
    assert current["displayedAttributes"] == ["id", "view"]
    rules = {name: rule["features"] for rule in current["filterableAttributes"] for name in rule["attributePatterns"]}
    assert set(rules) >= {"company", "chip", "restriction", "region", "agency", "lang", "source", "published_day"}
    # Only the date range is compared (<, >=): no tree of value groups for the facets
    # (bench/reports/meili11.md); no facet search anywhere.
    assert [name for name, features in rules.items() if features["filter"]["comparison"]] == ["published_day"]
    assert all(f["filter"]["equality"] and not f["facetSearch"] for f in rules.values())
    tasks_before = client.get_tasks({"indexUids": [meili.index_uid]}).total
    meili.ensure_index(force=True)
    assert client.get_tasks({"indexUids": [meili.index_uid]}).total == tasks_before  # nothing changed
    client.wait_for_task(client.index(meili.index_uid).update_prefix_search("indexingTime").task_uid)
    meili.ensure_index(force=True)  # drifted settings are put back
    assert client.index(meili.index_uid).get_prefix_search() == "disabled"


@pytest.mark.meili
def test_a_search_hit_shows_only_what_the_app_reads(meili_runtime, meili_server, tmp_path):
    """Each displayed field costs Meilisearch a JSON conversion per hit (bench/reports/page7.md):
    a hit shows its id and view stamp, even when a search asks for everything; the documents
    API still returns whole documents (the drills compare them with the database)."""
    ingest_lines(meili_runtime, sample_lines()[:5], tmp_path, "five")
    assert drain_outbox(meili_runtime) > 0
    meili: MeiliSearch = meili_runtime.search
    hits = meili.raw_search({"q": "", "hitsPerPage": 5, "page": 1})["hits"]
    assert len(hits) == 5 and all(set(hit) == {"id", "view"} for hit in hits)
    index = meili_server.master().index(meili.index_uid)
    whole = dict(index.get_documents({"limit": 1}).results[0])
    assert {"title", "body", "terms", "company", "published_month", "view"} <= set(whole)


@pytest.mark.meili
def test_documents_are_sent_as_utf8(meili_runtime, tmp_path, monkeypatch):
    """Meilisearch keeps each field's JSON as sent and parses all of a document's fields for
    every hit: documents go as UTF-8, not as json.dumps's \\u escapes (bench/reports/meili11.md)."""
    from meilisearch._httprequests import HttpRequests

    meili: MeiliSearch = meili_runtime.search
    sent: list = []
    post = HttpRequests.post

    def recording(self, path, body=None, *args, **kwargs):
        if path.endswith("/documents") or "/documents?" in path:
            sent.append(body)
        return post(self, path, body, *args, **kwargs)

    monkeypatch.setattr(HttpRequests, "post", recording)
    ingest_lines(meili_runtime, sample_lines(), tmp_path, "all")
    assert drain_outbox(meili_runtime) > 0
    assert sent and all(isinstance(body, bytes) for body in sent)
    body = b"".join(sent)
    assert "هواوي".encode() in body or "华为".encode() in body
    assert b"\\u0" not in body
    hits = meili.raw_search({"q": "", "hitsPerPage": 1000, "page": 1, "filter": "lang = ar"})["hits"]
    assert hits  # the Arabic articles are found as before


@pytest.mark.meili
def test_app_key_is_limited(meili_runtime, meili_server):
    import meilisearch

    app = meilisearch.Client(meili_server.url, meili_runtime.settings.meili_key.get_secret_value())
    with pytest.raises(meilisearch.errors.MeilisearchApiError) as denied:
        app.get_keys()
    assert denied.value.status_code == 403
    assert meili_runtime.settings.meili_key.get_secret_value() != meili_server.master_key
    assert meili_runtime.settings.meili_key.get_secret_value() not in repr(meili_runtime.search)


@pytest.mark.meili
def test_worker_drains_and_status_reports_lag_per_engine(meili_runtime, tmp_path):
    from app.search.indexing import status
    from app.worker import Worker

    report = ingest_lines(meili_runtime, sample_lines()[:10], tmp_path, "ten")
    queued = len(outbox_rows(meili_runtime))
    before = status(meili_runtime)
    assert before["engine"] == "meilisearch" and before["engines"]["sqlite"]["lag"] == 0
    assert before["engines"]["meilisearch"]["lag"] == queued == before["lag"] >= report.added
    done = Worker(meili_runtime).run_once()
    assert done["indexed"] == queued
    after = done["index"]
    assert after["lag"] == 0 and after["engines"]["meilisearch"]["documents"] == report.added
    assert after["healthy"] is True


@pytest.mark.meili
def test_failed_batches_back_off_and_are_retried(meili_runtime, tmp_path, monkeypatch):
    report = ingest_lines(meili_runtime, sample_lines()[:5], tmp_path, "five")
    real_upsert = meili_runtime.search.upsert

    def broken(*args, **kwargs):
        raise RuntimeError("payload refused")

    monkeypatch.setattr(meili_runtime.search, "upsert", broken)
    assert drain_outbox(meili_runtime) == 0
    rows = outbox_rows(meili_runtime)
    assert {r.article_id for r in rows} == set(report.article_ids)
    assert all(r.attempts == 1 and "payload refused" in r.last_error for r in rows)
    assert all(as_utc(r.available_at) > utcnow() for r in rows)
    assert drain_outbox(meili_runtime) == 0  # not due yet
    monkeypatch.setattr(meili_runtime.search, "upsert", real_upsert)
    with meili_runtime.sessions.begin() as session:
        session.execute(update(IndexOutbox).values(available_at=utcnow() - timedelta(seconds=1)))
    assert drain_outbox(meili_runtime) == len(rows)
    assert outbox_rows(meili_runtime) == [] and meili_ids(meili_runtime) == article_ids(meili_runtime)
    assert outbox_module.backoff(1) < outbox_module.backoff(3) <= outbox_module.backoff(30)


@pytest.mark.meili
def test_deleted_and_duplicate_articles_leave_the_index(meili_runtime, tmp_path):
    ingest_lines(meili_runtime, sample_lines()[:6], tmp_path, "six")
    drain_outbox(meili_runtime)
    ids = article_ids(meili_runtime)
    with meili_runtime.sessions.begin() as session:
        session.delete(session.get(Article, ids[0]))
        session.add(IndexOutbox(article_id=ids[0], op="delete"))
        session.get(Article, ids[1]).duplicate_of = ids[2]
        session.add(IndexOutbox(article_id=ids[1], op="upsert"))
    assert drain_outbox(meili_runtime) == 2
    assert meili_ids(meili_runtime) == ids[2:]


@pytest.mark.meili
def test_outage_mid_ingest_loses_nothing_and_doubles_nothing(meili_runtime, meili_server, tmp_path):
    """Meilisearch is killed in the middle of an ingest while the worker runs; pages answer
    from the database with a notice; after the restart the worker catches up on its own."""
    from app.main import create_app
    from app.worker import Worker

    lines = sample_lines()
    chunks = [lines[i:i + 10] for i in range(0, len(lines), 10)]
    stop = threading.Event()

    class CountingWorker(Worker):
        count = 0

        def run_once(self) -> dict:
            try:
                return super().run_once()
            finally:
                self.count += 1

    worker_rounds = CountingWorker(meili_runtime)
    worker = threading.Thread(target=worker_rounds.run, args=(stop,), daemon=True)
    worker.start()
    try:
        with TestClient(create_app(meili_runtime.settings, meili_runtime)) as client:
            ingest_lines(meili_runtime, chunks[0], tmp_path, "c0")
            ingest_lines(meili_runtime, chunks[1], tmp_path, "c1")
            meili_server.stop(signal.SIGKILL)  # mid-ingest, whatever the worker was doing
            try:
                ingest_lines(meili_runtime, chunks[2], tmp_path, "c2")
                ingest_lines(meili_runtime, chunks[3], tmp_path, "c3")
                rounds = worker_rounds.count  # a few worker rounds against a dead server
                wait_for(lambda: worker_rounds.count >= rounds + 3, "three worker rounds")
                waiting = outbox_rows(meili_runtime)
                assert waiting and all(r.attempts <= 1 for r in waiting)  # waiting, not spinning
                page = client.get("/", params={"q": "Nvidia"})
                assert page.status_code == 200 and "The search engine is unreachable" in page.text
                body = client.get("/api/search", params={"q": "Nvidia"}).json()
                assert body["engine"] == "sqlite" and body["total"] > 0
                ready = client.get("/readyz")
                assert ready.json()["search"] == "unreachable" and ready.json()["index_lag"] >= len(waiting)
            finally:
                meili_server.start()
            ingest_lines(meili_runtime, chunks[4], tmp_path, "c4")
            wait_for(lambda: not outbox_rows(meili_runtime), "the worker to drain the outbox")
            expected = article_ids(meili_runtime)
            assert len(expected) == len(lines)
            assert meili_ids(meili_runtime) == expected  # every article, exactly once
            wait_for(lambda: client.get("/api/search").json()["engine"] == "meilisearch",
                     "search answered by Meilisearch again")
            body = client.get("/api/search", params={"q": "Nvidia", "per_page": 100}).json()
            nvidia = {i for i, t in load_truth(meili_runtime).items() if "nvidia" in t["tags"]}
            assert body["engine"] == "meilisearch" and {h["id"] for h in body["hits"]} == nvidia
            ready = client.get("/readyz").json()
            assert ready["search"] == "ok" and ready["index_lag"] == 0 and ready["engine"] == "meilisearch"
    finally:
        stop.set()
        worker.join(timeout=30)
        if not meili_server.running:
            meili_server.start()


@pytest.mark.meili
def test_closed_port_falls_back_and_rows_wait(tmp_path, meili_server):
    from tests.live import closed_port

    settings = meili_server.settings(Settings(data_dir=tmp_path / "data", admin_token=ADMIN_TOKEN))
    port = closed_port()  # bound, never listening: refused for as long as the test runs
    dead = settings.model_copy(update={"meili_url": f"http://127.0.0.1:{port.getsockname()[1]}"})
    upgrade(dead)
    runtime = build_runtime(dead)
    try:
        ingest_lines(runtime, sample_lines()[:8], tmp_path, "eight")
        queued = len(outbox_rows(runtime))
        assert drain_outbox(runtime) == 0
        assert [r.attempts for r in outbox_rows(runtime)] == [0] * queued
        with runtime.sessions() as session:
            page = search_articles(session, parse_filters([("q", "Huawei")]), runtime.search,
                                   runtime.query_tagger, runtime.fallback)
        assert page.engine == "sqlite" and page.notice and page.total > 0
    finally:
        runtime.close()
        port.close()
    live = build_runtime(settings)  # the same database, Meilisearch reachable again
    try:
        assert drain_outbox(live) == queued  # the missing index is built from the database
        assert outbox_rows(live) == [] and meili_ids(live) == article_ids(live)
    finally:
        live.close()
        meili_server.drop_indexes(settings.meili_index)


@pytest.mark.meili
def test_rebuild_swaps_atomically(meili_runtime, meili_server, tmp_path, monkeypatch):
    from app.search.indexing import rebuild

    ingest_lines(meili_runtime, sample_lines()[:40], tmp_path, "forty")
    drain_outbox(meili_runtime)
    total = len(article_ids(meili_runtime))
    seen, errors, stop = [], [], threading.Event()

    def keep_searching():
        filters = parse_filters([("per_page", "1")])
        while not stop.is_set():
            try:
                with meili_runtime.sessions() as session:
                    page = search_articles(session, filters, meili_runtime.search, meili_runtime.query_tagger)
                seen.append(page.total)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    # An article arrives in the middle of the rebuild: it must reach the new index.
    calls = {"n": 0}
    real_load = outbox_module.load_documents

    def load_and_ingest(session, ids, gazetteer=None):
        calls["n"] += 1
        if calls["n"] == 1:
            run_ingest(meili_runtime, [str(tmp_path / "late.jsonl")], None, None)
        return real_load(session, ids, gazetteer)

    (tmp_path / "late.jsonl").write_text(sample_lines()[45] + "\n", encoding="utf-8")
    monkeypatch.setattr(outbox_module, "load_documents", load_and_ingest)
    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        wait_for(lambda: seen or errors, "the searcher's first search")
        count = rebuild(meili_runtime)
        assert drain_outbox(meili_runtime) == 1  # the late article's row waited for the swap
        after = len(seen)
        wait_for(lambda: len(seen) > after or errors, "a search after the swap")
    finally:
        stop.set()
        searcher.join()
    assert count == total and not errors  # the database stage ran before the late article
    assert seen and set(seen) <= {total, total + 1}  # never empty, never partial
    monkeypatch.setattr(outbox_module, "load_documents", real_load)
    drain_outbox(meili_runtime)
    assert outbox_rows(meili_runtime) == []
    assert meili_ids(meili_runtime) == article_ids(meili_runtime)
    indexes = [i["uid"] for i in meili_server.master().get_raw_indexes({"limit": 1000})["results"]]
    live = meili_runtime.search.index_uid
    assert [u for u in indexes if u.startswith(live)] == [live]  # the old index is gone


@pytest.mark.meili
def test_drain_on_postgresql(request, tmp_path, meili_server):
    """The PostgreSQL path: rows taken FOR UPDATE SKIP LOCKED, one drainer per article."""
    from app.search.indexing import status
    from tests.conftest import _truncate_pg

    url = request.getfixturevalue("pg_database")
    settings = meili_server.settings(Settings(data_dir=tmp_path / "data", database_url=url,
                                              admin_token=ADMIN_TOKEN))
    runtime = make_runtime(settings)
    _truncate_pg(runtime)
    try:
        run_ingest(runtime, [str(SAMPLE)], None, None)
        queued = len(outbox_rows(runtime))
        results = []
        threads = [threading.Thread(target=lambda: results.append(drain_outbox(runtime, batch=7)))
                   for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results.append(drain_outbox(runtime))
        assert outbox_rows(runtime) == [] and sum(results) == queued  # each row once
        assert meili_ids(runtime) == article_ids(runtime)
        with runtime.sessions() as session:
            page = search_articles(session, parse_filters([("q", "英伟达"), ("per_page", "100")]),
                                   runtime.search, runtime.query_tagger)
        nvidia = {i for i, t in load_truth(runtime).items() if "nvidia" in t["tags"]}
        assert page.engine == "meilisearch" and {h["id"] for h in page.hits} == nvidia
        assert rebuild_meili(runtime) == len(article_ids(runtime))  # under the advisory lock
        assert meili_ids(runtime) == article_ids(runtime)
        assert status(runtime)["engines"]["meilisearch"]["lag"] == 0
    finally:
        _truncate_pg(runtime)
        runtime.close()
        meili_server.drop_indexes(settings.meili_index)


@pytest.mark.meili
def test_rebuild_drops_indexes_of_rebuilds_that_did_not_finish(meili_runtime, tmp_path):
    meili = meili_runtime.search
    ingest_lines(meili_runtime, sample_lines()[:5], tmp_path, "five")
    drain_outbox(meili_runtime)
    live = meili.index_uid
    crashed = f"{live}_0123456789ab"  # what a rebuild killed before its swap leaves behind
    meili.ensure_index(crashed, force=True)
    other = f"{live}x_0123456789ab"  # not one of ours
    meili.ensure_index(other, force=True)
    try:
        assert rebuild_meili(meili_runtime) == len(article_ids(meili_runtime))
        assert not meili.index_exists(crashed) and meili.index_exists(other)
        assert meili_ids(meili_runtime) == article_ids(meili_runtime)
    finally:
        meili.wait(meili.client.delete_index(other).task_uid)
