"""How German and French outlets refer back to export-control actions, where the shared lists
(app/enrich/when.py, context.json) and outlet_phrasing.py missed them (#20, restrict14).

Read after real German and French outlets (heise-like tech press, regional dailies, trade
publications, Le Monde-like dailies, tech sites): German puts the date of an action inside the
participle phrase before its noun ("die 2022 unter Biden eingeführten Ausfuhrbeschränkungen"),
where English writes "imposed in 2022" after it; French says Beijing's pressure on buyers ("sous
la pression de Pékin") where English says "discouraged" (those are cues and aliases in
app/gazetteer/data/restrictions.json). Kept here, by language, so the shared lists stay readable
and these are easy to extend.
"""

import re

# German attributive past participles of imposing an action ("die 2022 eingeführten Regeln",
# "die im Herbst verhängte Sperre"), folded (umlauts lose their dots). A year between the article
# and such a participle, right before an action noun, dates that action.
DE_IMPOSED_PARTICIPLES = (
    "eingefuhrte",
    "eingefuhrten",
    "verhangte",
    "verhangten",
    "erlassene",
    "erlassenen",
    "beschlossene",
    "beschlossenen",
    "verscharfte",
    "verscharften",
    "auferlegte",
    "auferlegten",
    "angekundigte",
    "angekundigten",
)
# at most this many words between the year and the participle ("2022 unter Biden eingeführten")
_GAP_WORDS = 3
_PARTICIPLES = "|".join(sorted(DE_IMPOSED_PARTICIPLES, key=len, reverse=True))
_PARTICIPLE_AFTER = re.compile(rf"^(?:\s+[^\s,.;:]+){{0,{_GAP_WORDS}}}?\s+({_PARTICIPLES})\s+(\S+)")


def year_in_participle_phrase(folded: str, year_end: int, action_words: list[str]) -> bool:
    """Whether the year ending at `year_end` opens a German participle phrase whose noun is one
    of the sentence's action words: "die 2022 unter Biden eingeführten Ausfuhrbeschränkungen"."""
    m = _PARTICIPLE_AFTER.match(folded[year_end : year_end + 80])
    return m is not None and any(m.group(2).startswith(w) for w in action_words)


# ACTIONS kind -> language -> phrases (folded by the reader as the shared ones are; when.py adds
# each list to its kind, as outlet_phrasing.ACTIONS).
ACTIONS = {
    "restrict": {
        # the noun of "verschärft" (a tightening: "vor der Verschärfung im Herbst 2023"), as
        # "ausweitung" is the noun of "ausgeweitet"
        "de": ["verschärfung", "verschärfungen"],
    },
    # burying a rule ("Washington enterre la règle de Biden", "enterrée en mai"): undoing it, as
    # German "kippt" and English "scraps"
    "relax": {"fr": ["enterré", "enterrée", "enterre", "enterrer"]},
}

# A stop said before the restart that ended it ("les ventes avaient été suspendues en avril avant
# de reprendre cet été"; French only so far): the stop word, of either kind on its own
# (outlet_phrasing.ACTIONS "either"), is then the restriction, and the restart the relaxation.
# Folded text.
STOP_THEN_RESTART = re.compile(
    r"\b(?:suspendu|interrompu)e?s?\b[^.;]{0,80}?"
    r"\b(?:avant de reprendre|avant d'etre (?:relancee?s?|reprises?)|puis (?:ont |a )?reprise?s?"
    r"|avant la reprise|avant leur reprise)\b"
)


# French elides with a typographic apostrophe as often as with a straight one ("l’an dernier",
# "l’année passée", "d’exporter"); the shared phrase lists are written with "'". Only an elided
# word's apostrophe is straightened: English "China’s" keeps its own (resolve.py reads it).
_FR_ELISION = re.compile(r"\b(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)\u2019(?=\w)")


def straight_elisions(folded: str) -> str:
    """A folded text with French elisions written "l'" rather than "l’" (same length)."""
    if "\u2019" not in folded:
        return folded
    return _FR_ELISION.sub(r"\1'", folded)


def stop_then_restart(folded: str) -> bool:
    """Whether a folded sentence says a stop and then the restart that ended it."""
    return ("suspendu" in folded or "interrompu" in folded) and bool(
        STOP_THEN_RESTART.search(folded)
    )
