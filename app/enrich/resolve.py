"""Which government actions an article reports or refers to, resolved against the timeline.

Three ways to a link, each with a reason a reader can check:

- named: an alias of the restriction is in the text ("H20 licence requirement");
- matched: the restriction rule (app/enrich/restrictions.py) tied a sentence to it;
- resolved: a sentence carries evidence for a restriction of the timeline (a chip or company it
  concerns, an action it amends, its issuer or the issuing country, a month, year, season or
  "earlier this month" that resolves to its news against the publication date, a restriction or
  relaxation word of its polarity, one of its cues or topic words) and a small logistic model
  (app/enrich/data/linker_model.json, trained on the development part of the labelled set by
  `python -m app.enrich.train_linker`) scores that evidence above its calibrated threshold.
  Candidates of the same issuing country compete within a sentence: only those close to the
  best score are kept, so "in January, Washington ..." does not link every January action.

Each link also says whether the article REPORTS the action (its news: published within days
of it and not introduced as background) or refers to it as CONTEXT ("after", "since",
"last year", an action older than the article's news).
"""

import json
import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

from app.enrich import outlet_phrasing
from app.enrich.administrations import previous_president
from app.enrich.de_fr_phrasing import stop_then_restart, year_in_participle_phrase
from app.enrich.instructions import telling_verb
from app.enrich.letters import by_letter
from app.enrich.links import RestrictionLink
from app.enrich.listings import (
    Listing,
    listing_of,
    looks_back_to_listing,
    only_considered,
    speaks_of_the_list,
)
from app.enrich.offsets import LATER, counted_from, shift_month
from app.enrich.previous import Action, previous_on_chip, says_previous
from app.enrich.restrictions import (
    _YEAR,
    BEFORE_NEWS,
    FRESH_AFTER,
    FRESH_BEFORE,
    AnyOf,
    Memo,
    Needing,
    Reading,
    RestrictionRule,
    _fold,
    _fold_name,
    _stem,
)
from app.enrich.tagger import arabic
from app.enrich.when import (
    ACTION_KINDS,
    ACTIONS,
    ACTORS,
    ADMINISTRATION_NAMES,
    ADMINISTRATIONS,
    BACK_MARKERS,
    BUYER_SIDE_CATEGORIES,
    CHIP_ANAPHORS,
    CLAUSE_MARKERS,
    DAYS_BACK,
    EXCLUSIVE_KINDS,
    EXPORT_WORDS,
    KO_YEAR_PARTS,
    LAST_WEEK,
    LAST_WEEK_BACK,
    MONTHS_AGO,
    MONTHS_AGO_WORDS,
    NOUNS_BEFORE_NATIONALITY,
    NUMBERS,
    PAST_SEASON_LEADS,
    PRESSURE_MARKERS,
    RELATIVE,
    REQUIRED,
    SEASON_MONTHS,
    SINCE_MARKERS,
    TERM_END,
    WEEKS,
    WEEKS_BACK,
    YEAR_LATER,
    YEAR_PART_FILLERS,
    YEAR_PART_WORDS,
    YEAR_PART_YEARS,
    YEAR_PARTS,
    YEAR_START_WORDS,
    YEAR_TURN,
    YEARS_AGO,
    YEARS_AGO_WORDS,
    ZH_YEAR_PARTS,
)
from app.gazetteer import Gazetteer

MODEL = Path(__file__).resolve().parent / "data" / "linker_model.json"
FEATURES = (
    "chip",
    "company",
    "rare_company",
    "amended",
    "issuer",
    "country",
    "month",
    "year",
    "days",
    "fresh",
    "only_fresh",
    "covers",
    "action",
    "wrong_action",
    "cue",
    "title",
    "what_near",
    "region",
    "concerned_elsewhere",
)
CORE = (
    "chip",
    "rare_company",
    "amended",
    "cue",
    "what_near",
    "issuer",
    "country",
    "month",
    "year",
    "days",
    "fresh",
    "covers",
    "action",
    "region",
    "chip_clause",
    "kind",
)
# Licences are granted as well as required, and a rule can open as well as close: beside a
# relaxation word these are no restriction.
LICENCE_WORDS = (
    "licence",
    "license",
    "licences",
    "licenses",
    "licensing",
    "licenc",
    "licens",
    "许可",
    "许可证",
    # Japanese and Korean (許 is not the simplified 许)
    "許可",
    "ライセンス",
    "허가",
    "라이선스",
    "ترخيص",
    "تراخيص",
    "licencia",
    "licencias",
    "vergunning",
    "vergunningen",
    "Genehmigung",
    "Sondergenehmigung",
    "Erlaubnis",
    "Lizenz",
    "Lizenzen",
    "permis",
    "permit",
    "permits",
    "rule",
    "rules",
    "règle",
    "règles",
    "规则",
    "新规",
    "قاعدة",
    "قواعد",
    "regel",
    "regeln",
    "norma",
    "normas",
    "規則",
    "규칙",
    "규정",
)
# The rule a rescission undoes ("l'abrogation de la règle"): a rule word still names it.
RULE_WORDS = (
    "rule",
    "rules",
    "règle",
    "règles",
    "规则",
    "新规",
    "قاعدة",
    "قواعد",
    "regel",
    "regeln",
    "regels",
    "norma",
    "normas",
    "regla",
    "reglas",
    # a framework is a rule too ("scrapped the three-tier framework")
    "framework",
    "cadre",
    "marco",
    "kader",
    "框架",
    "إطار",
    "規則",
    "枠組み",
    "규칙",
    "규정",
    "프레임워크",
)
# What a rescission undoes, named by what it was ("the tiered system ... was thrown out", "le
# régime abrogé"): beside a linked rescission these name the rule it undid (with RULE_WORDS).
SYSTEM_WORDS = (
    "system",
    "regime",
    "régime",
    "dispositif",
    "rahmen",
    "regelung",
    "regelwerk",
    "stelsel",
    "sistema",
    "نظام",
    "制度",
    "体系",
)
# A relaxation word just after one of these is negated ("not permitted", «غير مسموح», 不允许).
NEGATIONS = (
    "not ",
    "n't ",
    "pas ",
    "ne ",
    "n'",
    "غير ",
    "لا ",
    "لم ",
    "不",
    "未",
    "nicht ",
    "no ",
    "niet ",
)
# Japanese and Korean negate after the verb ("허용하지 않았다", "承認しなかった").
NEGATIONS_AFTER = (
    "하지 않",
    "하지 못",
    "되지 않",
    "しない",
    "しなかった",
    "せず",
    "されず",
    "されない",
)
# Places nearly every action concerns: naming them says nothing about which one.
COMMON_PLACES = {"china", "united-states"}
WHAT = (
    "chip",
    "rare_company",
    "amended",
    "cue",
    "what_near",
)  # what the action concerned, specifically
# "a year ago" is a letter when the article's date less the years lands this near it, nearer
# than to any other action on the chip (the October 2022 rule came six weeks after the letters)
LETTER_AGO_DAYS = 45
RARE = 3  # a company concerned by at most this many actions says which one (YMTC, Micron, ASML)
LOCAL_WHEN = ("month", "year", "days")  # a date in the sentence (or the one before)
# Agencies that act for one another in the timeline (BIS is part of Commerce).
SAME_NEWS = timedelta(days=2)  # an article this close to an action's news is about it
# "At the same time, a new rule ...": a second action the article reports beside its first.
SAME_TIME_MARKERS = tuple(
    _fold(w)
    for w in (
        "at the same time",
        "meanwhile",
        "simultaneously",
        "gleichzeitig",
        "zugleich",
        "en même temps",
        "parallèlement",
        "al mismo tiempo",
        "paralelamente",
        "tegelijk",
        "同时",
        "与此同时",
        "في الوقت نفسه",
        "في الوقت ذاته",
        "同時に",
    )
)
SAME_ISSUER = {"bis": "commerce-department", "commerce-department": "commerce-department"}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _same_written(when: str, other: str, undated: bool = True) -> bool:
    """Whether two readings answer the same written date: in an undated article "2018-04" and
    "2025-04" both answer "April" (it dates a month to every year); in a dated one "April" is
    one month, so two years are two written dates ("the rules of October 2022, tightened in
    October 2023")."""
    return when == other or (
        undated
        and len(when) == len(other) == 7
        and when[4] == other[4] == "-"
        and when[5:] == other[5:]
    )


def _other_year(when: str, other: str) -> bool:
    """Whether two readings are dated to different years ("2024" and "2025-09")."""
    return when[:4].isdigit() and other[:4].isdigit() and when[:4] != other[:4]


def _after_month(when: str, day: date | None) -> bool:
    """Whether an action dated `day` came after the month `when` ("2022-10") ended."""
    if day is None or len(when) != 7 or not when[:4].isdigit() or not when[5:].isdigit():
        return False
    return (day.year, day.month) > (int(when[:4]), int(when[5:]))


def _alternation(phrases) -> str:
    return "|".join(re.escape(_fold(p)) for p in sorted(phrases, key=len, reverse=True))


# After a part of the year or a season: an optional filler ("of", "de", «من») and the year.
_FILLER = r"\s+(?:(?:" + _alternation(YEAR_PART_FILLERS) + r")\s*)?"
_LAST_YEAR = _alternation(YEAR_PART_YEARS[1])  # "last year", "vergangenen Jahres", «العام الماضي»
# "late 2022", "the end of last year", «أواخر العام الماضي» (see when.YEAR_PARTS).
_YEAR_PART = Needing(
    re.compile(
        r"(?<![a-z])(?P<part>"
        + "|".join(f"(?P<{k}>{_alternation(v)})" for k, v in YEAR_PART_WORDS.items())
        + r")"
        + _FILLER
        + r"(?:(?P<year>20[1-3][0-9])(?![0-9])|(?P<last>"
        + _LAST_YEAR
        + r")|(?P<this>"
        + _alternation(YEAR_PART_YEARS[0])
        + r")(?![a-z]))"
    ),
    [_fold(p) for words in YEAR_PART_WORDS.values() for p in words],
)
# Japanese writes it the same way (2022年末, 昨年末, 今年初め).
_ZH_YEAR_PART = Needing(
    re.compile(r"(?:(20[1-3][0-9])|(去|昨)|(今))?年(?:年)?([" + "".join(ZH_YEAR_PARTS) + r"])"),
    ["年"],
)
# Korean: 2022년 말, 지난해 말, 올해 초.
_KO_YEAR_PART = Needing(
    re.compile(r"(?:(20[1-3][0-9])년|(지난해|작년)|(올해)) ?(" + "|".join(KO_YEAR_PARTS) + ")"),
    KO_YEAR_PARTS,
)
_YEAR_TURN = re.compile(_alternation(YEAR_TURN))
_YEAR_START = re.compile(
    r"(?<![a-z])(?:" + _alternation(YEAR_START_WORDS) + r")(?!\s*20[1-3][0-9])"
)
# "last year" written after a season ("im Sommer vergangenen Jahres", "summer of last year").
_LAST_YEAR_AFTER = re.compile(_FILLER + r"(?:" + _LAST_YEAR + r")(?![a-z])")
_TERM_END = tuple(_fold(w) for w in TERM_END)
# Words a reversal shares with a fall in figures ("profits fell": أرباحها تراجعت, تراجعت
# أسهمها, "shares dropped"): a fall when a figure is their subject, one of the two words before
# or (Arabic puts the verb first) the word after.
_FALL_VERBS = {_fold(w) for w in ("تراجعت", "تراجع", "dropped", "drops", "drop")}
_FIGURES = tuple(
    _fold(w)
    for w in ("أرباح", "أسهم", "سهم", "إيرادات", "مبيعات", "أسعار", "سعر", "بنسبة")
    + ("shares", "stock", "profit", "revenue", "sales", "prices")
)


def _a_fall_in_figures(folded: str, word: str) -> bool:
    """Whether WORD (a relaxation word) reports a figure falling, not an action undone."""
    if word not in _FALL_VERBS:
        return False
    at = folded.find(word)
    end = folded.find(" ", at)  # (the word may open a longer one: "تراجع" in "تراجعت")
    near = folded[:at].split()[-2:] + (folded[end:].split()[:1] if end > 0 else [])
    # (Arabic clitics: وأرباحها, فأسهم; the figure may carry its own: "أرباحها")
    return any(w.lstrip("وفل").startswith(_FIGURES) for w in near)


_ANY_PRESIDENT = AnyOf([w for names in ADMINISTRATION_NAMES.values() for w in names])
_NO_ONE: frozenset[str] = frozenset()
_LAST_WEEK = {_fold(w) for w in LAST_WEEK}
_YEAR_LATER = re.compile(_alternation(YEAR_LATER))


def year_parts(folded: str, published: date) -> list[tuple[int, tuple[int, ...], str]]:
    """(year, months, label) for each part of a year the sentence names."""
    out: list[tuple[int, tuple[int, ...], str]] = []
    for m in _YEAR_PART.finditer(folded):
        part = "start" if m.group("start") else "end"
        year = int(m.group("year")) if m.group("year") else published.year - bool(m.group("last"))
        if m.group("this") and part == "end":
            continue  # "by the end of the year" is more often ahead than behind
        out.append((year, YEAR_PARTS[part], f"{part} {year}"))
    for m in [*_ZH_YEAR_PART.finditer(folded), *_KO_YEAR_PART.finditer(folded)]:
        part = ZH_YEAR_PARTS.get(m.group(4)) or KO_YEAR_PARTS[m.group(4)]
        year = int(m.group(1)) if m.group(1) else published.year - bool(m.group(2))
        if not (m.group(1) or m.group(2)) and part == "end":
            continue  # 年底 alone, 今年底: ahead as often as behind
        out.append((year, YEAR_PARTS[part], f"{part} {year}"))
    if _YEAR_START.search(folded):
        out.append((published.year, YEAR_PARTS["start"], f"start {published.year}"))
    if _YEAR_TURN.search(folded):
        year = published.year if published.month <= 6 else published.year + 1
        out.append((year, (1,), f"start {year}"))
        out.append((year - 1, (12,), f"end {year - 1}"))
    return out


@dataclass
class Evidence:
    """What one sentence says for one restriction."""

    segment: int
    features: dict[str, bool]
    words: list[str] = field(default_factory=list)  # for the reason, in order
    when: str = ""  # the time reference it answers ("2025-04", "2023", "days"), if any

    _score: float | None = None
    _complete: bool | None = None
    _on: tuple[str, ...] | None = None

    def vector(self) -> list[float]:
        return [1.0 if self.features.get(f) else 0.0 for f in FEATURES]

    def on(self) -> tuple[str, ...]:
        """The features it has, in order: all that _completes and _fit read of it, so their
        answers are remembered by it (a few hundred combinations occur)."""
        if self._on is None:
            self._on = tuple([k for k, v in self.features.items() if v])
        return self._on


# _completes by Evidence.on(): a function of the features alone.
_COMPLETE_BY_FEATURES: Memo[tuple[str, ...], bool] = Memo()


def _month_label(year: int | None, month: int) -> str:
    return f"{_MONTHS[month - 1]} {year}" if year else _MONTHS[month - 1]


def _refer_back(
    links: dict[str, RestrictionLink], where: dict[str, list[int]], rid: str, i: int, reason: str
) -> None:
    """Link rid as an action sentence i refers back to (context), found by a back-reference
    rule rather than the scored candidates: a fixed 0.5 confidence, and the reason says which."""
    where[rid] = [i]
    links[rid] = RestrictionLink("context", reason, 0.5)


