"""Errors shared across packages."""

import traceback
from pathlib import Path

MAX_MESSAGE = 300


class RejectedInput(Exception):
    """An input that cannot become an article; the message is the reason shown to users."""

    stage: str | None = None  # the innermost stage that refused it, set by ingest's stage()


def failure_reason(stage: str, error: BaseException) -> str:
    """ "extract failed: AssertionError (in drop_tree, lxml/html/__init__.py:320)"."""
    message = " ".join(str(error).split())[:MAX_MESSAGE]
    if message:
        return f"{stage} failed: {type(error).__name__}: {message}"
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return f"{stage} failed: {type(error).__name__}"
    last = frames[-1]
    where = "/".join(Path(last.filename).parts[-3:])
    return f"{stage} failed: {type(error).__name__} (in {last.name}, {where}:{last.lineno})"
