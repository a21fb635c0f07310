"""One bad item never stops a run (issue #14): every stage's exception is that item's rejection.

Some stages are made to raise by real inputs (found by hand and by the fuzzer): an HTML page whose
root is <svg> makes lxml's drop_tree assert inside htmldate (via trafilatura) when it is nested too
deep for the HTML standard's parse, which the extractor runs first otherwise (app/ingest/formats.py
browser_html; a shallow one is read, as a browser shows it), JSON nested
100,000 deep overflows the parser's recursion, an RFC 822 date with a 22-digit year overflows
the email date parser. For the stages no input is known to break (a decoder, the language
identifier, the tagger, the shingler, the tokenizer), the library call itself is made to raise
for one marked input: a fault injected where a third-party bug would surface.
"""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.enrich import Enricher
from app import decoding as decode
from app.article import linking as dedupe
from app.ingest import pipeline
from app.ingest import normalize as nz
from app.ingest.pipeline import Ingestor
from app.ingest.targets import expand
from app.models import Article, Rejection
from tests.goodnews import good_items

SVG_PAGE = ("<svg><p>Nvidia said its export licence for the H20 had been revoked this week.</p>"
            "<p>The company expects a charge of several billion dollars.</p></svg>")
# The same page with 10,001 unclosed <b> in its <svg>: past formats.MAX_NESTING_WORK, so libxml2
# reads it alone, and asserts.
DEEP_SVG_PAGE = SVG_PAGE.replace("</svg>", "<b>" * 10_001 + "</svg>")


def _write_good(root: Path, items: list[dict]) -> None:
    """100 good items as .txt, .md, .json, .jsonl and .html files."""
    for i, item in enumerate(items[:40]):
        (root / f"good{i:03}.txt").write_text(f"{item['title']}\n\n{item['body']}\n", encoding="utf-8")
    for i, item in enumerate(items[40:50], 40):
        (root / f"good{i:03}.md").write_text(f"# {item['title']}\n\n{item['body']}\n", encoding="utf-8")
    (root / "good-array.json").write_text(json.dumps(items[50:70]), encoding="utf-8")
    (root / "good-lines.jsonl").write_text("".join(json.dumps(x) + "\n" for x in items[70:90]), encoding="utf-8")
    for i, item in enumerate(items[90:100], 90):
        (root / f"good{i:03}.html").write_text(
            f"<html><head><title>{item['title']}</title></head><body><article><h1>{item['title']}</h1>"
            f"<p>{item['body']}</p></article></body></html>", encoding="utf-8")


def _raise_for(marker: str, original, *, text_of=lambda args: " ".join(map(str, args))):
    def wrapper(*args, **kwargs):
        if marker in text_of(args):
            raise RuntimeError(f"injected failure for {marker}")
        return original(*args, **kwargs)
    return wrapper


BAD = {  # file name -> (content, stage named by its rejection)
    "bad-decode.txt": ("DECODEBOMB ".encode() + "تقول إنفيديا إن قيود التصدير ستخفض مبيعاتها في الصين".encode("cp1256") * 3,
                       "decode"),
    "bad-parse.json": ("[" * 100_000 + "]" * 100_000, "parse"),
    "bad-extract.html": (DEEP_SVG_PAGE, "extract"),
    "bad-dates.json": (json.dumps({"title": "Dated badly", "published_at": "1, 1 Jan 9999999999999999999999 00:00",
                                   "body": "Huawei said its Ascend shipments rose, and analysts agreed with it."}), "dates"),
    "bad-language.txt": ("Language bomb\n\nLANGBOMB Samsung said memory demand was strong again this quarter.", "language"),
    "bad-tagging.txt": ("Tagging bomb\n\nTAGBOMB Micron said memory prices would stay firm through the year.", "tagging"),
    "bad-shingles.txt": ("Shingle bomb\n\nSHINGLEBOMB ASML said it shipped fewer lithography tools to China.", "near-duplicate check"),
    "bad-tokens.txt": ("Token bomb\n\nTOKENBOMB Intel said it would build more packaging capacity in Ohio.", "search tokens"),
    "bad-url.json": (json.dumps({"title": "Bad link", "url": "http://[zz]/",
                                 "body": "AMD said its MI308 accelerator needed a licence for China now."}), "url"),
    "bad-short.txt": ("Too short to be an article.", "clean"),
}


