"""gazetteer review: suggestions, the overlay of accepted changes, re-tag jobs

Revision ID: 5e1f0c2a9d47
Revises: ba2c89c21431
Create Date: 2026-12-07 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5e1f0c2a9d47'
down_revision = 'ba2c89c21431'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'gazetteer_suggestions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('type', sa.String(length=12), nullable=False),
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('of', sa.String(length=100), nullable=True),
        sa.Column('parent', sa.String(length=100), nullable=True),
        sa.Column('origin', sa.String(length=40), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('examples', sa.JSON(), nullable=False),
        sa.Column('article_ids', sa.JSON(), nullable=False),
        sa.Column('decided_by', sa.String(length=120), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('change_id', sa.Integer(), nullable=True),
        sa.UniqueConstraint('type', 'key', name='uq_gazetteer_suggestions_type_key'),
    )
    op.create_index('ix_gazetteer_suggestions_status', 'gazetteer_suggestions', ['status'])
    op.create_table(
        'gazetteer_changes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('entity_id', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=True),
        sa.Column('by', sa.String(length=120), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('suggestion_id', sa.Integer(), nullable=True),
    )
    op.create_index('ix_gazetteer_changes_entity_id', 'gazetteer_changes', ['entity_id'])
    op.create_table(
        'retag_jobs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('entity_ids', sa.JSON(), nullable=False),
        sa.Column('names', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('retagged', sa.Integer(), nullable=False),
        sa.Column('scanned_to', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
    )
    op.create_index('ix_retag_jobs_status', 'retag_jobs', ['status'])


def downgrade() -> None:
    op.drop_index('ix_retag_jobs_status', table_name='retag_jobs')
    op.drop_table('retag_jobs')
    op.drop_index('ix_gazetteer_changes_entity_id', table_name='gazetteer_changes')
    op.drop_table('gazetteer_changes')
    op.drop_index('ix_gazetteer_suggestions_status', table_name='gazetteer_suggestions')
    op.drop_table('gazetteer_suggestions')
