"""Enrichment benchmark: articles tagged per second on one core (entities with offsets, the
restriction rule, cited sources), without the database.

    python -m bench.enrich [--count 10000] [--corpus generated|labelled] [--report FILE]

`generated` is bench.corpus (dense with names, short); `labelled` cycles the evaluation set and
the sample corpus (real article lengths, all eight languages). Articles are built before the
clock starts; the process is pinned to one CPU where the OS allows it, and its CPU time is
reported beside the wall time (on a shared machine the wall time counts the neighbours too).
The bar (issue 3): 10,000 articles in under 10 s on one core.
"""

import argparse
import json
import os
import platform
import time
from datetime import datetime
from itertools import cycle, islice
from pathlib import Path


def _articles(kind: str, count: int) -> list[tuple[str, str, datetime | None]]:
    if kind == "generated":
        from bench.corpus import generate

        return [(a["title"], a["body"], datetime.fromisoformat(a["published_at"])) for a in generate(count)]
    from app.enrich.evaluate import load_eval_set, load_sample_set

    labelled = [(a["title"], a["body"], datetime.fromisoformat(a["published_at"]))
                for a in load_eval_set() + load_sample_set()]
    return list(islice(cycle(labelled), count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--corpus", choices=("generated", "labelled"), default="labelled")
    parser.add_argument("--report", type=Path, help="Write the result as JSON to this file.")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from app.enrich import default_enricher

    enricher = default_enricher()
    articles = _articles(args.corpus, args.count)
    enricher.enrich(*articles[0])  # warm the folding caches
    start, cpu_start = time.perf_counter(), time.process_time()
    mentions = 0
    for title, body, published in articles:
        mentions += len(enricher.enrich(title, body, published).mentions)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    result = {
        "corpus": args.corpus, "articles": len(articles),
        "mean_chars": round(sum(len(b) for _t, b, _p in articles) / len(articles)),
        "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
        "articles_per_cpu_s": round(len(articles) / cpu),
        "cpu_seconds_per_10k": round(10_000 * cpu / len(articles), 2), "mentions": mentions,
        "gazetteer": enricher.gazetteer.version, "python": platform.python_version(),
        "machine": platform.machine(), "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    print(json.dumps(result, indent=2))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
