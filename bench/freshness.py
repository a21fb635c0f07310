"""Freshness benchmark: seconds from an ingest's commit to the article being found by /api/search.

    python -m bench.freshness [--samples 50] [--background 1000] [--report bench/reports/freshness.json]

As in production, in separate processes: a real Meilisearch 1.21 on loopback (see bench/drills.py),
`chipwatch worker` (the only thing that feeds Meilisearch) and `chipwatch serve --no-worker`. A
background corpus is ingested and indexed first. Then articles are ingested one at a time (or
--batch at a time) through the Python ingest API (app.ingest.pipeline.Ingestor, what `chipwatch
ingest` runs), each carrying a unique word; the clock starts when ingest() returns, i.e. after its
transaction committed, and stops when GET /api/search?q=<word> answers from Meilisearch
("engine": "meilisearch", not the database fallback) with the article among its hits. A random
pause of up to --max-pause seconds between samples lands the commits at every phase of the
worker's loop. The bar (PRODUCT.md): searchable within 5 s.
"""

import argparse
import json
import math
import random
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from app.config import Settings
from bench.corpus import generate
from bench.drills import (
    NOTE,
    Child,
    Database,
    Meili,
    child_env,
    chipwatch,
    machine,
    meili_binary,
)
from bench.ingest import write_corpus
from bench.search import free_port, wait_http

INDEX = "freshness"


