"""Consistency check for the gazetteer data files.

    python -m app.gazetteer.check_data [--reference PATH/TO/gazetteer-reference.json]

Exits non-zero on errors; prints warnings (shared aliases) and the counts per file.
"""

import argparse
import json
import re
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from app.text import HAN, normalize

DATA_DIR = Path(__file__).parent / "data"
FILES = {
    "companies": "company",
    "chips": "chip",
    "regions": "region",
    "agencies": "agency",
    "restrictions": "restriction",
    "events": "event",
}
LANGS = {"en", "ar", "zh", "fr", "ja", "ko", "ru", "de", "es", "nl"}
CHIP_KINDS = {"accelerator", "processor", "family", "memory", "equipment", "system"}
CATEGORIES = {
    "us-restriction",
    "enforcement",
    "allied-control",
    "china-countermeasure",
    "relaxation",
    "context",
}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REQUIRED = {
    "nvidia",
    "huawei",
    "alibaba",
    "bytedance",
    "deepseek",
    "smic",
    "tsmc",
    "h20",
    "h100",
    "ascend-910c",
    "china",
    "united-states",
    "southeast-asia",
    "malaysia",
    "bis",
    "2025-04-h20-licence-requirement",
    "2022-10-advanced-computing-rule",
}
MINIMUM = {"companies": 60, "chips": 60}


def fold(alias: str) -> str:
    return " ".join(normalize(alias).split())


def _check_rules(e: dict, aliases: set[str]) -> list[str]:
    """`exclude` and `context`: the matcher's rules for names that are also ordinary words."""
    errors = []
    for rule in e.get("exclude", []):
        if not isinstance(rule, dict) or not (rule.get("pattern") or rule.get("near")):
            errors.append(f"exclude rule {rule!r} needs a pattern or near words")
            continue
        if rule.get("alias") is not None and rule["alias"] not in aliases:
            errors.append(f"exclude alias {rule['alias']!r} is not one of its aliases")
        try:
            re.compile(rule.get("pattern") or "")
        except re.error as exc:
            errors.append(f"exclude pattern {rule.get('pattern')!r}: {exc}")
        if not isinstance(rule.get("window", 0), int):
            errors.append("exclude window must be an integer")
    context = e.get("context")
    if context is not None:
        if not context.get("words") or not isinstance(context.get("window", 0), int):
            errors.append("context needs words and an integer window")
        for a in context.get("aliases", []):
            if a not in e.get("needs_context", []):
                errors.append(f"context alias {a!r} is not in needs_context")
    return errors


