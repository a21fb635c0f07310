""" "The previous administration": the president whose term ended last before the article.

Outlets name the administration an action came from by its place in time as often as by its
president ("the tiered system of the previous administration", «الإدارة السابقة», 上届政府).
Read against the publication date, the phrase names a president as "the Biden administration"
does, so the linker keeps to that term's actions (see RestrictionLinker._presidents). The
phrases are also actors of the US government (when.ACTORS).
"""

from datetime import date

from app.enrich.restrictions import AnyOf, _fold
from app.enrich.when import ADMINISTRATIONS, PREVIOUS_ADMINISTRATION

PREVIOUS = tuple(dict.fromkeys(_fold(p) for p in PREVIOUS_ADMINISTRATION))
_ANY_PREVIOUS = AnyOf(PREVIOUS)


def previous_president(folded: str, published: date | None) -> frozenset[str]:
    """The administration a folded sentence calls the previous one, at `published`."""
    if published is None or not _ANY_PREVIOUS(folded):
        return frozenset()
    ended = [
        (date.fromisoformat(end), name)
        for name, terms in ADMINISTRATIONS.items()
        for _start, end in terms
        if end and date.fromisoformat(end) <= published
    ]
    return frozenset({max(ended)[1]}) if ended else frozenset()
