"""Text normalisation shared by the tagger, the search backends and the queries.

One function decides how text is compared everywhere, so an index and a query can never
disagree: Unicode compatibility forms, case, accents and other marks on Latin, Greek and
Cyrillic letters (NFKD, marks removed), and Arabic orthography (hamza forms, alef
maqsura, taa marbuta, diacritics, tatweel) are folded; offsets back into the original text
are kept so mentions and highlights point at what the reader sees.
"""

import re
import unicodedata

_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ک": "ك",
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
    }
)
# Harakat, Quranic marks, superscript alef, tatweel, and invisible format characters.
_DROPPED = re.compile(
    r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640"
    r"\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]"
)

ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
HAN = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]")
# Scripts written without spaces between words (Han, kana, Hangul syllables as used in names).
CJK = re.compile(r"[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uAC00-\uD7AF]")
# Attached Arabic clitics a name may carry: conjunctions, prepositions and the article.
ARABIC_PREFIXES = frozenset(
    {
        "",
        "و",
        "ف",
        "ب",
        "ك",
        "ل",
        "ال",
        "وال",
        "فال",
        "بال",
        "كال",
        "لل",
        "ولل",
        "فلل",
        "وب",
        "فب",
        "ول",
        "فل",
        "وك",
        "فك",
        "وبال",
        "فبال",
        "وكال",
        "س",
        "وس",
    }
)


# Latin, Greek and Cyrillic letters (with their extended blocks) lose their accents and other
# marks: Pekin is Pékin, controle is contrôle, Ελλάδα is ελλαδα. Other scripts keep theirs
# (Hangul and kana decompose into different letters, Arabic has its own folding above).
_MARKED_SCRIPTS = re.compile(r"[\u00C0-\u052F\u1E00-\u1FFF\u0300-\u036F]")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_char_uncached(ch: str) -> str:
    if _DROPPED.match(ch):
        return ""
    out = unicodedata.normalize("NFKC", ch).casefold()
    if _MARKED_SCRIPTS.search(out):
        out = _strip_marks(out)
    return out.translate(_ARABIC_FOLD)


# Folding is per character and text reuses few characters: a cache makes it a dict lookup,
# and the same cache as a str.translate table folds a whole text at C speed.
class _FoldTable(dict):
    """A str.translate table that folds a character the first time translate meets it."""

    def __missing__(self, code: int) -> str:
        return _fold_char(chr(code))


_FOLD_CACHE: dict[str, str] = {}
_FOLD_TABLE: _FoldTable = _FoldTable()
_NOT_ONE_TO_ONE: set[str] = set()  # characters that fold to nothing or to several


def _fold_char(ch: str) -> str:
    folded = _FOLD_CACHE.get(ch)
    if folded is None:
        folded = _FOLD_CACHE[ch] = _fold_char_uncached(ch)
        _FOLD_TABLE[ord(ch)] = folded
        if len(folded) != 1:
            _NOT_ONE_TO_ONE.add(ch)
    return folded


def normalize(text: str) -> str:
    """Fold text for comparison (see the module docstring)."""
    if text.isascii():
        return text.lower()  # what the table gives for ASCII, without a lookup per character
    if len(text) < _REMEMBER_FROM:
        return text.translate(_FOLD_TABLE)
    # A whole article is folded several times over when it is read (its content hash, the
    # tagger, the search tokens; the body and title + body): the last two are remembered.
    recent = _RECENT_FOLDS
    for known, folded in recent:
        if known is text or known == text:
            return folded
    # Folding is per character: a text that ends with a remembered one (title + "\n" + body
    # after the body) folds its head alone.
    for known, folded in recent:
        if known and len(known) < len(text) and text.endswith(known):
            head = text[: len(text) - len(known)]
            folded = (head.lower() if head.isascii() else head.translate(_FOLD_TABLE)) + folded
            break
    else:
        folded = text.translate(_FOLD_TABLE)
    recent[:] = [(text, folded), recent[0]]  # one list assignment: safe to share by threads
    return folded


_REMEMBER_FROM = 256  # characters: shorter texts (words, sentences, queries) are folded anew
_RECENT_FOLDS: list[tuple[str, str]] = [("", ""), ("", "")]  # (text, its fold), newest first


_SPECIAL: list = [0, None]  # (size of _NOT_ONE_TO_ONE when compiled, pattern matching it)


def normalize_with_map(text: str) -> tuple[str, list[int] | range]:
    """Fold text and return, for every folded character, its index in the original."""
    folded = normalize(text)
    if not _NOT_ONE_TO_ONE:
        return folded, range(len(text))  # no such character met yet
    if _SPECIAL[0] != len(_NOT_ONE_TO_ONE):
        _SPECIAL[:] = [
            len(_NOT_ONE_TO_ONE),
            re.compile("[" + "".join(re.escape(c) for c in sorted(_NOT_ONE_TO_ONE)) + "]"),
        ]
    # (The pattern finds them at C speed; set.isdisjoint(text) made a string per character.)
    first = _SPECIAL[1].search(text)
    if first is None:
        return folded, range(len(text))  # the usual case: offsets are unchanged
    # Runs of one-to-one characters map by range; only the few others (diacritics dropped,
    # ligatures expanded) are looked at one by one.
    index: list[int] = []
    last = 0
    for m in _SPECIAL[1].finditer(text, first.start()):
        i = m.start()
        index.extend(range(last, i))
        index.extend([i] * len(_FOLD_CACHE[text[i]]))
        last = i + 1
    index.extend(range(last, len(text)))
    return folded, index


