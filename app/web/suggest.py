"""Type-ahead over entities: every name and alias in every language, folded the way the tagger
folds text (case, Arabic letter forms, widths), so "nvi" finds Nvidia and shows it as إنفيديا and
英伟达 too. The entity table is small (a few hundred rows): it is read once per gazetteer state."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.gazetteer.repository import entities_in_order
from app.search.entity_cache import _cached
from app.text import normalize

PICKABLE = ("company", "chip")
SHOWN_ALIASES = 4
# Other scripts first: they say the most ("Nvidia: إنفيديا, 英伟达").
LANGUAGE_ORDER = ("ar", "zh", "ja", "ko", "ru", "fr", "de", "es")


@dataclass(frozen=True)
class Candidate:
    id: str
    type: str
    name: str
    names: tuple[tuple[str, str, str], ...]  # (folded, original, language) for name and aliases


def _candidates(session: Session) -> list[Candidate]:
    def load(s: Session) -> list[Candidate]:
        out = []
        for e in entities_in_order(s):
            names = [(e.name, "en")] + [
                (a, lang) for lang, aliases in (e.aliases or {}).items() for a in aliases
            ]
            seen: dict[str, tuple[str, str, str]] = {}
            for original, lang in names:
                seen.setdefault(normalize(original), (normalize(original), original, lang))
            out.append(Candidate(e.id, e.type, e.name, tuple(seen.values())))
        return out

    return _cached(session, "suggest", load)


def suggest_entities(
    session: Session, typed: str, types: tuple[str, ...] = PICKABLE, limit: int = 8
) -> list[dict]:
    """Entities whose id, name or an alias contains what was typed; those whose name starts
    with it first. Each with up to three of its names in other scripts."""
    folded = normalize(typed.strip())
    if not folded:
        return []
    scored = []
    for c in _candidates(session):
        if c.type not in types:
            continue
        rank = None
        for name_folded, _, _ in c.names:
            if name_folded.startswith(folded):
                rank = 0 if name_folded == normalize(c.name) else 1
                break
            if folded in name_folded:
                rank = 2
        if rank is None and folded in c.id:
            rank = 1
        if rank is not None:
            scored.append((rank, len(c.name), c.name, c))
    scored.sort(key=lambda t: t[:3])
    out = []
    for _, _, _, c in scored[:limit]:
        others = [(original, lang) for _, original, lang in c.names[1:] if original != c.name]
        per_language: dict[str, str] = {}
        for original, lang in others:  # one name per language, the first listed
            per_language.setdefault(lang, original)
        langs = sorted(
            per_language,
            key=lambda lang: (
                LANGUAGE_ORDER.index(lang) if lang in LANGUAGE_ORDER else len(LANGUAGE_ORDER),
                lang,
            ),
        )
        shown = [{"text": per_language[lang], "lang": lang} for lang in langs[:SHOWN_ALIASES]]
        out.append(
            {
                "id": c.id,
                "type": c.type,
                "name": c.name,
                "aliases": shown,
                "more": max(len(others) - len(shown), 0),
            }
        )
    return out
