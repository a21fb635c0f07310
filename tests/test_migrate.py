"""Every command upgrades the database first: at the newest revision that costs no Alembic import
(app/migrate.py reads the revision ids from the migration files), anywhere else Alembic runs."""

import os
import subprocess
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from app.config import Settings
from app.migrate import alembic_config, head_revisions, upgrade
from app.models import Base

AT_HEAD = """
import sys
from app.config import Settings
from app.migrate import upgrade
upgrade(Settings())
print("alembic imported" if "alembic" in sys.modules else "no alembic")
"""


def _settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, meili_url="")


def test_heads_read_from_the_files_are_alembics():
    script = ScriptDirectory.from_config(alembic_config(Settings()))
    assert head_revisions() == frozenset(script.get_heads())


def test_upgrade_at_head_skips_alembic_and_elsewhere_runs_it(tmp_path):
    settings = _settings(tmp_path)
    env = {**os.environ, "CHIPWATCH_DATA_DIR": str(tmp_path), "CHIPWATCH_MEILI_URL": ""}

    def run() -> str:
        out = subprocess.run([sys.executable, "-c", AT_HEAD], env=env, check=True,
                             capture_output=True, text=True)
        return out.stdout.strip()

    assert run() == "alembic imported"  # an empty database: the whole schema
    engine = create_engine(settings.sqlalchemy_url)
    try:
        assert _versions(engine) == set(head_revisions())
        tables = {t: _columns(engine, t) for t in inspect(engine).get_table_names()}
        assert run() == "no alembic"  # at the newest revision already

        # One revision back (a database of the version before): Alembic upgrades it.
        cfg = alembic_config(settings)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "-1")
        assert _versions(engine) != set(head_revisions())
        upgrade(settings)
        assert _versions(engine) == set(head_revisions())
        assert {t: _columns(engine, t) for t in inspect(engine).get_table_names()} == tables
    finally:
        engine.dispose()


def _versions(engine) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def _columns(engine, table: str) -> list[str]:
    return [c["name"] for c in inspect(engine).get_columns(table)]


def test_migrations_make_the_schema_the_models_describe(tmp_path):
    """Alembic's own comparison of the migrated database with app.models finds nothing: a column
    or index added on one side only fails here. The FTS5 tables are the built-in search
    backend's (made by the first migration, kept by app/search/repository.py), not models'."""
    settings = _settings(tmp_path)
    upgrade(settings)
    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    fts = {"remove_table"}
    assert [d for d in diff if not (d[0] in fts and d[1].name.startswith("article_fts"))] == []
