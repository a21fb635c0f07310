"""Schema upgrades through Alembic, callable from the CLI and the app."""

from alembic import command
from alembic.config import Config

from app import PACKAGE
from app.config import Settings


def alembic_config(settings: Settings) -> Config:
    # No alembic.ini: it stays in the checkout for `alembic revision`; the installed package
    # carries only its migrations.
    cfg = Config()
    cfg.set_main_option("script_location", str(PACKAGE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", settings.sqlalchemy_url)
    return cfg


def upgrade(settings: Settings) -> None:
    settings.ensure_data_dir()
    from sqlalchemy import create_engine

    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(settings)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
