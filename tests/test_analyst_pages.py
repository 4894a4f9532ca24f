"""The analyst's way in: the home page starts from their questions; a plan's page names its partners;
two plans compared. Expected answers quote data/sources/."""

from __future__ import annotations

import httpx
import pytest

from support import browser_page, needs_chromium


def test_home_starts_from_questions(site):
    page = httpx.get(site + "/").text
    for href in ('href="/reports/lap-review"', 'href="/coverage"', 'href="/compare"', 'href="/query"'):
        assert href in page
    assert 'href="/id/workplan/isu-2025"' in page and 'href="/id/lap-action/50"' in page
    assert "<textarea" not in page  # the SPARQL editor lives at /query


def test_isu_plan_names_its_partners(site):
    # isu-workplan-budget-2025.txt: "(f) Manage the Sponsorship Programme in collaboration with the
    # Geneva International Centre for Humanitarian Demining (GICHD) ..."
    page = httpx.get(site + "/id/workplan/isu-2025", headers={"Accept": "text/html"}).text
    partners = page.split('<dd class="partners">', 1)[1].split("</dd>", 1)[0]
    assert "Geneva International Centre for Humanitarian Demining" in partners
    assert "<dd></dd>" not in page  # empty rows hidden


def test_compare_gso_plans(site):
    r = httpx.get(site + "/compare", params={"from": "gso-2024-2025", "to": "gso-2025-2026"})
    api = httpx.get(site + "/api/compare", params={"from": "gso-2024-2025", "to": "gso-2025-2026"}).json()
    assert r.status_code == 200
    for status in ("continued", "new", "dropped"):
        assert f"{status} ({len(api['partners'][status])})" in r.text
        assert f"{status.capitalize()} objectives and activities ({len(api['elements'][status])})" in r.text
    assert httpx.get(site + "/compare", params={"from": "gso-2024-2025", "to": "nope"}).status_code == 422


@needs_chromium
@pytest.mark.parametrize("width", [1400, 390])
def test_questions_answered_from_home(site, width):
    """From / alone: the ISU's partners, what changed between the GSO plans (no word broken), the review."""
    with browser_page(site, width, javascript=False) as page:
        page.goto(site + "/")
        page.click("text=ISU 2025 work plan and budget")  # the plan's link on the home page
        assert "Geneva International Centre for Humanitarian Demining" in page.inner_text("dd.partners")
        page.goto(site + "/")
        page.click('a[href="/compare"]')
        page.select_option("select[name=from]", "gso-2024-2025")
        page.select_option("select[name=to]", "gso-2025-2026")
        page.click("main form button")
        page.wait_for_url("**to=gso-2025-2026")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        breaks = page.evaluate(
            "[...document.querySelectorAll('table.compare td, table.compare li')].filter(td => "
            "['break-all', 'anywhere'].includes(getComputedStyle(td).wordBreak) || "
            "getComputedStyle(td).overflowWrap === 'anywhere').length"
        )
        assert breaks == 0
        page.goto(site + "/")
        page.click('a[href="/reports/lap-review"]')
        page.wait_for_load_state()
        assert page.locator("article.action").count() == 50


def test_resource_page_in_words(site):
    """The earlier objective of a continuation reads "continued by" (a curator's judgement: the 2025-2026
    plan does not say it revises the 2024-2025 objective, so no "revised by"), not an RDF term."""
    html = {"Accept": "text/html"}
    later = httpx.get(site + "/id/workplan/gso-2025-2026/objective/3", headers=html).text
    earlier = httpx.get(site + "/id/workplan/gso-2024-2025/objective/1", headers=html).text
    assert "<dt>continued by</dt>" in earlier
    assert "was revision of" not in later + earlier
