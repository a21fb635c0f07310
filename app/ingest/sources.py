"""Sources the worker polls: add, list, remove, and their state. The caller owns the transaction."""

import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpcore
from sqlalchemy.orm import Session, sessionmaker

from app.ingest import normalize as nz
from app.ingest import repository
from app.ingest.fetch import Fetcher, FetchError, Resolver, system_resolver
from app.models import Source, as_utc
from app.urls import BadUrl, parse_url

MIN_INTERVAL = 5  # minutes
MAX_INTERVAL = 7 * 24 * 60
# How a source is read: a feed (RSS, Atom, JSON Feed), or the Federal Register documents API
# (app/ingest/federal_register.py), whose documents become articles of kind "rule".
KINDS = ("feed", "federal-register")
MAX_TAGS = 20


class SourceError(ValueError):
    """A source that cannot be added or found; the message is shown to users."""


def check_feed_url(url: str) -> str:
    """The feed URL cleaned (app/urls.py), or SourceError saying what is wrong with it."""
    try:
        return parse_url(url)
    except BadUrl as exc:
        raise SourceError(f"{(url or '').strip()[:200]!r} cannot be polled: {exc}") from None


def check_feed_address(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> None:
    """The poller's address rules, applied when a source is added (CLI and /admin) rather than
    on its first poll: a host that is, or resolves to, a loopback, private, link-local or other
    non-public address is refused with the poller's message, unless CHIPWATCH_ALLOW_PRIVATE_URLS
    is set. A name that does not resolve yet is let through (the poller reports it)."""
    if allow_private:
        return
    fetcher = Fetcher(allow_private=False, resolver=resolver or system_resolver)
    try:
        fetcher.check_url(url)  # scheme, host, literal addresses
        host = urlsplit(url).hostname or ""
        try:
            ipaddress.ip_address(host)
            return  # a literal address, checked above
        except ValueError:
            pass
        try:
            addresses = fetcher.resolver(host, urlsplit(url).port or 443)
        except (httpcore.ConnectError, OSError, UnicodeError):
            return
        for address in addresses:
            fetcher.check_address(host, address)
    except FetchError as exc:
        raise SourceError(exc.reason) from None


def clean_tags(tags: list[str]) -> list[str]:
    """Tags (folders) as stored: trimmed, one space between words, no commas (OPML's category
    separator), at most 100 characters, each once, in first-seen order."""
    out: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).replace(",", " ").split())[:100]
        if tag and tag not in out:
            out.append(tag)
    return out


def add_source(
    session: Session,
    url: str,
    *,
    name: str | None = None,
    lang: str | None = None,
    interval: int = 60,
    kind: str = "feed",
    tags: list[str] | None = None,
) -> Source:
    """Register a feed; the worker polls it on its next round."""
    url = check_feed_url(url)
    if kind not in KINDS:
        raise SourceError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    tags = clean_tags(tags or [])
    if len(tags) > MAX_TAGS:
        raise SourceError(f"more than {MAX_TAGS} tags")
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        raise SourceError(f"interval must be between {MIN_INTERVAL} and {MAX_INTERVAL} minutes")
    lang = (lang or "").strip().lower() or None
    if lang and not nz.LANG_CODE.match(lang):
        raise SourceError(f"{lang!r} is not a language code such as ar, en, zh, fr")
    name = (name or "").strip() or default_name(url)
    if len(name) > 200:
        raise SourceError("name longer than 200 characters")
    existing = repository.source_with_url(session, url)
    if existing is not None:
        raise SourceError(f"{url} is already the source {existing.name!r}")
    source = repository.source_named(session, name)
    if source is not None and source.url:
        raise SourceError(f"the name {name!r} is taken by {source.url}")
    if source is None:
        # A name given at `ingest --source` becomes a polled source, keeping its articles.
        source = Source(name=name)
        session.add(source)
    source.url, source.lang, source.interval_minutes = url, lang, interval
    source.kind, source.tags = kind, tags
    source.next_check_at = datetime.now(UTC)
    source.consecutive_failures, source.items_seen = 0, 0
    source.etag = source.last_modified = source.last_error = None
    session.flush()
    return source


def default_name(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def find_source(session: Session, ref: str) -> Source:
    """A polled source by name, URL or id."""
    ref = ref.strip()
    source = repository.polled_source(session, ref)
    if source is None:
        raise SourceError(f"no polled source named {ref!r}")
    return source


def list_sources(session: Session) -> list[Source]:
    return repository.polled_sources(session)


def remove_source(session: Session, ref: str) -> tuple[Source, bool]:
    """Stop polling a source. Its articles stay; the row goes only when none refer to it.

    Returns the source and whether its row was deleted.
    """
    source = find_source(session, ref)
    repository.delete_feed_items_of(session, source.id)
    used = repository.article_count_of(session, source.id)
    if not used:
        session.delete(source)
        session.flush()
        return source, True
    source.url = source.etag = source.last_modified = source.next_check_at = None
    source.lease_until = source.lease_owner = None
    session.flush()
    return source, False


def source_state(source: Source) -> dict:
    """What /admin and `sources list` show for a source."""

    def when(value: datetime | None) -> str | None:
        return as_utc(value).isoformat(timespec="seconds") if value else None

    return {
        "id": source.id,
        "name": source.name,
        "url": source.url,
        "lang": source.lang,
        "interval_minutes": source.interval_minutes,
        "kind": source.kind or "feed",
        "tags": list(source.tags or []),
        "next_check_at": when(source.next_check_at),
        "last_success_at": when(source.last_success_at),
        "last_error": source.last_error,
        "consecutive_failures": source.consecutive_failures,
        "items_seen": source.items_seen,
    }


def article_url_known(sessions: sessionmaker[Session]) -> Callable[[str], bool]:
    """A check for "is an article with this URL stored already?", to skip fetching its page."""

    def known(url: str) -> bool:
        canonical = nz.lookup_url(url)
        if canonical is None:
            return False
        with sessions() as session:
            return repository.article_url_stored(session, canonical)

    return known
