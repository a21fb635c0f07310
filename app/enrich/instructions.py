"""An authority telling someone to stop: "the regulator told platforms to cancel orders for the
RTX Pro 6000D", "officials told Nvidia last August to stop shipping the A100", «要求…停止采购»,
"수출을 중단하라고 통보했다".

Such a sentence describes a government action (an order) without an action noun: the linker
reads the telling verb as a word for an action of either kind, as it reads "ordered" or
"instructed" (when.ACTIONS["either"]). Who told whom still has to be an agency, a country or
an issuer the rest of the evidence names; a company telling its customers is no action of the
timeline, because nothing else in the sentence then points to one.
"""

import re
from functools import lru_cache

from app.enrich import outlet_phrasing
from app.enrich.restrictions import _fold

# (patterns match folded text: lower case, no accents; see restrictions._fold)
# telling verb, at most eight words (the addressee, a date), then "to <stop verb>"
_PATTERNS = (
    re.compile(
        r"\b(told|asked|instructed|directed|urged|ordered|pressed)\b(?:\W+\w+){0,8}?\W+to\s+"
        r"(?:stop|halt|cease|cancel|suspend|pause|avoid|refrain|shun|end)\b"
    ),
    re.compile(
        r"\b(demande|ordonne|enjoint|somme|invite)\b(?:\W+\w+){0,8}?\W+d(?:e\s+|')"
        r"(?:cesser|suspendre|annuler|arreter|stopper|renoncer|eviter)\b"
    ),
    re.compile(
        r"\b(aufgefordert|angewiesen|gedrangt)\b(?:\W+\w+){0,8}?\W+"
        r"(?:zu\s+stoppen|einzustellen|zu\s+stornieren|zu\s+verzichten|zu\s+meiden)\b"
    ),
    re.compile(r"(要求|责令|指示|叫停)[^。；;]{0,20}?(?:停止|暂停|取消|不得|避免)"),
    # Korean says the stop first, then the telling: 중단하라고 통보했다 ("told to stop")
    re.compile(r"(?:중단|중지|멈추|취소|자제|보류)\S{0,3}라고\s*(통보|지시|요구|명령|권고)"),
    re.compile(
        "({})[^.،]{{0,60}}?(?:{})".format(
            # (طلب: "officials asked", the verb before a plural subject; as a word, not طلبات)
            "|".join(_fold(w) for w in ("طلبت", "أمرت", "وجهت", "أبلغت", r"\bطلب\b")),
            "|".join(_fold(w) for w in ("وقف", "بوقف", "إلغاء", "تعليق", "التوقف", "بعدم")),
        )
    ),
    *(re.compile(p) for p in outlet_phrasing.TELLING),  # Spanish, Dutch, Japanese
)


# Cheap test first: most sentences hold none of the telling verbs.
_VERBS = re.compile(
    r"told|asked|instruct|direct|urged|ordered|pressed|demande|ordonne|enjoint|somme|invite"
    r"|aufgefordert|angewiesen|gedrangt|要求|责令|指示|叫停|라고|"
    + "|".join(_fold(w) for w in ("طلبت", "أمرت", "وجهت", "أبلغت", "طلب"))
    + "|"
    + outlet_phrasing.TELLING_VERBS
)


@lru_cache(maxsize=1 << 14)
def telling_verb(folded: str) -> str | None:
    """The verb of the first "told X to stop ..." in a folded sentence, if any (remembered:
    sentences repeat across articles)."""
    if not _VERBS.search(folded):
        return None
    for pattern in _PATTERNS:
        m = pattern.search(folded)
        if m:
            return m.group(1)
    return None
