"""What the database search holds for an article, as plain values (no SQL: the rows are written
by app/search/repository.py): its search text (title marks, tokens, word forms, topic concepts),
the FTS5 `ents` column and the PostgreSQL token array."""

from app.gazetteer import default as default_gazetteer
from app.search.concepts import topic_tokens
from app.text import index_tokens, term_groups
from app.wordforms import FORM_MARK, document_forms
from app.words import folded_words

ENTITY_TOKEN = "~"  # prefix of entity tokens in the PostgreSQL array; never made by index_tokens

TITLE_MARK = "^"  # title tokens are also written marked: PostgreSQL ranks title matches first,
# and FTS5's tokenizer drops the mark, so a title word counts twice in bm25().

TITLE_ENTITY = "xtitle"  # FTS5: an entity named in the title, also written as xtitle<id>
ENTS_WEIGHT = 3.0  # bm25() weight of the ents column (tags) against the text (1.0)


def fts_entity(entity_id: str) -> str:
    return entity_id.replace("-", "")


def search_text(title: str, body: str, lang: str | None) -> str:
    """What the database search holds for an article: its title tokens marked (ranking), its
    tokens in order (phrases need positions), its word forms, each marked with FORM_MARK
    (app.wordforms), and the tokens of the topic concepts it mentions (app.search.concepts)."""
    return search_document(title, body, lang)[0]


def search_document(title: str, body: str, lang: str | None) -> tuple[str, set[str]]:
    """(search_text(title, body, lang), the title's marked tokens without their mark: what
    titled_entities reads back from the text), each piece worked out once."""
    title_words = index_tokens(title)
    # An ASCII body's tokens are its folded words, just cut for its content hash and shingles.
    body_words = list(folded_words(body)) if body.isascii() else index_tokens(body)
    # index_tokens folds and splits character by character and "\n" separates words, so the
    # tokens of title + "\n" + body are the title's followed by the body's.
    tokens = title_words + body_words
    forms = sorted(document_forms(tokens, lang))
    title_tokens = dict.fromkeys(title_words + topic_tokens(title, ""))
    joined = " ".join(
        [TITLE_MARK + t for t in title_tokens]
        + tokens
        + [FORM_MARK + f for f in forms]
        + topic_tokens(title, body)
    )
    return joined, set(title_tokens)


def title_entity_ids(title_tokens: set[str], entity_ids, gazetteer=None) -> list[str]:
    """The entities among entity_ids that the title names (all words of one alias in it)."""
    groups = _alias_groups(gazetteer or default_gazetteer())
    found = []
    for e in entity_ids:
        words, aliases = groups.get(e, _NO_ALIASES)
        # An alias is in the title only if some word of the entity's aliases is: most tags are
        # not, and are then settled by one set test instead of a test per alias and word.
        if not words.isdisjoint(title_tokens) and any(
            all(not g.isdisjoint(title_tokens) for g in alias) for alias in aliases
        ):
            found.append(e)
    return found


_AliasGroups = tuple[frozenset[str], list[list[frozenset[str]]]]
_NO_ALIASES: _AliasGroups = (frozenset(), [])
_ALIAS_GROUPS: dict[str, dict[str, _AliasGroups]] = {}


def _alias_groups(gazetteer) -> dict[str, _AliasGroups]:
    """entity id -> (every token of its aliases, for each alias its term groups (each a set of
    interchangeable tokens))."""
    cached = _ALIAS_GROUPS.get(gazetteer.version)
    if cached is None:
        cached = {}
        for entity in gazetteer.entities.values():
            aliases = []
            for alias in entity.all_aliases():
                groups = [frozenset(g) for g in term_groups(alias)]
                if groups:
                    aliases.append(groups)
            cached[entity.id] = (frozenset().union(*(g for a in aliases for g in a)), aliases)
        _ALIAS_GROUPS[gazetteer.version] = cached
    return cached


def titled_entities(joined: str, entity_ids) -> list[str]:
    """The entities among entity_ids (in their order) named in the title of an article whose
    search_text is joined. Ingestion works it out in its worker processes and hands it to
    fts_ents / pg_tokens, so the writing process does not."""
    title = {t[len(TITLE_MARK) :] for t in joined.split(" ") if t.startswith(TITLE_MARK)}
    return title_entity_ids(title, entity_ids) if title else []


def fts_ents(joined: str, entity_ids, titled: list[str] | None = None) -> str:
    """The FTS5 ents column: entity ids, and again (marked) those the title names (`titled`:
    titled_entities(joined, entity_ids), when already known)."""
    if titled is None:
        titled = titled_entities(joined, entity_ids)
    return " ".join(
        [fts_entity(e) for e in entity_ids] + [TITLE_ENTITY + fts_entity(e) for e in titled]
    )


def pg_tokens(joined: str, entity_ids, titled: list[str] | None = None) -> list[str]:
    """The PostgreSQL token array: tokens, entity tags, and title-marked tags of the entities
    the title names (`titled`, as in fts_ents)."""
    if titled is None:
        titled = titled_entities(joined, entity_ids)
    return (
        (sorted(set(joined.split(" "))) if joined else [])
        + [ENTITY_TOKEN + e for e in entity_ids]
        + [TITLE_MARK + ENTITY_TOKEN + e for e in titled]
    )


def vocabulary_words(tokens) -> list[str]:
    """The index's words among tokens (not forms, tags or title marks), sorted: PostgreSQL's
    search_vocabulary takes them, in the same order for every writer (same lock order)."""
    return sorted(
        {t for t in tokens if t and not t.startswith((FORM_MARK, ENTITY_TOKEN, TITLE_MARK))}
    )
