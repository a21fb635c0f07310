"""CPU per item of the worker side of ingestion (app.ingest.pipeline.analyse), one process.

    python -m bench.analyse_cpu [COUNT]        # default 1,500 bench.corpus items

Prints process_time per item (min of 3 passes after a warm-up pass) of analyse() and, on the
same prepared articles, of search_text and Enricher.enrich. Run it back to back against
another tree (a `git archive` of it, run from that directory with PYTHONPATH pointing at it)
and record `uptime`.
"""

import argparse
import time

from app import gazetteer as gz
from app.enrich import Enricher
from app.ingest.items import RawItem
from app.ingest.pipeline import analyse
from app.search.documents import search_text
from bench.corpus import generate


def _ms_per_item(fn, count: int, passes: int = 3) -> float:
    best = float("inf")
    for _ in range(passes):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best / count * 1000


def main(count: int = 1500) -> None:
    items = [
        RawItem(origin=f"bench:{i}", body=a["body"], title=a["title"], url=a["url"],
                published_at=a["published_at"], lang=a.get("lang"), source=a.get("source"))
        for i, a in enumerate(generate(count))
    ]
    enricher = Enricher(gz.default())
    out = [analyse(item, None, enricher) for item in items]  # warm the memos
    print(f"analyse ms/item {_ms_per_item(lambda: [analyse(i, None, enricher) for i in items], count):.3f}")
    docs = [(o.title, o.body, o.lang, o.published_at) for o in out]
    print(f"search_text ms/item {_ms_per_item(lambda: [search_text(t, b, la) for t, b, la, _p in docs], count):.3f}")
    print(f"enrich ms/item {_ms_per_item(lambda: [enricher.enrich(t, b, p) for t, b, _la, p in docs], count):.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1500, help="bench.corpus items")
    main(parser.parse_args().count)
