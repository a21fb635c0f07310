"""Feeds and article URLs through `chipwatch ingest URL`: every format, and every way a feed breaks.

The fixture server is on loopback, so these tests allow private URLs (test_fetch.py covers refusal).
"""

from pathlib import Path

import pytest
from sqlalchemy import select

from app.ingest.feeds import parse_feed
from app.ingest.fetch_targets import FEED_TEXT
from app.ingest.items import RawItem, Rejected
from app.models import Article, Rejection
from tests.feedserver import FEEDS, _feed_server_session, server  # noqa: F401 - fixtures

FORMATS = ["rss091.xml", "rss092.xml", "rss10.rdf", "rss20.xml", "atom.xml", "feed.json"]


@pytest.fixture
def allow_private(settings):
    settings.allow_private_urls = True
    return settings


def _articles(runtime) -> list[Article]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Article).order_by(Article.id)))


def _rejections(runtime) -> list[Rejection]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Rejection).order_by(Rejection.id)))


def _fixture_text(name: str, base: str = "http://feeds.example.com") -> str:
    return (FEEDS / name).read_bytes().decode("utf-8").replace("{base}", base)


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_parsed(name):
    items = list(parse_feed(_fixture_text(name), f"http://feeds.example.com/{name}"))
    assert all(isinstance(i, RawItem) for i in items), items
    assert [i.title for i in items] == ["Nvidia says H20 exports to China now need a licence",
                                        "SMIC revenue rises as Chinese customers buy local"]
    assert items[0].url.startswith("http://feeds.example.com/pages/h20-licence.html")
    assert "SMIC" in (items[1].body or items[1].html)


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_ingested_from_url_with_pages(server, allow_private, ingest, runtime, name):
    report = ingest(server.url(f"/{name}"), source="Chip Ledger")
    assert (report.added, report.duplicates, report.rejected) == (2, 0, [])
    h20, smic = _articles(runtime)
    # The first item's page was fetched and its main text extracted; boilerplate and script dropped.
    assert h20.title == "Nvidia says H20 exports to China now need a licence"
    assert "5.5 billion dollars" in h20.body and "Most read" not in h20.body
    assert "tracker" not in h20.body and not h20.body.startswith("Nvidia says H20")
    assert h20.url == server.url("/pages/h20-licence.html") and h20.lang == "en"
    assert h20.published_at.date().isoformat() == "2025-04-15" and not h20.date_estimated
    # The second item's page is missing: the feed's own text is used and the fact recorded.
    assert "largest contract chipmaker SMIC" in smic.body and "<p>" not in smic.body
    assert f"[{FEED_TEXT}: page unavailable: HTTP 404 Not Found]" in smic.origin
    assert server.hits("/pages/h20-licence.html") and server.hits("/pages/smic-revenue-missing.html")


def test_second_ingest_adds_nothing_and_fetches_no_page(server, allow_private, ingest, runtime):
    ingest(server.url("/rss20.xml"))
    pages = len(server.hits("/pages/h20-licence.html"))
    report = ingest(server.url("/rss20.xml"))
    assert (report.added, report.duplicates, len(report.rejected)) == (0, 2, 0)
    assert len(server.hits("/pages/h20-licence.html")) == pages  # known URL: page not fetched again


def test_same_items_in_several_formats_stored_once(server, allow_private, ingest, runtime):
    report = ingest(*(server.url(f"/{name}") for name in FORMATS))
    assert report.added == 2 and report.duplicates == 10 and not report.rejected
    assert len(_articles(runtime)) == 2


def test_rss20_dates_and_tracking_parameters(server, allow_private, ingest, runtime):
    ingest(server.url("/rss20.xml"))
    h20, smic = _articles(runtime)
    assert h20.published_at.isoformat().startswith("2025-04-15T21:30:00")
    assert smic.published_at.isoformat().startswith("2025-05-08T01:00:00")  # 09:00 +0800 in UTC
    assert "utm_" not in h20.url
    assert "alert(" not in smic.body  # <script> in content:encoded


