"""The site on a real uvicorn server (the session's build) and Debian's chromium through Playwright,
with every request outside the server recorded and aborted (nothing may leave 127.0.0.1)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccmgraph.web.app import create_app
from support import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def site(store, dist) -> Iterator[str]:
    app = create_app(store=store)
    app.state.dist = dist
    server = LiveServer(app).start()
    yield server.url
    server.stop()


@contextlib.contextmanager
def browser_page(base: str, width: int, height: int = 900, *, javascript: bool = True,
                 outside: list[str] | None = None, csp_errors: list[str] | None = None):
    """A chromium page at ``width`` px; requests outside ``base`` go to ``outside`` and are aborted;
    console messages about the Content-Security-Policy go to ``csp_errors``."""
    from playwright.sync_api import sync_playwright

    outside = [] if outside is None else outside
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                      else (outside.append(route.request.url), route.abort()))
        page = context.new_page()
        page.set_default_timeout(20_000)
        if csp_errors is not None:
            page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
        try:
            yield page
        finally:
            browser.close()
