"""Measure enrichment against the labelled evaluation set (app/data/eval/articles.jsonl).

Every article carries the gold entities an analyst would tag (see app/data/eval/README.md) and
its cited sources. Scores are micro-averaged per entity type over all articles: a true positive
is an (article, entity) pair both in gold and tagged. Misses list false negatives and false
positives with the article id and the surface that produced the tag, so a regression can be
traced to an alias, a boundary or the restriction rule.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.enrich import Enricher
from app.gazetteer import ENTITY_TYPES

DATA = Path(__file__).resolve().parent.parent / "data"
EVAL_SET = DATA / "eval" / "articles.jsonl"
# Restriction labels for the bundled sample corpus (written by others: a held-out check).
SAMPLE_GOLD = DATA / "eval" / "sample_restrictions.jsonl"
SAMPLE = DATA / "sample" / "articles.jsonl"
SOURCES = "cited_sources"
KINDS = (*ENTITY_TYPES, SOURCES)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Miss:
    article_id: str
    kind: str  # an entity type or "cited_sources"
    error: str  # "fn" (gold, not tagged) or "fp" (tagged, not gold)
    value: str  # entity id or source name
    surface: str = ""  # what produced a false positive (or "" for a false negative)
    reason: str = ""  # "mention", "title", "implied-restriction", ...

    def to_dict(self) -> dict:
        return {
            "article": self.article_id,
            "type": self.kind,
            "error": self.error,
            "id": self.value,
            "surface": self.surface,
            "reason": self.reason,
        }


@dataclass
class Report:
    articles: int
    languages: dict[str, int]
    gazetteer_version: str
    scores: dict[str, Score]
    misses: list[Miss] = field(default_factory=list)
    by_language: dict[str, Score] = field(default_factory=dict)
    # The restriction rule (links an article to a restriction it does not name).
    rule: dict[str, int] = field(default_factory=dict)
    labelled: set[str] = field(default_factory=lambda: set(KINDS))

    @property
    def kinds(self) -> list[str]:
        return [k for k in KINDS if k in self.labelled]

    def worst_f1(self) -> float:
        return min(self.scores[k].f1 for k in ENTITY_TYPES if k in self.labelled)

    def to_dict(self) -> dict:
        return {
            "articles": self.articles,
            "languages": self.languages,
            "gazetteer_version": self.gazetteer_version,
            "scores": {k: self.scores[k].to_dict() for k in self.kinds},
            "by_language": {k: s.to_dict() for k, s in sorted(self.by_language.items())},
            "restriction_rule": self.rule,
            "misses": [m.to_dict() for m in self.misses],
        }

    def format_text(self, show_misses: bool = True) -> str:
        langs = ", ".join(f"{k} {v}" for k, v in sorted(self.languages.items()))
        lines = [
            f"{self.articles} articles ({langs}); gazetteer {self.gazetteer_version}",
            "",
            f"{'type':<15}{'precision':>10}{'recall':>8}{'F1':>8}{'tp':>6}{'fp':>5}{'fn':>5}",
        ]
        for kind in self.kinds:
            s = self.scores[kind]
            lines.append(
                f"{kind:<15}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}"
                f"{s.tp:>6}{s.fp:>5}{s.fn:>5}"
            )
        r = self.rule
        lines += [
            "",
            f"restriction rule: {r['linked']} links by the rule ({r['correct']} correct, "
            f"{r['wrong']} wrong); {r['missed']} gold restrictions neither named nor "
            f"inferred; {r['named']} found by name",
        ]
        if show_misses and self.misses:
            lines += ["", "misses:"]
            for m in self.misses:
                detail = f"  <- {m.surface!r} ({m.reason})" if m.error == "fp" else ""
                lines.append(
                    f"  {m.error.upper()} {m.article_id:<8} {m.kind:<13} {m.value}{detail}"
                )
        return "\n".join(lines)


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_eval_set(path: Path = EVAL_SET) -> list[dict]:
    """Labelled articles; an article may carry `labelled` (the types its gold covers)."""
    return _jsonl(path)


def load_sample_set(gold: Path = SAMPLE_GOLD, corpus: Path = SAMPLE) -> list[dict]:
    """The sample corpus with its restriction labels (only restrictions are scored)."""
    by_url = {a["url"]: a for a in _jsonl(corpus)}
    out = []
    for g in _jsonl(gold):
        art = by_url[g["url"]]
        out.append(
            {
                "id": g["id"],
                "lang": art["lang"],
                "title": art["title"],
                "body": art["body"],
                "published_at": art["published_at"],
                "gold": {"restriction": g["restriction"]},
                "labelled": ["restriction"],
            }
        )
    return out


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def evaluate(articles: list[dict], enricher: Enricher) -> Report:
    """Tag every article and compare with its gold labels."""
    entities = enricher.gazetteer.entities
    scores = {k: Score() for k in KINDS}
    by_lang: dict[str, Score] = defaultdict(Score)
    misses: list[Miss] = []
    rule = {"linked": 0, "correct": 0, "wrong": 0, "missed": 0, "named": 0}
    for art in articles:
        result = enricher.enrich(art.get("title", ""), art["body"], _date(art.get("published_at")))
        surfaces: dict[str, str] = {}
        for hit in [*result.mentions, *result.title_mentions]:
            surfaces.setdefault(hit.entity_id, hit.surface)
        found: dict[str, set[str]] = {k: set() for k in KINDS}
        for eid in result.tags:
            found[entities[eid].type].add(eid)
        found[SOURCES] = set(result.cited_sources)
        gold = {k: set(art["gold"].get(k, ())) for k in ENTITY_TYPES}
        gold[SOURCES] = set(art.get(SOURCES, ()))
        for kind in art.get("labelled", KINDS):
            for value in sorted(gold[kind] | found[kind]):
                hit, want = value in found[kind], value in gold[kind]
                score = scores[kind]
                if hit and want:
                    score.tp += 1
                elif want:
                    score.fn += 1
                    misses.append(Miss(art["id"], kind, "fn", value))
                else:
                    score.fp += 1
                    reason = result.tags.get(value, "cue" if kind == SOURCES else "")
                    surface = result.evidence.get(value, surfaces.get(value, value))
                    misses.append(Miss(art["id"], kind, "fp", value, surface, reason))
                if kind != SOURCES:
                    lang = by_lang[art["lang"]]
                    lang.tp += hit and want
                    lang.fp += hit and not want
                    lang.fn += want and not hit
        if "restriction" not in art.get("labelled", KINDS):
            continue
        for rx in gold["restriction"] | found["restriction"]:
            reason = result.tags.get(rx)
            if reason == "implied-restriction":
                rule["linked"] += 1
                rule["correct" if rx in gold["restriction"] else "wrong"] += 1
            elif reason:
                rule["named"] += rx in gold["restriction"]
            else:
                rule["missed"] += 1
    languages: dict[str, int] = defaultdict(int)
    for art in articles:
        languages[art["lang"]] += 1
    labelled = {k for art in articles for k in art.get("labelled", KINDS)}
    return Report(
        len(articles),
        dict(languages),
        enricher.gazetteer.version,
        scores,
        misses,
        dict(by_lang),
        rule,
        labelled,
    )