def test_truncated_xml_keeps_what_it_can_and_records_why(server, allow_private, ingest, runtime):
    report = ingest(server.url("/truncated.xml"))
    assert report.added == 1
    reasons = [r.reason for r in report.rejected]
    assert any(r.startswith("not well-formed XML (unclosed token: line 17") and "lenient parser" in r
               for r in reasons), reasons
    assert {r.reason for r in _rejections(runtime)} == set(reasons)


def test_undeclared_html_entities_read_like_a_browser(server, allow_private, ingest, runtime):
    report = ingest(server.url("/undeclared-entities.xml"))
    assert (report.added, report.rejected) == (1, [])
    (article,) = _articles(runtime)
    assert article.title == "Huawei\u2019s Ascend\u00a0910C: what we know".replace("\u00a0", " ")


def test_unknown_entity_read_leniently_and_recorded(server, allow_private, ingest):
    report = ingest(server.url("/unknown-entity.xml"))
    assert report.added == 1
    assert [r.reason for r in report.rejected] == [
        "not well-formed XML (undefined entity: line 8, column 44); 1 items read with a lenient parser"]


def test_billion_laughs_refused_before_expansion(server, allow_private, ingest, runtime):
    report = ingest(server.url("/billion-laughs.xml"))
    assert report.added == 0
    assert [r.reason for r in report.rejected] == [
        "XML declares entities (<!ENTITY>): refused, entity expansion is not allowed"]
    assert not server.hits("/pages/lol.html")


def test_external_entity_refused():
    (rejected,) = parse_feed(_fixture_text("external-entity.xml"), "x")
    assert isinstance(rejected, Rejected) and "refused" in rejected.reason


@pytest.mark.parametrize("body", ["file:///etc/passwd", "/etc/passwd", "http://169.254.169.254/latest/"])
def test_feed_body_naming_a_url_or_path_is_not_opened(body):
    (rejected,) = parse_feed(body, "hostile")
    assert isinstance(rejected, Rejected) and rejected.reason.startswith("not a feed")


@pytest.mark.parametrize("name, ctype", [
    ("arabic-cp1256-labelled-utf8.xml", "application/rss+xml; charset=utf-8"),
    ("arabic-cp1256-labelled-latin1.xml", "text/xml; charset=iso-8859-1"),
    ("arabic-cp1256-declared.xml", "application/rss+xml"),
    ("arabic-utf8-labelled-latin1.xml", "application/rss+xml; charset=ISO-8859-1"),
    ("chinese-gb18030-declared-gb2312.xml", "application/xml"),
])
def test_wrong_charset_feeds_decoded(server, allow_private, ingest, runtime, name, ctype):
    server.fixture(name, content_type=ctype)
    report = ingest(server.url(f"/{name}"))
    assert (report.added, report.rejected) == (1, [])
    (article,) = _articles(runtime)
    if name.startswith("arabic"):
        assert article.title == "إنفيديا: تصدير رقائق H20 إلى الصين بات يتطلب ترخيصاً" and article.lang == "ar"
        assert "5.5 مليار دولار" in article.body
    else:
        assert article.title == "英伟达称H20芯片对华出口需要许可证" and article.lang == "zh"
    assert article.published_at.isoformat().startswith("2025-04-16T03:30:00")


def test_html_served_as_a_feed_is_read_as_a_page_by_ingest(server, allow_private, ingest, runtime):
    server.fixture("html-as-feed.html", content_type="application/rss+xml")
    report = ingest(server.url("/html-as-feed.html"))
    assert report.added == 1 and _articles(runtime)[0].title == "Chip Ledger"


def test_html_given_to_the_feed_parser_is_not_a_feed():
    (rejected,) = parse_feed(_fixture_text("html-as-feed.html"), "x")
    assert rejected.reason == "not a feed: an HTML page"