def _years_before(day: date, n: int) -> date:
    """The same day n years earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - n)
    except ValueError:
        return day.replace(year=day.year - n, day=28)


class RestrictionLinker:
    # _presidents' last sentence and its answer (set per instance once asked: the same sentence
    # is asked again by _term_end, then _evidence)
    _presidents_last: tuple[str | None, frozenset[str]] = (None, _NO_ONE)

    def __init__(self, gazetteer: Gazetteer, model: dict | None = None):
        self.gazetteer = gazetteer
        rxs = [e for e in gazetteer.of_type("restriction") if e.date and e.raw.get("concerns")]
        extra = []
        for kind, phrases in RELATIVE.items():
            for p in phrases:
                extra.append((_fold(p), "rel", kind, False))
        for p in BACK_MARKERS:
            extra.append((_fold(p), "back", None, False))
        for p in WEEKS:
            extra.append((_fold(p), "rel", "weeks", False))
        for lang, patterns in MONTHS_AGO.items():
            for n, word in enumerate(NUMBERS[lang], 1):
                for pattern in patterns:
                    extra.append((_fold(pattern.format(n=word)), "ago", n, False))
                    extra.append((_fold(pattern.format(n=n)), "ago", n, False))
        for lang, patterns in LATER.items():
            for n, word in enumerate(NUMBERS[lang], 1):
                for pattern in patterns:
                    extra.append((_fold(pattern.format(n=word)), "later", n, False))
                    extra.append((_fold(pattern.format(n=n)), "later", n, False))
        for lang, patterns in YEARS_AGO.items():
            for n, word in enumerate(NUMBERS[lang], 1):
                for pattern in patterns:
                    extra.append((_fold(pattern.format(n=word)), "years_ago", n, False))
                    extra.append((_fold(pattern.format(n=n)), "years_ago", n, False))
        for n, phrases in YEARS_AGO_WORDS.items():
            for p in phrases:
                extra.append((_fold(p), "years_ago", n, False))
        for n, phrases in MONTHS_AGO_WORDS.items():
            for p in phrases:
                extra.append((_fold(p), "ago", n, False))
        for agency, phrases in ACTORS.items():
            for p in phrases:
                extra.append((_fold(p), "actor", agency, False))
        for polarity, phrases in ACTIONS.items():
            for p in phrases:
                extra.append((_fold(p), "act", polarity, True))
        for kind, phrases in ACTION_KINDS.items():
            for p in phrases:
                extra.append((_fold(p), "kind", kind, True))
        self.rule = RestrictionRule(gazetteer, extra)
        assert [r.id for r in self.rule.restrictions] == [r.id for r in rxs]
        self.restrictions = rxs
        self._index = {r.id: i for i, r in enumerate(rxs)}
        self.model = model if model is not None else load_model()
        self._fits: tuple[dict, Memo[tuple[str, ...], float]] = (self.model, Memo())  # see _fit
        # Cues that are ordinary restriction words ("实体清单") say nothing about which action.
        # (as the scanner keys them: "weer toe" is found as its stem "weer to")
        self._common = {
            form
            for key in ("restriction_words", "relaxation_words")
            for ws in gazetteer.context.get(key, {}).values()
            for w in ws
            for form in (_fold(w), _stem(_fold(w)))
        }
        entities = gazetteer.entities
        self._names = {eid: e.name for eid, e in entities.items()}
        # An actor phrase inside another agency's longer name is that agency: "ministerie van
        # Handel" is Commerce, but "het Chinese ministerie van Handel" is MOFCOM.
        agency_names = [
            (e.id, _fold(a))
            for e in entities.values()
            if e.type == "agency"
            for a in e.all_aliases()
        ]
        self._shadowed = {
            _fold(p): tuple(
                n for eid, n in agency_names if eid != agency and _fold(p) in n != _fold(p)
            )
            for agency, phrases in ACTORS.items()
            for p in phrases
        }
        self._issuer_key = [SAME_ISSUER.get(r.raw.get("issuer"), r.raw.get("issuer")) for r in rxs]
        self._category = [r.raw.get("category") for r in rxs]
        # The kind of each action ("entity-list"), read from its name.
        # "undo": a relaxation that lifts a restriction of the timeline.
        self._kind = [
            "undo"
            if r.raw.get("category") == "relaxation" and r.raw["concerns"].get("restriction")
            else next((k for k in ACTION_KINDS if k.replace("-", " ") in r.name.lower()), None)
            for r in rxs
        ]
        self._list_words = {_fold(w) for w in ACTION_KINDS["entity-list"]}
        # Actions that put names on the Entity List: listings, and rules that also listed
        # ("... and put 140 entities on the Entity List"), read from their name and summary.
        self._lists = [
            k == "entity-list" or "entity list" in r.raw.get("summary", "").lower()
            for k, r in zip(self._kind, rxs)
        ]
        self._all_chips = {eid for eid, e in entities.items() if e.type == "chip"}
        self._countries = {c for c in self.rule._country if c}
        self._who = self._countries | {k for k in self._issuer_key if k}
        self._covers_cache: Memo[tuple, bool] = Memo()
        self._on_chip: dict[str, set[int]] = {}  # chip -> actions concerning it
        for i in range(len(rxs)):
            for chip in self.rule._targets[i][0]:
                self._on_chip.setdefault(chip, set()).add(i)
        # Actions on chips, for "the previous restrictions on the H20" (app/enrich/previous.py);
        # those tied only by their own words stay out.
        self._chip_actions = [
            Action(
                rx.id,
                self.rule._country[i],
                self._category[i] != "relaxation",
                self.rule._news[i][0],
                frozenset(self.rule._targets[i][0]),
            )
            for i, rx in enumerate(rxs)
            if self.rule._targets[i][0] and not self.rule._by_cues_only[i]
        ]
        # Entity List listings, by the companies listed (app/enrich/listings.py).
        self._listings = [
            Listing(rx.id, frozenset(self.rule._targets[i][1]), self.rule._news[i][0])
            for i, rx in enumerate(rxs)
            if "entity list" in {_fold(c) for c in rx.raw.get("cues", {}).get("en", ())}
        ]
        # Memos (bounded by CACHE_SIZE): sentences and days repeat across articles.
        self._times_of: Memo[tuple, tuple] = Memo()  # (sentence, day) -> _times
        self._noun_actors_of: Memo[tuple, frozenset[str]] = Memo()  # sentence -> _noun_actors
        self._relative_in: Memo[str, bool] = Memo()  # sentence -> _names_relative
        self._latest_in: Memo[str, bool] = Memo()  # sentence -> _latest_named
        self._alike: Memo[tuple, int] = Memo()  # (actions in the news, country, polarity) -> count
        self._placed_of: Memo[tuple, frozenset[str]] = Memo()  # (sentence, its names) -> _placed
        self._clause_of: Memo[tuple, bool] = Memo()  # (sentence, names, words) -> _same_clause
        self._words_of: Memo[str, tuple] = Memo()  # sentence -> _words
        self._alike_on_chips: Memo[tuple, list[int]] = Memo()  # chip set -> actions on all of them
        self._subjects_of: Memo[tuple, tuple] = Memo()  # (sentence, its names) -> _clauses
        self._latest_of: Memo[tuple, int | None] = Memo()  # (country, polarity, day) -> _latest
        # the actions delivered by a letter to the companies (letters.py)
        self._letters = {
            r: rx.date.year for r, rx in enumerate(rxs) if rx.date and by_letter(rx.raw)
        }
        self._prominence = {
            r.id: sum(len(v) for v in r.raw.get("aliases", {}).values()) for r in rxs
        }
        self._licence_words = {_fold(w) for w in LICENCE_WORDS} | {
            _fold(w)[:-1] for w in LICENCE_WORDS
        }
        self._clause_markers = {_fold(w) for w in CLAUSE_MARKERS}
        self._required_words = {_fold(w) for w in REQUIRED}
        self._subject_markers = self._clause_markers | {_fold(w) for w in SINCE_MARKERS}
        self._rule_words = {_fold(w) for w in RULE_WORDS} | {_fold(w)[:-1] for w in RULE_WORDS}
        self._undone_nouns = tuple(dict.fromkeys(_fold(w) for w in RULE_WORDS + SYSTEM_WORDS))
        self._agencies = {eid for eid, e in entities.items() if e.type == "agency"}
        self._agency_country = {
            SAME_ISSUER.get(eid, eid): e.raw.get("region", eid)
            for eid, e in entities.items()
            if e.type == "agency"
        }
        # The administrations each US action (or the action it undoes) falls in.
        terms = {
            name: [
                (date.fromisoformat(a), date.fromisoformat(b) if b else date.max) for a, b in spans
            ]
            for name, spans in ADMINISTRATIONS.items()
        }
        self._terms: list[frozenset[str]] = []
        for k, rx in enumerate(rxs):
            days = [
                d
                for d in [rx.date] + [self.gazetteer.entities[a].date for a in self._amends_of(rx)]
                if d
            ]
            self._terms.append(
                frozenset(
                    name
                    for name, spans in terms.items()
                    if any(a <= d < b for d in days for a, b in spans)
                )
                if self.rule._country[k] == "united-states"
                else frozenset(ADMINISTRATIONS)
            )
        self._presidents_of: Memo[str, frozenset[str]] = Memo()  # sentence -> presidents named
        self._cue_owners: dict[str, int] = {}
        for r in rxs:
            for c in {_fold(c) for cs in r.raw.get("cues", {}).values() for c in cs}:
                self._cue_owners[c] = self._cue_owners.get(c, 0) + 1
        # Restrictions each restriction amends, and the other way round.
        self._amends = [set(r.raw["concerns"].get("restriction", ())) for r in rxs]
        self._amended_by = {
            r.id: {o.id for o in rxs if r.id in o.raw["concerns"].get("restriction", ())}
            for r in rxs
        }

    def _amends_of(self, rx) -> list[str]:
        return [
            a for a in rx.raw["concerns"].get("restriction", ()) if a in self.gazetteer.entities
        ]

    def _presidents(self, folded: str) -> frozenset[str]:
        """The presidents a sentence names (remembered per sentence)."""
        last, named = self._presidents_last
        if folded is last:
            return named  # (_term_end, then _evidence, ask for the same sentence)
        if not _ANY_PRESIDENT(folded):
            named = _NO_ONE  # most sentences: one pass, no memo entry
        else:
            named = self._presidents_of.get(folded)
            if named is None:
                named = self._presidents_of.keep(
                    folded,
                    frozenset(
                        n
                        for n, names in ADMINISTRATION_NAMES.items()
                        if any(w in folded for w in names)
                    ),
                )
        self._presidents_last = (folded, named)
        return named

    def _term_end(self, folded: str, published: date | None) -> frozenset[tuple[int, int]]:
        """The month a named administration's term ended, when the sentence speaks of its end
        ("the Biden administration's last-minute AI chip rule", "drawn up in the last week of
        the Biden administration") and that was before the article."""
        named = self._presidents(folded)  # (remembered per sentence: most name no president)
        if not named or not any(w in folded for w in _TERM_END):
            return frozenset()
        ends = set()
        for name in named:
            for _start, end in ADMINISTRATIONS[name]:
                if end and (published is None or date.fromisoformat(end) <= published):
                    day = date.fromisoformat(end)
                    ends.add((day.year, day.month))
        return frozenset(ends)

    def _out_of_term(self, folded: str, r: int) -> bool:
        """The sentence names presidents, and R (a US action) fell in none of their terms."""
        named = self._presidents(folded)
        return bool(named) and not (named & self._terms[r])

    # --- reading ------------------------------------------------------------------------

    def link(self, title, body, title_hits, body_hits, published_at) -> dict[str, RestrictionLink]:
        """Restriction id -> link (role, reason, score) for one article."""
        reading = self.rule.read(title, body, title_hits, body_hits, published_at)
        named = self._named(reading)
        matched = self.rule.select(reading)
        evidence, readings = self._evidence(reading, set(named) | set(matched))
        links: dict[str, RestrictionLink] = {}
        where: dict[str, list[int]] = {}  # the sentences each link was read from
        for rid, segments in named.items():
            reason = "named: " + ", ".join(sorted({s for _, s in segments}))
            where[rid] = [i for i, _ in segments]
            links[rid] = RestrictionLink(self._role(reading, rid, where[rid]), reason, 1.0)
        for rid, cand in matched.items():
            if rid in links:
                continue
            if cand.path == "sole" and self._says_previous(
                reading.segments[cand.segment][0].folded, reading.scans[cand.segment]
            ):
                # "the previous directives on the H20": not the chip's only action of the
                # sentence's country, but the last before the news, of the news' (_previous)
                continue
            ev = evidence.get(rid)
            if ev and self._overruled(reading, rid, cand, ev, evidence):
                continue
            if ev is None and cand.by_country:
                # Tied by its country alone, in a sentence where another country acts ("Since
                # Malaysia began requiring permits for US-made AI chips in July").
                acting = self._acting(reading, cand.segment)
                if acting and self.rule._country[self._index[rid]] not in acting:
                    continue

            why = self._reason(ev) if ev else cand.evidence[:80]
            where[rid] = [cand.segment]
            links[rid] = RestrictionLink(
                self._role(reading, rid, [cand.segment]),
                f"matched: {why}",
                round(self._score(ev), 3) if ev else 1.0,
            )
        news = {
            rid
            for rid in links
            if rid in self._index
            and reading.published
            and self._fresh(self._index[rid], reading.published)
        }
        undated = reading.published is None
        for rid, ev in self._decide(readings, set(links), news, undated).items():
            where[rid] = [ev.segment]
            links[rid] = RestrictionLink(
                # "the latest curbs" look back from the article: context
                "context" if ev.when == "latest" else self._role(reading, rid, [ev.segment]),
                f"resolved: {self._reason(ev)}",
                round(self._score(ev), 3),
            )
        # A linked action that undoes or updates another ("the rescission of the Biden-era
        # rule") links that one too where a sentence refers to it: read again with every link.
        undone = {
            self._index[a]
            for rid in links
            if rid in self._index and self._category[self._index[rid]] == "relaxation"
            for a in self._amends[self._index[rid]] - set(links)
            if a in self._index
        }
        if undone:
            for rid, ev in self._evidence(reading, set(links), undone)[0].items():
                f = ev.features
                if (
                    rid not in links
                    and f.get("amending")
                    and f.get("rule_word")
                    and self._complete(ev)
                ):
                    where[rid] = [ev.segment]
                    links[rid] = RestrictionLink(
                        self._role(reading, rid, [ev.segment]),
                        f"resolved: {self._reason(ev)}",
                        round(self._score(ev), 3),
                    )
        self._undoers(reading, links, where)
        self._updated(reading, links, where)
        self._undone_then(reading, evidence, links, where)
        self._reversals(reading, links, where)
        self._landmarks(reading, links, where)
        self._told_by_letter(reading, links, where)
        self._previous(reading, links, where)
        self._listed_since(reading, links, where)
        self._by_news_country(reading, links, where)
        return self._older_news_after_the_lead(
            reading, self._news_in_lead(reading, links, where), where
        )

    def _told_by_letter(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> None:
        """ "Washington told Nvidia in 2022 to stop selling the A100": an order told to a
        company (instructions.telling_verb), by its country, dated by a year alone, on a chip,
        is the letter that told the chip's makers that year when there is exactly one
        (letters.py); a link of the same sentence to another action of that year on the chip
        with no month of its own (the year's best-known rule) gives way to it. A ban on the chip
        "a year ago" (n years before the article, within LETTER_AGO_DAYS of the letter) is the
        letter too: in an August 2023 article, «حظرت واشنطن تصدير ... A100 قبل عام» is August
        2022, the letters' month, not the October rule."""
        if reading.published is None or not self._letters:
            return
        for i, (seg, hits) in enumerate(reading.segments):
            folded = seg.folded
            told = telling_verb(folded)
            verb = told or self._ago_word(reading, i)
            if not verb:
                continue
            mentioned = {h.entity_id for h in hits}
            months = self._times(reading, i)[0]
            years = {y for y, _m in self.rule._years(folded, reading.scans[i], reading.published)}
            if not told:
                # dated by "n years ago" alone: a letter only when it is the action on the chip
                # nearest those days
                years = set()
                for kind, n, _k in reading.scans[i].extra:
                    if kind != "years_ago":
                        continue
                    then = _years_before(reading.published, n)
                    near = sorted(
                        (abs((rx.date - then).days), r)
                        for r, rx in enumerate(self.restrictions)
                        if rx.date and mentioned & self.rule._targets[r][0]
                    )
                    if near and near[0][0] <= LETTER_AGO_DAYS and near[0][1] in self._letters:
                        years.add(self._letters[near[0][1]])
            countries = (mentioned & self._countries) | {
                self._agency_country.get(SAME_ISSUER.get(e, e)) for e in mentioned
            }
            letters = [
                r
                for r, year in self._letters.items()
                if year in years
                and self.rule._country[r] in countries
                and mentioned & self.rule._targets[r][0]
                and not any(y == year for y, _m in months)
            ]
            if len(letters) != 1 or self.restrictions[letters[0]].id in links:
                continue
            r = letters[0]
            rid, year = self.restrictions[r].id, self._letters[r]
            chips = mentioned & self.rule._targets[r][0]
            for other in [
                o
                for o, segs in where.items()
                if segs == [i]
                and o in self._index
                and links[o].reason.startswith("resolved:")
                and getattr(self.restrictions[self._index[o]].date, "year", None) == year
                and self.rule._targets[self._index[o]][0] & chips
            ]:
                del links[other], where[other]
            chip = next(h.surface for h in hits if h.entity_id in chips)
            _refer_back(
                links, where, rid, i, f"resolved: {chip} + {verb} + {year}, {self._names[rid]}"
            )

    def _ago_word(self, reading: Reading, i: int) -> str:
        """The restriction word of a sentence dated "n years ago" (years_ago), if it has both."""
        found = reading.scans[i]
        if not any(kind == "years_ago" for kind, _v, _k in found.extra):
            return ""
        words = [k for kind, k in found.keys if kind == "word"]
        words += [k for kind, v, k in found.extra if kind == "act" and v == "restrict"]
        return words[0] if words else ""

    @staticmethod
    def _says_previous(folded: str, found) -> str:
        """The previous-word qualifying an action noun of the sentence: a restriction noun, or
        one of either kind ("the previous directives that targeted the H20", «التوجيهات
        السابقة»), since "previous" already says it is no relaxation (see previous.py)."""
        nouns = [k for kind, k in found.keys if kind == "word"]
        nouns += [k for kind, v, k in found.extra if kind == "act" and v == "either"]
        return says_previous(folded, nouns) if nouns else ""

    def _previous(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> None:
        """ "Goes further than the previous restrictions on the H20": the last action of the news'
        country on that chip before the news (app/enrich/previous.py)."""
        news = [r for r, link in links.items() if link.role == "reported" and r in self._index]
        countries = {self.rule._country[self._index[r]] for r in news}
        if len(countries) != 1 or None in countries:
            return
        (country,) = countries
        days = [d for r in news for d in self.rule._news[self._index[r]][:1] if d]
        if not days:
            return
        before = min(days)
        for i, ((seg, hits), found) in enumerate(zip(reading.segments, reading.scans)):
            chips = {h.entity_id for h in hits} & self._all_chips
            word = self._says_previous(seg.folded, found) if chips else ""
            if not word:
                continue
            action = previous_on_chip(chips, country, before, self._chip_actions)
            if action is None or action.id in links:
                continue
            chip = next(h.surface for h in hits if h.entity_id in action.chips)
            _refer_back(
                links,
                where,
                action.id,
                i,
                f"resolved: {word} + {chip}, the last action on it before the news",
            )

    def _by_news_country(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> None:
        """ "This round expands previous amendments in October 2022 and October 2023": a month
        and year, an action word and no country acting in the sentence (China only receives the
        exports) is an action of the news' own country, when that country took exactly one
        action (of the word's kind) in that month before the article. A technical note names
        its regulator once, at the top, and then only dates the earlier rounds."""
        published = reading.published
        news = [r for r, link in links.items() if link.role == "reported" and r in self._index]
        countries = {self.rule._country[self._index[r]] for r in news}
        if published is None or len(countries) != 1 or None in countries:
            return
        (country,) = countries
        # A month some link already answers is taken ("the probe it opened last December"; "the
        # rule, which was to take effect on 15 May" beside its May rescission).
        answered = {
            ym for r in links if r in self._index for ym in self.rule._months[self._index[r]]
        }
        for i, found in enumerate(reading.scans):
            either = [k for kind, v, k in found.extra if kind == "act" and v == "either"]
            words = [k for _kind, k in found.keys] + either
            months = sorted({(y, m) for y, m in reading.dates[i] if y and m})
            if not words or not months or (found.word and found.relax):
                continue
            if self._acting(reading, i) - {country}:
                continue  # another country acts in the sentence
            if any(w in reading.segments[i][0].folded for w in _IN_FORCE):
                continue  # the month a rule was to take effect is not the month it was made
            for year, month in months:
                if (year, month) in answered:
                    continue
                found_x = [
                    x
                    for x, rx in enumerate(self.restrictions)
                    if self.rule._country[x] == country
                    and (year, month) in self.rule._months[x]
                    and not self.rule._by_cues_only[x]
                    and (rx.date or date.max) <= published
                    # a restriction word is no relaxation's, a relaxation word no restriction's
                    and not (found.word and self._category[x] == "relaxation")
                    and not (found.relax and self._category[x] != "relaxation")
                ]
                if len(found_x) != 1:
                    continue
                rid = self.restrictions[found_x[0]].id
                if rid in links:
                    continue
                _refer_back(
                    links,
                    where,
                    rid,
                    i,
                    f"resolved: {words[0]} + {_month_label(year, month)}, the news' country's "
                    "one action of that month",
                )

    def _listed_since(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> None:
        """ "Cut off since being added to the Entity List", undated: the one listing of the
        company named (app/enrich/listings.py). A dated sentence is read by its date."""
        if reading.published is None:
            return
        # A sentence read as the article's news speaks of that action ("after Commerce put 38
        # more Huawei affiliates on the Entity List"), not of the company's first listing.
        news_at = {
            i for r, link in links.items() if link.role == "reported" for i in where.get(r, ())
        }
        for i, ((seg, hits), found) in enumerate(zip(reading.segments, reading.scans)):
            if reading.dates[i] or any(kind == "years_ago" for kind, _v, _k in found.extra):
                continue
            if i in news_at:
                continue
            word = looks_back_to_listing(seg.folded)
            terms: tuple[tuple[str, str | None], ...] = ()
            if not word and speaks_of_the_list(seg.folded):
                # "The Biden administration put YMTC on the Entity List": dated by its terms
                named = sorted(self._presidents(seg.folded))
                terms = tuple(t for n in named for t in ADMINISTRATIONS[n])
                word = f"the {named[0].title()} administration" if len(named) == 1 else ""
            if not word or only_considered(seg.folded):
                continue
            listing = listing_of(
                {h.entity_id for h in hits}, reading.published, self._listings, terms
            )
            if listing is None or listing.id in links:
                continue
            company = next(h.surface for h in hits if h.entity_id in listing.companies)
            only = "its only listing then" if terms else "its only listing before the article"
            _refer_back(links, where, listing.id, i, f"resolved: {company} + {word}, {only}")

    def _older_news_after_the_lead(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> dict[str, RestrictionLink]:
        """Two actions of the article's days, both read as its news: the one it speaks of first
        is its news; an older one first read in a later sentence, outside the lead (the title
        and the first sentence), is what that news follows ("China's customs barred the H200
        ... Washington had cleared its sale on Tuesday"; a Chinese ban, then the antitrust
        finding of the Monday before): context."""
        if reading.published is None:
            return links
        lead = 1 if reading.has_title else 0
        reported = [
            (min(where[rid]), self.rule._news[self._index[rid]], rid)
            for rid, link in links.items()
            if link.role == "reported" and rid in self._index and where.get(rid)
        ]
        for first, news, rid in reported:
            if (
                first > lead
                and not any(m in reading.segments[first][0].folded for m in SAME_TIME_MARKERS)
                and any(
                    other_first < first and news[0] < other_news[0]
                    for other_first, other_news, _other in reported
                )
            ):
                links[rid] = replace(links[rid], role="context")
        return links

    @classmethod
    def _says_which(cls, ev: Evidence) -> bool:
        """Whether a sentence can stand for an action tied only by its own words (`by_cues_only`:
        a summons, an antitrust probe or finding): one of its cues, its issuer, or its country
        and a date ("Beijing's regulators questioned its security in July"). A month, a chip and
        a restriction word ("the restrictions" after "the ban lifted last month") are not July's
        summons; nor is its news alone, as in the rule's fresh reading ("export controls" beside
        a misread ministry in the days after a summons)."""
        f = ev.features
        return bool(f.get("cue") or f.get("issuer") or (cls._dated(ev) and f.get("country")))

    def _updated(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> None:
        """An update the article reports refers back to the action it updates where a sentence
        steps back with a restriction or licence word and dates nothing else ("we already had
        a licence requirement for the most advanced machines", in the news of its extension):
        that action, context."""
        if reading.published is None:
            return
        updated: dict[int, str] = {}
        for rid, link in links.items():
            r = self._index.get(rid)
            if r is None or link.role != "reported" or self._category[r] == "relaxation":
                continue
            for a in self._amends[r]:
                if a in self._index and a not in links:
                    updated.setdefault(self._index[a], rid)
        if not updated:
            return
        for i, found in enumerate(reading.scans):
            if not found.word or found.relax or reading.dates[i]:
                continue
            if not any(kind == "back" for kind, _v, _k in found.extra):
                continue
            if any(i in segs for segs in where.values()):
                continue  # the sentence already says which action it means
            word = next(k for kind, k in found.keys if kind == "word")
            for a, rid in updated.items():
                aid = self.restrictions[a].id
                if aid not in links:
                    _refer_back(
                        links,
                        where,
                        aid,
                        i,
                        f"resolved: {word} + a step back, what {self._names[rid]} updates",
                    )

    def _landmarks(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> None:
        """ "The export controls first imposed in 2022", «自2022年起实施的出口管制»: a past year,
        a restriction word and the United States acting, nothing more concrete in the sentence,
        point to that year's landmark US action when one stands out (by how many names the
        press gives it: the October 2022 rules, the 2023 update, the December 2024 package)."""
        if reading.published is None:
            return
        for i, (seg, _hits) in enumerate(reading.segments):
            found = reading.scans[i]
            if not found.word or found.relax:
                continue
            folded = seg.folded
            if (
                not found.years_back
                and "20" not in folded
                and not any(kind == "years_ago" for kind, _v, _k in found.extra)
            ):
                continue  # no year named, nor "two years ago" (cheap test first)
            # (and "the 2022 restrictions": a year right beside the action word, as _times reads)
            years = {
                y
                for y in {y for y, _m in self.rule._years(folded, found, reading.published)}
                | self._times(reading, i)[1]
                if y and y < reading.published.year
            }
            # each year beside its own action word ("imposed in 2022 and updated in 2023")
            for year in sorted(years):
                if not self._year_with_word(folded, year, found):
                    continue  # "launched in early 2024, ... export controls": the year is another's
                if any(
                    i in segs
                    and rid in self._index
                    and getattr(self.restrictions[self._index[rid]].date, "year", None) == year
                    for rid, segs in where.items()
                ):
                    continue  # the sentence already says which action of that year
                mentioned = {h.entity_id for h in reading.segments[i][1]}
                # Who acted must be said (Washington, a US agency, a president): a year alone with
                # nobody acting is too weak.
                us = (
                    "united-states" in mentioned
                    or bool(self._presidents(folded))
                    or "united-states"
                    in {self._agency_country.get(SAME_ISSUER.get(e, e)) for e in mentioned}
                    # "the administration's first restrictions"
                    or "united-states"
                    in {
                        self._agency_country.get(SAME_ISSUER.get(v, v))
                        for kind, v, _k in found.extra
                        if kind == "actor"
                    }
                    # a US action the sentence is linked to ("the decision in December to let
                    # Nvidia sell the H200 undercuts the export controls first imposed in 2022")
                    or any(
                        i in segs
                        and rid in self._index
                        and self.rule._country[self._index[rid]] == "united-states"
                        for rid, segs in where.items()
                    )
                )
                if not us:
                    continue
                ranked = sorted(
                    (
                        (self._prominence[rx.id], rx.id)
                        for r, rx in enumerate(self.restrictions)
                        if rx.date
                        and rx.date.year == year
                        and self.rule._country[r] == "united-states"
                        and self._category[r] != "relaxation"
                        and not self._out_of_term(folded, r)
                    ),
                    reverse=True,
                )
                if not ranked or (len(ranked) > 1 and ranked[0][0] < 1.5 * ranked[1][0]):
                    continue
                rid = ranked[0][1]
                # The article names what another action of that year concerned ("YMTC ... added
                # to a blacklist in late 2022"): the landmark is not the one meant
                # (a company few actions concern, named anywhere, and concerned by another one).
                rare = {
                    c for c in reading.everywhere if len(self.rule._by_entity.get(c, ())) <= RARE
                }
                if any(
                    rare & self.rule._targets[r][1]
                    for r, rx in enumerate(self.restrictions)
                    if rx.id != rid and rx.date and rx.date.year == year
                ):
                    continue
                if rid not in links:
                    _refer_back(
                        links,
                        where,
                        rid,
                        i,
                        f"resolved: {year} + {self._names[rid]}, that year's landmark action",
                    )

    def _undoers(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> None:
        """A linked action said to be undone where it is linked ("after Washington dropped the
        caps imposed in January", "lifted the ban imposed in April") links the relaxation that
        undid it, when that came between the action and the article."""
        if reading.published is None:
            return
        for rid in list(links):
            for undoer in self._amended_by.get(rid, ()):
                x, y = self._index.get(rid), self._index.get(undoer)
                if y is None or x is None or undoer in links:
                    continue
                done, undone = self.restrictions[x].date, self.restrictions[y].date
                if (
                    self._category[y] != "relaxation"
                    or done is None
                    or undone is None
                    or not done < undone <= reading.published + FRESH_BEFORE
                ):
                    continue
                # Where it is linked, and where its month is named ("last month's reversal
                # of the April ban").
                months = self.rule._months[x]
                dated = [
                    i
                    for i, days in enumerate(reading.dates)
                    if any((yy, mm) in days for yy, mm in months)
                ]
                own = [*where.get(rid, ()), *dated]
                # ... or the clause right after, when no action is read there and the undoer's
                # country acts in it ("the H20, which was restricted in April; after lobbying,
                # the White House let sales restart"; not "Nvidia has since restarted ...").
                taken = {j for segs in where.values() for j in segs}
                after = [
                    i + 1
                    for i in own
                    if i + 1 < len(reading.segments)
                    and i + 1 not in taken
                    and self.rule._country[y] in self._acting(reading, i + 1)
                ]
                for i in dict.fromkeys([*own, *after]):
                    # The word may be another action's: a relaxation linked in the same
                    # sentence, or a rule whose own undoing is linked ("... en abril y después
                    # derogó la regla de difusión").
                    if any(
                        o != rid
                        and i in segs
                        and o in self._index
                        and (
                            self._category[self._index[o]] == "relaxation"
                            or self._amended_by.get(o, set()) & set(links)
                        )
                        for o, segs in where.items()
                    ):
                        continue
                    word = self._undoing_word(reading, i)
                    if word:
                        where[undoer] = [i]
                        links[undoer] = RestrictionLink(
                            self._role(reading, undoer, [i]),
                            f"resolved: undid {self._names[rid]} + {word}",
                            0.5,
                        )
                        break

    def _undone_then(
        self,
        reading: Reading,
        evidence: dict[str, Evidence],
        links: dict[str, RestrictionLink],
        where: dict[str, list[int]],
    ) -> None:
        """A rule described by what only it did, said undone at a date that is its undoing's
        ("the tiered system of the previous administration was thrown out last May"): the
        date is the rescission's, so the sentence refers to the rescission, and to the rule it
        undid (described by its own cue) as well."""
        for rid, ev in evidence.items():
            f = ev.features
            if rid in links or not (f.get("own_cue") and f.get("wrong_action")):
                continue
            x = self._index.get(rid)
            if x is None or self._category[x] == "relaxation":
                continue
            word = self._undoing_word(reading, ev.segment)
            days = reading.dates[ev.segment]
            for undoer in sorted(self._amended_by.get(rid, ())):
                y = self._index.get(undoer)
                if (
                    y is None
                    or undoer in links
                    or self._category[y] != "relaxation"
                    or not word
                    or not days & set(self.rule._months[y])
                ):
                    continue
                (year, month), *_ = sorted(days & set(self.rule._months[y]))
                where[undoer] = [ev.segment]
                links[undoer] = RestrictionLink(
                    self._role(reading, undoer, [ev.segment]),
                    f"resolved: undid {self._names[rid]} + {ev.words[0] if ev.words else ''}"
                    f" + {word} + {_month_label(year, month)}",
                    0.5,
                )
                where[rid] = [ev.segment]
                links[rid] = RestrictionLink(
                    "context",
                    f"resolved: {' + '.join(ev.words[:1])} + {word}, undone by "
                    f"{self._names[undoer]}",
                    0.5,
                )
                break

    def _reversals(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> None:
        """ "Peu après que Washington en eut de nouveau autorisé la vente" of the H20, «رفع
        واشنطن الحظر عنها»: a relaxation word, a chip and the country that acted, where only
        one reversal by that country concerned the chip before the article, is that reversal
        (the relaxation counterpart of the rule's "sole" reading)."""
        if reading.published is None:
            return
        for i, (seg, hits) in enumerate(reading.segments):
            chip_hits = [h for h in hits if h.entity_id in self._all_chips]
            if not chip_hits and i > 0:
                # "Washington lifted a ban on its sale": the chip of the sentence before
                # (the anaphor looked for only when that sentence names a chip)
                chip_hits = [
                    h for h in reading.segments[i - 1][1] if h.entity_id in self._all_chips
                ]
                if chip_hits and not any(a in seg.folded for a in _CHIP_ANAPHORS):
                    chip_hits = []
            chips = {h.entity_id for h in chip_hits}
            if not chips:
                continue  # (cheapest test first)
            if not reading.scans[i].relax and not any(
                kind == "act" and v == "relax" for kind, v, _k in reading.scans[i].extra
            ):
                continue
            word = self._undoing_word(reading, i)
            if not word:
                continue
            mentioned = {h.entity_id for h in hits}
            countries = (mentioned & self._countries) | {
                self._agency_country.get(SAME_ISSUER.get(e, e)) for e in mentioned
            }
            found = [
                r
                for chip in chips
                for r in self._on_chip.get(chip, ())
                if self._category[r] == "relaxation"
                and self._amends[r]
                and self.rule._country[r] in countries
                and (self.restrictions[r].date or date.max) <= reading.published
            ]
            if len(set(found)) != 1:
                continue
            rid = self.restrictions[found[0]].id
            if rid in links:
                continue
            ban = next((k for kind, k in reading.scans[i].keys if kind == "word"), "")
            already = [
                o
                for o, segs in where.items()
                if o in self._index
                and self._category[self._index[o]] == "relaxation"
                and (i in segs or self.rule._targets[self._index[o]][0] & chips)
            ]
            if already:
                # The word may be that relaxation's, already linked; but licences issued "in a
                # reversal of the ban" still name the ban on the chip that was reversed, when
                # the linked relaxation does not say which it undoes.
                # (a ban word, not "licences": those are what the relaxation granted)
                banned = next(
                    (
                        k
                        for kind, k in reading.scans[i].keys
                        if kind == "word" and not any(w in k for w in self._licence_words)
                    ),
                    "",
                )
                if banned and not any(self._amends[self._index[o]] for o in already):
                    for a in self._amends[found[0]]:
                        if a in self._index and a not in links:
                            _refer_back(
                                links,
                                where,
                                a,
                                i,
                                f"resolved: {chip_hits[0].surface} + {word} + {banned}, the ban "
                                f"{self._names[rid]} reversed",
                            )
                continue
            where[rid] = [i]
            chip = chip_hits[0].surface
            acted = self.rule._country[found[0]]
            country = next(  # the country, or the agency that spoke for it
                h.surface
                for h in hits
                if acted
                in (
                    h.entity_id,
                    self._agency_country.get(SAME_ISSUER.get(h.entity_id, h.entity_id)),
                )
            )
            links[rid] = RestrictionLink(
                self._role(reading, rid, [i]),
                f"resolved: {chip} + {country} + {word}, the only reversal on it by then",
                0.5,
            )
            # "lifted the ban": the restriction it reversed, named by a restriction word there
            for a in self._amends[found[0]]:
                if ban and a in self._index and a not in links:
                    where[a] = [i]
                    links[a] = RestrictionLink(
                        self._role(reading, a, [i]),
                        f"resolved: {ban} that {self._names[rid]} reversed",
                        0.5,
                    )

    @staticmethod
    def _year_with_word(folded: str, year: int, found) -> bool:
        """Whether the year and a restriction word share a clause (no comma between them)."""
        at_years = _all(folded, str(year))
        at_words = [a for kind, k in found.keys if kind == "word" for a in _all(folded, k)]
        return (
            any(
                not any(c in folded[min(y, w) : max(y, w)] for c in ",，;；、")
                for y in at_years
                for w in at_words
            )
            or not at_years
        )  # "last year": no digits to place

    def _undoing_word(self, reading: Reading, i: int) -> str:
        """A relaxation word of the sentence that no negation precedes, if any."""
        found = reading.scans[i]
        folded = reading.segments[i][0].folded
        words = [k for kind, k in found.keys if kind == "relax"]
        words += [k for kind, v, k in found.extra if kind == "act" and v == "relax"]
        return next(
            (
                w
                for w in words
                if not self._negated(folded, w) and not _a_fall_in_figures(folded, w)
            ),
            "",
        )

    def _news_in_lead(
        self, reading: Reading, links: dict[str, RestrictionLink], where: dict[str, list[int]]
    ) -> dict[str, RestrictionLink]:
        """An article reports something: when every link reads as background, an action in its
        own days named in the lead (the title or the first sentence) is the news, whatever marker
        introduces it ("Nvidia will restart H20 sales after Washington assured it of licences",
        "TSMC halts shipments, following an order from Commerce")."""
        if reading.published is None or any(x.role == "reported" for x in links.values()):
            return links
        lead = {0, 1} if reading.has_title else {0}
        fresh = {
            rid: r
            for rid in links
            if (r := self._index.get(rid)) is not None and self._fresh(r, reading.published)
        }
        acting = {
            rid
            for rid, r in fresh.items()
            if any(i in lead and self._acts_before_back(reading, i, r) for i in where.get(rid, ()))
        }
        for rid, r in fresh.items():
            # (or it broke a day or two before: "shares fell after reports that ..."; not when
            # the lead's main clause already says another action: "Hours after Washington let
            # the H20 go for a share of revenue, Beijing told firms to shun it")
            if rid in acting or (
                not acting
                and any(
                    timedelta(0) <= reading.published - d <= SAME_NEWS for d in self.rule._news[r]
                )
            ):
                links[rid] = replace(links[rid], role="reported")
        return links

    def _acts_before_back(self, reading: Reading, i: int, r: int) -> bool:
        """Whether the sentence's main clause (before its first back-reference marker) says
        an action of R's kind happened: a word of R's polarity or R's cue ("will stop shipping
        ... following an order" yes; "are speeding up orders after Washington scrapped" no)."""
        folded = reading.segments[i][0].folded
        cut, marker = min(
            (
                (at, k)
                for kind, _v, k in reading.scans[i].extra
                if kind == "back"
                for at in _all(folded, k)
            ),
            default=(len(folded), ""),
        )
        # (a head-final marker, "지시한 뒤 ...", closes the clause before it: the main one follows)
        closing = marker in outlet_phrasing.CLOSING_BACK_MARKERS
        main = self.rule._lexicon.scan(folded[cut + len(marker) :] if closing else folded[:cut])
        relax = self._category[r] == "relaxation"
        polar = {v for kind, v, _k in main.extra if kind == "act"}
        if r in main.cues:
            return True
        return (main.relax or "relax" in polar) if relax else (main.word or "restrict" in polar)

    def _overruled(
        self, reading: Reading, rid: str, cand, ev: Evidence, evidence: dict[str, Evidence]
    ) -> bool:
        """Whether the sentence says the rule's reading is another action: another country acts
        in it and R's issuer is not named ("after the US government assured it the licences
        would be granted" is not Malaysia's permit), or, read by its news alone, the sentence
        dates what it says elsewhere ("vorige maand", «上月»)."""
        f = ev.features
        if f.get("cue") and self._cues_inside_names(reading, rid, cand.segment):
            return True
        if f.get("cue") and f.get("own_cue"):
            return False
        if f.get("other_actor") and not f.get("issuer"):
            return True
        r = self._index[rid]
        if (
            f.get("company")
            and not any(f.get(k) for k in ("chip", "rare_company", "cue", "issuer", "amended"))
            and any(
                other != rid
                and o.segment == ev.segment
                and o.features.get("chip")
                and self._complete(o)
                for other, o in evidence.items()
            )
        ):
            # Tied by a company most actions concern, beside a chip another action concerns:
            # the chip says which ("Huawei stockpiled Samsung HBM before the memory was put
            # under export controls at the end of last year" is the HBM rule, not TSMC's halt).
            return True
        if (
            self.rule._bill[r]
            and r not in reading.scans[cand.segment].cues
            and not _names_a_bill(reading.segments[cand.segment][0].folded)
        ):
            return True  # a bill in a sentence that speaks of no legislation ("last month's rule")
        own = [k for kind, v, k in reading.scans[cand.segment].extra if kind == "cue" and v == r]
        if (
            own
            and all(k in self._common for k in own)
            and not self._complete(ev)
            and any(
                other != rid
                and o.segment == cand.segment
                and self._complete(o)
                and other not in self._amends[r]  # (not the rule it undoes)
                for other, o in evidence.items()
            )
        ):
            return True  # its cue is an ordinary word ("weer toe"), and the sentence is another's
        if (
            cand.path == "fresh"
            and ev.segment == cand.segment
            and f.get("wrong_action")
            and not (f.get("action") or f.get("cue"))
        ):
            return True  # by its news alone, where every action word is of the other kind
        if cand.path == "fresh" and not any(
            f.get(k)
            for k in ("chip", "rare_company", "cue", "issuer", "country", "region", "amended")
        ):
            return True  # by its news alone, and only a company most actions concern (Nvidia)
        if cand.path == "fresh" and ev.segment != cand.segment:
            # Read by its news alone in a sentence where another country acts ("US starts
            # issuing H20 licences" is not Beijing's summons of the same weeks).
            acting = self._acting(reading, cand.segment)
            if acting and self.rule._country[self._index[rid]] not in acting:
                return True
        if cand.target == self.rule._country[self._index[rid]] and not (
            f.get("country") or f.get("issuer") or f.get("cue")
        ):
            return True  # tied by its country, named only as a place ("the fight with Beijing")
        if (
            cand.path == "fresh"
            and not f.get("cue")
            and any(
                other != rid
                and o.segment == cand.segment
                and (
                    o.features.get("own_cue")
                    or (o.features.get("amended") and not self._related(rid, other))
                )
                and self._complete(o)
                and self._score(o) > self._score(ev)
                for other, o in evidence.items()
            )
        ):
            # read by its news alone, where the sentence names another action's cue, or reads
            # another action through what undoes or updates it, R standing apart ("Trump-Regierung
            # kippt Bidens Regel": that rule and its rescission, not the same day's guidance)
            return True
        if cand.path == "fresh" and ev.segment == cand.segment:
            months, _years, window, _s, _labels = self._times(reading, cand.segment)
            r = self._index[rid]
            # (the month of the rule R undoes dates that rule: "the January rule's rescission")
            undone = set().union(
                *(self.rule._months[self._index[a]] for a in self._amends[r] if a in self._index)
            )
            if months and not (months & self.rule._months[r] or window or months <= undone):
                return True
            if (
                window
                and window[-1] == "weeks"
                and not any(window[0] <= d <= window[1] for d in self.rule._news[r])
            ):
                return True  # "less than a month after ...": weeks back, not the article's days
        return False

    def _related(self, rid: str, other: str) -> bool:
        """Whether one of the two undoes or updates the other."""
        return other in self._amended_by.get(rid, ()) or rid in self._amended_by.get(other, ())

    def _cues_inside_names(self, reading: Reading, rid: str, i: int) -> bool:
        """Whether each of R's cues in sentence I is a word of another restriction's name there:
        "weltweit" in "die Regel zur weltweiten Verteilung von KI-Chips" names the diffusion
        rule, it says nothing of the Ascend guidance ("überall auf der Welt")."""
        names = [
            _fold_name(h.surface)
            for h in reading.segments[i][1]
            if h.entity_id != rid and h.entity_id in self._index
        ]
        if not names:
            return False  # (most sentences name no restriction)
        r = self._index[rid]
        own = [k for kind, v, k in reading.scans[i].extra if kind == "cue" and v == r]
        return bool(own) and all(any(k in n for n in names) for k in own)

    def _named(self, reading: Reading) -> dict[str, list[tuple[int, str]]]:
        out: dict[str, list[tuple[int, str]]] = {}
        for i, (_seg, hits) in enumerate(reading.segments):
            for h in hits:
                if (
                    h.entity_id in self._index
                    or self.gazetteer.entities[h.entity_id].type == "restriction"
                ):
                    out.setdefault(h.entity_id, []).append((i, h.surface))
        return out

    def _times(self, reading: Reading, i: int) -> tuple[set, set, tuple | None, set, list[str]]:
        """(year, month) pairs, years, a day window, season months and labels a sentence dates
        (a function of the sentence and the article's day: remembered, never to be mutated)."""
        # The day matters only to a sentence that dates something or says "last month".
        folded = reading.segments[i][0].folded
        dependent = bool(reading.dates[i]) or self._names_relative(folded, reading.scans[i])
        key = (folded, reading.published if dependent else None)
        known = self._times_of.get(key)
        if known is None:
            known = self._times_of.keep(key, self._times_now(reading, i))
        return known

    def _latest_named(self, folded: str, keys: list) -> bool:
        """_latest_before the sentence's action words (`keys`, read from the sentence alone by
        _words; remembered)."""
        known = self._latest_in.get(folded)
        if known is None:
            known = self._latest_in.keep(folded, _latest_before(folded, [k for _kind, k in keys]))
        return known

    def _noun_actors(self, folded: str, hits) -> frozenset[str]:
        """The countries named right before (or owning) an action noun: "US curbs",
        "Washington's October rules" (remembered per sentence)."""
        key = (folded, tuple((h.entity_id, h.surface) for h in hits))
        known = self._noun_actors_of.get(key)
        if known is None:
            known = self._noun_actors_of.keep(
                key,
                frozenset(
                    h.entity_id
                    for h in hits
                    if h.entity_id in self._countries
                    and _actor_of_noun(folded, _fold_name(h.surface))
                ),
            )
        return known

    def _near_actors(self, reading: Reading, i: int) -> set[str]:
        """The countries acting in the title or the sentence before: through an agency or actor
        phrase ("de Amerikaanse regering"), or named right before an action noun ("US rules")."""
        out: set[str] = set()
        for k in {0, i - 1} if reading.has_title else {i - 1}:
            seg, hits = reading.segments[k]
            for h in hits:
                if h.entity_id in self._agencies:
                    out.add(self._agency_country.get(SAME_ISSUER.get(h.entity_id, h.entity_id), ""))
            out |= self._noun_actors(seg.folded, hits)
            if k == 0 and reading.has_title:
                # a headline's country, unless a place there, is who acts ("US unveils ...")
                out |= {h.entity_id for h in hits if h.entity_id in self._countries} - (
                    self._placed(seg.folded, hits)
                )
            for kind, v, _k in reading.scans[k].extra:
                if kind == "actor":
                    out.add(self._agency_country.get(SAME_ISSUER.get(v, v), ""))
        return out - {""}

    def _names_relative(self, folded: str, found) -> bool:
        """Whether the sentence names a time relative to the article's day ("last month", "two
        years ago") or a part of a year ("at the start of the year"; remembered)."""
        known = self._relative_in.get(folded)
        if known is None:
            known = self._relative_in.keep(
                folded,
                any(kind in ("rel", "ago", "years_ago") for kind, _v, _k in found.extra)
                or bool(
                    _YEAR_PART.search(folded)
                    or _ZH_YEAR_PART.search(folded)
                    or _YEAR_TURN.search(folded)
                ),
            )
        return known

    def _times_now(self, reading: Reading, i: int) -> tuple[set, set, tuple | None, set, list[str]]:
        published = reading.published
        months, years, labels = set(), set(), []
        for y, m in reading.dates[i]:
            if m is None:
                years.add(y)
                labels.append(str(y))
            else:
                months.add((y, m))
                labels.append(_month_label(y, m))
        if not months:
            # "the 2022 controls", «قيود 2023», "the 2018 order": a year right before or after
            # an action word (of either kind: "order", "decision"), or opening the German
            # participle phrase before one ("die 2022 unter Biden eingeführten Beschränkungen").
            folded = reading.segments[i][0].folded
            words: list[str] = []
            for m in _YEAR.finditer(folded):
                words = words or [k for _kind, k in reading.scans[i].keys] + [
                    k for kind, _v, k in reading.scans[i].extra if kind == "act"
                ]
                after = folded[m.end() : m.end() + 16].split()[:1]
                before = folded[max(0, m.start() - 16) : m.start()].split()[-1:]
                if any(
                    w.startswith(k) for w in after + before for k in words
                ) or year_in_participle_phrase(folded, m.end(), words):
                    y = int(m.group(1))
                    if y not in years:
                        years.add(y)
                        labels.append(str(y))
        window: tuple | None = None  # (first day, last day[, "weeks" | "soft"])
        seasons = set()
        folded = reading.segments[i][0].folded
        written = {(y, m) for y, m in months if y is not None}
        for kind, value, key in reading.scans[i].extra:
            back = published.year - value if kind == "years_ago" and published else None
            if back is not None and back not in years:
                years.add(back)
                labels.append(str(back))
            if kind == "later" and not written and i:
                # "... in April. Three months later, ...": from the month written just before
                written = {(y, m) for y, m in reading.dates[i - 1] if y is not None and m}
            anchored = counted_from(key, value, written) if kind in ("ago", "later") else None
            if anchored:
                # "in July, three months after ...": from the month written (see offsets.py)
                months |= anchored
                labels += [_month_label(y, m) for y, m in sorted(anchored)]
            elif kind == "ago" and published is not None:
                y, m = shift_month(published.year, published.month, -value)
                months.add((y, m))
                labels.append(_month_label(y, m))
            if kind != "rel" or published is None:
                continue
            if value == "this_month":
                months.add((published.year, published.month))
                labels.append(_month_label(published.year, published.month))
            elif value == "last_month":
                prev = published.replace(day=1) - timedelta(days=1)
                months.add((prev.year, prev.month))
                labels.append(_month_label(prev.year, prev.month))
            elif value == "days":
                # "last week" reaches back to the Monday of the week before (13 days at most)
                back = LAST_WEEK_BACK if key in _LAST_WEEK else DAYS_BACK
                window = (published - timedelta(days=back), published)
                labels.append("days before the article")
            elif value == "weekday":
                # "announced on Tuesday": the week before, but often the day something was said,
                # so it dates no reading away from the article's own days ("soft").
                window = window or (published - timedelta(days=DAYS_BACK), published, "soft")
                labels.append("days before the article")
            elif value == "weeks":
                window = window or (
                    published - timedelta(days=WEEKS_BACK),
                    published - timedelta(days=DAYS_BACK - 1),
                    "weeks",
                )
                labels.append("weeks before the article")
            else:
                # "the autumn of 2022", «2022年秋季»: the year written beside the season.
                at = folded.find(key)
                near = (
                    _YEAR.search(folded[max(0, at - 6) : at + len(key) + 10]) if at >= 0 else None
                )
                # "im Sommer vergangenen Jahres", "the spring of last year": the year before
                last = at >= 0 and _LAST_YEAR_AFTER.match(folded, at + len(key))
                year = int(near.group(1)) if near else published.year - bool(last)
                # a season ahead is last year's; so is a past one ("vergangenen Herbst") that has
                # not ended yet at the article's date
                past = key.startswith(PAST_SEASON_LEADS)
                if not (near or last) and (
                    SEASON_MONTHS[value][0] > published.month
                    or (past and SEASON_MONTHS[value][-1] >= published.month)
                ):
                    year -= 1
                seasons |= {(year, m) for m in SEASON_MONTHS[value]}
                labels.append(f"{value} {year}")
        if published is not None and months:
            # "regels die het kabinet vorig jaar invoerde", "barred ... in 2023": a year said
            # beside a month of another year dates its own clause (the rule reads a year only
            # when no month is written).
            for y, _m in self.rule._years(folded, reading.scans[i], published):
                if y is not None and y not in years and all(my != y for my, _m2 in months):
                    years.add(y)
                    labels.append(str(y))
        if published is not None:
            # "late 2022", «2024年底»: the months of that part of the year, not the whole year.
            for year, part_months, label in year_parts(folded, published):
                years.discard(year)
                months |= {(year, m) for m in part_months}
                labels.append(label)
        if (months or years) and _YEAR_LATER.search(folded):
            # "in late 2022, and tightened a year later": the same months a year on, too
            later = {(y + 1, m) for y, m in months if y is not None}
            later_years = {y + 1 for y in years}
            months |= later
            years |= later_years
            labels += [_month_label(*ym) for ym in sorted(later)] + [str(y) for y in later_years]
        return months | seasons, years, window, seasons, labels

    def _evidence(
        self, reading: Reading, linked: set[str], only: set[int] | None = None
    ) -> tuple[dict[str, Evidence], list]:
        """The best sentence's evidence for every restriction something in the article points to
        (or for those in `only`)."""
        published = reading.published
        everywhere = reading.everywhere
        country_of, category_of, issuer_of = self.rule._country, self._category, self._issuer_key
        best: dict[str, Evidence] = {}
        best_rank: dict[str, tuple] = {}  # (the rank of each one's best, not read again)
        readings: list[tuple[str, Evidence]] = []  # every complete reading, per sentence
        fresh = self.rule._news_of(published) if published else frozenset()  # cached per day
        # An action whose news comes after this is not one the article can speak of.
        horizon = published + BEFORE_NEWS if published else None
        # What each sentence dates, worked out only for a sentence that is read and the one
        # before it: most sentences name no action and are passed over.
        times_at: dict[int, tuple] = {-1: (set(), set(), None, set(), [])}
        for i, ((seg, hits), found) in enumerate(zip(reading.segments, reading.scans)):
            mentioned = {h.entity_id for h in hits}
            cues = found.cues
            keys, either, actors, backs = self._words(seg.folded, found)
            agencies = (mentioned & self._agencies) | actors  # actors: "President Trump"
            if agencies or mentioned & self._countries:
                # "the regulator told platforms to cancel orders": an order, when an agency or a
                # country is there to give it (not "Nvidia told customers to ...")
                told = telling_verb(seg.folded)
                if told and told not in either:
                    either = [*either, told]
            if not (keys or either or cues or agencies):
                continue  # no word of an action, no cue, no agency: no reading can be complete
            times = times_at[i] = self._times_ended(reading, i, published)
            previous_times = times_at.get(i - 1) or self._times_ended(reading, i - 1, published)
            presidents = self._presidents(seg.folded)  # "the Biden-era rules"
            if published:  # "the previous administration's rules"
                presidents |= previous_president(seg.folded, published)
            surfaces: dict[str, str] = {}
            for h in hits:
                surfaces.setdefault(h.entity_id, h.surface)
            own_months, own_years, own_window, _s, own_labels = times
            kinds_here = {v for kind, v, _k in found.extra if kind == "kind"}
            # The sentence's cues (action, phrase), and those that are no ordinary word: read
            # once per sentence, not per candidate.
            cue_found = [(v, k) for kind, v, k in found.extra if kind == "cue"]
            cue_own = [(v, k) for v, k in cue_found if k not in self._common]
            hard_window = None if own_window and own_window[-1] == "soft" else own_window
            # Agencies named (a country is the country feature, even when it is the issuer).
            issuers = {SAME_ISSUER.get(e, e) for e in agencies}
            acting = {self._agency_country.get(a) for a in issuers} - {None}
            subjects: frozenset[str] | None = None  # the acting countries, read when first needed
            clauses: tuple = ()  # and who acts in each clause
            candidates = set(cues)
            by_country: set[int] = set()
            for eid in mentioned:
                candidates |= self.rule._by_entity.get(eid, set())
                by_country |= self.rule._by_country.get(eid, set())
            # An agency speaks for its country: "the Biden administration" is the United States.
            for country in acting:
                by_country |= self.rule._by_country.get(country, set())
            # "the latest US curbs": the country's most recent action of that kind before the
            # article (see _latest); a candidate by its country.
            latest: set[int] = set()
            if published and keys and self._latest_named(seg.folded, keys):
                for country in (mentioned & self._countries) | acting:
                    for lenient in {kind == "relax" for kind, _k in keys}:
                        r_latest = self._latest(country, lenient, published)
                        if r_latest is not None:
                            latest.add(r_latest)
                candidates |= latest
            # An action tied to the sentence by its country alone needs a month or days here (or
            # in the sentence before), its own days, or its issuing agency named.
            month_or_days = bool(own_months or own_window or previous_times[0] or previous_times[2])
            candidates |= {
                r
                for r in by_country - candidates
                if month_or_days or r in fresh or self._issuer_key[r] in issuers
            }
            # Who acted, said in the title or the sentence before, for a dated sentence that names
            # no one ("... count the cost of US rules" / "the rules announced last December").
            near_actor = (
                self._near_actors(reading, i)
                if i
                and own_months
                and not agencies
                and not (mentioned & self._countries - self._placed(seg.folded, hits))
                else set()
            )
            for country in near_actor:
                by_country |= self.rule._by_country.get(country, set())
                candidates |= self.rule._by_country.get(country, set())
            # What the title and the sentence before name ("the chips", "the two metals").
            near = {h.entity_id for h in reading.segments[i - 1][1]} if i else set()
            if reading.has_title and i:
                near |= {h.entity_id for h in reading.segments[0][1]}
            near_cues = (reading.scans[i - 1].cues if i else set()) | (
                reading.scans[0].cues if reading.has_title and i else set()
            )
            candidates |= near_cues
            for eid in near & self._all_chips:
                candidates |= self.rule._by_entity.get(eid, set())
            p_months, p_years, p_window, _ps, p_labels = previous_times
            dated_here = bool(
                own_months or own_years or own_window or p_months or p_years or p_window
            )
            polarities = {kind == "relax" for kind, _k in keys}
            if only is not None:
                # The actions a linked relaxation undid are read in every sentence: "the
                # framework that the administration scrapped last year" names no chip, month
                # or agency of the rule itself, only the rescission's (see link).
                candidates = set(only)
            # Per sentence, not per candidate: the names elsewhere, who is named, the places.
            elsewhere = everywhere - mentioned
            named_here = mentioned | issuers
            # What says which action alone covers a chip, read when first needed: a country
            # named only as its companies' origin ("Chinese labs") does not narrow the actions
            # on a chip to its own.
            cover_here: set[str] | None = None
            cover_named: tuple[frozenset, frozenset] | None = None
            placed: frozenset[str] | None = None
            noun_actors: frozenset[str] | None = None  # (likewise: _noun_actors)
            exporting: bool | None = None  # (likewise: an export word, for _covers)
            # With a relaxation word, "licences" are the ones granted (see below).
            relaxing = any(kind == "relax" for kind, _k in keys)
            for r in candidates:
                rx = self.restrictions[r]
                country_r, category_r, issuer_r = country_of[r], category_of[r], issuer_of[r]
                news = self.rule._news[r]
                if horizon and news[0] > horizon:
                    continue
                if (
                    presidents
                    and only is None  # (what a linked rescission undid may predate its president)
                    and r not in cues
                    and mentioned.isdisjoint(self.rule._targets[r][0])
                    and not (presidents & self._terms[r])
                ):
                    continue  # "the Biden-era rules" with nothing else of R: not R
                chips, companies, amended = self.rule._targets[r]
                # Cheap test first: a reading needs a word of its kind (or its cue) and a way to
                # be dated (a date here, its own days, or a chip it concerns).
                if not (
                    (category_r == "relaxation") in polarities
                    or either
                    or r in cues
                    or (keys and (category_r != "relaxation"))
                    or (r in fresh and agencies and mentioned & chips)
                ):
                    continue
                if not (
                    dated_here
                    or r in fresh
                    or r in latest
                    or mentioned & chips
                    or (r in cues and near & chips)
                    or (
                        r in cues
                        and self._owns_cue(found, r)
                        and (issuer_r in issuers or country_r in mentioned | acting)
                        and _referred(seg.folded, [k for _kind, k in keys] + list(either))
                    )
                ):
                    # (its cue, about the chips the sentence before named: "the processors"; or
                    # an action referred to by what only it did, with who took it: "Washington
                    # suspended ... the rule that extended its blacklist to companies
                    # majority-owned by listed firms" says which, undated)
                    continue
                f: dict[str, bool] = {}
                words: list[str] = []
                shared_chips = sorted(mentioned & chips) if not mentioned.isdisjoint(chips) else []
                if shared_chips:
                    f["chip"] = True
                    words += [surfaces[c] for c in shared_chips]
                elif not mentioned.isdisjoint(self._all_chips):
                    # Not a model feature: the sentence names chips, none of R's ("H20 exports
                    # were restricted from May to July" is no May action on Huawei's Ascend).
                    f["other_chip"] = True
                shared_co = (
                    sorted(mentioned & companies) if not mentioned.isdisjoint(companies) else []
                )
                if shared_co:
                    f["company"] = True
                    if any(len(self.rule._by_entity.get(c, ())) <= RARE for c in shared_co):
                        f["rare_company"] = True
                    if not shared_chips:
                        words += [surfaces[c] for c in shared_co]
                regions = self.rule._regions[r]  # (most sentences name none of R's places)
                places = (
                    (mentioned & regions) - COMMON_PLACES - {country_r}
                    if not mentioned.isdisjoint(regions)
                    else ()
                )
                if places:
                    f["region"] = True  # a place it concerns beyond China and the US (the Gulf)
                    words += sorted(surfaces[p] for p in places)
                amend = (mentioned & amended) | (mentioned & self._amended_by[rx.id])
                # "the rules of last year" beside their linked update or rescission
                amending = self._amended_by[rx.id] & linked
                if amend or (self._amends[r] & linked) or amending:
                    f["amended"] = True
                    if amend or self._amends[r] & linked:
                        amends_what = amend or self._amends[r] & linked
                        words.append(
                            "amends "
                            + ", ".join(sorted(self._names.get(a, a) for a in amends_what))
                        )
                    else:
                        # Not a model feature: a linked rescission or reversal of R dates it.
                        f["amending"] = any(
                            self._category[self._index[a]] == "relaxation" for a in amending
                        )
                        words.append(
                            "amended by "
                            + ", ".join(sorted(self._names.get(a, a) for a in amending))
                        )
                # An agency of another country acts in this sentence ("the US Commerce Department
                # began issuing licences"): the country R's issuer belongs to is then its object.
                # The countries that act in the sentence ("Les États-Unis ont annoncé ... des
                # contrôles", «رفعت الولايات المتحدة الحظر») are not R's: R is their object at most.
                if subjects is None:
                    names_key = tuple((h.entity_id, h.surface) for h in hits)
                    clauses = self._subjects_of.get((seg.folded, names_key))
                    if clauses is None:
                        clauses = self._clauses(
                            seg.folded,
                            hits,
                            keys
                            + [("word", k) for k in either]
                            + [("cue", k) for kind, _v, k in found.extra if kind == "cue"],
                            [(v, k) for kind, v, k in found.extra if kind == "actor"],
                            [
                                k
                                for kind, _v, k in found.extra
                                if kind == "back" and k in self._subject_markers
                            ],
                        )
                    subjects = frozenset().union(*(who for _lo, _hi, who in clauses))
                by_subject = False
                if subjects:
                    if country_r not in subjects and issuer_r not in issuers:
                        f["other_actor"] = by_subject = True
                elif acting - {country_r} and country_r not in acting:
                    f["other_actor"] = True
                # Another agency of R's country acts ("the Commerce Department published rules"
                # is not a White House proclamation); the administration speaks for any.
                named = issuers - {"white-house"}
                if (
                    named
                    and issuer_r not in issuers
                    and all(self._agency_country.get(a) == country_r for a in named)
                ):
                    f["other_issuer"] = True
                if issuer_r in issuers:
                    f["issuer"] = True
                    words.append(self._names.get(rx.raw.get("issuer"), ""))
                elif (
                    country_r in acting
                    or (
                        country_r in mentioned
                        and country_r
                        not in (
                            placed
                            if placed is not None
                            else (placed := self._placed(seg.folded, hits))
                        )
                    )
                    or (
                        # dated in the sentence: "the second round of US curbs last October",
                        # or by "latest": "Washington's latest crackdown"
                        (own_months or r in latest)
                        and country_r
                        in (
                            noun_actors
                            if noun_actors is not None
                            else (noun_actors := self._noun_actors(seg.folded, hits))
                        )
                    )
                ):
                    f["country"] = True
                    words.append(
                        surfaces.get(country_r, "")
                        or next(
                            self._names[a]
                            # the first named in the sentence (a set's order would follow the
                            # process's hash seed), then the actors
                            for a in [*(e for e in surfaces if e in agencies), *sorted(agencies)]
                            if self._agency_country.get(SAME_ISSUER.get(a, a)) == country_r
                        )
                    )
                if f.get("country") and own_months:
                    # not a model feature: R's country owns an action noun here ("US curbs",
                    # "les mesures américaines de décembre")
                    f["noun_actor"] = country_r in (
                        noun_actors
                        if noun_actors is not None
                        else (noun_actors := self._noun_actors(seg.folded, hits))
                    )
                if country_r in near_actor and not f.get("issuer") and not f.get("country"):
                    f["country"] = True
                    words.append(self._names.get(country_r, "") + " (named before)")
                fits: list[str] = []
                # The Entity List is Washington's: its words are no action of another country
                # ("Chinese equipment makers were put on the Entity List" is no Chinese ban).
                own_keys = (
                    keys
                    if country_r == "united-states"
                    else [(kd, k) for kd, k in keys if k not in self._list_words]
                )
                if own_keys:
                    lenient = category_r == "relaxation"
                    # With a relaxation word, "licences" are the ones granted: the sentence is
                    # about a relaxation ("licences would be granted", "let the chips be sold").
                    # ... unless a relaxation of R is linked: then the rule is what it undoes
                    # ("l'abrogation de la règle de l'ère Biden").
                    fits = [
                        k
                        for kind, k in own_keys
                        if (kind == "relax") == lenient
                        and (
                            lenient
                            or not relaxing
                            or k not in self._licence_words
                            # a licence required is the restriction, whatever else was relaxed
                            # ("cleared in July, three months after Washington required a licence")
                            or self._required(seg.folded, k)
                            or (
                                k in self._rule_words
                                and any(
                                    self._category[self._index[a]] == "relaxation" for a in amending
                                )
                            )
                        )
                        # a licence is no word for an action that licenses nothing
                        and (self.rule._licensing[r] or k not in self._licence_words)
                    ]
                    if fits:
                        f["action"] = True
                        # A word for the rule itself, not for licences granted under it.
                        f["rule_word"] = any(
                            k in self._rule_words or k not in self._licence_words for k in fits
                        )
                        words.append(fits[0])
                        # The country before the action word is its subject ("La Malaisie impose
                        # un permis"); after it, more often its object ("curbs on China").
                        c = country_r
                        if c in surfaces:
                            at = seg.folded.find(_fold_name(surfaces[c]))
                            verb = min(
                                (seg.folded.find(k) for k in fits if seg.folded.find(k) >= 0),
                                default=-1,
                            )
                            f["country_first"] = 0 <= at < verb
                        if shared_chips:
                            # Not a model feature: a chip in the action word's own clause ("restricted
                            # exports of the H20 ..., then turned to Huawei's Ascend") says which
                            # action more than one named in another clause of the sentence.
                            f["chip_clause"] = self._same_clause(
                                seg.folded, [_fold_name(surfaces[c]) for c in shared_chips], fits
                            )
                    if len(fits) < len(own_keys):
                        f["wrong_action"] = True
                if (
                    f.get("other_actor")
                    and (shared_chips or own_months or own_years or r in latest)
                    and (
                        country_r
                        in (
                            noun_actors
                            if noun_actors is not None
                            else (noun_actors := self._noun_actors(seg.folded, hits))
                        )
                        or _referred(
                            seg.folded,
                            fits,
                            [v for k, v in surfaces.items() if k in self._who],
                        )
                    )
                ):
                    # "Washington's October rules", "the curbs that halted H20 exports": R is
                    # named as its own actor's, or referred to, not done by the sentence's subject
                    f["other_actor"] = False
                if either and not f.get("action") and not f.get("wrong_action"):
                    f["action"] = f["either"] = True  # "the December decision": of either kind
                    words.append(either[0])
                if f.get("amending") and not f.get("rule_word"):
                    # "scrapped the three-tier framework": the rule its linked rescission undid
                    framed = [w for w in either if w in self._rule_words] or [
                        w for w in self._undone_nouns if _all_words(seg.folded, w)
                    ]
                    if framed:
                        f["action"] = f["rule_word"] = True
                        words.append(framed[0])
                own = [k for v, k in cue_own if v == r] if cue_own else []
                # The sentence names another action's cue ("las tierras raras", "Gallium").
                f["other_cue"] = bool(cue_own) and any(v != r and k not in own for v, k in cue_own)
                if r in cues and own:
                    f["cue"] = True
                    # A cue no other action has ("$5.5 billion") says which one on its own.
                    f["own_cue"] = any(self._cue_owners.get(k, 0) == 1 for k in own)
                    words.append(own[0])
                rx_months = self.rule._months[r]
                when = ""
                own_month = own_year = 0
                # The sentence before dates this one only when this one dates nothing itself.
                own_dated = bool(own_months or own_years or hard_window)
                for months, years, window, labels in (
                    (own_months, own_years, own_window, own_labels),
                    *(() if own_dated else ((p_months, p_years, p_window, p_labels),)),
                ):
                    hit = (
                        sorted(
                            (y, m) for y, m in rx_months if (y, m) in months or (None, m) in months
                        )
                        if months
                        else []
                    )
                    if (
                        hit
                        and months is own_months
                        and backs
                        and not self._month_in_clause(
                            # (an action noun of either kind places it too: "after the
                            # regulator's order in September")
                            seg.folded,
                            found,
                            backs,
                            hit[0][1],
                            fits + own + list(either),
                        )
                    ):
                        hit = []  # it dates another clause ("in August ..., shortly after ...")
                    if hit:
                        f["month"] = True
                        if months is own_months:
                            own_month = hit[0][1]
                        words.append(_month_label(*hit[0]))
                        # The reference it answers: the month, or the season that holds it.
                        season = [
                            lab
                            for lab in labels
                            if (
                                lab.split()[0] in SEASON_MONTHS
                                and hit[0][1] in SEASON_MONTHS[lab.split()[0]]
                            )
                            or (
                                # "late 2022": the part of the year, as for a season
                                lab.split()[0] in YEAR_PARTS
                                and hit[0][1] in YEAR_PARTS[lab.split()[0]]
                                and lab.split()[1] == str(hit[0][0])
                            )
                        ]
                        when = season[0] if season else f"{hit[0][0]}-{hit[0][1]:02d}"
                        break
                    hit = sorted(y for y, _m in rx_months if y in years) if years else []
                    if hit:
                        f["year"] = True
                        if years is own_years:
                            own_year = hit[0]
                        words.append(str(hit[0]))
                        when = str(hit[0])
                        break
                    if window and any(window[0] <= d <= window[1] for d in news):
                        f["days"] = True
                        f["weeks"] = window[-1] == "weeks"  # not a model feature: "weeks" is vaguer
                        words.append(
                            "weeks before the article" if f["weeks"] else "days before the article"
                        )
                        when = "weeks" if f["weeks"] else "days"
                        break
                if (
                    r in latest
                    and not when
                    and not (own_months or own_years or hard_window)
                    and (f.get("country") or f.get("issuer"))
                ):
                    f["days"] = True  # dated by "the latest": a date of its own, in effect
                    words.append("the latest before the article")
                    when = "latest"
                if self._kind[r] and self._kind[r] in kinds_here:
                    f["kind"] = True  # not a model feature: "a trade blacklist" is a listing
                elif "entity-list" in kinds_here and not self._lists[r]:
                    f["other_kind"] = True  # a listing is said, and R listed no one
                elif any(k in kinds_here and self._kind[r] != k for k in EXCLUSIVE_KINDS):
                    f["other_kind"] = True  # an antitrust case is said, and R is none
                f["in_news"] = r in fresh  # not a model feature: the article is in R's days
                # (months written only in another clause date that clause: "Nachdem Behörden im
                # August abgeraten hatten, untersagt die Internetaufsicht nun ...")
                months_elsewhere = bool(own_months) and _dates_lead_clause_only(
                    seg.folded, found, backs, fits + own + list(either)
                )
                if (
                    r in fresh
                    and (not own_months or months_elsewhere)
                    and not own_years
                    and not hard_window
                ):
                    f["fresh"] = True  # news of R itself, unless the sentence dates what it says
                    # The only action of its country and polarity in the news at the article's date.
                    lenient = category_r == "relaxation"
                    if self._fresh_alike(fresh, r) == 1:
                        f["only_fresh"] = True
                f["undated"] = not (
                    own_months or own_years or hard_window or p_months or p_years or p_window
                ) and (published is None or news[0] <= published)
                # not a model feature: the sentence itself dates nothing (the one before may)
                f["undated_here"] = not (own_months or own_years or hard_window) and (
                    published is None or news[0] <= published
                )
                if (
                    f.get("own_cue")
                    and own_months
                    and not (f.get("month") or own_years or hard_window)
                    and (published is None or news[0] <= published)
                    and _months_apart(seg.folded, found, own)
                ):
                    # its own cue in a clause the sentence's month does not date ("Sales stopped
                    # in April when Washington demanded licences, and Beijing later discouraged
                    # purchases"): undated where it is said
                    f["undated_here"] = True
                if (
                    shared_chips
                    and not (own_months or own_years or hard_window)
                    and f.get("action")
                    and not f.get("wrong_action")
                    and cover_here is None
                ):
                    cover_here = (
                        named_here
                        - _companies_of(seg.folded, hits, self._countries)
                        - _products(seg.folded, hits, self._all_chips)
                    )
                    cover_named = (
                        frozenset(cover_here & self._all_chips),
                        frozenset(cover_here & self._who),
                    )
                if (
                    shared_chips
                    and not (own_months or own_years or hard_window)
                    and f.get("action")
                    and not f.get("wrong_action")
                    and cover_here is not None
                    and self._covers(
                        r,
                        cover_here,
                        published,
                        bool(f.get("either")),
                        cover_named,
                        # (once per sentence, not per candidate)
                        exporting
                        if exporting is not None
                        else (exporting := _ANY_EXPORT_WORD(seg.folded)),
                    )
                ):
                    f["covers"] = True
                    words.append(
                        "the only such action on "
                        + (" and ".join(surfaces[c] for c in shared_chips))
                    )
                elif (
                    shared_co
                    and f.get("month")
                    and f.get("action")
                    and not f.get("wrong_action")
                    and not f.get("either")
                ):
                    # "In May, ... Micron": the only action of its kind on the company that month.
                    lenient = category_r == "relaxation"
                    month = self.rule._months[r]
                    rivals = {
                        i
                        for c in shared_co
                        for i in self.rule._by_entity.get(c, ())
                        if (self._category[i] == "relaxation") == lenient
                        and self.rule._months[i] & month
                    }
                    if rivals == {r}:
                        f["covers"] = True
                if i == 0 and reading.has_title:
                    f["title"] = True
                    # not a model feature: the headline names another action's own words
                    # ("China pauses rare earth curbs"), so its country says nothing of R
                    f["names_other"] = r not in cues and any(
                        self._cue_owners.get(k, 0) == 1 for v, k in cue_found if v != r
                    )
                if not f.get("chip") and (near & chips or r in near_cues):
                    f["what_near"] = True
                    words += sorted(self._names.get(e, e) for e in near & chips)
                if not (elsewhere.isdisjoint(chips) and elsewhere.isdisjoint(companies)):
                    f["concerned_elsewhere"] = True
                # A bill is spoken of as one ("the bill", 法案), not only as "blocked": without
                # such a word it is never linked here, but still a rival (not a model feature).
                # A tariff likewise, by its duty words (its cues).
                f["unnamed_bill"] = (
                    self.rule._bill[r] and r not in cues and not _names_a_bill(seg.folded)
                ) or (self.rule._tariff[r] and r not in cues)
                if by_subject and f.get("other_actor") and (own_month or own_year or fits):
                    # Another country acts in the sentence, but not in the clause that dates or
                    # words R ("Sales were halted in April ... after Beijing discouraged buyers";
                    # 「4月美方收紧…；8月有关部门又约谈…」): that clause names no actor, or R's.
                    f["other_actor"] = self._acted_elsewhere(
                        seg.folded,
                        found,
                        clauses,
                        own_month,
                        [str(own_year)] if own_year else fits,
                        country_r,
                    )
                ev = Evidence(i, f, [w for w in words if w], when)
                if self._complete(ev):
                    readings.append((rx.id, ev))
                rank = self._rank(ev)
                old = best_rank.get(rx.id)
                if old is None or rank > old:
                    best[rx.id] = ev
                    best_rank[rx.id] = rank
        return best, readings

    def _times_ended(self, reading: Reading, i: int, published: date | None) -> tuple:
        """_times of sentence i, with the month a named administration's term ended (see
        _term_end)."""
        times = self._times(reading, i)
        ended = self._term_end(reading.segments[i][0].folded, published)
        return (times[0] | ended, *times[1:]) if ended else times

    def _clauses(
        self, folded: str, hits, keys, actors_found: list, backs: list[str]
    ) -> tuple[tuple[int, int, frozenset[str]], ...]:
        """Each clause of a sentence with the countries acting in it (see _subjects_now)."""
        # Everything but the names is read from the sentence itself.
        key = (folded, tuple((h.entity_id, h.surface) for h in hits))
        known = self._subjects_of.get(key)
        if known is None:
            known = self._subjects_of.keep(
                key, self._clauses_now(folded, hits, keys, actors_found, backs)
            )
        return known

    def _subjects_now(
        self, folded: str, hits, keys, actors_found: list, backs: list[str]
    ) -> set[str]:
        """The countries acting in a sentence, one per clause (a back-reference marker or a
        semicolon starts a clause: "Beijing banned ... a day after Washington announced ..."):
        in each, the first country or agency named before its first action word ("Washington
        restricted", «الصين تحظر»), or, when none is (Arabic puts the verb first: «رفعت
        الولايات المتحدة الحظر»), the one named right after that word."""
        return set().union(
            *(who for _lo, _hi, who in self._clauses_now(folded, hits, keys, actors_found, backs))
        )

    def _clauses_now(
        self, folded: str, hits, keys, actors_found: list, backs: list[str]
    ) -> tuple[tuple[int, int, frozenset[str]], ...]:
        cuts = sorted(
            {0, len(folded)}
            | {at for b in backs for at in _all(folded, b)}
            | {at for at, ch in enumerate(folded) if ch in ";；"}
        )
        return tuple(
            (lo, hi, frozenset(self._subject(folded, lo, hi, hits, keys, actors_found)))
            for lo, hi in pairwise(cuts)
        )

    @staticmethod
    def _acted_elsewhere(
        folded: str, found, clauses, month: int, words: list[str], country: str
    ) -> bool:
        """Whether the clauses holding R's month (else its year or its action words, as given)
        have an actor and it is not R's country."""
        if month:
            anchors = [start for m, start, _end, _w in found.months if m == month]
        else:
            anchors = [at for w in words for at in _all(folded, w)]
        held = [who for lo, hi, who in clauses if any(lo <= at < hi for at in anchors)]
        return not held or any(who and country not in who for who in held)

    @staticmethod
    def _month_in_clause(
        folded: str, found, backs: list[str], month: int, words: list[str]
    ) -> bool:
        """Whether the month is written in a clause that holds one of R's words (clauses split
        at back-reference markers); True when R has no word there to place."""
        where = [p for w in words for p in _all(folded, w)]
        written = [start for m, start, _end, _w in found.months if m == month]
        if not where or not written:
            return True  # nothing to place, or a month read from "last month", "three months ago"
        cuts = sorted({0, len(folded)} | {p for b in backs for p in _all(folded, b)})

        def clause(at: int) -> int:
            return sum(1 for c in cuts if c <= at)

        return any(clause(start) == clause(p) for start in written for p in where)

    def _subject(self, folded: str, lo: int, hi: int, hits, keys, actors_found: list) -> set[str]:
        verbs = [at for _kind, k in keys for at in _all(folded, k) if lo <= at < hi]
        if not verbs:
            return set()
        verb = min(verbs)
        actors: list[tuple[int, str]] = []
        relatives: list[tuple[int, str]] = []  # (where) names a relative pronoun follows
        for h in hits:
            country = (
                h.entity_id
                if h.entity_id in self._countries
                else self._agency_country.get(SAME_ISSUER.get(h.entity_id, h.entity_id))
            )
            if country:
                name = _fold_name(h.surface)
                found = [
                    at
                    for at in _all(folded, name)
                    if lo <= at < hi and not _object(folded, at, at + len(name))
                ]
                actors.extend((at, country) for at in found)
                relatives += [
                    (at + len(name), country)
                    for at in found
                    if _relative_after(folded, at + len(name))
                ]
        for agency, phrase in actors_found:  # by phrase ("President Trump", "Den Haag")
            country = self._agency_country.get(SAME_ISSUER.get(agency, agency))
            if country:
                found = [
                    at
                    for at in _all(folded, phrase)
                    if lo <= at < hi and not _object(folded, at, at + len(phrase))
                ]
                actors.extend((at, country) for at in found)
                relatives += [
                    (at + len(phrase), country)
                    for at in found
                    if _relative_after(folded, at + len(phrase))
                ]
        actors.sort()
        # Every country named before the verb may be its subject ("La Haya cede a Washington,
        # que impuso controles"; "The United States put SMIC, China's largest chipmaker, ..."),
        # unless a preposition makes it a destination or a place ("exportée vers la Chine").
        before = {c for at, c in actors if at < verb}
        if before:
            # "les Pays-Bas avaient annoncé ces mesures sous la pression de Washington, qui avait
            # restreint ...": the name a relative pronoun follows acts in its clause too.
            return before | {c for end, c in relatives if any(v > end for v in verbs)}
        after = [c for at, c in actors if verb < at <= verb + 30]
        # The action named as a noun, its actor in a relative clause after it ("following new
        # export curbs that the Biden administration announced", "die Beschränkungen, die
        # Washington verhängt hat", "les mesures que Washington a imposées"): that actor's.
        related = [
            c for at, c in actors if verb < at <= verb + 60 and _relative_between(folded[verb:at])
        ]
        if related:
            return {related[0]}
        return {after[0]} if after and arabic(folded[verb]) else set()

    def _same_clause(self, folded: str, names: list[str], words: list[str]) -> bool:
        """Whether a name and an action word sit in one clause (clauses end at , ; ，),
        remembered per sentence."""
        key = (folded, tuple(names), tuple(words))
        known = self._clause_of.get(key)
        if known is None:
            cuts = [at for at, ch in enumerate(folded) if ch in ",;，；"]
            named = {bisect_right(cuts, at) for n in names for at in _all(folded, n)}
            known = self._clause_of.keep(
                key, any(bisect_right(cuts, at) in named for w in words for at in _all(folded, w))
            )
        return known

    def _acting(self, reading: Reading, i: int) -> frozenset[str]:
        """The countries acting in one sentence (see _subjects_now), read from its words alone."""
        (seg, hits), found = reading.segments[i], reading.scans[i]
        keys = list(found.keys) + [("word", k) for kind, _v, k in found.extra if kind == "act"]
        # Not through the memo of _clauses: that one is keyed for _evidence's own words.
        return frozenset(
            self._subjects_now(
                seg.folded,
                hits,
                keys,
                [(v, k) for kind, v, k in found.extra if kind == "actor"],
                [k for kind, _v, k in found.extra if kind == "back" and k in self._subject_markers],
            )
        )

    def _words(self, folded: str, found) -> tuple[list, list, frozenset, list]:
        """A sentence's action words (kind, phrase), its words for an action of either kind, the
        agencies its actor phrases stand for and its clause-opening back-reference markers:
        read from the sentence alone, so remembered (never to be mutated)."""
        known = self._words_of.get(folded)
        if known is None:
            keys = list(found.keys) + [
                ("relax" if v == "relax" else "word", k)
                for kind, v, k in found.extra
                if kind == "act" and v != "either"
            ]
            # "not permitted to enter", "n'étaient pas autorisées": a negated relaxation
            # restricts; "will require a permit", "need a licence": a licence required too.
            keys = [
                ("word", k)
                if kind == "relax"
                and (
                    self._negated(folded, k)
                    or (
                        k in self._licence_words
                        and (self._required(folded, k) or _licence_noun(folded, k))
                    )
                )
                else (kind, k)
                for kind, k in keys
            ]
            either = [
                k
                for kind, v, k in found.extra
                if kind == "act" and v == "either" and not (k == "order" and _commercial(folded))
            ]
            if either and stop_then_restart(folded):
                # "suspendues en avril avant de reprendre": the stop, then its undoing
                keys += [("word", k) for k in either]
                either = []
            actors = frozenset(
                v
                for kind, v, k in found.extra
                if kind == "actor"
                and not any(n in folded for n in self._shadowed.get(k, ()))
                and not _pressing(folded, k)
            )
            # Markers that open a clause of their own ("..., shortly after Washington allowed
            # ..."), not those that date a phrase ("since April", 去年).
            backs = [
                k for kind, _v, k in found.extra if kind == "back" and k in self._clause_markers
            ]
            known = self._words_of.keep(folded, (keys, either, actors, backs))
        return known

    def _placed(self, folded: str, hits) -> frozenset[str]:
        """The countries a sentence names only as a destination, a place or an object ("in
        China", "the fight with Beijing", 销往中国): not who acted, so no evidence for their
        own actions (remembered per sentence)."""
        key = (folded, tuple((h.entity_id, h.surface) for h in hits))
        known = self._placed_of.get(key)
        if known is None:
            where: dict[str, list[bool]] = {}
            for h in hits:
                if h.entity_id in self._countries:
                    name = _fold_name(h.surface)
                    where.setdefault(h.entity_id, []).extend(
                        _object(folded, at, at + len(name)) for at in _all(folded, name)
                    )
            known = self._placed_of.keep(
                key, frozenset(c for c, objs in where.items() if objs and all(objs))
            )
        return known

    def _rank(self, ev: Evidence) -> tuple:
        """Which of an action's readings is its best: complete ones by score, others by size."""
        if self._complete(ev):
            return (1, self._score(ev))
        return (0, sum(map(bool, ev.features.values())))

    def _covers(
        self,
        r: int,
        mentioned: set[str],
        published: date | None,
        either: bool = False,
        named: tuple[frozenset, frozenset] | None = None,
        exports: bool = False,
    ) -> bool:
        """Whether R is the only action of its polarity, by the article's date, that concerns
        every chip the sentence names (from the sentence's issuing country when it names one):
        "Washington restricted exports of the H20 and the MI308" can only be one action.
        `named`: the sentence's (chips, countries and issuers), when already read; `exports`:
        the sentence speaks of the chips' exports ("the curbs that halted H20 exports"), so
        the buyer's measures on them are no rivals (see when.EXPORT_WORDS)."""
        chips, who = named or (
            frozenset(mentioned & self._all_chips),
            frozenset(mentioned & self._who),
        )
        if not chips or not chips <= self.rule._targets[r][0]:
            return False
        key = (r, chips, who, published, either, exports)
        known = self._covers_cache.get(key)
        if known is None:
            known = self._covers_cache.keep(
                key, self._covers_now(r, chips, mentioned, published, either, exports)
            )
        return known

    def _covers_now(
        self,
        r: int,
        chips: frozenset[str],
        mentioned: set[str],
        published,
        either: bool,
        exports: bool = False,
    ) -> bool:
        lenient = self._category[r] == "relaxation"
        # The actions concerning every chip named (from the chip index, not every action),
        # remembered per chip set and polarity; the day then keeps those already announced.
        key = (frozenset(chips), either or lenient, either)
        alike = self._alike_on_chips.get(key)
        if alike is None:
            on_all = set.intersection(*(self._on_chip.get(c, set()) for c in chips))
            alike = self._alike_on_chips.keep(
                key,
                [
                    i
                    for i in sorted(on_all)
                    if either or (self._category[i] == "relaxation") == lenient
                ],
            )
        rivals = [
            i
            for i in alike
            if (published is None or self.rule._news[i][0] <= published)
            and not (exports and self._category[i] in BUYER_SIDE_CATEGORIES)
        ]
        # The issuer named narrows most ("the White House's approval"), then the country.
        by_issuer = [
            i
            for i in rivals
            if self._issuer_key[i] in mentioned and self._issuer_key[i] in self._agency_country
        ]
        named = [i for i in rivals if self.rule._country[i] in mentioned]
        return (by_issuer or named or rivals) == [r]

    def _fresh_alike(self, fresh: frozenset[int], r: int) -> int:
        """How many actions in the news at a day share R's country and polarity (remembered)."""
        lenient = self._category[r] == "relaxation"
        key = (fresh, self.rule._country[r], lenient)
        known = self._alike.get(key)
        if known is None:
            known = self._alike.keep(
                key,
                len(
                    [
                        i
                        for i in fresh
                        if self.rule._country[i] == key[1]
                        and (self._category[i] == "relaxation") == lenient
                    ]
                ),
            )
        return known

    def _latest(self, country: str | None, lenient: bool, published: date) -> int | None:
        """The most recent action of a country and polarity announced before the article (within
        LATEST_SPAN), for "the latest US curbs"; None when two share its date."""
        key = (country, lenient, published)
        if key not in self._latest_of:
            dated = sorted(
                (self.rule._news[r][0], r)
                for r in range(len(self.rule._news))
                if self.rule._country[r] == country
                and (self._category[r] == "relaxation") == lenient
                and published - LATEST_SPAN <= self.rule._news[r][0] < published
            )
            top = dated[-1] if dated else None
            tied = top is not None and len(dated) > 1 and dated[-2][0] == top[0]
            self._latest_of.keep(key, None if top is None or tied else top[1])
        return self._latest_of[key]

    def _fresh(self, r: int, published: date) -> bool:
        return any(d - FRESH_BEFORE <= published <= d + FRESH_AFTER for d in self.rule._news[r])

    # --- deciding -----------------------------------------------------------------------

    def _score(self, ev: Evidence | None) -> float:
        if ev is None:
            return 0.0
        if ev._score is None:
            ev._score = self._fit(ev)
        return ev._score

    def _fit(self, ev: Evidence) -> float:
        """The model's score of the features (remembered by them, for this model)."""
        model, fits = self._fits
        if model is not self.model:  # a new model (app/enrich/train_linker.py)
            model, fits = self._fits = (self.model, Memo())
        on = ev.on()
        known = fits.get(on)
        if known is None:
            weights = model["weights"]
            z = model["bias"] + sum(weights.get(f, 0.0) for f in on)
            known = fits.keep(on, 1.0 / (1.0 + math.exp(-z)))
        return known

    def _other_kind_than_news(
        self,
        rid: str,
        ev: Evidence,
        linked: set[str],
        news: set[str] | None,
        held: set[int],
    ) -> bool:
        """Whether R, a relaxation, is said by a word of relaxing in its sentence where every
        news action on R's chips is a restriction ("Commerce finalised rules letting the H200 go
        to China" beside a tariff and a customs block on it that week: the permission is a third
        action of those days, not one of theirs). Not the other way round: "the licences" of a
        relaxation's news are no restriction of their own."""
        r = self._index[rid]
        f = ev.features
        if news is None or self._category[r] != "relaxation":
            return False
        # A word for a rule ("rules letting ..."), not "the lifting of the ban" that looks back
        # to an earlier reversal ("malgré la levée de l'interdiction", days after another deal).
        if not (f.get("action") and f.get("rule_word")):
            return False
        # ... and in a sentence that no news action's own words hold ("malgré la levée de
        # l'interdiction, Pékin incite ... à éviter" is the news' sentence, looking back).
        if ev.segment in held:
            return False
        chips = self.rule._targets[r][0]
        on_chip = [
            n
            for n in linked & news
            if n in self._index and self.rule._targets[self._index[n]][0] & chips
        ]
        return bool(on_chip) and all(
            self._category[self._index[n]] != "relaxation" for n in on_chip
        )

    def _decide(
        self,
        readings: list[tuple[str, Evidence]],
        linked: set[str],
        news: set[str] | None = None,
        undated: bool = True,
    ) -> dict[str, Evidence]:
        """Links for the complete candidates scored over the threshold.

        Candidates compete within a sentence with those of the same issuing country (with every
        other when the sentence names neither issuer nor country): a named or matched action
        dated in the sentence holds that date, so a rival needs better evidence; a candidate
        must be within the margin of the best; and when several share the best evidence
        exactly, the text does not say which, so none is linked. Dated by the article's own
        date only, an action on a chip whose named or matched action is the article's news
        is not linked, unless its sentence says an action of the other kind than all of
        those (_other_kind_than_news)."""
        threshold, margin = self.model["threshold"], self.model["margin"]
        # The chips of the linked actions that are the article's news (not those it refers back to).
        linked_chips = set().union(
            *(
                self.rule._targets[self._index[r]][0]
                for r in linked
                if r in self._index and (news is None or r in news)
            )
        )
        cands = []
        for rid, ev in readings:  # complete readings, each in its sentence
            r = self._index[rid]
            if self.rule._tariff[r] and ev.features.get("unnamed_bill"):
                # A tariff without its duty words is not what the sentence speaks of: no rival
                # either ("lockern die Exportbeschränkungen für den H200" on the day of a tariff
                # on the same chips).
                continue
            who = bool(ev.features.get("issuer") or ev.features.get("country"))
            cands.append((self._score(ev), rid, ev, self.rule._country[r], who))

        def signature(ev):
            """What the sentence says for an action, without the weak extras (title, places,
            what the rest of the article names): two actions with the same are not told apart."""
            return frozenset(k for k in CORE if ev.features.get(k))

        # The sentences a news action is read from by its own words.
        held = {
            ev.segment
            for rid, ev in readings
            if rid in linked
            and (news is None or rid in news)
            and (ev.features.get("cue") or ev.features.get("own_cue"))
        }
        out: dict[str, Evidence] = {}
        for score, rid, ev, country, who in cands:
            if rid in linked or score < threshold or ev.features.get("unnamed_bill"):
                continue
            if self.rule._by_cues_only[self._index[rid]] and not self._says_which(ev):
                continue
            dated = self._dated(ev)
            if (
                not dated
                and not ev.features.get("own_cue")  # (what only it did says which, undated)
                and self.rule._targets[self._index[rid]][0] & linked_chips
                and not self._other_kind_than_news(rid, ev, linked, news, held)
            ):
                continue
            if ev.features.get("either") and not dated and linked:
                continue  # "the decision", undated, is the action the article is already about
            if (
                not dated
                and not ev.features.get("in_news")
                and not ev.features.get("chip")
                and any(
                    (c[1] in linked or c[2].features.get("in_news"))
                    and c[1] != rid
                    and c[2].segment == ev.segment
                    and c[3] == country  # (another country's action is another action)
                    for c in cands
                )
            ):
                # Undated, outside its days and by no chip: what only it did, read in a sentence
                # that a linked action or the article's news already holds, is that one's ("US
                # extends trade blacklist to firms majority-owned by listed companies" is not the
                # Huawei listing; "a licence ... anywhere in the world" is this week's draft).
                continue
            rivals = [
                c
                for c in cands
                if c[1] != rid
                and c[2].segment == ev.segment
                and (c[3] == country or not who or not c[4])
            ]
            lenient = self._category[self._index[rid]] == "relaxation"
            mine = signature(ev)
            # A named or matched action with the same evidence (or more) holds the sentence,
            # unless each is dated by its own month there and this one's actor is named ("the
            # Commerce order in November ... and the foundry rules issued in January").
            if any(
                c[1] in linked
                and signature(c[2]) >= mine
                and (c[3] == country or not who)
                and (
                    _same_written(c[2].when, ev.when, undated)
                    or not (ev.features.get("month") and c[2].when and who)
                )
                for c in rivals
            ):
                continue
            if (
                dated
                and any(
                    c[1] in linked
                    and self._dated(c[2])
                    # (a linked action of another month leaves this one's date free: "in late
                    # 2022, and tightened a year later"; so does one of another year: "Micron,
                    # barred ... in 2023, ... since the US controls of December")
                    and (c[2].when == ev.when or not (ev.features.get("month") and c[2].when))
                    and not (
                        ev.features.get("year")
                        and c[2].when[:1].isdigit()
                        and not c[2].when.startswith(ev.when)
                    )
                    and c[0] >= score
                    and (c[3] == country or not who)
                    # a restriction and its relaxation can share a month
                    and (
                        (self._category[self._index[c[1]]] == "relaxation") == lenient
                        or ev.features.get("either")
                    )
                    for c in rivals
                )
            ):
                continue
            if (
                ev.when not in ("", "days", "weeks")
                and not (any(ev.features.get(k) for k in WHAT) or ev.features.get("issuer"))
                and any(
                    c[2].when == ev.when
                    and any(c[2].features.get(k) for k in WHAT)
                    # (another country's concrete action leaves this one's owner, named as the
                    # actor of its own noun, its date: "en représailles aux mesures américaines
                    # de décembre, Pékin a interdit ...")
                    and (c[3] == country or not ev.features.get("noun_actor"))
                    for c in cands
                    if c[1] != rid and c[2].segment == ev.segment
                )
            ):
                continue  # the country alone, and something concrete answers the same date

            def later_undated(c, ev=ev) -> bool:
                """An undated rival read from common words alone (no chip, no cue of its own here)
                that came after this reading's month is no rival: "October 2022: ... restricts
                chip exports" in a timeline whose later lines name the H20 (its April 2025 ban,
                undone by a linked reversal, reads every restriction word)."""
                f = c[2].features
                return bool(
                    ev.features.get("month")
                    and not c[2].when
                    and not (f.get("chip") or f.get("cue") or f.get("own_cue"))
                    and _after_month(ev.when, self.restrictions[self._index[c[1]]].date)
                )

            concrete = any(ev.features.get(k) for k in WHAT) or ev.features.get("issuer")
            if (
                not lenient
                and not concrete
                and (
                    ev.features.get("wrong_action")
                    or any(c[1] in linked and not later_undated(c) for c in rivals)
                )
                and any(
                    r in self._index
                    and self._amends[self._index[r]]
                    and self._category[self._index[r]] == "relaxation"
                    for r in linked
                )
            ):
                continue  # its restriction words are the rule's that a linked rescission undoes
            free = [c for c in rivals if c[1] not in linked]
            # Scores compare readings of the same date: with two months in the sentence ("in late
            # 2022, and tightened a year later"), each is the reading of its own.
            same_date = [
                c
                for c in free
                if _same_written(c[2].when, ev.when, undated)
                or not (
                    (ev.features.get("month") and c[2].features.get("month"))
                    # a year and a month of another year ("opened a year ago ..., concluded
                    # in September") are two dates too
                    or _other_year(c[2].when, ev.when)
                )
            ]
            same_date = [c for c in same_date if not later_undated(c)]
            mine = signature(ev)
            # Who acted, said exactly: a rival whose issuing agency the sentence names wins over
            # a reading from its country alone, all else equal ("das Weiße Haus ... freigegeben"
            # is the White House's August deal, not Commerce's July resumption).
            if any(_issuer_beats(signature(c[2]), mine) for c in same_date):
                continue
            # Scores compare readings of the same strength; a rival whose evidence is a part of
            # this one's never wins on score.
            # (a relaxation and the restriction it follows are both told in one sentence)
            stronger = [
                c[0]
                for c in same_date
                if not signature(c[2]) < mine
                and not _issuer_beats(mine, signature(c[2]))
                and (self._category[self._index[c[1]]] == "relaxation") == lenient
            ]
            if stronger and score < max(stronger) - margin:
                continue
            # (a rival reading of another written year answers that year: "since 2023 and
            # extended the rule to older models in 2024")
            if any(
                signature(c[2]) > mine
                and not (ev.features.get("year") and _other_year(c[2].when, ev.when))
                for c in free
            ):
                continue  # a rival has more evidence
            # Readings of two dates the sentence writes ("the October 2022 rules and their update
            # a year later") are both meant, unless a linked action already answers one of them.
            same = [c for c in free if signature(c[2]) == mine]
            if same and any(c not in same_date for c in same):
                answered = {
                    c[2].when for c in rivals if c[1] in linked and c[2].features.get("month")
                }
                same = [c for c in same if c in same_date or ev.when in answered]
            # (a year, a season or a part of a year alone, "im Herbst 2022", "Anfang des Jahres",
            # means its best-known action)
            vague = ev.when.isdigit() or ev.when.split(" ")[0] in (*SEASON_MONTHS, *YEAR_PARTS)
            if same and not (vague and self._best_known(rid, [c[1] for c in same])):
                continue  # the same evidence for several actions: the text does not say which
            if rid not in out or score > self._score(out[rid]):
                out[rid] = ev
        return out

    @staticmethod
    def _negated(text: str, word: str) -> bool:
        at = text.find(word)
        if at <= 0:
            return False
        if text[at + len(word) : at + len(word) + 6].startswith(NEGATIONS_AFTER):
            return True
        # Latin and Arabic negations are whole words ("ne", not the end of "Chine ").
        before = " " + text[max(0, at - 16) : at]
        return any(
            n in before
            if not n[0].isascii() and not arabic(n[0])
            else (" " + n) in before or before.rstrip().endswith(" " + n.rstrip())
            for n in NEGATIONS
        )

    def _required(self, text: str, word: str) -> bool:
        at = text.find(word)
        if at <= 0:
            return False
        before = text[max(0, at - 30) : at].split()[-4:]
        return any(w in self._required_words for w in before) or any(
            " " in w and w in " ".join(before) for w in self._required_words
        )

    def _best_known(self, rid: str, others: list[str]) -> bool:
        """A year or a season alone ("the 2022 controls") most often means its best-known action: the
        one the gazetteer knows by clearly more names (half as many again as any rival)."""
        mine = self._prominence[rid]
        return all(mine >= 1.5 * self._prominence[o] for o in others)

    def _owns_cue(self, found, r: int) -> bool:
        """The sentence names a cue of R that no other action has."""
        return any(
            kind == "cue" and v == r and k not in self._common and self._cue_owners.get(k, 0) == 1
            for kind, v, k in found.extra
        )

    @staticmethod
    def _dated(ev: Evidence) -> bool:
        return any(ev.features.get(k) for k in LOCAL_WHEN)

    @classmethod
    def _complete(cls, ev: Evidence) -> bool:
        if ev._complete is None:
            on = ev.on()
            known = _COMPLETE_BY_FEATURES.get(on)
            if known is None:
                known = _COMPLETE_BY_FEATURES.keep(on, cls._completes(ev))
            ev._complete = known
        return ev._complete

    @staticmethod
    def _completes(ev: Evidence) -> bool:
        """A reference says what kind of action (a word of its polarity or its cue), when (a date
        in the sentence, or the article's own date with its issuer, cue or a chip it concerns
        named) and what it
        concerned (a chip, a cue, an action it amends) or who took it (the issuer; the issuing
        country only with a date in the sentence). A company alone is not enough: most actions
        concern Nvidia."""
        f = ev.features
        if (f.get("other_actor") or f.get("other_issuer")) and not (
            f.get("issuer") or f.get("own_cue")
        ):
            return False  # another country or agency acts in the sentence: R is not its action
        if f.get("other_kind") and not (f.get("own_cue") or f.get("chip")):
            # "The US added Huawei to the Entity List", dated days after the H20 licence rule,
            # is no reference to that rule: it listed no one.
            return False
        if (
            f.get("other_cue")
            and f.get("fresh")
            and not any(f.get(k) for k in LOCAL_WHEN)
            and not any(f.get(k) for k in WHAT)
        ):
            return False  # by its news alone, where the sentence names another action's cue
        if f.get("fresh") and f.get("issuer") and f.get("chip"):
            return True  # its issuer and a chip it concerns, in its own days: its news
        if f.get("in_news") and f.get("own_cue") and f.get("chip") and f.get("issuer"):
            return True  # the same, with its own cue, whatever else the sentence dates
        if not (f.get("action") or f.get("cue")):
            return False
        local = any(f.get(k) for k in LOCAL_WHEN)
        if f.get("covers"):
            return True  # the only action it can be (see _covers)
        if f.get("amended") and f.get("own_cue") and f.get("action") and not f.get("amending"):
            return True  # its own cue, undoing or updating a rule the article names
        if (
            f.get("amending")
            and f.get("rule_word")
            and (f.get("issuer") or f.get("country") or f.get("cue"))
        ):
            return True  # "the rule it rescinds" (the relaxation word there is the rescission's)
        if (
            f.get("only_fresh")
            and (f.get("country") or f.get("issuer"))
            and f.get("action")
            and (
                f.get("chip")
                or f.get("rare_company")
                or f.get("cue")
                or (f.get("title") and f.get("country_first") and not f.get("names_other"))
            )
        ):
            return True  # the only action of that country and kind in the news at this date
        if f.get("own_cue") and f.get("chip") and f.get("undated"):
            return True  # its own cue and a chip it concerns, in a sentence that dates nothing else
        if (
            f.get("own_cue")
            and f.get("undated_here")
            and (f.get("action") or f.get("what_near"))
            and (f.get("issuer") or f.get("country"))
        ):
            # described by what only it did, with who did it ("Washington paused its rule
            # extending blacklist restrictions to companies majority-owned by listed firms";
            # "Beijing had earlier told customs the processors could not come in")
            return True
        if not (
            local
            or (
                f.get("fresh")
                and (
                    f.get("issuer")
                    or f.get("cue")
                    or f.get("chip")
                    or (f.get("amended") and f.get("action"))
                )
            )
        ):
            return False
        # A year is many actions: with a year alone, the issuing country does not say which.
        by_country = (
            f.get("country")
            and not f.get("other_actor")
            and not f.get("other_chip")
            and (f.get("month") or (f.get("days") and not f.get("weeks")))
        )
        # What the sentence before named is weaker: with a year alone, it also needs who acted.
        near_only = f.get("what_near") and not any(f.get(k) for k in WHAT if k != "what_near")
        if near_only and not (
            f.get("month") or f.get("days") or f.get("issuer") or f.get("country")
        ):
            return False
        return any(f.get(k) for k in WHAT) or bool(f.get("issuer")) or bool(by_country)

    def _role(self, reading: Reading, rid: str, segments: list[int]) -> str:
        """reported when the article appeared within days of the action's news and the link is
        in the title or in a sentence that does not introduce it as background; else context."""
        r = self._index.get(rid)
        if r is None or reading.published is None or not self._fresh(r, reading.published):
            return "context"
        if reading.has_title and 0 in segments:
            return "reported"
        for i in segments:
            folded = reading.segments[i][0].folded
            if not any(
                kind == "back" and not _according_to(folded, k)
                for kind, _v, k in reading.scans[i].extra
            ):
                return "reported"
        return "context"

    def _reason(self, ev: Evidence) -> str:
        words = list(dict.fromkeys(ev.words))
        if ev.features.get("fresh") and not any(
            ev.features.get(k) for k in ("month", "year", "days")
        ):
            words.append("published within days of it")
        return " + ".join(words) or "context"

    def features_of(self, title, body, title_hits, body_hits, published_at) -> dict[str, Evidence]:
        """Every candidate's best evidence (what train_linker fits the model on)."""
        reading = self.rule.read(title, body, title_hits, body_hits, published_at)
        linked = set(self._named(reading)) | set(self.rule.select(reading))
        return {
            rid: ev for rid, ev in self._evidence(reading, linked)[0].items() if self._complete(ev)
        }


# Words before a country that make it the object or the place of an action, not its subject.
OBJECT_WORDS = {
    "to",
    "into",
    "inside",
    "on",
    "against",
    "for",
    "from",
    "in",
    "of",
    "with",
    "vers",
    "à",
    "a",
    "au",
    "avec",
    "con",
    "met",
    "en",
    "de",
    "du",
    "des",
    "sur",
    "contre",
    "dans",
    "al",
    "hacia",
    "contra",
    "naar",
    "aan",
    "tegen",
    "uit",
    "van",
    "la",
    "le",
    "el",
    # German, and "for" in Dutch, Spanish and French ("für China entwickelt", "para China")
    "fur",  # (folded: für)
    "nach",
    "gegen",
    "mit",
    "aus",
    "von",
    "bei",
    "zu",
    "an",
    "voor",
    "para",
    "pour",
}
# Japanese marks a destination after the name: 中国向け ("for China"), 中国への, 中国に対し.
# Taking effect: a month beside these may be a rule's effective or compliance date, not its own
# ("new restrictions that were to take effect on 15 May", «تدخل حيز التنفيذ»).
_IN_FORCE = tuple(
    _fold(w)
    for w in (
        "effect",
        "effective",
        "in force",
        "vigueur",
        "vigor",
        "vigencia",
        "in kraft",
        "van kracht",
        "حيز التنفيذ",
        "سريان",
        "生效",
        "施行",
        "발효",
        "시행",
    )
)
OBJECT_AFTER_JA = ("向け", "向き", "への", "に対", "に輸出", "に出荷", "に販売", "市場")
# Korean marks a destination after the name: 중국에 (to China), 중국으로, 중국에서 (in China), and
# a bare noun after it, 중국 수출 ("exports to China"), 중국 판매, 중국 시장 -- where 중국은 / 중국이
# (topic, subject) and 중국의 (its own: "중국의 수출 통제") stay the actor.
OBJECT_AFTER_KO = ("에 ", "에,", "에서", "으로", "로 ", " 수출", " 판매", " 시장", "향 ", "향으로")
OBJECT_WORDS_AR = ("إلى", "الى", "على", "ضد", "من", "في", "داخل")  # (داخل: "inside")
OBJECT_CHARS_ZH = "向对対往从赴在与和及到为"  # (対: the Japanese form of 对, "対中規制"; 为: "for")
# Verbs of travel before a country make it a place ("黄仁勋上月访问中国"), not an actor.
OBJECT_VERBS_ZH = ("访问", "出访", "前往", "抵达", "来到")


RELATIVES = ("que ", "qui ", "which ", "who ", "die ", "dat ", "that ", "الذي", "التي")
# "Washington's latest crackdown", "die jüngsten US-Exportbeschränkungen", 最新一轮管制: the most
# recent action of that country and kind before the article. Written before the action word
# (at most two words between), or after it in Arabic («القيود الأمريكية الأخيرة»).
LATEST_BEFORE = tuple(
    _fold(w)
    for w in (
        "latest",
        "most recent",
        "newest",
        "jüngsten",
        "jüngste",
        "neuesten",
        "neueste",
        "dernières",
        "derniers",
        "dernière",
        "plus récentes",
        "últimas",
        "últimos",
        "más recientes",
        "jongste",
        "nieuwste",
        "最新",
        "最近一轮",
        "最近的",
    )
)
LATEST_AFTER = ("الأخيرة", "الاخيرة")
LATEST_SPAN = timedelta(days=365)  # "the latest" reaches back at most this far


def _dates_lead_clause_only(folded: str, found, backs: list[str], words: list[str]) -> bool:
    """Whether the sentence opens with a clause of a back marker ("Nachdem Behörden im August
    abgeraten hatten, untersagt ...", "After ... in August, Beijing ..."), every month it writes
    stands in that clause, up to its comma, and the action's words stand after it."""
    if not found.months or not any(folded.startswith(b) for b in backs):
        return False
    comma = folded.find(",")
    if comma < 0:
        return False
    return all(start < comma for _m, start, _end, _w in found.months) and any(
        at > comma for w in words for at in _all(folded, w)
    )


def _relative_between(span: str) -> bool:
    """Whether a relative pronoun opens a clause in the words between an action noun and a
    name (at most four words after it, no other clause in between: "curbs that the Biden
    administration", "Beschränkungen, die Washington")."""
    words = span.split()
    if len(words) > 6 or any(ch in span for ch in ".;:，；。"):
        return False
    text = " ".join(words[1:]) + " "
    return text.startswith(RELATIVES)


def _latest_before(folded: str, words: list[str]) -> bool:
    """Whether a "latest" word qualifies one of the action words (see LATEST_BEFORE)."""
    for w in words:
        for at in _all(folded, w):
            left = folded[max(0, at - 40) : at]
            for m in LATEST_BEFORE:
                k = left.rfind(m)
                if k < 0:
                    continue
                between = left[k + len(m) :]
                if not between.strip(" -") or (
                    len(between.split()) <= 2 and not any(ch in between for ch in ",.;，；")
                ):
                    return True
            right = folded[at + len(w) : at + len(w) + 30]
            if arabic(w[:1]) and any(m in right for m in LATEST_AFTER):
                return True
    return False


def _issuer_beats(one: frozenset[str], other: frozenset[str]) -> bool:
    """Whether evidence ONE names the issuing agency where OTHER has only its country, and says
    all else OTHER says."""
    return (
        "issuer" in one
        and "country" in other
        and "issuer" not in other
        and one - {"issuer"} >= other - {"country"}
    )


# German "nach" also means "according to": "nach der Erklärung von Nvidia", "nach Angaben".
_ACCORDING_TO = re.compile(
    r"\s(?:eigenen\s)?(?:erklarung|angaben|informationen|bericht|berichten|aussage|aussagen"
    r"|darstellung|mitteilung|schatzung|schatzungen|ansicht)\b"
)


def _according_to(folded: str, marker: str) -> bool:
    """Whether every "nach der/dem/den" of a sentence says whose word it is ("according to
    Nvidia's statement"), not what came before: no step back in time."""
    if not marker.startswith("nach"):
        return False
    return all(_ACCORDING_TO.match(folded, at + len(marker)) for at in _all(folded, marker))


def _commercial(folded: str) -> bool:
    """Whether every "order" of the sentence is a customer's ("orders for AI accelerators")."""
    return all(_COMMERCIAL_ORDER.match(folded, at) for at in _all(folded, "order"))


# "orders for chips", "order book", "orders worth $2bn", "Nvidia orders more H20": a
# customer's, not a government's.
_COMMERCIAL_ORDER = re.compile(
    r"orders? (?:for|from|worth|book|backlog|more|additional|another|of (?:up to )?\d|\d)"
)
# "regulators in Beijing", "officials in Washington": the country's own.
OFFICIALS = (
    "regulators",
    "officials",
    "authorities",
    "lawmakers",
    "policymakers",
    # German, folded: "die Regierung in Kuala Lumpur", "die Führung in Peking", "Behörden in Den Haag"
    "regierung",
    "fuhrung",
    "staatsfuhrung",
    "behorden",
)
# "China sales", "China revenue": a country before these is a market.
MARKET_NOUNS = (
    "sales",
    "revenue",
    "market",
    "customers",
    "buyers",
    "business",
    "operations",
    # the companies of a country are listed or served, they do not act for it ("the US added
    # 140 Chinese companies to its list")
    "companies",
    "firms",
    "chipmakers",
    "entities",
    "tech companies",
    "tech firms",
    "tech giants",
    "unternehmen",
    "firmen",
    "bedrijven",
)
# "US curbs", "American export controls": a country named right before the action is its actor.
ACTOR_NOUNS = (
    "curbs",
    "controls",
    "export controls",
    "restrictions",
    "export restrictions",
    "sanctions",
    "rules",
    "ban",
    "measures",
    "crackdown",
    "clampdown",
)


# Words for legislation: a bill is resolved only in a sentence that speaks of one.
BILL_WORDS = (
    "bill",
    "act",
    "legislation",
    "lawmakers",
    "congress",
    "senate",
    "house",
    "amendment",
    "法案",
    "国会",
    "参议院",
    "众议院",
    "مشروع قانون",
    "الكونغرس",
    "مجلس الشيوخ",
    "projet de loi",
    "proposition de loi",
    "congrès",
    "sénat",
    "proyecto de ley",
    "congreso",
    "senado",
    "wetsvoorstel",
    "wet",
    "congres",
    "gesetz",
    "gesetzentwurf",
    "kongress",
)


def _names_a_bill(folded: str) -> bool:
    return any(_all_words(folded, w) for w in BILL_WORDS)


def _all_words(folded: str, word: str) -> bool:
    """Whether `word` stands as a word in the sentence (CJK and Arabic: anywhere)."""
    for at in _all(folded, word):
        end = at + len(word)
        if not word.isascii() or (
            (at == 0 or not folded[at - 1].isalpha())
            and (end == len(folded) or not folded[end].isalpha())
        ):
            return True
    return False


_EXPORT_WORDS = tuple(_fold(w) for w in EXPORT_WORDS)
_ANY_EXPORT_WORD = AnyOf(_EXPORT_WORDS)
_CHIP_ANAPHORS = tuple(_fold(w) for w in CHIP_ANAPHORS)
_PRESSURE_MARKERS = tuple(_fold(w) for w in PRESSURE_MARKERS)
_DETERMINERS = ("the", "de", "het", "la", "le", "l'", "el", "der", "die", "des", "du", "del")


def _pressing(folded: str, actor: str) -> bool:
    """Whether every mention of the actor phrase follows a pressure marker ("onder druk van de
    Amerikaanse regering"): it pressed for the action, another took it."""
    ats = _all(folded, actor)
    for at in ats:
        words = folded[max(0, at - 40) : at].split()
        if words and words[-1] in _DETERMINERS:
            words = words[:-1]
        if not " ".join(words).endswith(_PRESSURE_MARKERS):
            return False
    return bool(ats)


_NOUNS_BEFORE_NATIONALITY = tuple(_fold(n) for n in NOUNS_BEFORE_NATIONALITY)


def _actor_of_noun(folded: str, name: str) -> bool:
    """Whether the country's name stands right before an action noun ("the second round of US
    curbs last October"), owns one ("Washington's October rules") or is its adjective after it
    ("les restrictions américaines", «القيود الأمريكية»): the actor, even after "of" and
    whoever else acts in the sentence."""
    for at in _all(folded, name):
        before = folded[max(0, at - 40) : at].split()
        # the noun right before, or one word before ("les restrictions commerciales américaines")
        for skip in (0, 1):
            head = " " + " ".join(before[: len(before) - skip])
            if len(before) > skip and head.endswith(
                tuple(" " + n for n in _NOUNS_BEFORE_NATIONALITY)
            ):
                return True
        rest = folded[at + len(name) : at + len(name) + 40]
        if name in HYPHEN_ACTORS and rest[1:].startswith(COMPOUND_NOUNS):
            return True  # German compounds: "US-Exportbeschränkungen", "US-Sanktionen"
        possessive = rest.startswith(("'s ", "’s "))
        words = rest[3 if possessive else 0 :].split()
        # one word may stand between ("US export curbs"), two after a possessive
        for skip in range(3 if possessive else 2):
            if " ".join(words[skip:]).startswith(ACTOR_NOUNS):
                return True
    return False


# Names that make a German compound noun their own action ("US-Exportverbot"); a country's
# full name there is more often the target ("China-Sanktionen": sanctions on China).
HYPHEN_ACTORS = ("us", "usa", "eu")
COMPOUND_NOUNS = tuple(
    _fold(w)
    for w in (
        "Exportbeschränkung",
        "Exportkontroll",
        "Exportverbot",
        "Exportregel",
        "Exportrestriktion",
        "Ausfuhr",
        "Sanktion",
        "Beschränkung",
        "Handelsbeschränkung",
        "Chipbeschränkung",
        "exportbeperking",
        "exportverbod",
        "sanctie",
    )
)


# "the curbs that halted H20 exports", "the ban imposed in April": an action referred to by a
# definite noun and what it did, whoever acts in the rest of the sentence.
_REFERRED_BEFORE = (
    "the",
    "those",
    "these",
    *outlet_phrasing.words(outlet_phrasing.REFERRED_BEFORE),
)
_REFERRED_AFTER = (
    *("that", "which", "imposed", "introduced", "announced", "issued", "adopted"),
    *outlet_phrasing.words(outlet_phrasing.REFERRED_AFTER),
)


def _months_apart(folded: str, found, words: list[str]) -> bool:
    """Whether every month written in the sentence sits in another clause than every one of
    `words` (clauses end at , ; and at back-reference markers)."""
    written = [start for _m, start, _end, _w in found.months]
    where = [p for w in words for p in _all(folded, w)]
    if not written or not where:
        return False
    backs = [k for kind, _v, k in found.extra if kind == "back" and k]
    cuts = sorted(
        {at for at, ch in enumerate(folded) if ch in ",;，；"}
        | {p for b in backs for p in _all(folded, b)}
    )
    clauses = {bisect_right(cuts, at) for at in where}
    return not any(bisect_right(cuts, at) in clauses for at in written)


_LICENCE_NOUNS = ("rule", "rules", "requirement", "requirements", "regime", "system", "scheme")


def _licence_noun(folded: str, word: str) -> bool:
    """A licence word before a noun it qualifies is a licence required: "permit rules", "licence
    requirement" (the Spanish relaxation "permite" is read from the stem "permit")."""
    at = folded.find(word)
    after = folded[at + len(word) : at + len(word) + 14].split()[:1] if at >= 0 else []
    return bool(after) and after[0].strip(",.;:") in _LICENCE_NOUNS


def _referred(folded: str, words: list[str], names: list[str] | None = None) -> bool:
    """Whether an action word is a definite noun followed by what it did or who did it ("the
    curbs that halted ...", "the controls Japan imposed"), or someone's ("Washington's rules");
    `names`: the sentence's countries and agencies as written, folded only when needed."""
    for w in words:
        for at in _all(folded, w):
            before = folded[max(0, at - 8) : at].split()[-1:]
            if before and before[0].endswith(("'s", "’s")):
                return True  # someone's: "the previous administration's rules"
            rest = folded[at + len(w) : at + len(w) + 24]
            after = rest.split()[:1]
            if not (before and before[0] in _REFERRED_BEFORE and after):
                continue
            if after[0] in _REFERRED_AFTER or any(
                rest.startswith(" " + _fold_name(n) + " ") for n in names or ()
            ):
                return True
    return False


# "Chinese labs", "US chipmakers": a country before these names where companies come from.
COMPANY_NOUNS = (
    "labs",
    "firms",
    "companies",
    "chipmakers",
    "chip makers",
    "tech companies",
    "tech giants",
    "cloud providers",
    "startups",
    "developers",
    "engineers",
    "rivals",
    "competitors",
    "suppliers",
)

_ANY_COMPANY_NOUN = AnyOf(COMPANY_NOUNS)


# "pushed Nvidia to design the H20", «pour concevoir la H20»: the chip made next, after what
# the sentence says was restricted, is no chip the restriction covered.
_MAKING = tuple(
    _fold(w)
    for w in ("to design", "to develop", "to build", "to make", "concevoir", "développer", "créer")
)


def _products(folded: str, hits, chips: set[str]) -> frozenset[str]:
    """The chips a sentence names only right after a verb of making them (see _MAKING)."""
    if not any(w in folded for w in _MAKING):
        return frozenset()  # (most sentences: nothing to look up)
    where: dict[str, list[bool]] = {}
    for h in hits:
        if h.entity_id in chips:
            name = _fold_name(h.surface)
            for at in _all(folded, name):
                before = folded[max(0, at - 24) : at]
                where.setdefault(h.entity_id, []).append(any(w in before for w in _MAKING))
    return frozenset(c for c, marks in where.items() if marks and all(marks))


def _companies_of(folded: str, hits, countries: set[str]) -> frozenset[str]:
    """The countries a sentence names only before a noun for companies ("Chinese labs")."""
    if not _ANY_COMPANY_NOUN(folded):
        return frozenset()  # (most sentences: nothing to look up)
    where: dict[str, list[bool]] = {}
    for h in hits:
        if h.entity_id not in countries:
            continue
        name = _fold_name(h.surface)
        for at in _all(folded, name):
            rest = folded[at + len(name) : at + len(name) + 20]
            where.setdefault(h.entity_id, []).append(
                rest.startswith(" ") and rest[1:].startswith(COMPANY_NOUNS)
            )
    return frozenset(c for c, marks in where.items() if marks and all(marks))


def _relative_after(folded: str, end: int) -> bool:
    """Whether a relative pronoun follows a name ending at `end` ("Washington, qui ...")."""
    return folded[end : end + 12].lstrip(" ,").startswith(RELATIVES)


def _object(folded: str, at: int, end: int) -> bool:
    """Whether the name at `at` follows a preposition ("to China", «إلى الصين», 销往中国) and
    is not the subject of a relative clause ("la presión de Washington, que impuso ...")."""
    if folded[end : end + 12].lstrip(" ,").startswith(RELATIVES):
        return False
    if folded[end : end + 1] == " " and folded[end + 1 : end + 16].startswith(MARKET_NOUNS):
        return True  # "Tokyo Electron's China sales": a market, not an actor
    if at > 0 and (folded[at - 1] in OBJECT_CHARS_ZH or folded[:at].endswith(OBJECT_VERBS_ZH)):
        return True
    if folded[max(0, at - 2) : at] == "لل" or (
        folded[at - 1 : at] == "ب" and folded[at:].startswith("ال")
    ):
        return True  # «للصين» (for China; ل + الصين), «بالصين» (in China): clitic prepositions
    if folded[at : at + 1] in ("対", "对"):
        return True  # the name itself says "towards" (Japanese 対中: "China-bound")
    if folded[end : end + 3].startswith(OBJECT_AFTER_JA):
        return True  # Japanese postpositions: 中国向け (for China), 中国への (to China)
    if folded[end : end + 4].startswith(OBJECT_AFTER_KO):
        return True  # Korean: 중국 수출을 막았다 (blocked exports to China; see OBJECT_AFTER_KO)
    words = folded[max(0, at - 24) : at].split()
    if not words:
        return False
    last = words[-1]
    if last == "in" and len(words) > 1 and words[-2] in OFFICIALS:
        return False  # "regulators in Beijing": the country's own officials act
    if (
        last in ("la", "le", "el", "het", "de", "the", "l'", "die", "der", "den", "dem")
        and len(words) > 1
    ):
        last = words[-2]  # "vers la Chine", "naar het": the word before the article
        return last in OBJECT_WORDS - {"la", "le", "el", "de"}
    return last in OBJECT_WORDS - {"la", "le", "el"} or last.endswith(OBJECT_WORDS_AR)


def _all(text: str, word: str) -> list[int]:
    """Every index of word in text."""
    out, at = [], text.find(word) if word else -1
    while at >= 0:
        out.append(at)
        at = text.find(word, at + 1)
    return out


def load_model(path: Path = MODEL) -> dict:
    """The fitted weights; without a model file only named and matched links are made."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"bias": -10.0, "weights": {}, "threshold": 1.0, "margin": 0.0}
