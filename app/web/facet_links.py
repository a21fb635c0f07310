"""The search page's facet boxes, written in Python: a page shows up to 8 values of each of 9
facets, and a template round per value (a link, its URL twice, its name and count escaped)
was a tenth of an uncached page; the loop over the boxes around them (a toggler, a title, the
"All n" box) was another template round per facet. The markup is the one the template wrote,
to the byte (tests/test_page_caches.py compares them)."""

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup

from app.web import html

if TYPE_CHECKING:
    from app.filters import Filters

SHOWN = 8  # values shown at first; the others load when the box opens


class Value(Protocol):
    id: str
    name: str
    count: int
    selected: bool


def _items(facet: str, values: Sequence[Value], toggle: Callable[[str], str]) -> str:
    out = []
    key = html.text(facet)
    for v in [*values[:SHOWN], *(v for v in values[SHOWN:] if v.selected)]:
        url = "/?" + html.query(toggle(v.id))
        on = 'aria-current="true" class="on"' if v.selected else ""
        out.append(
            f'\n        \n        <li><a href="{url}" hx-get="{url}" data-key="{key}:'
            f'{html.text(v.id)}" {on}>\n            <span dir="auto">{html.text(v.name)}</span> '
            f'<span class="count">{html.text(v.count)}</span></a></li>\n        '
        )
    return "".join(out)


def facet_items(facet: str, values: Sequence[Value], toggle: Callable[[str], str]) -> Markup:
    """The list items of one facet: the first SHOWN values and every selected one after them,
    each a link that toggles it (toggle: Filters.toggler(facet))."""
    return Markup(_items(facet, values, toggle))


def facet_boxes(
    facets: Mapping[str, Sequence[Value]], filters: "Filters", titles: Mapping[str, str]
) -> Markup:
    """Every facet with values as a box of its links (the loop of templates/_search_main.html):
    its title, its first values, and for a facet with more, a box that loads the rest."""
    out = []
    rest = None  # the query string of the "All n" links, the same for every facet
    toggler = filters.togglers()
    for facet, values in facets.items():
        if not values:
            continue
        out.append(
            f'\n    <section class="facet">\n      <h2>{html.text(titles[facet])}</h2>\n'
            f"      <ul>\n        \n        {_items(facet, values, toggler(facet))}\n"
            "      </ul>\n      "
        )
        if len(values) > SHOWN:
            if rest is None:
                rest = html.query(filters.query_string(paging=False))
            all_url = f"/facets/{html.text(facet)}?{rest}"
            out.append(
                f'\n      \n      <details class="morebox" hx-get="{all_url}" hx-trigger="toggle once" '
                'hx-target="find .morelist"\n               hx-swap="innerHTML" hx-push-url="false">\n'
                f"        <summary>All {len(values)}</summary>\n"
                f'        <div class="morelist"><a href="{all_url}">Show all {len(values)}</a></div>\n'
                "      </details>"
            )
        out.append("\n    </section>\n    ")
    return Markup("".join(out))
