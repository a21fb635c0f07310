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

from functools import lru_cache

import Stemmer

from app.text import ARABIC_LETTER, CJK, strip_arabic_prefix

FORM_MARK = "\ue000"
SNOWBALL = {"en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian",
            "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish",
            "no": "norwegian", "fi": "finnish", "ro": "romanian", "hu": "hungarian",
            "tr": "turkish", "ca": "catalan", "ru": "russian", "el": "greek", "ar": "arabic"}
# Latin stemmers a query word is stemmed with, whatever the article language (plus any
# language the reader filtered on).
QUERY_LATIN = ("en", "fr", "de", "es")
_CYRILLIC_LANGS = {"ru"}
_GREEK_LANGS = {"el"}


@lru_cache(maxsize=None)
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
    stemmer = _stemmer("ar")
    return {stemmer.stemWord(form) for form in (token, *strip_arabic_prefix(token))
            if len(form) >= 2}


def document_forms(tokens: list[str], lang: str | None) -> set[str]:
    """The forms (without FORM_MARK) of a document's folded tokens (app.text.index_tokens)."""
    latin = _stemmer(lang if lang in SNOWBALL and lang not in ("ar", "ru", "el") else "en")
    forms: set[str] = set()
    for token in set(tokens):
        if not _stemmable(token):
            forms.add(token)
            continue
        script = _script(token)
        if script == "latin":
            forms.add(latin.stemWord(token))
        elif script == "arabic":
            forms |= _arabic_stems(token)
        elif script == "cyrillic":
            forms.add(_stemmer("ru").stemWord(token))
        elif script == "greek":
            forms.add(_stemmer("el").stemWord(token))
        else:
            forms.add(token)
    return forms


def query_forms(token: str, langs: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The forms a folded query token may take in a document, most likely first."""
    if not _stemmable(token):
        return (token,)
    script = _script(token)
    if script == "latin":
        wanted = [lang for lang in (*QUERY_LATIN, *langs)
                  if lang in SNOWBALL and lang not in ("ar", "ru", "el")]
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
