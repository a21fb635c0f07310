"""Word forms: the stem a search index keeps beside every word, so "export" finds "exporting".

A document word's form is its Snowball stem in the article's language (English for Latin
words in other languages, Russian for Cyrillic, Greek for Greek), its Arabic light stem
(Snowball's Arabic stemmer on every clitic-free form of the word), or the token itself for
model numbers (anything with a digit), Han bigrams and scripts without a stemmer. A query word
is stemmed with every Latin stemmer chipwatch knows (the reader's language is not known),
so a French plural typed into the box meets the French article.

Forms live in their own namespace (FORM_MARK, a private-use character that FTS5's unicode61
tokenizer keeps inside a token): the stem "new" of "news" never matches the word "new".
Everything is folded by app.text first, so stems are taken on folded words on both sides.
"""

from functools import cache

import Stemmer

from app.text import ARABIC_LETTER, CJK, strip_arabic_prefix

FORM_MARK = "\ue000"
SNOWBALL = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "fi": "finnish",
    "ro": "romanian",
    "hu": "hungarian",
    "tr": "turkish",
    "ca": "catalan",
    "ru": "russian",
    "el": "greek",
    "ar": "arabic",
}
# Latin stemmers a query word is stemmed with, whatever the article language (plus any
# language the reader filtered on).
QUERY_LATIN = ("en", "fr", "de", "es")
_CYRILLIC_LANGS = {"ru"}
_GREEK_LANGS = {"el"}


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer:
    stemmer = Stemmer.Stemmer(SNOWBALL[lang])
    stemmer.maxCacheSize = 100_000
    return stemmer


def _script(token: str) -> str:
    first = token[0]
    if ARABIC_LETTER.match(first):
        return "arabic"
    if CJK.match(first):
        return "cjk"
    code = ord(first)
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return "greek"
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    return "latin"


def _stemmable(token: str) -> bool:
    return len(token) > 2 and not any(ch.isdigit() for ch in token)


def _arabic_stems(token: str) -> set[str]:
    """Snowball's Arabic stems of every clitic-free form of the word. Snowball keeps the
    feminine plural ات on a word without the article (صادرات -> صادرا, but الصادرات -> صادر),
    so a form ending in ات is also stemmed without it."""
    stemmer = _stemmer("ar")
    forms = [f for f in (token, *strip_arabic_prefix(token)) if len(f) >= 2]
    forms += [f[:-2] for f in forms if f.endswith("ات") and len(f) >= 5]
    return {stemmer.stemWord(form) for form in forms}


def _token_forms(token: str, latin_lang: str) -> tuple[str, ...]:
    """The forms of one document token."""
    if not _stemmable(token):
        return (token,)
    script = _script(token)
    if script == "latin":
        return (_stemmer(latin_lang).stemWord(token),)
    if script == "arabic":
        return tuple(_arabic_stems(token))
    if script == "cyrillic":
        return (_stemmer("ru").stemWord(token),)
    if script == "greek":
        return (_stemmer("el").stemWord(token),)
    return (token,)


# Forms per (stemmer language, token): documents share most of their vocabulary, and a dict
# lookup is a tenth of a stemmer call. Cleared when it grows past _CACHE_MAX.
_CACHE: dict[str, dict[str, tuple[str, ...]]] = {}
_CACHE_MAX = 500_000


def document_forms(tokens: list[str], lang: str | None) -> set[str]:
    """The forms (without FORM_MARK) of a document's folded tokens (app.text.index_tokens)."""
    latin_lang = lang if lang in SNOWBALL and lang not in ("ar", "ru", "el") else "en"
    cache = _CACHE.get(latin_lang)
    if cache is None or len(cache) > _CACHE_MAX:
        cache = _CACHE[latin_lang] = {}
    forms: set[str] = set()
    for token in set(tokens):
        found = cache.get(token)
        if found is None:
            found = cache[token] = _token_forms(token, latin_lang)
        forms.update(found)
    return forms


def query_forms(token: str, langs: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The forms a folded query token may take in a document, most likely first."""
    if not _stemmable(token):
        return (token,)
    script = _script(token)
    if script == "latin":
        wanted = [
            lang
            for lang in (*QUERY_LATIN, *langs)
            if lang in SNOWBALL and lang not in ("ar", "ru", "el")
        ]
        stems = [_stemmer(lang).stemWord(token) for lang in dict.fromkeys(wanted)]
    elif script == "arabic":
        stems = sorted(_arabic_stems(token), key=lambda s: (-len(s), s))
    elif script == "cyrillic":
        stems = [_stemmer("ru").stemWord(token)]
    elif script == "greek":
        stems = [_stemmer("el").stemWord(token)]
    else:
        stems = [token]
    return tuple(dict.fromkeys(stems))


def marked(form: str) -> str:
    return FORM_MARK + form


def word_matches_forms(word: str, forms: frozenset[str]) -> bool:
    """Whether a folded document word takes one of the (unmarked) query forms: for highlighting."""
    return any(f in forms for f in query_forms(word, ("it", "pt", "nl"))) or word in forms
