"""The Settings of one command-line invocation, handed to every command (app/cli.py and the
command groups of packages, such as app/accounts/cli.py) on the click context; its own module
so a package's commands reach it without importing app/cli.py (which imports them)."""

import click

from app.config import Settings


class CliState:
    """What the command group hands its commands (the click context's obj): the one Settings of
    this invocation, read from the environment when first asked for. Embedders and tests pass
    their own: main(..., obj=CliState(settings))."""

    def __init__(self, settings: Settings | None = None):
        self._settings = settings

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings()
        return self._settings


def cli_settings() -> Settings:
    """The Settings of the running command (a fresh CliState when the command runs alone)."""
    ctx = click.get_current_context()
    state = ctx.find_object(CliState)
    if state is None:
        state = ctx.ensure_object(CliState)
    return state.settings
