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


def serve(tmp_path: Path, *args: str, env: dict | None = None) -> int:
    """Start `chipwatch serve --no-worker`, wait until it answers; the number of web processes."""
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
