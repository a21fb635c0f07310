"""Safe snippets: plain text cropped around the first match, matches wrapped in <mark>."""

import re
from collections.abc import Iterable
from html import escape

from app.text import is_whole_word, normalize_with_map
from app.wordforms import FORM_MARK, word_matches_forms

SNIPPET_CHARS = 240
_WORD = re.compile(r"[^\W_]+")


def _spans_of_tokens(body: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Spans of the query's tokens in body (the plan's tokens: folded words, word forms
    marked with FORM_MARK, prefixes written "licen*")."""
    if not tokens:
        return []  # a browse (no query words): nothing to fold and look for
    folded, index = normalize_with_map(body)
    spans = []
    forms = frozenset(t[1:] for t in tokens if t.startswith(FORM_MARK))
    prefixes = tuple(t[:-1] for t in tokens if t.endswith("*") and len(t) > 1)
    if forms or prefixes:
        # Words of the body that take one of the query's forms, or start with a prefix.
        for m in _WORD.finditer(folded):
            word = m.group()
            if (prefixes and word.startswith(prefixes)) or (
                forms and word_matches_forms(word, forms)
            ):
                spans.append((index[m.start()], index[m.end() - 1] + 1))
    for token in set(tokens):
        if token.startswith(FORM_MARK) or token.endswith("*"):
            continue
        if not token:
            continue
        start = folded.find(token)
        while start != -1:
            end = start + len(token)
            if is_whole_word(folded, start, end):
                spans.append((index[start], index[end - 1] + 1))
            start = folded.find(token, start + 1)
    return spans


def make_snippet(body: str, tokens: list[str], extra_spans: Iterable[tuple[int, int]] = ()) -> str:
    spans = sorted(set(_spans_of_tokens(body, tokens)) | set(extra_spans))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    if merged:
        first = merged[0][0]
        begin = max(0, first - SNIPPET_CHARS // 3)
        # Start on a word boundary so the snippet does not open mid-word.
        if begin > 0:
            space = body.find(" ", begin, first)
            begin = space + 1 if space != -1 else begin
    else:
        begin = 0
    stop = min(len(body), begin + SNIPPET_CHARS)
    if stop < len(body):
        space = body.rfind(" ", begin, stop)
        stop = space if space > begin + SNIPPET_CHARS // 2 else stop
    parts, pos = [], begin
    for start, end in merged:
        if end <= begin or start >= stop:
            continue
        start, end = max(start, begin), min(end, stop)
        parts.append(escape(body[pos:start]))
        parts.append(f"<mark>{escape(body[start:end])}</mark>")
        pos = end
    parts.append(escape(body[pos:stop]))
    text = "".join(parts).replace("\n", " ")
    return ("… " if begin > 0 else "") + text + (" …" if stop < len(body) else "")
