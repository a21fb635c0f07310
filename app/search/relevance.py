"""Ranked matching: what of a query decides a hit, and what only ranks.

An analyst types questions, not all of whose words are in any one article. So a plain query
(`match=any`, the default) is read as:

- names and concepts decide: every entity (Nvidia, H20, Saudi Arabia, the AI diffusion rule)
  and every topic concept (customs, ban, licence, data centre... app/search/concepts.py) the
  query names must match, by its words or by the tag that stands for all its spellings; an
  agency only when the query names nothing else (app.search.query._decide);
- other words rank: an article matching more of them (and in its title) comes first. With no
  name or concept in the query, a hit needs most of its words (all of one or two, half and
  one of more);
- stop words (en, fr, ar, zh) never decide anything;
- words and names of five letters or more are forgiven one typo (nvdia, Huwei, Tencnet):
  a word that is one edit away from a name or concept word of the gazetteer is read as it;
  model numbers and words with digits never are (H20 is not H200, 910B is not 910C).

Strict matching stays: `match=all`, a `+word`, and quoted phrases are required as typed.
"""

import re
import unicodedata

from rapidfuzz import process
from rapidfuzz.distance import OSA

from app.search import concepts
from app.text import ARABIC_LETTER, HAN, normalize, strip_arabic_prefix, term_groups

MIN_TYPO_LENGTH = 5

# Words that never decide a match. Folded like the index (app.text.normalize) when loaded.
_STOP = {
    "en": """a an the of in on at to for from by with and or but nor is are was were be been being am
        do does did doing done have has had having what which who whom whose why how when where
        whether this that these those it its into onto over under about after before than then
        there their theirs they them he she his her hers him we our ours you your yours i me my
        mine can could will would shall should may might must not no as if so such up out also
        just any all some more most other very get gets getting got say says said let lets still
        yet while during since until via per because though although here now each both few only
        own same too s t many much each every ever like please show find news latest""",
    "fr": """le la les l un une des du de d au aux et ou mais est sont a ont ai été être etre était que
        qu qui quoi quel quelle quels quelles pourquoi comment quand où ou ce c cet cette ces il elle
        ils elles on se s sa son ses leur leurs lui en dans par pour sur avec sans vers chez ne n pas
        plus t y ni donc car comme si tout tous toute toutes très aussi selon entre après avant
        peut peuvent pourrait encore combien est-ce depuis pendant dont alors lors quoi""",
    "ar": """في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين اللذين ما ماذا لماذا كيف متى أين
        هل أو ثم لم لن قد كان كانت يكون تكون أن إن بعد قبل عند بين حتى كل أي هو هي هم هن نحن أنا
        لا لكن بل أيضا فقط منذ خلال حول ضد عبر لدى وفق وفقا يمكن كم""",
    "zh": """的 了 是 在 和 与 及 或 吗 呢 吧 把 被 么 什么 为什么 哪些 哪个 怎么 如何 是否 这 那 这些 那些
        其 之 也 都 就 还 等 将 从 向 于 并 而 但 以 及其 时候 何时 多少 为何 可以 能否 哪里 哪家
        多大 多久 有哪 受到""",
    # Spanish and German: analysts ask in them too, about articles in other languages.
    # ("war", "sin" and "uber" stay out: trade war, English words, a company).
    "es": """el la los las un una unos unas de del al y o pero es son fue fueron ser esta estan
        ha han hay por para con sobre entre que quien quienes cual cuales cuando como donde
        porque se su sus lo le les no ya mas muy tambien hasta desde segun puede pueden
        cuanto cuanta cuantos cuantas este estos estas ese esa esos esas durante tras sido era""",
    "de": """der das den dem des ein eine einer eines einem einen und oder aber ist sind wird
        werden wurde wurden hat haben darf durfen kann konnen soll sollen nicht kein keine
        keinen warum wann wie welche welcher welches wer was wo nach von vom zu zum zur im in
        auf aus bei noch auch nur sich seit bis gegen fur mit an am durch viel viele wieviel
        welchen welchem es sie er wir ihr dass ob sein seine ihre ihren diese dieser dieses
        als um unter wegen mehr schon denn bereits gibt""",
    "ru": """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
        только ее мне было вот от меня еще нет о из ему теперь когда ли если уже или ни быть
        был него до вас там потом себя ей может они тут где есть надо ней для мы тебя их чем
        была сам чтоб без чего раз тоже себе под будет ж тогда кто этот того потому этого
        какой какие каких какая ним здесь этом почти мой тем чтобы нее сейчас были куда зачем
        всех можно при об другой хоть после над больше тот через эти нас про всего них много
        эту моя свою этой перед между почему сколько ли""",
}
STOP_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(normalize(w) for w in words.split()) for lang, words in _STOP.items()
}
_ALL_STOP = frozenset().union(*STOP_WORDS.values())
# Han characters that, inside a bigram, make it a function-word bigram (的英, 了美...).
_HAN_STOP_CHARS = frozenset("的了吗呢吧把被么是在和与及或这那其之也都就还等从向于并而但以为什到")


