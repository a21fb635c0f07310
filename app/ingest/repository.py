"""Reads of sources and rejected input for the admin page. Everything runs in the caller's
session."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Rejection, Source


def sources_by_name(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def latest_rejections(session: Session, limit: int = 50) -> list[Rejection]:
    return list(session.scalars(select(Rejection).order_by(Rejection.id.desc()).limit(limit)))