@pytest.fixture
def faults(monkeypatch):
    """Library calls that raise for one marked input each (inherited by forked workers)."""
    monkeypatch.setattr(decode, "from_bytes", _raise_for("DECODEBOMB", decode.from_bytes,
                                                         text_of=lambda args: args[0][:20].decode("latin-1")))
    monkeypatch.setattr(nz, "detect_language", _raise_for("LANGBOMB", nz.detect_language))
    monkeypatch.setattr(Enricher, "enrich", _raise_for("TAGBOMB", Enricher.enrich))
    monkeypatch.setattr(dedupe, "shingle_array", _raise_for("SHINGLEBOMB", dedupe.shingle_array))
    monkeypatch.setattr(pipeline, "search_document", _raise_for("TOKENBOMB", pipeline.search_document))


def test_svg_page_makes_drop_tree_assert_inside_trafilatura():
    """The input of the issue's traceback, reproduced: a page whose root element htmldate cleans."""
    import trafilatura

    with pytest.raises(AssertionError):
        trafilatura.bare_extraction(SVG_PAGE, include_comments=False, with_metadata=True, favor_recall=True)


@pytest.mark.parametrize("processes", [1, 2], ids=["in-process", "worker-pool"])
def test_good_items_stored_and_one_rejection_per_bad_item_naming_its_stage(runtime, tmp_path, faults, processes):
    good = good_items(100)
    inputs = tmp_path / "in"
    inputs.mkdir()
    _write_good(inputs, good)
    for name, (content, _stage) in BAD.items():
        path = inputs / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    ingestor = Ingestor(runtime.sessions, runtime.enricher, processes=processes, parallel_min=1)
    report = ingestor.ingest(expand([str(inputs)]))

    assert report.added == 100 and report.duplicates == 0
    by_file = {Path(r.origin.split(":")[0].split("[")[0].split("#")[0]).name: r for r in report.rejected}
    assert len(report.rejected) == len(BAD) and set(by_file) == set(BAD), "\n".join(f"{r.origin[-30:]} {r.reason}" for r in report.rejected)
    for name, (_content, stage) in BAD.items():
        assert by_file[name].stage == stage, (name, by_file[name])
    assert re.fullmatch(r"extract failed: AssertionError \(in drop_tree, .*lxml/html/__init__\.py:\d+\)",
                        by_file["bad-extract.html"].reason)
    assert by_file["bad-parse.json"].reason.startswith("parse failed: RecursionError")
    assert by_file["bad-dates.json"].reason.startswith("dates failed: OverflowError")
    assert by_file["bad-language.txt"].reason == "language failed: RuntimeError: injected failure for LANGBOMB"
    with runtime.sessions() as session:
        titles = set(session.scalars(select(Article.title)))
        stored = {(Path(r.origin.split(":")[0].split("[")[0]).name, r.reason) for r in session.scalars(select(Rejection))}
    assert titles == {item["title"] for item in good}
    assert stored == {(name, r.reason) for name, r in by_file.items()}


def test_cli_summary_counts_the_rejection_and_exits_1(sqlite_settings, tmp_path, monkeypatch):
    from app.cli import main

    inputs = tmp_path / "in"
    inputs.mkdir()
    for i, item in enumerate(good_items(3)):
        (inputs / f"good{i}.txt").write_text(f"{item['title']}\n\n{item['body']}", encoding="utf-8")
    (inputs / "page.html").write_text(DEEP_SVG_PAGE, encoding="utf-8")
    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(sqlite_settings.data_dir))
    result = CliRunner().invoke(main, ["ingest", str(inputs)])
    assert result.exit_code == 1, result.output
    assert "added 3, duplicates 0, rejected 1" in result.stdout
    assert f"rejected {inputs / 'page.html'}: extract failed: AssertionError (in drop_tree" in result.stderr


def test_feed_with_one_invalid_link_stores_the_good_item(runtime, tmp_path):
    item = good_items(1)[0]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "feed.rss").write_text(f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>{item['title']}</title><link>https://news.example/1</link><description>{item['body']}</description></item>
<item><title>Broken link</title><link>http://[zz]/</link><description>{item['body']} Again.</description></item>
</channel></rss>""", encoding="utf-8")
    report = Ingestor(runtime.sessions, runtime.enricher).ingest(expand([str(tmp_path / "in")]))
    assert report.added == 1
    assert [(r.stage, r.reason.split(":")[0]) for r in report.rejected] == [("url", "bad url 'http")]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
        assert session.scalar(select(Article.url)) == "https://news.example/1"
