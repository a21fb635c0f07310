"""Measure search relevance on the judged query set (app/data/eval/queries.jsonl).

The document universe is every article of the bundled sample corpus (ids `sample-00`...,
by line) and of the labelled evaluation set (`en-001`, `ar-001`...): 194 articles in nine
languages. Each judged query lists its relevant articles with a grade (2: about what was
asked, 1: relevant in part); every other article is judged 0. Queries with no relevant
article are zero-relevance controls.

Each engine gets a fresh store with the same articles, ingested by the real pipeline, and
answers the queries through the same search service as /api/search (per_page 10):

- recall@10: relevant articles in the first ten over min(10, relevant articles);
- nDCG@10: graded gain 2^g - 1, the ideal order from all judged articles;
- MRR: 1 / rank of the first relevant article in the first ten (0 when none);
- zero-result rate: judged queries (with a relevant article) that return no hit at all.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
QUERIES = DATA / "eval" / "queries.jsonl"
SAMPLE = DATA / "sample" / "articles.jsonl"
LABELLED = DATA / "eval" / "articles.jsonl"
EVAL_URL = "https://eval.chipwatch.example/articles/{}"
K = 10
ENGINES = ("sqlite", "postgresql", "meilisearch")
ENGINE_NAMES = {"sqlite": "FTS5 (SQLite)", "postgresql": "PostgreSQL", "meilisearch": "Meilisearch"}


@dataclass
class JudgedQuery:
    id: str
    q: str
    lang: str
    kind: str
    relevant: dict[str, int]
    params: dict[str, str] = field(default_factory=dict)
    note: str = ""
    # "" for the set the ranking was tuned on; "round3": written and judged afterwards, before
    # any tuning for it, and kept apart so it keeps measuring queries nobody tuned for.
    set: str = ""


def load_queries(path: Path = QUERIES) -> list[JudgedQuery]:
    queries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            queries.append(
                JudgedQuery(
                    raw["id"],
                    raw["q"],
                    raw["lang"],
                    raw["kind"],
                    {k: int(v) for k, v in raw.get("relevant", {}).items()},
                    {k: str(v) for k, v in raw.get("params", {}).items()},
                    raw.get("note", ""),
                    str(raw.get("set", "")),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a judged query ({exc})") from None
    return queries


def corpus() -> list[dict]:
    """The document universe, each record with its judged id (`doc`) and a unique url."""
    docs = []
    for i, line in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines()):
        raw = json.loads(line)
        docs.append({**raw, "doc": f"sample-{i:02d}"})
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        docs.append(
            {
                "title": raw["title"],
                "body": raw["body"],
                "lang": raw["lang"],
                "published_at": raw["published_at"],
                "source": "chipwatch eval",
                "url": EVAL_URL.format(raw["id"]),
                "doc": raw["id"],
            }
        )
    return docs


# --- metrics ----------------------------------------------------------------------------------


def _dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def score(ranked: list[int], grades: dict[int, int]) -> dict[str, float]:
    """recall@10, nDCG@10 and reciprocal rank of one ranked list of article ids."""
    top = ranked[:K]
    relevant = {a for a, g in grades.items() if g > 0}
    found = [a for a in top if a in relevant]
    recall = len(found) / min(K, len(relevant))
    ideal = _dcg(sorted(grades.values(), reverse=True)[:K])
    ndcg = _dcg([grades.get(a, 0) for a in top]) / ideal
    rr = next((1 / (i + 1) for i, a in enumerate(top) if a in relevant), 0.0)
    return {"recall": recall, "ndcg": ndcg, "rr": rr}


@dataclass
class QueryResult:
    query: JudgedQuery
    returned: list[str]  # judged doc ids of the first hits (a duplicate shows as its canonical)
    titles: list[str]
    total: int
    recall: float = 0.0
    ndcg: float = 0.0
    rr: float = 0.0


@dataclass
class EngineReport:
    engine: str
    results: list[QueryResult]
    error: str | None = None

    @property
    def judged(self) -> list[QueryResult]:
        return [r for r in self.results if r.query.relevant]

    def mean(self, attr: str) -> float:
        judged = self.judged
        return sum(getattr(r, attr) for r in judged) / len(judged) if judged else 0.0

    @property
    def zero_result_rate(self) -> float:
        judged = self.judged
        return sum(1 for r in judged if r.total == 0) / len(judged) if judged else 0.0

    @property
    def zero_result_queries(self) -> list[str]:
        return [r.query.id for r in self.judged if r.total == 0]

    @property
    def controls_with_hits(self) -> int:
        return sum(1 for r in self.results if not r.query.relevant and r.total)

    def only(self, set_name: str) -> "EngineReport":
        """The same report over the queries of one set ("" : the tuned set)."""
        return EngineReport(
            self.engine, [r for r in self.results if r.query.set == set_name], self.error
        )

    @property
    def sets(self) -> list[str]:
        return sorted({r.query.set for r in self.results})

    def worst(self, n: int = 10) -> list[QueryResult]:
        return sorted(self.judged, key=lambda r: (r.ndcg, r.recall, r.query.id))[:n]

    def summary(self) -> dict:
        # "queries" holds the per-query rows (it once also held their count, a key written twice)
        queries = [
            {
                "id": r.query.id,
                "q": r.query.q,
                "recall@10": round(r.recall, 4),
                "ndcg@10": round(r.ndcg, 4),
                "rr": round(r.rr, 4),
                "total": r.total,
                "returned": r.returned,
            }
            for r in self.results
        ]
        by_set = {
            name or "tuned": {
                "judged": len(part.judged),
                "recall@10": round(part.mean("recall"), 4),
                "ndcg@10": round(part.mean("ndcg"), 4),
            }
            for name in self.sets
            for part in [self.only(name)]
        }
        return {
            "engine": self.engine,
            "sets": by_set,
            "queries": queries,
            "judged": len(self.judged),
            "recall@10": round(self.mean("recall"), 4),
            "ndcg@10": round(self.mean("ndcg"), 4),
            "mrr": round(self.mean("rr"), 4),
            "zero_result_rate": round(self.zero_result_rate, 4),
            "zero_result_queries": self.zero_result_queries,
            "controls_with_hits": self.controls_with_hits,
            "error": self.error,
        }


def format_text(reports: list[EngineReport], worst: int = 10) -> str:
    lines = [
        "| engine | recall@10 | nDCG@10 | MRR | zero-result rate | controls with hits |",
        "|---|---|---|---|---|---|",
    ]
    for r in reports:
        if r.error:
            lines.append(f"| {ENGINE_NAMES[r.engine]} | not run: {r.error} | | | | |")
            continue
        controls = len(r.results) - len(r.judged)
        lines.append(
            f"| {ENGINE_NAMES[r.engine]} | {r.mean('recall'):.3f} | {r.mean('ndcg'):.3f} | "
            f"{r.mean('rr'):.3f} | {r.zero_result_rate:.3f} | {r.controls_with_hits}/{controls} |"
        )
    for r in reports:
        if r.error or len(r.sets) < 2:
            continue
        for name in r.sets:
            part = r.only(name)
            lines.append(
                f"| {ENGINE_NAMES[r.engine]}, {name or 'tuned'} set ({len(part.judged)}) | "
                f"{part.mean('recall'):.3f} | {part.mean('ndcg'):.3f} | {part.mean('rr'):.3f} | "
                f"{part.zero_result_rate:.3f} | {part.controls_with_hits}/"
                f"{len(part.results) - len(part.judged)} |"
            )
    for r in reports:
        if r.error or not worst:
            continue
        lines.append(f"\n{ENGINE_NAMES[r.engine]}: the {worst} worst queries (by nDCG@10)")
        for res in r.worst(worst):
            params = "".join(f" {k}={v}" for k, v in res.query.params.items())
            lines.append(
                f"  {res.query.id} [{res.query.kind}, {res.query.lang}] {res.query.q!r}{params}: "
                f"nDCG {res.ndcg:.2f}, recall {res.recall:.2f}, {res.total} hits"
            )
            relevant = res.query.relevant
            for doc, title in list(zip(res.returned, res.titles))[:5]:
                lines.append(f"      {relevant.get(doc, 0)} {doc}: {title[:70]}")
            missed = [
                d
                for d, g in sorted(relevant.items(), key=lambda kv: -kv[1])
                if d not in res.returned
            ]
            if missed:
                lines.append(
                    f"      not in the first {K}: {', '.join(missed[:8])}"
                    + (f" and {len(missed) - 8} more" if len(missed) > 8 else "")
                )
    return "\n".join(lines)
