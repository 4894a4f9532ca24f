"""The HTML pages in Debian's chromium (Playwright), against a real uvicorn server on 127.0.0.1:
coverage heat map -> LAP action -> activity -> its source quote. Screenshots go to test-output/."""

from __future__ import annotations

import pytest

from ccmgraph import paths
from support import browser_page, needs_chromium

sync_api = pytest.importorskip("playwright.sync_api")
OUT = paths.ROOT / "test-output"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def page(site):
    OUT.mkdir(exist_ok=True)
    outside: list[str] = []  # nothing may leave 127.0.0.1: every other request is recorded and aborted
    with browser_page(site, 1400, 1000, javascript=False, outside=outside) as pg:
        yield pg
    assert outside == [], f"requests outside the server: {outside}"


def test_coverage_to_action_to_activity_to_quote(site, page):
    page.goto(f"{site}/coverage")
    assert page.title().startswith("Coverage of LAP actions")
    # gaps stand out: actions nobody serves are marked rows
    assert page.locator("tr.gap").count() > 0
    page.screenshot(path=str(OUT / "coverage.png"), full_page=True)

    page.click("#action-10 th a")
    page.wait_for_load_state()
    assert page.url.endswith("/id/lap-action/10")
    # gso-workplan-2024-2025.txt, objective 2a: "(more specifically actions 10 and 11 A-D)"
    assert page.locator("mark", has_text="(more specifically actions 10 and 11 A-D)").count() >= 1
    page.screenshot(path=str(OUT / "lap-action-10.png"), full_page=True)

    # activity 2a inherits actions 10 and 11 from objective 2a by parallel numbering (basis "by
    # position"); 2c's link to that objective is a curator judgement, not counted by default
    page.click("a.element[href$='/id/workplan/gso-2024-2025/activity/2a']")
    page.wait_for_load_state()
    assert page.url.endswith("/id/workplan/gso-2024-2025/activity/2a")
    quote = page.locator("#quotes mark").first
    # gso-workplan-2024-2025.txt, activities under "2) Strengthening the humanitarian norms of the CCM":
    # "a) discuss within the CCM how to best strengthen the norms and support universalization ..."
    assert quote.inner_text().startswith("a) discuss within the CCM how to best strengthen the norms")
    page.screenshot(path=str(OUT / "activity-2a.png"), full_page=True)

    page.click("#quotes footer a:has-text('evidence')")
    page.wait_for_load_state()
    assert "/id/evidence/gso-workplan-2024-2025/" in page.url
    assert page.locator("#quotes mark").first.inner_text().startswith("a) discuss within the CCM")
    page.screenshot(path=str(OUT / "evidence.png"), full_page=True)


def test_timeline_gantt(site, page):
    page.goto(f"{site}/timeline")
    bars = page.locator("svg rect.bar")
    # gso-workplan-2024-2025.txt: "Fourth Quarter of 2024 ... - Meeting with the ISU to discuss possible
    # action on gender"
    assert bars.count() >= 50
    assert page.locator("svg text.ql", has_text="Q4 2024").count() == 1
    page.screenshot(path=str(OUT / "timeline.png"), full_page=True)


def test_workplan_page(site, page):
    page.goto(f"{site}/id/workplan/gso-2024-2025")
    # "Coordinators: Germany and Austria"
    assert "Germany" in page.locator("dl.facts").inner_text() and "Austria" in page.locator("dl.facts").inner_text()
    assert page.locator("#activity li").count() >= 3
    page.screenshot(path=str(OUT / "workplan-gso-2024-2025.png"), full_page=True)


def test_coverage_and_lap_action_by_basis(site, page):
    """The weakest basis counted is chosen on the page; by default curator judgement is not counted."""
    page.goto(f"{site}/coverage")
    gso2526 = next(i for i, th in enumerate(page.locator("table.heat thead th").all_inner_texts()) if "2025-2026" in th)
    # gso-workplan-2025-2026.txt cites no LAP action by number: no cell of its column by default
    assert page.locator(f"#action-4 td:nth-child({gso2526 + 1}).cell").count() == 0
    assert "curator judgement" not in page.locator("p.counted").inner_text()
    page.select_option("select[name=basis]", "curator")
    page.click("main form button")  # not the search box in the header
    page.wait_for_load_state()
    assert "basis=curator" in page.url
    # Objective 3 carries forward the gender work of 2024-2025 ("LAP Actions numbers 4, 23, ..."): a judgement
    assert page.locator(f"#action-4 td:nth-child({gso2526 + 1}).cell").count() == 1
    assert "curator judgement" in page.locator("p.counted").inner_text()

    page.goto(f"{site}/id/lap-action/10?basis=stated")
    # "Actions 10 and 11 of LAP are related to the universalization" and "(more specifically actions 10 and 11 A-D)"
    elements = {a.get_attribute("href") for a in page.locator("section.plan a.element").all()}
    assert len(elements) == 2 and "2 links" in page.locator("dl.facts").inner_text()
    assert page.locator("select[name=basis] option[selected]").get_attribute("value") == "stated"


def test_bad_basis_is_an_html_error_page(site, page):
    response = page.goto(f"{site}/coverage?basis=bogus")
    assert response.status == 422
    text = page.locator("main").inner_text()
    assert "basis" in text and "curator" in text
