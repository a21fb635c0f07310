"""Result cards (the markup of templates/_hit.html, written here) made once and reused.

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
from datetime import datetime
from typing import Any

import nh3
import orjson
from markupsafe import Markup, escape

SIZE = 4096  # cards (about 1.5 KB each)
CARD_TAGS = 12
TAG_ORDER = {"restriction": 0}


def marked(snippet: str | None) -> Markup:
    """A snippet as HTML: escaped text where only bare <mark> may remain (defence in depth:
    search/snippet.py already escapes; nh3 guarantees nothing else gets through)."""
    return Markup(nh3.clean(snippet or "", tags={"mark"}, attributes={}, url_schemes=set()))


def day(iso: Any) -> str:
    """The date of an ISO timestamp (or of a date or datetime), as YYYY-MM-DD."""
    return (datetime.fromisoformat(iso) if isinstance(iso, str) else iso).strftime("%Y-%m-%d")


def card_tags(entities: list[dict], limit: int = CARD_TAGS) -> dict:
    """The tags a result card shows: every restriction first, then the others in their order,
    up to `limit` in all (more only when there are more restrictions); `more` counts the rest."""
    ordered = sorted(entities, key=lambda e: TAG_ORDER.get(e["type"], 1))  # stable: keeps order
    restrictions = sum(1 for e in entities if e["type"] == "restriction")
    shown = ordered[: max(limit, restrictions)]
    return {"shown": shown, "more": len(ordered) - len(shown)}


def _field(value: dict, name: str) -> Any:
    """A field as the template wrote it: a missing one is empty (None is written "None")."""
    return value.get(name, "")


def write_card(hit: dict) -> Markup:
    """The markup templates/_hit.html renders for hit (with _macros.html entity_tag per tag)."""
    lang, article = escape(_field(hit, "lang")), escape(_field(hit, "id"))
    published = _field(hit, "published_at")
    out = [
        f'<li class="hit" lang="{lang}">\n  <h3 dir="auto"><a href="/articles/{article}">'
        f'{escape(_field(hit, "title"))}</a></h3>\n  <p class="meta">\n    <time datetime="'
        f'{escape(published)}">{escape(day(published))}</time>'
        f"{' (date unknown)' if hit.get('date_estimated') else ''}\n    · {lang}"
    ]
    if hit.get("source"):
        out.append(f' · <span dir="auto">{escape(hit["source"])}</span>')
    out.append(
        f'\n  </p>\n  \n  <p class="snippet" dir="auto">{marked(hit.get("snippet"))}</p>\n  '
    )
    if hit.get("entities"):
        tags = card_tags(hit["entities"])
        out.append('\n  \n  <ul class="tags">')
        for e in tags["shown"]:
            out.append(
                f'\n    <li class="tag tag-{escape(_field(e, "type"))}"><a href="/entities/'
                f'{escape(_field(e, "id"))}"><bdi>{escape(_field(e, "name"))}</bdi></a></li>'
            )
        out.append("\n    ")
        if tags["more"]:
            out.append(
                f'<li class="tag tag-more"><a href="/articles/{article}" aria-label="'
                f'{tags["more"]} more tags on this article">+{tags["more"]} more</a></li>'
            )
        out.append("</ul>")
    out.append("\n</li>")
    return Markup("".join(out))


def _key(hit: dict) -> Hashable:
    """The hit's whole content as one key: its JSON (orjson tells 1, "1", True and None apart,
    and writes a page of hits in microseconds, where a frozen copy of every nested value took
    a twentieth of a page); a value JSON cannot hold falls back to a frozen copy."""
    try:
        return orjson.dumps(hit)
    except TypeError:
        return _frozen(hit)


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

    def card(self, hit: dict) -> Markup:
        return self.cards([hit])

    def cards(self, hits: list[dict]) -> Markup:
        """The cards of a page of hits, one after the other (the lock taken once for all the
        kept ones, and once more if some had to be written)."""
        keys = [_key(hit) for hit in hits]
        with self._lock:
            found = [self._cards.get(key) for key in keys]
            for key, card in zip(keys, found):
                if card is not None:
                    self._cards.move_to_end(key)
            missing = found.count(None)
            self.hits += len(found) - missing
            self.misses += missing
        if missing:
            made = {}
            for i, card in enumerate(found):
                if card is None:
                    found[i] = made[keys[i]] = write_card(hits[i])
            with self._lock:
                self._cards.update(made)
                while len(self._cards) > self.size:
                    self._cards.popitem(last=False)
        return Markup("".join(found))  # type: ignore[arg-type]  # none is None any more

    def clear(self) -> None:
        with self._lock:
            self._cards.clear()


CARDS = CardCache()


def hit_card(hit: dict) -> Markup:
    """The card of one hit, as {% include "_hit.html" %} rendered it."""
    return CARDS.card(hit)


def hit_cards(hits: list[dict]) -> Markup:
    """{% for hit in hits %}{{ hit | hit_card }}{% endfor %}, in one call."""
    return CARDS.cards(hits)
