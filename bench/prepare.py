"""Ingest a bench corpus into SQLite and index it into Meilisearch (bench.search's prepare step),
recording what each step cost: `prepare-COUNT.json` beside the data.

CPU seconds rather than wall time: on a shared machine, or under `nice`, the wall time of a
build says how busy the machine was; the CPU seconds (the ingest with its worker processes, the
`index rebuild` command, Meilisearch while it indexes) say what the build costs per article,
which is what the scaling curve (bench/reports/scaling-curve.md) compares across sizes.
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.ingest import cpu_seconds_of
from bench.prepare_sample import disk_bytes


def _reaped_cpu_seconds() -> float:
    """CPU of this process's children that have exited and been waited for (their own waited
    children, the ingest's worker processes, included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _step(args: list[str], env: dict, meili_pid: int) -> dict:
    load = os.getloadavg()[0]
    cpu, meili_cpu, started = _reaped_cpu_seconds(), cpu_seconds_of(meili_pid), time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", *args], env=env, check=True, capture_output=True)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(_reaped_cpu_seconds() - cpu, 1),
        "meilisearch_cpu_seconds": round(cpu_seconds_of(meili_pid) - meili_cpu, 1),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def ingest_and_index(
    corpus: Path, count: int, env: dict, meili_pid: int, data_dir: Path
) -> tuple[float, float]:
    """`chipwatch ingest` then `chipwatch index rebuild`; returns their wall seconds and writes
    data_dir/prepare-COUNT.json (CPU per article of each step, sizes on disk)."""
    ingest = _step(["ingest", str(corpus)], env, meili_pid)
    index = _step(["index", "rebuild"], env, meili_pid)
    for step in (ingest, index):
        step["cpu_ms_per_article"] = round(
            (step["cpu_seconds"] + step["meilisearch_cpu_seconds"]) / count * 1000, 3
        )
    db = Path(env["CHIPWATCH_DATA_DIR"]) / "chipwatch.db"
    report = {
        "count": count,
        "ingest": ingest,
        "index_rebuild": index,
        "disk_bytes": {
            "sqlite": sum(disk_bytes(p) for p in db.parent.glob(db.name + "*")),
            "meilisearch": disk_bytes(data_dir / "meili"),
        },
    }
    (data_dir / f"prepare-{count}.json").write_text(json.dumps(report, indent=2))
    print(
        f"{count} articles: ingest {ingest['cpu_ms_per_article']} ms CPU/article "
        f"({ingest['seconds']} s), index {index['cpu_ms_per_article']} ms CPU/article "
        f"({index['seconds']} s); SQLite {report['disk_bytes']['sqlite'] / 2**20:.0f} MiB, "
        f"Meilisearch {report['disk_bytes']['meilisearch'] / 2**20:.0f} MiB",
        flush=True,
    )
    return ingest["seconds"], index["seconds"]
