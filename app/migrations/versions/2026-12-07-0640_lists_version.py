"""lists version: a counter bumped in every transaction that changes export-control lists

search_state.lists_version moves with each list import or link decision, so every process
(web, worker, CLI) sees a list change at its next read of the row instead of after a 30 s
cache lifetime (app/lists/status.py keys its list actions by it; cached search pages too).

Revision ID: 8c4e2a7d1f63
Revises: 3d8a5f1c7b92 (re-tag job scope)
Create Date: 2026-12-07 06:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '8c4e2a7d1f63'
down_revision = '3d8a5f1c7b92'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('lists_version', sa.BigInteger(), nullable=False, server_default='0')
        )


def downgrade() -> None:
    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.drop_column('lists_version')
