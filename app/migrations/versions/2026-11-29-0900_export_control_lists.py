"""export-control lists: imports, parties, their history, links to companies, article status

Revision ID: 7c2e91d4a5b3
Revises: 3f1d8b6a2c90
Create Date: 2026-11-29 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7c2e91d4a5b3'
down_revision = '3f1d8b6a2c90'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('list_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('lists', sa.JSON(), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('malformed', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_list_imports_file_hash', 'list_imports', ['file_hash'], unique=False)

    op.create_table('list_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=700), nullable=False),
    sa.Column('list_slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('alt_names', sa.JSON(), nullable=False),
    sa.Column('addresses', sa.JSON(), nullable=False),
    sa.Column('country', sa.String(length=100), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('federal_register_notice', sa.Text(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('license_requirement', sa.Text(), nullable=True),
    sa.Column('license_policy', sa.Text(), nullable=True),
    sa.Column('source_list_url', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_index('ix_list_parties_list_slug', 'list_parties', ['list_slug'], unique=False)

    op.create_table('list_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['list_imports.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['list_parties.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_list_events_party_id', 'list_events', ['party_id'], unique=False)
    op.create_index('ix_list_events_effective_date', 'list_events', ['effective_date'], unique=False)

    op.create_table('list_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.String(length=120), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['list_parties.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('party_id', 'entity_id')
    )
    op.create_index('ix_list_links_party_id', 'list_links', ['party_id'], unique=False)
    op.create_index('ix_list_links_entity_id', 'list_links', ['entity_id'], unique=False)
    op.create_index('ix_list_links_status', 'list_links', ['status'], unique=False)

    op.create_table('article_lists',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('list_slug', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'list_slug')
    )
    op.create_index('ix_article_lists_list_slug', 'article_lists', ['list_slug'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_article_lists_list_slug', table_name='article_lists')
    op.drop_table('article_lists')
    op.drop_index('ix_list_links_status', table_name='list_links')
    op.drop_index('ix_list_links_entity_id', table_name='list_links')
    op.drop_index('ix_list_links_party_id', table_name='list_links')
    op.drop_table('list_links')
    op.drop_index('ix_list_events_effective_date', table_name='list_events')
    op.drop_index('ix_list_events_party_id', table_name='list_events')
    op.drop_table('list_events')
    op.drop_index('ix_list_parties_list_slug', table_name='list_parties')
    op.drop_table('list_parties')
    op.drop_index('ix_list_imports_file_hash', table_name='list_imports')
    op.drop_table('list_imports')
