"""Restrictions an article refers to without naming them.

"Since April ... restrictions on the H20" points to the April 2025 H20 licence requirement.
The rule reads an article sentence by sentence (the title is a sentence too). A restriction R
is a candidate in a sentence that names something R concerns (a chip, a company, or a
restriction R amends: `concerns` in restrictions.json) along one of these paths:

- dated: the sentence or the one before carries a month that resolves to one of R's months (its
  date or `news_dates`; an explicit year, "last year", or else the latest such month not after
  the article, a month at most two ahead being an announced date), plus a restriction or
  relaxation word or one of R's `cues`; or a year alone ("since 2019", "2020年") with a
  restriction word or a cue;
- fresh: the article appeared within days of R's news and dates nothing else to a month (news
  of R itself), plus a restriction or relaxation word or a cue;
- cued: one of R's cues ("discouraged", "backdoor", "case-by-case") with a chip R concerns, the
  sentence dating nothing else;
- sole: a restriction word right next to a chip, and R is the only restrictive action on that
  chip by then (from the country the sentence names, if it names one): "美國對H20的出口限制"
  before July 2025 can only be the April licence requirement.

With a cue and a month (or freshness) in the sentence, what R concerns may be named elsewhere
in the article, or be a place or R's issuer (Malaysia's permit and China's rare-earth controls
concern no chip). With a month and a restriction word but nothing R concerns, the country that
issued R will do ("the US rules of October 2022"), if no more concrete reading answers that
month and only one action of that month fits.

Readings compete per sentence and concerned thing: a dated, fresh or sole reading beats one
from a cue alone; readings of the same reference (a month, a year, the news) then compete:
those whose cue is in the sentence are all kept, otherwise the best supported one wins (the
words' polarity: "allowed" points to a relaxation, "ban" to a restriction; then a cue elsewhere
in the article; then a concerned chip over a company), and a tie means the text does not say
which, so nothing is linked. Restrictions named by an alias are the tagger's, not the rule's.
"""

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

import ahocorasick

from app.enrich.de_fr_phrasing import straight_elisions
from app.enrich.listed import LIST_NAMES, LISTED_AS, says_listed
from app.enrich.tagger import Hit, arabic, latin
from app.enrich.when import (
    ADMINISTRATION_NAMES,
    BUYER_SIDE_CATEGORIES,
    EXPORT_WORDS,
    SEASON_MONTHS,
    SPLIT_VERBS,
    opens_later,
)
from app.gazetteer import EntityDef, Gazetteer
from app.memo import BoundedMemo
from app.text import ARABIC_PREFIXES, CJK, normalize

FRESH_BEFORE = timedelta(days=1)  # news may precede the date a restriction is filed under
FRESH_AFTER = timedelta(days=10)
ANNOUNCED_AHEAD = 2  # "from August" in a July article is this August
# No article speaks of an action before its news: an action whose first news day (its date or
# `news_dates`: "from August" in a July article is an action announced in July) comes more than
# this after the article is not one it can refer to ("sinds december" in October is no December
# action of the coming weeks). The days allow for time zones and a decision leaked the day before.
BEFORE_NEWS = timedelta(days=3)
SOLE_DISTANCE = 15  # characters between a chip and the restriction word of a "sole" reading
CACHE_SIZE = 4_096  # sentences per memo before it starts afresh (50,000 cost a worker ~110 MiB)
PATHS = {"dated": 3, "fresh": 3, "sole": 2, "cued": 1}  # precedence when readings compete
# A sentence ends at ., !, ? (and their CJK/Arabic forms) or a line break, but not after an
# initial or a common abbreviation ("U.S. officials", "Nvidia Corp. said").
_SENTENCE_END = re.compile(r"[。！？؟!?\n]+|[.;](?=\s)")
_NOT_AN_END = re.compile(r"(?:\b[A-Z]|\bCo|\bInc|\bLtd|\bCorp|\bNo|\bSt)\.$")
# A year not inside a longer number: "20", then that no digit stands before it (a pattern that
# opens with a literal is searched for that literal at C speed; one that opens with a
# lookbehind is tried at every position).
_YEAR = re.compile(r"(20(?<![0-9]20)[1-3][0-9])(?![0-9])")
# A day or a year standing as a word beside a month: "15", "1er", "2025,", "(2025)".
_DAY_OR_YEAR = re.compile(r"\(?[0-9]{1,4}(?:st|nd|rd|th|er|e)?[,.;:)]*$")
# Licence words name the licensing kind of action (export licences, permits): they say nothing
# for an action that licenses nothing (a summons, a purchase ban, a customs block).
_LICENCE_STEMS = (
    "licen",
    "lizenz",
    "permit",
    "permis",
    "vergunning",
    "genehmigung",
    "许可",
    "許可",
    "ライセンス",
    "허가",
    "라이선스",
    "ترخيص",
    "تراخيص",
    "تصريح",
)
# Rule words ("the rule", «القاعدة») name a regulation: a bill in Congress is none.
_SPLIT_VERBS = [(kind, re.compile(pattern)) for kind, pattern in SPLIT_VERBS]


def _split_verb_leads() -> re.Pattern | None:
    """One pattern for the finite verbs the split-verb patterns open with (each opens with
    \\b(verb|verb...)\\b): a sentence with none of them is read once, not once per pattern.
    None when a pattern opens otherwise (then each is run)."""
    leads = [re.match(r"\\b\(([^()]+)\)\\b", pattern) for _kind, pattern in SPLIT_VERBS]
    if not all(leads):
        return None
    return re.compile(r"\b(?:" + "|".join(m.group(1) for m in leads if m) + r")\b")


_SPLIT_VERB_LEADS = _split_verb_leads()
_RULE_STEMS = (
    "rule",
    "règle",
    "regla",
    "norma",
    "规则",
    "新规",
    "قاعدة",
    "قواعد",
    "regel",
    "規則",
    "규칙",
    "규정",
)
_CJK_NUMERAL = "0123456789〇零一二三四五六七八九十"
_LAST_BEFORE = (
    "last ",
    "past ",
    "vergangenen ",
    "vergangenem ",  # (dative: "seit vergangenem Dezember")
    "letzten ",
    "letztem ",
    "vorigen ",
    "afgelopen ",
    "vorige ",
    "pasado ",
    "지난 ",
)
_LAST_AFTER = (
    " dernier",
    " passé",
    " الماضي",
    " pasado",
    " passado",
    " vorig",
)