def is_stop_group(group) -> bool:
    """Whether a term group (interchangeable tokens of one word) is a stop word."""
    surface = group[0]
    if surface in _ALL_STOP:
        return True
    if HAN.match(surface):
        return surface in _ALL_STOP or any(ch in _HAN_STOP_CHARS for ch in surface)
    if ARABIC_LETTER.match(surface):
        # وفي, لماذا: a stop word with a clitic written onto it.
        return any(form in _ALL_STOP for form in strip_arabic_prefix(surface))
    return False


# --- typos ----------------------------------------------------------------------------------


def _damerau(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition is one edit), capped at limit + 1."""
    return OSA.distance(a, b, score_cutoff=limit)


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


_VOCABULARIES: dict[str, tuple[dict, dict]] = {}


def _vocabulary(entities) -> tuple[dict, dict]:
    """(folded word -> (word as written, name), folded stem -> (stem, name)) of the one-word names and concept
    aliases of five Latin letters or more. Words of longer names ("serveurs" of an outlet's
    name) are left out: they are ordinary words, and a typo is only forgiven towards a name."""
    words: dict[str, tuple[str, str]] = {}
    stems: dict[str, tuple[str, str]] = {}
    for entity in entities:
        for alias in entity.all_aliases():
            is_stem = alias.endswith("*")
            parts = _WORD.findall(alias.rstrip("*"))
            if len(parts) != 1:
                continue
            folded = normalize(parts[0])
            if len(folded) < MIN_TYPO_LENGTH - (1 if is_stem else 0) or not folded.isascii():
                continue
            (stems if is_stem else words).setdefault(
                folded, (parts[0], entity.raw.get("name", entity.name))
            )
    return words, stems


def vocabulary(tagger) -> tuple[dict, dict]:
    """The typo vocabulary of a tagger's gazetteer and the topics (built once per version)."""
    key = tagger.gazetteer.version + concepts.topics().version
    cached = _VOCABULARIES.get(key)
    if cached is None:
        cached = _VOCABULARIES[key] = _vocabulary(
            [*tagger.gazetteer.entities.values(), *concepts.topics().entities.values()]
        )
    return cached


MIN_SUBSTITUTION_LENGTH = 6


def _other_word(word: str, candidate: str) -> bool:
    """Whether a short word one letter different from a name is more likely another word than a
    typo of it: below six letters, too many ordinary words are one substituted letter from a
    name (apply/Apple, asian/ASEAN, durch/Dutch); a letter left out, added or swapped there is
    still a typo (nvdia, Huwei)."""
    return (
        len(word) < MIN_SUBSTITUTION_LENGTH
        and len(word) == len(candidate)
        and sorted(word) != sorted(candidate)
    )


