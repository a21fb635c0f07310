"""Bulk ingestion (app/ingest/pipeline.py): batches linked in memory, worker processes, the
item-by-item fallback, stored shingles. Each gives the outcome of storing one item at a time."""

import json

import pytest
from sqlalchemy import delete, func, select

from app.article import linking as dedupe
from app.ingest import pipeline, pool
from app.ingest.items import RawItem
from app.ingest.pipeline import Ingestor
from app.ingest.targets import from_file
from app.models import Article, ArticleEntity, ArticleKey, ArticleShingles, Mention
from bench.corpus import generate
from tests.test_dedupe import EDITED, HUAWEI, TRUNCATED, WIRE

CORPUS = 240  # generated articles: enough for near-duplicates and stories in common


def _items(count=CORPUS, seed=5):
    """Generated articles crowded into four weeks (many near-duplicates and shared stories),
    with a lightly edited copy of every fifth."""
    items = []
    for i, a in enumerate(generate(count, seed=seed)):
        fields = {k: a[k] for k in ("title", "body", "url", "lang")}
        items.append(RawItem(origin=f"gen:{i}", published_at=f"2025-04-{1 + i % 28:02d}T12:00:00Z", **fields))
        if i % 5 == 0:
            items.append(RawItem(origin=f"copy:{i}", published_at=f"2025-04-{1 + (i + 1) % 28:02d}T08:00:00Z",
                                 **{**fields, "url": fields["url"] + "/copy", "body": fields["body"] + " (wire)"}))
    return items


def _state(runtime):
    """Everything ingestion decides, by article id."""
    with runtime.sessions() as s:
        articles = [tuple(r) for r in s.execute(select(
            Article.id, Article.url, Article.content_hash, Article.duplicate_of, Article.story_id,
            Article.cited_sources).order_by(Article.id))]
        tags = sorted(tuple(r) for r in s.execute(select(
            ArticleEntity.article_id, ArticleEntity.entity_id, ArticleEntity.reason)))
        mentions = sorted(tuple(r) for r in s.execute(select(
            Mention.article_id, Mention.entity_id, Mention.start, Mention.end)))
        keys = sorted(tuple(r) for r in s.execute(select(ArticleKey.article_id, ArticleKey.key)))
    return articles, tags, mentions, keys


def _ingest(runtime, items, **kwargs):
    return Ingestor(runtime.sessions, runtime.enricher, **kwargs).ingest(items)


def _one_by_one(runtime, items):
    """The reference: every item alone in its batch, through the item-by-item path."""
    ingestor = Ingestor(runtime.sessions, runtime.enricher)
    for item in items:
        analysed = pipeline.analyse(item, None, runtime.enricher)
        report = pipeline.IngestReport()
        with runtime.sessions.begin() as session:
            ingestor._store_one_by_one(session, [analysed], report, None)


def test_batches_link_as_one_by_one(runtime, monkeypatch):
    items = _items()
    _one_by_one(runtime, items)
    expected = _state(runtime)
    # Near-duplicates and stories are found in this corpus, so the comparison means something.
    assert any(a[3] for a in expected[0]) and any(a[4] for a in expected[0])
    runtime.engine.dispose()
    _truncate(runtime)
    monkeypatch.setattr(pipeline, "BATCH", 37)  # links across batches and within them
    report = _ingest(runtime, items)
    assert (report.added, report.duplicates, report.rejected) == (len(items), 0, [])
    assert _state(runtime) == _renumbered(expected, _state(runtime))


def _truncate(runtime):
    with runtime.sessions.begin() as s:
        for model in (ArticleKey, ArticleShingles, Mention, ArticleEntity):
            s.execute(delete(model))
        s.execute(Article.__table__.update().values(duplicate_of=None))
        s.execute(delete(Article))


def _renumbered(expected, actual):
    """expected with its article ids replaced by those of the same articles in actual (by URL)."""
    new_id = {old[0]: new[0] for old, new in zip(expected[0], actual[0])}
    assert [a[1] for a in expected[0]] == [a[1] for a in actual[0]]

    def story(s):
        return None if s is None else f"s{new_id[int(s[1:])]}"

    articles = [(new_id[a[0]], a[1], a[2], new_id.get(a[3]), story(a[4]), a[5]) for a in expected[0]]
    tags = sorted((new_id[t[0]], *t[1:]) for t in expected[1])
    mentions = sorted((new_id[m[0]], *m[1:]) for m in expected[2])
    keys = sorted((new_id[k[0]], k[1]) for k in expected[3])
    return articles, tags, mentions, keys


def test_worker_processes_give_the_same_outcome(runtime, monkeypatch):
    items = _items(160, seed=9)
    _ingest(runtime, items)
    expected = _state(runtime)
    _truncate(runtime)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 10)
    monkeypatch.setattr(pool, "CHUNK", 7)
    monkeypatch.setattr(pool, "AHEAD", 3)
    monkeypatch.setattr(pipeline, "BATCH", 50)
    report = _ingest(runtime, items, processes=2)
    assert (report.added, report.duplicates, report.rejected) == (len(items), 0, [])
    assert any(a[3] for a in expected[0])
    assert _state(runtime) == _renumbered(expected, _state(runtime))


def test_small_inputs_stay_in_process(runtime, monkeypatch):
    def no_pool(*_a, **_k):
        raise AssertionError("no worker processes for a small input")

    monkeypatch.setattr(pipeline, "AnalysisPool", no_pool)
    report = _ingest(runtime, _items(20), processes=2)
    assert report.added == 24


