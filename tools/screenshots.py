"""Screenshots of the main pages at 1400 and 390 px, with Debian's chromium (Playwright, no browser
download), from a server over dist/ on 127.0.0.1: docs/screenshots/<page>-<width>.png.

    python tools/screenshots.py [--out docs/screenshots] [--full-page]

Prints each page's document width, so that a page scrolling sideways on a phone shows up here too.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from ccmgraph.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
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
    "docs": "/docs",
}
WIDTHS = (1400, 390)


def serve() -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base, server, thread = serve()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for width in WIDTHS:
                context = browser.new_context(
                    viewport={"width": width, "height": 1000 if width > 500 else 844}, device_scale_factor=1
                )
                context.route(
                    "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
                )
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    scroll = page.evaluate("document.scrollingElement.scrollWidth")
                    file = args.out / f"{name}-{width}.png"
                    page.screenshot(path=str(file), full_page=args.full_page)
                    flag = "" if scroll <= width else f"  <- scrolls sideways ({scroll} px)"
                    print(f"{file.relative_to(ROOT) if file.is_relative_to(ROOT) else file}: {scroll} px wide{flag}")
                context.close()
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
