"""Gazetteer matching: every alias in every language, found in folded text with offsets.

One Aho-Corasick automaton over the folded aliases scans an article once; each hit is then
checked against the script's idea of a word: Latin and digits need word boundaries (Intel is
not in "intelligence", H20 is not in H200), Arabic names may carry attached clitics (وهواوي,
لإنفيديا), Chinese names sit inside unbroken Han text (华为昇腾910C芯片).

Names that are also ordinary words are settled by data, not code (app/gazetteer/data/README.md):
`case_sensitive` aliases count only with their exact case (Arm, not arm); `needs_context`
aliases only near a chip word or the entity's own `context` words (H2O next to "chips", Ascend
in an article that names Huawei); `exclude` rules drop a mention inside a longer phrase that
names something else ("CAC 40", "Gulf of Mexico", Arabic قطر as "diameter", 对华为).
"""

import re
from dataclasses import dataclass

import ahocorasick

from app.gazetteer import EntityDef, Gazetteer
from app.text import (
    ARABIC_LETTER,
    ARABIC_PREFIXES,
    attached_prefix,
    is_latin_or_digit,
    normalize,
    normalize_with_map,
)

# Arabic endings that keep a name a name (relative adjectives, plurals): الصينية, الأمريكيون.
ARABIC_SUFFIXES = frozenset({"", "ه", "يه", "ي", "ون", "ين", "يون", "يين", "ات"})
CONTEXT_WINDOW = 80  # folded characters either side for needs_context aliases
STEM = "*"  # an alias ending in * is a stem: any letters may follow (Russian, German endings)


@dataclass(frozen=True)
class Hit:
    entity_id: str
    surface: str
    start: int  # offsets into the original text
    end: int


@dataclass(frozen=True)
class _Owner:
    entity: EntityDef
    exact: frozenset[str] | None  # case-sensitive forms required, or None
    contextual: bool  # needs_context alias
    stem: bool  # alias is a stem (no right boundary)
    excludes: tuple["_Exclude", ...]


@dataclass(frozen=True)
class _Exclude:
    pattern: re.Pattern | None  # a match overlapping the mention drops it
    near: re.Pattern | None  # one of these folded phrases within `window` drops it
    window: int  # 0: anywhere in the text


def _phrases(words: list[str]) -> re.Pattern | None:
    """One pattern for folded phrases: Latin ones as whole words, plural -s allowed ("cider" is
    not in "consider", "orchard" is in "orchards"); others (Arabic, CJK) anywhere."""
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        if w and is_latin_or_digit(w[0]):
            parts.append(r"(?<![^\W_])" + re.escape(w) + r"(?:s|es)?(?![^\W_])")
        elif w:
            parts.append(re.escape(w))
    return re.compile("|".join(parts)) if parts else None


class _Lazy:
    """The folded whole article, folded only if a rule asks for it."""

    def __init__(self, document: str | None, folded: str):
        self._document, self._text = document, None if document else folded

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = normalize(self._document)
        return self._text


_LAST_FOLD: list = [("", ("", range(0)))]  # (the last text folded, its (folded, index))


def _fold_with_map(text: str):
    """normalize_with_map, remembering the last text: the outlet tagger and the entity tagger
    read the same body one after the other. (One reference read and one written: safe when
    threads share the tagger; the worst a race does is fold twice.)"""
    last = _LAST_FOLD[0]
    if last[0] is text:
        return last[1]
    result = normalize_with_map(text)
    _LAST_FOLD[0] = (text, result)
    return result


_LATIN: dict[str, bool] = {}
_ARABIC: dict[str, bool] = {}


def latin(ch: str) -> bool:
    """is_latin_or_digit, memoised per character (the matcher asks it for every boundary)."""
    value = _LATIN.get(ch)
    if value is None:
        value = _LATIN[ch] = is_latin_or_digit(ch)
    return value


def arabic(ch: str) -> bool:
    """Whether ch is an Arabic letter, memoised."""
    value = _ARABIC.get(ch)
    if value is None:
        value = _ARABIC[ch] = bool(ARABIC_LETTER.match(ch))
    return value


def _entry(key: str, owners: list["_Owner"], after_lil: bool) -> tuple:
    """An automaton value: the key, its owners, and what find() checks about it, known in advance."""
    return (
        key,
        owners,
        after_lil,
        any(o.stem for o in owners),
        len(key),
        latin(key[0]),
        arabic(key[0]),
        latin(key[-1]),
        key[-1].isdigit(),
        arabic(key[-1]),
    )


def _hit(entity_id: str, surface: str, start: int, end: int) -> Hit:
    """Hit(...) without the frozen dataclass's __init__ (which sets each field the slow way)."""
    hit = object.__new__(Hit)
    hit.__dict__.update(entity_id=entity_id, surface=surface, start=start, end=end)
    return hit


def _hit_order(hit: Hit) -> tuple[int, str]:
    return hit.start, hit.entity_id


