"""`chipwatch eval --discovery`: how well discovery finds what the gazetteer lacks.

The labelled set (app/data/eval/discovery.jsonl) holds short articles naming chips, companies
and spellings the shipped gazetteer does not know, each with the suggestions an editor should
see, and control articles that should add none. The articles go through the real ingest
pipeline into a scratch SQLite database; the review queue is then read as an editor sees it
(the best attested first) and scored:
- precision of the top 20 suggestions: the share that match an expected suggestion;
- recall: the share of expected suggestions that some suggestion matches.
A suggestion matches an expected one when the type and the entity it would be an alias of agree
and one of the expected names is its name or one of its spellings (folded).
"""

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app import ROOT
from app.config import Settings
from app.gazetteer import suggestions
from app.ingest.pipeline import Ingestor
from app.ingest.targets import expand
from app.migrate import upgrade
from app.runtime import build_runtime

EVAL_SET = ROOT / "app" / "data" / "eval" / "discovery.jsonl"
TOP = 20


@dataclass
class Score:
    articles: int
    expected: int
    suggested: int
    precision_top: float
    recall: float
    top: list[dict] = field(default_factory=list)  # {"name", "type", "of", "count", "correct"}
    missed: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return self.__dict__


def load_set(path: Path = EVAL_SET) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path.name} line {n}: {exc}") from None
    return rows


def _expected(rows: Sequence[dict]) -> list[dict]:
    """Unique expected suggestions (the same one labelled in several articles counts once)."""
    out: dict[tuple, dict] = {}
    for row in rows:
        for e in row.get("expect", ()):
            key = (e["type"], e.get("of"), suggestions.fold(e["name"]))
            merged = out.setdefault(key, {**e, "names": list(e.get("names", [e["name"]]))})
            merged["names"] = sorted(set(merged["names"]) | set(e.get("names", [e["name"]])))
    return list(out.values())


def _matches(suggestion: dict, expected: dict) -> bool:
    if suggestion["type"] != expected["type"] or suggestion["of"] != expected.get("of"):
        return False
    names = {suggestions.fold(suggestion["name"])} | {
        suggestions.fold(n) for ns in suggestion["aliases"].values() for n in ns
    }
    return any(suggestions.fold(n) in names for n in expected["names"])


def _suggest(rows: Sequence[dict], workdir: Path) -> list[dict]:
    """The review queue after ingesting rows into a new database under workdir."""
    data = workdir / "articles.jsonl"
    with data.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(
                json.dumps(
                    {
                        "title": row["title"],
                        "body": row["body"],
                        "lang": row["lang"],
                        "published_at": row["published_at"],
                        "source": "discovery-eval",
                        "url": f"https://eval.example/{row['id']}",
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    settings = Settings(
        data_dir=workdir, database_url=f"sqlite:///{workdir / 'eval.db'}", meili_url=None
    )
    upgrade(settings)
    runtime = build_runtime(settings)
    try:
        report = Ingestor.for_runtime(runtime).ingest(expand([str(data)], settings))
        if report.rejected:
            raise ValueError(
                "the discovery set has rejected articles: "
                f"{[r.reason for r in report.rejected[:3]]}"
            )
        with runtime.sessions() as session:
            return [suggestions.as_dict(r) for r in suggestions.listing(session, "open", 10_000)]
    finally:
        runtime.close()


def score(rows: Sequence[dict]) -> Score:
    expected = _expected(rows)
    with tempfile.TemporaryDirectory(prefix="chipwatch-discovery-") as tmp:
        found = _suggest(rows, Path(tmp))
    top = [
        {
            "name": s["name"],
            "type": s["type"],
            "of": s["of"],
            "count": s["count"],
            "correct": any(_matches(s, e) for e in expected),
        }
        for s in found[:TOP]
    ]
    hit = [e for e in expected if any(_matches(s, e) for s in found)]
    missed = [e for e in expected if e not in hit]
    return Score(
        len(rows),
        len(expected),
        len(found),
        sum(t["correct"] for t in top) / len(top) if top else 0.0,
        len(hit) / len(expected) if expected else 1.0,
        top,
        missed,
    )


def evaluate(path: Path = EVAL_SET) -> dict[str, Score]:
    """Scores on the whole set and on each split (dev: looked at while building; test: not)."""
    rows = load_set(path)
    out = {"all": score(rows)}
    for split in sorted({r.get("split", "dev") for r in rows}):
        out[split] = score([r for r in rows if r.get("split", "dev") == split])
    return out


def format_text(scores: dict[str, Score], show_misses: bool = True) -> str:
    lines = [
        f"{'set':<6} {'articles':>8} {'expected':>8} {'suggested':>9} {'P@20':>6} {'recall':>7}"
    ]
    for name, s in scores.items():
        lines.append(
            f"{name:<6} {s.articles:>8} {s.expected:>8} {s.suggested:>9} "
            f"{s.precision_top:>6.3f} {s.recall:>7.3f}"
        )
    if show_misses:
        s = scores["all"]
        wrong = [t for t in s.top if not t["correct"]]
        if wrong:
            lines.append(
                "wrong in the top 20: "
                + "; ".join(
                    f"{t['type']} {t['name']}" + (f" (alias of {t['of']})" if t["of"] else "")
                    for t in wrong
                )
            )
        if s.missed:
            lines.append(
                "missed: "
                + "; ".join(
                    f"{m['type']} {m['name']}" + (f" (alias of {m['of']})" if m.get("of") else "")
                    for m in s.missed
                )
            )
    return "\n".join(lines)