_CORRECTIONS: dict[tuple[str, str, int], tuple[str, str] | None] = {}
MAX_CORRECTIONS = 10_000  # words remembered (all forgotten when full)


def _correction(word: str, tagger, limit: int = 1) -> tuple[str, str] | None:
    """_find_correction, remembered per vocabulary version: a function of the word and the
    vocabulary alone, and a fuzzy scan of the whole vocabulary per word of every query (a
    twentieth of a repeated /api/search, bench/reports/api8.md)."""
    key = (tagger.gazetteer.version + concepts.topics().version, word, limit)
    try:
        return _CORRECTIONS[key]
    except KeyError:
        pass
    found = _find_correction(word, tagger, limit)
    if len(_CORRECTIONS) >= MAX_CORRECTIONS:
        _CORRECTIONS.clear()
    _CORRECTIONS[key] = found
    return found


def _find_correction(word: str, tagger, limit: int = 1) -> tuple[str, str] | None:
    """The name or concept word one typo away from word, and its name (None: no single best one)."""
    folded = normalize(word)
    if len(folded) < MIN_TYPO_LENGTH or not folded.isascii() or not folded.isalpha():
        return None
    if folded in _ALL_STOP:
        return None
    words, stems = vocabulary(tagger)
    if folded in words or any(folded.startswith(s) for s in stems):
        return None
    best: list[tuple[int, str, str]] = []  # (distance, word, the name it belongs to)
    for candidate, d, _i in process.extract(
        folded, list(words), scorer=OSA.distance, score_cutoff=limit, limit=None
    ):
        if candidate.startswith(folded) or folded.startswith(candidate):
            continue  # an inflection (exports, chips), not a typo
        if _other_word(folded, candidate):
            continue
        written, owner = words[candidate]
        best.append((int(d), written, owner))
    for stem, (written, owner) in stems.items():
        for k in (-1, 0, 1):
            head = folded[: len(stem) + k]
            if len(head) >= len(stem) - 1 and _damerau(head, stem, limit) <= limit:
                best.append((limit, written + folded[len(head) :], owner))
                break
    if not best:
        return None
    best.sort()
    top = [b for b in best if b[0] == best[0][0]]
    # Several spellings of one name (Nvidia, Nvida) are one answer; two names are none.
    return (top[0][1], top[0][2]) if len({owner for _d, _w, owner in top}) == 1 else None


def correct_typos(text: str, tagger, known=None) -> tuple[str, list[tuple[str, str]]]:
    """text with each word of 5+ letters that is one typo from a name or concept word replaced
    by it, and the (typed, read as) pairs. Words with digits are never touched, nor words that
    known(folded word) says are in the index (Biden is not a typo of Biren)."""
    corrections: list[tuple[str, str]] = []
    out, last = [], 0
    for m in re.finditer(r"[A-Za-z0-9]+", text):
        word = m.group()
        if any(ch.isdigit() for ch in word):
            continue
        found = _correction(word, tagger)
        if found and known is not None and known(normalize(word)):
            continue
        if found and normalize(found[0]) != normalize(word):
            out.append(text[last : m.start()])
            out.append(found[0])
            last = m.end()
            corrections.append((word, found[1]))
    out.append(text[last:])
    return "".join(out), corrections


def suggestions(text: str, tagger, limit: int = 5) -> list[str]:
    """Names of the gazetteer nearest to the query's words ("did you mean"), for a query with
    no match at all: two edits for words of five letters or more, one below."""
    words, _stems = vocabulary(tagger)
    names: dict[str, str] = {}
    by_word: dict[str, str] = {}
    for entity in tagger.gazetteer.entities.values():
        for alias in entity.all_aliases():
            for part in _WORD.findall(alias):
                by_word.setdefault(normalize(part), entity.name)
    out: list[str] = []
    for m in re.finditer(r"[^\W\d_]{3,}", text):
        folded = normalize(m.group())
        limit = 2 if len(folded) >= MIN_TYPO_LENGTH else 1
        scored = sorted(
            (_damerau(folded, w, limit), w) for w in by_word if abs(len(w) - len(folded)) <= limit
        )
        for d, w in scored:
            if d > limit or d == 0:
                continue
            name = by_word[w]
            if name not in names:
                names[name] = w
                out.append(name)
            break
    return out[:limit]


