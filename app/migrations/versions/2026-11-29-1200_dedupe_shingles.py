"""near-duplicates at scale: stored shingles, and a covering index for the key lookups

article_shingles keeps each article's shingle hashes (app/ingest/dedupe.py), so confirming a
near-duplicate candidate reads them instead of re-reading and re-cutting its text; articles
stored before this revision get theirs when they first come up as a candidate.
ix_article_keys_key_day_article replaces ix_article_keys_key_day: with article_id in the index,
the candidate lookups never visit the table.

Revision ID: b6e3f0a9c412
Revises: 5d8f2a61c3e7
Create Date: 2026-11-29 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b6e3f0a9c412'
down_revision = '5d8f2a61c3e7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('article_shingles',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('shingles', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id')
    )
    op.create_index('ix_article_keys_key_day_article', 'article_keys', ['key', 'day', 'article_id'],
                    unique=False)
    op.drop_index('ix_article_keys_key_day', table_name='article_keys')


def downgrade() -> None:
    op.create_index('ix_article_keys_key_day', 'article_keys', ['key', 'day'], unique=False)
    op.drop_index('ix_article_keys_key_day_article', table_name='article_keys')
    op.drop_table('article_shingles')
