"""Restriction linking measured on news-style articles (app/data/eval/restrictions.jsonl).

Each article lists the restrictions it REPORTS (its news) and those it refers to as CONTEXT.
The set is split deterministically into a development part (rules and thresholds are tuned on
it) and a test part (reported, never tuned on): within each language, articles are ordered by a
hash of their id and alternate dev/test, so both parts hold every language. Articles added after
tuning began carry their own `part` (and an `added` note saying they were written before the
linker was run on them), so adding them never moves an older article between the parts.

Scores: precision, recall and F1 of (article, restriction) links, overall, per language and per
class (gold role for recall; restriction category), and how often the role of a correct link
(reported or context) is right. Misses list each false link with the reason the linker gave.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.enrich import Enricher
from app.enrich.evaluate import DATA, Score

RESTRICTION_SET = DATA / "eval" / "restrictions.jsonl"
PARTS = ("dev", "test")


def load_restriction_set(path: Path = RESTRICTION_SET) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    by_lang: dict[str, list[dict]] = defaultdict(list)
    for art in articles:
        # Articles added later carry their part (so adding them moves no older article between
        # dev and test); the others alternate by hash within their language.
        if art.get("part") not in PARTS:
            by_lang[art["lang"]].append(art)
    for group in by_lang.values():
        group.sort(key=lambda a: hashlib.sha1(a["id"].encode()).hexdigest())
        for k, art in enumerate(group):
            art["part"] = PARTS[k % 2]
    return articles


@dataclass
class PartReport:
    name: str
    articles: int = 0
    score: Score = field(default_factory=Score)
    by_language: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_category: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    recall_by_role: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    role_right: int = 0
    role_total: int = 0
    misses: list[dict] = field(default_factory=list)

    @property
    def role_accuracy(self) -> float:
        return self.role_right / self.role_total if self.role_total else 1.0

    def to_dict(self) -> dict:
        return {
            "articles": self.articles,
            "restriction": self.score.to_dict(),
            "by_language": {k: v.to_dict() for k, v in sorted(self.by_language.items())},
            "by_category": {k: v.to_dict() for k, v in sorted(self.by_category.items())},
            "recall_by_role": {k: v.to_dict() for k, v in sorted(self.recall_by_role.items())},
            "role_accuracy": round(self.role_accuracy, 4),
            "role_links": self.role_total,
            "misses": self.misses,
        }

    def format_text(self, show_misses: bool = True) -> str:
        s = self.score
        lines = [
            f"[{self.name}] {self.articles} articles: restriction P {s.precision:.3f} "
            f"R {s.recall:.3f} F1 {s.f1:.3f} (tp {s.tp}, fp {s.fp}, fn {s.fn}); role right "
            f"{self.role_right}/{self.role_total} = {self.role_accuracy:.3f}"
        ]
        for title, table in (
            ("language", self.by_language),
            ("category", self.by_category),
            ("gold role", self.recall_by_role),
        ):
            lines.append(f"  {title:<22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>4}{'fn':>4}")
            for key, v in sorted(table.items()):
                lines.append(
                    f"  {key:<22}{v.precision:>7.3f}{v.recall:>7.3f}{v.f1:>7.3f}"
                    f"{v.tp:>5}{v.fp:>4}{v.fn:>4}"
                )
        if show_misses and self.misses:
            lines.append("  misses:")
            for m in self.misses:
                why = f"  <- {m['reason']}" if m["reason"] else ""
                lines.append(f"    {m['error'].upper():<5} {m['article']:<11} {m['id']}{why}")
        return "\n".join(lines)


def _links(result) -> dict[str, tuple[str, str]]:
    """Restriction id -> (role, reason) from an enrichment."""
    return {rid: (link.role, link.reason) for rid, link in result.restrictions.items()}


def evaluate_restrictions(articles: list[dict], enricher: Enricher) -> dict[str, PartReport]:
    entities = enricher.gazetteer.entities
    parts = {name: PartReport(name) for name in PARTS}
    for art in articles:
        part = parts[art.get("part", "test")]
        part.articles += 1
        published = datetime.fromisoformat(art["published_at"]) if art.get("published_at") else None
        result = enricher.enrich(art.get("title", ""), art["body"], published)
        found = _links(result)
        gold_role = {rid: "context" for rid in art.get("context", ())}
        gold_role.update({rid: "reported" for rid in art.get("reported", ())})
        for rid in sorted(set(gold_role) | set(found)):
            hit, want = rid in found, rid in gold_role
            category = entities[rid].raw.get("category", "?") if rid in entities else "?"
            for score in (part.score, part.by_language[art["lang"]], part.by_category[category]):
                score.tp += hit and want
                score.fp += hit and not want
                score.fn += want and not hit
            if want:
                role = part.recall_by_role[gold_role[rid]]
                role.tp += hit
                role.fn += not hit
            if hit and want:
                part.role_total += 1
                if found[rid][0] == gold_role[rid]:
                    part.role_right += 1
                else:
                    part.misses.append(
                        {
                            "article": art["id"],
                            "error": "role",
                            "id": rid,
                            "reason": f"said {found[rid][0]}, gold {gold_role[rid]}",
                        }
                    )
            elif hit or want:
                part.misses.append(
                    {
                        "article": art["id"],
                        "error": "fp" if hit else "fn",
                        "id": rid,
                        "reason": found[rid][1] if hit else "",
                    }
                )
    return parts


def format_parts(parts: dict[str, PartReport], show_misses: bool = True) -> str:
    head = f"restriction linking on news-style articles ({RESTRICTION_SET.name}; tuned on dev only)"
    return "\n\n".join([head, *(p.format_text(show_misses) for p in parts.values())])


def restriction_linking(enricher: Enricher) -> dict[str, PartReport]:
    """Both parts of the bundled restriction set (what `chipwatch eval` prints after the table)."""
    return evaluate_restrictions(load_restriction_set(), enricher)
