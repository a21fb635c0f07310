"""Safe fetching (app/ingest/fetch.py), one test per way a server or a URL can hurt us."""

import gzip
import ipaddress
import time

import pytest

from app.config import Settings
from app.decoding import decode_body
from app.ingest.fetch import BlockedAddress, Fetcher, FetchError, forbidden_reason
from tests.feedserver import FeedServer, _feed_server_session, server  # noqa: F401 - fixtures

MB = 1024 * 1024


@pytest.fixture
def fetcher():
    with Fetcher(allow_private=True, connect_timeout=2, read_timeout=2, deadline=10) as f:
        yield f


@pytest.fixture
def second_host():
    """A server on 127.0.0.2: exempted in tests where 127.0.0.1 is the forbidden target."""
    other = FeedServer("127.0.0.2")
    yield other
    other.close()


def test_feed_fetched_with_media_type_charset_and_validators(server, fetcher):
    url = server.fixture("rss20.xml", content_type="application/rss+xml; charset=UTF-8")
    result = fetcher.fetch(url)
    assert result.status == 200 and result.url == url
    assert result.media_type == "application/rss+xml" and result.charset == "UTF-8"
    assert result.etag and result.last_modified == "Wed, 16 Apr 2025 08:00:00 GMT"
    assert "<rss" in result.text()
    assert server.hits("/rss20.xml")[0]["user-agent"].startswith("chipwatch/")


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.0.0.7", "private"), ("192.168.1.1", "private"),
    ("172.16.5.4", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("240.0.0.1", "reserved"),
    ("0.0.0.0", "unspecified"), ("100.64.0.1", "not public"), ("::ffff:127.0.0.1", "loopback"),
    ("fc00::1", "private"), ("93.184.215.14", None), ("2606:4700::1111", None),
])
def test_address_classes(address, reason):
    assert forbidden_reason(address) == reason


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/rss20.xml", "http://localhost:{port}/rss20.xml", "http://[::1]:{port}/",
    "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/feed", "http://0.0.0.0:{port}/",
])
def test_private_addresses_refused_by_default(server, url):
    url = url.format(port=server.base.rsplit(":", 1)[1])
    with Fetcher(connect_timeout=1) as f, pytest.raises(BlockedAddress) as err:
        f.fetch(url)
    assert "refused" in err.value.reason and "CHIPWATCH_ALLOW_PRIVATE_URLS" in err.value.reason
    assert not server.requests


def test_host_checked_on_the_resolved_address_at_connect_time(server):
    # A public-looking name whose DNS answer is loopback: the name proves nothing, the address does.
    port = int(server.base.rsplit(":", 1)[1])
    with Fetcher(resolver=lambda host, p: ["127.0.0.1"]) as f, pytest.raises(BlockedAddress) as err:
        f.fetch(f"http://news.example.com:{port}/rss20.xml")
    assert "news.example.com resolves to 127.0.0.1, a loopback address" in err.value.reason
    assert not server.requests


def test_allow_private_urls_setting_lets_loopback_through(server, monkeypatch):
    monkeypatch.setenv("CHIPWATCH_ALLOW_PRIVATE_URLS", "1")
    with Fetcher.from_settings(Settings()) as f:
        assert f.fetch(server.fixture("rss20.xml")).status == 200


def test_redirect_to_127_0_0_1_refused(server, second_host):
    target = server.fixture("rss20.xml")
    start = second_host.add("/moved", status=302, headers={"Location": target})
    exempt = (ipaddress.ip_network("127.0.0.2/32"),)
    with Fetcher(exempt=exempt) as f:
        assert f.fetch(second_host.fixture("atom.xml")).status == 200  # the exemption works
        with pytest.raises(BlockedAddress) as err:
            f.fetch(start)
    assert "127.0.0.1 is a loopback address" in err.value.reason
    assert second_host.hits("/moved") and not server.hits("/rss20.xml")


def test_redirect_to_127_0_0_1_followed_when_private_urls_allowed(server, second_host, fetcher):
    target = server.fixture("rss20.xml")
    start = second_host.add("/moved", status=301, headers={"Location": target})
    result = fetcher.fetch(start)
    assert result.url == target and b"<rss" in result.content


def test_redirect_loop_refused(server, fetcher):
    server.add("/loop-a", status=302, headers={"Location": "/loop-b"})
    server.add("/loop-b", status=307, headers={"Location": server.url("/loop-a")})
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.fetch(server.url("/loop-a"))
    assert len(server.hits("/loop-a")) == 1


def test_too_many_redirects_refused(server, fetcher):
    for i in range(7):
        server.add(f"/hop{i}", status=302, headers={"Location": f"/hop{i + 1}"})
    server.fixture("rss20.xml", path="/hop7")
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        fetcher.fetch(server.url("/hop0"))
    assert server.hits("/hop5") and not server.hits("/hop6")


