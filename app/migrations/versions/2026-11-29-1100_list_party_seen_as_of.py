"""list parties: the newest file date that had each party (an older file never undoes it)

Revision ID: 5d8f2a61c3e7
Revises: 9a4c1e7b2d60
Create Date: 2026-11-29 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5d8f2a61c3e7'
down_revision = '9a4c1e7b2d60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('list_parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_as_of', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('list_parties', schema=None) as batch_op:
        batch_op.drop_column('seen_as_of')
