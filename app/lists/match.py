"""Matching list parties to gazetteer companies: a score and a human-readable explanation.

Names are compared in a folded form (app.text.normalize: Unicode compatibility forms, case,
Arabic orthography), cut into words (Han, kana and Hangul runs stay whole), and then in a core
form without legal forms and generic words at the end ("Co., Ltd.", "Inc.", "Technologies",
有限公司, 技术, المحدودة) or "The"/"شركة" in front. Each party name (name and alt names) is
scored against every alias of every company, in every language:

    1.00  the folded names are equal                    ("HUAWEI TECHNOLOGIES CO. LTD")
    0.95  the core names are equal                      ("Huawei Technologies Co., Ltd." = "Huawei")
    <0.85 the company's alias is inside the party name  ("Huawei Cloud Computing Technologies")
    <0.85 the core names are spelled almost alike       (difflib ratio >= 0.88)

A party is linked automatically only at AUTO_THRESHOLD (0.9) or above, to one company only;
below it (down to PROPOSE_THRESHOLD) the link is proposed for review on /admin/lists. A score
of 0.95 or more is capped at CAPPED when it could mean something else:
- the alias is an ordinary word the gazetteer only trusts in context or in one case (Meta, Arm),
- the alias is a unit of the company rather than the company ("Huawei Cloud" holds "Huawei"),
- two companies reach the threshold for the same party.
"""

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass
from difflib import SequenceMatcher

from app.gazetteer import Gazetteer
from app.text import CJK, normalize

AUTO_THRESHOLD = 0.9
PROPOSE_THRESHOLD = 0.5
CAPPED = 0.8
MAX_CANDIDATES = 3

# Words dropped at the end of a name (and "the" in front): legal forms and generic words.
LEGAL_WORDS = frozenset(
    """
co company companies corp corporation ltd limited inc incorporated llc plc gmbh ag sa sas bv nv
pte pty pvt private jsc ojsc cjsc pjsc ooo zao oao fze fzco fzc fz llp lp sarl srl spa kk pbc
holding holdings group technology technologies tech sdn bhd berhad
""".split()
)
_ARABIC_LEADING = frozenset({"شركه", "مجموعه"})
_ARABIC_TRAILING = frozenset({"المحدوده", "ذ م م", "القابضه", "للتكنولوجيا", "تكنولوجيز"})
# Folded (simplified and traditional) suffixes of CJK company names, longest first.
_CJK_SUFFIXES = tuple(
    sorted(
        {
            "股份有限公司",
            "有限责任公司",
            "有限責任公司",
            "有限公司",
            "株式会社",
            "集团",
            "集團",
            "控股",
            "公司",
            "科技",
            "技术",
            "技術",
            "信息技术",
            "信息技術",
            "주식회사",
        },
        key=len,
        reverse=True,
    )
)
_WORD = re.compile(r"[^\W_]+")


def words(name: str) -> list[str]:
    """The folded words of a name ("&" and punctuation are separators); runs of single
    letters are one word ("N.V." is nv, "S.A." is sa)."""
    out: list[str] = []
    run = ""
    for word in _WORD.findall(normalize(name)):
        if len(word) == 1 and word.isascii() and word.isalpha():
            run += word
            continue
        if run:
            out.append(run)
            run = ""
        out.append(word)
    if run:
        out.append(run)
    return out


def core(tokens: list[str]) -> list[str]:
    """The words without legal forms and generic words at the end, or "the"/"شركة" in front."""
    out = list(tokens)
    while out and (out[0] in ("the",) or out[0] in _ARABIC_LEADING):
        out.pop(0)
    while out and (
        out[-1] in LEGAL_WORDS or out[-1] in _ARABIC_TRAILING or out[-1] in _CJK_SUFFIXES
    ):
        out.pop()
    if out and CJK.search(out[-1]):
        last = out[-1]
        for prefix in ("株式会社", "주식회사"):
            last = last.removeprefix(prefix)
        changed = True
        while changed:
            changed = False
            for suffix in _CJK_SUFFIXES:
                if last.endswith(suffix) and len(last) > len(suffix) + 1:
                    last, changed = last[: -len(suffix)], True
                    break
        out[-1] = last
    return out or list(tokens)


@dataclass(frozen=True)
class Candidate:
    entity_id: str
    score: float
    explanation: str

    @property
    def automatic(self) -> bool:
        return self.score >= AUTO_THRESHOLD


@dataclass(frozen=True)
class _Alias:
    entity_id: str
    entity_name: str
    text: str
    lang: str
    full: str  # folded words joined by spaces
    core: str
    core_words: tuple[str, ...]
    ordinary: bool  # an ordinary word the gazetteer only trusts in context or in one case
    ordinary_core: bool  # some alias of the company with this core is an ordinary word
    generic: bool  # one or two words that many companies have ("Taiwan Semiconductor", "Group 42")
    short: bool  # a core of one short word (an acronym, two Han characters): others share it
    unit: bool  # a shorter alias of the same company plus words naming a unit ("Huawei Cloud")


