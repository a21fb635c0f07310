"""load_views reads an article's row, tags and mentions in one statement (the tags and
mentions as JSON beside the row): the same views as the tables hold, on SQLite and PostgreSQL."""

from sqlalchemy import select

from app.models import Article, ArticleEntity, Mention, Source
from app.search.article_cache import load_views


def test_views_hold_what_the_tables_hold(runtime, sample):
    with runtime.sessions() as session:
        ids = sorted(session.scalars(select(Article.id)))
        missing = max(ids) + 1
        views = load_views(session, [*ids, missing])
        rows = {
            r.Article.id: r
            for r in session.execute(
                select(Article, Source.name.label("source")).outerjoin(
                    Source, Source.id == Article.source_id
                )
            )
        }
        tags: dict[int, list[str]] = {i: [] for i in ids}
        for article_id, entity_id in session.execute(
            select(ArticleEntity.article_id, ArticleEntity.entity_id)
        ):
            tags[article_id].append(entity_id)
        mentions: dict[int, list[tuple[str, int, int]]] = {i: [] for i in ids}
        for article_id, entity_id, start, end in session.execute(
            select(Mention.article_id, Mention.entity_id, Mention.start, Mention.end)
        ):
            mentions[article_id].append((entity_id, start, end))
        only_nvidia = load_views(session, ids, {"nvidia"})
        without = load_views(session, ids[:3], set())
    assert sorted(views) == ids  # the missing id is left out
    assert sum(bool(v.mentions) for v in views.values()) > 20
    for i in ids:
        view, row = views[i], rows[i]
        a = row.Article
        assert (view.id, view.title, view.body, view.url, view.lang, view.published_at,
                view.date_estimated, view.story_id, view.source) == (
            a.id, a.title, a.body, a.url, a.lang, a.published_at, a.date_estimated, a.story_id,
            row.source)
        assert sorted(view.entity_ids) == sorted(tags[i])
        assert sorted(view.mentions) == sorted(mentions[i])
        assert all(type(m) is tuple for m in view.mentions)
        assert sorted(only_nvidia[i].mentions) == sorted(m for m in mentions[i] if m[0] == "nvidia")
        assert only_nvidia[i].entity_ids == view.entity_ids
    assert all(v.mentions == () and v.entity_ids for v in without.values())
