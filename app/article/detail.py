"""One article as its page and /api/articles/{id} show it (app/article/schemas.py ArticleOut)."""

from sqlalchemy.orm import Session

from app.article import repository as repo
from app.gazetteer.documents import primary_document
from app.search.entity_cache import entity_names
from app.search.service import summaries
from app.search.snippet import make_snippet


def restriction_links(session: Session, article_id: int) -> list[dict]:
    """The restrictions an article is linked to, each with its role and the reason of the link."""
    rows = repo.restriction_tags(session, article_id)
    names = entity_names(session, {r[0] for r in rows})
    data = repo.restriction_data(session, {r[0] for r in rows})
    return [
        {
            "id": eid,
            "name": names.get(eid, ("", eid))[1],
            "role": role,
            "reason": why or ("named in the text" if tag in ("mention", "title") else tag),
            "document": primary_document(data.get(eid)),
        }
        for eid, role, why, tag in rows
    ]


def article_detail(session: Session, article_id: int) -> dict | None:
    article = repo.get(session, article_id)
    if article is None:
        return None
    detail = summaries(session, [article_id])[0]
    detail["snippet"] = make_snippet(article.body, [])
    detail.update(
        {
            "restrictions": restriction_links(session, article_id),
            "duplicates": repo.duplicates_of(session, article_id),
            "body": article.body,
            "cited_sources": article.cited_sources or [],
            "mentions": [
                {"entity_id": m.entity_id, "surface": m.surface, "start": m.start, "end": m.end}
                for m in repo.mentions_of(session, article_id)
            ],
            "same_story": repo.same_story(session, article) if article.story_id else [],
            "duplicate_of": article.duplicate_of,
            "gazetteer_version": article.gazetteer_version,
            "kind": article.kind or "news",
            "rule_document": article.rule_document,  # a Federal Register rule's number, dates, links
        }
    )
    return detail
