"""Fixtures: a migrated database per test on SQLite and on PostgreSQL, a runtime, a client.

PostgreSQL is the machine's server on 127.0.0.1:5432. Without it the PostgreSQL half of the
suite is skipped locally and fails under CI (1, true or yes).
"""

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import ROOT
from app.config import Settings
from app.enrich import default_enricher
from app.migrate import upgrade
from app.runtime import build_runtime
from tests.live import ARGS, CHROMIUM, missing

pytest_plugins = ["tests.conftest_meili"]  # the real Meilisearch server (session fixture)
PG_ADMIN = os.environ.get("CHIPWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ADMIN_TOKEN = "test-admin-token-0123456789"
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "app" / "data" / "sample" / "articles.jsonl"
DATA = Path(__file__).parent / "data"


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_database():
    """One scratch PostgreSQL database for the session; tests truncate it between them."""
    if not _pg_available():
        missing("PostgreSQL", f"not reachable at {PG_ADMIN}")
    name = f"chipwatch_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    upgrade(Settings(database_url=url, data_dir=Path("/tmp")))
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_pg(runtime) -> None:
    with runtime.engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"))]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        # The one row its migration made, as on a new database (search and lists versions).
        conn.execute(text("INSERT INTO search_state (id, version, lists_version) VALUES (1, 0, 0)"))


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path) -> Settings:
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path / "data", admin_token=ADMIN_TOKEN)
    url = request.getfixturevalue("pg_database")
    return Settings(data_dir=tmp_path / "data", database_url=url, admin_token=ADMIN_TOKEN)


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", admin_token=ADMIN_TOKEN)


@pytest.fixture
def runtime(settings):
    upgrade(settings)
    rt = build_runtime(settings)
    if rt.engine.dialect.name == "postgresql":
        _truncate_pg(rt)
        rt.refresh_gazetteer(force=True)  # a former test's gazetteer overlay is gone
    yield rt
    rt.close()


@pytest.fixture
def client(runtime):
    from app.main import create_app

    with TestClient(create_app(runtime.settings, runtime)) as c:
        yield c


@pytest.fixture
def ingest(runtime):
    """Ingest targets into the test runtime; returns the report."""
    from app.cli import run_ingest

    def _ingest(*targets, source=None, lang=None):
        return run_ingest(runtime, [str(t) for t in targets], source, lang)

    return _ingest


@pytest.fixture
def sample(ingest):
    report = ingest(SAMPLE)
    assert report.added >= 44 and not report.rejected
    return report


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for every browser test (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from tests.live import require_chromium

    require_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def enricher():
    """The shipped gazetteer's enricher (default_enricher is cached: one for the whole run)."""
    return default_enricher()
