"""The notes table (defined in app/models.py with every table; schema: the accounts migration)."""

from app.models import Note  # noqa: F401
