"""A feed source as a worker holds it while polling: its lease and what the last poll left."""

import time
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass
class Claim:
    id: int
    name: str
    url: str
    lang: str | None
    etag: str | None
    last_modified: str | None
    interval: int
    failures: int
    owner: str
    offset: timedelta = timedelta(0)  # the caller's clock minus the real one (tests move time)
    renewed: float = field(default_factory=time.monotonic)
    kind: str = "feed"  # how the source is read (app/ingest/sources.py KINDS)


class LeaseLost(Exception):
    """Another worker took the source over (our lease ran out): stop, it carries on."""
