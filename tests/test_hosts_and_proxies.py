"""Regression tests from the hostile-input probe: the Host header never reaches a feed, forwarded
headers are believed only from configured proxies, and the rate limiter's memory bound evicts
the oldest buckets instead of forgetting every client's limit."""

import json
import logging
import xml.etree.ElementTree as ET

import httpx
import pytest
from pydantic import ValidationError

from app.config import Settings
from app.config import DEFAULT_BASE_URL, SERVED_AT_ENV
from app.web.hosts import allowed_hosts, serve_base_url
from app.web.limits import TokenBucket, client_key
from tests.conftest import ADMIN_TOKEN
from tests.live import live_app
from tests.test_auth import ARTICLE, make_client

ATOM = "{http://www.w3.org/2005/Atom}"


def _load(client, host: str = "testserver") -> None:
    response = client.post("/api/articles", json=ARTICLE,
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Host": host})
    assert response.status_code == 200


def _links(feed_xml: str) -> list[str]:
    root = ET.fromstring(feed_xml)
    return [e.text for e in root.iter(f"{ATOM}id")] + [e.get("href") for e in root.iter(f"{ATOM}link")]


def test_feed_links_come_from_the_base_url_and_other_hosts_are_refused(tmp_path):
    with make_client(tmp_path, base_url="https://chips.example.org/") as client:
        _load(client, "chips.example.org")
        assert client.get("/feed.atom", headers={"Host": "evil.example"}).status_code == 400
        feed = client.get("/feed.atom", headers={"Host": "chips.example.org"})
        assert feed.status_code == 200
        links = [link for link in _links(feed.text) if not link.startswith("https://example.")]
        assert links and all(link.startswith("https://chips.example.org/") for link in links), links
        # health checks from the machine itself still answer
        assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    client.runtime.close()


def test_without_a_base_url_the_host_header_still_never_reaches_the_feed(tmp_path):
    with make_client(tmp_path) as client:
        _load(client)
        feed = client.get("/feed.atom", headers={"Host": "evil.example"})
        assert feed.status_code == 200 and "evil.example" not in feed.text
        assert all(link.startswith((DEFAULT_BASE_URL, "https://example.")) for link in _links(feed.text))
    client.runtime.close()


def test_the_served_address_is_used_for_links_without_restricting_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv(SERVED_AT_ENV, "http://127.0.0.1:8123")
    with make_client(tmp_path) as client:
        _load(client, "lan-name.example")  # any host is answered: no base URL configured
        feed = client.get("/feed.atom", headers={"Host": "evil.example"})
        assert feed.status_code == 200 and "evil.example" not in feed.text
        assert "http://127.0.0.1:8123/articles/" in feed.text
    client.runtime.close()


def test_allowed_hosts_setting_and_base_url_checks():
    assert allowed_hosts(Settings(_env_file=None)) == ["*"]
    assert allowed_hosts(Settings(_env_file=None, base_url="https://chips.example.org"))[:2] == \
        ["chips.example.org", "localhost"]
    assert allowed_hosts(Settings(_env_file=None, allowed_hosts="a.example, b.example")) == ["a.example", "b.example"]
    for bad in ("chips.example.org", "ftp://chips.example.org", "https://[zz]/", "https://x.example/?a=1"):
        with pytest.raises(ValidationError, match="CHIPWATCH_BASE_URL"):
            Settings(_env_file=None, base_url=bad)
    assert serve_base_url("0.0.0.0", 8123) == "http://127.0.0.1:8123"
    assert serve_base_url("::1", 8000) == "http://[::1]:8000"


def _rate_limited_settings(tmp_path, **overrides) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", admin_token=ADMIN_TOKEN,
                    api_rate_limit=0.01, api_rate_burst=2, **overrides)


def _statuses(base: str, forwarded: list[str]) -> list[int]:
    with httpx.Client(base_url=base) as http:
        return [http.get("/api/entities?type=chip", headers={"X-Forwarded-For": ip}).status_code
                for ip in forwarded]


ROTATING = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]


def test_forwarded_for_from_an_untrusted_loopback_client_is_ignored(tmp_path):
    # A same-host proxy that passes the client's header unchanged: the client cannot rotate
    # addresses to dodge the limit, because loopback is not a configured proxy.
    with live_app(_rate_limited_settings(tmp_path)) as (base, _runtime):
        assert _statuses(base, ROTATING) == [200, 200, 429, 429]


def test_forwarded_for_from_a_configured_proxy_is_believed(tmp_path, caplog):
    settings = _rate_limited_settings(tmp_path, forwarded_allow_ips="127.0.0.1")
    with live_app(settings) as (base, _runtime), caplog.at_level(logging.INFO, "chipwatch.access"):
        assert _statuses(base, ROTATING) == [200, 200, 200, 200]  # four clients behind the proxy
        assert _statuses(base, ["198.51.100.7"] * 3) == [200, 200, 429]
    clients = [getattr(r, "client", None) for r in caplog.records if getattr(r, "path", "") == "/api/entities"]
    assert clients[:4] == ROTATING


def test_a_flood_of_new_clients_evicts_the_oldest_buckets_only():
    now = [0.0]
    bucket = TokenBucket(rate=0.001, burst=2, clock=lambda: now[0])
    bucket.MAX_KEYS = 100
    drained = [f"198.51.100.{i}" for i in range(50)]
    for client in drained:
        bucket.take(client), bucket.take(client)
        now[0] += 1
    assert all(bucket.take(client) > 0 for client in drained)  # limited
    for i in range(60):  # 60 new addresses: 110 > 100 buckets
        bucket.take(f"2001:db8:{i:x}::1")
        now[0] += 1
    assert len(bucket.buckets) == 100
    # the 10 oldest were dropped; the 40 most recently seen drained clients are still limited
    assert all(bucket.take(client) > 0 for client in drained[10:])


def test_ipv6_clients_share_a_bucket_per_64():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert client_key("203.0.113.9") == "203.0.113.9" and client_key("testclient") == "testclient"
    json.dumps(client_key("::1"))
