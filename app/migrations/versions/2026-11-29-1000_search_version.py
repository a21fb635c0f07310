"""search version: a counter bumped whenever what Meilisearch answers changes

Revision ID: 9a4c1e7b2d60
Revises: 7c2e91d4a5b3
Create Date: 2026-11-29 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9a4c1e7b2d60'
down_revision = '7c2e91d4a5b3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'search_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    op.drop_table('search_state')
