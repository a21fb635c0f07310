"""Sources and the feed poller: scheduling, conditional requests, backoff, leases, updates."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from app.ingest import poller
from app.ingest.fetch import Fetcher
from app.ingest.poller import LEASE, backoff, claim_next, poll_due_sources
from app.ingest.sources import SourceError, add_source, list_sources, remove_source, source_state
from app.models import Article, FeedItem, Rejection, Source, as_utc
from app.worker import Worker
from tests.feedserver import FEEDS, _feed_server_session, server  # noqa: F401 - fixtures

FORMATS = ["rss091.xml", "rss092.xml", "rss10.rdf", "rss20.xml", "atom.xml", "feed.json"]
# Sources are due from the moment they are added, so the test clock starts just after now:
# the now of each test, not of collection (a whole-suite run can take longer than the margin).
T0 = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)


@pytest.fixture(autouse=True)
def _clock_after_now():
    global T0
    T0 = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)


@pytest.fixture
def allow_private(settings):
    settings.allow_private_urls = True
    return settings


@pytest.fixture
def fast_fetcher():
    with Fetcher(allow_private=True, connect_timeout=1, read_timeout=0.5, deadline=3) as f:
        yield f


def _add(runtime, url, **options) -> int:
    with runtime.sessions.begin() as session:
        return add_source(session, url, **options).id


def _source(runtime, source_id) -> Source:
    with runtime.sessions() as session:
        return session.get(Source, source_id)


def _count(runtime, model) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- sources: add, list, remove ---------------------------------------------------------------

def test_add_list_remove(runtime):
    with runtime.sessions.begin() as session:
        add_source(session, "https://www.chipledger.example/feed.xml", lang="en", interval=30)
        add_source(session, "https://news.example.org/ar.rss", name="Arabic desk", lang="ar")
    with runtime.sessions() as session:
        states = [source_state(s) for s in list_sources(session)]
    assert [s["name"] for s in states] == ["Arabic desk", "chipledger.example"]
    assert states[1]["interval_minutes"] == 30 and states[1]["next_check_at"] is not None
    with runtime.sessions.begin() as session:
        _source_row, deleted = remove_source(session, "Arabic desk")
    assert deleted
    with runtime.sessions() as session:
        assert [s.name for s in list_sources(session)] == ["chipledger.example"]


@pytest.mark.parametrize("url, options, message", [
    ("ftp://example.com/feed", {}, "only http and https URLs are accepted"),
    ("http://[zz]/feed", {}, "malformed URL"),
    ("https://example.com/feed", {"lang": "english"}, "not a language code"),
    ("https://example.com/feed", {"interval": 1}, "interval must be between 5 and 10080"),
])
def test_add_refuses_bad_input(runtime, url, options, message):
    with runtime.sessions.begin() as session, pytest.raises(SourceError, match=message):
        add_source(session, url, **options)


def test_add_refuses_duplicates_but_adopts_an_ingest_source_name(runtime, ingest, tmp_path):
    (tmp_path / "a.txt").write_text("Nvidia H20 export licence story, stored under a source name.\n" * 3)
    ingest(tmp_path / "a.txt", source="Chip Ledger")
    _add(runtime, "https://chipledger.example/feed", name="Chip Ledger")
    with runtime.sessions.begin() as session:
        with pytest.raises(SourceError, match="already the source 'Chip Ledger'"):
            add_source(session, "https://chipledger.example/feed")
        with pytest.raises(SourceError, match="name 'Chip Ledger' is taken"):
            add_source(session, "https://other.example/feed", name="Chip Ledger")
    assert _count(runtime, Source) == 1


def test_remove_keeps_the_articles_of_a_source(server, allow_private, runtime):
    source_id = _add(runtime, server.url("/rss20.xml"), name="Chip Ledger")
    poll_due_sources(runtime)
    with runtime.sessions.begin() as session:
        _row, deleted = remove_source(session, str(source_id))
    assert not deleted
    with runtime.sessions() as session:
        assert not list_sources(session)
        assert session.scalar(select(func.count()).select_from(Article).where(Article.source_id == source_id)) == 2
        assert session.get(Source, source_id).url is None


def test_sources_cli(runtime, monkeypatch):
    from app import cli
    from app.config import get_settings

    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(runtime.settings.data_dir))
    if runtime.settings.database_url:
        monkeypatch.setenv("CHIPWATCH_DATABASE_URL", runtime.settings.database_url)
    get_settings.cache_clear()
    run = CliRunner().invoke
    try:
        added = run(cli.main, ["sources", "add", "https://chipledger.example/feed.xml", "--name", "Chip Ledger",
                               "--lang", "en", "--interval", "15"])
        assert added.exit_code == 0 and "added source 'Chip Ledger'" in added.output
        assert run(cli.main, ["sources", "add", "https://chipledger.example/feed.xml"]).exit_code == 1
        assert run(cli.main, ["sources", "add", "gopher://x"]).exit_code == 2
        listed = run(cli.main, ["sources", "list", "--json"])
        assert '"name": "Chip Ledger"' in listed.output and '"interval_minutes": 15' in listed.output
        assert "Chip Ledger\thttps://chipledger.example/feed.xml" in run(cli.main, ["sources", "list"]).output
        assert run(cli.main, ["sources", "remove", "Chip Ledger"]).exit_code == 0
        assert run(cli.main, ["sources", "remove", "Chip Ledger"]).exit_code == 1
    finally:
        get_settings.cache_clear()


# --- polling ------------------------------------------------------------------------------------

def test_poll_stores_new_items_once_then_asks_conditionally(server, allow_private, runtime):
    ids = [_add(runtime, server.url(f"/{name}"), name=name) for name in FORMATS]
    first = poll_due_sources(runtime, now=T0)
    assert first["sources"] == 6 and first["failed"] == 0
    assert first["added"] == 2 and first["duplicates"] == 10  # the same two stories in six formats
    assert _count(runtime, Article) == 2
    assert poll_due_sources(runtime, now=T0 + timedelta(minutes=5))["sources"] == 0  # nothing due yet

    second = poll_due_sources(runtime, now=T0 + timedelta(hours=1, minutes=1))
    assert second["sources"] == 6 and second["not_modified"] == 6 and second["added"] == 0
    for name in FORMATS:
        requests = server.hits(f"/{name}")
        assert len(requests) == 2 and "if-none-match" not in requests[0]
        assert requests[1]["if-none-match"] and requests[1]["if-modified-since"]
    state = source_state(_source(runtime, ids[3]))
    assert state["last_error"] is None and state["consecutive_failures"] == 0 and state["items_seen"] == 2
    assert state["last_success_at"] == (T0 + timedelta(hours=1, minutes=1)).isoformat(timespec="seconds")
    assert state["next_check_at"] == (T0 + timedelta(hours=2, minutes=1)).isoformat(timespec="seconds")


def test_unchanged_entries_skipped_without_requests(server, allow_private, runtime):
    url = server.fixture("rss20.xml", headers={"ETag": "", "Last-Modified": ""})  # no validators: the body comes every time
    _add(runtime, url)
    poll_due_sources(runtime, now=T0)
    pages = len(server.requests)
    again = poll_due_sources(runtime, now=T0 + timedelta(hours=2))
    assert again["unchanged"] == 2 and again["added"] == 0
    assert len(server.requests) == pages + 1  # the feed itself, no page


def test_changed_item_is_updated(server, allow_private, runtime):
    source_id = _add(runtime, server.fixture("rss20.xml"))
    poll_due_sources(runtime, now=T0)
    changed = ((FEEDS / "rss20.xml").read_text().replace("{base}", server.base)
               .replace("export rules continue to limit", "a new licence rule further limits")
               .replace("SMIC revenue rises", "SMIC revenue rises again"))
    server.add("/rss20.xml", changed, headers={"Content-Type": "application/rss+xml", "ETag": '"v2"'})
    result = poll_due_sources(runtime, now=T0 + timedelta(hours=2))
    assert result["updated"] == 1 and result["unchanged"] == 1 and result["added"] == 0
    with runtime.sessions() as session:
        smic = session.scalar(select(Article).where(Article.title.like("SMIC%")))
        assert smic.title == "SMIC revenue rises again as Chinese customers buy local" and "a new licence rule further limits" in smic.body
        assert session.scalar(select(func.count()).select_from(Article)) == 2
        outcomes = sorted(session.scalars(select(FeedItem.outcome).where(FeedItem.source_id == source_id)))
    assert outcomes == ["added", "updated"]
    assert _source(runtime, source_id).etag == '"v2"'


def test_changed_item_whose_article_was_deleted_is_stored_again(server, allow_private, runtime):
    source_id = _add(runtime, server.fixture("rss20.xml"))
    poll_due_sources(runtime, now=T0)
    with runtime.sessions.begin() as session:
        session.delete(session.scalar(select(Article).where(Article.title.like("SMIC%"))))
    changed = ((FEEDS / "rss20.xml").read_text().replace("{base}", server.base)
               .replace("SMIC revenue rises", "SMIC revenue rises again"))
    server.add("/rss20.xml", changed, headers={"Content-Type": "application/rss+xml", "ETag": '"v2"'})
    result = poll_due_sources(runtime, now=T0 + timedelta(hours=2))
    assert result["added"] == 1 and result["unchanged"] == 1 and result["updated"] == 0
    with runtime.sessions() as session:
        smic = session.scalar(select(Article).where(Article.title.like("SMIC%")))
        assert smic.title.startswith("SMIC revenue rises again")
        assert session.scalar(select(func.count()).select_from(Article)) == 2
        remembered = session.scalar(
            select(FeedItem.article_id).where(FeedItem.source_id == source_id, FeedItem.outcome == "added",
                                              FeedItem.article_id == smic.id))
    assert remembered == smic.id


def test_backoff_grows_with_consecutive_failures_and_resets(server, allow_private, runtime):
    server.add("/flaky.xml", b"oops", status=500)
    source_id = _add(runtime, server.url("/flaky.xml"), interval=10)
    now = T0
    for failures in (1, 2, 3, 4):
        assert poll_due_sources(runtime, now=now)["failed"] == 1
        source = _source(runtime, source_id)
        assert source.consecutive_failures == failures
        assert source.last_error == "HTTP 500 Internal Server Error"
        assert as_utc(source.next_check_at) == now + timedelta(minutes=10 * 2 ** (failures - 1))
        assert poll_due_sources(runtime, now=as_utc(source.next_check_at) - timedelta(seconds=1))["sources"] == 0
        now = as_utc(source.next_check_at)
    server.fixture("rss20.xml", path="/flaky.xml")
    assert poll_due_sources(runtime, now=now)["added"] == 2
    source = _source(runtime, source_id)
    assert source.consecutive_failures == 0 and source.last_error is None
    assert as_utc(source.last_success_at) == now
    assert backoff(60, 20) == timedelta(hours=24)


def test_retry_after_is_respected(server, allow_private, runtime):
    server.add("/busy.xml", b"", status=503, headers={"Retry-After": "7200"})
    source_id = _add(runtime, server.url("/busy.xml"), interval=5)
    poll_due_sources(runtime, now=T0)
    assert as_utc(_source(runtime, source_id).next_check_at) == T0 + timedelta(hours=2)


BROKEN = ["truncated.xml", "undeclared-entities.xml", "unknown-entity.xml", "billion-laughs.xml",
          "external-entity.xml", "html-as-feed.html", "hostile-body.xml", "arabic-cp1256-labelled-utf8.xml"]


def test_every_broken_feed_recorded_and_the_worker_goes_on(server, allow_private, runtime, fast_fetcher):
    for name in BROKEN:
        _add(runtime, server.url(f"/{name}"), name=name)
    server.add("/10mb.xml", lambda: (b"<rss>" + b"x" * 65531 for _ in range(160)),
               headers={"Content-Type": "application/rss+xml"})
    server.add("/loop.xml", status=302, headers={"Location": "/loop.xml"})
    server.add("/slow.xml", b"<rss/>", delay=1.5)
    for name in ("10mb.xml", "loop.xml", "slow.xml"):
        _add(runtime, server.url(f"/{name}"), name=name)
    result = poll_due_sources(runtime, now=T0, fetcher=fast_fetcher)
    assert result["sources"] == 11
    with runtime.sessions() as session:
        state = {s.name: s for s in list_sources(session)}
    failed = {name: s.last_error for name, s in state.items() if s.consecutive_failures}
    assert failed == {
        "billion-laughs.xml": "XML declares entities (<!ENTITY>): refused, entity expansion is not allowed",
        "external-entity.xml": "XML declares entities (<!ENTITY>): refused, entity expansion is not allowed",
        "html-as-feed.html": "not a feed: the server sent an HTML page (text/html)",
        "hostile-body.xml": "not a feed: the server sent plain text (application/rss+xml)",
        "10mb.xml": "body too large (more than 5242880 bytes)",
        "loop.xml": f"redirect loop at {server.url('/loop.xml')}",
        "slow.xml": "server did not answer within 0.5 s",
    }
    # Read with a warning: the items that could be read are kept, the problem is shown.
    assert state["truncated.xml"].last_error.startswith("not well-formed XML (unclosed token")
    assert state["unknown-entity.xml"].last_error.startswith("not well-formed XML (undefined entity")
    assert state["undeclared-entities.xml"].last_error is None
    assert state["arabic-cp1256-labelled-utf8.xml"].last_error is None
    assert _count(runtime, Rejection) >= 6
    # And the worker's own round runs on with these sources in the database.
    done = Worker(runtime).run_once()
    assert "feeds" in done and "index" in done


def test_worker_round_polls_due_sources(server, allow_private, runtime):
    _add(runtime, server.url("/atom.xml"))
    done = Worker(runtime).run_once()
    assert done["feeds"]["added"] == 2
    assert Worker(runtime).run_once()["feeds"]["sources"] == 0


# --- leases -------------------------------------------------------------------------------------

def test_two_pollers_never_poll_the_same_source(server, allow_private, runtime):
    """Two workers (threads with their own leases) against one database, PostgreSQL included."""
    names = []
    for i in range(8):
        name = f"/feed{i}.xml"
        body = ((FEEDS / "rss20.xml").read_text().replace("{base}", server.base)
                .replace("chipledger-100", f"feed{i}-item").replace("h20-licence.html", f"h20-{i}.html")
                .replace("smic-revenue-missing", f"smic-{i}-missing")
                .replace("Nvidia told", f"Feed {i}: Nvidia told"))
        server.add(name, body, headers={"Content-Type": "application/rss+xml"}, delay=0.2)
        server.add(f"/pages/h20-{i}.html", (FEEDS / "pages/h20-licence.html").read_text()
                   .replace("Nvidia told investors", f"In report number {i}, Nvidia told investors"),
                   headers={"Content-Type": "text/html"})
        names.append(name)
        _add(runtime, server.url(name), name=f"feed {i}")
    results, errors = [], []

    def work():
        try:
            results.append(poll_due_sources(runtime, now=T0))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r["sources"] for r in results) == 8 and all(r["sources"] >= 1 for r in results)
    assert all(len(server.hits(name)) == 1 for name in names)
    with runtime.sessions() as session:
        urls = list(session.scalars(select(Article.url)))
        assert len(urls) == len(set(urls))
        assert not session.scalar(select(func.count()).select_from(Source).where(Source.lease_owner.is_not(None)))


def test_a_crashed_workers_lease_expires(server, allow_private, runtime):
    source_id = _add(runtime, server.url("/atom.xml"))
    claim = claim_next(runtime, "crashed-worker", T0)  # claimed, then the process died
    assert claim is not None and claim.id == source_id
    assert poll_due_sources(runtime, now=T0 + timedelta(minutes=1))["sources"] == 0
    after = poll_due_sources(runtime, now=T0 + LEASE + timedelta(seconds=1))
    assert after["sources"] == 1 and after["added"] == 2
    # The crashed worker, should it wake up, cannot overwrite the new owner's record.
    poller.finish(runtime, claim, poller.Outcome(ok=False, error="late"), T0)
    assert _source(runtime, source_id).last_error is None


def test_claim_skips_a_source_leased_by_another(runtime):
    source_id = _add(runtime, "https://chipledger.example/feed")
    with runtime.sessions.begin() as session:
        session.execute(update(Source).where(Source.id == source_id)
                        .values(lease_until=T0 + timedelta(minutes=5), lease_owner="other"))
    assert claim_next(runtime, "me", T0) is None


# --- crash safety -------------------------------------------------------------------------------

_WORKER = """
import datetime, threading
from app.config import Settings
from app.ingest import poller
from app.runtime import build_runtime
from app.worker import Worker

