"""Regression tests from the hostile-input probe (issue #23, items 1-3): invalid URLs, characters
XML 1.0 forbids in the Atom feed, and servers that trickle their headers."""

import json
import socket
import sys
import threading
import xml.parsers.expat

import lxml.etree
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.ingest.fetch import FetchError, Fetcher
from app.urls import BadUrl, parse_url
from app.models import Article, Rejection
from app.web.exports import atom_document
from app.xmltext import xml_safe
from tests.conftest import ADMIN_TOKEN
from tests.goodnews import good_items

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
INVALID = ["http://[zz]/", "http://[::1", "https://[1:2]/", "http://a]b/", "http://0177.0.0.1:8131/",
           "http://0x7f.1/", "http://2130706433/", "http://host:99999/", "http://ex ample.com/",
           "ftp://example.com/", "javascript:alert(1)", "//example.com/x", "http:///nohost", "http://a\x00b/",
           "https://user:secret@example.com/"]


# --- 1. one URL parser -------------------------------------------------------------------------

@pytest.mark.parametrize("url", INVALID)
def test_invalid_urls_get_a_clear_reason(url):
    with pytest.raises(BadUrl) as err:
        parse_url(url)
    assert str(err.value) and "Traceback" not in str(err.value)


@pytest.mark.parametrize("url, clean", [
    ("HTTP://Example.ORG/a?b=1", "http://example.org/a?b=1"),
    ("https://[2001:DB8::1]:8443/x", "https://[2001:db8::1]:8443/x"),
    ("http://bücher.example/ä b", "http://xn--bcher-kva.example/%C3%A4%20b"),
    ("http://127.0.0.1:8131", "http://127.0.0.1:8131/"),
])
def test_valid_urls_in_any_case_ipv6_and_idna_are_cleaned(url, clean):
    assert parse_url(url) == clean


@given(st.text(max_size=60).map(lambda s: "http://" + s))
@settings(max_examples=300, derandomize=True, deadline=None)
def test_url_parser_never_raises_anything_but_bad_url(text):
    try:
        parse_url(text)
    except BadUrl:
        pass


def test_api_list_with_one_invalid_url_stores_the_others_and_names_the_item(client, runtime):
    good = good_items(3, seed=23)
    payload = [{**good[0], "url": "https://news.example/1"}, {**good[1], "url": "http://[zz]/"},
               {**good[2], "url": "HTTPS://News.Example/3"}]
    response = client.post("/api/articles", json=payload, headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert [(e["param"], e["index"], e["field"]) for e in body["errors"]] == [("1.url", 1, "url")]
    assert "malformed URL" in body["errors"][0]["msg"]
    assert body["added"] == 2 and len(body["article_ids"]) == 2
    with runtime.sessions() as session:
        assert sorted(session.scalars(select(Article.url))) == ["https://news.example/1", "https://news.example/3"]
        assert [(r.origin, r.reason.split(":")[0]) for r in session.scalars(select(Rejection))] == [
            ("api[1]", "bad url 'http")]


def test_api_item_the_schema_refuses_is_recorded_as_a_rejection_and_the_others_stored(client, runtime):
    """A field over its length (or not a string), or an item that is no object, is that item's
    rejection, recorded with its reason like a bad URL; it no longer refuses the whole request."""
    good = good_items(4, seed=29)
    payload = [good[0], {**good[1], "source": "s" * 201}, "not an object",
               {**good[2], "title": 5, "lang": "en-" + "x" * 40}, good[3]]
    response = client.post("/api/articles", json=payload, headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert [(e["param"], e["index"], e["field"]) for e in body["errors"]] == [
        ("1.source", 1, "source"), ("2", 2, None), ("3.title", 3, "title"), ("3.lang", 3, "lang")]
    assert body["detail"] == "3 of 5 items cannot be used; the other 2 were ingested"
    assert body["added"] == 2 and len(body["article_ids"]) == 2
    reasons = {
        "api[1]": "source: String should have at most 200 characters (got 201)",
        "api[2]": "not a JSON object",
        "api[3]": "title: Input should be a valid string; lang: String should have at most 35 characters (got 43)",
    }
    assert {(r["origin"], r["reason"], r["stage"]) for r in body["rejected"]} == {
        (origin, reason, "read") for origin, reason in reasons.items()}
    with runtime.sessions() as session:
        assert {(r.origin, r.reason) for r in session.scalars(select(Rejection))} == set(reasons.items())
        assert session.scalar(select(func.count()).select_from(Article)) == 2
    single = client.post("/api/articles", json={**good[1], "author": "a" * 501}, headers=AUTH)
    assert single.status_code == 422 and single.json()["errors"][0]["param"] == "author"
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Rejection)) == 4
    # A body that is no JSON at all is no item: refused whole, as before.
    broken = client.post("/api/articles", content=b"[{", headers={**AUTH, "Content-Type": "application/json"})
    assert broken.status_code == 422 and "added" not in broken.json()


