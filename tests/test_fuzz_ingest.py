"""Property-based fuzzing of ingestion over every input format (issue #14).

Invariant: every input is stored or rejected with a reason; never an exception, never a hang
(each example runs under a CPU-time limit), and the good items ingested with it are unaffected.

Formats: HTML fragments and documents, RSS 2.0 / Atom / RDF / JSON Feed documents with fuzzed
fields, JSON and JSONL items of any shape, text in legacy encodings, and truncated and mutated
copies of the repository's fixtures. The suite runs a fixed, seeded budget (derandomized
Hypothesis, FUZZ examples per test); a longer run is one command (README, "Fuzzing"):

    CHIPWATCH_FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest tests/test_fuzz_ingest.py
"""

import itertools
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app import ROOT
from app.enrich import default_enricher
from app.ingest.items import RawItem, Rejected
from app.ingest.pipeline import Analysed, Ingestor, analyse
from app.ingest.pool import cpu_limit
from app.ingest.stages import ItemTimeLimit
from app.ingest.targets import from_bytes
from app.models import Article
from tests.goodnews import good_items

FUZZ = int(os.environ.get("CHIPWATCH_FUZZ_EXAMPLES", "60"))
HANG_SECONDS = 30.0  # CPU seconds one example may use before it counts as a hang
FUZZ_SETTINGS = settings(max_examples=FUZZ, derandomize=True, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.function_scoped_fixture])

FIXTURES = sorted(p for p in (ROOT / "tests" / "data").rglob("*") if p.is_file() and p.stat().st_size < 200_000)
FIXTURES += [ROOT / "app" / "data" / "sample" / "articles.jsonl"]
SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl", ".xml", ".rss", ".atom", None]

# --- strategies --------------------------------------------------------------------------------

any_text = st.text(st.characters(codec="utf-8"), max_size=300)
nasty = st.sampled_from(["\x00", "\ufffe", "\uffff", "\u202e", "&", "&nbsp;", "&bogus;", "]]>", "<", "<!--",
                         "<![CDATA[", "\r", "\x0b", "𝕏", "إنفيديا", "英伟达", "H20", "%", "\\u0000"])
wordy = st.lists(st.one_of(st.sampled_from(["Nvidia", "H20", "licence", "export", "China", "chips", "the",
                                            "said", "Huawei", "Ascend", "BIS", "2025"]), any_text, nasty),
                 max_size=40).map(" ".join)
urls = st.one_of(st.sampled_from(["http://[zz]/", "http://[::1", "HTTP://Example.ORG/x", "https://news.example/a",
                                  "javascript:alert(1)", "//x/y", "http://0177.0.0.1/", "", "http://a]b/",
                                  "https://xn--.example/", "http://bücher.example/ä"]), any_text)
dates = st.one_of(st.sampled_from(["Wed, 16 Apr 2025 08:00:00 GMT", "2025-04-16T08:00:00Z", "1, 1 Jan 9999999999999999999999 00:00",
                                   "16 avril 2025", "١٦ نيسان ٢٠٢٥", "2025年4月16日 下午3时", "yesterday", "0000-00-00",
                                   "Mon, 32 Feb 2025 25:61:61 +9999"]), any_text)
TAGS = ["p", "div", "svg", "math", "object", "video", "script", "style", "table", "tr", "td", "li", "h1",
        "article", "main", "iframe", "template", "noscript", "br", "meta", "title", "head", "body", "html"]


@st.composite
def html_documents(draw) -> str:
    def node(depth: int) -> str:
        if depth > 6 or draw(st.booleans()):
            return draw(wordy).replace("<", "&lt;") if draw(st.booleans()) else draw(wordy)
        tag = draw(st.sampled_from(TAGS))
        children = "".join(node(depth + 1) for _ in range(draw(st.integers(0, 3))))
        close = "" if draw(st.integers(0, 9)) == 0 else f"</{tag}>"  # unclosed now and then
        return f"<{tag}>{children}{close}"

    body = "".join(node(0) for _ in range(draw(st.integers(1, 4))))
    nest = draw(st.sampled_from([0, 0, 0, 50, 2000]))  # deeply nested markup
    return draw(st.sampled_from(["", "<!doctype html>", "<?xml version='1.0'?>"])) + "<div>" * nest + body


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;") if text else text


