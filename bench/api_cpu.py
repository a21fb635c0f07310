"""Server CPU per /api/search request, as `chipwatch serve` runs it (uvicorn, the whole middleware
stack), beside Meilisearch's own CPU for the same request bodies.

    python -m bench.api_cpu --data-dir DIR --count 100000 [--rounds 10] [--unique 200] \
        [--report bench/reports/api-cpu.json] [--dump FILE]

bench.search's ratio is wall-clock latency on a shared machine (noise); this counts the CPU
time (utime + stime from /proc) the web process and the Meilisearch process spend:

- repeated: bench.search's 20 queries, `--rounds` times after one warm pass (the requests
  bench.search times: chipwatch's caches warm), sent to /api/search, then their exact request
  bodies sent straight to Meilisearch;
- unique: `--unique` all-different /api/search URLs (bench.page_profile's views), each once.

The data dir is one `python -m bench.search --data-dir DIR --prepare-only` built. One web
process (`--workers 1`, so one process holds every request's CPU), no background worker.
"""

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qsl

import httpx

from bench.common import (
    chipwatch_env,
    meilisearch,
    py_spy,
    require_corpus,
    stop,
    write_dump,
    write_report,
)
from bench.page_profile import unique_urls
from bench.proc_cpu import cpu_ms
from bench.search import QUERIES, free_port, serve_command, wait_http


def run_requests(pid: int, send, items) -> tuple[float, list[float]]:
    """(CPU ms of pid per item, wall ms of each item)."""
    walls = []
    before = cpu_ms(pid)
    for item in items:
        started = time.perf_counter()
        send(item)
        walls.append((time.perf_counter() - started) * 1000)
    return (cpu_ms(pid) - before) / len(walls), walls


def summary(cpu: float, walls: list[float]) -> dict:
    q = statistics.quantiles(walls, n=100)
    return {
        "cpu_ms_per_request": round(cpu, 3),
        "wall_p50_ms": round(statistics.median(walls), 2),
        "wall_p95_ms": round(q[94], 2),
        "n": len(walls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--unique", type=int, default=200)
    parser.add_argument("--report", type=Path)
    parser.add_argument("--dump", type=Path, help="write each answer (URL -> JSON text) here")
    parser.add_argument(
        "--profile",
        type=Path,
        help="with --py-spy: sample the web process over the repeated requests "
        "once more, write PROFILE.svg (flame graph) and PROFILE.txt",
    )
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy binary (install it apart)")
    args = parser.parse_args()
    require_corpus(args.data_dir, args.count)
    app_port = free_port()
    with meilisearch(args.data_dir) as meili:
        env = {**os.environ, **chipwatch_env(args.data_dir, meili)}
        server = subprocess.Popen(
            serve_command(app_port, 1),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{app_port}"
            wait_http(base + "/healthz")

            from app.enrich import default_enricher
            from app.filters import parse_filters
            from app.search.meili import search_request
            from app.search.query import plan_query

            tagger = default_enricher().query_tagger
            bodies = [
                search_request(f, plan_query(f.q, tagger, f.expand))
                for f in (parse_filters(parse_qsl(q)) for q in QUERIES)
            ]
            headers = {"Authorization": f"Bearer {meili.key}", "Accept-Encoding": "identity"}
            answers: dict[str, str] = {}
            with httpx.Client(timeout=30) as client:

                def api(url: str) -> None:
                    response = client.get(base + url)
                    response.raise_for_status()
                    answers[url] = response.text

                def direct(body: dict) -> None:
                    client.post(
                        f"{meili.url}/indexes/bench/search", json=body, headers=headers
                    ).raise_for_status()

                for url in ("/healthz", "/api/search?q=warm"):
                    api(url)
                for q, body in zip(QUERIES, bodies):  # the first pass: cold caches, not counted
                    api(f"/api/search?{q}")
                    direct(body)
                repeated = [f"/api/search?{q}" for q in QUERIES] * args.rounds
                api_cpu, api_walls = run_requests(server.pid, api, repeated)
                meili_cpu, meili_walls = run_requests(
                    meili.process.pid, direct, bodies * args.rounds
                )
                health_cpu, health_walls = run_requests(server.pid, api, ["/healthz"] * 200)
                unique = ["/api/search" + url[1:] for url in unique_urls(args.unique)]
                unique_cpu, unique_walls = run_requests(server.pid, api, unique)
                if args.profile:
                    # Only the thread holding the GIL: Python's CPU, not threads waiting on sockets.
                    with py_spy(server.pid, args.profile, args.py_spy, endpoint="", gil=True):
                        for url in repeated:
                            api(url)
        finally:
            stop(server)
    result = {
        "count": args.count,
        "api_search_repeated": summary(api_cpu, api_walls),
        "meili_direct_repeated": summary(meili_cpu, meili_walls),
        "healthz": summary(health_cpu, health_walls),
        "api_search_unique": summary(unique_cpu, unique_walls),
        "load_average_1_5_15_min_after": os.getloadavg(),
        "note": "CPU of the one web process (uvicorn) and of Meilisearch per request",
    }
    write_report(args.report, "api_cpu", result)
    write_dump(args.dump, answers)


if __name__ == "__main__":
    main()
