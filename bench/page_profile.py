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
import os
import statistics
import subprocess
import time
from pathlib import Path

from bench.common import (
    chipwatch_env,
    meilisearch,
    py_spy,
    require_corpus,
    write_dump,
    write_report,
)
from bench.search import new_search_view


def unique_urls(pages: int) -> list[str]:
    """pages distinct views: each query with its own page size and its own `from` date."""
    return [f"/?{new_search_view(k)}" for k in range(pages)]


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
    parser.add_argument("--gil", action="store_true",
                        help="with --profile: sample only the thread holding the GIL (CPU in "
                             "Python, without the threads waiting for Meilisearch)")
    parser.add_argument("--callgrind", action="store_true",
                        help="run under valgrind --tool=callgrind --instr-atstart=no: instrument "
                             "only the timed pages (instructions do not depend on the load)")
    parser.add_argument("--dump", type=Path,
                        help="write each timed page (URL -> HTML) here, to compare two versions")
    args = parser.parse_args()
    require_corpus(args.data_dir, args.count)
    with meilisearch(args.data_dir) as meili:
        os.environ.update(chipwatch_env(args.data_dir, meili))  # the app is made in this process
        result, pages = measure(args.pages, args.profile, args.py_spy, args.path, args.callgrind,
                                args.gil)
    result.update({"count": args.count, "load_average_1_5_15_min_after": os.getloadavg()})
    write_report(args.report, "page_profile", result)
    write_dump(args.dump, pages)


def measure(pages: int, profile: Path | None, py_spy_binary: str,
            path: str = "/", callgrind: bool = False,
            gil: bool = False) -> tuple[dict, dict[str, str]]:
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
            endpoint = "api_search" if path.startswith("/api/") else "search_page"
            with py_spy(os.getpid(), profile, py_spy_binary, endpoint, gil):
                for url in urls[pages:]:
                    client.get(url).raise_for_status()
    q = statistics.quantiles(cpu, n=100)
    result = {"path": path, "pages": pages, "cpu_ms_per_page": {
        "mean": round(statistics.fmean(cpu), 2), "p50": round(statistics.median(cpu), 2),
        "p95": round(q[94], 2)}, "sql_statements_per_page": {
        "mean": round(statistics.fmean(sql), 2), "max": max(sql)},
        "note": "process CPU (app and test client) per uncached page, without the profiler"}
    return result, bodies


if __name__ == "__main__":
    main()
