"""primary sources: source kinds and tags, article kinds and their primary document

sources.kind says how a source is read ("feed": RSS/Atom/JSON Feed; "federal-register": the
Federal Register documents API); sources.tags are its folders (OPML import/export).
articles.kind is "news" or "rule" (a Federal Register document); articles.rule_document holds a
rule's document number, dates, links, agencies, CFR references and docket ids.

Revision ID: 6b1f3c9e2d47
Revises: 5e1f0c2a9d47 (the gazetteer overlay; ba2c89c21431 before that merge)
Create Date: 2026-12-07 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '6b1f3c9e2d47'
down_revision = '5e1f0c2a9d47'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sources') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='feed'))
        batch.add_column(sa.Column('tags', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('articles') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='news'))
        batch.add_column(sa.Column('rule_document', sa.JSON(), nullable=True))
    op.create_index('ix_articles_kind', 'articles', ['kind'], unique=False,
                    postgresql_where=sa.text("kind <> 'news'"), sqlite_where=sa.text("kind <> 'news'"))


def downgrade() -> None:
    op.drop_index('ix_articles_kind', table_name='articles')
    with op.batch_alter_table('articles') as batch:
        batch.drop_column('rule_document')
        batch.drop_column('kind')
    with op.batch_alter_table('sources') as batch:
        batch.drop_column('tags')
        batch.drop_column('kind')
