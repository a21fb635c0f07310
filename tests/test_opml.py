"""OPML import and export: folders become tags, chipwatch's settings survive a round trip, and
a broken file changes nothing and names the line and the reason."""

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.config import Settings
from app.ingest.opml import OpmlError, export_opml, import_opml, parse_opml
from app.ingest.sources import add_source, list_sources, source_state
from app.migrate import upgrade
from app.models import Source
from app.runtime import build_runtime
from tests.conftest import ADMIN_TOKEN
from tests.test_auth import admin_login, make_client

SETTINGS_KEYS = ("name", "url", "lang", "interval_minutes", "kind", "tags")


def public_resolver(host: str, port: int) -> list[str]:
    """Every name resolves to a public address: the address rules run, no DNS query leaves."""
    return ["93.184.216.34"]


READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Feeds from a reader</title></head>
  <body>
    <outline text="Official">
      <outline text="United States">
        <outline type="rss" text="BIS press" title="BIS press" xmlUrl="https://www.bis.gov/feed.xml"/>
      </outline>
      <outline type="rss" text="Netherlands" xmlUrl="https://www.government.nl/feed.rss"/>
    </outline>
    <outline text="News, Arabic" title="News, Arabic">
      <outline type="rss" text="Chip Ledger" xmlUrl="https://chipledger.example/feed" category="/chips,policy"/>
    </outline>
    <outline text="Chips">
      <outline type="rss" text="Chip Ledger again" xmlUrl="HTTPS://chipledger.example/feed"/>
    </outline>
    <outline type="rss" text="Unfiled" xmlUrl="https://unfiled.example/rss"/>
  </body>
