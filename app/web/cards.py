"""Result cards (templates/_hit.html) rendered once and reused.

A card was a third of an uncached search page: every hit rendered its template, its tags'
macro and its date filter again, though the same articles come up in view after view. A card
depends on nothing but its hit (title, date, source, snippet, tags and their names: no reader,
no filters), so it is kept under the hit's whole content. That key is the invalidation: an
edited article, a re-index (new snippet, new tags) or a gazetteer change (renamed or new
entities) gives a different hit, hence a different card; a stale card can never match. Per
process, bounded (least recently used first out).
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from jinja2 import Environment, pass_environment
from markupsafe import Markup

TEMPLATE = "_hit.html"
SIZE = 4096  # cards (about 1.5 KB each)


def _frozen(value: Any) -> Hashable:
    """A hashable copy of a hit's value (its entities are a list of dicts)."""
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


class CardCache:
    def __init__(self, size: int = SIZE):
        self.size = size
        self._cards: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def card(self, env: Environment, hit: dict) -> Markup:
        key = _frozen(hit)
        with self._lock:
            found = self._cards.get(key)
            if found is not None:
                self._cards.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        made = Markup(env.get_template(TEMPLATE).render(hit=hit))
        with self._lock:
            self._cards[key] = made
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._cards.clear()


CARDS = CardCache()


@pass_environment
def hit_card(env: Environment, hit: dict) -> Markup:
    """The card of one hit, as {% include "_hit.html" %} renders it."""
    return CARDS.card(env, hit)
