"""Escaping for the markup the search page writes in Python (cards, charts, facet links).

markupsafe.escape makes a Markup object per call (a Python-level __new__); the page writes a
few hundred values, most of them the same names and ids page after page. Both functions here
give exactly what escape() gives, as plain str, for joining into one Markup at the end."""

from functools import lru_cache

from markupsafe import escape


@lru_cache(maxsize=16384, typed=True)  # typed: 1, True and "1" are written differently
def text(value: object) -> str:
    """str(escape(value)), kept: names, ids and sources repeat across pages."""
    return str(escape(value))


def query(encoded: str) -> str:
    """An href of a query string the app encoded itself (app/filters.py: every key and value
    percent-encoded, so "&" is the only character escape() would change)."""
    return encoded.replace("&", "&amp;")
