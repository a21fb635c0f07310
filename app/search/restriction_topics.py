"""Restrictions a query names by a chip and a concept: "why was the H20 banned", «لماذا حظرت
أمريكا بيع رقائق H20», 英伟达H20为什么被禁止. In the record the "H20 ban" was a licence
requirement, and most articles about it say licence, not ban; the restriction's own aliases
("H20 ban", «حظر H20», H20禁令) say that the press calls it the chip's ban. So a concept beside
a chip also stands for the restrictions called "<chip> <concept>": the articles tagged with
them match the concept and rank with the articles that say its word. A company named beside a
concept works the same way ("Micron ban" is China's 2023 purchase ban, «حظر ميكرون», 美光禁令,
whose articles say "stop buying", 停止采购)."""

from app.gazetteer import EntityDef, Gazetteer
from app.search import concepts
from app.search.relevance import is_stop_group
from app.text import normalize, term_groups

# The concepts that name a restriction. Others beside a chip ("H200 approval", "H200
# customs") read the other way round too often (China's import approval, not Washington's).
RESTRICTIVE = frozenset({"topic-ban", "topic-export-control"})
_CACHE: dict[str, dict[tuple[str, str], list[EntityDef]]] = {}


def _named_as(alias: str, chip: EntityDef) -> set[str]:
    """The topics alias says beside chip (or company), when it says nothing else ("H20 ban",
    «حظر رقائق H20», H20禁令, "Micron ban"; not "H20 ban lifted" or «رفع حظر H20»)."""
    hits = concepts.query_tagger().find(alias)
    rest = alias
    for hit in sorted(hits, key=lambda h: -h.start):
        rest = rest[: hit.start] + " " + rest[hit.end :]
    rest = normalize(rest)
    names = sorted({normalize(a) for a in (chip.name, *chip.all_aliases())}, key=len, reverse=True)
    named = False
    for name in names:
        if name and name in rest:
            rest, named = rest.replace(name, " "), True
    if not named or not all(is_stop_group(g) for g in term_groups(rest)):
        return set()
    return {h.entity_id for h in hits} & RESTRICTIVE


def restrictions_known_as(gazetteer: Gazetteer) -> dict[tuple[str, str], list[EntityDef]]:
    """(topic id, chip or company id) -> the restrictions concerning that chip or company called
    "<chip> <topic>" by one of their aliases, per gazetteer and topics version."""
    key = gazetteer.version + concepts.topics().version
    cached = _CACHE.get(key)
    if cached is None:
        cached = {}
        for entity in gazetteer.entities.values():
            if entity.type != "restriction":
                continue
            concerns = entity.raw.get("concerns", {})
            for chip_id in (*concerns.get("chip", ()), *concerns.get("company", ())):
                chip = gazetteer.entities.get(chip_id)
                if chip is None:
                    continue
                said = set().union(*(_named_as(a, chip) for a in entity.all_aliases()))
                for topic in sorted(said):
                    cached.setdefault((topic, chip_id), []).append(entity)
        _CACHE[key] = cached
    return cached


def known_restrictions(
    topic: EntityDef, chips: tuple[str, ...], gazetteer: Gazetteer | None
) -> list[EntityDef]:
    """The restrictions on any of chips (chip or company ids) called by topic (none without a
    gazetteer)."""
    if gazetteer is None or not chips:
        return []
    known = restrictions_known_as(gazetteer)
    found: dict[str, EntityDef] = {}
    for chip in chips:
        for entity in known.get((topic.id, chip), ()):
            found.setdefault(entity.id, entity)
    return list(found.values())
