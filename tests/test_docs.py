"""Docs are part of the product: every setting, command and public URL is in the README."""

import re

import click
from fastapi.routing import iter_route_contexts

from app import ROOT
from app.cli import main
from app.config import Settings

README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented():
    for name in Settings.model_fields:
        if name == "meili_index":
            continue
        assert f"CHIPWATCH_{name.upper()}" in README, name


def test_every_command_is_documented():
    def walk(group, prefix):
        for name, cmd in group.commands.items():
            if isinstance(cmd, click.Group):
                yield from walk(cmd, f"{prefix} {name}")
            else:
                yield f"{prefix} {name}".strip()

    for command in walk(main, "chipwatch"):
        parts = command.split()
        assert " ".join(parts[:2]) in README, command


def test_every_public_url_is_documented(tmp_path):
    from app.main import create_app
    from app.runtime import build_runtime

    settings = Settings(data_dir=tmp_path)
    runtime = build_runtime(settings)
    try:
        for route in iter_route_contexts(create_app(settings, runtime).routes):
            path = getattr(route, "path", "")
            if path.startswith("/static"):
                continue
            assert re.sub(r"\{\w+\}", "{id}", path) in README, path
    finally:
        runtime.close()


def test_quickstart_is_two_commands():
    block = README.split("## Quickstart", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
