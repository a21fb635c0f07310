"""Classify each TARGET of `chipwatch ingest` (file, directory, stdin) into a stream of items."""

import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from app.decoding import decode_bytes
from app.ingest import formats
from app.ingest.feeds import looks_like_json_feed, parse_feed
from app.ingest.items import RawItem, Rejected, RejectedInput
from app.ingest.stages import StageFailed, guarded, rejection, stage
from app.urls import BadUrl, looks_like_url, parse_url

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_LINE_BYTES = (
    MAX_FILE_BYTES  # a JSONL file may be any size, one of its lines no larger than a file
)


class UsageError(ValueError):
    """A target that cannot be read at all (missing path, unsupported URL): exit code 2."""


def is_url(target: str) -> bool:
    return looks_like_url(target)


def check_targets(targets: list[str]) -> None:
    for target in targets:
        if target == "-":
            continue
        if is_url(target):
            try:
                parse_url(target)
            except BadUrl as exc:
                raise UsageError(f"{target}: {exc}") from None
            continue
        if not Path(target).exists():
            raise UsageError(f"no such file or directory: {target}")


def expand(targets: list[str], settings=None, is_known=None) -> Iterator[RawItem | Rejected]:
    """Items of every target; URLs are fetched under `settings` (default: the environment's)."""
    for target in targets:
        if target == "-":
            yield from from_bytes(sys.stdin.buffer.read(), "stdin", suffix=None)
        elif is_url(target):
            from app.ingest.fetch_targets import from_url  # network code only when asked

            if settings is None:
                from app.config import get_settings

                settings = get_settings()
            try:
                url = parse_url(target)
            except BadUrl as exc:
                yield Rejected(target, f"bad url: {exc}", stage="url")
                continue
            yield from guarded(partial(from_url, url, settings, is_known=is_known), target, "read")
        else:
            path = Path(target)
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for file in files:
                if file.name.startswith("."):
                    continue
                yield from from_file(file)


def from_file(path: Path) -> Iterator[RawItem | Rejected]:
    """The items of one file; an error reading or parsing it is that file's rejection (items
    read before the error are kept)."""
    yield from guarded(lambda: _from_file(path), str(path), "read")


def _from_file(path: Path) -> Iterator[RawItem | Rejected]:
    suffix = path.suffix.lower()
    if suffix not in formats.SUPPORTED:
        yield Rejected(str(path), f"unsupported file type {suffix!r}")
        return
    if suffix in formats.JSONL_SUFFIXES:
        yield from _jsonl_file(path)  # streamed: any size, each line at most MAX_LINE_BYTES
        return
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        yield Rejected(str(path), f"file too large ({size} bytes, at most {MAX_FILE_BYTES})")
        return
    yield from from_bytes(path.read_bytes(), str(path), suffix)


def _jsonl_file(path: Path) -> Iterator[RawItem | Rejected]:
    """Streamed line by line, so a large JSONL file never sits in memory whole."""
    with path.open("rb") as fh:
        number = 0
        while raw := fh.readline(MAX_LINE_BYTES + 1):
            number += 1
            where = f"{path}:{number}"
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                size = len(raw)
                while (rest := fh.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    size += len(rest)  # skip the rest of the line, counting it
                size += len(rest)
                yield Rejected(where, f"line too large ({size} bytes, at most {MAX_LINE_BYTES})")
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield Rejected(where, f"not UTF-8 (byte {exc.start + 1} of the line: {exc.reason})")
                continue
            # A stray NUL byte is dropped, as decode_bytes does for whole files.
            item = formats.from_json_line(line.replace("\x00", ""), where)
            if item is not None:
                yield item


def from_bytes(data: bytes, origin: str, suffix: str | None) -> Iterator[RawItem | Rejected]:
    try:
        with stage("decode"):
            text = decode_bytes(data)
    except (RejectedInput, StageFailed) as exc:
        yield rejection(origin, exc)
        return
    if suffix is None:
        suffix = _sniff(text)
    yield from guarded(lambda: _parse(text, origin, suffix), origin, "parse")


def _parse(text: str, origin: str, suffix: str) -> Iterator[RawItem | Rejected]:
    if suffix in formats.JSON_SUFFIXES:
        yield from (
            parse_feed(text, origin)
            if looks_like_json_feed(text)
            else formats.from_json(text, origin)
        )
    elif suffix in formats.JSONL_SUFFIXES:
        yield from formats.from_json_lines(iter(text.splitlines()), origin)
    elif suffix in formats.FEED_SUFFIXES:
        yield from parse_feed(text, origin)
    elif suffix in formats.HTML_SUFFIXES:
        # Extracted with the other steps of reading (in a worker process for large inputs).
        yield RawItem(origin=origin, html=text, page=True)
    elif suffix in formats.MARKDOWN_SUFFIXES:
        yield formats.from_markdown(text, origin)
    else:
        yield formats.from_text(text, origin)


def _sniff(text: str) -> str:
    head = text.lstrip()[:200].lower()
    if head.startswith("["):
        return ".json"
    if head.startswith("{"):
        first = text.lstrip().split("\n", 1)[0].strip()
        return ".json" if not first.endswith("}") or "\n{" not in text else ".jsonl"
    if head.startswith("<?xml") or head.startswith("<rss") or head.startswith("<feed"):
        return ".xml"
    if head.startswith("<!doctype html") or head.startswith("<html"):
        return ".html"
    return ".txt"
