"""Reads of the export-control lists for the CLI. Everything runs in the caller's session."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ListParty


def parties_in_order(session: Session) -> list[ListParty]:
    """Every listed party, oldest first."""
    return list(session.scalars(select(ListParty).order_by(ListParty.id)))