_SINCE_BEFORE = ("since ", "sinds ", "desde ", "depuis ", "seit ", "منذ ")
_SINCE_AFTER = ("以来", "이래")
_NEXT_BEFORE = ("next ", "nachsten ", "kommenden ", "volgende ", "proximo ")
_NEXT_AFTER = (" prochain", " proximo", " prossimo")


@dataclass(frozen=True)
class _Segment:
    start: int
    end: int
    folded: str
    text: str


@dataclass
class _Candidate:
    rx: EntityDef
    path: str  # "dated", "fresh", "cued" or "sole"
    segment: int
    target: str  # the concerned entity that tied it to the sentence
    score: tuple
    evidence: str
    when: str = ""  # the reference the candidate answers: a month, a year, or its path
    by_country: bool = False  # tied to the sentence by the issuing country only


@dataclass
class Reading:
    """One article as the rule and the linker read it."""

    title: str
    body: str
    has_title: bool
    published: date | None
    segments: list  # (_Segment, hits in it); the title first when there is one
    scans: list  # _Found per segment
    dates: list  # per segment: {(year, month)}, month None for a year alone
    everywhere: set[str]  # entity ids named anywhere


class _Found:
    """What one scan of a sentence found (a plain class: one is made per sentence)."""

    __slots__ = ("cues", "extra", "keys", "months", "relax", "word", "years_back")

    def __init__(self):
        self.keys: list[tuple[str, str]] = []  # (kind, phrase) of restriction and relaxation words
        self.extra: list[tuple[str, object, str]] = []  # other kinds: (kind, value, phrase)
        self.word = False  # a restriction word ("ban", "قيود", "限制")
        self.relax = False  # a relaxation word ("allowed", "resume")
        self.cues: set[int] = set()  # restrictions whose cue is there
        self.months: list[tuple[int, int, int, str]] = []  # (month, start, end, word)
        self.years_back: set[int] = set()  # "this year" 0, "last year" 1


# Any of the list's names (one search; a folded sentence holds no newline, so the article's
# sentences joined by newlines hold a name exactly when one of them does).
_LIST_NAME = re.compile("|".join(re.escape(w) for w in LIST_NAMES))


def _with_bare_listings(segments: list) -> list:
    """In an article that names the Entity List, "YMTC was listed" is a listing too
    (app/enrich/listed.py): such a sentence is read as if it said "blacklisted", the word added
    at the end of its folded form (offsets before it stay; every memo keyed by the folded
    sentence then keys the reading it holds)."""
    if not _LIST_NAME.search("\n".join(seg.folded for seg, _hits in segments)):
        return segments
    out = []
    for seg, hits in segments:
        if says_listed(seg.folded) and not _LIST_NAME.search(seg.folded):
            seg = _segment(seg.start, seg.end, seg.folded + " " + LISTED_AS, seg.text)
        out.append((seg, hits))
    return out


# Nouns that make a month the period of figures ("5月营收创新高"), not the date of an action.
_FIGURES = ("营收", "收入", "销售", "营业", "出货", "业绩", "销量")
# The same in Japanese: "5月の決算" (the results of May), "8〜10月期" (the period ending in October;
# 期限, a deadline, is a date). As folded (決 reads 决).
_JA_FIGURES = ("の决算", "期")
# A month that closes a company's quarter ("its July-quarter sales", "the quarter ending in July",
# «الربع المنتهي في يوليو», "截至7月的季度") dates figures, not an action (as folded: "july quarter").
_QUARTER_AFTER = re.compile(r"(?:\s?quarter(?!ly)|\s?quartal|\s?kwartaal|的?季度)")
_QUARTER_BEFORE = re.compile(
    r"(?:quarter|trimestre|quartal|kwartaal|ربع|الربع)(?:\s\S+){0,3}?\s"
    r"(?:ending|ended|that ends|clos|cloture|acheve|المنتهي|المنتهيه|endend|eindigend)"
    r"(?:\s(?:in|on|en|fin|في|im|op))*\s?(?:\S+/)?$"  # («تموز/يوليو»: two names of July)
)


# Chinese sets figures off with spaces ("2024 年 12 月", "10 月初"): a date is read unspaced.
_SPACED_CJK_DATE = re.compile(r"(?<=[0-9]) (?=[年月日])|(?<=[年月]) (?=[0-9])")


def _fold(text: str) -> str:
    # (normalize reads traditional characters as simplified: 許可證 is 许可证; French "l’an
    # dernier" is read as "l'an dernier", as the phrase lists write it.)
    folded = " ".join(straight_elisions(normalize(text)).replace("-", " ").split())
    if "月" in folded or "年" in folded:
        folded = _SPACED_CJK_DATE.sub("", folded)
    return folded


_K = TypeVar("_K")
_V = TypeVar("_V")


class Memo(BoundedMemo[_K, _V]):
    """A bounded memo of what is read from a sentence (or a day): app/memo.py, CACHE_SIZE
    entries."""

    __slots__ = ()
    limit = CACHE_SIZE


class AnyOf:
    """Whether a text contains any of some phrases: one Aho-Corasick pass over it, instead of a
    search per phrase."""

    __slots__ = ("_automaton", "_always")

    def __init__(self, phrases):
        self._automaton = ahocorasick.Automaton()
        for phrase in phrases:
            self._automaton.add_word(phrase, None)
        self._always = "" in phrases
        if len(self._automaton):
            self._automaton.make_automaton()

    def __call__(self, text: str) -> bool:
        if self._always:
            return True
        if not len(self._automaton):
            return False
        for _found in self._automaton.iter(text):
            return True
        return False


class Needing:
    """A compiled pattern whose every match contains one of some phrases: a text without any of
    them (most sentences) is settled by AnyOf, without running the pattern."""

    __slots__ = ("pattern", "_any")

    def __init__(self, pattern: re.Pattern, phrases):
        self.pattern, self._any = pattern, AnyOf(list(phrases))

    def search(self, text: str):
        return self.pattern.search(text) if self._any(text) else None

    def finditer(self, text: str):
        return self.pattern.finditer(text) if self._any(text) else iter(())


_FOLDED: Memo[str, str] = Memo()


def _fold_sentence(text: str) -> str:
    """_fold, remembered per sentence (articles share sentences)."""
    folded = _FOLDED.get(text)
    if folded is None:
        folded = _FOLDED.keep(text, _fold(text))
    return folded


_NAMES: Memo[str, str] = Memo()


def _fold_name(name: str) -> str:
    """_fold of a name as written (a hit's surface), remembered: names repeat far more than
    sentences."""
    folded = _NAMES.get(name)
    if folded is None:
        folded = _NAMES.keep(name, _fold(name))
    return folded


