"""`chipwatch serve` uses the cores by default (#17): one web process per core this process may
run on, unless told otherwise (--workers N or CHIPWATCH_WEB_WORKERS)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.cli import web_processes
from bench.search import free_port


def web_children(pid: int) -> int:
    """The uvicorn web processes under pid (spawned interpreters, not multiprocessing helpers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    count = 0
    for child in children:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        count += b"spawn_main" in cmdline
    return count


def listeners(port: int) -> list[int]:
    """The pids of the sockets listening on port (from `ss`)."""
    out = subprocess.run(["ss", "-tlnpH", f"( sport = :{port} )"], capture_output=True,
                         text=True, check=True).stdout
    return sorted(int(line.split("pid=")[1].split(",")[0]) for line in out.splitlines())


def serve(tmp_path: Path, *args: str, env: dict | None = None, seen: dict | None = None) -> int:
    """Start `chipwatch serve --no-worker`, wait until it answers; the number of web processes
    (seen, when given, gets the pids of the sockets listening on its port)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--no-worker", "--port", str(port), *args],
        env={**os.environ, "CHIPWATCH_DATA_DIR": str(tmp_path / "data"), **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, "serve exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.2)  # polling the condition (the server answering), not a fixed wait
        while seen is not None:  # until every web process started listening (or the deadline)
            seen["listeners"] = listeners(port)
            if len(seen["listeners"]) >= web_children(process.pid):
                break
            assert time.monotonic() < deadline, "not every web process listens"
            time.sleep(0.2)
        return web_children(process.pid)
    finally:
        process.terminate()
        process.wait(30)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_serve_starts_one_web_process_per_core_unless_told(tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert web_processes() == cores
    # One process serves in itself; several are children of the process that supervises them.
    assert serve(tmp_path) == (cores if cores > 1 else 0)
    assert serve(tmp_path, "--workers", "1", env={"CHIPWATCH_WEB_WORKERS": "3"}) == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads on Linux")
def test_each_web_process_listens_on_a_socket_of_its_own(tmp_path):
    """The kernel spreads connections between the web processes' sockets (app/web/reuse_port.py):
    one listening socket per web process, none in the supervisor (which only holds the port)."""
    seen: dict = {}
    assert serve(tmp_path, "--workers", "2", seen=seen) == 2
    assert len(seen["listeners"]) == 2 and len(set(seen["listeners"])) == 2