def nearest_rank(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def wait_drained(db: Database, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while db.outbox() > 0:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the worker did not drain the outbox within {timeout}s")
        time.sleep(0.2)


def articles(seed: int):
    """Generated articles, each with a unique word (digits: matched exactly, no typo tolerance)."""
    for n, article in enumerate(generate(10**9, seed=seed)):
        word = f"fresh{n:05d}x{secrets.token_hex(3)}"
        yield word, {**article, "title": f"{article['title']} {word}", "body": f"{word} {article['body']}",
                     "url": f"https://bench.chipwatch.example/fresh/{word}"}


def run(args, workdir: Path) -> dict:
    from sqlalchemy import select

    from app.ingest.items import RawItem
    from app.ingest.pipeline import Ingestor
    from app.models import Article
    from app.runtime import build_runtime

    meili = Meili(meili_binary(), workdir)
    meili.start()
    settings = Settings(data_dir=workdir / "data", database_url=args.database_url, meili_url=meili.url,
                        meili_key=SecretStr(meili.app_key()), meili_index=INDEX)
    if args.database_url:
        from bench.ingest import fresh_pg_database

        fresh_pg_database(args.database_url)
    chipwatch(settings, "db", "upgrade")
    env = child_env(settings)
    worker = Child("worker", ["worker"], env, workdir)
    port = free_port()
    server = Child("serve", ["serve", "--no-worker", "--port", str(port)], env, workdir)
    db = Database(settings)
    runtime = load = None
    try:
        if args.background:
            corpus = workdir / "background.jsonl"
            write_corpus(corpus, args.background)
            chipwatch(settings, "ingest", str(corpus))
        worker.start()
        server.start()
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/healthz")
        wait_drained(db, timeout=600)
        runtime = build_runtime(settings)
        ingestor = Ingestor(runtime.sessions, runtime.enricher, outbox=True)
        if args.load:  # a bulk ingest alongside: the new articles queue behind its outbox rows
            corpus = workdir / "load.jsonl"
            with corpus.open("w", encoding="utf-8") as fh:
                for a in generate(args.load, seed=args.seed + 1):
                    a["url"] = a["url"].replace("example/", "example/load/")
                    fh.write(json.dumps(a, ensure_ascii=False) + "\n")
            load = Child("load", ["ingest", str(corpus)], env, workdir)
            load.start()
        rng = random.Random(args.seed)
        source = articles(args.seed)
        latencies: list[float] = []
        during_load: list[float] = []  # the samples committed while the bulk ingest ran
        skipped = not_found = 0
        polls = 0
        with httpx.Client(base_url=base, timeout=10) as client:
            while len(latencies) + not_found < args.samples:
                batch = [next(source) for _ in range(min(args.batch, args.samples - len(latencies) - not_found))]
                items = [RawItem(origin=f"freshness:{word}", **{k: a[k] for k in
                                 ("title", "body", "url", "published_at", "source", "lang")})
                         for word, a in batch]
                report = ingestor.ingest(items)
                committed = time.perf_counter()
                loaded = load is not None and load.alive
                pending: dict[int, str] = {}
                with runtime.sessions() as session:
                    for article in session.scalars(select(Article).where(Article.id.in_(report.article_ids))):
                        if article.duplicate_of is None:
                            pending[article.id] = article.title.rsplit(" ", 1)[-1]  # the unique word
                        else:
                            skipped += 1  # a near-duplicate of an older article: never indexed, by design
                skipped += len(batch) - len(report.article_ids)
                while pending:
                    elapsed = time.perf_counter() - committed
                    if elapsed > args.give_up:
                        not_found += len(pending)
                        break
                    for article_id, word in list(pending.items()):
                        response = client.get("/api/search", params={"q": word, "per_page": 10})
                        polls += 1
                        body = response.json() if response.status_code == 200 else {}
                        if body.get("engine") == "meilisearch" and any(
                                h["id"] == article_id for h in body.get("hits", [])):
                            latencies.append(time.perf_counter() - committed)
                            if loaded:
                                during_load.append(latencies[-1])
                            del pending[article_id]
                    time.sleep(args.poll_interval)
                time.sleep(rng.uniform(0, args.max_pause))
        if args.load:
            load_running = load.alive
            load_added = db.scalar("SELECT count(*) FROM articles WHERE url LIKE '%/load/%'")
    finally:
        if load:
            load.kill()
        if runtime:
            runtime.close()
        db.close()
        server.terminate()
        worker.terminate()
        meili.stop()
    found = len(latencies)
    result = {
        "samples": args.samples, "found": found, "not_found_within_give_up": not_found,
        "skipped_near_duplicates": skipped, "batch": args.batch, "background_articles": args.background,
        "poll_interval_seconds": args.poll_interval, "search_requests": polls, "bar_seconds": args.bar,
    }
    if args.load:
        result["load"] = {"articles": args.load, "added_while_sampling": load_added,
                          "still_running_at_end": load_running, "samples_during_load": len(during_load)}
        if during_load:
            result["load"]["seconds_during_load"] = {
                "p50": round(nearest_rank(during_load, 50), 3), "p95": round(nearest_rank(during_load, 95), 3),
                "max": round(max(during_load), 3)}
    if latencies:
        result["seconds"] = {"p50": round(nearest_rank(latencies, 50), 3),
                             "p95": round(nearest_rank(latencies, 95), 3),
                             "max": round(max(latencies), 3), "min": round(min(latencies), 3),
                             "mean": round(sum(latencies) / found, 3)}
        result["within_bar"] = sum(1 for x in latencies if x <= args.bar)
        result["latencies_seconds"] = [round(x, 3) for x in latencies]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--batch", type=int, default=1, help="articles per ingest call")
    parser.add_argument("--background", type=int, default=1000, help="articles indexed before sampling")
    parser.add_argument("--database-url", help="a PostgreSQL URL (the database is dropped and created)")
    parser.add_argument("--bar", type=float, default=5.0, help="seconds (PRODUCT.md)")
    parser.add_argument("--give-up", type=float, default=30.0, help="seconds before a sample counts as lost")
    parser.add_argument("--poll-interval", type=float, default=0.02, help="seconds between searches")
    parser.add_argument("--max-pause", type=float, default=1.0, help="random pause between samples, seconds")
    parser.add_argument("--load", type=int, default=0,
                        help="also bulk-ingest this many articles (`chipwatch ingest`) while sampling")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--report", type=Path)
    parser.add_argument("--workdir", type=Path, help="keep data and logs here (default: temp)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="chipwatch-freshness-"))
    workdir.mkdir(parents=True, exist_ok=True)
    result = run(args, workdir)
    s = result.get("seconds", {})
    checks = [
        {"check": "every article found through /api/search (Meilisearch)",
         "passed": result["found"] == args.samples, "detail": f"{result['found']} of {args.samples}"},
        {"check": f"p95 <= {args.bar} s", "passed": bool(s) and s["p95"] <= args.bar, "detail": f"p95 {s.get('p95')} s"},
        {"check": f"max <= {args.bar} s", "passed": bool(s) and s["max"] <= args.bar, "detail": f"max {s.get('max')} s"},
    ]
    passed = all(c["passed"] for c in checks)
    params = {k: v for k, v in vars(args).items() if k not in ("report", "workdir", "database_url")}
    params["database"] = "postgresql" if args.database_url else "sqlite"
    report = {"benchmark": "freshness", "machine": machine(), "params": params, "result": result,
              "checks": checks, "passed": passed}
    print(f"freshness: {result['found']} of {args.samples} articles, {params['database']}, "
          f"{result['background_articles']} indexed before ({NOTE})")
    if args.load:
        d = result["load"].get("seconds_during_load", {})
        print(f"  while `chipwatch ingest` bulk-loads {args.load} articles "
              f"({result['load']['added_while_sampling']} stored during the sampling; "
              f"{result['load']['samples_during_load']} samples during the load: "
              f"p50 {d.get('p50')} s, p95 {d.get('p95')} s, max {d.get('max')} s)")
    print(f"  {'commit -> /api/search hit':<28} {'p50':>7} {'p95':>7} {'max':>7}   bar")
    print(f"  {'seconds':<28} {s.get('p50', '-'):>7} {s.get('p95', '-'):>7} {s.get('max', '-'):>7}   {args.bar}")
    for c in checks:
        print(f"  {'PASS' if c['passed'] else 'FAIL'}  {c['check']}  ({c['detail']})")
    print("PASSED" if passed else "FAILED")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    if passed and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    elif not passed:
        print(f"logs and data kept in {workdir}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
