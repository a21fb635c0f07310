"""CPU cost of one uncached HTML search page (or /api/search with --path), in process: CPU ms
per page, SQL statements per page, and where the time goes (py-spy flame graph and a text
summary of its samples).

    python -m bench.page_profile --data-dir /tmp/bench-100k --count 100000 [--pages 200] \
        [--report bench/reports/page-profile.json] [--profile bench/reports/page-profile] \
        [--py-spy /path/to/py-spy]
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=OUT \
        python -m bench.page_profile --data-dir ... --pages 100 --callgrind   # instructions

Wall-clock latency on a shared machine is noise; process CPU time is not (much). The data dir
is one that `python -m bench.search --data-dir DIR --prepare-only` built (an ingested SQLite
corpus and its Meilisearch index); the Meilisearch of that dir is started here. Every URL is
different (each view of bench.search with its own page size and date range), so neither the
page cache nor Meilisearch's own cache answers; CPU time is this process's only (the test
client and the app), Meilisearch runs apart.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from app import ROOT
from bench.search import QUERIES, free_port, wait_http


def unique_urls(pages: int) -> list[str]:
    """pages distinct views: each query with its own page size and its own `from` date."""
    first, out = date(2019, 1, 1), []
    for k in range(pages):
        query = re.sub(r"&?from=[0-9-]+", "", QUERIES[k % len(QUERIES)])
        out.append(f"/?{query}&per_page={10 + k // len(QUERIES) % 11}"
                   f"&from={first + timedelta(days=3 * k)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--path", default="/", help="/ (the HTML search page) or /api/search")
    parser.add_argument("--report", type=Path)
    parser.add_argument("--profile", type=Path,
                        help="with --py-spy: write PROFILE.svg (flame graph) and PROFILE.txt here")
    parser.add_argument("--py-spy", default="py-spy",
                        help="the py-spy binary (not a dependency: install it apart)")
    parser.add_argument("--callgrind", action="store_true",
                        help="run under valgrind --tool=callgrind --instr-atstart=no: instrument "
                             "only the timed pages (instructions do not depend on the load)")
    parser.add_argument("--dump", type=Path,
                        help="write each timed page (URL -> HTML) here, to compare two versions")
    args = parser.parse_args()
    if not (args.data_dir / f"ready-{args.count}").exists():
        raise SystemExit(f"{args.data_dir} has no corpus of {args.count}: run bench.search "
                         "--data-dir ... --prepare-only first")
    meili_bin = subprocess.run([str(ROOT / "scripts" / "provision-meili.sh")], check=True,
                               capture_output=True, text=True).stdout.strip()
    key, port = (args.data_dir / "meili-key").read_text(), free_port()
    meili = subprocess.Popen([meili_bin, "--db-path", str(args.data_dir / "meili"), "--http-addr",
                              f"127.0.0.1:{port}", "--master-key", key, "--no-analytics"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/health")
        os.environ.update({"CHIPWATCH_DATA_DIR": str(args.data_dir / "data"),
                           "CHIPWATCH_MEILI_URL": f"http://127.0.0.1:{port}",
                           "CHIPWATCH_MEILI_KEY": key, "CHIPWATCH_MEILI_INDEX": "bench",
                           "CHIPWATCH_API_RATE_LIMIT": "0", "CHIPWATCH_LOG_FORMAT": "text"})
        result, pages = measure(args.pages, args.profile, args.py_spy, args.path, args.callgrind)
    finally:
        meili.terminate()
        meili.wait(10)
    result.update({"count": args.count, "load_average_1_5_15_min_after": os.getloadavg()})
    print(json.dumps(result, indent=2))
    if args.report:
        args.report.write_text(json.dumps({"benchmark": "page_profile", "machine": {
            "cpus": os.cpu_count()}, "result": result}, indent=2))
    if args.dump:
        args.dump.write_text(json.dumps(pages, ensure_ascii=False))


def measure(pages: int, profile: Path | None, py_spy: str,
            path: str = "/", callgrind: bool = False) -> tuple[dict, dict[str, str]]:
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from app.main import create_app

    app = create_app()
    statements = [0]

    @event.listens_for(app.state.runtime.engine, "before_cursor_execute")
    def count(*_args) -> None:
        statements[0] += 1

    # Timed without the profiler, then sampled by py-spy (every thread: the app runs in the
    # test client's event loop and thread pool) on other URLs.
    urls = [path + url[1:] for url in unique_urls(2 * pages)]
    cpu, sql, bodies = [], [], {}
    with TestClient(app) as client:
        for url in ("/?q=warm", "/?company=nvidia&per_page=11", "/?q=H20&per_page=12"):
            client.get(url).raise_for_status()  # imports, templates, caches of names
        if callgrind:
            subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True,
                           capture_output=True)
        for url in urls[:pages]:
            before, n = time.process_time(), statements[0]
            response = client.get(url)
            cpu.append((time.process_time() - before) * 1000)
            response.raise_for_status()
            bodies[url] = response.text
            sql.append(statements[0] - n)
        if callgrind:  # the total is in callgrind.out.PID ("summary:" line): Ir of these pages
            subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True,
                           capture_output=True)
        if profile:
            samplers = [subprocess.Popen([py_spy, "record", "--pid", str(os.getpid()), "--rate", "250",
                                          "--format", fmt, "-o", str(profile) + suffix],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        for fmt, suffix in (("flamegraph", ".svg"), ("raw", ".raw"))]
            time.sleep(2)  # attached
            for url in urls[pages:]:
                client.get(url).raise_for_status()
            for sampler in samplers:
                sampler.send_signal(signal.SIGINT)
                sampler.wait(60)
            summarize(Path(str(profile) + ".raw"), Path(str(profile) + ".txt"),
                      "api_search" if path.startswith("/api/") else "search_page")
    q = statistics.quantiles(cpu, n=100)
    result = {"path": path, "pages": pages, "cpu_ms_per_page": {
        "mean": round(statistics.fmean(cpu), 2), "p50": round(statistics.median(cpu), 2),
        "p95": round(q[94], 2)}, "sql_statements_per_page": {
        "mean": round(statistics.fmean(sql), 2), "max": max(sql)},
        "note": "process CPU (app and test client) per uncached page, without the profiler"}
    return result, bodies


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
    lines = [f"{total} samples in {endpoint} (py-spy, 250 Hz, every thread)", "",
             "inclusive %  self %  frame"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:10.1f}  {100 * own[frame] / total:6.1f}  {frame}")
    lines += ["", "self %  frame (top of stack)"]
    for frame, n in own.most_common(top // 2):
        lines.append(f"{100 * n / total:6.1f}  {frame}")
    out.write_text("\n".join(lines) + "\n")
    raw.unlink()


if __name__ == "__main__":
    main()
