"""The command line builds one Settings per invocation and hands it to its commands through the
click context: a caller can pass its own, and no command reads the environment behind it."""

from click.testing import CliRunner

from app.cli import CliState, main
from app.config import Settings


def test_commands_use_the_settings_on_the_click_context(tmp_path, monkeypatch):
    ignored = tmp_path / "from-the-environment"
    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(ignored))
    settings = Settings(data_dir=tmp_path / "given")
    article = tmp_path / "a.txt"
    article.write_text("Nvidia said the H20 licence requirement will cost it $5.5 billion in charges.")
    ingested = CliRunner().invoke(main, ["ingest", str(article)], obj=CliState(settings))
    assert ingested.exit_code == 0, ingested.output
    assert ingested.output.strip().endswith("added 1, duplicates 0, rejected 0")
    again = CliRunner().invoke(main, ["ingest", str(article)], obj=CliState(settings))
    assert again.output.strip().endswith("added 0, duplicates 1, rejected 0")  # the same database
    assert (tmp_path / "given").is_dir() and not ignored.exists()


def test_without_a_caller_the_environment_is_read_once_per_invocation(tmp_path, monkeypatch):
    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(tmp_path / "first"))
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    monkeypatch.setenv("CHIPWATCH_DATA_DIR", str(tmp_path / "second"))
    upgraded = CliRunner().invoke(main, ["db", "upgrade"])  # no cache to clear
    assert upgraded.exit_code == 0 and str(tmp_path / "second") in upgraded.output