# --- model numbers --------------------------------------------------------------------------------

_MODEL_TOKENS: dict[str, frozenset[str]] = {}
_ALNUM = re.compile(r"[A-Za-z0-9]+")
# What analysts put inside a model number: H-20, MI-308, 910 C, RTX Pro 6000 D, B30 A.
_MODEL_GAP = re.compile(r"[ \-\u2010\u2011\u2013]{1,2}")


def model_tokens(tagger) -> frozenset[str]:
    """The gazetteer's model numbers as one folded token each (h20, mi308, 910c, 6000d):
    alias words with both a letter and a digit."""
    key = tagger.gazetteer.version
    cached = _MODEL_TOKENS.get(key)
    if cached is None:
        found = set()
        for entity in tagger.gazetteer.entities.values():
            for alias in entity.all_aliases():
                for word in _ALNUM.findall(alias):
                    folded = word.lower()
                    if any(c.isdigit() for c in folded) and any(c.isalpha() for c in folded):
                        found.add(folded)
        cached = _MODEL_TOKENS[key] = frozenset(found)
    return cached


def _is_piece(word: str) -> bool:
    """A part of a model number: digits, or a letter prefix or suffix of at most three letters
    (a longer word is a name: "Ascend 910" stays two words)."""
    return any(c.isdigit() for c in word) or len(word) <= 3


def join_model_numbers(text: str, tagger) -> str:
    """text with a model number typed in two parts written as one ("H-20" as H20, "910 C" as
    910C, "mi 308" as mi308), when the joined word is a model number of the gazetteer; the
    index holds model numbers whole, so "H" and "20" would find neither."""
    known = model_tokens(tagger)
    words = list(_ALNUM.finditer(text))
    out, last, i = [], 0, 0
    while i < len(words) - 1:
        a, b = words[i], words[i + 1]
        gap = text[a.end() : b.start()]
        joined = (a.group() + b.group()).lower()
        if (
            _MODEL_GAP.fullmatch(gap)
            and joined in known
            and _is_piece(a.group())
            and _is_piece(b.group())
            and (a.start() == 0 or text[a.start() - 1] != "-")
        ):
            out.append(text[last : a.end()])
            last = b.start()
            i += 2
            continue
        i += 1
    out.append(text[last:])
    return "".join(out)


# --- the query's language -----------------------------------------------------------------------


def query_language(text: str, langs: tuple[str, ...] = ()) -> str:
    """The language a query is written in (its script; Latin: the one language filtered on,
    French when it has French accents or stop words, else English)."""
    if ARABIC_LETTER.search(text):
        return "ar"
    if HAN.search(text):
        return "zh"
    if len(langs) == 1 and langs[0] in ("en", "fr"):
        return langs[0]
    words = set(normalize(text).split())
    if (
        any(unicodedata.decomposition(ch) for ch in text if ch.isalpha() and not ch.isascii())
        or len(words & (STOP_WORDS["fr"] - STOP_WORDS["en"])) >= 1
    ):
        return "fr"
    return "en"


def forced_words(q: str) -> tuple[str, set[str]]:
    """q without the + of `+word`, and the folded words so marked (required as typed)."""
    forced: set[str] = set()

    def take(m: re.Match) -> str:
        for group in term_groups(m.group(2)):
            forced.add(group[0])
        return m.group(1) + m.group(2)

    return re.sub(r"(^|\s)\+(\S+)", take, q), forced


def most(n: int) -> int:
    """How many of n words a hit needs when the query names nothing: all of one or two, more
    than half of more."""
    return n if n <= 2 else n // 2 + 1
