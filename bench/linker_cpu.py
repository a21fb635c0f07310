"""CPU per enriched article with warm memos (the restriction linker dominates it).

    python -m bench.linker_cpu          # prints min and median ms/article over 5 timed passes

The labelled and sample articles are cycled to 2,000, enriched once to warm the memos, then
timed five times with time.process_time. Run it back to back against another tree (e.g. a
`git archive` of main with PYTHONPATH pointing at it) and compare medians; record `uptime`.
"""

import argparse
import time
from datetime import datetime
from itertools import cycle, islice

from app import gazetteer as gz
from app.enrich import Enricher
from app.enrich.evaluate import load_eval_set, load_sample_set


def main(count: int = 2000, passes: int = 5) -> None:
    arts = [
        (a["title"], a["body"], datetime.fromisoformat(a["published_at"]))
        for a in load_eval_set() + load_sample_set()
    ]
    enricher = Enricher(gz.default())
    batch = list(islice(cycle(arts), count))
    for title, body, published in batch:
        enricher.enrich(title, body, published)
    runs = []
    for _ in range(passes):
        start = time.process_time()
        for title, body, published in batch:
            enricher.enrich(title, body, published)
        runs.append((time.process_time() - start) / len(batch) * 1000)
    runs.sort()
    print(f"ms/article min {runs[0]:.3f} median {runs[len(runs) // 2]:.3f}")


if __name__ == "__main__":
    # argparse, so that --help (which tests/test_readme_commands.py runs) does not run the bench
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=2000, help="articles per timed pass")
    parser.add_argument("--passes", type=int, default=5, help="timed passes")
    args = parser.parse_args()
    main(args.count, args.passes)
