"""CPU time of the extract stage per HTML page, with and without the HTML standard's parse.

    python -m bench.extract_cpu [--pages 200] [--rounds 5] [--out /tmp/extract-cpu.json]

The pages are bench.corpus's articles (the ones bench.ingest stores, in its four languages) laid
out as news-site pages: head with meta tags, JSON-LD, a script bundle and styles, an SVG icon
sprite, a navigation of 60 links, the article with a byline and date, a sidebar of 30 related
stories, a comment form and a footer (41 KB and 900 tags each, a modest real page). Each round
reads every page twice, through `html_to_item` as it is (`browser_html` first: lexbor, then
trafilatura) and with `browser_html` replaced by the identity (trafilatura on the page as sent,
the extraction before), in turns, so both see the same load; and `browser_html` alone. CPU
time is the process's (time.process_time), not wall time, so other processes on the cores count
far less. Also reported: on how many pages the two extractions differ (title, body, date,
author).
"""

import argparse
import html
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from app.ingest import formats
from bench.corpus import generate

NAV = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(60))
SCRIPT = "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
SCRIPT += "gtag('js',new Date());gtag('config','G-XXXX');</script>"
BUNDLE = "<script>" + "".join(f"var a{i}=function(e){{return e&&e.x{i}||{i}}};" for i in range(600))
BUNDLE += "</script>"
ICONS = (
    '<svg style="display:none">'
    + "".join(
        f'<symbol id="i{i}" viewBox="0 0 24 24"><title>icon {i}</title><path d="M{i} 2l10 10-10 10z"/>'
        "</symbol>"
        for i in range(40)
    )
    + "</svg>"
)


def page(article: dict, rng: random.Random) -> str:
    title = html.escape(article["title"])
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in article["body"].split("\n\n"))
    related = "".join(
        f'<li><a href="/story/{rng.randrange(10**6)}"><img src="/i/{i}.jpg" alt="">'
        f"<span>Related story {i} about chips and trade</span></a></li>"
        for i in range(30)
    )
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": article["title"],
            "datePublished": article["published_at"],
        }
    )
    return (
        f'<!DOCTYPE html><html lang="{article["lang"]}"><head><meta charset="utf-8">'
        f"<title>{title} | Bench News</title>"
        f'<meta name="description" content="{title}">'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="{article["published_at"]}">'
        f'<link rel="canonical" href="{article["url"]}">'
        f'<script type="application/ld+json">{ld}</script>{SCRIPT}{BUNDLE}'
        "<style>body{font:16px/1.5 serif}.nav li{display:inline}</style></head>"
        f'<body>{ICONS}<header><div class="logo"><a href="/">Bench News</a></div>'
        f'<nav class="nav"><ul>{NAV}</ul></nav></header>'
        f'<main><article><h1>{title}</h1><div class="byline">By <span class="author">Ann '
        f'Writer</span> <time datetime="{article["published_at"]}">{article["published_at"][:10]}'
        f"</time></div>{paragraphs}</article>"
        f'<aside><h2>Related</h2><ul class="related">{related}</ul></aside>'
        '<section class="comments"><form action="/comment" method="post"><textarea name="c">'
        '</textarea><button><svg><use href="#i1"/></svg>Send</button></form></section></main>'
        f"<footer><p>Copyright Bench News</p><ul>{NAV[:2000]}</ul></footer>{SCRIPT}</body></html>"
    )


def timed(fn: Callable[[str], object], pages: list[str]) -> tuple[float, list[object]]:
    out = []
    start = time.process_time()
    for p in pages:
        out.append(fn(p))
    return time.process_time() - start, out


def fields(page_html: str) -> tuple:
    item = formats.html_to_item(page_html, "bench")
    return item.title, item.body, item.published_at, item.author


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write the per-round numbers as JSON here")
    args = parser.parse_args()
    rng = random.Random(7)
    pages = [page(a, rng) for a in generate(args.pages)]
    real = formats.browser_html
    fields(pages[0])  # imports (trafilatura, selectolax) outside the timing

    def before(p: str) -> tuple:
        formats.browser_html = lambda h: h  # type: ignore[assignment]
        try:
            return fields(p)
        finally:
            formats.browser_html = real  # type: ignore[assignment]

    rounds = []
    differ = 0
    for r in range(args.rounds):
        pair = [("before", before), ("after", fields)]
        if r % 2:
            pair.reverse()
        seconds = {}
        results = {}
        for name, fn in pair:
            seconds[name], results[name] = timed(fn, pages)
        seconds["browser_html alone"], _ = timed(real, pages)
        if r == 0:
            differ = sum(a != b for a, b in zip(results["before"], results["after"], strict=True))
        rounds.append({k: round(v / len(pages) * 1000, 3) for k, v in seconds.items()})
        print(f"round {r + 1}: ms of CPU per page", rounds[-1], flush=True)
    summary = {name: round(statistics.median(r[name] for r in rounds), 3) for name in rounds[0]}
    report = {
        "pages": len(pages),
        "mean_page_bytes": round(sum(len(p.encode()) for p in pages) / len(pages)),
        "rounds": rounds,
        "median_ms_per_page": summary,
        "pages_whose_extraction_differs": differ,
    }
    print(json.dumps({k: v for k, v in report.items() if k != "rounds"}))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
