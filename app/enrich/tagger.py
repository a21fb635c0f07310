"""Gazetteer matching: every alias in every language, found in folded text with offsets.

One Aho-Corasick automaton over the folded aliases scans an article once; each hit is then
checked against the script's idea of a word: Latin and digits need word boundaries (Intel is
not in "intelligence", H20 is not in H200), Arabic names may carry attached clitics (وهواوي,
لإنفيديا), Chinese names sit inside unbroken Han text (华为昇腾910C芯片).
"""

from dataclasses import dataclass

import ahocorasick

from app.gazetteer import EntityDef, Gazetteer
from app.text import ARABIC_LETTER, ARABIC_PREFIXES, is_latin_or_digit, normalize, normalize_with_map

# Arabic endings that keep a name a name (relative adjectives, plurals): الصينية, الأمريكيون.
ARABIC_SUFFIXES = frozenset({"", "ه", "يه", "ي", "ون", "ين", "يون", "يين", "ات"})
CONTEXT_WINDOW = 80  # folded characters either side for needs_context aliases


@dataclass(frozen=True)
class Hit:
    entity_id: str
    surface: str
    start: int  # offsets into the original text
    end: int


def _fold_alias(alias: str) -> str:
    return " ".join(normalize(alias).split())


class Tagger:
    def __init__(self, gazetteer: Gazetteer, types: tuple[str, ...] | None = None):
        self.gazetteer = gazetteer
        self._automaton = ahocorasick.Automaton()
        # folded alias -> [(entity, exact forms required or None, needs chip context)]
        table: dict[str, list[tuple[EntityDef, frozenset[str] | None, bool]]] = {}
        for entity in gazetteer.entities.values():
            if types and entity.type not in types:
                continue
            for alias in entity.all_aliases():
                key = _fold_alias(alias)
                if len(key) < 2:
                    continue
                owners = table.setdefault(key, [])
                if any(e.id == entity.id for e, _, _ in owners):
                    continue
                exact = frozenset(a for a in entity.case_sensitive if _fold_alias(a) == key)
                contextual = any(_fold_alias(a) == key for a in entity.needs_context)
                owners.append((entity, exact or None, contextual))
        # لل + noun drops the article's alef: للصين is ل + الصين. Such keys need that prefix.
        for key in [k for k in table if k.startswith("ال") and len(k) > 4]:
            table.setdefault("\u0000" + key[2:], table[key])
        for key, owners in table.items():
            if key.startswith("\u0000"):
                self._automaton.add_word(key[1:], (key[1:], owners, True))
            else:
                self._automaton.add_word(key, (key, owners, False))
        if table:
            self._automaton.make_automaton()
        self._empty = not table
        words = [w for ws in gazetteer.context.get("chip_words", {}).values() for w in ws]
        self._chip_words = [_fold_alias(w) for w in words]

    def find(self, text: str) -> list[Hit]:
        """All entity mentions in text, longest match first where they overlap."""
        if self._empty or not text:
            return []
        folded, index = normalize_with_map(text)
        candidates: list[tuple[int, int, EntityDef]] = []
        for end_pos, (key, owners, after_lil) in self._automaton.iter(folded):
            start, end = end_pos - len(key) + 1, end_pos + 1
            if after_lil and not folded[max(0, start - 3):start].endswith("لل"):
                continue
            if not self._bounded(folded, start, end, after_lil):
                continue
            surface = text[index[start]:index[end - 1] + 1]
            for entity, exact, contextual in owners:
                if exact and surface not in exact:
                    continue
                if contextual and not self._in_chip_context(folded, start, end):
                    continue
                candidates.append((start, end, entity))
        hits: list[Hit] = []
        # Longest first, so "Ascend 910C" wins over "Ascend" and 英伟达公司 over 英伟达.
        taken: list[tuple[int, int, str]] = []
        for start, end, entity in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            # A longer name hides the shorter ones of its own type inside it ("Ascend 910C"
            # hides "Ascend"), but not other types: "H20 ban" is the restriction and the chip.
            if any(start < t_end and t_start < end and (t_start, t_end) != (start, end)
                   and t_type == entity.type for t_start, t_end, t_type in taken):
                continue
            taken.append((start, end, entity.type))
            o_start, o_end = index[start], index[end - 1] + 1
            hits.append(Hit(entity.id, text[o_start:o_end], o_start, o_end))
        hits.sort(key=lambda h: (h.start, h.entity_id))
        return hits

    @staticmethod
    def _bounded(folded: str, start: int, end: int, after_lil: bool = False) -> bool:
        first, last = folded[start], folded[end - 1]
        before = folded[start - 1] if start > 0 else " "
        if is_latin_or_digit(first) and is_latin_or_digit(before):
            return False
        if ARABIC_LETTER.match(first):
            word_start = start
            while word_start > 0 and ARABIC_LETTER.match(folded[word_start - 1]):
                word_start -= 1
            prefix = folded[word_start:start]
            if (prefix[:-2] + "ال" if after_lil else prefix) not in ARABIC_PREFIXES:
                return False
        if is_latin_or_digit(last):
            after = end
            # Plural model numbers ("H100s") are still the chip.
            if last.isdigit() and folded[after:after + 1] == "s":
                after += 1
            if after < len(folded) and is_latin_or_digit(folded[after]):
                return False
        elif ARABIC_LETTER.match(last):
            word_end = end
            while word_end < len(folded) and ARABIC_LETTER.match(folded[word_end]):
                word_end += 1
            suffix = folded[end:word_end]
            if suffix not in ARABIC_SUFFIXES or (suffix and end - start < 4):
                return False
        return True

    def _in_chip_context(self, folded: str, start: int, end: int) -> bool:
        window = folded[max(0, start - CONTEXT_WINDOW):end + CONTEXT_WINDOW]
        return any(word in window for word in self._chip_words)
