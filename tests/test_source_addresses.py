"""`chipwatch sources add` and /admin apply the poller's address rules when a source is added,
with the poller's message and the setting that allows it (CHIPWATCH_ALLOW_PRIVATE_URLS)."""

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.cli import main
from app.config import get_settings
from app.ingest.sources import SourceError, check_feed_address
from app.models import Source
from tests.test_auth import admin_login, make_client

LOOPBACK_MESSAGE = "refused: 127.0.0.1 is a loopback address (set CHIPWATCH_ALLOW_PRIVATE_URLS to allow)"


def _resolver(table):
    def resolve(host, port):
        if host not in table:
            raise OSError(f"cannot resolve {host}")
        return table[host]
    return resolve


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1:9/feed.xml", "127.0.0.1 is a loopback address"),
    ("http://[::1]/feed.xml", "::1 is a loopback address"),
    ("http://10.1.2.3/rss", "10.1.2.3 is a private address"),
    ("http://169.254.169.254/latest", "169.254.169.254 is a link-local address"),
    ("http://intranet.example/feed", "intranet.example resolves to 192.168.1.20, a private address"),
    ("http://localhost:8080/feed", "localhost resolves to 127.0.0.1, a loopback address"),
])
def test_non_public_addresses_are_refused(url, reason):
    resolver = _resolver({"intranet.example": ["192.168.1.20"], "localhost": ["127.0.0.1"]})
    with pytest.raises(SourceError) as refused:
        check_feed_address(url, allow_private=False, resolver=resolver)
    assert str(refused.value) == f"refused: {reason} (set CHIPWATCH_ALLOW_PRIVATE_URLS to allow)"
    check_feed_address(url, allow_private=True, resolver=resolver)  # allowed by the setting


def test_public_and_unresolvable_hosts_pass():
    resolver = _resolver({"feeds.example.org": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]})
    check_feed_address("https://feeds.example.org/rss", allow_private=False, resolver=resolver)
    check_feed_address("https://not-yet.example/rss", allow_private=False, resolver=resolver)


def _sources(settings) -> int:
    from app.migrate import upgrade
    from app.runtime import build_runtime

    upgrade(settings)
    runtime = build_runtime(settings)
    try:
        with runtime.sessions() as session:
            return session.scalar(select(func.count()).select_from(Source).where(Source.url.is_not(None)))
    finally:
        runtime.close()


def test_cli_refuses_loopback_at_add_time_unless_allowed(sqlite_settings):
    get_settings.cache_clear()
    env = {"CHIPWATCH_DATA_DIR": str(sqlite_settings.data_dir), "CHIPWATCH_ALLOW_PRIVATE_URLS": None}
    try:
        refused = CliRunner().invoke(main, ["sources", "add", "http://127.0.0.1:9/feed.xml"], env=env)
        assert refused.exit_code == 2
        assert LOOPBACK_MESSAGE in " ".join(refused.output.split())
        bad = CliRunner().invoke(main, ["sources", "add", "http://[zz]/feed.xml"], env=env)
        assert bad.exit_code == 2 and "is not a valid URL" in bad.output and "Traceback" not in bad.output
        assert _sources(sqlite_settings) == 0
        get_settings.cache_clear()
        allowed = CliRunner().invoke(main, ["sources", "add", "http://127.0.0.1:9/feed.xml"],
                                     env={**env, "CHIPWATCH_ALLOW_PRIVATE_URLS": "1"})
        assert allowed.exit_code == 0, allowed.output
        assert _sources(sqlite_settings) == 1
    finally:
        get_settings.cache_clear()


def test_admin_refuses_loopback_at_add_time(tmp_path):
    with make_client(tmp_path) as client:
        csrf = admin_login(client)
        form = {"url": "http://127.0.0.1:9/feed.xml", "name": "local", "interval": "30", "csrf": csrf}
        refused = client.post("/admin/sources", data=form)
        assert refused.status_code == 422 and LOOPBACK_MESSAGE in refused.text
        assert "http://127.0.0.1:9/feed.xml" not in client.get("/admin").text
    client.runtime.close()
