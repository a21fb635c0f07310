"""feed polling and near-duplicates: source leases, feed items, article lookup keys

Revision ID: 3f1d8b6a2c90
Revises: e15f3d2bd347
Create Date: 2026-11-28 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3f1d8b6a2c90'
down_revision = 'e15f3d2bd347'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_sources_next_check_at', ['next_check_at'], unique=False)

    op.create_table('feed_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'key')
    )
    op.create_table('article_keys',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'key')
    )
    op.create_index('ix_article_keys_key_day', 'article_keys', ['key', 'day'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_article_keys_key_day', table_name='article_keys')
    op.drop_table('article_keys')
    op.drop_table('feed_items')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index('ix_sources_next_check_at')
        batch_op.drop_column('lease_owner')
        batch_op.drop_column('lease_until')