def _stem(word: str) -> str:
    """An open-ended Latin word is looked for as its stem: "discourage" in "discouraging"."""
    return word[:-1] if len(word) >= 6 and word[-1] == "e" and latin(word[0]) else word


_CJK_CHARS: dict[str, bool] = {}


def _cjk(ch: str) -> bool:
    """Whether ch is CJK, memoised (asked for the first letter of every phrase found)."""
    value = _CJK_CHARS.get(ch)
    if value is None:
        value = _CJK_CHARS[ch] = bool(CJK.match(ch))
    return value


def _phrase(key: str) -> bool:
    """Whether a cue is a phrase rather than one word: spaced, or (Chinese and Japanese are
    written without spaces) three or more CJK characters ("强行接管", "管理下に置")."""
    key = key.strip()
    return " " in key or (
        len(key) >= 3 and all(_cjk(c) and not "\uac00" <= c <= "\ud7af" for c in key)
    )


def _is_word(text: str, start: int, end: int, word: str, open_right: bool) -> bool:
    """Whether text[start:end] (== word) stands as a word.

    Latin and Cyrillic words need a boundary on the left and, unless open_right and the word is
    long enough to be a stem ("restrict" in "restricted"), on the right. Arabic words may carry
    clitic prefixes. CJK words need no boundary, but a month (4月, 一月) is not the end of a
    longer number (14月, 十一月).
    """
    first = word[0]
    if _cjk(first):
        return not (word[-1] == "月" and start > 0 and text[start - 1] in _CJK_NUMERAL)
    if arabic(first):
        k = start
        while k > 0 and arabic(text[k - 1]):
            k -= 1
        return text[k:start] in ARABIC_PREFIXES and (
            open_right or end == len(text) or not arabic(text[end])
        )
    if first.isdigit():
        return (start == 0 or not text[start - 1].isdigit()) and (
            end == len(text) or not text[end].isdigit() or word[-1] == "月"
        )
    if start > 0 and latin(text[start - 1]):
        return False
    if not (open_right and len(word) >= 5) and end < len(text):
        return not latin(text[end])
    return True


def _find(text: str, word: str, open_right: bool = True) -> int:
    """Index of word in folded text as a word, or -1 (see _is_word)."""
    if open_right:
        word = _stem(word)
    start = text.find(word)
    while start != -1:
        if _is_word(text, start, start + len(word), word, open_right):
            return start
        start = text.find(word, start + 1)
    return -1


# A count cue ("140 entities", "23 types"): the number, then what was counted. Real text puts
# words between ("140 Chinese companies", "140 de ses entreprises", "140 chinesische
# Unternehmen") or another noun for the same things, so the number counts as the cue when one of
# these nouns follows within three words.
_COUNT_CUE = re.compile(r"(\d+) (\w+)")
COUNT_NOUNS = tuple(
    _fold(w)
    for w in (
        "companies",
        "company",
        "firms",
        "entities",
        "entity",
        "affiliates",
        "subsidiaries",
        "types",
        "kinds",
        "entreprises",
        "entités",
        "sociétés",
        "filiales",
        "empresas",
        "entidades",
        "compañías",
        "filiales",
        "tipos",
        "Unternehmen",
        "Firmen",
        "Einrichtungen",
        "Organisationen",
        "Tochterfirmen",
        "Tochtergesellschaften",
        "Arten",
        "bedrijven",
        "entiteiten",
        "ondernemingen",
        "dochterbedrijven",
        "soorten",
    )
)


def _counts(text: str, end: int) -> bool:
    """Whether one of COUNT_NOUNS follows the number ending at `end` within three words, in the
    same clause."""
    words = []
    for w in text[end : end + 60].split()[:4]:
        words.append(w)
        if w[-1:] in ",.;:":
            break
    return (
        bool(words)
        and text[end : end + 1] == " "
        and any(w.strip(",.;:\"'»”)").startswith(COUNT_NOUNS) for w in words[:4])
    )


class _Lexicon:
    """Every phrase the rule reads (restriction and relaxation words, cues, months), found in one
    Aho-Corasick pass over a sentence."""

    def __init__(self):
        self._entries: dict[str, list[tuple[str, object, bool]]] = {}
        self._cue_owners: dict[str, frozenset] = {}  # filled by build: read per sentence
        self._automaton = ahocorasick.Automaton()

    def add(self, phrase: str, kind: str, value: object = None, open_right: bool = True) -> None:
        if not phrase:
            return
        key = _stem(phrase) if open_right else phrase
        self._entries.setdefault(key, []).append((kind, value, open_right))

    def cue_owners(self, key: str) -> frozenset:
        """The restrictions (indices) that have `key` as a cue."""
        return self._cue_owners.get(key, frozenset())

    def build(self) -> None:
        for key, values in self._entries.items():
            self._automaton.add_word(key, (key, values))
            owners = frozenset(v for kind, v, _o in values if kind == "cue")
            if owners:
                self._cue_owners[key] = owners
        if self._entries:
            self._automaton.make_automaton()

    def scan(self, text: str) -> _Found:
        found = _Found()
        if not self._entries or not text:
            return found
        masked: list[tuple[int, int]] = []
        hits = []
        for end_pos, (key, values) in self._automaton.iter(text):
            start, end = end_pos - len(key) + 1, end_pos + 1
            for kind, value, open_right in values:
                if _is_word(text, start, end, key, open_right):
                    if kind == "not":
                        masked.append((start, end))
                    else:
                        hits.append((start, end, key, kind, value))
        for start, end, key, kind, value in hits:
            # Words inside longer words that mean something else do not count (新规 in 最新规划;
            # the cue "Zoll", a duty, in "der Zoll", the customs office; إلغاء in إلغاء طلبيات; the
            # antimony cue "Antimon" in "Antimonopolgesetz").
            # ("the last week of the Biden administration" is no "last week" before the article)
            if (
                masked
                and kind in ("word", "relax", "cue", "act", "rel", "back")
                and any(s <= start and end <= e for s, e in masked)
            ):
                continue
            if kind == "word":
                found.word = True
                found.keys.append((kind, key))
            elif kind == "relax":
                found.relax = True
                found.keys.append((kind, key))
            elif kind == "cue":
                found.cues.add(value)
                found.extra.append((kind, value, key))
            elif kind == "count":
                if _counts(text, end):
                    i, cue = value
                    found.cues.add(i)
                    found.extra.append(("cue", i, cue))
            elif kind == "month":
                found.months.append((value, start, end, key))
            elif kind == "year":
                found.years_back.add(value)
            else:
                found.extra.append((kind, value, key))
        if _SPLIT_VERB_LEADS is not None and _SPLIT_VERB_LEADS.search(text) is None:
            return found
        for kind, verb in _SPLIT_VERBS:
            for m in verb.finditer(text):
                found.keys.append((kind, m.group(1)))
                if kind == "relax":
                    found.relax = True
                else:
                    found.word = True
        return found


