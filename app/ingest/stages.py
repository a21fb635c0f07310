"""Per-item isolation: whatever a third-party parser raises on one input is that input's rejection.

Each step of reading an item runs inside `stage(name)`. An exception there (lxml's
AssertionError in drop_tree, a RecursionError on deep markup, a codec's LookupError) becomes
StageFailed, which the caller turns into a Rejected naming the origin, the stage and the
exception's class and message; the run goes on with the next item. RejectedInput (our own,
already worded reasons) passes through unchanged.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from app.errors import failure_reason
from app.ingest.items import Rejected, RejectedInput

STAGES = (
    "read",
    "decode",
    "parse",
    "extract",
    "clean",
    "url",
    "dates",
    "language",
    "tagging",
    "near-duplicate check",
    "search tokens",
)

_current = ["read"]  # the stage running now in this process (workers are single-threaded)


class StageFailed(Exception):
    def __init__(self, stage: str, error: BaseException):
        super().__init__(stage, error)
        self.stage, self.error = stage, error

    @property
    def reason(self) -> str:
        return failure_reason(self.stage, self.error)


class ItemTimeLimit(Exception):
    """Raised inside a worker when an item has used up its CPU time (app/ingest/pool.py)."""

    stage: str | None = None  # the stage the budget ran out in, set by stage()


def current_stage() -> str:
    return _current[0]


@contextmanager
def stage(name: str):
    outer = _current[0]
    _current[0] = name
    try:
        yield
    except RejectedInput as exc:
        if getattr(exc, "stage", None) is None:
            exc.stage = name  # the innermost stage that refused the item
        raise
    except ItemTimeLimit as exc:
        if getattr(exc, "stage", None) is None:
            exc.stage = name  # the stage the budget ran out in
        raise
    except StageFailed:
        raise
    except Exception as exc:
        raise StageFailed(name, exc) from exc
    finally:
        _current[0] = outer


def rejection(origin: str, exc: BaseException) -> Rejected:
    """The Rejected for an exception caught around a staged step."""
    if isinstance(exc, StageFailed):
        return Rejected(origin, exc.reason, stage=exc.stage)
    if isinstance(exc, RejectedInput):
        return Rejected(origin, str(exc), stage=getattr(exc, "stage", None) or current_stage())
    return Rejected(origin, failure_reason(current_stage(), exc), stage=current_stage())


def guarded(items: Callable[[], Iterable], origin: str, name: str) -> Iterator:
    """The items a parser yields; when it raises midway, what it yielded so far and then one
    rejection of the rest of the input (a generator cannot go on after raising)."""
    try:
        with stage(name):
            yield from items()
    except (StageFailed, RejectedInput) as exc:
        yield rejection(origin, exc)