def is_latin_or_digit(ch: str) -> bool:
    return ch.isalnum() and not ARABIC_LETTER.match(ch) and not CJK.match(ch)


def attached_prefix(folded: str, start: int) -> str:
    """The Arabic letters written onto a word before position start (و of وهواوي, لل of للصين)."""
    word_start = start
    while word_start > 0 and ARABIC_LETTER.match(folded[word_start - 1]):
        word_start -= 1
    return folded[word_start:start]


def is_whole_word(folded: str, start: int, end: int) -> bool:
    """Whether folded[start:end] stands as a word: Latin/digits need boundaries, Arabic may
    carry clitic prefixes, CJK needs none (but a number is not part of a longer number)."""
    first, last = folded[start], folded[end - 1]
    before = folded[start - 1] if start > 0 else " "
    after = folded[end] if end < len(folded) else " "
    if ARABIC_LETTER.match(first):
        if attached_prefix(folded, start) not in ARABIC_PREFIXES:
            return False
    elif is_latin_or_digit(first) and is_latin_or_digit(before):
        return False
    if ARABIC_LETTER.match(last):
        return not ARABIC_LETTER.match(after)
    if is_latin_or_digit(last):
        return not is_latin_or_digit(after)
    return True


def strip_arabic_prefix(token: str) -> list[str]:
    """The forms of an Arabic word with its attached clitics removed, longest prefix first."""
    forms = []
    for n in range(min(4, len(token) - 2), 0, -1):
        if token[:n] in ARABIC_PREFIXES and len(token) - n >= 2:
            forms.append(token[n:])
    return forms


_TOKEN = re.compile(r"[^\W_]+")
_SCRIPT_RUN = re.compile(
    r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+|[^\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+"
)


def term_groups(text: str) -> list[list[str]]:
    """Split text into search terms, each a group of interchangeable tokens.

    Latin and digit runs are single tokens (so H20 never matches H200); an Arabic word
    also offers its clitic-stripped forms; a run of Han characters becomes overlapping
    bigrams (Chinese has no spaces, and bigrams are what a segmenter-free index can match).
    """
    groups: list[list[str]] = []
    for raw in _TOKEN.findall(normalize(text)):
        if raw.isascii():
            groups.append([raw])  # one Latin or digit run: the usual case, settled at once
        else:
            _add_groups(raw, groups.append, groups.extend)
    return groups


def _add_groups(raw: str, append, extend) -> None:
    """The groups of one non-ASCII token (see term_groups)."""
    for run in _SCRIPT_RUN.findall(raw):
        if HAN.match(run):
            if len(run) == 1:
                append([run])
            else:
                extend([run[i : i + 2]] for i in range(len(run) - 1))
        elif ARABIC_LETTER.match(run):
            append([run, *strip_arabic_prefix(run)])
        else:
            append([run])


def index_tokens(text: str) -> list[str]:
    """Every token a document offers to the index (all forms of every term): the tokens of
    term_groups(text), flattened."""
    folded = normalize(text)
    if folded.isascii():
        return _TOKEN.findall(folded)  # every token is its own only form (English articles)
    tokens: list[str] = []
    append, extend, known = tokens.append, tokens.extend, _RAW_TOKENS.get
    for raw in _TOKEN.findall(folded):
        if raw.isascii():
            append(raw)
            continue
        found = known(raw)
        extend(found if found is not None else _raw_tokens(raw))
    return tokens


# The tokens of each non-ASCII word (Arabic forms, Han bigrams), remembered: articles share
# their vocabulary, and a dict lookup costs less than the script runs and prefix forms. Cleared
# when it reaches _RAW_TOKENS_MAX words (about 10 MiB).
_RAW_TOKENS: dict[str, tuple[str, ...]] = {}
_RAW_TOKENS_MAX = 50_000


def _raw_tokens(raw: str) -> tuple[str, ...]:
    """The tokens of one non-ASCII word (see index_tokens), remembered in _RAW_TOKENS."""
    tokens: list[str] = []
    append, extend = tokens.append, tokens.extend
    for run in _SCRIPT_RUN.findall(raw):
        if HAN.match(run):
            if len(run) == 1:
                append(run)
            else:
                extend(run[i : i + 2] for i in range(len(run) - 1))
        elif ARABIC_LETTER.match(run):
            append(run)
            extend(strip_arabic_prefix(run))
        else:
            append(run)
    if len(_RAW_TOKENS) >= _RAW_TOKENS_MAX:
        _RAW_TOKENS.clear()
    found = _RAW_TOKENS[raw] = tuple(tokens)
    return found