class RestrictionRule:
    def __init__(self, gazetteer: Gazetteer, extra_phrases=()):
        self.restrictions = [
            e for e in gazetteer.of_type("restriction") if e.date and e.raw.get("concerns")
        ]
        ctx = gazetteer.context
        lexicon = _Lexicon()
        for ws in ctx.get("restriction_words", {}).values():
            for w in ws:
                lexicon.add(_fold(w), "word")
        for ws in ctx.get("relaxation_words", {}).values():
            for w in ws:
                lexicon.add(_fold(w), "relax")
        for w in ctx.get("not_restriction_words", ()):
            lexicon.add(_fold(w), "not", open_right=False)
        # Stems that mask any word they begin (antimonopol- in Antimonopolgesetz, antimonopoly).
        for w in ctx.get("not_restriction_stems", ()):
            lexicon.add(_fold(w), "not")
        for m, ws in ctx.get("months", {}).items():
            for w in ws:
                lexicon.add(_fold(w), "month", int(m), open_right=False)
        dating = ctx.get("month_dating", {})
        self._ambiguous = {_fold(w) for w in dating.get("ambiguous", ())}
        self._leads = {_fold(w) for w in dating.get("leads", ())}
        self._year_leads = {_fold(w) for w in dating.get("year_leads", ())}
        self._last_year = [_fold(w) for w in dating.get("last_year", ())]
        self._this_year = [_fold(w) for w in dating.get("this_year", ())]
        for w in dating.get("this_year", ()):
            lexicon.add(_fold(w), "year", 0, open_right=False)
        for w in dating.get("last_year", ()):
            lexicon.add(_fold(w), "year", 1, open_right=False)
        # A cue that is only a product's name ("high-bandwidth memory") says nothing about the
        # action: only cues that are not a chip's or company's name count.
        names = {
            _fold(a)
            for e in gazetteer.entities.values()
            if e.type in ("chip", "company")
            for a in e.all_aliases()
        }
        self._targets, self._regions, self._country, self._issuer, self._news = [], [], [], [], []
        self._months: list[set[tuple[int, int]]] = []
        self._licensing: list[bool] = []  # whether R requires, grants or revokes licences
        self._bill: list[bool] = []  # whether R is a bill (legislation, not a regulation)
        self._tariff: list[bool] = []  # whether R is a tariff (linked only by its duty words)
        # Whether R's news alone ties it only with its own words (`by_cues_only`: an antitrust
        # probe, a summons): "Beijing banned ..." in the days after it is not the probe.
        self._by_cues_only: list[bool] = []
        self._by_entity: dict[str, set[int]] = {}  # concerned entity or country -> restrictions
        self._by_country: dict[str, set[int]] = {}
        self._chip_rules: dict[str, list[int]] = {}  # chip -> restrictive rules concerning it
        counted: set[tuple[str, int]] = set()  # (number, R) of the count cues added
        for i, rx in enumerate(self.restrictions):
            concerns = rx.raw["concerns"]
            chips = set(concerns.get("chip", ()))
            targets = (
                chips,
                set(concerns.get("company", ())),
                set(concerns.get("restriction", ())),
            )
            self._targets.append(targets)
            self._regions.append(set(concerns.get("region", ())))
            # (in the data's order, each once: a set's order follows PYTHONHASHSEED, and which of
            # two count cues with one number is kept shows in the link's reason)
            for c in dict.fromkeys(c for cs in rx.raw.get("cues", {}).values() for c in cs):
                if _fold(c) not in names:
                    lexicon.add(_fold(c), "cue", i)
                    count = _COUNT_CUE.fullmatch(_fold(c))
                    if (
                        count
                        and count.group(2).startswith(COUNT_NOUNS)
                        and (count.group(1), i) not in counted
                    ):
                        counted.add((count.group(1), i))
                        # "140 entities" also as "140 Chinese companies", "140 de ses entreprises"
                        lexicon.add(count.group(1), "count", (i, _fold(c)), open_right=False)
            issuer = gazetteer.entities.get(rx.raw.get("issuer") or "")
            # The country behind each restriction: its issuer's region, or the issuer itself.
            country = issuer.raw.get("region", issuer.id) if issuer else None
            self._country.append(country)
            self._issuer.append(rx.raw.get("issuer"))
            named = rx.raw.get("summary", "") + " ".join(rx.raw.get("aliases", {}).get("en", ()))
            # A tariff neither requires nor grants licences: "licence" says nothing of it.
            self._licensing.append(
                (
                    _licence_word(rx.raw.get("summary", "").lower())
                    or rx.raw.get("category") in ("us-restriction", "allied-control", "relaxation")
                )
                and "tariff" not in named.lower()
            )
            self._bill.append(rx.raw.get("category") != "relaxation" and " bill" in named.lower())
            self._tariff.append("tariff" in named.lower())
            self._by_cues_only.append(bool(rx.raw.get("by_cues_only")))
            # The days news of R broke: its date, and when it was announced or published.
            self._news.append(
                sorted({rx.date, *(date.fromisoformat(d) for d in rx.raw.get("news_dates", ()))})
            )
            self._months.append({(d.year, d.month) for d in self._news[-1]})
            for eid in targets[0] | targets[1] | targets[2]:
                self._by_entity.setdefault(eid, set()).add(i)
            if country:
                self._by_country.setdefault(country, set()).add(i)
            if rx.raw.get("category") != "relaxation":
                for chip in chips:
                    self._chip_rules.setdefault(chip, []).append(i)
        # More phrases read in the same pass (the timeline linker's: relative dates, topics...).
        for phrase, kind, value, open_right in extra_phrases:
            lexicon.add(phrase, kind, value, open_right)
        lexicon.build()
        self._lexicon = lexicon
        self._news_by_day: dict[date, frozenset[int]] = {}
        # Per-sentence memos: news repeats sentences (wire copy, boilerplate), and a sentence's
        # scan depends on its text only, its dates on its text and the article's day. The
        # values are shared between articles, so nothing downstream may mutate them.
        self._scans: Memo[str, _Found] = Memo()
        self._dates_of: Memo[tuple[str, date | None], frozenset[tuple[int | None, int | None]]] = (
            Memo()
        )

    def infer(
        self,
        title: str,
        body: str,
        title_hits: list[Hit],
        body_hits: list[Hit],
        published_at: datetime | None,
    ) -> dict[str, str]:
        """Restriction ids the article refers to, each with the sentence that links it."""
        reading = self.read(title, body, title_hits, body_hits, published_at)
        return {rid: c.evidence for rid, c in self.select(reading).items()}

    def read(
        self,
        title: str,
        body: str,
        title_hits: list[Hit],
        body_hits: list[Hit],
        published_at: datetime | None,
    ) -> "Reading":
        """The article cut into sentences, each with its hits, its scan and the dates it names."""
        published = published_at.date() if published_at else None
        segments = (
            [_without_design_clauses(_Segment(0, len(title), _fold(title), title), title_hits)]
            if title
            else []
        )
        starts = [h.start for h in body_hits]  # hits come sorted by start
        for seg in _segments(body):
            lo, hi = bisect_left(starts, seg.start), bisect_left(starts, seg.end)
            segments.append(_without_design_clauses(seg, body_hits[lo:hi]))
        segments = _with_bare_listings(segments)
        scans = [self._scan(seg.folded) for seg, _ in segments]
        dates = [
            self._dated(seg.folded, found, published) for (seg, _), found in zip(segments, scans)
        ]
        return Reading(
            title,
            body,
            bool(title),
            published,
            segments,
            scans,
            dates,
            {h.entity_id for h in (*title_hits, *body_hits)},
        )

    def select(self, reading: "Reading") -> dict[str, "_Candidate"]:
        """The rule's links: restriction id -> the reading that won (see the module docstring)."""
        scans, published, everywhere = reading.scans, reading.published, reading.everywhere
        article_cues = set().union(*(f.cues for f in scans)) if scans else set()
        if not (
            article_cues or any(e in self._by_entity or e in self._by_country for e in everywhere)
        ):
            return {}
        # Restrictions whose news is this article's news (the same for every sentence).
        news = frozenset() if published is None else self._news_of(published)
        candidates: list[_Candidate] = []
        previous_dates: set[tuple[int | None, int | None]] = set()
        for i, ((seg, hits), found) in enumerate(zip(reading.segments, scans)):
            dates = reading.dates[i]
            mentioned = {h.entity_id for h in hits}
            if (
                opens_later(seg.folded)
                or not dates
                and self._cue_of_other_month(found, mentioned, previous_dates)
            ):
                # "Afterwards, ..." is not the month said before; nor is a sentence that names
                # another action by its own cue and firm ("Ende September ... . China reagierte
                # mit einem Exportverbot für Produkte von Nexperia": October's ban)
                previous_dates = set()
            new = self._candidates(
                seg,
                found,
                mentioned,
                everywhere,
                dates,
                previous_dates,
                published,
                article_cues,
                news,
            )
            if found.word and not found.relax:
                new += self._sole(
                    seg,
                    hits,
                    reading.title if i == 0 and reading.has_title else reading.body,
                    published,
                )
            for c in new:
                c.segment = i
            candidates += new
            previous_dates = dates
        return self._select(candidates)

    def _scan(self, folded: str) -> "_Found":
        found = self._scans.get(folded)
        if found is None:
            found = self._scans.keep(folded, self._lexicon.scan(folded))
        return found

    def _dated(self, folded: str, found: "_Found", published: date | None) -> frozenset:
        key = (folded, published)
        dates = self._dates_of.get(key)
        if dates is None:
            dates = self._dates_of.keep(key, frozenset(self._dates(folded, found, published)))
        return dates

    def _news_of(self, published: date) -> frozenset[int]:
        """The restrictions whose news broke around a day (remembered per day: articles share days)."""
        found = self._news_by_day.get(published)
        if found is None:
            found = frozenset(
                i
                for i, days in enumerate(self._news)
                if any(d - FRESH_BEFORE <= published <= d + FRESH_AFTER for d in days)
            )
            if len(self._news_by_day) >= 20_000:
                self._news_by_day.clear()
            self._news_by_day[published] = found
        return found

    def _candidates(
        self,
        seg: _Segment,
        found: _Found,
        mentioned: set[str],
        everywhere: set[str],
        own_dates,
        previous_dates,
        published: date | None,
        article_cues: set[int],
        news: set[int],
    ) -> list[_Candidate]:
        out: list[_Candidate] = []
        dates = own_dates | previous_dates
        own_months = {(y, m) for y, m in own_dates if m}
        # "the ban imposed in the spring" dates what it speaks of to a season, as a month would
        # (the linker's RELATIVE phrases, scanned as "rel" extras): not the news of the days
        seasonal = any(kind == "rel" and v in SEASON_MONTHS for kind, v, _k in found.extra)
        # "Washington last month lifted a ban on the H20", read on 12 August: July's action, not
        # a deal of the article's own days (the months of "last month" are not month names).
        last_month = None
        if published and any(kind == "rel" and v == "last_month" for kind, v, _k in found.extra):
            before = published.replace(day=1) - timedelta(days=1)
            last_month = (before.year, before.month)
        word, relax = found.word, found.relax
        relevant = set(found.cues)
        # "las restricciones impuestas por Trump en abril": a president names his country.
        if (
            own_dates
            and "united-states" not in mentioned
            and any(w in seg.folded for names in ADMINISTRATION_NAMES.values() for w in names)
        ):
            mentioned = mentioned | {"united-states"}
        for eid in mentioned:
            relevant |= self._by_entity.get(eid, set())
            if own_months:
                relevant |= self._by_country.get(eid, set())
        if not found.cues and not dates and relevant.isdisjoint(news):
            return out  # no cue, no date, no news: nothing can tie a restriction to this sentence
        # Only licence words ("needs a licence") tie a licensing action, nothing else.
        licence_only = word and all(_licence_word(k) for kind, k in found.keys if kind == "word")
        rule_only = word and all(
            any(r in k for r in _RULE_STEMS) for kind, k in found.keys if kind == "word"
        )
        horizon = published + BEFORE_NEWS if published else None
        # tied by a cue and a company only (no chip, no date): id -> the firms it concerns
        by_company: dict[str, frozenset] = {}
        firms_of: dict[str, frozenset] = {}
        # The months named without a year, and the years named alone: read once per sentence,
        # so that each action's months are tested by set lookups (R's months are (year, month)).
        any_year_months = {m for y, m in dates if y is None}
        lone_years = {y for y, m in dates if m is None}
        for i in sorted(relevant):
            cue_here = i in found.cues
            months = self._months[i]
            by_month = bool(dates) and (
                not dates.isdisjoint(months)
                or bool(any_year_months)
                and any(m in any_year_months for _y, m in months)
            )
            # A year beside a season ("今年春天的禁令", this spring's ban) is dated by the season
            # (the linker's season months), not read as every action of that year.
            by_year = (
                bool(lone_years)
                and not by_month
                and not seasonal
                and any(y in lone_years for y, _m in months)
            )
            # News of R itself, unless the sentence dates what it speaks of to a month; an
            # article of the day before R's news names it in R's own words (a cue) or not at all.
            fresh = (
                i in news
                and (not (own_months or seasonal) or cue_here)
                and (
                    last_month is None
                    or cue_here
                    or any((d.year, d.month) == last_month for d in self._news[i])
                )
                and (published is None or published >= self._news[i][0] or i in article_cues)
            )
            if not (cue_here or by_month or by_year or fresh):
                continue  # nothing can tie R to this sentence
            if self._tariff[i] and not cue_here:
                continue  # a tariff is spoken of as one ("a 25% duty", arancel, 关税)
            rx = self.restrictions[i]
            word = found.word and not (
                (licence_only and not self._licensing[i]) or (rule_only and self._bill[i])
            )
            first_news = self._news[i][0]
            if horizon and first_news > horizon:
                continue
            chips, companies, amended = self._targets[i]
            firms_of[rx.id] = frozenset(companies)
            concerned = chips | companies | amended
            places = self._regions[i] | {self._issuer[i]}
            targets = mentioned & concerned
            if relax is False and rx.raw.get("category") == "relaxation":
                # "last year's H20 ban" names the ban: what undid it is not spoken of without a
                # word of relaxing (the ban's name is no target of the rule that lifted it)
                targets -= amended
            if not targets and cue_here and (by_month or fresh):
                # A cue and a month (or the news itself): what R concerns may be named elsewhere
                # in the article, or be a place (Malaysia's permit, China's rare-earth controls).
                targets = (everywhere & concerned) or (mentioned & places)
            country = None
            if (
                not targets
                and self._country[i] in mentioned
                and (word or relax)
                and any((y, m) in own_dates or (None, m) in own_dates for y, m in months)
                # ... of an action already out: "suspended from November 10 the rule of
                # September", read on 11 November, speaks of no US action of 19 November
                and (published is None or first_news <= published + FRESH_BEFORE)
            ):
                # "the US rules of October 2022": the issuing country and a month, nothing else.
                country = self._country[i]
                targets = {country}
            if not targets:
                continue
            cue_article = cue_here or i in article_cues
            on_chip = bool(targets & (chips | amended))
            path = None
            lenient = rx.raw.get("category") == "relaxation"
            if (
                by_month
                and (word or (relax and lenient) or cue_here)
                or by_year
                and (word or cue_here)
                and country is None
            ):
                path = "dated"
            elif (
                fresh
                and (word or (relax and lenient) or cue_here)
                and (on_chip or not chips or cue_article)
            ):
                path = "fresh"
            elif (
                cue_here
                # the chip, or the company an action over one firm concerns ("took control of
                # Nexperia" weeks later): what the cue names sits in the same sentence
                and (
                    on_chip
                    or bool(targets & companies)
                    and len(companies) <= 2
                    and not chips
                    and self._own_cue(found, i)
                )
                and not dates
                and (not published or first_news <= published)
            ):
                path = "cued"
                if not on_chip:
                    by_company[rx.id] = frozenset(companies)
            if path is None or (path == "fresh" and self._by_cues_only[i] and not cue_here):
                continue
            # "allowed", "resume" point to a relaxation; "ban", "curbs" to a restriction.
            polarity = (1 if lenient else -1) if relax else ((-1 if lenient else 1) if word else 0)
            if country:
                score = (cue_here, 0, False, False)  # a country is weak evidence: no tie-breaks
            else:
                score = (cue_here, polarity, cue_article, on_chip)
            # The reference it answers: readings of one month (one year, the news) compete.
            if path != "dated":
                when = path
            elif by_month:
                when = " ".join(
                    sorted(
                        f"{dy or '*'}-{dm:02d}"
                        for dy, dm in dates
                        if dm and any(dm == m and dy in (y, None) for y, m in months)
                    )
                )
            else:
                when = " ".join(sorted(str(y) for y, m in dates if m is None))
            for target in sorted(targets):
                out.append(
                    _Candidate(
                        rx,
                        path,
                        0,
                        target,
                        score,
                        seg.text.strip()[:200],
                        when,
                        country is not None,
                    )
                )

        # A company-and-cue tie is the weakest: it holds only when no other action on the same
        # firm is tied to the sentence (a probe and its finding share their words and firm).
        def alone(c: _Candidate) -> bool:
            mine = by_company.get(c.rx.id)
            return mine is None or all(
                o.rx.id == c.rx.id or mine.isdisjoint(firms_of[o.rx.id]) for o in out
            )

        return [c for c in out if alone(c)]

    def _cue_of_other_month(self, found: _Found, mentioned: set[str], previous_dates) -> bool:
        """Whether the sentence names, by a cue of its own and a firm it concerns, an action of
        none of the months carried from the sentence before."""
        months = {m for _y, m in previous_dates if m}
        return bool(months) and any(
            isinstance(i, int)
            and not mentioned.isdisjoint(self._targets[i][1])
            and not any(m in months for _y, m in self._months[i])
            for i in self._own_cues(found)
        )

    def _own_cues(self, found: _Found) -> set:
        """The actions with a cue phrase found here that no other action has ("Wet
        beschikbaarheid goederen")."""
        return {
            value
            for kind, value, key in found.extra
            if kind == "cue" and _phrase(key) and self._lexicon.cue_owners(key) == {value}
        }

    def _own_cue(self, found: _Found, i: int) -> bool:
        """A cue phrase of R's found here that no other action has."""
        return i in self._own_cues(found)

    def _sole(
        self, seg: _Segment, hits: list[Hit], text: str, published: date | None
    ) -> list[_Candidate]:
        """The only restriction on a chip, when a restriction word sits right next to it."""
        out = []
        countries = {h.entity_id for h in hits}
        for hit in hits:
            rules = [
                i
                for i in self._chip_rules.get(hit.entity_id, ())
                if published is None or self._news[i][0] <= published
            ]
            if not rules:
                continue
            # The window around a chip repeats as sentences do: its fold and scan are
            # remembered like a sentence's (both depend on the text alone).
            near_text = _fold_sentence(
                text[max(0, hit.start - SOLE_DISTANCE) : hit.end + SOLE_DISTANCE]
            )
            near = self._scan(near_text)
            if near.relax or not near.word:
                continue
            if all(_licence_word(k) for kind, k in near.keys if kind == "word"):
                rules = [i for i in rules if self._licensing[i]]
            if _ANY_EXPORT_WORD(near_text):
                # "could not ship MI308 accelerators to China": the exporter's side, so China,
                # named as the destination, is not the actor (when.EXPORT_WORDS)
                rules = [
                    i
                    for i in rules
                    if self.restrictions[i].raw.get("category") not in BUYER_SIDE_CATEGORIES
                ]
            named = [i for i in rules if self._country[i] in countries]
            if len(named or rules) == 1:
                rx = self.restrictions[(named or rules)[0]]
                out.append(
                    _Candidate(
                        rx,
                        "sole",
                        0,
                        hit.entity_id,
                        (False, 1, False, True),
                        seg.text.strip()[:200],
                        "sole",
                    )
                )
        return out

    @staticmethod
    def _select(candidates: list[_Candidate]) -> dict[str, _Candidate]:
        """Per sentence and concerned entity, keep the best supported readings (module docstring)."""
        concrete = {(c.segment, c.when) for c in candidates if not c.by_country}
        groups: dict[tuple, list[_Candidate]] = {}
        for c in candidates:
            if c.by_country:
                # Only when nothing more concrete answers the same date in the sentence; all
                # countries' readings of that date compete together.
                if (c.segment, c.when) not in concrete:
                    groups.setdefault((c.segment, "country", c.when), []).append(c)
            else:
                groups.setdefault((c.segment, c.target), []).append(c)
        linked: dict[str, _Candidate] = {}
        for group in groups.values():
            top = max(PATHS[c.path] for c in group)
            # Readings of the same reference (one month, one year, the news itself) compete.
            by_when: dict[str, list[_Candidate]] = {}
            for c in group:
                if PATHS[c.path] == top:
                    by_when.setdefault(c.when, []).append(c)
            for rivals in by_when.values():
                if any(c.score[0] for c in rivals):
                    chosen = [c for c in rivals if c.score[0]]
                else:
                    best = max(c.score for c in rivals)
                    chosen = [c for c in rivals if c.score == best]
                    if len({c.rx.id for c in chosen}) > 1:
                        continue  # the text does not say which
                for c in chosen:
                    linked.setdefault(c.rx.id, c)
        return linked

    def _dates(
        self, seg: str, found: _Found, published: date | None
    ) -> set[tuple[int | None, int | None]]:
        """(year, month) pairs a sentence refers to: year None when the article has no date,
        month None for a year-only reference."""
        dates = set()
        for month, start, end, word in found.months:
            if word in self._ambiguous and not self._is_date(seg, start, end):
                continue
            if seg[end : end + 3].lstrip("份").startswith(_FIGURES):
                continue  # "5月营收": the month of a company's figures, not of an action
            if seg.startswith(_JA_FIGURES, end) and not seg.startswith("期限", end):
                continue  # "5月の決算", "7月期": likewise in Japanese
            if _QUARTER_AFTER.match(seg, end) or _QUARTER_BEFORE.search(
                seg[max(0, start - 40) : start]
            ):
                continue  # "its July-quarter sales": the month a quarter closes
            dates.add((self._year(seg, start, end, month, published), month))
        if not dates:
            dates |= self._years(seg, found, published)
        return dates

    def _years(
        self, seg: str, found: _Found, published: date | None
    ) -> set[tuple[int | None, int | None]]:
        """Year-only references: "since 2019", "en 2020", "2020年", "this year", "去年"."""
        years = set()
        for m in _YEAR.finditer(seg):
            before = seg[: m.start()].split()
            if seg[m.end() : m.end() + 1] in ("年", "년") or (
                before and before[-1] in self._year_leads
            ):
                years.add((int(m.group(1)), None))
        if published:
            years |= {(published.year - back, None) for back in found.years_back}
            # "added to the Entity List five years ago", «قبل خمس سنوات», 五年前: the year N
            # years before the article's, as "last year" is one back (the phrases are the
            # linker's YEARS_AGO, scanned as its extra kind "years_ago").
            years |= {
                (published.year - n, None) for kind, n, _k in found.extra if kind == "years_ago"
            }
        return years

    def _is_date(self, seg: str, start: int, end: int) -> bool:
        """An ambiguous month word ("may", "mars", "sept") is a month next to a number ("15
        May", "mai 2025", "1er mars") or after a word that introduces one ("in", "since",
        "depuis", "en"); a number inside a name is none ("Nvidia's H200 may not enter")."""
        before = seg[max(0, start - 12) : start].split()[-1:]
        after = seg[end : end + 12].split()[:1]
        if any(_DAY_OR_YEAR.match(w) for w in before + after):
            return True
        if before == ["the"] and after and after[0].strip(",.;:") in _DATED_NOUNS:
            return True  # "the May rule", "the March listing": a month naming its action
        return bool(before) and before[-1] in self._leads

    def _year(
        self, seg: str, start: int, end: int, month: int, published: date | None
    ) -> int | None:
        # The nearest year by the gap between the two ("2022 وأكتوبر 2023": the second month's
        # year is 2023, one space after it, not 2022 two characters before its clitic "و"), and
        # whether it is written after the month.
        lo = max(0, start - 12)
        years = [
            (
                m.start() - (end - lo) if m.start() >= end - lo else start - lo - m.end(),
                int(m[1]),
                m.start() >= end - lo,
            )
            for m in _YEAR.finditer(seg[lo : end + 12])
        ]
        last_year_after = published is not None and any(
            w in seg[end : end + 20] for w in self._last_year
        )
        # "los paquetes de octubre de 2022 y de octubre del año pasado": a year written before
        # the month is the previous month's when "last year" follows this one.
        if years and not (last_year_after and not any(after for _d, _y, after in years)):
            return min(years)[1]
        if published is None:
            return None
        before = seg[max(0, start - 16) : start]
        if last_year_after or any(w in before for w in self._last_year):
            return published.year - 1
        if any(w in before for w in self._this_year):
            return published.year
        year = published.year
        # "last December", "décembre dernier", «ديسمبر الماضي»: the latest such month before this one.
        if before.endswith(_LAST_BEFORE) or seg[end : end + 10].startswith(_LAST_AFTER):
            return year - 1 if month >= published.month else year
        # "since December", "sinds december", «منذ ديسمبر», 12月以来: a month looked back to is
        # the latest such month, never one ahead as an announced date would be.
        if before.endswith(_SINCE_BEFORE) or seg[end : end + 4].lstrip().startswith(_SINCE_AFTER):
            return year - 1 if month > published.month else year
        # "until next November", "novembre prochain": the coming one.
        if before.endswith(_NEXT_BEFORE) or seg[end : end + 10].startswith(_NEXT_AFTER):
            return year + 1 if month <= published.month else year
        if month > published.month + ANNOUNCED_AHEAD:
            year -= 1
        return year


