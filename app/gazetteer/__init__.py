"""The gazetteer: versioned data files (data/*.json) describing every entity chipwatch tags."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
ENTITY_FILES = ("companies", "chips", "regions", "agencies", "restrictions", "events")
ENTITY_TYPES = ("company", "chip", "restriction", "region", "agency")


@dataclass(frozen=True)
class EntityDef:
    id: str
    type: str
    name: str
    aliases: dict[str, list[str]]
    case_sensitive: frozenset[str] = frozenset()
    needs_context: frozenset[str] = frozenset()
    date: dt.date | None = None
    raw: dict = field(default_factory=dict, compare=False, hash=False)

    def all_aliases(self) -> list[str]:
        seen = dict.fromkeys([self.name, *(a for names in self.aliases.values() for a in names)])
        return [a for a in seen if a]


@dataclass(frozen=True)
class Gazetteer:
    entities: dict[str, EntityDef]
    context: dict
    version: str
    # Under an overlay of accepted changes (app/gazetteer/overlay.py): the shipped data's version.
    shipped_version: str = ""

    @property
    def base_version(self) -> str:
        """The version of the shipped data this gazetteer is (or is an overlay of)."""
        return self.shipped_version or self.version

    def of_type(self, type_: str) -> list[EntityDef]:
        return [e for e in self.entities.values() if e.type == type_]


def _entity(raw: dict, origin: str) -> EntityDef:
    try:
        when = dt.date.fromisoformat(raw["date"]) if raw.get("date") else None
        return EntityDef(
            id=raw["id"],
            type=raw["type"],
            name=raw["name"],
            aliases={lang: list(names) for lang, names in raw.get("aliases", {}).items()},
            case_sensitive=frozenset(raw.get("case_sensitive", ())),
            needs_context=frozenset(raw.get("needs_context", ())),
            date=when,
            raw=raw,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{origin}: bad gazetteer entry {raw.get('id')!r}: {exc}") from exc


def load(data_dir: Path = DATA_DIR) -> Gazetteer:
    digest = hashlib.sha256()
    entities: dict[str, EntityDef] = {}
    for stem in ENTITY_FILES:
        path = data_dir / f"{stem}.json"
        if not path.exists():
            continue
        blob = path.read_bytes()
        digest.update(blob)
        for raw in json.loads(blob):
            entity = _entity(raw, path.name)
            if entity.id in entities:
                raise ValueError(f"{path.name}: duplicate entity id {entity.id!r}")
            entities[entity.id] = entity
    context_blob = (data_dir / "context.json").read_bytes()
    digest.update(context_blob)
    return Gazetteer(entities, json.loads(context_blob), "g-" + digest.hexdigest()[:12])


@lru_cache
def default() -> Gazetteer:
    return load()
