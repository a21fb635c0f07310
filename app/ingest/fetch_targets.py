"""Article and feed URLs: fetched safely, told apart by content, feed items completed from their pages.

A feed item's own text is often a teaser, so each new item's article page is fetched and its main
text extracted (trafilatura). When the page cannot be fetched or read, the feed's own content is
used and the fact recorded in the item's origin: "<feed>#<id> [feed text: <why>]".
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from app.ingest import normalize as nz
from app.ingest.feeds import looks_like_json_feed, parse_feed, root_element
from app.ingest.fetch import Fetcher, FetchError, FetchResult
from app.ingest.formats import fragment_text, html_to_item
from app.ingest.items import RawItem, Rejected, RejectedInput
from app.ingest.stages import StageFailed, guarded, rejection, stage

MAX_PAGES = 100  # article pages fetched per feed read; the rest keep their feed text
FEED_TEXT = "feed text"
FEED_ROOTS = {"rss", "feed", "rdf:rdf", "rdf", "channel"}
FEED_MEDIA = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "application/x-atom+xml",
    "application/feed+json",
}
HTML_MEDIA = {"text/html", "application/xhtml+xml"}
KnownUrl = Callable[[str], bool]


def from_url(
    url: str, settings, *, fetcher: Fetcher | None = None, is_known: KnownUrl | None = None
) -> Iterator[RawItem | Rejected]:
    """`chipwatch ingest URL`: a feed (every item) or one article page, auto-detected."""
    own = fetcher is None
    fetcher = fetcher or Fetcher.from_settings(settings)
    try:
        try:
            result = fetcher.fetch(url)
        except FetchError as exc:
            yield Rejected(url, exc.reason)
            return
        yield from from_response(result, fetcher, is_known=is_known)
    finally:
        if own:
            fetcher.close()


def document_kind(text: str, media: str) -> str:
    """ "feed", "html", "json" or "text", by content first (servers mislabel both ways)."""
    if looks_like_json_feed(text):
        return "feed"
    root = root_element(text)
    if root in FEED_ROOTS:
        return "feed"
    if root == "html":
        return "html"
    if root is not None:
        return "feed" if media in FEED_MEDIA or media.endswith("+xml") else "html"
    if text.lstrip()[:1] in ("{", "[") or media.endswith("json"):
        return "json"
    return "html" if media in HTML_MEDIA else "text"


def from_response(
    result: FetchResult,
    fetcher: Fetcher,
    *,
    is_known: KnownUrl | None = None,
    expect_feed: bool = False,
    max_pages: int = MAX_PAGES,
) -> Iterator[RawItem | Rejected]:
    """Items from a fetched document, feed items completed from their pages."""
    kind, entries = read_document(result, expect_feed=expect_feed)
    if kind == "feed":
        yield from feed_items(entries, fetcher, is_known=is_known, max_pages=max_pages)
    else:
        yield from entries


def read_document(
    result: FetchResult, *, expect_feed: bool = False
) -> tuple[str, Iterator[RawItem | Rejected]]:
    """(kind, entries) of a fetched document, pages not fetched yet; with expect_feed (a polled
    source) only a feed will do. Problems with the whole document have the document's URL as origin."""
    origin = result.url
    try:
        with stage("decode"):
            text = result.text()
        with stage("parse"):
            kind = document_kind(text, result.media_type)
    except (RejectedInput, StageFailed) as exc:
        return "text", iter([rejection(origin, exc)])
    kind, entries = _read_text(text, kind, result, expect_feed)
    return kind, guarded(lambda: entries, origin, "parse")


def _read_text(
    text: str, kind: str, result: FetchResult, expect_feed: bool
) -> tuple[str, Iterator[RawItem | Rejected]]:
    origin = result.url
    media = result.media_type or "no content type"
    if kind == "feed":
        return kind, parse_feed(text, origin)
    if expect_feed:
        what = {"html": "an HTML page", "json": "JSON that is not a JSON Feed"}.get(
            kind, "plain text"
        )
        return kind, iter([Rejected(origin, f"not a feed: the server sent {what} ({media})")])
    if kind == "html":
        # Extracted with the other steps of reading, each failure a rejection naming its stage.
        return kind, iter([RawItem(origin=origin, html=text, url=result.url, page=True)])
    if kind == "json":
        reason = f"not a feed or an article page: JSON without a JSON Feed version ({media})"
    elif result.media_type in FEED_MEDIA:
        reason = f"not a feed: no XML or JSON Feed document in a {media} response"
    else:
        return kind, iter([RawItem(origin=origin, body=text, url=result.url)])
    return kind, iter([Rejected(origin, reason)])


def feed_items(
    entries: Iterable[RawItem | Rejected],
    fetcher: Fetcher,
    *,
    is_known: KnownUrl | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[RawItem | Rejected]:
    """Feed entries, each new one completed from its article page."""
    pages = 0
    for entry in entries:
        entry = without_unreadable_date(entry)
        if isinstance(entry, Rejected) or not entry.url:
            yield entry
        elif is_known is not None and is_known(entry.url):
            yield entry  # stored already: the pipeline counts it as a duplicate, no page fetch
        elif pages >= max_pages:
            yield with_feed_text(
                entry, f"page not fetched, more than {max_pages} new items at once"
            )
        else:
            pages += 1
            yield complete_from_page(entry, fetcher)


def without_unreadable_date(entry: RawItem | Rejected) -> RawItem | Rejected:
    """A feed's unreadable date is no date: the page may have one, else the ingestion time is used."""
    if isinstance(entry, RawItem) and entry.published_at:
        try:
            readable = nz.parse_date(entry.published_at) is not None
        except Exception:  # noqa: BLE001 - a date parser's bug makes the date unreadable, no more
            readable = False
        if not readable:
            return replace(entry, published_at=None)
    return entry


def with_feed_text(entry: RawItem, why: str) -> RawItem:
    return replace(entry, origin=f"{entry.origin} [{FEED_TEXT}: {why}]")


def complete_from_page(entry: RawItem, fetcher: Fetcher) -> RawItem:
    """The entry with its page's main text, or with its own text and the reason why."""
    try:
        page = fetcher.fetch(entry.url)
        text = page.text()
        if document_kind(text, page.media_type) != "html":
            raise RejectedInput(f"not an HTML page ({page.media_type or 'no content type'})")
        extracted = html_to_item(text, entry.origin, url=page.url)
    except FetchError as exc:
        return with_feed_text(entry, f"page unavailable: {exc.reason}")
    except RejectedInput as exc:
        return with_feed_text(entry, f"page unusable: {exc}")
    except Exception as exc:  # noqa: BLE001 - extraction libraries must not stop a feed
        return with_feed_text(entry, f"page extraction failed: {type(exc).__name__}")
    feed_text = (entry.body or fragment_text(entry.html or "")).strip()
    if len((extracted.body or "").strip()) < len(feed_text) // 2:
        return with_feed_text(entry, "the page's text is shorter than the feed's")
    title = entry.title or extracted.title
    body = extracted.body
    first, _, rest = body.lstrip().partition("\n")
    if title and rest.strip() and " ".join(first.split()) == " ".join(title.split()):
        body = rest  # the page's headline repeated at the top of its text
    return RawItem(
        origin=entry.origin,
        title=title,
        body=body,
        url=entry.url,
        published_at=entry.published_at or extracted.published_at,
        source=entry.source,
        lang=entry.lang,
        author=entry.author or extracted.author,
    )
