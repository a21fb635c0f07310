"""Match quality on a labelled set of list names (`chipwatch lists eval`).

Each line of the set: {"name", "alt_names"?, "expected": gazetteer company id or null, "kind"}.
Precision counts automatic links only (what is linked without review); recall is over the names
that are a gazetteer company. Proposals are reported apart: a proposed link is reviewed on
/admin/lists before it counts.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from app.gazetteer import Gazetteer
from app.lists.match import AUTO_THRESHOLD, Matcher

EVAL_SET = Path(__file__).resolve().parent.parent / "data" / "eval" / "list_matches.jsonl"


@dataclass
class MatchReport:
    total: int = 0
    positives: int = 0  # names labelled with a company
    auto_correct: int = 0
    auto_wrong: list[dict] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)  # a company name not linked automatically
    proposed_right: int = 0  # of the missed: the right company among the proposals
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def auto(self) -> int:
        return self.auto_correct + len(self.auto_wrong)

    @property
    def precision(self) -> float:
        return self.auto_correct / self.auto if self.auto else 1.0

    @property
    def recall(self) -> float:
        return self.auto_correct / self.positives if self.positives else 1.0

    def to_dict(self) -> dict:
        return {
            "labelled": self.total,
            "companies": self.positives,
            "threshold": AUTO_THRESHOLD,
            "automatic_links": self.auto,
            "correct": self.auto_correct,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "missed_but_proposed": self.proposed_right,
            "wrong": self.auto_wrong,
            "missed": self.missed,
            "by_kind": self.by_kind,
        }

    def format_text(self, show_misses: bool = True) -> str:
        lines = [
            f"list-name matching: {self.total} labelled names, {self.positives} of them gazetteer companies "
            f"(automatic link at score >= {AUTO_THRESHOLD})",
            f"automatic links: {self.auto} ({self.auto_correct} right, {len(self.auto_wrong)} wrong)",
            f"precision {self.precision:.3f}  recall {self.recall:.3f}",
            f"not linked automatically but proposed for review with the right company: "
            f"{self.proposed_right} of {len(self.missed)}",
            "by kind: "
            + ", ".join(
                f"{kind} {v['auto_right']}/{v['names']} linked right, {v['auto_wrong']} wrong"
                for kind, v in sorted(self.by_kind.items())
            ),
        ]
        if show_misses:
            lines += [
                f"  WRONG {w['name']!r}: linked to {w['linked']}, expected {w['expected']}"
                for w in self.auto_wrong
            ]
            lines += [
                f"  missed {m['name']!r} ({m['expected']}): "
                + (f"proposed {m['proposed']}" if m["proposed"] else "no candidate")
                for m in self.missed
            ]
        return "\n".join(lines)


def load_set(path: Path = EVAL_SET) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            if not isinstance(row.get("name"), str):
                raise ValueError(f"{path.name}:{number}: no name")
            rows.append(row)
    return rows


def evaluate(rows: list[dict], gazetteer: Gazetteer) -> MatchReport:
    matcher = Matcher(gazetteer)
    report = MatchReport()
    for row in rows:
        expected, kind = row.get("expected"), row.get("kind", "")
        stats = report.by_kind.setdefault(kind, {"names": 0, "auto_right": 0, "auto_wrong": 0})
        stats["names"] += 1
        report.total += 1
        report.positives += expected is not None
        candidates = matcher.candidates(row["name"], row.get("alt_names") or [])
        auto = next((c.entity_id for c in candidates if c.automatic), None)
        if auto is not None and auto == expected:
            report.auto_correct += 1
            stats["auto_right"] += 1
        elif auto is not None:
            stats["auto_wrong"] += 1
            report.auto_wrong.append(
                {
                    "name": row["name"],
                    "linked": auto,
                    "expected": expected,
                    "why": next(c.explanation for c in candidates if c.automatic),
                }
            )
        if expected is not None and auto != expected:
            proposed = [c.entity_id for c in candidates]
            report.proposed_right += expected in proposed
            report.missed.append({"name": row["name"], "expected": expected, "proposed": proposed})
    return report
