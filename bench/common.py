"""What the benchmarks on a prepared data dir share (bench.api_cpu, bench.page_profile): the
corpus check, the data dir's Meilisearch (started, and stopped whatever happens), the chipwatch
settings that point at it, stopping a child process for sure, py-spy sampling with its text
summary, and the report file.

A data dir is one `python -m bench.search --data-dir DIR --count N --prepare-only` built.
"""

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app import ROOT
from bench.search import free_port, wait_http


def require_corpus(data_dir: Path, count: int) -> None:
    if not (data_dir / f"ready-{count}").exists():
        raise SystemExit(
            f"{data_dir} has no corpus of {count}: run bench.search --data-dir ... --prepare-only first"
        )


def stop(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not ended in time: a benchmark leaves no process behind."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Meili:
    url: str
    key: str
    process: subprocess.Popen


@contextmanager
def meilisearch(data_dir: Path) -> Iterator[Meili]:
    """The data dir's Meilisearch on a free port, healthy, until the block ends."""
    binary = subprocess.run(
        [str(ROOT / "scripts" / "provision-meili.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    key, port = (data_dir / "meili-key").read_text(), free_port()
    process = subprocess.Popen(
        [binary, "--db-path", str(data_dir / "meili"), "--http-addr", f"127.0.0.1:{port}",
         "--master-key", key, "--no-analytics"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/health")
        yield Meili(url, key, process)
    finally:
        stop(process)


def chipwatch_env(data_dir: Path, meili: Meili) -> dict[str, str]:
    """chipwatch's settings for the data dir's database and index (no rate limit, text logs)."""
    return {
        "CHIPWATCH_DATA_DIR": str(data_dir / "data"),
        "CHIPWATCH_MEILI_URL": meili.url,
        "CHIPWATCH_MEILI_KEY": meili.key,
        "CHIPWATCH_MEILI_INDEX": "bench",
        "CHIPWATCH_API_RATE_LIMIT": "0",
        "CHIPWATCH_LOG_FORMAT": "text",
    }


@contextmanager
def py_spy(pid: int, out: Path, binary: str, endpoint: str, gil: bool = False) -> Iterator[None]:
    """py-spy samples of pid (250 Hz) while the block runs: OUT.svg (flame graph) and OUT.txt
    (summarize of the samples with endpoint on the stack). gil: only the thread holding the GIL."""
    samplers = [
        subprocess.Popen(
            [
                binary,
                "record",
                "--pid",
                str(pid),
                *(["--gil"] if gil else []),
                "--rate",
                "250",
                "--format",
                fmt,
                "-o",
                str(out) + suffix,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for fmt, suffix in (("flamegraph", ".svg"), ("raw", ".raw"))
    ]
    try:
        time.sleep(2)  # attached
        yield
    finally:
        for sampler in samplers:  # SIGINT: py-spy writes its file, then ends
            if sampler.poll() is None:
                sampler.send_signal(signal.SIGINT)
        for sampler in samplers:
            try:
                sampler.wait(60)
            except subprocess.TimeoutExpired:
                stop(sampler)
    summarize(Path(str(out) + ".raw"), Path(str(out) + ".txt"), endpoint)


def summarize(raw: Path, out: Path, endpoint: str, top: int = 60) -> None:
    """py-spy's collapsed stacks as text: of the samples with the endpoint on the stack, the
    share in which each frame is on the stack (inclusive) and on top (self)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if not any(endpoint in f for f in frames):
            continue  # the test client, idle threads
        samples = int(n)
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    lines = [
        f"{total} samples in {endpoint} (py-spy, 250 Hz, every thread)",
        "",
        "inclusive %  self %  frame",
    ]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:10.1f}  {100 * own[frame] / total:6.1f}  {frame}")
    lines += ["", "self %  frame (top of stack)"]
    for frame, n in own.most_common(top // 2):
        lines.append(f"{100 * n / total:6.1f}  {frame}")
    out.write_text("\n".join(lines) + "\n")
    raw.unlink()


def write_report(path: Path | None, benchmark: str, result: dict) -> None:
    """Print the result; with a path, also write it there with the benchmark's name and machine."""
    print(json.dumps(result, indent=2))
    if path:
        report = {"benchmark": benchmark, "machine": {"cpus": os.cpu_count()}, "result": result}
        path.write_text(json.dumps(report, indent=2))


def write_dump(path: Path | None, answers: dict[str, str]) -> None:
    """Each answer (URL -> body), to compare two versions of the code."""
    if path:
        path.write_text(json.dumps(answers, ensure_ascii=False))
