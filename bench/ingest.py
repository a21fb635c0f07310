"""Ingestion benchmark: articles/s and memory from JSONL into a database.

    python -m bench.ingest --count 10000 100000 [--database-url postgresql://...] [--report bench/reports/ingest-sqlite.json]

The corpus is generated to a file first (not timed), then ingested by `chipwatch ingest` in a
child process, end to end (start-up, reading, extraction, tagging, de-duplication, writing).
Reported per run:

- articles_per_second: count / wall seconds of the whole command; also without its start-up
  (imports, opening the database: the same command on an empty file);
- cpu_seconds: CPU time of the command and its worker processes, per article too, and split
  between the ingesting process (its start-up included) and the workers; wall time on a shared
  machine varies with what else runs, CPU time much less;
- memory: the ingesting process's RSS (peak_rss_mib) and that of its worker processes, and the
  PSS of all of them together (shared pages counted once), sampled over time
  (rss_samples_mib: [seconds, main RSS, workers RSS, total PSS]) to show whether memory stays
  flat as the corpus grows; rss_peak_first_half_mib / rss_peak_second_half_mib compare the
  two halves of the run;
- writer_bands: the ingesting process's CPU per article stored within each tenth of the run (the
  highest article id read beside it about once a second), to show whether the cost of an article
  grows with the corpus already stored.
"""

import argparse
import json
import os
import platform
import resource
import sqlite3
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