poller.LEASE = datetime.timedelta(seconds=3)  # a killed worker's source is free again soon
Worker(build_runtime(Settings())).run(threading.Event(), install_signals=True)
"""


def test_sigkilled_worker_restarted_stores_every_item_exactly_once(server, allow_private, runtime):
    """SIGKILL the worker at random points of a 2,000-item feed, restart it until done."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("the reliability run is made on PostgreSQL (the multi-worker deployment)")
    import json
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    from app import ROOT

    total, rng = 2000, random.Random(2000)
    words = ("export licence chip wafer foundry memory bandwidth cluster server tariff rule agency "
             "filing quarter revenue order customer supplier node packaging lithography tool model "
             "training inference datacentre cloud capacity shipment inventory review waiver").split()
    items = [{"id": f"n{i}", "url": f"{server.base}/pages/note-{i}-missing.html", "title": f"Supply-chain note {i}",
              "content_text": f"Note {i}. " + " ".join(rng.choice(words) for _ in range(40)),
              "date_published": f"2025-04-{1 + i % 28:02d}T08:00:00Z"} for i in range(total)]
    server.add("/big.json", json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}),
               headers={"Content-Type": "application/feed+json"})
    _add(runtime, server.url("/big.json"), name="big feed")
    env = {**os.environ, "CHIPWATCH_DATABASE_URL": runtime.settings.database_url,
           "CHIPWATCH_DATA_DIR": str(runtime.settings.data_dir), "CHIPWATCH_ALLOW_PRIVATE_URLS": "1"}

    def stored() -> tuple[int, int, int]:
        with runtime.sessions() as session:
            return (session.scalar(select(func.count()).select_from(Article)),
                    session.scalar(select(func.count(func.distinct(Article.url)))),
                    session.scalar(select(func.count()).select_from(FeedItem)))

    # Each kill waits on a condition, never on a clock: once the stored articles reach a random
    # target (all in the first 60 %, so the ingest is still going), SIGKILL at once, while the
    # worker is already on its next batch; then a last worker must finish the feed.
    targets = sorted(rng.sample(range(50, total * 3 // 5), 6))
    kills, progress, deadline = 0, [], time.monotonic() + 300

    def wait_for(condition) -> None:
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)

    for target in [*targets, None]:
        worker = subprocess.Popen([sys.executable, "-c", _WORKER], env=env, cwd=ROOT)
        try:
            if target is None:
                wait_for(lambda: stored()[2] >= total)
                break
            wait_for(lambda: stored()[0] >= target)  # noqa: B023 (called before the loop moves on)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
            progress.append(stored()[0])
        finally:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(10)
    articles, distinct_urls, entries = stored()
    print("kill progress", progress, "done in", round(300 - (deadline - time.monotonic())), "s")
    assert kills == 6 and progress[-1] < total, progress  # the kills really landed mid-ingest
    assert articles == total and distinct_urls == total and entries == total, (progress, stored())