@pytest.mark.parametrize("url", ["http://[zz]/", "http://[::1", "https://[1:2]/", "http://a]b/"])
def test_api_single_invalid_url_is_a_422_naming_the_field(client, url):
    response = client.post("/api/articles", json={**good_items(1, seed=5)[0], "url": url}, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == "url"


def test_cli_rejects_bad_url_targets_and_takes_upper_case_schemes_as_urls(sqlite_settings, monkeypatch):
    from app.cli import main

    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(sqlite_settings.data_dir))
    result = CliRunner().invoke(main, ["ingest", "http://0177.0.0.1:8131/"])
    assert result.exit_code == 2 and "neither a name nor a dotted IPv4 address" in result.output
    result = CliRunner().invoke(main, ["ingest", "HTTP://[zz]/"])
    assert result.exit_code == 2 and "malformed URL" in result.output  # not "no such file"
    result = CliRunner().invoke(main, ["sources", "add", "http://[zz]/"])
    assert result.exit_code == 2 and "cannot be polled: malformed URL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- 2. XML-safe text --------------------------------------------------------------------------

FORBIDDEN_RANGES = [(0x0, 0x8), (0xB, 0xC), (0xE, 0x1F), (0xD800, 0xDFFF), (0xFFFE, 0xFFFF)]


def _allowed(cp: int) -> bool:
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


def _strict_parse(document: str) -> None:
    data = document.encode("utf-8")
    lxml.etree.fromstring(data, parser=lxml.etree.XMLParser(recover=False))
    parser = xml.parsers.expat.ParserCreate()
    parser.Parse(data, True)


