"""The words of a text as normalize() folds it, cut once per article.

An article's body is cut into the same words, one after the other, by its content hash
(app/ingest/normalize.py), its shingles and its search tokens when it is ASCII
(app/article/linking.py, app/search/documents.py). Kept apart from app/text.py, whose source is
part of the enrichment version (app/enrich/version.py): this changes no folding.
"""

import re

from app.text import normalize

_WORD = re.compile(r"[^\W_]+")  # as app.text's tokens: runs of letters and digits

# (text, its words): one reference read and one written, so threads may share it; the worst a
# race does is cut a text twice.
_LAST: list[tuple[str | None, list[str]]] = [(None, [])]


def folded_words(text: str) -> list[str]:
    """The words of normalize(text). The same list is handed to the next caller with the same
    text: the caller must not change it."""
    last = _LAST[0]
    if last[0] is text:
        return last[1]
    words = _WORD.findall(normalize(text))
    _LAST[0] = (text, words)
    return words
