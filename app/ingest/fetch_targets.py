"""Article and feed URLs given to `chipwatch ingest`."""

from collections.abc import Iterator

from app.ingest.items import RawItem, Rejected


def from_url(url: str) -> Iterator[RawItem | Rejected]:
    yield Rejected(url, "fetching URLs is not available in this version: save the page or feed to a file")
