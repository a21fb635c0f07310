"""Article-level losses of the restriction linker on the real dev sets (issue #20).

For every gold link the linker misses on the whole article: does some single sentence (title +
that sentence, same date) link it ("lost in the article") or none ("never found")? For every
false link: does some sentence alone give it too? For each lost link, the step of the linker
that drops it in the article, read from a trace of the linker's own steps (hooks on the
instance only; app is not changed).

    PYTHONPATH=. .venv/bin/python -m bench.article_losses [--json out.json] [--list] [--sets a,b]

The real excerpts stay outside the repo (/work/realnews); rows keep ids, restriction ids, sentence
indexes and the kind of link (named / matched / resolved), never the outlets' text.
"""

import argparse
import collections
import json
import sys
from datetime import datetime
from pathlib import Path

from app.enrich import default_enricher
from app.enrich.restrictions import _segments

REAL = "realdev5a realdev5b realdev6a realdev6b realdev6c realdev6d realdev6e dev1 dev2 fresh3 ctxdev ctxdev2"
POST = (
    "_undoers _updated _undone_then _reversals _landmarks _told_by_letter _previous "
    "_listed_since _by_news_country _news_in_lead _older_news_after_the_lead"
).split()


def load_sets() -> dict[str, list[dict]]:
    sets = {}
    for name in REAL.split():
        with open(f"/work/realnews/{name}.jsonl", encoding="utf-8") as fh:
            sets[name] = [json.loads(line) for line in fh if line.strip()]
    with open("app/data/eval/restrictions.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    sets["labelled-dev"] = [r for r in rows if r.get("part") == "dev"]
    return sets


class Trace:
    """Hooks on one linker instance recording what each step keeps."""

    def __init__(self, linker):
        self.linker = linker
        self.reset()
        rule = linker.rule
        orig_select = rule._select

        def _select(cands):
            self.candidates |= {c.rx.id for c in cands}
            out = orig_select(cands)
            self.matched |= set(out)
            return out

        rule._select = _select
        orig_evidence = linker._evidence

        def _evidence(reading, *a, **k):
            out = orig_evidence(reading, *a, **k)
            if self.readings is None:
                self.readings = {rid for rid, _ in out[1]}
                self.evidence = set(out[0])
            return out

        linker._evidence = _evidence
        orig_overruled = linker._overruled

        def _overruled(reading, rid, *a, **k):
            out = orig_overruled(reading, rid, *a, **k)
            if out:
                self.overruled.add(rid)
            return out

        linker._overruled = _overruled
        orig_decide = linker._decide

        def _decide(readings, linked, *a, **k):
            self.linked_before_decide = set(linked)
            out = orig_decide(readings, linked, *a, **k)
            self.decided = set(out)
            return out

        linker._decide = _decide
        for name in POST:
            self._wrap_post(name)

    def _wrap_post(self, name):
        orig = getattr(self.linker, name)

        def step(reading, links, *a, **k):
            before = set(links)
            out = orig(reading, links, *a, **k)
            after = set(out if isinstance(out, dict) else links)
            for rid in before - after:
                self.removed_by.setdefault(rid, name)
            for rid in after - before:
                self.added_by.setdefault(rid, name)
            return out

        setattr(self.linker, name, step)

    def reset(self):
        self.candidates, self.matched, self.overruled = set(), set(), set()
        self.readings, self.evidence = None, set()
        self.linked_before_decide, self.decided = set(), set()
        self.removed_by, self.added_by = {}, {}

    def stage(self, rid: str) -> str:
        """Where rid fell out of the article's links."""
        if rid in self.removed_by:
            return f"post:{self.removed_by[rid]}"
        if rid in self.matched and rid not in self.linked_before_decide:
            return "link:_overruled" if rid in self.overruled else "link:loop(previous/acting)"
        if rid in self.candidates and rid not in self.matched:
            if rid in (self.readings or ()):
                return "rule:_select(+no _decide)"
            return "rule:_select"
        if rid in (self.readings or ()):
            return "resolve:_decide"
        return "no candidate/complete reading"


def enrich(enricher, trace, title, body, published):
    trace.reset()
    return enricher.enrich(title, body, published).restrictions


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--sets", default="")
    args = ap.parse_args()
    enricher = default_enricher()
    trace = Trace(enricher.linker)
    sets = load_sets()
    if args.sets:
        sets = {k: v for k, v in sets.items() if k in args.sets.split(",")}
    table, rows = {}, []
    for name, arts in sets.items():
        c = collections.Counter()
        for art in arts:
            pub = datetime.fromisoformat(art["published_at"]) if art.get("published_at") else None
            title = art.get("title", "") or ""
            gold = set(art.get("reported", ())) | set(art.get("context", ()))
            whole = enrich(enricher, trace, title, art["body"], pub)
            got = set(whole)
            missed, false = gold - got, got - gold
            c["gold"] += len(gold)
            c["tp"] += len(gold & got)
            if not (missed or false):
                continue
            # The article's trace, kept before the sentence runs reset it.
            stages = {rid: trace.stage(rid) for rid in missed}
            alone: dict[str, list] = collections.defaultdict(list)
            for k, seg in enumerate(_segments(art["body"])):
                links = enrich(enricher, trace, title, seg.text, pub)
                for rid in (missed | false) & set(links):
                    alone[rid].append((k, links[rid].reason.split(":")[0]))
            for rid in sorted(missed):
                kind = "lost" if alone.get(rid) else "never"
                c[f"fn_{kind}"] += 1
                row = {"set": name, "id": art["id"], "rid": rid, "error": f"fn_{kind}"}
                if kind == "lost":
                    row["stage"] = stages[rid]
                    row["alone"] = alone[rid][0]
                    c[f"stage {stages[rid]}"] += 1
                    # Which other single sentence, read with it (in article order), drops it.
                    segs = _segments(art["body"])
                    k = alone[rid][0][0]
                    killers = []
                    for j in range(len(segs)):
                        if j == k:
                            continue
                        a, b = sorted((j, k))
                        pair = segs[a].text + " " + segs[b].text
                        if rid not in enrich(enricher, trace, title, pair, pub):
                            killers.append((j - k, trace.stage(rid)))
                    row["killers"] = killers
                    if not killers:
                        kind2 = "no single other sentence"
                    elif any(d == -1 for d, _ in killers):
                        kind2 = "the sentence before"
                    elif all(d > 0 for d, _ in killers):
                        kind2 = "a later sentence"
                    else:
                        kind2 = "an earlier sentence"
                    row["killer_kind"] = kind2
                    c[f"killer {kind2}"] += 1
                rows.append(row)
            for rid in sorted(false):
                kind = "alone" if alone.get(rid) else "article_only"
                c[f"fp_{kind}"] += 1
                rows.append(
                    {
                        "set": name,
                        "id": art["id"],
                        "rid": rid,
                        "error": f"fp_{kind}",
                        "reason": whole[rid].reason.split(":")[0],
                    }
                )
        table[name] = dict(c)
        print(name, dict(c), file=sys.stderr, flush=True)
    total = collections.Counter()
    for name, c in table.items():
        if name != "labelled-dev":
            total.update(c)
    table["real-pooled"] = dict(total)
    cols = ["gold", "tp", "fn_lost", "fn_never", "fp_alone", "fp_article_only"]
    print("| set | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name, c in table.items():
        print(f"| {name} | " + " | ".join(str(c.get(k, 0)) for k in cols) + " |")
    print("\nlost links by step:")
    stages = collections.Counter()
    for name, c in table.items():
        if name == "real-pooled":
            continue
        for k, v in c.items():
            if k.startswith("stage "):
                stages[(k[6:], name)] += v
    by_stage = collections.defaultdict(dict)
    for (st, name), v in stages.items():
        by_stage[st][name] = v
    for st, per in sorted(by_stage.items(), key=lambda x: -sum(x[1].values())):
        print(f"  {st}: {sum(per.values())}  " + ", ".join(f"{k} {v}" for k, v in per.items()))
    print("\nlost links by the other sentence that drops them (pairs: title + it + one other):")
    kk = collections.Counter()
    for name, c in table.items():
        if name == "real-pooled":
            continue
        for k, v in c.items():
            if k.startswith("killer "):
                kk[k[7:]] += v
    for k, v in kk.most_common():
        print(f"  {k}: {v}")
    if args.list:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    if args.json:
        args.json.write_text(
            json.dumps({"table": table, "rows": rows}, indent=1, ensure_ascii=False)
        )


if __name__ == "__main__":
    main()
