"""Restriction linking scored per group of the labelled set (old / rx3 / rx3d / rx4 / rx5 / rx6 /
rx8 / rx9 / rx10 / rx11 / rx12 / rx13 / rx14 / rx15 / rx16 / rx17 / rx18a-e / rx19b / rxde / rxded / rxde2 /
rxde3 / combined).

    python -m bench.restriction_groups /tmp/restriction-groups.json [--dev-misses]

The JSON goes to the path given (any path; nothing is written without one). Keep a run by
copying it to bench/reports/ under a name that says which run it is.

Groups follow each article's `added` note: the articles before the third round ("old"), the
rx3 blind batch, the rx3 dev-only articles, the rx4 and rx5 blind batches, the rx6 blind batch
(German, Dutch, Spanish and relaxations), the rx8 blind batch (Japanese and Korean), the rx9
blind batch (English and German), the rx10 blind batch (back-references), the rx11 blind batch
(back-references in en/ar/zh/fr/ko), the rx14 batch (German and French back-references), the rxde blind
batch (German) and its dev-only back-references (rxded), the rxde2 batch written after the
German changes (rxde2) and the rxde3 batch (German, written before the third round of German
changes), the rx16 batch (false-link traps in eight languages and
back-references in es/nl/ja/ko), the rx17 batch (follow-up articles: reactions to an action,
new steps about one), the rx18a batch (German/French/Spanish/Dutch phrasings of China's
Nexperia export ban, SAMR's Nvidia antitrust finding and Beijing's H20 warning, from realdev6a),
the rx18b batch (the Dutch Nexperia order referred back in zh/ja/ar/ko, written before the
realdev6b change), the rx18c batch (false-link traps from real excerpts: "after that"
sentences, listings only being considered), the rx18d batch (recaps of earlier controls:
timeline lines dated by their own month, China urging firms not to buy the H20), the rx18e batch (German/French phrasings
from realdev6e: typographic apostrophes in French year phrases, the Nexperia ban and order) and the rx19b
batch (carry8: the Nexperia ban told right after a sentence dated to the Dutch order's September, de/zh/ar).
Prints
P / R / F1 per group and part (dev, test), per language, per class and per gold role, and writes
them as JSON. Misses are printed for dev only (test misses are never read while tuning).
"""

import argparse
import json

from app.enrich import default_enricher
from app.enrich.evaluate_restrictions import evaluate_restrictions, load_restriction_set


def group_of(article: dict) -> str:
    added = article.get("added", "")
    for prefix, name in (
        ("rx19b batch", "rx19b"),
        ("rx18d batch", "rx18d"),
        ("rx18e batch", "rx18e"),
        ("rx18c batch", "rx18c"),
        ("rx18a batch", "rx18a"),
        ("rx18b batch", "rx18b"),
        ("rx17 batch", "rx17"),
        ("rx16 batch", "rx16"),
        ("rx15 batch", "rx15"),
        ("rx14 batch", "rx14"),
        ("rx13 batch", "rx13"),
        ("rx12 batch", "rx12"),
        ("rx11 batch", "rx11"),
        ("rx10 batch", "rx10"),
        ("rxde3 batch", "rxde3"),
        ("rxde2 batch", "rxde2"),
        ("rxde batch", "rxde"),
        ("rxde dev only", "rxded"),
        ("rx9 batch", "rx9"),
        ("rx8 batch", "rx8"),
        ("rx6 batch", "rx6"),
        ("rx5 batch", "rx5"),
        ("rx4 batch", "rx4"),
        ("rx3 batch", "rx3"),
        ("rx3 dev only", "rx3d"),
        ("rx4 dev only", "rx4d"),
    ):
        if added.startswith(prefix):
            return name
    return "old"


def _prf(score) -> list:
    return [round(score.precision, 3), round(score.recall, 3), round(score.f1, 3)]


def main(out: str | None = None, show_dev_misses: bool = False) -> dict:
    articles = load_restriction_set()
    enricher = default_enricher()
    groups: dict[str, list[dict]] = {"combined": articles}
    for art in articles:
        groups.setdefault(group_of(art), []).append(art)
    report: dict = {}
    for name, arts in groups.items():
        for part_name, part in evaluate_restrictions(arts, enricher).items():
            if not part.articles:
                continue
            row = {
                "articles": part.articles,
                "all": _prf(part.score) + [part.score.tp, part.score.fp, part.score.fn],
                "lang": {k: _prf(v) for k, v in sorted(part.by_language.items())},
                "class": {k: _prf(v) for k, v in sorted(part.by_category.items())},
                "role_recall": {
                    k: [round(v.recall, 3), v.tp, v.tp + v.fn]
                    for k, v in sorted(part.recall_by_role.items())
                },
                "role_acc": round(part.role_accuracy, 3),
            }
            report[f"{name}/{part_name}"] = row
            print(f"{name}/{part_name}: {json.dumps(row, ensure_ascii=False)}")
            if show_dev_misses and part_name == "dev" and name == "combined":
                for m in part.misses:
                    print("   ", m["error"], m["article"], m["id"], m["reason"][:120])
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1, ensure_ascii=False)
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", nargs="?", help="write the report as JSON to this path")
    parser.add_argument("--dev-misses", action="store_true", help="print the dev part's misses")
    args = parser.parse_args()
    main(args.out, args.dev_misses)