def _joined(tokens) -> str:
    return " ".join(tokens)


def _inside(small: tuple[str, ...], big: list[str]) -> bool:
    """small's words appear in big as a run (a CJK word may also sit inside a CJK word)."""
    if not small or len(small) > len(big):
        return False
    if len(small) == 1 and CJK.search(small[0]):
        return any(small[0] in word for word in big if CJK.search(word))
    n = len(small)
    return any(tuple(big[i : i + n]) == small for i in range(len(big) - n + 1))


# Words that name a unit of a company rather than the company: "Huawei Cloud", "Huawei Device"
# and 华为云 are affiliates with their own listings, so a party named so is never linked to
# Huawei automatically. ("Moore Threads Intelligent Technology" or "Meta Platforms" stay whole.)
UNIT_WORDS = frozenset(
    """
cloud computing device devices terminal terminals digital software web services service energy
investment investments trading capital finance financial logistics mobile automotive ventures
云 雲 云计算 雲計算 终端 終端 数字 數字 软件 軟件 投资 投資 贸易 貿易 金融 物流
""".split()
)


def _unit_of(shorter: tuple[str, ...], alias: tuple[str, ...]) -> bool:
    """Whether alias is the shorter name plus a word naming a unit of the company."""
    if shorter == alias or not _inside(shorter, list(alias)):
        return False
    if len(shorter) == 1 and len(alias) == 1:  # a CJK name inside a longer CJK name
        rest = alias[0].replace(shorter[0], "", 1)
        return any(
            rest.startswith(word) or rest.endswith(word) for word in UNIT_WORDS if CJK.search(word)
        )
    extra = list(alias)
    for word in shorter:
        extra.remove(word)
    return any(word in UNIT_WORDS for word in extra)


# Words many company names share, and places: a name made of one or two of them only
# ("Taiwan Semiconductor", "Beijing Electronics") does not single out one company.
GENERIC_WORDS = frozenset(
    """
semiconductor semiconductors electronic electronics micro microelectronics system systems industry
industries industrial manufacturing international global information computer computing memory
chip chips circuit circuits integrated equipment device devices materials ai intelligent
intelligence precision power energy network networks telecom telecommunication telecommunications
communication communications software digital data cloud capital research science sciences
technology technologies tech group holding holdings
""".split()
)
CITIES = frozenset(
    """
beijing shanghai shenzhen hangzhou tianjin chengdu wuhan nanjing guangzhou hefei xian suzhou
wuxi xiamen changsha chongqing dalian qingdao jinan zhuhai dongguan hsinchu taipei
""".split()
)


def _generic(core_tokens: list[str], places: Set[str]) -> bool:
    return len(core_tokens) <= 2 and all(
        w in GENERIC_WORDS or w in places or w.isdigit() for w in core_tokens
    )


def _short(core_tokens: list[str]) -> bool:
    if len(core_tokens) != 1:
        return False
    word = core_tokens[0]
    return len(word) <= 2 if CJK.search(word) else len(word) <= 4