def test_a_batch_that_meets_another_writer_is_stored_item_by_item(runtime, monkeypatch):
    """Another writer stored one of the batch's articles after our duplicate check: the batch's
    savepoint is rolled back, and each item is stored in its own; nothing else is lost."""
    first = _ingest(runtime, [RawItem(origin="a", body=WIRE, published_at="2025-04-15")])
    monkeypatch.setattr(Ingestor, "_not_stored",
                        staticmethod(lambda looked, previous, report: (looked.analysed, looked.pending)))
    report = _ingest(runtime, [
        RawItem(origin="b", body=HUAWEI, published_at="2025-04-16"),
        RawItem(origin="c", body=WIRE, published_at="2025-04-15"),  # the other writer's
        RawItem(origin="d", body=EDITED, published_at="2025-04-16"),
    ])
    assert (report.added, report.duplicates, report.rejected) == (2, 1, [])
    with runtime.sessions() as s:
        edited = s.scalar(select(Article).where(Article.id == report.article_ids[1]))
        assert edited.duplicate_of == first.article_ids[0]
        assert s.scalar(select(func.count()).select_from(Article)) == 3


def test_candidates_stored_before_shingles_get_them(runtime):
    """Articles from before article_shingles existed are read from their text, once."""
    (wire,) = _ingest(runtime, [RawItem(origin="a", body=WIRE, published_at="2025-04-15")]).article_ids
    with runtime.sessions.begin() as s:
        s.execute(delete(ArticleShingles))
    dedupe._recent.clear()
    (copy,) = _ingest(runtime, [RawItem(origin="b", body=TRUNCATED, published_at="2025-04-16")]).article_ids
    with runtime.sessions() as s:
        assert s.get(Article, copy).duplicate_of == wire
        stored = s.scalar(select(ArticleShingles.shingles).where(ArticleShingles.article_id == wire))
    assert dedupe.decode_shingles(stored).tolist() == sorted(dedupe.shingles(WIRE))


def test_large_jsonl_is_streamed_not_refused(tmp_path, monkeypatch):
    from app.ingest import targets

    monkeypatch.setattr(targets, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(targets, "MAX_LINE_BYTES", 600)
    path = tmp_path / "big.jsonl"
    line = json.dumps({"title": "t", "body": "b" * 100}) + "\n"
    path.write_text(line * 20 + json.dumps({"body": "x" * 700}) + "\n" + line)
    items = list(from_file(path))
    assert len(items) == 22
    assert [type(i).__name__ for i in items].count("RawItem") == 21
    assert items[20].origin.endswith(":21")


def test_unreadable_jsonl_lines_are_rejected_with_their_reason(tmp_path, monkeypatch):
    """An oversized or non-UTF-8 line is rejected for what it is, at its line number; the lines
    around it are read."""
    from app.ingest import targets
    from app.ingest.items import Rejected

    monkeypatch.setattr(targets, "MAX_LINE_BYTES", 600)
    path = tmp_path / "mixed.jsonl"
    good = (json.dumps({"title": "t", "body": "b" * 100}) + "\n").encode()
    huge = (json.dumps({"body": "x" * 1500}) + "\n").encode()
    path.write_bytes(good + huge + b'{"body": "caf\xe9 au lait"}\n' + good)
    items = list(from_file(path))
    assert [type(i).__name__ for i in items] == ["RawItem", "Rejected", "Rejected", "RawItem"]
    too_large, not_utf8 = items[1], items[2]
    assert isinstance(too_large, Rejected) and isinstance(not_utf8, Rejected)
    assert too_large.origin == f"{path}:2"
    assert too_large.reason == f"line too large ({len(huge)} bytes, at most 600)"
    assert not_utf8.origin == f"{path}:3"
    assert not_utf8.reason.startswith("not UTF-8 (byte 14 of the line")
    assert "JSON object" not in too_large.reason + not_utf8.reason


@pytest.mark.parametrize("text", [WIRE, "", "一二三四五六七八九十", "إنفيديا تطلب ترخيص تصدير الرقائق إلى الصين"])
def test_shingle_arrays_round_trip(text):
    array = dedupe.shingle_array(text)
    assert set(array.tolist()) == dedupe.shingles(text)
    assert dedupe.decode_shingles(dedupe.encode_shingles(array)).tolist() == array.tolist()


def test_the_batch_after_an_item_by_item_one_sees_its_articles(runtime, monkeypatch):
    """The next batch's lookups ran while the failed batch was being written: they are made
    again, so a copy in the next batch still finds its original."""
    _ingest(runtime, [RawItem(origin="a", body=HUAWEI, published_at="2025-04-15")])
    monkeypatch.setattr(Ingestor, "_not_stored",
                        staticmethod(lambda looked, previous, report: (looked.analysed, looked.pending)))
    monkeypatch.setattr(pipeline, "BATCH", 2)
    report = _ingest(runtime, [
        RawItem(origin="b", body=HUAWEI, published_at="2025-04-15"),  # already stored: item by item
        RawItem(origin="c", body=WIRE, published_at="2025-04-15"),
        RawItem(origin="d", body=EDITED, published_at="2025-04-16"),
        RawItem(origin="e", body=TRUNCATED, published_at="2025-04-16"),
    ])
    assert (report.added, report.duplicates) == (3, 1)
    wire, edited, truncated = report.article_ids
    with runtime.sessions() as s:
        assert s.get(Article, edited).duplicate_of == wire
        assert s.get(Article, truncated).duplicate_of == wire