</opml>
"""


def _settings_of(session) -> list[dict]:
    return [{k: source_state(s)[k] for k in SETTINGS_KEYS} for s in list_sources(session)]


def _count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Source))


def test_folders_and_categories_become_tags_and_a_feed_listed_twice_is_one_source(runtime):
    with runtime.sessions.begin() as session:
        report = import_opml(session, READER_EXPORT, allow_private=False, resolver=public_resolver)
    assert sorted(report.added) == ["BIS press", "Chip Ledger", "Netherlands", "Unfiled"]
    with runtime.sessions() as session:
        tags = {s.name: s.tags for s in list_sources(session)}
    assert tags == {
        "BIS press": ["Official", "United States"],
        "Netherlands": ["Official"],
        "Chip Ledger": ["News Arabic", "chips", "policy", "Chips"],
        "Unfiled": [],
    }


def test_round_trip_into_a_clean_data_dir_keeps_every_source_and_setting(runtime, tmp_path):
    with runtime.sessions.begin() as session:
        add_source(
            session,
            "https://chipledger.example/feed",
            name="Chip Ledger",
            lang="en",
            interval=15,
            tags=["News", "English"],
        )
        add_source(
            session,
            "https://alsharq.example/rss",
            name="الشرق تقنية",
            lang="ar",
            interval=240,
            tags=["News"],
        )
        add_source(
            session,
            "https://www.federalregister.gov/api/v1/documents.json?conditions%5Bagencies%5D%5B%5D="
            "industry-and-security-bureau",
            name="Federal Register: BIS",
            kind="federal-register",
            interval=120,
            tags=["Official"],
        )
        add_source(session, "https://plain.example/atom", name='Plain & <odd> "name"')
    with runtime.sessions() as session:
        before = _settings_of(session)
        text = export_opml(session)
    assert 'xmlns:chipwatch="urn:chipwatch:opml"' in text and 'chipwatch:interval="240"' in text

    clean = Settings(data_dir=tmp_path / "clean", admin_token=ADMIN_TOKEN)
    upgrade(clean)
    other = build_runtime(clean)
    try:
        with other.sessions.begin() as session:
            assert (
                len(
                    import_opml(
                        session, text.encode(), allow_private=False, resolver=public_resolver
                    ).added
                )
                == 4
            )
        with other.sessions() as session:
            assert _settings_of(session) == before
            # Importing the same file again subscribes to nothing new.
            again = import_opml(
                session, text.encode(), allow_private=False, resolver=public_resolver
            )
            assert again.added == [] and len(again.unchanged) == 4
    finally:
        other.close()


BROKEN = {
    "not well-formed": (
        b'<?xml version="1.0"?>\n<opml version="2.0"><body>\n<outline text="x">\n</body></opml>',
        4,
        "mismatched tag",
    ),
    "entities": (
        b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY a "aaaa">]>\n<opml><body/></opml>',
        2,
        "DOCTYPE is not allowed",
    ),
    "not opml": (
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>',
        2,
        "root element is <rss>",
    ),
    "private address": (
        b'<opml version="2.0"><body>\n<outline xmlUrl="https://good.example/feed"/>\n'
        b'<outline xmlUrl="http://127.0.0.1:8080/feed"/>\n</body></opml>',
        3,
        "127.0.0.1",
    ),
    "bad scheme": (
        b'<opml version="2.0"><body>\n\n<outline xmlUrl="ftp://x.example/feed"/></body></opml>',
        3,
        "only http and https",
    ),
    "bad interval": (
        b'<opml version="2.0" xmlns:chipwatch="urn:chipwatch:opml"><body>\n'
        b'<outline xmlUrl="https://x.example/feed" chipwatch:interval="1"/></body></opml>',
        2,
        "interval must be between",
    ),
    "bad kind": (
        b'<opml version="2.0" xmlns:chipwatch="urn:chipwatch:opml"><body>\n'
        b'<outline xmlUrl="https://x.example/feed" chipwatch:kind="gopher"/></body></opml>',
        2,
        "kind",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_changes_nothing_and_says_where_and_why(runtime, case):
    data, line, reason = BROKEN[case]
    with runtime.sessions.begin() as session:
        add_source(session, "https://kept.example/feed", name="Kept")
    with pytest.raises(OpmlError) as caught, runtime.sessions.begin() as session:
        import_opml(session, data, allow_private=False, resolver=public_resolver)
    assert caught.value.line == line and reason in caught.value.reason, str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")
    with runtime.sessions() as session:
        assert [s.name for s in list_sources(session)] == ["Kept"]


def test_billion_laughs_is_refused_unread():
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
            for i in range(1, 10)
        )
        + b']>\n<opml><body><outline text="&lol9;" xmlUrl="https://x.example/"/></body></opml>'
    )
    with pytest.raises(OpmlError, match="not allowed"):
        parse_opml(bomb)


def test_cli_import_and_export(runtime, monkeypatch, tmp_path):
    from app import cli
    from app.config import get_settings

    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(runtime.settings.data_dir))
    if runtime.settings.database_url:
        monkeypatch.setenv("CHIPWATCH_DATABASE_URL", runtime.settings.database_url)
    get_settings.cache_clear()
    run = CliRunner().invoke
    opml = tmp_path / "reader.opml"
    opml.write_bytes(READER_EXPORT)
    broken = tmp_path / "broken.opml"
    broken.write_bytes(BROKEN["bad scheme"][0])
    try:
        refused = run(cli.main, ["sources", "import", str(broken)])
        assert (
            refused.exit_code == 1
            and "line 3:" in refused.output
            and "nothing imported" in refused.output
        )
        # The reader's feeds are on public hosts; allowing private addresses spares DNS queries.
        monkeypatch.setenv("CHIPWATCH_ALLOW_PRIVATE_URLS", "1")
        get_settings.cache_clear()
        assert _count(runtime) == 0
        imported = run(cli.main, ["sources", "import", str(opml)])
        assert imported.exit_code == 0 and "added 4, already subscribed 0" in imported.output
        exported = run(cli.main, ["sources", "export"])
        assert exported.exit_code == 0 and exported.output.count("xmlUrl=") == 4
        assert run(cli.main, ["sources", "export", "-o", str(tmp_path / "out.opml")]).exit_code == 0
        assert (tmp_path / "out.opml").read_text(encoding="utf-8").count("<outline ") >= 4
    finally:
        get_settings.cache_clear()


def test_admin_buttons_export_and_import_with_csrf(tmp_path):
    with make_client(tmp_path, allow_private_urls=True) as client:  # no DNS for the reader's hosts
        try:
            upload = {"file": ("reader.opml", READER_EXPORT, "text/x-opml")}
            assert client.get("/admin/sources.opml").status_code == 401
            assert client.post("/admin/sources/import", files=upload).status_code == 401
            csrf = admin_login(client)
            page = client.get("/admin").text
            assert 'action="/admin/sources/import"' in page and 'href="/admin/sources.opml"' in page
            assert (
                client.post(
                    "/admin/sources/import", files=upload, data={"csrf": "stale"}
                ).status_code
                == 403
            )
            refused = client.post(
                "/admin/sources/import",
                data={"csrf": csrf},
                files={"file": ("bad.opml", BROKEN["not well-formed"][0], "text/xml")},
            )
            assert (
                refused.status_code == 422
                and "line 4" in refused.text
                and "Nothing was imported" in refused.text
            )
            done = client.post("/admin/sources/import", files=upload, data={"csrf": csrf})
            assert done.status_code == 200 and "added 4" in done.text
            exported = client.get("/admin/sources.opml")
            assert (
                exported.status_code == 200
                and "attachment" in exported.headers["content-disposition"]
            )
            assert (
                exported.text.count("xmlUrl=") == 4
                and 'category="Official,United States"' in exported.text
            )
        finally:
            client.runtime.close()
