"""Summarise bench.prepare_sample's samples of a long build into a report (JSON).

    python -m bench.prepare_report samples.jsonl --report bench/reports/scale-1m-prepare.json

CPU per article of the ingest in bands of articles stored (the ingesting process, which looks
up near-duplicate and story candidates among what is stored, apart from its worker processes,
whose work does not depend on the corpus), peak RSS in each half, SQLite bytes per article, and
Meilisearch's progress once indexing starts. Every band carries the load it ran under.
"""

import argparse
import json
from pathlib import Path

BANDS = [0, 10_000, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000, 400_000, 500_000,
         600_000, 700_000, 800_000, 900_000, 1_000_000]  # fmt: skip


def _ingest(s: dict) -> dict | None:
    return s["processes"].get("ingest")


def _cpu(s: dict) -> tuple[float, float]:
    """(ingesting process, its workers) CPU seconds so far."""
    p = _ingest(s)
    assert p is not None
    return p["cpu_s"], p["tree_cpu_s"] - p["cpu_s"]


def window(ingesting: list[dict], lo: int, hi: int) -> dict | None:
    """CPU per article between the last samples at or below lo and hi articles stored (so
    windows with shared bounds are contiguous); None when under 1,000 articles apart."""
    before = [s for s in ingesting if s["articles_stored"] <= lo] or ingesting[:1]
    upto = [s for s in ingesting if s["articles_stored"] <= hi]
    if not upto or upto[-1]["articles_stored"] - before[-1]["articles_stored"] < 1000:
        return None
    first, last = before[-1], upto[-1]
    stored = last["articles_stored"] - first["articles_stored"]
    (m0, w0), (m1, w1) = _cpu(first), _cpu(last)
    loads = [s["load"][0] for s in upto if s["time"] >= first["time"]]
    return {
        "articles": [first["articles_stored"], last["articles_stored"]],
        "cpu_ms_per_article": round((m1 - m0 + w1 - w0) / stored * 1000, 3),
        "cpu_ms_per_article_main": round((m1 - m0) / stored * 1000, 3),
        "cpu_ms_per_article_workers": round((w1 - w0) / stored * 1000, 3),
        "wall_articles_per_second": round(stored / (last["time"] - first["time"]), 1),
        "load_1min": [min(loads), max(loads)],
    }


def _ingesting(samples: list[dict]) -> list[dict]:
    return [s for s in samples if _ingest(s) and s["articles_stored"] is not None]


def bands(samples: list[dict]) -> list[dict]:
    ingesting = _ingesting(samples)
    return [w for lo, hi in zip(BANDS, BANDS[1:]) if (w := window(ingesting, lo, hi))]


def first_and_last(samples: list[dict], size: int = 100_000) -> dict:
    """The first and the last `size` articles of the run (so far)."""
    ingesting = _ingesting(samples)
    if not ingesting:
        return {}
    top = ingesting[-1]["articles_stored"]
    return {
        "first": window(ingesting, 0, min(size, top)),
        "last": window(ingesting, max(0, top - size), top),
    }


def memory(samples: list[dict]) -> dict:
    ingesting = [s for s in samples if _ingest(s)]
    half = len(ingesting) // 2

    def peak(part: list[dict]) -> dict:
        return {
            "main_rss_mib": max((_ingest(s)["rss_mib"] for s in part), default=0),
            "worker_rss_mib": max(
                (w["rss_mib"] for s in part for w in _ingest(s)["workers"]), default=0
            ),
            "meilisearch_rss_mib": max(
                (s["processes"].get("meilisearch", {}).get("rss_mib", 0) for s in part), default=0
            ),
        }

    return {
        "first_half": peak(ingesting[:half]),
        "second_half": peak(ingesting[half:]),
        "articles_at_half": ingesting[half]["articles_stored"] if ingesting else None,
    }


def summarise(samples: list[dict]) -> dict:
    last_stored = next((s for s in reversed(samples) if s["articles_stored"]), None)
    indexing = [s for s in samples if s["phase"] in ("indexing", "done")]
    done = next((s for s in samples if s["phase"] == "done"), None)
    summary: dict = {
        "samples": len(samples),
        "phase": samples[-1]["phase"] if samples else None,
        "articles_stored": last_stored and last_stored["articles_stored"],
        "ingest_bands": bands(samples),
        "ingest_first_and_last_100k": first_and_last(samples),
        "peak_rss": memory(samples),
    }
    if last_stored:
        summary["sqlite_bytes"] = last_stored["bytes"]["sqlite"]
        summary["sqlite_bytes_per_article"] = round(
            last_stored["bytes"]["sqlite"] / last_stored["articles_stored"]
        )
    if last_stored and "sqlite_wal" in last_stored["bytes"]:
        summary["sqlite_wal_bytes"] = last_stored["bytes"]["sqlite_wal"]
    if indexing:
        meili = [s["processes"].get("meilisearch", {}).get("index") or {} for s in indexing]
        # CPU of the whole tree (index rebuild and Meilisearch, children of the benchmark) from
        # the last sample of the ingest: up to one sample interval of ingest counted in.
        start = [s for s in samples if _ingest(s)][-1:] or indexing[:1]
        end = done or indexing[-1]
        summary["index"] = {
            "documents": max((m.get("documents") or 0 for m in meili), default=0),
            "meilisearch_bytes": indexing[-1]["bytes"]["meili"],
            "cpu_seconds": round(end["bench_tree_cpu_s"] - start[0]["bench_tree_cpu_s"], 1),
            "meilisearch_cpu_seconds": round(
                end["processes"].get("meilisearch", {}).get("cpu_s", 0)
                - start[0]["processes"].get("meilisearch", {}).get("cpu_s", 0),
                1,
            ),
            "wall_seconds": round(end["time"] - start[0]["time"]),
        }
    if done:
        summary["ready_wall_seconds"] = done["ready"]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", type=Path, help="JSON lines of python -m bench.prepare_sample")
    parser.add_argument("--report", type=Path)
    parser.add_argument("--note", default="", help="how the build was run (command, nice, machine)")
    args = parser.parse_args()
    samples = [json.loads(line) for line in args.samples.read_text().splitlines() if line.strip()]
    report = {
        "benchmark": "prepare",
        "note": args.note,
        "summary": summarise(samples),
        "samples": samples,
    }
    print(json.dumps(report["summary"], indent=2))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
