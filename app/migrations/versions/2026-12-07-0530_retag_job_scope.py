"""re-tag job scope: a job re-tags what one gazetteer change concerns, or every article

retag_jobs.scope is "change" (the articles one overlay change may concern; change_id names it)
or "all" (every article: `chipwatch enrich --all`, which has no change, so change_id is NULL).
Both kinds run in the same chunked, resumable job runner (app/article/retag.py).

Revision ID: 3d8a5f1c7b92
Revises: 6b1f3c9e2d47 (primary sources)
Create Date: 2026-12-07 05:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3d8a5f1c7b92'
down_revision = '6b1f3c9e2d47'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('retag_jobs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('scope', sa.String(length=10), nullable=False, server_default='change')
        )
        batch_op.alter_column('change_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM retag_jobs WHERE scope = 'all'")
    with op.batch_alter_table('retag_jobs', schema=None) as batch_op:
        batch_op.alter_column('change_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('scope')
