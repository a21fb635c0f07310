"""Search benchmark: /api/search beside the same queries sent straight to Meilisearch, and the
HTML search page under concurrent clients.

    python -m bench.search --count 100000 [--report bench/reports/search.json]

One run, one machine: the corpus is ingested into SQLite, indexed into a Meilisearch 1.21 the
benchmark starts on loopback, and served by `chipwatch serve --workers N` (as in production:
one web process per core; no background worker). Each
query is sent to /api/search (chipwatch's whole path: filters, plan, Meilisearch, hydration
from the database, snippets, facet names) and its exact Meilisearch request body straight to
Meilisearch; the p95 ratio is printed.
"""

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl

import httpx

from app import ROOT
from bench.ingest import write_corpus
from bench.prepare import ingest_and_index

QUERIES = [
    "q=Nvidia", "q=H20", "q=Huawei&lang=ar", "company=huawei", "chip=h20", "chip=h20&lang=zh",
    "q=export+controls", "q=%D8%A5%D9%86%D9%81%D9%8A%D8%AF%D9%8A%D8%A7", "q=%E5%8D%8E%E4%B8%BA",
    "company=nvidia&company=amd&sort=newest", "region=malaysia", "q=licence&from=2025-01-01&to=2025-12-31",
    "restriction=2025-04-h20-licence-requirement", "q=Ascend+910C", "lang=fr&sort=oldest",
    "q=data+centres&region=southeast-asia", "company=alibaba&chip=h20", "page=3", "q=TSMC",
    "agency=bis",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def percentiles(samples: list[float]) -> dict:
    q = statistics.quantiles(samples, n=100)
    return {"p50": round(statistics.median(samples), 2), "p95": round(q[94], 2), "p99": round(q[98], 2),
            "n": len(samples)}


def timed(client: httpx.Client, method: str, url: str, **kwargs) -> float:
    started = time.perf_counter()
    response = client.request(method, url, **kwargs)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def unique_view(k: int) -> str:
    """The k-th of distinct views: each query of QUERIES with its own page size."""
    return f"{QUERIES[k % len(QUERIES)]}&per_page={10 + k // len(QUERIES)}"


def concurrent_pages(base: str, clients: int, per_client: int, query) -> tuple[list[float], float]:
    """clients threads, each GETting per_client search pages /?query(n, i) back to back:
    (every latency in ms, wall seconds)."""
    samples: list[float] = []
    lock = threading.Lock()

    def client_loop(n: int) -> None:
        with httpx.Client(timeout=60) as c:
            for i in range(per_client):
                ms = timed(c, "GET", f"{base}/?{query(n, i)}")
                with lock:
                    samples.append(ms)

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10, help="times each query is sent")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=os.cpu_count() or 1,
                        help="web processes (default: one per core)")
    parser.add_argument("--report", type=Path)
    parser.add_argument("--data-dir", type=Path,
                        help="keep the ingested corpus and the Meilisearch index here and reuse them "
                             "on the next run with the same --count (ingest and index are then skipped)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="build the --data-dir corpus and index, then stop")
    args = parser.parse_args()
    meili_bin = subprocess.run([str(ROOT / "scripts" / "provision-meili.sh")], check=True,
                               capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-search-") as scratch:
        tmp = args.data_dir or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        ready = tmp / f"ready-{args.count}"  # written once ingest and index of this size are done
        key_file = tmp / "meili-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(16))
        key, meili_port, app_port = key_file.read_text(), free_port(), free_port()
        meili = subprocess.Popen([meili_bin, "--db-path", str(tmp / "meili"), "--http-addr",
                                  f"127.0.0.1:{meili_port}", "--master-key", key, "--no-analytics",
                                  "--max-indexing-memory", "1Gb"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        meili_url = f"http://127.0.0.1:{meili_port}"
        env = {**os.environ, "CHIPWATCH_DATA_DIR": str(tmp / "data"), "CHIPWATCH_MEILI_URL": meili_url,
               "CHIPWATCH_MEILI_KEY": key, "CHIPWATCH_MEILI_INDEX": "bench", "CHIPWATCH_API_RATE_LIMIT": "0",
               "CHIPWATCH_LOG_FORMAT": "text"}
        server = None
        try:
            wait_http(meili_url + "/health")
            if ready.exists():
                ingest_s, index_s = json.loads(ready.read_text())
            else:
                corpus = tmp / "corpus.jsonl"
                write_corpus(corpus, args.count)
                ingest_s, index_s = ingest_and_index(corpus, args.count, env, meili.pid, tmp)
                ready.write_text(json.dumps([ingest_s, index_s]))
            if args.prepare_only:
                return
            server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--no-worker", "--port",
                                       str(app_port), "--workers", str(args.web_workers)],
                                      env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            base = f"http://127.0.0.1:{app_port}"
            wait_http(base + "/healthz")

            from app.enrich import default_enricher
            from app.filters import parse_filters
            from app.search.meili import search_request
            from app.search.query import plan_query

            tagger = default_enricher().query_tagger
            bodies = [search_request(f, plan_query(f.q, tagger, f.expand))
                      for f in (parse_filters(parse_qsl(q)) for q in QUERIES)]
            index_uid = "bench"
            api, direct, api_first, direct_first = [], [], [], []
            headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"}
            with httpx.Client(timeout=30) as client:
                # The first pass meets cold caches (chipwatch's hits and snippets, Meilisearch's
                # own); it is reported apart, the rounds after it are the measurement.
                for q, body in zip(QUERIES, bodies):
                    api_first.append(timed(client, "GET", f"{base}/api/search?{q}"))
                    direct_first.append(timed(client, "POST", f"{meili_url}/indexes/{index_uid}/search",
                                              json=body, headers=headers))
                for _ in range(args.rounds):
                    for q, body in zip(QUERIES, bodies):
                        api.append(timed(client, "GET", f"{base}/api/search?{q}"))
                        direct.append(timed(client, "POST", f"{meili_url}/indexes/{index_uid}/search",
                                            json=body, headers=headers))
            # Repeated views (the same 20 URLs, as analysts reload and share them: the page
            # cache serves them until the index changes), then views that are all different
            # (every URL new: each page is searched and rendered).
            with httpx.Client(timeout=60) as client:  # warm: each web process renders each view once
                for _ in range(2 * args.web_workers):
                    for q in QUERIES:
                        timed(client, "GET", f"{base}/?{q}")
            html, html_s = concurrent_pages(base, args.clients, args.rounds * 2,
                                            lambda n, i: QUERIES[(n + i) % len(QUERIES)])
            per_client = args.rounds * 2
            unique, unique_s = concurrent_pages(base, args.clients, per_client,
                                                lambda n, i: unique_view(n * per_client + i))
        finally:
            if server:
                server.terminate()
                server.wait(10)
            meili.terminate()
            meili.wait(10)
    result = {
        "count": args.count, "ingest_seconds": round(ingest_s, 1),
        "index_rebuild_seconds": round(index_s, 1),
        "index_docs_per_second": round(args.count / index_s, 1),
        "api_search_ms": percentiles(api), "meili_direct_ms": percentiles(direct),
        "first_pass_ms": {"api_search": percentiles(api_first), "meili_direct": percentiles(direct_first)},
        "html_page_ms_concurrent": {**percentiles(html), "clients": args.clients,
                                    "web_workers": args.web_workers,
                                    "requests_per_second": round(len(html) / html_s, 1)},
        "html_page_ms_concurrent_unique": {**percentiles(unique), "clients": args.clients,
                                           "web_workers": args.web_workers,
                                           "requests_per_second": round(len(unique) / unique_s, 1)},
    }
    result["p95_ratio"] = round(result["api_search_ms"]["p95"] / result["meili_direct_ms"]["p95"], 2)
    print(f"{args.count} articles; index rebuild {result['index_docs_per_second']} docs/s")
    print(f"{'':>31} {'p50':>8} {'p95':>8} {'p99':>8}")
    for name in ("api_search_ms", "meili_direct_ms", "html_page_ms_concurrent",
                 "html_page_ms_concurrent_unique"):
        r = result[name]
        print(f"{name:>31} {r['p50']:>8} {r['p95']:>8} {r['p99']:>8}")
    print(f"p95 ratio /api/search : Meilisearch = {result['p95_ratio']}")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps({"benchmark": "search", "machine": {"cpus": os.cpu_count()},
                                           "result": result}, indent=2))


if __name__ == "__main__":
    main()