def test_article_url_ingested_as_one_article(server, allow_private, ingest, runtime):
    report = ingest(server.url("/pages/h20-licence-ar.html"))
    assert report.added == 1
    (article,) = _articles(runtime)
    assert article.lang == "ar" and "رويترز" in article.body and article.cited_sources == ["Reuters"]


def test_url_failures_are_rejections_with_reasons(server, allow_private, ingest):
    server.add("/gone", b"", status=410)
    server.add("/image", b"\x89PNG", headers={"Content-Type": "image/png"})
    report = ingest(server.url("/gone"), server.url("/image"), "http://127.0.0.1:9/closed")
    reasons = [r.reason for r in report.rejected]
    assert reasons[0] == "HTTP 410 Gone"
    assert reasons[1] == "unsupported content type 'image/png'"
    assert reasons[2].startswith("cannot connect")


def test_private_url_refused_by_ingest_without_the_setting(server, ingest):
    report = ingest(server.url("/rss20.xml"))
    assert report.added == 0 and "loopback" in report.rejected[0].reason
    assert not server.requests


@pytest.mark.parametrize("feed, reason", [
    ('{"version": "https://jsonfeed.org/version/1.1", "items": "nope"}', "'items' is not a list"),
    ('{"version": "https://jsonfeed.org/version/1.1", "items": [3, {"id": {"x": 1}, "title": 5}]}',
     "JSON Feed item without content_html or content_text"),
    ('{"version": "https://jsonfeed.org/version/1.1", "items": []}', "feed without entries"),
    ('{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON Feed"),
])
def test_hostile_json_feeds_rejected_not_crashing(feed, reason):
    results = list(parse_feed(feed, "j"))
    assert results and all(isinstance(r, Rejected) for r in results)
    assert reason in results[0].reason


def test_json_feed_with_wrong_types_keeps_usable_fields():
    feed = ('{"version": "https://jsonfeed.org/version/1", "language": 7, "items": [{"id": 1, "title": 5,'
            ' "content_text": "Nvidia H20 licence news in a JSON Feed item.", "author": {"name": "A"}}]}')
    (item,) = parse_feed(feed, "j")
    assert item.title is None and item.author == "A" and item.lang is None and item.origin == "j#1"


def test_cli_ingest_url_exit_codes(server, allow_private, runtime, monkeypatch):
    from click.testing import CliRunner

    from app import cli
    from app.config import get_settings

    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(runtime.settings.data_dir))
    monkeypatch.setenv("CHIPWATCH_ALLOW_PRIVATE_URLS", "true")
    if runtime.settings.database_url:
        monkeypatch.setenv("CHIPWATCH_DATABASE_URL", runtime.settings.database_url)
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(cli.main, ["ingest", "--json", server.url("/atom.xml")])
        assert ok.exit_code == 0, ok.output
        assert '"added": 2' in ok.output
        bad = CliRunner().invoke(cli.main, ["ingest", server.url("/billion-laughs.xml")])
        assert bad.exit_code == 1 and "added 0, duplicates 0, rejected 1" in bad.output
    finally:
        get_settings.cache_clear()


def test_fixture_feeds_are_real_files():
    assert {p.name for p in Path(FEEDS).glob("*.xml")} >= {"rss091.xml", "truncated.xml", "billion-laughs.xml"}


def test_unreadable_feed_date_becomes_no_date(server, allow_private, ingest, runtime):
    feed = _fixture_text("rss20.xml", server.base).replace("Thu, 08 May 2025 09:00:00 +0800", "someday soon")
    server.add("/bad-date.xml", feed, headers={"Content-Type": "application/rss+xml"})
    report = ingest(server.url("/bad-date.xml"))
    assert (report.added, report.rejected) == (2, [])
    smic = _articles(runtime)[1]
    assert smic.date_estimated