# "The H20, designed for China to comply with US export controls": a clause that says what a
# product was designed around names older rules, not an action on that product, nor who acted.
# Read only in a sentence that speaks of designing (or adapting) a product.
_DESIGN_WORDS = tuple(
    _fold(w)
    for w in (
        "design",
        "tailored",
        "modified",
        "developed for",
        "built for",
        "made for",
        "conçu",
        "conçue",
        "développé",
        "développée",
        "adapté",
        "adaptée",
        "modifié",
        "modifiée",
        "diseñad",
        "desarrollad",
        "adaptad",
        "modificad",
        "entwickelt",
        "modifiziert",
        "zugeschnitten",
        "ontworpen",
        "ontwikkeld",
        "aangepast",
        "设计",
        "設計",
        "特供",
        "研发",
        "开发",
        "開発",
        "صمم",
        "صممت",
        "صممته",
        "مصمم",
        "المصمم",
        "طورت",
        "طورته",
        "معدل",
    )
)
_ANY_DESIGN_WORD = AnyOf(_DESIGN_WORDS)
_ANY_EXPORT_WORD = AnyOf(tuple(_fold(w) for w in EXPORT_WORDS))
_COMPLY_MARKERS = (
    "to comply with",
    "in order to comply",
    "designed to comply",
    "to meet",
    "to get around",
    "to circumvent",
    "to skirt",
    "to sidestep",
    "to stay within",
    "to stay below",
    "to fall below",
    "pour contourner",
    "pour respecter",
    "pour se conformer",
    "afin de respecter",
    "afin de se conformer",
    "afin de contourner",
    "pour se plier",
    "para cumplir",
    "para sortear",
    "para eludir",
    "para esquivar",
    "para ajustarse",
    "om te voldoen aan",
    "om de exportregels",
    "om de regels",
    "为了符合",
    "為了符合",
    "为符合",
    "為符合",
    "以符合",
    "为规避",
    "以规避",
    "为了规避",
    "為了規避",
    "امتثالا",
    "امتثالاً",
    "للامتثال",
    "لتتوافق مع",
    "لتتماشى مع",
    "للتحايل على",
    "لتفادي",
    "に準拠",
    "を回避するため",
    "に対応するため",
)
_COMPLY = re.compile(
    "|".join(sorted({re.escape(_fold(m)) for m in _COMPLY_MARKERS}, key=len, reverse=True))
    # German puts the verb last: "um früheren Exportauflagen gerecht zu werden"
    + r"|\bum\b[^,;]{0,80}?(?:gerecht zu werden|einzuhalten|zu umgehen|zu erfullen)"
)
# (the clause ends at "before"/"until": "designed to comply with US rules before they were
# tightened in October 2023" goes on to an action on the product)
_CLAUSE_END = re.compile(
    r"[,，、،;；)）]|\s(?:and|but|et|mais|y|pero|und|aber|en|maar)\s"
    r"|\s(?:before|until|avant|jusqu|antes|hasta|bevor|voordat|totdat|قبل|حتى)\b|之前|以前|$"
)


