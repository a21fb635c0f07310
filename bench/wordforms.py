"""What word forms cost at ingestion: the database search text of an article with and without
its forms (app.search.database.search_text against app.text.index_tokens), on the synthetic
multilingual corpus of bench.corpus, one process, warm caches after a first pass.

    python -m bench.wordforms --count 5000 [--report bench/reports/wordforms.json]
"""

import argparse
import json
import os
import statistics
import time

from app.search.database import search_text
from app.text import index_tokens
from bench.corpus import generate


def _per_article(fn, articles) -> float:
    start = time.perf_counter()
    for a in articles:
        fn(a)
    return (time.perf_counter() - start) / len(articles) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--report")
    args = parser.parse_args()
    articles = list(generate(args.count))
    runs = {"tokens": [], "tokens_and_forms": []}
    for _ in range(3):
        runs["tokens"].append(_per_article(
            lambda a: " ".join(index_tokens(a["title"] + "\n" + a["body"])), articles))
        runs["tokens_and_forms"].append(_per_article(
            lambda a: search_text(a["title"], a["body"], a.get("lang")), articles))
    sizes = [(len(index_tokens(a["title"] + "\n" + a["body"])),
              len(search_text(a["title"], a["body"], a.get("lang")).split(" "))) for a in articles[:500]]
    result = {
        "articles": args.count, "cores": os.cpu_count(),
        "ms_per_article": {k: round(statistics.median(v[1:]), 3) for k, v in runs.items()},
        "tokens_per_article": {"without_forms": round(statistics.mean(s[0] for s in sizes), 1),
                               "with_forms": round(statistics.mean(s[1] for s in sizes), 1)},
    }
    print(json.dumps(result, indent=2))
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump({"result": result}, f, indent=2)


if __name__ == "__main__":
    main()
