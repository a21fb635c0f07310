"""One sample of a running `python -m bench.search --prepare-only` build, as a JSON line.

    python -m bench.prepare_sample --pid PID --data-dir DIR >> samples.jsonl

Run it every few minutes beside a long build (the 1,000,000-article curve point): the phase
(generating the corpus, ingesting, indexing, done), articles stored in SQLite, documents in
Meilisearch, CPU seconds and RSS of the ingest process, its workers, `index rebuild` and
Meilisearch, the sizes on disk and the load. CPU seconds, unlike wall time under `nice` on a
shared machine, say what the build costs; the samples over the run say whether the cost per
article and the memory stay flat as the corpus grows. It only reads /proc, the files and
Meilisearch's stats, so it can run from any checkout.
"""

import argparse
import json
import os
import sqlite3
import time
from pathlib import Path

import httpx

from bench.ingest import children, cpu_seconds_of, rss_kib


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return []


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process, its live descendants and the children it has reaped."""
    return (
        cpu_seconds_of(pid)
        + cpu_seconds_of(pid, reaped=True)
        + sum(tree_cpu_seconds(c) for c in children(pid))
    )


def role(pid: int) -> str:
    args = cmdline(pid)
    if args and args[0].endswith("meilisearch"):
        return "meilisearch"
    if "ingest" in args:
        return "ingest"
    if "index" in args and "rebuild" in args:
        return "index_rebuild"
    return "other"


def stored_articles(db: Path) -> int | None:
    if not db.exists():
        return None
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def meili_documents(pid: int, key: str) -> dict | None:
    """Documents in every index (a rebuild fills a fresh `bench_<hex>` index, swapped in at the
    end), whether any is indexing, and Meilisearch's own database size."""
    args = cmdline(pid)
    addr = args[args.index("--http-addr") + 1]
    try:
        stats = httpx.get(
            f"http://{addr}/stats", timeout=30, headers={"Authorization": f"Bearer {key}"}
        )
    except httpx.HTTPError:
        return None
    if stats.status_code != 200:
        return None
    body = stats.json()
    indexes = body.get("indexes", {}).values()
    return {
        "documents": sum(i.get("numberOfDocuments", 0) for i in indexes),
        "is_indexing": any(i.get("isIndexing") for i in indexes),
        "database_size": body.get("databaseSize"),
    }


def disk_bytes(path: Path) -> int:
    """Disk space (allocated blocks, as du counts them: Meilisearch's LMDB files are sparse) of
    a file or of every file under a directory; 0 if it is not there yet."""
    if path.is_file():
        return path.stat().st_blocks * 512
    return (
        sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file())
        if path.exists()
        else 0
    )


def sample(pid: int, data_dir: Path, count: int) -> dict:
    out: dict = {
        "time": round(time.time(), 1),
        "load": [round(x, 2) for x in os.getloadavg()],
        "bench_alive": Path(f"/proc/{pid}").exists(),
        "bench_tree_cpu_s": round(tree_cpu_seconds(pid), 1),
    }
    procs = {}
    for child in children(pid):
        name = role(child)
        procs[name] = {
            "pid": child,
            "cpu_s": round(cpu_seconds_of(child), 1),
            "rss_mib": round(rss_kib(child) / 1024, 1),
        }
        if name == "ingest":
            workers = children(child)
            procs[name]["reaped_workers_cpu_s"] = round(cpu_seconds_of(child, reaped=True), 1)
            procs[name]["workers"] = [
                {
                    "pid": w,
                    "cpu_s": round(cpu_seconds_of(w), 1),
                    "rss_mib": round(rss_kib(w) / 1024, 1),
                }
                for w in workers
            ]
            procs[name]["tree_cpu_s"] = round(tree_cpu_seconds(child), 1)
        if name == "meilisearch":
            procs[name]["index"] = meili_documents(child, (data_dir / "meili-key").read_text())
    out["processes"] = procs
    db = data_dir / "data" / "chipwatch.db"
    out["articles_stored"] = stored_articles(db)
    out["bytes"] = {
        "corpus_jsonl": disk_bytes(data_dir / "corpus.jsonl"),
        "sqlite": sum(disk_bytes(p) for p in db.parent.glob("chipwatch.db*")),
        # The write-ahead log apart: it only shrinks when a checkpoint finds no reader on it.
        "sqlite_wal": disk_bytes(db.with_name(db.name + "-wal")),
        "meili": disk_bytes(data_dir / "meili"),
    }
    ready = data_dir / f"ready-{count}"
    out["ready"] = json.loads(ready.read_text()) if ready.exists() else None
    out["phase"] = (
        "done"
        if out["ready"]
        else "indexing"
        if "index_rebuild" in procs
        else "ingesting"
        if "ingest" in procs
        else "generating"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pid", type=int, required=True, help="the bench.search process")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args()
    print(json.dumps(sample(args.pid, args.data_dir, args.count)), flush=True)


if __name__ == "__main__":
    main()
