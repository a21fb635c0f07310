"""The index outbox's one writer: "these articles changed", in the caller's transaction.

Every write that changes what a search document holds (an article stored, updated, re-tagged,
linked to a story, its list status changed) queues its articles here; the worker drains the queue
into Meilisearch (app/search/indexing.py). Only when an external engine is configured
(Runtime.outbox): the database search is written in the same transaction and never lags.
"""

from collections.abc import Iterable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import IndexOutbox


def queue_upserts(session: Session, article_ids: Iterable[int]) -> None:
    rows = [{"article_id": article_id, "op": "upsert"} for article_id in article_ids]
    if rows:
        session.execute(insert(IndexOutbox), rows)
