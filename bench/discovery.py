"""Discovery micro-benchmark: what gazetteer discovery (app/enrich/discovery.py) adds to each
article's enrichment, in CPU time per article, beside the enrichment itself.

    python -m bench.discovery [--repeat 5]

Over the sample corpus and the labelled sets (every language); the articles are enriched before
the clock starts, then discovery runs over all of them `--repeat` times and the best run counts
(CPU time: on a shared machine the wall time counts the neighbours too).
"""

import argparse
import json
import time
from pathlib import Path

from app import ROOT

SETS = (
    "app/data/sample/articles.jsonl",
    "app/data/eval/articles.jsonl",
    "app/data/eval/discovery.jsonl",
)


def _best(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs; the best one counts (default 5)"
    )
    args = parser.parse_args()
    from app.enrich import default_enricher
    from app.enrich.discovery import Discovery

    enricher = default_enricher()
    discovery = Discovery(enricher.gazetteer)
    rows = [
        json.loads(line)
        for name in SETS
        for line in Path(ROOT / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    items = [(r.get("title", ""), r.get("body", ""), r.get("lang") or "en") for r in rows]
    enriched = [(t, b, lang, enricher.enrich(t, b, None)) for t, b, lang in items]
    found = sum(
        len(discovery.find(t, b, lang, e.mentions, e.title_mentions, e.tags))
        for t, b, lang, e in enriched
    )
    discover = _best(
        lambda: [
            discovery.find(t, b, lang, e.mentions, e.title_mentions, e.tags)
            for t, b, lang, e in enriched
        ],
        args.repeat,
    )
    enrich = _best(
        lambda: [enricher.enrich(t, b, None) for t, b, _lang in items], max(1, args.repeat // 2)
    )
    n = len(items)
    print(
        json.dumps(
            {
                "articles": n,
                "candidates": found,
                "discovery_us_per_article_cpu": round(discover / n * 1e6, 1),
                "enrichment_us_per_article_cpu": round(enrich / n * 1e6, 1),
                "share_of_enrichment": round(discover / enrich, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
