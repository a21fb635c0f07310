"""Re-tagging every article is a re-tag job like a gazetteer change's (app/article/retag.py): a
chunk per transaction, progress in the job row, resumed after a failure by the next run (the
CLI again or the worker), and every article queued once for the index, however often it was
interrupted."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.article import retag
from app.article.service import ArticleWriter
from app.cli import main
from app.models import Article, IndexOutbox, RetagJob
from tests.conftest import SAMPLE


class _Crash(Exception):
    """The process dies half-way (a kill, a bug): what a chunk wrote is rolled back."""


def _fail_once_at(monkeypatch, call: int) -> None:
    """ArticleWriter.retag raises at its `call`-th call, once."""
    real = ArticleWriter.retag
    calls = {"n": 0}

    def retag_or_crash(self, session, article):
        calls["n"] += 1
        if calls["n"] == call:
            raise _Crash(f"crash at article {article.id}")
        return real(self, session, article)

    monkeypatch.setattr(ArticleWriter, "retag", retag_or_crash)


@pytest.mark.parametrize("resumed_by", ["cli", "worker"])
def test_retag_all_resumes_after_a_crash_and_queues_each_article_once(
    runtime, ingest, monkeypatch, resumed_by
):
    ingest(SAMPLE)  # no outbox yet: nothing queued by ingestion
    runtime.settings.meili_url = "http://127.0.0.1:9"  # writes queue for the index; never drained
    monkeypatch.setattr(retag, "CHUNK", 10)
    with runtime.sessions() as s:
        ids = sorted(s.scalars(select(Article.id)))
        assert len(ids) >= 44 and not s.scalars(select(IndexOutbox)).all()

    _fail_once_at(monkeypatch, 25)  # in the third chunk
    scanned: list[int] = []
    with pytest.raises(_Crash):
        retag.retag_all(runtime, progress=scanned.append)
    assert scanned == [10, 10]
    with runtime.sessions() as s:
        (job,) = s.scalars(select(RetagJob))
        assert (job.scope, job.status, job.done, job.retagged) == ("all", "running", 20, 20)
        assert job.scanned_to == ids[19] and job.total == len(ids)
        assert sorted(s.scalars(select(IndexOutbox.article_id))) == ids[:20]

    if resumed_by == "cli":  # `chipwatch enrich --all` again: the open job, not a new one
        assert retag.retag_all(runtime) == len(ids)
    else:
        while retag.run_jobs(runtime, max_chunks=2)["chunks"]:
            pass
    with runtime.sessions() as s:
        (job,) = s.scalars(select(RetagJob))
        assert (job.status, job.done, job.retagged, job.error) == ("done", len(ids), len(ids), None)
        assert sorted(s.scalars(select(IndexOutbox.article_id))) == ids  # each exactly once
        versions = set(s.scalars(select(Article.gazetteer_version)))
        assert versions == {runtime.enricher.version}


def test_a_worker_failure_marks_the_job_failed_and_a_new_run_starts_over(
    runtime, ingest, monkeypatch
):
    ingest(SAMPLE)
    monkeypatch.setattr(retag, "CHUNK", 10)
    first = retag.queue_all(runtime)
    assert retag.queue_all(runtime).id == first.id  # one open job of every article at a time
    _fail_once_at(monkeypatch, 15)
    while retag.run_jobs(runtime, max_chunks=1)["chunks"]:
        pass
    with runtime.sessions() as s:
        job = s.get(RetagJob, first.id)
        assert job.status == "failed" and "crash at article" in job.error and job.done == 10
    count = retag.retag_all(runtime)
    with runtime.sessions() as s:
        assert count == s.scalar(select(RetagJob.retagged).where(RetagJob.id != first.id))
        assert count == len(s.scalars(select(Article.id)).all())


def test_enrich_all_on_the_command_line(sqlite_settings):
    env = {"CHIPWATCH_DATA_DIR": str(sqlite_settings.data_dir)}
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SAMPLE)], env=env).exit_code == 0
    queued = runner.invoke(main, ["enrich", "--all", "--queue"], env=env)
    assert queued.exit_code == 0 and queued.output.startswith("queued re-tag job 1 ")
    listed = runner.invoke(main, ["gazetteer", "jobs"], env=env)
    assert "all articles" in listed.output and "queued" in listed.output
    jobs = json.loads(runner.invoke(main, ["gazetteer", "jobs", "--run", "--json"], env=env).output)
    assert [(j["scope"], j["change_id"], j["status"]) for j in jobs] == [("all", None, "done")]
    assert jobs[0]["retagged"] == jobs[0]["total"] >= 44
    done = runner.invoke(main, ["enrich", "--all"], env=env)  # a new job, run here
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"re-tagged {jobs[0]['total']} articles with gazetteer ")
