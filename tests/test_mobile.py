"""The pages in Debian's chromium as a person uses them: a 390 px phone walk with no sideways
scrolling, the search box in the header, a coverage cell leading to the elements it counts, an
HTML error page, /docs rendering its operations offline, and the pages working under the site's
Content-Security-Policy (no violation reported). Nothing may leave 127.0.0.1."""

from __future__ import annotations

import pytest

from support import browser_page, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

MAIN_PAGES = [
    "/",
    "/query",
    "/coverage",
    "/timeline",
    "/workplans",
    "/id/workplan/gso-2024-2025",
    "/id/workplan/gso-2024-2025/activity/2c",
    "/id/lap-action/10",
    "/id/state/DEU",
    "/id/org/unidir",
    "/id/meeting/13msp",
    "/id/source/gso-workplan-2024-2025",
    "/dataset",
    "/dataset/releases",
    "/downloads",
    "/search?q=gender+UNIDIR",
    "/ontology",
    "/shapes",
    "/docs",
    "/no-such-page",
]


def test_no_page_scrolls_sideways_at_390_px(site):
    outside: list[str] = []
    csp: list[str] = []
    wide = {}
    with browser_page(site, 390, outside=outside, csp_errors=csp) as page:
        for path in MAIN_PAGES:
            page.goto(site + path)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > page.evaluate("innerWidth"):
                wide[path] = width
            if path != "/ontology":  # pyLODE's page has its own layout
                # the header wraps instead of widening the page
                assert page.locator("header.site").bounding_box()["width"] <= 390
    assert wide == {}, f"pages wider than the screen: {wide}"
    assert outside == [] and csp == []


def test_search_box_in_the_header_finds_both_words(site):
    with browser_page(site, 1400, javascript=False) as page:
        page.goto(site + "/timeline")
        page.fill("header.site input[name=q]", "gender UNIDIR")
        page.press("header.site input[name=q]", "Enter")
        page.wait_for_load_state()
        assert "/search?q=gender+UNIDIR" in page.url
        hits = page.locator("ol.hits > li")
        assert hits.count() >= 5
        # gso-workplan-2024-2025.txt: "Prepare a side-event on gender at the 13th MSP together with UNIDIR"
        texts = [t.casefold() for t in hits.all_inner_texts()]
        assert all("unidir" in t and "gender" in t for t in texts[:5])
        assert page.locator("ol.hits mark").count() >= 2
        page.click("ol.hits > li >> nth=0 >> a")
        page.wait_for_load_state()
        assert "/id/" in page.url


def test_a_common_word_alone_finds_nothing_rather_than_everything(site):
    with browser_page(site, 1400, javascript=False) as page:
        page.goto(site + "/search?q=a")
        assert page.locator("ol.hits > li").count() == 0
        assert "Only very common words" in page.inner_text("main")


def test_coverage_cell_leads_to_the_elements_it_counts(site):
    with browser_page(site, 1400, javascript=False) as page:
        page.goto(site + "/coverage")
        cell = page.locator("#action-10 td.cell a[href*='workplan=gso-2024-2025']")
        count = int(cell.inner_text().rstrip("SOWC").strip())
        cell.click()
        page.wait_for_load_state()
        assert page.url.endswith("/id/lap-action/10?workplan=gso-2024-2025")
        assert page.locator("section.plan").count() == 1
        linked = {a.get_attribute("href") for a in page.locator("section.plan a.element").all()}
        assert len(linked) == count
        # gso-workplan-2024-2025.txt, objective 2a: "(more specifically actions 10 and 11 A-D)"
        quote = page.locator("section.plan blockquote mark", has_text="(more specifically actions 10 and 11 A-D)")
        assert quote.count() == 1  # once, for the objective and the activities inheriting it
        assert "inherited from the objective" in page.inner_text("section.plan")
        assert "InheritedFromObjective" not in page.inner_text("main")


def test_pale_coverage_cells_are_readable(site):
    """WCAG AA: text in every coverage cell has a contrast of at least 4.5:1 with its background."""
    with browser_page(site, 1400) as page:
        page.goto(site + "/coverage")
        ratios = page.evaluate("""() => {
          const lum = c => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
          return [...document.querySelectorAll('td.cell a, td.cell small')].map(el => {
            const fg = lum(getComputedStyle(el).color), bg = lum(getComputedStyle(el.closest('td')).backgroundColor);
            return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05); }); }""")
        assert ratios and min(ratios) >= 4.5, min(ratios)


def test_error_page_is_html_with_the_site_around_it(site):
    with browser_page(site, 390, javascript=False) as page:
        response = page.goto(site + "/id/lap-action/99")
        assert response.status == 404
        assert page.locator("header.site form.search").count() == 1
        assert "no" in page.inner_text("p.error").casefold()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390


def test_docs_render_the_operations_without_internet(site):
    outside: list[str] = []
    csp: list[str] = []
    with browser_page(site, 1400, outside=outside, csp_errors=csp) as page:
        page.goto(site + "/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/lap-actions/{n}" in [p.replace("\u200b", "") for p in paths]
        assert len(paths) > 20
    assert outside == [] and csp == []


def test_query_page_runs_under_the_security_policy(site):
    csp: list[str] = []
    outside: list[str] = []
    with browser_page(site, 1400, outside=outside, csp_errors=csp) as page:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(site + "/?query=" + "SELECT%20(1%20AS%20%3Fone)%20WHERE%20%7B%7D")
        assert page.input_value("#query") == "SELECT (1 AS ?one) WHERE {}"
        page.click("#run")
        page.wait_for_selector("#results-table tbody tr")
        assert page.locator("#results-table tbody tr td").nth(1).inner_text() == "1"
        assert errors == []
    assert outside == [] and csp == []


@pytest.mark.parametrize("path", ["/id/lap-action/10", "/coverage", "/id/workplan/gso-2024-2025"])
def test_print_layout(site, path):
    """Printed for a meeting: no navigation or forms, the content kept, the coverage matrix on the page."""
    with browser_page(site, 1100, javascript=False) as page:
        page.goto(site + path)
        page.emulate_media(media="print")
        assert not page.locator("header.site").is_visible()
        assert page.locator("main h1").is_visible()
        if path == "/coverage":
            assert not page.locator("main form").is_visible()
            table = page.locator("table.heat").bounding_box()
            assert table["x"] + table["width"] <= page.evaluate("innerWidth")
        if path.startswith("/id/lap-action"):
            assert page.locator("blockquote.quote").first.is_visible()
        assert len(page.pdf(format="A4")) > 10_000
