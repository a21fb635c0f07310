"""Every command and flag the README shows runs as written: the command table (each command's
--help, each flag it names), the chipwatch examples, the make targets and the benchmark modules."""

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from app.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TICKED = re.compile(r"`([^`]+)`")
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z-]*)")
PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*(?:\.\.\.)?")


def _command_table() -> list[tuple[list[str], str]]:
    """(command path, the README's usage text) for every command in the table."""
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    found = []
    for row in section.splitlines():
        if not row.startswith("| `chipwatch"):
            continue
        cell = row.split(" | ", 1)[0]
        group: list[str] = []
        for usage in TICKED.findall(cell):
            words = usage.replace("\\|", "|").split()
            if words[0] == "chipwatch":
                words = words[1:]
                group = []
            path = list(group)
            for word in words:
                if not re.fullmatch(r"[a-z|]+", word):
                    break
                path.append(word)
            # "lists import|status|links" names several subcommands of one group
            for alternative in path[-1].split("|"):
                found.append((path[:-1] + [alternative], usage))
            group = path[:-1] if len(path) > 1 else path
    return found


TABLE = _command_table()


def _resolve(path: list[str]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group), f"{' '.join(path)}: {name} is not a subcommand"
        assert name in command.commands, f"README names `chipwatch {' '.join(path)}`: no such command"
        command = command.commands[name]
    return command


def test_the_table_covers_every_command():
    def walk(group, prefix):
        for name, cmd in group.commands.items():
            if isinstance(cmd, click.Group):
                yield from walk(cmd, [*prefix, name])
            else:
                yield [*prefix, name]

    documented = {" ".join(path) for path, _ in TABLE}
    assert {" ".join(path) for path in walk(main, [])} <= documented


@pytest.mark.parametrize("path, usage", TABLE, ids=[" ".join(p) for p, _ in TABLE])
def test_each_command_in_the_table_runs_its_help_and_has_its_flags(path, usage):
    command = _resolve(path)
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    options = {opt: param for param in command.params for opt in getattr(param, "opts", [])}
    words = usage.replace("[", " ").replace("]", " ").split()
    for i, word in enumerate(words):
        if not FLAG.fullmatch(word):
            continue
        assert word in options, f"README: `chipwatch {' '.join(path)} {word}`: no such option"
        # "--json FILE" takes a value, "[--json]" is a flag: the README must say which
        shown_with_value = i + 1 < len(words) and PLACEHOLDER.fullmatch(words[i + 1]) is not None
        takes_value = not getattr(options[word], "is_flag", False)
        assert shown_with_value == takes_value, (
            f"README: `{usage}`: {word} {'takes a value' if takes_value else 'is a flag'}")


def test_chipwatch_examples_parse():
    """Each `chipwatch ...` line in the README's code blocks: its command exists, its flags too."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    examples = [line.split()[1:] for line in lines if line.startswith("chipwatch ")]
    assert examples
    for words in examples:
        path = [w for w in words[:2] if re.fullmatch(r"[a-z]+", w)]
        while path and not isinstance(_resolve(path[:-1]) if path[:-1] else main, click.Group):
            path.pop()
        command = _resolve(path)
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        for flag in FLAG.findall(" ".join(words)):
            assert flag in options, f"README example: chipwatch {' '.join(words)}: {flag}"


def test_make_targets_exist():
    targets = set(re.findall(r"`make ([a-z]+)", README))
    assert {"demo", "test", "lock", "clean", "distclean", "bench"} <= targets
    for target in targets:
        dry = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert dry.returncode == 0, f"make {target}: {dry.stderr}"


def test_benchmark_commands_have_their_flags():
    commands = re.findall(r"python -m (bench\.\w+)((?: [^`#\n]*)?)", README)
    assert commands
    helps: dict[tuple[str, str], str] = {}
    # --help must print and stop: a bench that ran instead wrote OUT.json into the checkout once
    root_before = sorted(p.name for p in ROOT.iterdir())
    for module, rest in commands:
        words = rest.split()
        sub = words[0] if words and not words[0].startswith("-") else ""
        key = (module, sub)
        if key not in helps:
            run = subprocess.run([sys.executable, "-m", module, *([sub] if sub else []), "--help"],
                                 cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, f"python -m {module} {sub} --help: {run.stderr[-500:]}"
            helps[key] = run.stdout
        for flag in FLAG.findall(rest):
            assert flag in helps[key], f"README: python -m {module}{rest}: {flag} not in its --help"
    assert sorted(p.name for p in ROOT.iterdir()) == root_before, "a --help run wrote into the repo root"