@st.composite
def xml_feeds(draw) -> str:
    kind = draw(st.sampled_from(["rss", "atom", "rdf"]))
    raw = draw(st.booleans())  # unescaped fields: not well-formed, the lenient parser's turn
    field = (lambda s: s) if raw else _esc
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        title, link, date, content = (field(draw(s)) for s in (wordy, urls, dates, wordy))
        if kind == "atom":
            entries.append(f"<entry><title>{title}</title><link href=\"{link}\"/><id>{link}</id>"
                           f"<updated>{date}</updated><content type=\"html\">{content}</content></entry>")
        elif kind == "rss":
            entries.append(f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
                           f"<description>{content}</description></item>")
        else:
            entries.append(f"<item rdf:about=\"{link}\"><title>{title}</title><link>{link}</link>"
                           f"<description>{content}</description></item>")
    body = "".join(entries)
    head = "<?xml version=\"1.0\" encoding=\"utf-8\"?>" if draw(st.booleans()) else ""
    if kind == "atom":
        return f"{head}<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>{body}</feed>"
    if kind == "rss":
        return f"{head}<rss version=\"2.0\"><channel><title>t</title><language>{draw(st.sampled_from(['en', 'ar', 'xx-yy', '']))}</language>{body}</channel></rss>"
    return (f"{head}<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
            f"<channel><title>t</title></channel>{body}</rdf:RDF>")


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | any_text,
                           lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
                           max_leaves=12)
FIELD_NAMES = ["title", "body", "html", "url", "published_at", "source", "lang", "author"]
json_items = st.fixed_dictionaries({}, optional={
    "title": st.one_of(wordy, json_values), "body": st.one_of(wordy, json_values), "html": st.one_of(html_documents(), json_values),
    "url": st.one_of(urls, json_values), "published_at": st.one_of(dates, json_values),
    "lang": st.one_of(st.sampled_from(["en", "ar", "zh", "x", "english", ""]), json_values),
    "source": st.one_of(wordy, json_values), "author": st.one_of(wordy, json_values)})


@st.composite
def json_feeds(draw) -> str:
    items = draw(st.lists(st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "id": st.one_of(any_text, st.integers(), json_values), "url": urls, "title": wordy,
        "content_html": st.one_of(html_documents(), json_values), "content_text": st.one_of(wordy, json_values),
        "date_published": dates, "authors": json_values, "language": json_values})), max_size=4))
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": items}
    if draw(st.booleans()):
        feed["language"] = draw(json_values)
    return json.dumps(feed, ensure_ascii=draw(st.booleans()))


LEGACY = ["cp1256", "gb18030", "shift_jis", "euc-kr", "koi8-r", "cp1252", "iso-8859-7", "utf-16", "utf-16-be", "big5"]


@st.composite
def legacy_bytes(draw) -> tuple[bytes, str | None]:
    text = draw(st.one_of(wordy, st.sampled_from(["تقول إنفيديا إن قيود التصدير ستخفض مبيعاتها " * 3,
                                                 "英伟达表示出口管制将减少其在中国的销售。" * 3,
                                                 "Nvidia заявила, что экспортные ограничения сократят продажи. " * 3])))
    return text.encode(draw(st.sampled_from(LEGACY)), errors="ignore"), draw(st.sampled_from(SUFFIXES))


@st.composite
def mutated_fixtures(draw) -> tuple[bytes, str | None]:
    path: Path = draw(st.sampled_from(FIXTURES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(0, 8))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup"]))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 256))]
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]  # truncated
    # Mostly read as what it is; now and then as another format, or sniffed (None).
    return bytes(data), path.suffix.lower() if draw(st.integers(0, 3)) else draw(st.sampled_from(SUFFIXES))


