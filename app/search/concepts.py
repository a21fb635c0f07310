"""Topic concepts: the words analysts search with, grouped across languages and spellings.

`app/gazetteer/data/topics.json` lists synonym groups (export control, licence/license, ban,
customs, data centre/center, Entity List, approval, tariff, revenue share, stockpile...), each
with aliases per language, written like gazetteer aliases (folded, whole words, `*` for a
stem). They are not entities: articles are not tagged with them and they have no facet. The
search index gets one opaque token per topic an article mentions (`topic_token`), written with
its words, so "customs ban" finds «الجمارك» and 海关 ... 禁止 articles on every engine, the same
way an entity name finds every spelling of the entity.
"""

import hashlib
import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from app.enrich.tagger import Tagger
from app.gazetteer import DATA_DIR, EntityDef, Gazetteer, _entity

TOPICS_FILE = DATA_DIR / "topics.json"
TOPIC = "topic"


@lru_cache
def topics(path: Path = TOPICS_FILE) -> Gazetteer:
    blob = path.read_bytes()
    entities: dict[str, EntityDef] = {}
    for raw in json.loads(blob):
        entity = _entity(raw, path.name)
        if entity.type != TOPIC:
            raise ValueError(f"{path.name}: {entity.id!r} is not of type {TOPIC!r}")
        # The tagger reads the name as an alias too: make it the first alias, so a stem such
        # as "licence*" is not hidden by a plain "licence" (display names: topic_name()).
        first = next((a for names in entity.aliases.values() for a in names), entity.name)
        entities[entity.id] = replace(entity, name=first)

    return Gazetteer(entities, {}, "t-" + hashlib.sha256(blob).hexdigest()[:12])


@lru_cache
def document_tagger() -> Tagger:
    return Tagger(topics(), types=(TOPIC,))


@lru_cache
def query_tagger() -> Tagger:
    return Tagger(topics(), types=(TOPIC,), query=True)


def topic_name(entity: EntityDef) -> str:
    return entity.raw.get("name", entity.name)


def topic_token(topic_id: str) -> str:
    """The index token of a topic: letters only, so every tokenizer keeps it whole."""
    return "xtopic" + "".join(ch for ch in topic_id.removeprefix("topic-") if ch.isalnum())


def topics_in(text: str) -> list[str]:
    """Ids of the topics text mentions (sorted), with those they imply (topics.json
    "implies"): the longest alias wins, so "chip equipment", 半导体设备 or 半導体製造装置 would
    hide the "chip", 半导体 they say; the equipment concept implies AI chips instead."""
    try:
        found = {hit.entity_id for hit in document_tagger().find(text)}
    except Exception:  # noqa: BLE001 - a topic is a ranking aid: never fail an article for it
        return []
    entities = topics().entities
    implied = {i for t in found for i in entities[t].raw.get("implies", ()) if i in entities}
    return sorted(found | implied)


def topic_tokens(title: str, body: str) -> list[str]:
    return [topic_token(t) for t in topics_in(title + "\n" + body)]