_DESIGNED: Memo[str, tuple[tuple[int, int], ...]] = Memo()


def _designed_around(folded: str) -> tuple[tuple[int, int], ...]:
    """_designed_around_now, remembered per sentence (read for every sentence of every article)."""
    spans = _DESIGNED.get(folded)
    if spans is None:
        spans = _DESIGNED.keep(folded, tuple(_designed_around_now(folded)))
    return spans


def _designed_around_now(folded: str) -> list[tuple[int, int]]:
    """Spans of a folded sentence that say, undated, what a product was designed around ("to
    comply with US export controls", «为了符合…出口管制», «امتثالاً لضوابط…»): from the marker
    to the end of its clause."""
    if not _ANY_DESIGN_WORD(folded):
        return []
    spans = []
    for m in _COMPLY.finditer(folded):
        end = (
            m.end() if m.group().startswith("um ") else _CLAUSE_END.search(folded, m.end()).start()
        )
        if not _YEAR.search(folded, m.start(), end):
            # (a dated clause names the rules it means: "restrictions imposed in 2022 and
            # updated in 2023" are read as those; undated, it is boilerplate)
            spans.append((m.start(), end))
    return spans


def _without_design_clauses(seg: _Segment, hits: list[Hit]) -> tuple[_Segment, list[Hit]]:
    """The sentence with its design clauses blanked out (same length) and the names inside them
    dropped: their words and countries are not the action the sentence speaks of."""
    spans = _designed_around(seg.folded)
    if not spans:
        return seg, hits
    folded = seg.folded
    for a, b in spans:
        folded = folded[:a] + " " * (b - a) + folded[b:]

    def inside(h: Hit) -> bool:
        at = len(_fold(seg.text[: max(0, h.start - seg.start)] + "x")) - 1
        return any(a <= at < b for a, b in spans)

    return _segment(seg.start, seg.end, folded, seg.text), [h for h in hits if not inside(h)]