inputs = st.one_of(
    html_documents().map(lambda h: (h.encode("utf-8", "surrogatepass"), ".html")),
    xml_feeds().map(lambda x: (x.encode("utf-8", "surrogatepass"), ".xml")),
    json_feeds().map(lambda j: (j.encode("utf-8", "surrogatepass"), ".json")),
    st.lists(json_items, max_size=4).map(lambda xs: (json.dumps(xs).encode(), ".json")),
    st.lists(st.one_of(json_items, json_values), max_size=5).map(
        lambda xs: ("\n".join(json.dumps(x) for x in xs).encode(), ".jsonl")),
    legacy_bytes(),
    mutated_fixtures(),
    st.binary(max_size=400).map(lambda b: (b, None)),
)


# --- the invariant ---------------------------------------------------------------------------

_enricher = None


def _analysed(data: bytes, suffix: str | None) -> list:
    """Parse and analyse one input: every outcome an Analysed or a Rejected with a reason."""
    global _enricher
    _enricher = _enricher or default_enricher()
    outcomes = []
    try:
        with cpu_limit(HANG_SECONDS):
            for item in from_bytes(data, "fuzz", suffix):
                assert isinstance(item, (RawItem, Rejected)), item
                outcomes.append(analyse(item, None, _enricher))
    except ItemTimeLimit:
        pytest.fail(f"hang: more than {HANG_SECONDS:g} s of CPU on {data[:200]!r} ({suffix})")
    for outcome in outcomes:
        assert isinstance(outcome, (Analysed, Rejected)), outcome
        if isinstance(outcome, Rejected):
            assert outcome.reason.strip() and outcome.origin.startswith("fuzz")
            assert "CPU time limit" not in outcome.reason, f"hang on {data[:200]!r} ({suffix})"
    return outcomes


@FUZZ_SETTINGS
@given(html_documents())
def test_html_documents(html):
    _analysed(html.encode("utf-8", "surrogatepass"), ".html")


@FUZZ_SETTINGS
@given(st.one_of(xml_feeds(), json_feeds()))
def test_rss_atom_rdf_and_json_feeds(feed):
    _analysed(feed.encode("utf-8", "surrogatepass"), ".json" if feed.startswith("{") else ".xml")


@FUZZ_SETTINGS
@given(st.one_of(st.lists(st.one_of(json_items, json_values), max_size=5), json_items))
def test_json_and_jsonl_items(items):
    _analysed(json.dumps(items).encode(), ".json")
    if isinstance(items, list):
        _analysed("\n".join(json.dumps(x) for x in items).encode(), ".jsonl")


@FUZZ_SETTINGS
@given(legacy_bytes())
def test_text_in_legacy_encodings(case):
    _analysed(*case)


@FUZZ_SETTINGS
@given(mutated_fixtures())
def test_truncated_and_mutated_fixtures(case):
    _analysed(*case)


_run = itertools.count()


@pytest.fixture(scope="module")
def fuzz_runtime(tmp_path_factory):
    from app.config import Settings
    from app.migrate import upgrade
    from app.runtime import build_runtime

    settings_ = Settings(data_dir=tmp_path_factory.mktemp("fuzz-db"))
    upgrade(settings_)
    runtime = build_runtime(settings_)
    yield runtime
    runtime.close()


@settings(FUZZ_SETTINGS, max_examples=max(10, FUZZ // 2))
@given(st.lists(inputs, min_size=1, max_size=3))
def test_stored_or_rejected_and_good_neighbours_unaffected(fuzz_runtime, cases):
    """Through the whole pipeline into the database: what goes in is added, a duplicate or a
    rejection (with a reason), and two good items around the hostile ones are stored."""
    n = next(_run)
    first, last = (RawItem(origin=f"good:{n}:{i}", **item) for i, item in enumerate(good_items(2, seed=1000 + n)))
    items = [first]
    for data, suffix in cases:
        items += list(from_bytes(data, "fuzz", suffix))
    items.append(last)
    ingestor = Ingestor(fuzz_runtime.sessions, fuzz_runtime.enricher)
    with cpu_limit(HANG_SECONDS * 3):
        report = ingestor.ingest(items)
    assert report.added + report.duplicates + len(report.rejected) == len(items)
    assert all(r.reason.strip() for r in report.rejected)
    with fuzz_runtime.sessions() as session:
        stored = set(session.scalars(select(Article.origin).where(Article.origin.in_([first.origin, last.origin]))))
    assert stored == {first.origin, last.origin}
