"""Cited sources: a news agency named next to a citation cue ("according to Reuters",
«نقلًا عن «رويترز», 据路透社报道, "selon Reuters")."""

from app.enrich.tagger import Tagger
from app.gazetteer import EntityDef, Gazetteer
from app.text import normalize

CUE_WINDOW = 60  # characters between the cue and the agency name


class CitationFinder:
    def __init__(self, gazetteer: Gazetteer):
        agencies = {}
        for name, aliases in gazetteer.context.get("sources", {}).items():
            # Short Latin acronyms (AP, FT) are only the agency in capitals.
            exact = frozenset(a for a in aliases if a.isascii() and len(a) <= 4)
            agencies[name] = EntityDef(name, "source", name, {"any": aliases}, case_sensitive=exact)
        self._tagger = Tagger(Gazetteer(agencies, {}, gazetteer.version))
        cues = gazetteer.context.get("citation_cues", {})
        self._cues = sorted({normalize(c) for words in cues.values() for c in words}, key=len)

    def find(self, text: str) -> list[str]:
        found: list[str] = []
        for hit in self._tagger.find(text):
            window = normalize(text[max(0, hit.start - CUE_WINDOW):hit.end + CUE_WINDOW])
            if hit.entity_id not in found and any(cue in window for cue in self._cues):
                found.append(hit.entity_id)
        return found