class Matcher:
    """Scores list party names against the companies of a gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        self.aliases: list[_Alias] = []
        places = CITIES | {
            w
            for region in gazetteer.of_type("region")
            for a in region.all_aliases()
            if len(ws := words(a)) == 1
            for w in ws
        }
        for entity in gazetteer.of_type("company"):
            cautious = {normalize(a) for a in entity.case_sensitive | entity.needs_context}
            names = [(lang, a) for lang, values in entity.aliases.items() for a in values]
            entries = []
            for lang, alias_text in [("en", entity.name), *names]:
                tokens = words(alias_text)
                if not tokens:
                    continue
                entries.append(
                    (lang, alias_text, tokens, core(tokens), normalize(alias_text) in cautious)
                )
            cores = {tuple(c) for _l, _a, _t, c, _o in entries}
            ordinary_cores = {tuple(c) for _l, _a, _t, c, ordinary in entries if ordinary}
            seen = set()
            for lang, alias_text, tokens, core_tokens, ordinary in entries:
                if (alias_text, lang) in seen:
                    continue
                seen.add((alias_text, lang))
                unit = any(_unit_of(other, tuple(core_tokens)) for other in cores)
                self.aliases.append(
                    _Alias(
                        entity.id,
                        entity.name,
                        alias_text,
                        lang,
                        _joined(tokens),
                        _joined(core_tokens),
                        tuple(core_tokens),
                        ordinary,
                        tuple(core_tokens) in ordinary_cores,
                        _generic(core_tokens, places),
                        _short(core_tokens),
                        unit,
                    )
                )
        self._by_full: dict[str, list[_Alias]] = {}
        self._by_core: dict[str, list[_Alias]] = {}
        self._by_word: dict[str, list[_Alias]] = {}
        for alias in self.aliases:
            self._by_full.setdefault(alias.full, []).append(alias)
            self._by_core.setdefault(alias.core, []).append(alias)
            for word in set(alias.core_words):
                self._by_word.setdefault(word, []).append(alias)
                if CJK.search(word):
                    for i in range(len(word) - 1):  # CJK names inside longer CJK words
                        self._by_word.setdefault(word[i : i + 2], []).append(alias)

    def _score(
        self, label: str, name: str, alias: _Alias, tokens: list[str], core_tokens: list[str]
    ) -> tuple[float, str] | None:
        full, core_text = _joined(tokens), _joined(core_tokens)
        said = f"{label} {name!r}"
        alias_said = f"the {alias.lang} name {alias.text!r} of {alias.entity_name}"
        if full == alias.full:
            score, why = 1.0, f"{said} equals {alias_said} (case, punctuation and script folded)"
        elif core_text == alias.core:
            score, why = (
                0.95,
                (
                    f"{said} equals {alias_said} once legal forms and generic words "
                    f"(Co., Ltd., Inc., Technologies, 有限公司...) are dropped"
                ),
            )
        elif _inside(alias.core_words, core_tokens):
            share = len(alias.core) / max(len(core_text), 1)
            score = round(0.5 + 0.3 * share, 3)
            why = f"{alias_said} is part of {said}, which says more (a unit or affiliate?)"
        else:
            if min(len(core_text), len(alias.core)) < 5:
                return None
            ratio = SequenceMatcher(None, core_text, alias.core, autojunk=False).ratio()
            if ratio < 0.88:
                return None
            score = round(0.85 * ratio, 3)
            why = f"{said} is spelled almost like {alias_said} (similarity {ratio:.2f})"
        if score >= AUTO_THRESHOLD and (alias.ordinary if score == 1.0 else alias.ordinary_core):
            score, why = (
                CAPPED,
                why + f"; but {alias.text!r} is also an ordinary word, so it needs review",
            )
        elif score >= AUTO_THRESHOLD and alias.generic:
            score, why = (
                CAPPED,
                why
                + (
                    f"; but {alias.text!r} is only generic words or places, "
                    "which other companies' names share, so it needs review"
                ),
            )
        elif score == 0.95 and alias.short:
            score, why = (
                CAPPED,
                why
                + (
                    f"; but what is left, {alias.core!r}, is too short to single "
                    "out one company, so it needs review"
                ),
            )
        elif score >= AUTO_THRESHOLD and alias.unit:
            score, why = (
                CAPPED,
                why
                + (
                    f"; but {alias.text!r} names a unit of {alias.entity_name}, "
                    "not necessarily the company itself"
                ),
            )
        return score, why

    def candidates(self, name: str, alt_names: Sequence[str] = ()) -> list[Candidate]:
        """The best-scored companies for a party, best first (at most MAX_CANDIDATES, each at
        least PROPOSE_THRESHOLD); at most one of them automatic."""
        best: dict[str, tuple[float, str]] = {}
        for label, text in [("name", name), *(("alt name", a) for a in alt_names)]:
            tokens = words(text)
            if not tokens:
                continue
            core_tokens = core(tokens)
            pool = {id(a): a for a in self._by_full.get(_joined(tokens), [])}
            pool.update({id(a): a for a in self._by_core.get(_joined(core_tokens), [])})
            for word in core_tokens:
                keys = [word] + (
                    [word[i : i + 2] for i in range(len(word) - 1)] if CJK.search(word) else []
                )
                for key in keys:
                    pool.update({id(a): a for a in self._by_word.get(key, [])})
            for alias in pool.values():
                scored = self._score(label, text, alias, tokens, core_tokens)
                if scored and scored[0] > best.get(alias.entity_id, (0.0, ""))[0]:
                    best[alias.entity_id] = scored
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
        automatic = [eid for eid, (score, _why) in ranked if score >= AUTO_THRESHOLD]
        out = []
        for entity_id, (score, why) in ranked[:MAX_CANDIDATES]:
            if score < PROPOSE_THRESHOLD:
                break
            if len(automatic) > 1 and score >= AUTO_THRESHOLD:
                others = ", ".join(e for e in automatic if e != entity_id)
                score, why = CAPPED, why + f"; but it matches {others} as well, so it needs review"
            out.append(Candidate(entity_id, score, why))
        return sorted(out, key=lambda c: (-c.score, c.entity_id))


def suggest_entry(name: str, alt_names: list[str]) -> dict:
    """A gazetteer entry to start from for a party that matches no company (shown to admins)."""
    tokens = core(words(name))
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(tokens).encode("ascii", "ignore").decode()).strip(
        "-"
    )
    return {
        "id": slug[:60] or "new-company",
        "type": "company",
        "name": name,
        "aliases": {"en": [name, *[a for a in alt_names if a.isascii()]][:10]},
        "verified": False,
        "note": "Proposed from an export-control list party; check before adding.",
    }
