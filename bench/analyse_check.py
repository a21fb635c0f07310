"""Whether two trees' worker step (app.ingest.pipeline.analyse) gives the same output.

    python -m bench.analyse_check dump OUT.pickle [--count 10000]   # in each tree
    python -m bench.analyse_check compare A.pickle B.pickle

`dump` analyses, in one process and in order, COUNT bench.corpus items and every article of
app/data/eval/*.jsonl (those with a body: the labelled, restriction and discovery sets; each
twice, once with its language given and once without, so that language detection runs too),
and pickles every field of each result: tags, mentions, restriction links with role and
reason, language, dates, search text, content hash, shingles, discovery candidates. The
enrichment version (a digest of app/enrich's code) is kept apart, as it changes with any edit
there. `compare` names the items and fields that differ. Run with a fixed PYTHONHASHSEED on
both sides (a reason text of the linker depends on it, see bench/reports/linkercpu.md).
"""

import argparse
import json
import pickle
import sys
from pathlib import Path

from app import gazetteer as gz
from app.enrich import Enricher
from app.ingest.items import RawItem
from app.ingest.pipeline import analyse
from bench.corpus import generate

EVAL = Path(__file__).resolve().parent.parent / "app" / "data" / "eval"
VERSION_FIELD = 11  # Analysed.gazetteer_version (the enrichment version)
PUBLISHED, ESTIMATED = 6, 7  # an estimated date is the time of the run: masked


def items(count: int) -> list[RawItem]:
    out = [
        RawItem(
            origin=f"bench:{i}",
            body=a["body"],
            title=a["title"],
            url=a["url"],
            published_at=a["published_at"],
            lang=a.get("lang"),
            source=a.get("source"),
        )
        for i, a in enumerate(generate(count))
    ]
    for path in sorted(EVAL.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            a = json.loads(line)
            if not a.get("body"):
                continue
            for lang in (a.get("lang"), None):
                out.append(
                    RawItem(
                        origin=f"{path.stem}:{n}:{lang}",
                        body=a["body"],
                        title=a.get("title"),
                        url=a.get("url"),
                        published_at=a.get("published_at"),
                        lang=lang,
                        source=None,
                    )
                )
    return out


def _plain(result) -> tuple:
    fields = tuple(result.__dict__.values()) if hasattr(result, "__dict__") else tuple(result)
    return tuple(f.tobytes() if hasattr(f, "tobytes") else f for f in fields)


def dump(out: Path, count: int) -> None:
    enricher = Enricher(gz.default())
    results, versions = [], set()
    for item in items(count):
        fields = _plain(analyse(item, None, enricher))
        if len(fields) > VERSION_FIELD and type(fields[VERSION_FIELD]) is str:
            versions.add(fields[VERSION_FIELD])
            fields = fields[:VERSION_FIELD] + ("",) + fields[VERSION_FIELD + 1 :]
            if fields[ESTIMATED] is True:
                fields = fields[:PUBLISHED] + (None,) + fields[PUBLISHED + 1 :]
        results.append((item.origin, fields))
    out.write_bytes(pickle.dumps({"results": results, "versions": sorted(versions)}, protocol=5))
    print(f"{len(results)} items dumped to {out}")


def compare(a: Path, b: Path) -> int:
    left, right = pickle.loads(a.read_bytes()), pickle.loads(b.read_bytes())
    if len(left["results"]) != len(right["results"]):
        print(f"item counts differ: {len(left['results'])} vs {len(right['results'])}")
        return 1
    differ = 0
    for (origin, x), (_o, y) in zip(left["results"], right["results"]):
        if x != y:
            differ += 1
            fields = [i for i in range(max(len(x), len(y))) if x[i : i + 1] != y[i : i + 1]]
            if differ <= 20:
                print(f"{origin}: fields {fields} differ")
    print(
        f"{len(left['results'])} items, {differ} differ "
        f"(enrichment versions {left['versions']} / {right['versions']})"
    )
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="analyse the items and pickle the results")
    d.add_argument("out", type=Path)
    d.add_argument("--count", type=int, default=10_000, help="bench.corpus items")
    c = sub.add_parser("compare", help="name the items whose results differ")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.count)
    else:
        sys.exit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
