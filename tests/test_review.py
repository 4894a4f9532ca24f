"""/review/<stem>: the drafted test work plan beside its text, in Debian's chromium (Playwright)
against a real uvicorn server on 127.0.0.1; its HTTP answers with httpx."""

from __future__ import annotations

import httpx
import pytest

from _project import FIXTURE, copy_project
from ccmgraph import pipeline as building
from ccmgraph.curation import draft_file, ingest
from ccmgraph.store import EmbeddedStore
from ccmgraph.web.app import create_app
from support import LiveServer, browser_page, needs_chromium
from test_pages import OUT

STEM = "victim-assistance-workplan-2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server over a copy of the project where the fixture plan was ingested, drafted and built."""
    with pytest.MonkeyPatch.context() as mp:
        root = copy_project(tmp_path_factory.mktemp("review") / "project", mp)
        text, _ = ingest.ingest(FIXTURE)
        draft_file.write_draft(text)
        result = building.run()
        assert result.report.conforms, str(result.report)
        building.write(result, root / "dist")
        server = LiveServer(create_app(store=EmbeddedStore(root / "dist"))).start()
        yield server.url
        server.stop()


def test_unknown_or_malformed_stem_is_a_404(server):
    for stem in ("no-such-plan", "..%2F..%2Fetc%2Fpasswd", "UPPER"):
        r = httpx.get(f"{server}/review/{stem}")
        assert r.status_code == 404, stem
        assert "Traceback" not in r.text


@pytest.mark.browser
@needs_chromium
def test_review_page_shows_flags_first_quotes_in_place_and_matches(server):
    pytest.importorskip("playwright.sync_api")
    OUT.mkdir(exist_ok=True)
    outside: list[str] = []
    with browser_page(server, 1400, 1000, javascript=False, outside=outside) as page:
        page.goto(f"{server}/review/{STEM}")
        page.screenshot(path=str(OUT / "review.png"), full_page=False)
        headings = page.locator("section.statements h2").all_inner_texts()
        assert headings[0].startswith("Flagged for review")
        flagged = page.locator("ol.flagged li").all_inner_texts()
        assert any("'Irak' is read as Iraq" in item for item in flagged)
        assert any("Handicap Outreach Network" in item for item in flagged)
        # the coordinators' quote is highlighted where it stands in the text, and linked from its statement
        marks = " ".join(page.locator(".source mark").all_inner_texts())
        assert "Chile and Irak" in marks and "- Hold consultations with affected States Parties" in marks
        link = page.locator("blockquote a", has_text="Coordinators:").first
        target = link.get_attribute("href")
        assert target and page.locator(f".source {target}").count() == 1
        # what was matched to which reference resource
        matched = page.locator("dd", has_text="matched to Iraq").count()
        assert matched >= 1
        assert (
            page.locator("dd", has_text="matched to LAP Action 46").count() >= 1
            or page.locator("dd", has_text="matched to").filter(has_text="46").count() >= 1
        )
    assert outside == [], f"requests outside the server: {outside}"


def test_review_reads_the_last_build(server):
    body = httpx.get(f"{server}/review/{STEM}").text
    assert "victim-assistance-workplan-2026.ttl" in body
    assert body.index("Flagged for review") < body.index("Statements, in the order of the text")
