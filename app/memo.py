"""A bounded memo: a dict that starts afresh when it holds `limit` entries.

Used where values are read far more often than made and a lost entry only costs its remaking
(the linker's per-sentence facts, a search's facet counts): clearing when full needs no lock,
each operation being one dict operation, and keeps memory bounded without the bookkeeping of
an LRU. Its values are shared between readers, so never to be mutated.

    known = memo.get(key)
    if known is None:
        known = memo.keep(key, compute())
"""

from typing import ClassVar, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")


class BoundedMemo(dict[_K, _V]):
    __slots__ = ()
    limit: ClassVar[int]  # entries before it starts afresh: each subclass sets its own

    def keep(self, key: _K, value: _V) -> _V:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
