"""Restriction linking scored on a file of real news excerpts kept outside the repo.

    python -m bench.real_excerpts /work/realnews/excerpts.jsonl [--out report.json] [--misses]

Real outlets' text cannot be committed, so the file stays outside the repo; it has the format of
app/data/eval/restrictions.jsonl (id, lang, title, body, published_at, reported, context) plus
each excerpt's `url`. The excerpts are split by the sha1 of their URL: a third (sha1 % 3 == 0) is
the held-out part, whose misses are never printed, so a score tuned on the rest can be checked on
text nobody read the misses of. Prints P / R / F1 per part, overall, per language and per role
(a link counts for a role when the linker gives the gold role), and the role accuracy of correct
links; with --misses, the development part's false links and misses with their reasons.
"""

import argparse
import hashlib
import json
from datetime import datetime
from pathlib import Path

from app.enrich import Enricher, default_enricher
from app.enrich.evaluate import Score
from app.enrich.evaluate_restrictions import PartReport, evaluate_restrictions

ROLES = ("reported", "context")
# evaluate_restrictions names its parts dev / test; here "test" is the held-out third.
PART_NAMES = {"dev": "development", "test": "held-out"}


def held_out(url: str) -> bool:
    return int(hashlib.sha1(url.encode()).hexdigest(), 16) % 3 == 0


def load_excerpts(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    for art in articles:
        art["part"] = "test" if held_out(art["url"]) else "dev"
    return articles


def role_scores(articles: list[dict], enricher: Enricher) -> dict[str, dict[str, Score]]:
    """Per part, P/R of (article, restriction, role) triples for each role."""
    out: dict[str, dict[str, Score]] = {p: {r: Score() for r in ROLES} for p in PART_NAMES}
    for art in articles:
        published = datetime.fromisoformat(art["published_at"]) if art.get("published_at") else None
        found = enricher.enrich(art.get("title", ""), art["body"], published).restrictions
        gold = {rid: "context" for rid in art.get("context", ())}
        gold.update({rid: "reported" for rid in art.get("reported", ())})
        for role, score in out[art["part"]].items():
            want = {rid for rid, r in gold.items() if r == role}
            got = {rid for rid, link in found.items() if link.role == role}
            score.tp += len(want & got)
            score.fp += len(got - want)
            score.fn += len(want - got)
    return out


def report(articles: list[dict], enricher: Enricher) -> dict:
    parts = evaluate_restrictions(articles, enricher)
    roles = role_scores(articles, enricher)
    everything = Score()
    for part in parts.values():
        everything.tp += part.score.tp
        everything.fp += part.score.fp
        everything.fn += part.score.fn
    result: dict = {"articles": len(articles), "all": Score.to_dict(everything)}
    for key, name in PART_NAMES.items():
        part: PartReport = parts[key]
        result[name] = {
            "articles": part.articles,
            "restriction": Score.to_dict(part.score),
            "by_language": {k: Score.to_dict(v) for k, v in sorted(part.by_language.items())},
            "recall_by_gold_role": {
                k: Score.to_dict(v) for k, v in sorted(part.recall_by_role.items())
            },
            "by_role_strict": {k: Score.to_dict(v) for k, v in roles[key].items()},
            "role_accuracy": round(part.role_accuracy, 4),
            "role_links": part.role_total,
        }
    result["development"]["misses"] = parts["dev"].misses
    return result


def _line(name: str, s: dict) -> str:
    return (
        f"{name:<24} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} "
        f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']})"
    )


def format_report(result: dict, show_misses: bool) -> str:
    lines = [_line(f"all {result['articles']} excerpts", result["all"])]
    for name in PART_NAMES.values():
        part = result[name]
        lines.append(_line(f"[{name}] {part['articles']}", part["restriction"]))
        lines.append(
            f"  role right for {part['role_accuracy']:.3f} of {part['role_links']} correct links"
        )
        for title in ("by_language", "by_role_strict"):
            for key, s in part[title].items():
                lines.append("  " + _line(f"{title.split('_')[-1]} {key}", s))
        for key, s in part["recall_by_gold_role"].items():
            lines.append(
                f"  recall of gold {key:<14} {s['recall']:.3f} ({s['tp']} of {s['tp'] + s['fn']})"
            )
    if show_misses:
        lines.append("development misses (the held-out part's are never printed):")
        for m in result["development"]["misses"]:
            lines.append(
                f"  {m['error'].upper():<5} {m['article']:<13} {m['id']}  {m['reason'][:110]}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("path", type=Path, help="JSON lines of excerpts (kept outside the repo)")
    parser.add_argument("--out", type=Path, help="write the scores as JSON to this path")
    parser.add_argument("--misses", action="store_true", help="print the development part's misses")
    args = parser.parse_args(argv)
    result = report(load_excerpts(args.path), default_enricher())
    print(format_report(result, args.misses))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
