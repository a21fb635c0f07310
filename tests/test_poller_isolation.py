"""The feed poller: one hostile entry is that entry's rejection; the feed and its other entries go on."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.ingest.poller import poll_due_sources
from app.ingest.sources import add_source
from app.models import Article, Rejection, Source
from tests.feedserver import _feed_server_session, server  # noqa: F401 - fixtures
from tests.goodnews import good_items

# An <svg> root nested past the HTML standard parse's bound (app/ingest/formats.py browser_html):
# libxml2 reads it alone, and lxml asserts in drop_tree (tests/test_ingest_isolation.py).
SVG = ("&lt;svg&gt;&lt;p&gt;Nvidia said its licence was revoked.&lt;/p&gt;&lt;p&gt;It expects a charge.&lt;/p&gt;"
       + "&lt;b&gt;" * 10_001 + "&lt;/svg&gt;")


def test_poll_stores_the_good_entry_and_rejects_each_hostile_one(server, settings, runtime):
    settings.allow_private_urls = True
    good = good_items(1, seed=99)[0]
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>{good['title']}</title><guid>good</guid><description>{good['body']}</description></item>
<item><title>Broken link</title><guid>bad-link</guid><link>http://[zz]/</link><description>{good['body']} Other.</description></item>
<item><title>Svg page</title><guid>svg</guid><description>{SVG}</description></item>
</channel></rss>"""
    url = server.add("/hostile.xml", feed, headers={"Content-Type": "application/rss+xml"})
    with runtime.sessions.begin() as session:
        add_source(session, url, name="hostile")
    # A moment after the source became due, read when the test runs (not at collection: a long
    # suite would leave a clock fixed then behind the source's first due time).
    totals = poll_due_sources(runtime, now=datetime.now(UTC) + timedelta(minutes=10))
    assert (totals["failed"], totals["added"], totals["rejected"]) == (0, 1, 2)
    with runtime.sessions() as session:
        assert list(session.scalars(select(Article.title))) == [good["title"]]
        reasons = sorted((r.origin.split("#", 1)[1].split(" ")[0], r.reason.split(":")[0])
                         for r in session.scalars(select(Rejection)))
        source = session.scalar(select(Source).where(Source.name == "hostile"))
        assert source.consecutive_failures == 0 and source.last_error is None
    assert reasons == [("bad-link", "bad url 'http"), ("svg", "extract failed")]
