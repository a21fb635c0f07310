"""Command-line papercuts from the newcomer runs: busy ports, log format, index status, make PORT."""

import io
import json
import logging
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.config import Settings, get_settings
from app.web.logging import JsonFormatter, TextFormatter, resolve_format

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli_env(sqlite_settings):
    get_settings.cache_clear()
    yield {"CHIPWATCH_DATA_DIR": str(sqlite_settings.data_dir)}
    get_settings.cache_clear()


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_busy_port_is_named_before_anything_runs(cli_env, busy_port, tmp_path, command):
    data_dir = tmp_path / "fresh"
    env = {**cli_env, "CHIPWATCH_DATA_DIR": str(data_dir)}
    result = CliRunner().invoke(main, [command, "--port", str(busy_port)], env=env)
    assert result.exit_code == 2, result.output
    assert f"port {busy_port} on 127.0.0.1 is already in use" in result.output
    assert "--port N" in result.output and "make demo PORT=N" in result.output
    assert "running on" not in result.output
    assert not data_dir.exists()  # nothing was loaded or migrated


def test_make_demo_passes_the_port():
    out = subprocess.run(["make", "-n", "demo", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert ".venv/bin/chipwatch demo --port 8123" in out
    default = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert ".venv/bin/chipwatch demo --port 8000" in default


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_format_is_text_on_a_terminal_and_json_elsewhere():
    assert resolve_format(None, _Tty()) == "text"
    assert resolve_format(None, io.StringIO()) == "json"
    assert resolve_format("json", _Tty()) == "json"
    assert resolve_format("text", io.StringIO()) == "text"


def test_log_format_setting_blank_means_automatic(monkeypatch):
    monkeypatch.setenv("CHIPWATCH_LOG_FORMAT", "")
    assert Settings(_env_file=None).log_format is None
    monkeypatch.setenv("CHIPWATCH_LOG_FORMAT", "json")
    assert Settings(_env_file=None).log_format == "json"


def _request_record() -> logging.LogRecord:
    record = logging.LogRecord("chipwatch.access", logging.INFO, __file__, 1, "request", (), None)
    for key, value in {"request_id": "abc", "method": "GET", "path": "/api/search", "query": "q=h20",
                       "route": "/api/search", "status": 200, "duration_ms": 3.21, "bytes": 10,
                       "client": "127.0.0.1"}.items():
        setattr(record, key, value)
    return record


def test_text_request_lines_are_readable():
    line = TextFormatter().format(_request_record())
    assert line.endswith(" GET /api/search?q=h20 200 3.21 ms") and "{" not in line
    other = logging.LogRecord("chipwatch.worker", logging.WARNING, __file__, 1, "feed %s failed",
                              ("x",), None)
    assert TextFormatter().format(other).endswith("warning chipwatch.worker: feed x failed")
    assert json.loads(JsonFormatter().format(_request_record()))["status"] == 200


def test_index_status_is_text_by_default_and_json_on_request(cli_env):
    runner = CliRunner()
    text = runner.invoke(main, ["index", "status"], env=cli_env)
    assert text.exit_code == 0, text.output
    assert text.output.startswith("engine ") and "articles" in text.output
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.output)
    machine = runner.invoke(main, ["index", "status", "--json"], env=cli_env)
    assert machine.exit_code == 0
    state = json.loads(machine.output)
    assert state["engine"] in text.output and state["lag"] == 0