def test_xml_safe_drops_every_forbidden_range_and_keeps_everything_else():
    for low, high in FORBIDDEN_RANGES:
        for cp in {low, high, (low + high) // 2}:
            assert xml_safe(f"a{chr(cp)}b") == "ab", hex(cp)
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    kept = xml_safe(everything)
    assert kept == "".join(ch for ch in everything if _allowed(ord(ch)))
    assert "\ufffe" not in kept and "\U0001fffe" in kept  # only U+FFFE/U+FFFF are XML-forbidden


def _hit(title: str) -> dict:
    return {"id": 1, "title": title, "url": "https://news.example/1", "published_at": "2025-04-16T00:00:00+00:00",
            "snippet": title, "entities": [{"id": "nvidia", "name": title, "type": "company"}]}


def test_atom_document_parses_strictly_with_every_code_point_in_a_title():
    chunk = 0x8000
    for start in range(0, sys.maxunicode + 1, chunk):
        title = "".join(map(chr, range(start, min(start + chunk, sys.maxunicode + 1))))
        _strict_parse(atom_document([_hit(title)], title="chipwatch: " + title[:50], base="http://x", query="q=1"))


@given(st.lists(st.integers(0, sys.maxunicode).map(chr), max_size=80).map("".join))
@settings(max_examples=300, derandomize=True, deadline=None)
def test_atom_document_parses_strictly_for_any_title(title):
    _strict_parse(atom_document([_hit(title)], title=title, base="http://x", query="q=1"))


def test_feed_atom_with_noncharacters_in_stored_titles_is_well_formed(client, runtime):
    body = good_items(1, seed=3)[0]["body"]
    titles = ["Nvidia \ufffe licence", "Chips \uffff\U0001fffe \x85 controls \x01", "Tabs\x0band\x0cfeeds"]
    payload = [{"title": t, "body": f"{body} Variant {i} of the text."} for i, t in enumerate(titles)]
    assert client.post("/api/articles", json=payload, headers=AUTH).json()["added"] == 3
    # A lone surrogate (sent as the ASCII escape \\ud800) is refused with a 422, not stored.
    lone = json.dumps([{"title": "Lone \ud800", "body": body}]).encode()
    assert client.post("/api/articles", content=lone,
                       headers={**AUTH, "Content-Type": "application/json"}).status_code == 422
    response = client.get("/feed.atom")
    assert response.status_code == 200
    _strict_parse(response.text)
    root = lxml.etree.fromstring(response.content)
    got = {e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")}
    assert "Nvidia  licence" in got or "Nvidia licence" in got


# --- 3. one deadline per fetch -----------------------------------------------------------------

class HeaderTrickler:
    """A real TCP server that answers with a status line and headers one byte at a time and
    would take `seconds` to finish them; records how many bytes it sent before the client hung up."""

    def __init__(self, per_byte: float = 0.05, total_bytes: int = 2000):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed.xml"
        self.per_byte, self.total = per_byte, total_bytes
        self.sent = 0
        self.finished = threading.Event()  # it sent everything: the client never gave up
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        conn.recv(65536)
        head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Slow-%d: %s\r\n" % (i, b"y" * 20) for i in range(200))
        try:
            for byte in head[:self.total]:
                if self.stopped.wait(self.per_byte):
                    return
                conn.sendall(bytes([byte]))
                self.sent += 1
            self.finished.set()
        except OSError:  # the client closed the connection
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        self.thread.join()


def test_deadline_covers_a_server_that_trickles_its_headers():
    server = HeaderTrickler()  # 2,000 header bytes at 50 ms each: 100 s to finish
    try:
        with Fetcher(allow_private=True, read_timeout=3, deadline=1) as fetcher, pytest.raises(FetchError) as err:
            fetcher.fetch(server.url)
        assert "took longer than 1 s" in err.value.reason
        assert "headers" in err.value.reason
        assert not server.finished.is_set() and server.sent < server.total
    finally:
        server.close()


def test_deadline_covers_a_resolver_that_never_answers():
    never = threading.Event()

    def stuck_resolver(host: str, port: int) -> list[str]:
        never.wait()  # a DNS server that does not answer
        return ["127.0.0.1"]

    try:
        with Fetcher(allow_private=True, resolver=stuck_resolver, deadline=0.5) as fetcher, \
                pytest.raises(FetchError) as err:
            fetcher.fetch("http://feeds.example/rss")
        assert "took longer than 0.5 s" in err.value.reason
    finally:
        never.set()


def test_list_row_with_an_invalid_source_url_is_that_rows_error_only():
    from app.lists.parse import parse

    rows = [{"name": "Good Party Ltd", "source": "Entity List (EL) - Bureau of Industry and Security",
             "source_list_url": "HTTPS://www.bis.doc.gov/el"},
            {"name": "Bad Link Co", "source": "Entity List (EL) - Bureau of Industry and Security",
             "source_list_url": "http://[zz]/"}]
    parsed = parse(json.dumps({"results": rows}).encode(), "csl.json")
    assert [r.name for r in parsed.records] == ["Good Party Ltd"]
    assert parsed.records[0].source_list_url == "https://www.bis.doc.gov/el"
    assert [(e.row, e.reason.split(":")[0]) for e in parsed.errors] == [(2, "source_list_url")]
