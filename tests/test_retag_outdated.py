"""After an upgrade the worker re-tags by itself what an earlier release enriched
(app/article/retag.py, queue_outdated): articles record the enrichment version that tagged them
(app/enrich/version.py: shipped gazetteer, enrichment code, topics), and one job of every
article brings the older ones up to date, search rows included; accepted gazetteer changes
keep their own jobs."""

import logging

from sqlalchemy import select, text, update

from app.article import retag
from app.enrich.version import code_version
from app.gazetteer import overlay
from app.models import Article, ArticleEntity, RetagJob
from app.search.concepts import topic_tokens
from app.worker import Worker
from tests.conftest import SAMPLE
from tests.test_gazetteer_review import snapshot

OLD = "g-000000000000+e-000000000000"  # what an earlier release wrote


def _tags(runtime) -> list[tuple]:
    return snapshot(runtime)["tags"]


def _search_row(runtime, article_id: int) -> str | None:
    sql = (
        "SELECT text FROM article_fts WHERE rowid = :id"
        if runtime.engine.dialect.name == "sqlite"
        else "SELECT array_to_string(tokens, ' ') FROM article_search WHERE article_id = :id"
    )
    with runtime.sessions() as s:
        return s.scalar(text(sql), {"id": article_id})


def _jobs(runtime) -> list[tuple]:
    with runtime.sessions() as s:
        return [(j.scope, j.status) for j in s.scalars(select(RetagJob).order_by(RetagJob.id))]


def test_a_worker_re_tags_what_an_earlier_version_enriched(runtime, ingest, caplog):
    ingest(SAMPLE)
    current = _tags(runtime)
    with runtime.sessions.begin() as s:
        articles = s.scalars(select(Article).order_by(Article.id)).all()
        stale = [a.id for a in articles[: len(articles) // 2]]
        # The concept tokens of a topic the earlier release did not know are what it lacks.
        conceptual = next(a for a in articles if a.id in stale and topic_tokens(a.title, a.body))
        token = topic_tokens(conceptual.title, conceptual.body)[0]
        # An earlier release: another version, fewer tags, a search row without the concept.
        s.execute(update(Article).where(Article.id.in_(stale)).values(gazetteer_version=OLD))
        s.execute(
            ArticleEntity.__table__.delete().where(
                ArticleEntity.article_id.in_(stale), ArticleEntity.reason != "mention"
            )
        )
        s.execute(
            text(
                "DELETE FROM article_fts WHERE rowid = :id"
                if runtime.engine.dialect.name == "sqlite"
                else "DELETE FROM article_search WHERE article_id = :id"
            ),
            {"id": conceptual.id},
        )
    assert _tags(runtime) != current and _search_row(runtime, conceptual.id) is None

    worker = Worker(runtime)
    with caplog.at_level(logging.INFO, logger="chipwatch.retag"):
        done = worker.run_once()
    assert done["outdated"] == len(stale)
    assert (
        f"{len(stale)} articles were enriched by an earlier version: re-tagging them in the"
        " background" in caplog.text
    )
    assert _jobs(runtime) == [("all", "done")]  # queued, then run in the same round
    with runtime.sessions() as s:
        assert set(s.scalars(select(Article.gazetteer_version))) == {runtime.enricher.version}
    assert _tags(runtime) == current
    assert token in _search_row(runtime, conceptual.id).split(" ")

    assert "outdated" not in worker.run_once()  # asked once per version, not every round
    assert Worker(runtime).run_once()["outdated"] == 0  # a restarted worker finds nothing
    assert _jobs(runtime) == [("all", "done")]


def test_nothing_is_queued_when_every_article_is_current(runtime, ingest):
    ingest(SAMPLE)
    assert Worker(runtime).run_once()["outdated"] == 0
    assert _jobs(runtime) == []


def test_an_open_job_of_every_article_is_left_to_finish(runtime, ingest):
    """A worker restarted half-way through the job (or after `enrich --all --queue`) queues
    no second one: the open job is resumed."""
    ingest(SAMPLE)
    with runtime.sessions.begin() as s:
        s.execute(update(Article).values(gazetteer_version=OLD))
    first = retag.queue_all(runtime)
    assert retag.queue_outdated(runtime) == 0
    with runtime.sessions() as s:
        assert s.scalars(select(RetagJob.id)).all() == [first.id]


def test_an_accepted_gazetteer_change_keeps_its_own_job(runtime, ingest):
    """The overlay changes the gazetteer's version, not the enrichment version articles record:
    the change's job re-tags what it concerns and no job of every article follows."""
    ingest(SAMPLE)
    version = runtime.enricher.version
    with runtime.sessions.begin() as s:
        overlay.add_alias(s, "micron", "مايكرون", "ar", "tester")
    Worker(runtime).run_once()
    assert runtime.enricher.gazetteer.version != runtime.enricher.gazetteer.base_version
    assert runtime.enricher.version == version
    assert _jobs(runtime) == [("change", "done")]


def test_the_version_follows_the_code_the_folding_and_the_topics(tmp_path):
    package = tmp_path / "enrich"
    package.mkdir()
    topics = tmp_path / "topics.json"
    topics.write_text("[]")
    folding = tmp_path / "han_variants.tsv"
    folding.write_text("許\t许\n")
    (package / "tagger.py").write_text("RULE = 1\n")
    (package / "evaluate.py").write_text("")
    version = code_version.__wrapped__
    before = version(package, topics, (folding,))
    (package / "evaluate.py").write_text("TOOL = 2\n")  # a tool beside the tagging
    assert version(package, topics, (folding,)) == before
    (package / "tagger.py").write_text("RULE = 2\n")
    changed = version(package, topics, (folding,))
    assert changed != before
    topics.write_text('[{"id": "topic-x"}]')
    assert version(package, topics, (folding,)) != changed
    changed = version(package, topics, (folding,))
    folding.write_text("許\t许\n證\t证\n")  # text folds differently: tags and search rows may
    assert version(package, topics, (folding,)) != changed