def _status_kib(pid: int, field: str = "VmRSS:") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def rss_kib(pid: int) -> int:
    return _status_kib(pid)


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def cpu_seconds_of(pid: int, reaped: bool = False) -> float:
    """User + system CPU seconds a live process has used so far (/proc/PID/stat); reaped: those
    of its children it has waited for instead (cutime + cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0.0
    first = 13 if reaped else 11
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return found


def fresh_pg_database(url: str) -> None:
    """Drop and create the benchmark database, so every run starts empty."""
    import psycopg

    base, name = url.rsplit("/", 1)
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stored_count(env: dict) -> int | None:
    """Articles stored so far (the highest id: rows are only added), read beside the running
    ingest; None while the database is busy or not there yet (the next sample will do)."""
    url = env.get("CHIPWATCH_DATABASE_URL")
    if url:
        import psycopg

        try:
            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
                row = conn.execute("SELECT max(id) FROM articles").fetchone()
        except psycopg.Error:
            return None
    else:
        db = Path(env["CHIPWATCH_DATA_DIR"]) / "chipwatch.db"
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            try:
                row = conn.execute("SELECT max(id) FROM articles").fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            return None
    return int(row[0] or 0) if row else 0


def writer_bands(progress: list[tuple[float, int, float]], count: int, bands: int = 10) -> list[dict]:
    """The ingesting process's CPU per article stored within each tenth of the run (by articles
    stored, not time): whether the writer's cost per article grows with the corpus."""
    out = []
    edges = [count * k // bands for k in range(bands + 1)]
    for lo, hi in zip(edges, edges[1:]):
        first = next((p for p in progress if p[1] >= lo), None)
        last = next((p for p in progress if p[1] >= hi), progress[-1] if progress else None)
        if first is None or last is None or last[1] <= first[1]:
            continue
        out.append({"from": first[1], "to": last[1],
                    "writer_cpu_ms_per_article": round((last[2] - first[2]) / (last[1] - first[1]) * 1000, 3)})
    return out


def startup_seconds(env: dict, workdir: Path) -> float:
    """Wall time of `chipwatch ingest` on an empty file: what every run pays before reading."""
    empty = workdir / "empty.jsonl"
    empty.write_text("")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "app", "ingest", "--json", str(empty)], env=env, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times)


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
    startup = startup_seconds(env, workdir)
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    # The report goes to a file: through a pipe read only at the end, a large one (every article
    # id) would fill the pipe and stall the command.
    out_path = workdir / "report.json"
    samples = []
    progress: list[tuple[float, int, float]] = []  # (seconds, articles stored, writer CPU seconds)
    worker_cpu: dict[int, float] = {}  # worker pid -> CPU seconds when last seen alive
    with out_path.open("w") as out_file:
        proc = subprocess.Popen([sys.executable, "-m", "app", "ingest", "--json", str(corpus)], env=env,
                                stdout=out_file, stderr=subprocess.DEVNULL, text=True)
        while proc.poll() is None:
            workers = children(proc.pid)
            for w in workers:
                worker_cpu[w] = max(worker_cpu.get(w, 0.0), cpu_seconds_of(w))
            samples.append((round(time.perf_counter() - started, 1), rss_kib(proc.pid),
                            sum(rss_kib(w) for w in workers), pss_kib(proc.pid) + sum(pss_kib(w) for w in workers)))
            if len(samples) % 4 == 0:
                stored = stored_count(env)
                if stored is not None:
                    progress.append((round(time.perf_counter() - started, 1), stored, cpu_seconds_of(proc.pid)))
            time.sleep(0.25)
    elapsed = time.perf_counter() - started
    out = out_path.read_text()
    cpu = _children_cpu() - cpu_before
    report = json.loads(out.strip().splitlines()[-1])
    samples = [s for s in samples if s[1]]  # before exec, the child is not the ingest yet
    half = len(samples) // 2

    def mib(kib: int) -> float:
        return round(kib / 1024, 1)

    step = max(1, len(samples) // 30)
    return {
        "count": count, "database": "postgresql" if database_url else "sqlite",
        "added": report["added"], "duplicates": report["duplicates"],
        "rejected": len(report["rejected"]), "seconds": round(elapsed, 2),
        "articles_per_second": round(count / elapsed, 1),
        "startup_seconds": round(startup, 2),
        "articles_per_second_after_startup": round(count / max(elapsed - startup, 1e-9), 1),
        "cpu_seconds": round(cpu, 1), "cpu_ms_per_article": round(cpu / count * 1000, 3),
        # Workers as last seen alive (up to a sample interval short); the ingesting process is
        # the rest of the total (its start-up included).
        "cpu_ms_per_article_main": round((cpu - sum(worker_cpu.values())) / count * 1000, 3),
        "cpu_ms_per_article_workers": round(sum(worker_cpu.values()) / count * 1000, 3),
        "load_average_before": round(load_before, 2), "load_average_after": round(os.getloadavg()[0], 2),
        "peak_rss_mib": mib(max((s[1] for s in samples), default=0)),
        "peak_workers_rss_mib": mib(max((s[2] for s in samples), default=0)),
        "peak_total_pss_mib": mib(max((s[3] for s in samples), default=0)),
        "rss_peak_first_half_mib": mib(max((s[1] for s in samples[:half]), default=0)),
        "rss_peak_second_half_mib": mib(max((s[1] for s in samples[half:]), default=0)),
        "rss_samples_mib": [(t, mib(m), mib(w), mib(p)) for t, m, w, p in samples[::step] + samples[-1:]],
        # The ingesting process's CPU per article within each tenth of the articles stored.
        "writer_bands": writer_bands(progress, count),
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
            print(f"{r['database']:>10} {r['count']:>8} articles  {r['articles_per_second']:>8} /s "
                  f"({r['articles_per_second_after_startup']} /s after {r['startup_seconds']} s start-up)  "
                  f"CPU {r['cpu_ms_per_article']} ms/article (main {r['cpu_ms_per_article_main']}, "
                  f"workers {r['cpu_ms_per_article_workers']})  peak RSS {r['peak_rss_mib']} MiB "
                  f"(workers {r['peak_workers_rss_mib']}, all PSS {r['peak_total_pss_mib']}; "
                  f"halves {r['rss_peak_first_half_mib']} / {r['rss_peak_second_half_mib']})  "
                  f"(added {r['added']}, rejected {r['rejected']}, load {r['load_average_before']})")
    report = {"benchmark": "ingest", "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                                  "platform": platform.platform()}, "results": results}
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
