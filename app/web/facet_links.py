"""The search page's facet links, written in Python: a page shows up to 8 values of each of 9
facets, and a template round per value (a link, its URL twice, its name and count escaped)
was a tenth of an uncached page. The markup is the one the template wrote, to the byte
(tests/test_page_caches.py compares them)."""

from collections.abc import Callable, Sequence
from typing import Protocol

from markupsafe import Markup, escape

SHOWN = 8  # values shown at first; the others load when the box opens


class Value(Protocol):
    id: str
    name: str
    count: int
    selected: bool


def facet_items(facet: str, values: Sequence[Value], toggle: Callable[[str], str]) -> Markup:
    """The list items of one facet: the first SHOWN values and every selected one after them,
    each a link that toggles it (toggle: Filters.toggler(facet))."""
    out = []
    key = escape(facet)
    for v in [*values[:SHOWN], *(v for v in values[SHOWN:] if v.selected)]:
        url = escape("/?" + toggle(v.id))
        on = 'aria-current="true" class="on"' if v.selected else ""
        out.append(
            f'\n        \n        <li><a href="{url}" hx-get="{url}" data-key="{key}:{escape(v.id)}" '
            f'{on}>\n            <span dir="auto">{escape(v.name)}</span> '
            f'<span class="count">{escape(v.count)}</span></a></li>\n        '
        )
    return Markup("".join(out))
