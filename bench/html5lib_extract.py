"""Why html5lib's tree-construction documents fail extraction, and whether a reader would miss them.

    python -m bench.html5lib_extract /tmp/hostile-corpora [--out /tmp/html5lib-extract.json]

The corpus folder is the one bench/hostile_corpora.py reads (its docstring fetches it). Each
document goes through html_to_item (the extract stage); for those it raises on, the text a
browser shows is read from the test's own #document tree (what the HTML standard builds), and,
when html5lib is importable (not a chipwatch dependency: `pip install --target DIR html5lib==1.1`
and PYTHONPATH=DIR), the same documents are tried again with an article appended: does a
browser show that article, and do we keep it? Then all of the documents are, the ones read
without the article too (the count bench/reports/htmlfix.md compares: documents whose appended
article a browser shows and we lose, and the other way round).
"""

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from app.ingest.formats import html_to_item
from bench.hostile_corpora import GOOD_BODY, html5lib_tests

ARTICLE = f"<article><h1>Export rules tighten</h1><p>{GOOD_BODY}</p></article>"
# Elements whose text a browser does not show as page text.
HIDDEN = {
    "script",
    "style",
    "title",
    "template",
    "head",
    "noscript",
    "iframe",
    "noembed",
    "noframes",
    "xmp",
    "textarea",
}


def shown_text(tree: str) -> str:
    """The text outside HIDDEN elements of an html5lib-tests #document tree ("| " lines, two
    spaces of indent per level, text nodes in double quotes and possibly over several lines)."""
    out: list[str] = []
    stack: list[str] = []
    lines = tree.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("| "):
            body = lines[i][2:]
            node = body.strip()
            del stack[(len(body) - len(body.lstrip(" "))) // 2 :]
            if node.startswith('"'):
                text = node[1:]
                while not text.endswith('"') and i + 1 < len(lines):
                    i += 1
                    text += "\n" + lines[i]
                if not HIDDEN & set(stack):
                    out.append(text[:-1])
                stack.append("#text")
            else:
                stack.append(re.sub(r"^<(?:\w+ )?([^ >]+).*", r"\1", node))
        i += 1
    return " ".join(out).strip()


def outcome(html: str) -> str:
    try:
        item = html_to_item(html, "html5lib")
    except Exception as exc:  # noqa: BLE001 - what the extract stage turns into a rejection
        return f"raised {type(exc).__name__}"
    return "kept" if "H20 accelerator" in (item.body or "") else "stored without the article"


def browser_shows_article(html: str) -> bool | None:
    try:
        import html5lib  # type: ignore[import-not-found]
    except ImportError:
        return None
    root = html5lib.parse(html, namespaceHTMLElements=False)
    seen: list[str] = []

    def walk(el, hidden: bool) -> None:
        tag = el.tag.split("}")[-1] if isinstance(el.tag, str) else ""
        hidden = hidden or tag in HIDDEN
        if el.text and tag and not hidden:
            seen.append(el.text)
        for child in el:
            walk(child, hidden)
            if child.tail and not hidden:
                seen.append(child.tail)

    walk(root, False)
    return "H20 accelerator" in " ".join(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpora", type=Path, help="the folder bench.hostile_corpora reads")
    parser.add_argument("--out", type=Path, help="write the failing documents as JSON here")
    args = parser.parse_args()
    tests = html5lib_tests(args.corpora)
    failing = []
    for data, tree in tests:
        try:
            html_to_item(data, "html5lib")
        except Exception as exc:  # noqa: BLE001
            reason = re.sub(r""" in ['"].*""", "", f"{type(exc).__name__}: {exc}")[:60]
            failing.append(
                {
                    "data": data,
                    "reason": reason,
                    "shown": shown_text(tree) if tree is not None else None,
                }
            )
    print(f"{len(tests)} documents; the extractor raised on {len(failing)}")
    print("reasons:", dict(Counter(f["reason"] for f in failing)))
    shown = Counter(
        "fragment test (no tree)"
        if f["shown"] is None
        else "no text shown"
        if not f["shown"]
        else f"text shown: {f['shown']!r}"
        for f in failing
    )
    print("what a browser shows of them (the standard's tree):", dict(shown))
    appended = Counter()
    for f in failing:
        page = f["data"] + ARTICLE
        browser = browser_shows_article(page)
        f["appended"] = {"browser shows the article": browser, "we": outcome(page)}
        appended[(browser, f["appended"]["we"])] += 1
    print("with an article appended (browser shows it?, what we do):", dict(appended))
    lost = [
        f["data"]
        for f in failing
        if f["appended"]["browser shows the article"] and f["appended"]["we"] != "kept"
    ]
    print(f"{len(lost)} lose an article a browser shows, e.g.", [d[:60] for d in lost[:8]])
    every = Counter()
    lost_any = []
    for data, _tree in tests:
        page = data + ARTICLE
        browser, we = browser_shows_article(page), outcome(page)
        every[(browser, we)] += 1
        if browser and we != "kept":
            lost_any.append(data)
    print(
        f"all {len(tests)} documents with an article appended (browser shows it?, what we do):",
        dict(every),
    )
    print(
        f"{len(lost_any)} of all {len(tests)} lose an article a browser shows, e.g.",
        [d[:60] for d in lost_any[:8]],
    )
    if args.out:
        args.out.write_text(json.dumps(failing, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
