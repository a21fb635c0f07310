"""Cited sources: a news outlet named next to a citation cue ("according to Reuters",
«نقلًا عن «رويترز», 据路透社报道, "selon Reuters", "berichtet Reuters", "ロイター通信によると").

Outlets and cues are data (context.json `sources`, `citation_cues`). An outlet named without a
cue nearby is not a citation; a name that only looks like an outlet is dropped by the outlet's
`exclude` rules (the Nikkei 225 index is not Nikkei Asia)."""

from app.enrich.tagger import Hit, Tagger
from app.gazetteer import EntityDef, Gazetteer
from app.text import is_latin_or_digit, normalize

CUE_WINDOW = 60  # folded characters between the cue and the outlet's name


class CitationFinder:
    def __init__(self, gazetteer: Gazetteer):
        agencies: dict[str, EntityDef] = {}
        for name, spec in gazetteer.context.get("sources", {}).items():
            aliases = spec if isinstance(spec, list) else spec["aliases"]
            # Short Latin acronyms (AP, FT) are only the outlet in capitals.
            exact = frozenset(a for a in aliases if a.isascii() and len(a) <= 4)
            raw = {} if isinstance(spec, list) else {"exclude": spec.get("exclude", [])}
            agencies[name] = EntityDef(
                name, "source", name, {"any": aliases}, case_sensitive=exact, raw=raw
            )
        self.outlets = agencies  # outlet name -> an entity of type "source"
        self._tagger = Tagger(Gazetteer(agencies, {}, gazetteer.version))
        cues = gazetteer.context.get("citation_cues", {})
        self._cues = sorted(
            {" ".join(normalize(c).split()) for words in cues.values() for c in words},
            key=len,
            reverse=True,
        )

    def names(self, text: str) -> list[Hit]:
        """Every outlet named in text, cited or not."""
        return self._tagger.find(text)

    def find(self, text: str, names: list[Hit] | None = None) -> list[str]:
        """Outlets cited in text, in order of first citation (`names`: self.names(text) if known)."""
        found: list[str] = []
        for hit in self.names(text) if names is None else names:
            if hit.entity_id in found:
                continue
            lo, hi = max(0, hit.start - CUE_WINDOW), hit.end + CUE_WINDOW
            window = normalize(text[lo : hit.start]) + " \u0000 " + normalize(text[hit.end : hi])
            if any(_has_cue(window, cue) for cue in self._cues):
                found.append(hit.entity_id)
        return found


def _has_cue(window: str, cue: str) -> bool:
    """A Latin or Cyrillic cue is a whole word or phrase ("per" is not in "percent"); Arabic
    and CJK cues may sit inside a word (نقلته, 据路透社报道)."""
    start = window.find(cue)
    while start != -1:
        end = start + len(cue)
        if not is_latin_or_digit(cue[0]) or (
            (start == 0 or not is_latin_or_digit(window[start - 1]))
            and (end == len(window) or not is_latin_or_digit(window[end]))
        ):
            return True
        start = window.find(cue, start + 1)
    return False
