"""Search benchmark: /api/search beside the same queries sent straight to Meilisearch, and the
HTML search page under concurrent clients.

    python -m bench.search --count 100000 [--report bench/reports/search.json] [--client httpx]

One run, one machine: the corpus is ingested into SQLite, indexed into a Meilisearch 1.21 the
benchmark starts on loopback, and served by `chipwatch serve --workers N` (as in production:
one web process per core; no background worker). Each
query is sent to /api/search (chipwatch's whole path: filters, plan, Meilisearch, hydration
from the database, snippets, facet names) and its exact Meilisearch request body straight to
Meilisearch; the p95 ratio is printed.

The load generator (bench/loadgen.py) shares the machine with the server, so each phase also
reports its CPU per request beside the web processes' and Meilisearch's (from /proc), and the
app's own duration of each request (its JSON request log, matched by X-Request-ID) beside the
latency the client measured.
"""

import argparse
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import httpx

from app import ROOT
from bench.ingest import write_corpus
from bench.loadgen import GENERATORS, Request, get
from bench.prepare import ingest_and_index
from bench.proc_cpu import cpu_ms, each_cpu_ms, own_cpu_ms

QUERIES = [
    "q=Nvidia",
    "q=H20",
    "q=Huawei&lang=ar",
    "company=huawei",
    "chip=h20",
    "chip=h20&lang=zh",
    "q=export+controls",
    "q=%D8%A5%D9%86%D9%81%D9%8A%D8%AF%D9%8A%D8%A7",
    "q=%E5%8D%8E%E4%B8%BA",
    "company=nvidia&company=amd&sort=newest",
    "region=malaysia",
    "q=licence&from=2025-01-01&to=2025-12-31",
    "restriction=2025-04-h20-licence-requirement",
    "q=Ascend+910C",
    "lang=fr&sort=oldest",
    "q=data+centres&region=southeast-asia",
    "company=alibaba&chip=h20",
    "page=3",
    "q=TSMC",
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


def serve_command(port: int, workers: int) -> list[str]:
    """`chipwatch serve` as the benchmarks run it: web processes only, no background worker."""
    return [sys.executable, "-m", "app", "serve", "--no-worker", "--port", str(port),
            "--workers", str(workers)]  # fmt: skip


def apply_index_settings(meili_url: str, key: str) -> None:
    """What chipwatch's worker does first: the index settings of this version, where they
    differ (a settings task; displayedAttributes and the like need no reindexing)."""
    from pydantic import SecretStr

    from app.config import Settings
    from app.search.meili import MeiliSearch

    meili = MeiliSearch(
        Settings(meili_url=meili_url, meili_key=SecretStr(key), meili_index="bench")
    )
    try:
        meili.ensure_index(force=True)
    finally:
        meili.close()


def percentiles(samples: list[float]) -> dict:
    q = statistics.quantiles(samples, n=100)
    return {
        "p50": round(statistics.median(samples), 2),
        "p95": round(q[94], 2),
        "p99": round(q[98], 2),
        "n": len(samples),
    }


def unique_view(k: int) -> str:
    """The k-th of distinct views: each query of QUERIES with its own page size (the same
    search as another view but for its page size: its facet and period counts are kept)."""
    return f"{QUERIES[k % len(QUERIES)]}&per_page={10 + k // len(QUERIES)}"


def new_search_view(k: int) -> str:
    """The k-th of distinct searches: each query of QUERIES with its own page size and its own
    `from` date, so that nothing kept for another view answers (bench.page_profile's views)."""
    query = re.sub(r"&?from=[0-9-]+", "", QUERIES[k % len(QUERIES)])
    return (f"{query}&per_page={10 + k // len(QUERIES) % 11}"
            f"&from={date(2019, 1, 1) + timedelta(days=3 * k)}")  # fmt: skip


class Processes:
    """CPU of the load generator (this process), the web processes and Meilisearch over a phase,
    and what the app logged of each request (its own duration, by X-Request-ID)."""

    def __init__(self, server_pid: int, meili_pid: int, server_log: Path):
        self.server_pid, self.meili_pid, self.server_log = server_pid, meili_pid, server_log

    def cpu(self) -> dict[str, float]:
        return {
            "client": own_cpu_ms(),
            "web": sum(self.web_cpu().values()),
            "meili": cpu_ms(self.meili_pid),
        }

    def web_cpu(self) -> dict[int, float]:
        """CPU ms of each process of `chipwatch serve` (the supervisor and the web processes)."""
        return each_cpu_ms(self.server_pid)

    def server_ms(self) -> dict[str, float]:
        """request id -> the app's duration of it (RequestLogMiddleware: from the app's first
        look at the request to its last byte handed to uvicorn)."""
        out = {}
        for line in self.server_log.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and "duration_ms" in record:
                out[record.get("request_id")] = record["duration_ms"]
        return out


def run_phase(generator: str, scripts: list[list[Request]], processes: Processes) -> dict:
    """Run the closed loop; its samples (ms, per client, in script order), wall seconds and the
    CPU ms each process group spent."""
    before, each_before = processes.cpu(), processes.web_cpu()
    started = time.perf_counter()
    samples = GENERATORS[generator](scripts)
    wall, after, each_after = time.perf_counter() - started, processes.cpu(), processes.web_cpu()
    spent = [each_after[pid] - each_before.get(pid, 0.0) for pid in each_after]
    return {
        "samples": samples,
        "seconds": wall,
        "cpu": {k: after[k] - before[k] for k in after},
        # How the web CPU split between the processes (a kept-alive connection stays with the
        # process that accepted it), largest first.
        "web_split": sorted((round(ms / (sum(spent) or 1), 3) for ms in spent), reverse=True),
    }


def cpu_report(cpu: dict[str, float], requests: int) -> dict:
    """CPU ms per request of each process group, and each one's share of their sum."""
    total = sum(cpu.values()) or 1
    return {
        "cpu_ms_per_request": {k: round(v / requests, 3) for k, v in cpu.items()},
        "cpu_share": {k: round(v / total, 3) for k, v in cpu.items()},
    }


def timing_gap(requests: list[Request], samples: list[float], server: dict[str, float]) -> dict:
    """The app's own durations of these requests, and what the client measured beyond them
    (the socket, uvicorn's parsing, queueing before the app, and the client's own delays)."""
    own, gaps = [], []
    for request, ms in zip(requests, samples):
        duration = server.get(request.headers.get("X-Request-ID"))
        if duration is not None:
            own.append(duration)
            gaps.append(ms - duration)
    if len(own) < 2:
        return {}
    return {"server_ms": percentiles(own), "client_minus_server_ms": percentiles(gaps)}


def page_phase(
    generator: str, processes: Processes, port: int, clients: int, per_client: int, tag: str, query
) -> tuple[dict, list[Request], list[float]]:
    """clients closed-loop clients, each GETting per_client search pages /?query(n, i) back to
    back: (the phase's report without the app's durations, its requests, their latencies)."""
    scripts = [
        [get(port, f"/?{query(n, i)}", f"{tag}{n}.{i}") for i in range(per_client)]
        for n in range(clients)
    ]
    run = run_phase(generator, scripts, processes)
    samples = [ms for client in run["samples"] for ms in client]
    report = {
        **percentiles(samples),
        "clients": clients,
        "requests_per_second": round(len(samples) / run["seconds"], 1),
        **cpu_report(run["cpu"], len(samples)),
        "web_cpu_split": run["web_split"],
    }
    return report, [r for s in scripts for r in s], samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10, help="times each query is sent")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--web-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="web processes (default: one per core)",
    )
    parser.add_argument(
        "--client",
        choices=sorted(GENERATORS),
        default="lean",
        help="load generator: lean (default: one asyncio thread, httptools) or "
        "httpx (threads sharing one GIL, the generator of reports before "
        "bench/reports/loadgen.md)",
    )
    parser.add_argument("--report", type=Path)
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the ingested corpus and the Meilisearch index here and reuse them "
        "on the next run with the same --count (ingest and index are then skipped)",
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="build the --data-dir corpus and index, then stop",
    )
    parser.add_argument(
        "--same-searches",
        action="store_true",
        help="the unique views are the 20 searches at other page sizes (the unique phase of "
        "reports before page8), whose facet and period counts the pages keep; by default each "
        "unique view is a new search too (its own `from` date), as issue #17 defines them",
    )
    args = parser.parse_args()
    meili_bin = subprocess.run(
        [str(ROOT / "scripts" / "provision-meili.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-search-") as scratch:
        tmp = args.data_dir or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        ready = tmp / f"ready-{args.count}"  # written once ingest and index of this size are done
        key_file = tmp / "meili-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(16))
        key, meili_port, app_port = key_file.read_text(), free_port(), free_port()
        meili = subprocess.Popen(
            [
                meili_bin,
                "--db-path",
                str(tmp / "meili"),
                "--http-addr",
                f"127.0.0.1:{meili_port}",
                "--master-key",
                key,
                "--no-analytics",
                "--max-indexing-memory",
                "1Gb",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        meili_url = f"http://127.0.0.1:{meili_port}"
        # JSON request lines (to a scratch file): the app's own duration of each request.
        env = {
            **os.environ,
            "CHIPWATCH_DATA_DIR": str(tmp / "data"),
            "CHIPWATCH_MEILI_URL": meili_url,
            "CHIPWATCH_MEILI_KEY": key,
            "CHIPWATCH_MEILI_INDEX": "bench",
            "CHIPWATCH_API_RATE_LIMIT": "0",
            "CHIPWATCH_LOG_FORMAT": "json",
        }
        server = None
        server_log = Path(scratch) / "web.log"
        try:
            wait_http(meili_url + "/health")
            if ready.exists():
                ingest_s, index_s = json.loads(ready.read_text())
            else:
                corpus = tmp / "corpus.jsonl"
                write_corpus(corpus, args.count)
                ingest_s, index_s = ingest_and_index(corpus, args.count, env, meili.pid, tmp)
                ready.write_text(json.dumps([ingest_s, index_s]))
            # The server runs without its worker, which applies this version's index settings
            # on its first round in a deployment (app/search/indexing.py): applied here, so an
            # index another version prepared is searched as this version would search it.
            apply_index_settings(meili_url, key)
            if args.prepare_only:
                return
            with server_log.open("wb") as log_file:
                server = subprocess.Popen(
                    serve_command(app_port, args.web_workers),
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log_file,
                )
            wait_http(f"http://127.0.0.1:{app_port}/healthz")
            processes = Processes(server.pid, meili.pid, server_log)

            from app.enrich import default_enricher
            from app.filters import parse_filters
            from app.search.meili import search_request
            from app.search.query import plan_query

            tagger = default_enricher().query_tagger
            bodies = [
                search_request(f, plan_query(f.q, tagger, f.expand))
                for f in (parse_filters(parse_qsl(q)) for q in QUERIES)
            ]
            meili_headers = {
                "Accept": "*/*",
                "Accept-Encoding": "identity",
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
            }

            def api_pass(tag: str) -> list[Request]:
                """Each query to /api/search and, next, its request body straight to Meilisearch."""
                out = []
                for n, (q, body) in enumerate(zip(QUERIES, bodies)):
                    out.append(get(app_port, f"/api/search?{q}", f"{tag}{n}"))
                    out.append(
                        Request(
                            "POST",
                            meili_port,
                            "/indexes/bench/search",
                            meili_headers,
                            json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
                        )
                    )
                return out

            # The first pass meets cold caches (chipwatch's hits and snippets, Meilisearch's
            # own); it is reported apart, the rounds after it are the measurement.
            first = run_phase(args.client, [api_pass("f")], processes)["samples"][0]
            api_requests = [r for i in range(args.rounds) for r in api_pass(f"a{i}.")]
            api_run = run_phase(args.client, [api_requests], processes)
            api_samples = api_run["samples"][0]
            api, direct = api_samples[0::2], api_samples[1::2]
            # Repeated views (the same 20 URLs, as analysts reload and share them: the page
            # cache serves them until the index changes), then views that are all different
            # (every URL new: each page is searched and rendered).
            # Each web process renders each view once before the measurement: as many
            # connections as clients, each asking every view, so that every process (a
            # connection stays with the one that accepted it) gets all of them. One connection
            # warmed one process only, and runs measured the other's cache misses by chance.
            warm = [[get(app_port, f"/?{q}") for q in QUERIES] for _ in range(args.clients)]
            GENERATORS[args.client](warm)
            per_client = args.rounds * 2
            html, html_requests, html_samples = page_phase(
                args.client,
                processes,
                app_port,
                args.clients,
                per_client,
                "h",
                lambda n, i: QUERIES[(n + i) % len(QUERIES)],
            )
            unique, unique_requests, unique_samples = page_phase(
                args.client,
                processes,
                app_port,
                args.clients,
                per_client,
                "u",
                lambda n, i: (unique_view if args.same_searches else new_search_view)(
                    n * per_client + i
                ),
            )
        finally:
            if server:
                server.terminate()
                server.wait(10)
            meili.terminate()
            meili.wait(10)
        server_ms = processes.server_ms() if server else {}
    html.update(timing_gap(html_requests, html_samples, server_ms))
    unique.update(timing_gap(unique_requests, unique_samples, server_ms))
    result = {
        "count": args.count,
        "client": args.client,
        "ingest_seconds": round(ingest_s, 1),
        "index_rebuild_seconds": round(index_s, 1),
        "index_docs_per_second": round(args.count / index_s, 1),
        "api_search_ms": {**percentiles(api), **timing_gap(api_requests[0::2], api, server_ms)},
        "meili_direct_ms": percentiles(direct),
        # The API phase's CPU per request sent (half to /api/search, half straight to Meilisearch).
        "api_phase": cpu_report(api_run["cpu"], len(api_samples)),
        "first_pass_ms": {
            "api_search": percentiles(first[0::2]),
            "meili_direct": percentiles(first[1::2]),
        },
        "html_page_ms_concurrent": {**html, "web_workers": args.web_workers},
        "html_page_ms_concurrent_unique": {
            **unique,
            "web_workers": args.web_workers,
            "views": "page sizes of 20 searches" if args.same_searches else "new searches",
        },
        "load_average_1_5_15_min": {"before": load_before, "after": os.getloadavg()},
    }
    result["p95_ratio"] = round(
        result["api_search_ms"]["p95"] / result["meili_direct_ms"]["p95"], 2
    )
    print(
        f"{args.count} articles; index rebuild {result['index_docs_per_second']} docs/s; "
        f"load generator {args.client}"
    )
    print(
        f"{'':>31} {'p50':>8} {'p95':>8} {'p99':>8} {'app p95':>8}   CPU ms per request: "
        f"client / web / Meilisearch"
    )
    for name, cpu in (
        ("api_search_ms", result["api_phase"]),
        ("meili_direct_ms", {}),
        ("html_page_ms_concurrent", html),
        ("html_page_ms_concurrent_unique", unique),
    ):
        r, split = result[name], cpu.get("cpu_ms_per_request", {})
        print(
            f"{name:>31} {r['p50']:>8} {r['p95']:>8} {r['p99']:>8} "
            f"{r.get('server_ms', {}).get('p95', ''):>8}   "
            + " / ".join(f"{v:.2f}" for v in split.values())
            + (f"   web CPU split {cpu['web_cpu_split']}" if cpu.get("web_cpu_split") else "")
        )
    print(f"p95 ratio /api/search : Meilisearch = {result['p95_ratio']}")
    print(f"load average before / after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(
            json.dumps(
                {"benchmark": "search", "machine": {"cpus": os.cpu_count()}, "result": result},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
