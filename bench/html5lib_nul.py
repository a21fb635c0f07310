"""html5lib's tree-construction documents that hold a NUL byte, through chipwatch's reading of a file.

    PYTHONPATH=.:/tmp/h5lib python -m bench.html5lib_nul /tmp/hostile-corpora

The corpus folder is the one bench/hostile_corpora.py reads (its docstring fetches it). Each
document with a NUL is read as an .html file (decoding, then the extract stage), alone and with
an article appended; with html5lib importable (see bench/html5lib_extract.py) each outcome is
compared with whether a browser shows the appended article (bench/reports/nulbytes.md).
"""

import argparse
from collections import Counter
from pathlib import Path

from app.ingest.formats import html_to_item
from app.ingest.items import Rejected
from app.ingest.targets import from_bytes
from bench.hostile_corpora import html5lib_documents
from bench.html5lib_extract import ARTICLE, browser_shows_article


def outcome(page: str) -> str:
    (got,) = list(from_bytes(page.encode("utf-8", "surrogatepass"), "doc.html", ".html"))
    if isinstance(got, Rejected):
        return "refused: " + got.reason.split(" (")[0]
    try:
        item = html_to_item(got.html or "", "html5lib")
    except Exception as exc:  # noqa: BLE001 - what the extract stage turns into a rejection
        return f"extract: {exc}"
    return "article kept" if "H20 accelerator" in (item.body or "") else "read, no article text"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", type=Path)
    args = parser.parse_args()
    docs = [d for d in html5lib_documents(args.corpora) if "\x00" in d]
    tally: Counter[str] = Counter()
    for doc in docs:
        tally["alone | " + outcome(doc)] += 1
        got = outcome(doc + ARTICLE)
        shows = browser_shows_article(doc + ARTICLE)
        oracle = (
            "" if shows is None else (" | browser shows it" if shows else " | browser hides it")
        )
        tally["with an article | " + got + oracle] += 1
    print(f"{len(docs)} documents with a NUL byte")
    for key, count in sorted(tally.items()):
        print(f"{key} | {count}")


if __name__ == "__main__":
    main()
