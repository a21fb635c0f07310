"""CPU cost of one uncached HTML search page, in process: CPU ms per page, SQL statements per
page, and a cProfile summary of where the time goes.

    python -m bench.page_profile --data-dir /tmp/bench-100k --count 100000 \
        [--pages 200] [--report bench/reports/page-profile.json] [--profile bench/reports/page-profile.txt]

Wall-clock latency on a shared machine is noise; process CPU time is not (much). The data dir
is one that `python -m bench.search --data-dir DIR --prepare-only` built (an ingested SQLite
corpus and its Meilisearch index); the Meilisearch of that dir is started here. Every URL is
different (each view of bench.search with its own page size and date range), so neither the
page cache nor Meilisearch's own cache answers; CPU time is this process's only (the test
client and the app), Meilisearch runs apart.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import time
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
    parser.add_argument("--report", type=Path)
    parser.add_argument("--profile", type=Path, help="write the cProfile summary here")
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
        result, profile_text, pages = measure(args.pages)
    finally:
        meili.terminate()
        meili.wait(10)
    result.update({"count": args.count, "load_before": os.getloadavg()})
    print(json.dumps(result, indent=2))
    if args.report:
        args.report.write_text(json.dumps({"benchmark": "page_profile", "machine": {
            "cpus": os.cpu_count()}, "result": result}, indent=2))
    if args.profile:
        args.profile.write_text(profile_text)
    if args.dump:
        args.dump.write_text(json.dumps(pages, ensure_ascii=False))


def measure(pages: int) -> tuple[dict, str, dict[str, str]]:
    import logging

    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from app.main import create_app

    logging.getLogger("chipwatch").setLevel(logging.WARNING)
    app = create_app()
    statements = [0]

    @event.listens_for(app.state.runtime.engine, "before_cursor_execute")
    def count(*_args) -> None:
        statements[0] += 1

    # Timed without the profiler (it doubles the cost), then profiled on other URLs.
    urls = unique_urls(2 * pages)
    cpu, sql, bodies = [], [], {}
    profiler = cProfile.Profile()
    with TestClient(app) as client:
        for url in ("/?q=warm", "/?company=nvidia&per_page=11", "/?q=H20&per_page=12"):
            client.get(url).raise_for_status()  # imports, templates, caches of names
        for url in urls[:pages]:
            before, n = time.process_time(), statements[0]
            response = client.get(url)
            cpu.append((time.process_time() - before) * 1000)
            response.raise_for_status()
            bodies[url] = response.text
            sql.append(statements[0] - n)
        profiler.enable()
        for url in urls[pages:]:
            client.get(url).raise_for_status()
        profiler.disable()
    q = statistics.quantiles(cpu, n=100)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(60)
    stats.sort_stats("tottime").print_stats(40)
    result = {"pages": pages, "cpu_ms_per_page": {
        "mean": round(statistics.fmean(cpu), 2), "p50": round(statistics.median(cpu), 2),
        "p95": round(q[94], 2)}, "sql_statements_per_page": {
        "mean": round(statistics.fmean(sql), 2), "max": max(sql)},
        "note": "process CPU (app and test client) per uncached page, without the profiler"}
    return result, out.getvalue(), bodies


if __name__ == "__main__":
    main()
