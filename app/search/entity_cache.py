"""The gazetteer's entities as read from the database, held in memory per database.

Every search names its facet values and its hits' tags and checks its entity filters, and
every timeline lists the restrictions of its range: queries on a table that changes only
when the gazetteer is synced. Each map is loaded once per engine, reloaded after TTL
seconds, and at once when an id asked for is missing (an entity added since), so a search
costs no query for them.
"""

import threading
import time
import weakref
from collections.abc import Callable, Set
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from app.gazetteer import repository

TTL = 30.0  # seconds a loaded map is trusted for renames and removals

_caches: dict[str, "weakref.WeakKeyDictionary[Engine | Connection, tuple[float, object]]"] = {}
_lock = threading.Lock()


def _cached(session: Session, what: str, load: Callable[[Session], object], stale=lambda v: False):
    cache = _caches.setdefault(what, weakref.WeakKeyDictionary())
    hit = cache.get(session.get_bind())
    if hit is None or time.monotonic() - hit[0] > TTL or stale(hit[1]):
        value = load(session)
        with _lock:
            cache[session.get_bind()] = (time.monotonic(), value)
        return value
    return hit[1]


def entity_names(session: Session, wanted: Set[str] = frozenset()) -> dict[str, tuple[str, str]]:
    """id -> (type, name) of every entity; fresh for every id of wanted that exists."""
    return _cached(
        session, "names", repository.types_and_names, stale=lambda names: not wanted <= names.keys()
    )


@dataclass(frozen=True)
class Restriction:
    id: str
    date: date
    name: str
    concerns: frozenset[str]  # the entities it names
    issuer: str | None


def restrictions(session: Session) -> list[Restriction]:
    """Every dated restriction, oldest first."""

    def load(s: Session) -> list[Restriction]:
        return [
            Restriction(
                rx.id,
                cast(date, rx.date),
                rx.name,  # (dated ones only)
                frozenset(e for ids in (rx.data or {}).get("concerns", {}).values() for e in ids),
                (rx.data or {}).get("issuer"),
            )
            for rx in repository.dated_restrictions(s)
        ]

    return _cached(session, "restrictions", load)


def clear() -> None:
    """Forget every loaded map (after a gazetteer change in this process)."""
    with _lock:
        _caches.clear()
