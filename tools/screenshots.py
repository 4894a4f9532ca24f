"""Screenshots of the main pages at 1400 and 390 px, with Debian's chromium (Playwright, no browser
download), from a server over dist/ on 127.0.0.1: docs/screenshots/<page>-<width>.png.

    python tools/screenshots.py [--out docs/screenshots] [--full-page] [--page lap-review ...]

Prints each page's document width, so that a page scrolling sideways on a phone shows up here too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the tests' one server and Chromium setup

from ccmgraph.web.app import create_app  # noqa: E402
from support import LiveServer, browser_page  # noqa: E402

PAGES = {
    "lap-review": "/reports/lap-review",
    "lap-review-per-partner": "/reports/lap-review#per-partner",
    "coverage": "/coverage",
    "lap-action-10": "/id/lap-action/10",
    "workplan": "/id/workplan/gso-2024-2025",
    "activity": "/id/workplan/gso-2024-2025/activity/2c",
    "source-document": "/id/source/gso-workplan-2024-2025",
    "timeline": "/timeline",
    "workplans": "/workplans",
    "search": "/search?q=gender+UNIDIR",
    "query": "/query",
    "dataset": "/dataset",
    "releases": "/dataset/releases",
    "docs": "/docs",
}
WIDTHS = (1400, 390)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    parser.add_argument("--page", action="append", choices=sorted(PAGES), help="only this page (repeatable)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    server = LiveServer(create_app()).start()
    try:
        for width in WIDTHS:
            outside: list[str] = []  # nothing may leave 127.0.0.1
            with browser_page(server.url, width, 1000 if width > 500 else 844, outside=outside) as page:
                for name, path in PAGES.items() if args.page is None else [(p, PAGES[p]) for p in args.page]:
                    page.goto(server.url + path)
                    page.wait_for_load_state("networkidle")
                    scroll = page.evaluate("document.scrollingElement.scrollWidth")
                    file = args.out / f"{name}-{width}.png"
                    page.screenshot(path=str(file), full_page=args.full_page)
                    flag = "" if scroll <= width else f"  <- scrolls sideways ({scroll} px)"
                    print(f"{file.relative_to(ROOT) if file.is_relative_to(ROOT) else file}: {scroll} px wide{flag}")
            if outside:
                print(f"requests outside the server, refused: {outside}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
