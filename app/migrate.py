"""Schema upgrades through Alembic, callable from the CLI and the app.

Every command upgrades the database first, and nearly always it is at the newest revision
already: that is checked without Alembic (its import, with Mako and Pygments behind it, was about
a third of `chipwatch ingest`'s start-up). The revision ids are read from the migration files
(their `revision` and `down_revision` assignments, as Alembic reads them); whenever the database
is anywhere else, or a file cannot be read that way, Alembic upgrades as before.
"""

import ast
from functools import lru_cache
from typing import TYPE_CHECKING

from app import PACKAGE
from app.config import Settings

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS = PACKAGE / "migrations" / "versions"


def alembic_config(settings: Settings) -> "Config":
    from alembic.config import Config

    # No alembic.ini: it stays in the checkout for `alembic revision`; the installed package
    # carries only its migrations.
    cfg = Config()
    cfg.set_main_option("script_location", str(PACKAGE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", settings.sqlalchemy_url)
    return cfg


def _assigned(path) -> dict[str, object]:
    """The module-level constants a migration file assigns (revision, down_revision, ...)."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return found


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str] | None:
    """The newest revisions (those no other revision revises), or None when a migration file
    does not say plainly which revision it is and which it revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        values = _assigned(path)
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        downs = (down,) if isinstance(down, str) or down is None else down
        if not isinstance(downs, tuple | list) or not all(
            d is None or isinstance(d, str) for d in downs
        ):
            return None
        revised.update(d for d in downs if d)
    heads = frozenset(revisions - revised)
    return heads or None


def _current(conn) -> set[str] | None:
    """The revisions the database is at (alembic_version), or None before the first upgrade."""
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return None
    return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def upgrade(settings: Settings) -> None:
    settings.ensure_data_dir()
    from sqlalchemy import create_engine

    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.begin() as conn:
            heads = head_revisions()
            if heads is not None and _current(conn) == heads:
                return  # at the newest revision already
            from alembic import command

            cfg = alembic_config(settings)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
