"""Screenshots of chipwatch pages for the README: python scripts/screenshot.py BASE_URL OUT_DIR."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGES = {
    "screenshot-search.png": "/?q=Nvidia&lang=ar&lang=en",
}


def main(base: str, out: Path, pages: dict[str, str] = PAGES) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, path in pages.items():
            page.goto(base + path)
            page.screenshot(path=str(out / name), full_page=False)
        browser.close()


if __name__ == "__main__":
    extra = dict(arg.split("=", 1) for arg in sys.argv[3:])
    main(sys.argv[1], Path(sys.argv[2]), extra or PAGES)