def _fold_alias(alias: str) -> str:
    return " ".join(normalize(alias).split())


def _excludes_for(entity: EntityDef, key: str) -> tuple[_Exclude, ...]:
    rules = []
    for rule in entity.raw.get("exclude", ()):
        alias = rule.get("alias")
        if alias is not None and _fold_alias(alias.rstrip(STEM)) != key:
            continue
        pattern = re.compile(rule["pattern"]) if rule.get("pattern") else None
        near = _phrases([_fold_alias(w) for w in rule.get("near", ())])
        rules.append(_Exclude(pattern, near, int(rule.get("window", 0))))
    return tuple(rules)


class Tagger:
    """Finds entity names in text.

    query=True reads a search query rather than an article: a query has no context to weigh, and
    whoever types "intel", "arm" or "ascend" into chipwatch means the company or the chip. Word
    boundaries still hold; context and exclusion rules are skipped, and case only matters for
    acronyms of up to three letters (US is not "us").
    """

    def __init__(
        self, gazetteer: Gazetteer, types: tuple[str, ...] | None = None, query: bool = False
    ):
        self.gazetteer = gazetteer
        self.query = query
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[_Owner]] = {}
        for entity in gazetteer.entities.values():
            if types and entity.type not in types:
                continue
            for alias in entity.all_aliases():
                stem = alias.endswith(STEM)
                key = _fold_alias(alias.rstrip(STEM))
                if len(key) < 2:
                    continue
                keys = [key]
                # A multi-word Arabic name listed with the article also stands without it:
                # الذاكرة عالية النطاق الترددي -> ذاكرة عالية النطاق الترددي.
                if key.startswith("ال") and " " in key:
                    keys.append(key[2:])
                for k in keys:
                    owners = table.setdefault(k, [])
                    if any(o.entity.id == entity.id for o in owners):
                        continue
                    exact = frozenset(
                        a
                        for a in entity.case_sensitive
                        if _fold_alias(a) == key and not (query and len(a) > 3)
                    )
                    contextual = not query and any(
                        _fold_alias(a) == key for a in entity.needs_context
                    )
                    excludes = () if query else _excludes_for(entity, key)
                    owners.append(_Owner(entity, exact or None, contextual, stem, excludes))
        # لل + noun drops the article's alef: للصين is ل + الصين. Such keys need that prefix.
        # (When the bare form is itself a key, its own entry already accepts the لل prefix.)
        for key in [k for k in table if k.startswith("ال") and len(k) > 4]:
            if key[2:] not in table:
                table.setdefault("\u0000" + key[2:], table[key])
        for key, owners in table.items():
            if key.startswith("\u0000"):
                self._automaton.add_word(key[1:], _entry(key[1:], owners, True))
            else:
                self._automaton.add_word(key, _entry(key, owners, False))
        if table:
            self._automaton.make_automaton()
        self._empty = not table
        words = [w for ws in gazetteer.context.get("chip_words", {}).values() for w in ws]
        self._chip_words = [_fold_alias(w) for w in words]
        # (entity id, folded alias) -> (context words, window) for aliases with their own context.
        self._own_context: dict[tuple[str, str], tuple[list[str], int]] = {}
        for e in gazetteer.entities.values():
            spec = e.raw.get("context")
            if spec:
                words = [_fold_alias(w) for w in spec["words"]]
                for alias in spec["aliases"]:
                    self._own_context[(e.id, _fold_alias(alias))] = (
                        words,
                        int(spec.get("window", 0)),
                    )

    def find(self, text: str, document: str | None = None) -> list[Hit]:
        """All entity mentions in text, longest match first where they overlap.

        `document` is the whole article when text is a part of it (the title): rules that look
        anywhere in the text ("window": 0) then look at the whole article.
        """
        if self._empty or not text:
            return []
        folded, index = _fold_with_map(text)
        whole = _Lazy(document, folded)
        n = len(folded)
        candidates: list[tuple[int, int, EntityDef]] = []
        # The checks of _bounded, inlined with what is known of each key in advance (its first
        # and last characters): a long article has hundreds of automaton matches.
        for end_pos, (
            key,
            owners,
            after_lil,
            any_stem,
            size,
            first_latin,
            first_arabic,
            last_latin,
            last_digit,
            last_arabic,
        ) in self._automaton.iter(folded):
            start = end_pos - size + 1
            end = end_pos + 1
            if after_lil and not folded[max(0, start - 3) : start].endswith("لل"):
                continue
            if first_latin:
                left = start == 0 or not latin(folded[start - 1])
            elif first_arabic:
                prefix = attached_prefix(folded, start)
                left = (prefix[:-2] + "ال" if after_lil else prefix) in ARABIC_PREFIXES
            else:
                left = True
            if not left:
                continue  # neither a whole word nor a stem
            if last_latin:
                after = end
                # Plural model numbers ("H100s") are still the chip.
                if last_digit and folded[after : after + 1] == "s":
                    after += 1
                bounded = after >= n or not latin(folded[after])
            elif last_arabic:
                word_end = end
                while word_end < n and arabic(folded[word_end]):
                    word_end += 1
                suffix = folded[end:word_end]
                bounded = suffix in ARABIC_SUFFIXES and not (suffix and size < 4)
            else:
                bounded = True
            if not bounded and not any_stem:
                continue
            surface = None
            for owner in owners:
                if not (bounded or owner.stem):
                    continue
                if owner.exact:
                    if surface is None:
                        surface = text[index[start] : index[end - 1] + 1]
                    if surface not in owner.exact:
                        continue
                if owner.contextual and not self._in_context(
                    owner.entity, key, folded, whole, start, end
                ):
                    continue
                if owner.excludes and any(
                    self._excluded(rule, folded, whole, start, end) for rule in owner.excludes
                ):
                    continue
                o_end = self._word_end(folded, end) if owner.stem else end
                candidates.append((start, o_end, owner.entity))
        hits: list[Hit] = []
        # Longest first, so "Ascend 910C" wins over "Ascend" and 英伟达公司 over 英伟达.
        taken: list[tuple[int, int, EntityDef]] = []
        occupied = bytearray(n)  # most names overlap nothing: check that in C
        hidden_by = self._hidden_by
        for start, end, entity in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            if occupied.find(1, start, end) >= 0 and any(
                hidden_by(start, end, entity, s, e, other)
                for s, e, other in taken
                if s < end and start < e
            ):
                continue
            occupied[start:end] = b"\x01" * (end - start)
            taken.append((start, end, entity))
            o_start, o_end = index[start], index[end - 1] + 1
            hits.append(_hit(entity.id, text[o_start:o_end], o_start, o_end))
        hits.sort(key=_hit_order)
        return hits

    @staticmethod
    def _hidden_by(
        start: int, end: int, entity: EntityDef, t_start: int, t_end: int, taken: EntityDef
    ) -> bool:
        """Whether a longer name already taken hides this one.

        A longer name hides shorter names of its own type inside it ("Ascend 910C" hides
        "Ascend"), except that one restriction's name may contain another's ("AI Diffusion Rule
        rescission" names both). Other types stay: "H20 ban" is the restriction and the chip,
        "US Commerce Department" the agency and the country. But a place inside a company's
        name is not the place (Tokyo Electron, Taiwan Semiconductor).
        """
        if not (start < t_end and t_start < end) or (t_start, t_end) == (start, end):
            return False
        if taken.type == entity.type:
            return entity.type != "restriction" or taken.id == entity.id
        return (
            entity.type == "region"
            and taken.type == "company"
            and t_start <= start
            and end <= t_end
        )

    @staticmethod
    def _word_end(folded: str, end: int) -> int:
        while end < len(folded) and folded[end].isalpha():
            end += 1
        return end

    @staticmethod
    def _bounded(
        folded: str, start: int, end: int, after_lil: bool = False, stem: bool = False
    ) -> bool:
        first, last = folded[start], folded[end - 1]
        before = folded[start - 1] if start > 0 else " "
        if latin(first) and latin(before):
            return False
        if arabic(first):
            prefix = attached_prefix(folded, start)
            if (prefix[:-2] + "ال" if after_lil else prefix) not in ARABIC_PREFIXES:
                return False
        if stem:
            return True
        if latin(last):
            after = end
            # Plural model numbers ("H100s") are still the chip.
            if last.isdigit() and folded[after : after + 1] == "s":
                after += 1
            if after < len(folded) and latin(folded[after]):
                return False
        elif arabic(last):
            word_end = end
            while word_end < len(folded) and arabic(folded[word_end]):
                word_end += 1
            suffix = folded[end:word_end]
            if suffix not in ARABIC_SUFFIXES or (suffix and end - start < 4):
                return False
        return True

    def _in_context(
        self, entity: EntityDef, key: str, folded: str, whole: "_Lazy", start: int, end: int
    ) -> bool:
        """A needs_context alias counts near a chip word, or, when the entity gives the alias
        its own `context`, near one of those words (within `window` characters; 0: anywhere)."""
        own = self._own_context.get((entity.id, key))
        if own is not None:
            words, width = own
            window = whole.text if not width else folded[max(0, start - width) : end + width]
            return any(word in window for word in words)
        window = folded[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
        return any(word in window for word in self._chip_words)

    @staticmethod
    def _excluded(rule: _Exclude, folded: str, whole: "_Lazy", start: int, end: int) -> bool:
        if rule.pattern is not None:
            lo = max(0, start - 60)
            for m in rule.pattern.finditer(folded, lo, min(len(folded), end + 60)):
                if m.start() < end and start < m.end():
                    return True
        if rule.near is not None:
            window = (
                whole.text
                if not rule.window
                else folded[max(0, start - rule.window) : end + rule.window]
            )
            return rule.near.search(window) is not None
        return False
