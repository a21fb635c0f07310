"""search tokens with word forms and accent folding: rewrite the database search rows

The database search (FTS5 on SQLite, the token array on PostgreSQL) now holds each article's
folded words (accents removed on Latin, Greek and Cyrillic letters) followed by its word
forms (app.wordforms). Rows written by earlier versions are rewritten here, from the
articles and their tags, with the same function ingestion uses (app.search.database.
search_text). Meilisearch documents from earlier versions (without the `terms` attribute)
are found by the worker, which rebuilds the Meilisearch index once (app.search.indexing).
`chipwatch index rebuild` does both by hand. On PostgreSQL, a table of the index's words
(search_vocabulary) answers prefix queries.

Revision ID: 00f16cf983c4
Revises: b6e3f0a9c412
Create Date: 2026-12-06 23:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '00f16cf983c4'
down_revision = 'b6e3f0a9c412'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    from app.search.database import rewrite_search_rows

    if op.get_bind().dialect.name == "postgresql":
        # The words of the index, for prefix queries (SQLite reads FTS5's own vocabulary).
        # Byte order ("C"): a prefix is a range of the primary key.
        op.execute('CREATE TABLE IF NOT EXISTS search_vocabulary (term text COLLATE "C" PRIMARY KEY)')
    rewrite_search_rows(op.get_bind())


def downgrade() -> None:
    # Earlier versions read the search rows as they are: the extra word forms are tokens no
    # query of theirs makes.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS search_vocabulary")
