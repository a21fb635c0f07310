"""Offsets counted from a month the sentence writes, not from the article's date.

"Sales were cleared to restart in July, three months after Washington required a licence":
the licence is July less three months (April), whatever day the article appeared. MONTHS_AGO
(app/enrich/when.py) reads "three months after" as three months before the article, which is
right only when no other month is written beside it ("..., three months after the ban").
"Banned in April; three months later the sales resumed": LATER phrases count forward from the
written month, and say nothing without one (they never count from the article).
"""

from app.enrich.restrictions import _fold

# Phrases counting forward from a written month (scanned as their own kind: no "ago" reading).
LATER = {
    "en": ("{n} months later",),
    "fr": ("{n} mois plus tard",),
    "de": ("{n} monate später",),
    "es": ("{n} meses más tarde",),
}

# The last word of an offset phrase and which way it counts from the written month: -1, the
# action it introduces came before ("three months after the ban", "drei Monate nachdem",
# "three months earlier"); +1, after ("three months later").
DIRECTION = {
    _fold(word): sign
    for word, sign in (
        ("after", -1),
        ("earlier", -1),
        ("après", -1),
        ("na", -1),
        ("nach", -1),
        ("nachdem", -1),
        ("eerder", -1),
        ("later", 1),
        ("tard", 1),
        ("später", 1),
    )
}


def shift_month(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) n months later (n < 0: earlier)."""
    y, m = divmod(year * 12 + month - 1 + n, 12)
    return y, m + 1


def counted_from(phrase: str, n: int, written: set[tuple[int, int]]) -> set[tuple[int, int]] | None:
    """The months `phrase` ("three months after", folded; N = n) points to, counted from each
    month the sentence writes (with its year); None when it counts from the article instead
    (no month written, or a phrase that says "ago")."""
    sign = DIRECTION.get(phrase.rsplit(" ", 1)[-1]) if written else None
    if sign is None:
        return None
    return {shift_month(year, month, sign * n) for year, month in written}
