"""Stray NUL bytes in text and HTML: read without them (as a browser shows such a page), on every
input path; UTF-16/UTF-32 without a byte order mark still told by their NULs; images, PDFs,
archives and executables still refused, saying what they are (bench/reports/nulbytes.md)."""

import gzip
import io
import zipfile
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from app.decoding import decode_body, decode_bytes
from app.errors import RejectedInput
from app.ingest.fetch import FetchResult
from app.ingest.poller import poll_due_sources
from app.ingest.sources import add_source
from app.ingest.targets import from_bytes
from app.models import Article, Rejection, Source
from tests.conftest import ADMIN_TOKEN
from tests.feedserver import _feed_server_session, server  # noqa: F401 - fixtures

BODY = ("Nvidia said on Tuesday that shipments of its H20 accelerator to customers in China would "
        "need an export licence from the Commerce Department, and that it expected a charge.")
TEXTS = {
    "txt": "TSMC told Chinese customers it would stop shipping advanced 7nm AI chips from November, "
           "after a US order to the company.",
    "json": "The Dutch government widened licence requirements for ASML's immersion lithography "
            "systems, the ministry said on Friday.",
    "jsonl": "Huawei ramped up production of its Ascend 910C processors despite the entity listing, "
             "according to people familiar with the plans.",
    "xml": "Japan added 23 types of chipmaking equipment to its export control list, trade ministry "
           "officials said in Tokyo.",
    "feed": "Samsung said its memory shipments to Chinese customers fell after the latest US rules on "
            "high-bandwidth memory took effect.",
}
CHINESE = "英伟达周二表示，向中国客户出口H20加速器需要商务部的出口许可证，一家公司预计将计提一笔费用。"


# ---------------------------------------------------------------- decoding


@pytest.mark.parametrize("data", [
    b"NUL\x00 in a text file " * 20,  # a NUL every 20 bytes: always at an odd offset
    b"\x00" + BODY.encode() + b"\x00",
    BODY.encode().replace(b" ", b" \x00", 3),
    (BODY + " " + CHINESE).encode().replace(" ".encode(), b"\x00 "),
    BODY.encode() + b"\x00" * 5000,  # padding
])
def test_text_with_stray_nuls_is_read_without_them(data):
    text = decode_bytes(data)
    assert text == data.replace(b"\x00", b"").decode()
    assert decode_body(data, None) == decode_body(data, "iso-8859-1") == text


def test_legacy_code_page_text_with_nuls_is_read_by_its_label_or_by_detection():
    text = f"Exportkontrolle für Nvidias H20: Lizenz nötig, sagt das Ministerium. {BODY} " * 3
    data = text.encode("cp1252").replace(b"H20", b"H2\x000")
    assert decode_body(data, "windows-1252") == text
    assert decode_bytes(data, "cp1252") == text


@pytest.mark.parametrize("html", [
    "<!DOCTYPE html>\x00<html><head><title>Export\x00 rules</title></head>",
    "<body>\x00<p>a\x00b</p><table>\x00filler\x00text\x00</table>",
    '<p title="x\x00y">attribute</p><script>a="\x00"</script><!--\x00-->',
    "<svg>\x00<text>a\x00b</text></svg><math><mi>a\x00b</mi></math>",
    "<plaintext>\x00filler\x00text\x00",
])
def test_html_with_nuls_anywhere_is_read_without_them(html):
    page = f"{html}<article><h1>Export rules tighten</h1><p>{BODY}</p></article>"
    assert decode_bytes(page.encode()) == page.replace("\x00", "")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("text", [
    f"UTF headline\n\n{BODY}",
    f"<html><body><h1>出口管制</h1><p>{CHINESE} 2024 年 10 月 {CHINESE}</p></body></html>",  # 一 is U+4E00
    f"Stray U+0000 inside\x00 wide text. {BODY}",
])
def test_utf16_and_utf32_without_a_byte_order_mark_are_still_told_by_their_nuls(codec, text):
    data = text.encode(codec)
    assert decode_bytes(data) == decode_body(data, "iso-8859-1") == text.replace("\x00", "")


def _png() -> bytes:
    chunk = b"IHDR" + (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + chunk
            + zlib.crc32(chunk).to_bytes(4, "big") + zlib.compress(b"\x00\xff\x00\x00" * 300))


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("article.txt", BODY)  # stored, not compressed: its text is in the zip
    return out.getvalue()


