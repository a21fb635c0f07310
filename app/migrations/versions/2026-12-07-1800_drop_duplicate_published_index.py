"""drop ix_articles_published_at: ix_articles_published_id (published_at, id) covers it

Every query on articles.published_at (date ranges, newest/oldest order, the writer's
candidate windows) can use the composite index's leading column; on SQLite the two indexes
held the very same entries (each index entry carries the rowid, which is articles.id). The
single-column one only cost an extra index write per stored article.

Revision ID: 5b1e9c3a7d20
Revises: 8c4e2a7d1f63 (lists version)
Create Date: 2026-12-07 18:00:00
"""
from alembic import op


revision = '5b1e9c3a7d20'
down_revision = '8c4e2a7d1f63'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain DROP INDEX (no batch mode: nothing here needs SQLite's table copy)
    op.drop_index('ix_articles_published_at', table_name='articles')


def downgrade() -> None:
    op.create_index('ix_articles_published_at', 'articles', ['published_at'], unique=False)
