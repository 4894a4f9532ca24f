"""The query page in a real browser: Debian's chromium driven by Playwright (no download)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from ccmgraph import paths
from support import CHROMIUM, CHROMIUM_ARGS, needs_chromium

OUTPUT = paths.ROOT / "test-output"

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture(scope="module")
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        # nothing may leave 127.0.0.1
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def run_query(page, text: str) -> None:
    editor = page.locator("#query")
    editor.fill("")
    editor.type(text, delay=0)
    page.click("#run")
    wait_for_answer(page)


def wait_for_answer(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#run")).to_be_enabled()  # disabled while the query runs


def test_type_a_query_run_it_and_read_the_rows(page, live_server) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/query")
    assert "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>" in page.input_value("#query")
    run_query(
        page,
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?action ?number ?label WHERE {\n  ?action a ccm:LAPAction ; ccm:actionNumber ?number ;\n"
        "    rdfs:label ?label\n} ORDER BY ?number",
    )
    rows = page.locator("#results-table tbody tr")
    assert rows.count() == 50
    first = [c.inner_text() for c in rows.nth(0).locator("td").all()]
    assert first[0] == "1" and first[2].startswith("1") and first[3].startswith("LAP Action 1")
    headers = [h.inner_text() for h in page.locator("#results-table thead th").all()]
    assert headers == ["#", "action", "number", "label"]
    link = rows.nth(9).locator("a.iri").first
    assert link.get_attribute("href") == "/id/lap-action/10"
    status = page.inner_text("#status")
    assert status.startswith("50 rows in") and " ms" in status
    formats = [a.get_attribute("data-format") for a in page.locator("#downloads a").all()]
    assert formats == ["json", "xml", "csv", "tsv"]
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "query-page.png"), full_page=True)
    assert not errors


def test_download_link_serves_the_format(page, live_server) -> None:
    href = page.locator("#downloads a[data-format=csv]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    assert response.text().splitlines()[0] == "action,number,label"


def test_construct_results_and_a_named_query(page, live_server) -> None:
    run_query(
        page, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/ccmgraph/graph/endpoint-test> { ?s ?p ?o } }"
    )
    assert page.locator("#results-table tbody tr").count() == 8
    assert [a.get_attribute("data-format") for a in page.locator("#downloads a").all()] == [
        "ttl",
        "nt",
        "jsonld",
        "rdfxml",
        "trig",
        "nq",
    ]
    page.select_option("#named", "lap-action-by-number")
    assert "VALUES ?number {" in page.input_value("#query")
    page.click("#run")
    wait_for_answer(page)
    assert page.locator("#results-table tbody tr").count() == 1
    assert "LAP Action 10" in page.inner_text("#results-table")


def test_errors_are_shown(page) -> None:
    run_query(page, "SELECT * WHERE { ?s ?p }")
    assert page.locator("#error").is_visible()
    assert "line 1, column 25" in page.inner_text("#error") and "400" in page.inner_text("#status")
    run_query(page, "SELECT * WHERE { ?d a void:Dataset }")  # the same wording as on the CLI
    assert "the prefix void: is not declared" in page.inner_text("#error")
    assert "PREFIX void: <http://rdfs.org/ns/void#>" in page.inner_text("#error")
    run_query(page, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert "SERVICE is not allowed" in page.inner_text("#error")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "query-page-error.png"))


def test_the_permanent_link_pins_the_release_that_answered(page, live_server) -> None:
    import httpx

    query = "ASK { ?s ?p ?o }"
    page.goto(live_server.url + "/query")
    run_query(page, query)
    served = httpx.get(live_server.url + "/sparql", params={"query": query}).headers["CCMGraph-Release"]
    link = page.locator("#permalink")
    assert link.get_attribute("data-release") == served
    assert link.get_attribute("href") == "/query?" + urlencode({"query": query, "release": served})
    page.goto(live_server.url + link.get_attribute("href"))
    assert "the release served here" in page.inner_text("#pinned")
    # a link pinned to another release: the page and the answer say which release answered
    page.goto(live_server.url + "/query?" + urlencode({"query": query, "release": "0123456789abcdef"}))
    assert f"this server serves release {served}" in " ".join(page.inner_text("#pinned").split())
    page.click("#run")
    wait_for_answer(page)
    assert f"answered by release {served}, not 0123456789abcdef" in page.inner_text("#status")
