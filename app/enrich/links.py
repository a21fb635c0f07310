"""What the linker says about one restriction an article is linked to."""

from dataclasses import dataclass

ROLES = ("reported", "context")


@dataclass(frozen=True)
class RestrictionLink:
    role: str  # "reported": the article's news; "context": referred back to
    reason: str  # why it was linked, for people ("H20 + licence + April 2025")
    score: float = 1.0  # the linker's confidence (1.0 for a restriction named by its alias)


TAG_COLUMNS = ("article_id", "entity_id", "entity_type", "reason", "role", "link_reason")


def tag_rows(article_id: int, tags: dict[str, str], links: dict, entities: dict) -> list[tuple]:
    """article_entities rows of one article: every tag, restrictions with their role and reason.
    `links`: restriction id -> RestrictionLink or (role, reason)."""
    rows = []
    for eid, reason in tags.items():
        link = links.get(eid)
        role, why = (
            (link.role, link.reason)
            if isinstance(link, RestrictionLink)
            else (link or (None, None))
        )
        rows.append((article_id, eid, entities[eid].type, reason, role, why))
    return rows