@pytest.mark.parametrize(("data", "what"), [
    (_png(), "a PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 44 >>\nstream\n" + BODY.encode() + b"\x00\nendstream",
     "a PDF document"),
    (_zip(), "a zip archive"),
    (gzip.compress(BODY.encode() * 3), "gzip-compressed data"),
    (b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x03\x00>\x00" + BODY.encode(), "an executable (ELF)"),
    (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + BODY.encode(), "a GIF image"),
])
def test_binary_formats_are_refused_saying_what_they_are(data, what):
    with pytest.raises(RejectedInput) as refused:
        decode_bytes(data)
    assert str(refused.value).startswith(f"not text: {what}")
    with pytest.raises(RejectedInput):
        decode_body(data, "text/html; charset=utf-8".split("=")[1])


@pytest.mark.parametrize(("data", "where"), [
    (bytes(range(256)) * 16, "(a NUL byte at offset 0; NUL and control bytes are 11% of the first 4000)"),
    (b"ab\x00\x00\x00cd\x00" * 200, "(a NUL byte at offset 2; NUL and control bytes are 50% of the first 1600)"),
    (b"\x00\x00" + b"\x01\x02\x03\x04text" * 100, "(a NUL byte at offset 0; NUL and control bytes are 50% of the first 802)"),
])
def test_data_mostly_nuls_or_controls_is_refused_saying_where(data, where):
    with pytest.raises(RejectedInput) as refused:
        decode_bytes(data)
    assert str(refused.value) == f"not text: binary data or an unknown character encoding {where}"


@hsettings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
                                  blacklist_characters="\ufeff\ufffd", whitelist_characters="\n\t"),
                    min_size=20),
       where=st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_any_text_with_a_few_nuls_reads_as_the_text(text, where):
    data = text.encode()
    if not text.strip() or len(where) > len(data) // 20 or data.startswith((b"%PDF-", b"GIF8", b"wOF")):
        return
    for fraction in sorted(where, reverse=True):
        cut = int(fraction * len(data))
        data = data[:cut] + b"\x00" + data[cut:]
    assert decode_bytes(data) == text


# ---------------------------------------------------------------- input paths


def _page(mark: str) -> bytes:
    return (f"<!DOCTYPE html>\x00<html><head><title>Export rules tighten {mark}\x00</title></head><body>"
            f"<article><h1>Export rules tighten {mark}</h1><p>\x00{BODY}</p><p>{BODY}\x00</p></article>"
            "</body></html>").encode()


def _feed(mark: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\x00<rss version="2.0"><channel><title>Feed\x00</title>'
            f"<item><title>Export rules tighten {mark}</title><guid>{mark}</guid>"
            f"<description>{TEXTS[mark]}\x00 {TEXTS[mark]}</description></item></channel></rss>").encode()


def _stored(runtime) -> dict[str, str]:
    with runtime.sessions() as session:
        return {a.title: a.body for a in session.scalars(select(Article))}


def test_files_with_nuls_are_stored_without_them(ingest, runtime, tmp_path):
    tmp_path = tmp_path / "inbox"
    tmp_path.mkdir()
    (tmp_path / "page.html").write_bytes(_page("html"))
    (tmp_path / "note.txt").write_bytes(f"Export rules tighten txt\n\n{TEXTS['txt']}\x00 {TEXTS['txt']}".encode())
    (tmp_path / "item.json").write_bytes(
        f'{{"title": "Export rules tighten json", "body": "{TEXTS["json"]}\x00 {TEXTS["json"]}"}}'.encode())
    (tmp_path / "items.jsonl").write_bytes(
        f'{{"title": "Export rules tighten jsonl", "body": "{TEXTS["jsonl"]}\x00 {TEXTS["jsonl"]}"}}\n'.encode())
    (tmp_path / "feed.xml").write_bytes(_feed("xml"))
    (tmp_path / "image.html").write_bytes(_png())
    report = ingest(tmp_path)
    assert [(r.origin.rsplit("/", 1)[-1], r.reason) for r in report.rejected] == [
        ("image.html", "not text: a PNG image")]
    stored = _stored(runtime)
    assert {f"Export rules tighten {m}" for m in ("html", "txt", "json", "jsonl", "xml")} <= set(stored)
    assert all("\x00" not in title + (body or "") for title, body in stored.items())
    assert BODY in stored["Export rules tighten html"]
    assert all(TEXTS[m] in stored[f"Export rules tighten {m}"] for m in ("txt", "json", "jsonl", "xml"))


def test_nul_bytes_from_urls_and_feeds_are_dropped(server, settings, runtime):
    settings.allow_private_urls = True
    feed = server.add("/feed.xml", _feed("feed"), headers={"Content-Type": "application/rss+xml"})
    png = server.add("/image.xml", _png(), headers={"Content-Type": "application/rss+xml"})
    with runtime.sessions.begin() as session:
        add_source(session, feed, name="nul feed")
        add_source(session, png, name="png feed")
    totals = {"sources": 1}
    while totals["sources"]:
        totals = poll_due_sources(runtime, now=datetime.now(UTC) + timedelta(minutes=10), limit=10)
    assert "Export rules tighten feed" in _stored(runtime)
    with runtime.sessions() as session:
        errors = {s.name: s.last_error for s in session.scalars(select(Source))}
    assert errors["nul feed"] is None
    assert "not text: a PNG image" in (errors["png feed"] or "")


@pytest.mark.parametrize("charset", [None, "utf-8", "iso-8859-1"])
def test_a_page_fetched_or_piped_with_nuls_is_read_without_them(charset):
    fetched = FetchResult("https://news.example/a", 200, _page("fetched"), "text/html", charset).text()
    (piped,) = list(from_bytes(_page("fetched"), "stdin", None))  # `chipwatch ingest -`
    assert fetched == piped.html == _page("fetched").decode().replace("\x00", "")


def test_api_fields_with_nul_are_stored_without_them(client, runtime):
    r = client.post("/api/articles", json=[{"title": "Export rules tighten api\x00", "html": _page("api").decode()}],
                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert r.status_code == 200 and r.json()["added"] == 1, r.text
    assert "Export rules tighten api" in _stored(runtime)
    with runtime.sessions() as session:
        assert list(session.scalars(select(Rejection))) == []
