""" "The previous restrictions on the H20": the last action on that chip before the article's news.

An article on a new action often measures it against the one before ("this decision goes further
than the previous restrictions targeting the H20", «أبعد من القيود السابقة على رقائق H20»). With
a chip named, a "previous" word before the restriction noun, and the news action's country known,
that is the most recent restriction of the same country on the chip announced before the news,
when only one action has that date. Boilerplate ("designed to comply with earlier US rules")
names no chip and links nothing here.
"""

from dataclasses import dataclass
from datetime import date

from app.enrich.restrictions import _fold

# Before the restriction noun, at most two words apart ("the previous US restrictions").
BEFORE = tuple(
    _fold(w)
    for w in (
        "previous",
        "earlier",
        "prior",
        "précédentes",
        "précédents",
        "précédente",
        "antérieures",
        "frühere",
        "früheren",
        "vorherigen",
        "anteriores",
        "eerdere",
        "此前的",
        "之前的",
        "先前的",
    )
)
AFTER = tuple(_fold(w) for w in ("السابقة",))  # after it (Arabic)


@dataclass(frozen=True)
class Action:
    id: str
    country: str | None
    restricts: bool  # not a relaxation
    announced: date
    chips: frozenset[str]


def says_previous(folded: str, nouns: list[str]) -> str:
    """The "previous" word that qualifies one of the restriction nouns, or ""."""
    for noun in nouns:
        at = folded.find(noun)
        while at >= 0:
            left = folded[max(0, at - 30) : at].split()[-3:]
            for word in BEFORE:
                if word in left or (not word.isascii() and word in "".join(left)):
                    return word
            right = folded[at + len(noun) : at + len(noun) + 12]
            for word in AFTER:
                if word in right:
                    return word
            at = folded.find(noun, at + 1)
    return ""


def previous_on_chip(
    chips: set[str], country: str, before: date, actions: list[Action]
) -> Action | None:
    """The most recent restriction of `country` on one of `chips` announced before `before`
    (None when none, or when two share that date)."""
    found = sorted(
        (a.announced, a.id, a)
        for a in actions
        if a.restricts and a.country == country and a.chips & chips and a.announced < before
    )
    if not found or (len(found) > 1 and found[-2][0] == found[-1][0]):
        return None
    return found[-1][2]