# Nouns of an action that an ambiguous month word before them dates ("the May rule").
_DATED_NOUNS = frozenset(
    (
        "rule",
        "rules",
        "ban",
        "order",
        "curbs",
        "controls",
        "restrictions",
        "decision",
        "guidance",
        "notice",
        "letter",
        "listing",
        "listings",
        "block",
        "rescission",
        "deal",
        "announcement",
    )
)


def _licence_word(text: str) -> bool:
    return any(stem in text for stem in _LICENCE_STEMS)


def _segment(start: int, end: int, folded: str, text: str) -> _Segment:
    """_Segment(...) without the frozen dataclass's __init__ (which sets each field the slow
    way): an article has dozens of sentences."""
    seg = object.__new__(_Segment)
    seg.__dict__.update(start=start, end=end, folded=folded, text=text)
    return seg


def _segments(text: str) -> list[_Segment]:
    segments, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if m.group() == "." and _NOT_AN_END.search(text, max(0, m.start() - 5), end):
            continue
        if end > start:
            sentence = text[start:end]
            segments.append(_segment(start, end, _fold_sentence(sentence), sentence))
            start = end
    if start < len(text):
        segments.append(_segment(start, len(text), _fold_sentence(text[start:]), text[start:]))
    return [s for s in segments if s.folded]
