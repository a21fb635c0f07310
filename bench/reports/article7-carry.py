"""Diagnostic: do the lost links come back when no sentence inherits the previous sentence's dates?"""
import json
from datetime import datetime
import app.enrich.restrictions as R
from app.enrich import default_enricher
CASES = [("realdev6e","rd6e-de-10"),("realdev6e","rd6e-de-12"),("realdev6e","rd6e-fr-25"),("fresh3","f3-fr-05"),("realdev6e","rd6e-fr-28")]
e = default_enricher()
arts = {}
for s, aid in CASES:
    for line in open(f"/work/realnews/{s}.jsonl", encoding="utf-8"):
        a = json.loads(line)
        if a["id"] == aid: arts[aid] = a
def run(tag):
    for aid, a in arts.items():
        got = e.enrich(a.get("title") or "", a["body"], datetime.fromisoformat(a["published_at"])).restrictions
        gold = set(a["reported"]) | set(a["context"])
        print(tag, aid, "miss", sorted(gold - set(got)), "false", sorted(set(got) - gold))
run("main   ")
R.opens_later = lambda folded: True
run("nocarry")
