""" "The largest step since December, when memory maker YMTC was listed": "listed" alone.

An article that names the trade blacklist (the Entity List, "blacklisted") goes on to write of a
company that it "was listed" or "had been listed", meaning the same list. Only then, and only
in the passive ("was", "were", "been", "being", "got" listed), is the bare verb a listing word:
"a listed company", "listed on the Shanghai exchange", "shares listed in Hong Kong" and
"listed its products" say something else.
"""

import re

# The list, named in the article (folded), and the word such a sentence is read as saying.
LIST_NAMES = ("entity list", "blacklist", "black list")
LISTED_AS = "blacklisted"

# As folded text (lower case, accents and apostrophes removed).
_BARE_LISTED = re.compile(
    r"\b(?:was|were|been|being|got|gets|get|is|are)\s(?:also\s|first\s|itself\s)?listed\b"
    # ... not on a market or a board
    r"(?!\s(?:on|in|at)\s(?:the\s)?(?:\S+\s){0,2}?"
    r"(?:exchange|stock|market|board|nasdaq|nyse|bourse|index|star))"
    r"(?!\s(?:as|among|in\sthe|under)\s)"
)


def says_listed(folded: str) -> str:
    """The passive "was listed" of a sentence, if it has one ("" if none)."""
    m = _BARE_LISTED.search(folded)
    return m.group(0) if m else ""