def check(data_dir: Path, reference: Path | None) -> int:
    errors: list[str] = []
    warnings: list[str] = []
    entities: dict[Any, dict] = {}  # keyed by the id as written, bad ones too (reported)
    counts: dict[str, int] = {}
    for stem, type_ in FILES.items():
        path = data_dir / f"{stem}.json"
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            errors.append(f"{path.name}: cannot read: {exc}")
            continue
        if not isinstance(items, list):
            errors.append(f"{path.name}: not a JSON array")
            continue
        counts[stem] = len(items)
        ids = [e.get("id") for e in items]
        if ids != sorted(ids):
            errors.append(f"{path.name}: not sorted by id")
        for e in items:
            eid = e.get("id", "?")
            where = f"{path.name}:{eid}"
            if not isinstance(eid, str) or not ID_RE.match(eid):
                errors.append(f"{where}: bad id")
            if eid in entities:
                errors.append(f"{where}: duplicate id (also in {entities[eid]['_file']})")
            entities[eid] = {**e, "_file": path.name}
            if e.get("type") != type_:
                errors.append(f"{where}: type {e.get('type')!r}, expected {type_!r}")
            if not e.get("name"):
                errors.append(f"{where}: no name")
            if not isinstance(e.get("verified"), bool):
                errors.append(f"{where}: verified must be true/false")
            aliases = e.get("aliases", {})
            if set(aliases) - LANGS:
                errors.append(f"{where}: unknown alias languages {set(aliases) - LANGS}")
            if e.get("name") not in aliases.get("en", []):
                errors.append(f"{where}: canonical name missing from aliases.en")
            every = set()
            for lang, names in aliases.items():
                if not names or not all(isinstance(a, str) and a.strip() for a in names):
                    errors.append(f"{where}: empty alias list/entry in {lang}")
                    continue
                for a in names:
                    every.add(a)
                    han = "".join(ch for ch in a if HAN.match(ch))
                    if han and len(fold(a)) < 2:
                        errors.append(f"{where}: one-character alias {a!r}")
            for field in ("case_sensitive", "needs_context"):
                for a in e.get(field, []):
                    if a not in every:
                        errors.append(f"{where}: {field} entry {a!r} is not one of its aliases")
            for a in every:
                if a.endswith("*") and len(a.rstrip("*")) < 4:
                    errors.append(f"{where}: stem alias {a!r} is too short")
            errors += [f"{where}: {msg}" for msg in _check_rules(e, every)]
            if type_ == "chip" and e.get("kind") not in CHIP_KINDS:
                errors.append(f"{where}: bad kind {e.get('kind')!r}")
            if type_ in ("restriction", "event"):
                try:
                    when = date.fromisoformat(e.get("date", ""))
                    if not eid.startswith(f"{when:%Y-%m}-"):
                        errors.append(f"{where}: id does not start with its date's YYYY-MM")
                except (TypeError, ValueError):
                    errors.append(f"{where}: bad date {e.get('date')!r}")
                cat = e.get("category")
                if cat not in CATEGORIES or (type_ == "event") != (cat == "context"):
                    errors.append(f"{where}: bad category {cat!r} for a {type_}")
                if not e.get("summary") or not e.get("sources"):
                    errors.append(f"{where}: summary and sources are required")
                for d in e.get("news_dates", []):
                    try:
                        date.fromisoformat(d)
                    except (TypeError, ValueError):
                        errors.append(f"{where}: bad news date {d!r}")
    # cross references
    want = {"company": "company", "chip": "chip", "region": "region", "restriction": "restriction"}
    for eid, e in entities.items():
        where = f"{e['_file']}:{eid}"
        for kind, ids in e.get("concerns", {}).items():
            for ref in ids:
                if ref not in entities:
                    errors.append(f"{where}: concerns.{kind} {ref!r} does not exist")
                elif entities[ref]["type"] != want.get(kind):
                    errors.append(f"{where}: concerns.{kind} {ref!r} is a {entities[ref]['type']}")
        issuer = e.get("issuer")
        if issuer is not None and issuer not in entities:
            errors.append(f"{where}: issuer {issuer!r} does not exist")
        if e["type"] == "restriction" and entities.get(issuer, {}).get("type") not in (
            "agency",
            "region",
        ):
            errors.append(f"{where}: issuer {issuer!r} must be an agency or region")
        parent = e.get("parent")
        if parent is not None and entities.get(parent, {}).get("type") != "company":
            errors.append(f"{where}: parent {parent!r} is not a company id")
        for region in e.get("within", []):
            # a country inside a wider region (search: a query for the region finds it too)
            if e["type"] != "region" or entities.get(region, {}).get("type") != "region":
                errors.append(f"{where}: within {region!r}: only a region inside a region id")
        if e["type"] == "agency" and entities.get(e.get("region"), {}).get("type") != "region":
            errors.append(
                f"{where}: region {e.get('region')!r} (the agency's country) is not a region id"
            )
    for rid in sorted(REQUIRED - set(entities)):
        errors.append(f"contract id {rid!r} missing")
    for stem, n in MINIMUM.items():
        if counts.get(stem, 0) < n:
            errors.append(f"{stem}.json has {counts.get(stem, 0)} entries, needs >= {n}")
    # aliases shared between entities (the tagger tags all of them)
    owners: dict[str, set[str]] = defaultdict(set)
    for eid, e in entities.items():
        if e["type"] == "event":
            continue  # events are not tagged
        for names in e.get("aliases", {}).values():
            for a in names:
                owners[fold(a)].add(eid)
        owners[fold(e["name"])].add(eid)
    for key, owner_ids in sorted(owners.items()):
        if len(owner_ids) > 1:
            warnings.append(f"alias {key!r} shared by {sorted(owner_ids)}")
    # every timeline row of the reference is present
    if reference and reference.exists():
        ref = json.loads(reference.read_text(encoding="utf-8"))
        rows = {e["id"] for e in ref if e["type"] in ("restriction", "event")}
        ours = {
            e.get("timeline_ref")
            for e in entities.values()
            if e["type"] in ("restriction", "event")
        }
        for row in sorted(rows):
            tid = "T" + row.split("_t")[-1]
            if tid not in ours:
                errors.append(f"reference timeline row {tid} missing")
        kinds = {"restriction": "restriction", "event": "event"}
        for e in ref:
            if e["type"] in kinds:
                tid = "T" + e["id"].split("_t")[-1]
                match = [x for x in entities.values() if x.get("timeline_ref") == tid]
                if match and match[0]["type"] != kinds[e["type"]]:
                    errors.append(f"{tid}: reference type {e['type']}, ours {match[0]['type']}")
    try:
        context = json.loads((data_dir / "context.json").read_text(encoding="utf-8"))
        for name, spec in context.get("sources", {}).items():
            names = spec if isinstance(spec, list) else spec.get("aliases")
            if not names or not all(isinstance(a, str) and a for a in names):
                errors.append(f"context.json: source {name!r} needs a list of names")
    except (OSError, ValueError) as exc:
        errors.append(f"context.json: cannot read: {exc}")
    for w in warnings:
        print("warning:", w)
    for err in errors:
        print("ERROR:", err)
    print("counts:", ", ".join(f"{k}={v}" for k, v in counts.items()))
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--reference", type=Path, default=None)
    args = parser.parse_args()
    sys.exit(check(args.data, args.reference))


if __name__ == "__main__":
    main()
