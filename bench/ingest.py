"""Ingestion benchmark: articles/s and peak memory from JSONL into a database.

    python -m bench.ingest --count 100000 [--database-url postgresql://...] [--report bench/reports/ingest.json]

The corpus is generated to a file first (not timed), then ingested by `chipwatch ingest` in a
child process, so peak RSS is the ingest's own. Memory is sampled over time to show whether
it stays flat (streaming) as the corpus grows.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import generate


def write_corpus(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for article in generate(count):
            fh.write(json.dumps(article, ensure_ascii=False) + "\n")


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def fresh_pg_database(url: str) -> None:
    """Drop and create the benchmark database, so every run starts empty."""
    import psycopg

    base, name = url.rsplit("/", 1)
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(count: int, database_url: str | None, workdir: Path) -> dict:
    corpus = workdir / f"corpus-{count}.jsonl"
    if not corpus.exists():
        write_corpus(corpus, count)
    env = {**os.environ, "CHIPWATCH_DATA_DIR": str(workdir / "data"), "CHIPWATCH_MEILI_URL": ""}
    if database_url:
        fresh_pg_database(database_url)
        env["CHIPWATCH_DATABASE_URL"] = database_url
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "app", "ingest", "--json", str(corpus)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    samples = []
    while proc.poll() is None:
        samples.append((round(time.perf_counter() - started, 1), rss_kib(proc.pid)))
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    out = proc.stdout.read()
    report = json.loads(out.strip().splitlines()[-1])
    peak = max((kib for _, kib in samples), default=0)
    return {
        "count": count, "database": "postgresql" if database_url else "sqlite",
        "added": report["added"], "duplicates": report["duplicates"],
        "rejected": len(report["rejected"]), "seconds": round(elapsed, 2),
        "articles_per_second": round(count / elapsed, 1), "peak_rss_mib": round(peak / 1024, 1),
        "rss_samples_mib": [(t, round(k / 1024, 1)) for t, k in samples[:: max(1, len(samples) // 20)]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, nargs="+", default=[10_000])
    parser.add_argument("--database-url")
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-") as tmp:
        for count in args.count:
            run_dir = Path(tmp) / str(count)
            run_dir.mkdir()
            results.append(run(count, args.database_url, run_dir))
            r = results[-1]
            print(f"{r['database']:>10} {r['count']:>8} articles  {r['articles_per_second']:>8} /s  "
                  f"peak RSS {r['peak_rss_mib']} MiB  (added {r['added']}, rejected {r['rejected']})")
    report = {"benchmark": "ingest", "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                                  "platform": platform.platform()}, "results": results}
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
