"""An authority telling someone to stop: "the regulator told platforms to cancel orders for the
RTX Pro 6000D", "officials told Nvidia last August to stop shipping the A100", «要求…停止采购».

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
    re.compile(
        "({})[^.،]{{0,60}}?(?:{})".format(
            "|".join(_fold(w) for w in ("طلبت", "أمرت", "وجهت", "أبلغت")),
            "|".join(_fold(w) for w in ("وقف", "بوقف", "إلغاء", "تعليق", "التوقف", "بعدم")),
        )
    ),
    *(re.compile(p) for p in outlet_phrasing.TELLING),  # Spanish, Dutch, Japanese
)


# Cheap test first: most sentences hold none of the telling verbs.
_VERBS = re.compile(
    r"told|asked|instruct|direct|urged|ordered|pressed|demande|ordonne|enjoint|somme|invite"
    r"|aufgefordert|angewiesen|gedrangt|要求|责令|指示|叫停|"
    + "|".join(_fold(w) for w in ("طلبت", "أمرت", "وجهت", "أبلغت"))
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
