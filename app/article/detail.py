"""One article as its page and /api/articles/{id} show it (app/article/schemas.py ArticleOut)."""

from sqlalchemy.orm import Session

from app.article import repository as repo
from app.search.service import summaries
from app.search.snippet import make_snippet


def article_detail(session: Session, article_id: int) -> dict | None:
    article = repo.get(session, article_id)
    if article is None:
        return None
    detail = summaries(session, [article_id])[0]
    detail["snippet"] = make_snippet(article.body, [])
    detail.update({
        "duplicates": repo.duplicates_of(session, article_id),
        "body": article.body, "cited_sources": article.cited_sources or [],
        "mentions": [{"entity_id": m.entity_id, "surface": m.surface, "start": m.start,
                      "end": m.end} for m in repo.mentions_of(session, article_id)],
        "same_story": repo.same_story(session, article) if article.story_id else [],
        "duplicate_of": article.duplicate_of,
        "gazetteer_version": article.gazetteer_version,
    })
    return detail