def test_redirect_to_another_scheme_refused(server, fetcher):
    server.add("/to-file", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.fetch(server.url("/to-file"))


@pytest.mark.parametrize("url", ["ftp://example.com/feed.xml", "file:///etc/passwd", "gopher://x/", "//x/y"])
def test_non_http_urls_refused(url, fetcher):
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.fetch(url)


def test_slow_server_times_out(server):
    url = server.add("/slow", b"<rss/>", delay=1.5)
    with Fetcher(allow_private=True, read_timeout=0.3) as f, pytest.raises(FetchError) as err:
        f.fetch(url)
    assert err.value.reason == "server did not answer within 0.3 s"


def test_trickling_server_stopped_by_the_deadline(server):
    def trickle():
        for _ in range(40):
            time.sleep(0.1)
            yield b"<"
    url = server.add("/trickle", trickle, headers={"Content-Type": "text/xml"})
    with Fetcher(allow_private=True, read_timeout=1, deadline=0.5) as f, pytest.raises(FetchError) as err:
        f.fetch(url)
    assert "took longer than 0.5 s" in err.value.reason  # the 4 s body was cut by the deadline


def test_unreachable_port_is_a_clear_error(fetcher):
    with pytest.raises(FetchError, match="cannot connect"):
        fetcher.fetch("http://127.0.0.1:9/feed.xml")


def test_10mb_body_cut_off_while_streaming(server, fetcher):
    url = server.add("/10mb", lambda: (b"x" * 65536 for _ in range(160)), headers={"Content-Type": "text/xml"})
    with pytest.raises(FetchError, match=r"body too large \(more than 5242880 bytes\)"):
        fetcher.fetch(url)


def test_10mb_declared_length_refused_before_reading(server, fetcher):
    url = server.add("/10mb-declared", b"x" * (10 * MB), headers={"Content-Type": "text/xml"})
    with pytest.raises(FetchError, match=r"body too large \(10485760 bytes, at most 5242880\)"):
        fetcher.fetch(url)


def test_gzip_bomb_cut_off_after_decompression(server, fetcher):
    bomb = gzip.compress(b"\0" * (10 * MB))
    assert len(bomb) < 20000
    url = server.add("/bomb", bomb, headers={"Content-Type": "text/xml", "Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="body too large"):
        fetcher.fetch(url)


@pytest.mark.parametrize("ctype", ["image/png", "application/pdf", "video/mp4", "application/zip"])
def test_binary_content_types_refused(server, fetcher, ctype):
    url = server.add("/binary", b"\x89PNG\r\n", headers={"Content-Type": ctype})
    with pytest.raises(FetchError, match=f"unsupported content type '{ctype}'"):
        fetcher.fetch(url)


def test_conditional_get_sends_validators_and_reads_304(server, fetcher):
    url = server.fixture("rss20.xml")
    first = fetcher.fetch(url)
    second = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.content == b"" and second.etag == first.etag
    sent = server.hits("/rss20.xml")[1]
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == "Wed, 16 Apr 2025 08:00:00 GMT"


def test_error_status_with_retry_after(server, fetcher):
    url = server.add("/busy", b"slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as err:
        fetcher.fetch(url)
    assert err.value.reason == "HTTP 429 Too Many Requests"
    assert err.value.status == 429 and err.value.retry_after == 120


def test_server_error_status(server, fetcher):
    with pytest.raises(FetchError, match="HTTP 503"):
        fetcher.fetch(server.add("/down", b"", status=503))


ARABIC = "إنفيديا تحتاج إلى ترخيص لتصدير رقائق H20 إلى الصين"


@pytest.mark.parametrize("data, declared", [
    (ARABIC.encode("utf-8"), "iso-8859-1"),        # UTF-8 labelled Latin-1
    (ARABIC.encode("cp1256"), "utf-8"),            # windows-1256 labelled UTF-8
    (ARABIC.encode("cp1256"), "iso-8859-1"),       # windows-1256 labelled Latin-1
    (ARABIC.encode("cp1256"), "windows-1256"),     # honest label
    (ARABIC.encode("cp1256"), None),               # no label at all
    (b'<?xml version="1.0" encoding="windows-1256"?><t>' + ARABIC.encode("cp1256") + b"</t>", None),
    (b'<meta charset="windows-1256"><p>' + ARABIC.encode("cp1256") + b"</p>", "bogus-charset"),
    (b"\xef\xbb\xbf" + ARABIC.encode("utf-8"), "iso-8859-1"),  # BOM
])
def test_wrong_or_missing_charset_decoded(data, declared):
    assert ARABIC in decode_body(data, declared)


def test_latin1_label_still_honoured_for_french():
    text = "Le département du Commerce a durci les règles à l'exportation des puces."
    assert decode_body(text.encode("iso-8859-1"), "iso-8859-1") == text
    assert decode_body(text.encode("cp1252"), "iso-8859-1") == text


def test_chinese_gb2312_label_read_as_gb18030():
    text = "英伟达称H20芯片对华出口需要许可证，𠮷"  # the last character is outside GB2312
    assert decode_body(text.encode("gb18030"), "gb2312") == text


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server with a certificate for feeds.test, signed by a throwaway CA."""
    import ssl
    import subprocess

    d = tmp_path_factory.mktemp("tls")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=chipwatch test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "site.key", "-out", "site.csr",
            "-subj", "/CN=feeds.test")
    (d / "ext.cnf").write_text("subjectAltName=DNS:feeds.test\n")
    openssl("x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "site.pem", "-days", "2", "-extfile", "ext.cnf")
    https = FeedServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(d / "site.pem", d / "site.key")
    https.httpd.socket = context.wrap_socket(https.httpd.socket, server_side=True)
    https.fixture("atom.xml")
    yield https, ssl.create_default_context(cafile=str(d / "ca.pem"))
    https.close()


def test_https_verified_against_the_host_name_while_connecting_to_the_checked_address(tls_server):
    https, client_context = tls_server
    port = int(https.base.rsplit(":", 1)[1])
    with Fetcher(allow_private=True, ssl_context=client_context,
                 resolver=lambda host, p: ["127.0.0.1"]) as f:
        assert f.fetch(f"https://feeds.test:{port}/atom.xml").status == 200
        with pytest.raises(FetchError, match="cannot connect: .*certificate"):
            f.fetch(f"https://other.test:{port}/atom.xml")  # the certificate names feeds.test only
