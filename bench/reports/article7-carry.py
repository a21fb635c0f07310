"""Diagnostic: do the lost links come back when no sentence inherits the previous sentence's dates?

PYTHONPATH=. .venv/bin/python bench/reports/article7-carry.py
"""

import json
from datetime import datetime

import app.enrich.restrictions as rules
from app.enrich import default_enricher

CASES = [
    ("realdev6e", "rd6e-de-10"),
    ("realdev6e", "rd6e-de-12"),
    ("realdev6e", "rd6e-fr-25"),
    ("fresh3", "f3-fr-05"),
    ("realdev6e", "rd6e-fr-28"),
]
enricher = default_enricher()
articles = {}
for name, aid in CASES:
    with open(f"/work/realnews/{name}.jsonl", encoding="utf-8") as fh:
        for line in fh:
            art = json.loads(line)
            if art["id"] == aid:
                articles[aid] = art


def run(tag: str) -> None:
    for aid, art in articles.items():
        published = datetime.fromisoformat(art["published_at"])
        got = enricher.enrich(art.get("title") or "", art["body"], published).restrictions
        gold = set(art["reported"]) | set(art["context"])
        print(tag, aid, "miss", sorted(gold - set(got)), "false", sorted(set(got) - gold))


run("main   ")
rules.opens_later = lambda folded: True  # every sentence starts afresh: no carried dates
run("nocarry")
