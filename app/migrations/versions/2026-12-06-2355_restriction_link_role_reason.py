"""restriction links: role (reported or context) and the reason of each link

article_entities rows of restrictions say whether the article reports the action (its news)
or refers back to it (context), and why it was linked ("resolved: H20 + licence + April 2025").
Both are NULL for other entity types and for articles tagged before this revision (`chipwatch
enrich --all` fills them).

Revision ID: ba2c89c21431
Revises: 204d95ef27c7
Create Date: 2026-12-06 23:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'ba2c89c21431'
down_revision = '204d95ef27c7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('article_entities') as batch:
        batch.add_column(sa.Column('role', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('link_reason', sa.Text(), nullable=True))
    op.create_index('ix_article_entities_entity_role', 'article_entities', ['entity_id', 'role'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_article_entities_entity_role', table_name='article_entities')
    with op.batch_alter_table('article_entities') as batch:
        batch.drop_column('link_reason')
        batch.drop_column('role')
