"""The reliability drills and the freshness benchmark keep working: a tiny run of each against the
real Meilisearch (the full-size runs and their numbers come from `make bench`)."""

import json
import os
import subprocess
import sys

import pytest

from app import ROOT
from tests.conftest import PG_ADMIN, _pg_available
from tests.conftest_meili import provision_binary
from tests.live import missing

pytestmark = pytest.mark.meili


@pytest.fixture(scope="module")
def env():
    """MEILI_BIN for the scripts; without a binary: skip locally, fail under CI=1|true|yes."""
    return {**os.environ, "MEILI_BIN": provision_binary()}


def run(args: list[str], tmp_path, env, timeout: float = 240) -> dict:
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", *args, "--report", str(report)], cwd=ROOT, env=env,
                          check=False, capture_output=True, text=True, timeout=timeout)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(report.read_text())
    failed = [c for c in data["checks"] if not c["passed"]]
    assert not failed and data["passed"] and done.returncode == 0, (failed, done.stdout[-3000:])
    return data


def _drop_pg(*names: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_kill_drill_smoke(request, tmp_path, env, database):
    args = ["bench.drills", "kill", "--count", "300", "--ingest-kills", "2", "--worker-kills", "3",
            "--min-interval", "0.3", "--max-interval", "1.5"]
    if database == "postgresql":
        if not _pg_available():
            missing("PostgreSQL", f"not reachable at {PG_ADMIN}")
        name = f"chipwatch_drill_{os.getpid()}"
        args += ["--database-url", PG_ADMIN.rsplit("/", 1)[0] + "/" + name]
        request.addfinalizer(lambda: _drop_pg(name, name + "_ref"))
    data = run(args, tmp_path, env)
    result = data["result"]
    assert result["kills"]["total"] >= 1
    assert result["stored_articles"] == data["reference"]["articles"] == 300
    assert result["meili_documents"] == result["indexable_articles"] > 0


def test_meili_outage_drill_smoke(tmp_path, env):
    # --outage-after 0: Meilisearch is down before the ingest starts, so its outbox rows queue
    # and are counted before Meilisearch comes back (nothing can drain them earlier).
    data = run(["bench.drills", "meili-outage", "--count", "300", "--outage-seconds", "4",
                "--outage-after", "0"], tmp_path, env)
    result = data["result"]
    outage = result["outage"]
    assert result["catch_up"]["seconds"] is not None and outage["seconds"] == 4
    assert outage["actual_seconds"] >= 4 and outage["outbox_at_start"] == 0
    assert result["catch_up"]["backlog_rows"] == outage["outbox_at_end"] > 0
    assert result["meili_documents"] == result["indexable_articles"] > 0


def test_freshness_smoke(tmp_path, env):
    data = run(["bench.freshness", "--samples", "5", "--background", "100", "--max-pause", "0.3"],
               tmp_path, env)
    result = data["result"]
    assert result["found"] == 5 and result["seconds"]["max"] <= result["bar_seconds"]


def test_sqlite_savepoint_is_a_write_transaction(tmp_path):
    """What the kill drill found: `chipwatch ingest` died with "database is locked" while the
    worker deleted outbox rows. A savepoint opened outside a transaction was itself the
    transaction, deferred: a read in it, then a write, failed at once (no busy wait) when another
    connection had committed in between, and its RELEASE committed early. app/db.py now opens a
    write transaction (BEGIN IMMEDIATE) first: other writers wait for it, and nothing commits
    before the session does."""
    import sqlite3

    from sqlalchemy import text

    from app.config import Settings
    from app.db import make_engine, make_sessionmaker
    from app.migrate import upgrade

    settings = Settings(data_dir=tmp_path / "data", meili_url=None)
    upgrade(settings)
    engine = make_engine(settings)
    other = sqlite3.connect(settings.data_dir / "chipwatch.db", timeout=0.2)  # the worker, say
    count = "SELECT count(*) FROM index_outbox"
    try:
        with make_sessionmaker(engine).begin() as session:
            with session.begin_nested():
                session.execute(text(count))
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("DELETE FROM index_outbox")  # waits for our write lock
                other.rollback()
                session.execute(text("INSERT INTO index_outbox (article_id, op, created_at, attempts, "
                                     "available_at) VALUES (1, 'upsert', '2026-01-01', 0, '2026-01-01')"))
            assert other.execute(count).fetchone()[0] == 0  # released, not committed
        assert other.execute(count).fetchone()[0] == 1
    finally:
        other.close()
        engine.dispose()
