"""The LAP review (/reports/lap-review, ccmgraph report lap-review): the same answers as the API,
action by action, in every format, and readable in a browser at 1400 and 390 px."""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess

import pytest
from fastapi.testclient import TestClient

from ccmgraph.analysis import review
from ccmgraph.web import report_formats as report
from ccmgraph.web.app import create_app
from support import browser_page, needs_chromium

WORKPLAN = "https://w3id.org/ccmgraph/id/workplan/"


@pytest.fixture(scope="module")
def client(store, dist) -> TestClient:
    return TestClient(create_app(store=store, dist=dist))


@pytest.fixture(scope="module")
def lap(store) -> review.LapReview:
    return review.lap_review(store)


@pytest.mark.parametrize("basis", ["stated", "workplan"])
def test_every_action_as_the_api_says(client, store, basis):
    """All 50 actions: the elements the review shows over its cycles are the API's, link by link."""
    result = review.lap_review(store, basis=basis)
    assert len(result.actions) == 50
    plans = client.get("/api/workplans").json()["items"]
    assert sorted(p.id for p in result.workplans) == sorted(p["id"] for p in plans)
    for a in result.actions:
        api = client.get(f"/api/lap-actions/{a.number}", params={"basis": basis}).json()
        expected = sorted((e["element"], e["basis"], e["workplan"]) for e in api["elements"])
        shown = sorted((e.element, e.basis, e.workplan) for es in a.cycles.values() for e in es)
        assert shown == expected, a.number
        assert a.served == bool(api["elements"])


@pytest.mark.parametrize("basis", ["stated", "workplan"])
def test_every_element_listed_says_what_lap_review_actions_says_of_its_link(client, store, basis):
    """The review reads some columns of lap-review-links, the plan's label and period and the
    basis's words once each (review.COLUMNS), and picks each link's first quote from its evidence's:
    each element it lists says of its link what lap-review-actions' row says (its first quote among
    them), as /api/queries/lap-review-actions answers it."""
    result = review.lap_review(store, basis=basis)
    rows = client.get("/api/queries/lap-review-actions", params={"basis": basis}).json()
    said = {
        (r["n"], r["element"], r["linkBasis"].rsplit("#", 1)[-1]): (
            r["actionLabel"],
            r["sectionLabel"] or "no section",
            r["kind"],
            r["identifier"],
            r["label"],
            r["workplan"].rsplit("/", 1)[-1],
            r["workplanLabel"],
            r["periodLabel"],
            r["basisLabel"],
            (r["evidence"], r["document"], r["documentTitle"], r["exact"], r["start"], r["quoteEnd"]),
        )
        for r in rows
        if r["counted"] == "yes"
    }
    listed = 0
    for a in result.actions:
        for e in (e for es in a.cycles.values() for e in es):
            [q] = e.quotes
            shown = (a.label, a.section, e.kind, e.identifier, e.label, e.workplan, e.workplanLabel, e.period)
            quote = (q.evidence, q.document, q.documentTitle, q.exact, q.start, q.end)
            assert (*shown, e.basisLabel, quote) == said[(a.number, e.element, e.basis)], (a.number, e.element)
            listed += 1
    assert listed == len(said) == result.listed()


def test_summary_counts_from_the_api(client, lap):
    """The chart's figures: per section and cycle, the actions the API says a plan of that cycle serves."""
    cycle = {p.id: review.cycle_of(p) for p in lap.workplans}
    counts: dict[str, dict[str, set[int]]] = {}
    for a in client.get("/api/lap-actions").json()["items"]:
        for w in a["byWorkplan"]:
            counts.setdefault(a["section"] or "no section", {}).setdefault(cycle[w["workplan"]], set()).add(a["number"])
    for section, per_cycle in lap.served_counts().items():
        for c, n in per_cycle.items():
            assert n == len(counts.get(section, {}).get(c, set())), (section, c)
    unserved = [a["number"] for a in client.get("/api/lap-actions", params={"served": "false"}).json()["items"]]
    assert [a.number for a in lap.unserved()] == unserved


@pytest.mark.parametrize("role", ["partner", "funder"])
def test_per_partner_and_funder_as_the_api_says(client, lap, role):
    """Each partner's (funder's) actions per cycle: those served by an element, or by an element of a
    work plan, that /api/partners/{key} says it is a partner (funder) of, at the basis /api/lap-actions/{n}
    counts."""
    cycle = {p.id: review.cycle_of(p) for p in lap.workplans}
    serving = {n: client.get(f"/api/lap-actions/{n}").json()["elements"] for n in range(1, 51)}
    covered = lap.by_role(role)
    assert covered or role == "funder"
    checked = 0
    for name, per_cycle in covered.items():
        answer = client.get(f"/api/partners/{lap.agent_iris[name].rsplit('/', 1)[-1]}")
        if answer.status_code == 404:  # /api/partners answers States, organisations, working groups (not a presidency)
            continue
        checked += 1
        roles = answer.json()["roles"]
        named = {r["subject"] for r in roles if r["role"] == role}
        expected: dict[str, set[int]] = {}
        for n, elements in serving.items():
            for e in elements:
                if e["element"] in named or f"{WORKPLAN}{e['workplan']}" in named:
                    expected.setdefault(cycle[e["workplan"]], set()).add(n)
        assert per_cycle == {c: sorted(expected[c]) for c in lap.cycles if c in expected}, name
    assert checked >= len(covered) - 1


def test_stopped_and_continued_between_cycles(lap):
    for a in lap.actions:
        for c in a.changes:
            x, y = c.source, c.target
            assert c.status == ("continued" if a.cycles[x] and a.cycles[y] else "started" if a.cycles[y] else "stopped")
    assert {a.number for a in lap.stopped()} == {
        a.number for a in lap.actions if any(c.status == "stopped" for c in a.changes)
    }


def test_curator_only_is_served_at_curator_basis(client, lap):
    for a in lap.curator_only():
        assert not a.served
        assert client.get(f"/api/lap-actions/{a.number}", params={"basis": "curator"}).json()["elements"]


def test_page_names_release_chart_text_and_table(client, store, lap):
    r = client.get("/reports/lap-review")
    assert r.status_code == 200 and "<script" not in r.text
    assert store.version in r.text and "Cite as" in r.text
    text = dict(re.findall(r"<li>([^<]+?): (\d+) of \d+ actions served</li>", r.text))
    for section, per_cycle in lap.served_counts().items():
        for c, n in per_cycle.items():
            assert text[f"{section}, {c}"] == str(n)
    assert r.text.count('<article class="action"') == 50
    # the per-partner table: one row per partner, its actions per cycle as the review counts them
    table = r.text[r.text.index('id="per-partner-table"') :]
    table = table[: table.index("</table>")]
    shown = {
        html.unescape(name): [re.findall(r'href="#action-(\d+)"', cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
        for name, row in re.findall(r'<tr><th><a href="[^"]*">([^<]+)</a></th>(.*?)</tr>', table)
    }
    assert shown == {
        name: [[str(n) for n in per_cycle.get(c, [])] for c in lap.cycles]
        for name, per_cycle in lap.by_partner().items()
    }


def test_bad_parameters_are_4xx(client):
    assert client.get("/reports/lap-review", params={"basis": "hearsay"}).status_code == 422
    assert client.get("/reports/lap-review", params={"format": "docx"}).status_code == 422
    assert client.get("/reports/lap-review", params={"from": "1999-2000"}).status_code == 422


def test_xlsx_read_back(client, lap):
    from openpyxl import load_workbook

    r = client.get("/reports/lap-review", params={"format": "xlsx"})
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == [
        "Summary",
        "Per action",
        "Continuity",
        "Per working group",
        "Per coordinator",
        "Per partner",
        "Per funder",
        "About",
    ]
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[0] == ("section", "actions", *lap.cycles)
    assert {row[0]: list(row[2:]) for row in summary[1:]} == {
        s: list(v.values()) for s, v in lap.served_counts().items()
    }
    sheet = book["Per action"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(report.rows(lap))
    assert all(isinstance(r[0].value, int) for r in rows)
    linked = [r[-1] for r in rows if r[-1].value]
    assert linked and all(c.hyperlink.target == c.value for c in linked)
    assert dict(book["About"].iter_rows(values_only=True))["release"] == lap.release


def test_xlsx_writes_a_text_beginning_with_an_equals_sign_as_text(lap):
    """A label or a quote is data: one that begins with "=" must not become a formula that a
    spreadsheet runs when the analyst opens the file."""
    from dataclasses import replace

    from openpyxl import load_workbook

    first = replace(lap.actions[0], label='=HYPERLINK("http://example.org","x")')
    book = load_workbook(io.BytesIO(report.to_xlsx(replace(lap, actions=[first, *lap.actions[1:]]))))
    cells = [r[1] for r in book["Per action"].iter_rows(min_row=2) if r[1].value == first.label]
    assert cells and all(c.data_type == "s" for c in cells)


def test_xlsx_keeps_every_evidence_link_past_excels_link_limit(lap):
    """Excel holds 65,530 links a sheet; past them the evidence is still written, as text (the
    spreadsheet writer would otherwise leave the cell empty)."""
    import warnings
    from dataclasses import replace

    from openpyxl import load_workbook

    linked = sum(1 for r in report.rows(lap) if r["evidence"])
    copies = 65_530 // linked + 1
    many = replace(lap, actions=lap.actions * copies)
    expected = [r["evidence"] for r in report.rows(many)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the writer warns of each link past the limit
        book = load_workbook(io.BytesIO(report.to_xlsx(many)), read_only=True)
    written = [row[-1] or "" for row in book["Per action"].iter_rows(min_row=2, values_only=True)]
    assert len(expected) > 65_530 and written == expected


def test_csv_rows(client, lap):
    r = client.get("/reports/lap-review", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows == [{k: str(v) for k, v in row.items()} for row in report.rows(lap)]
    assert {int(r["action"]) for r in rows} == set(range(1, 51))


def test_a_pdf_longer_than_the_servers_limit_is_refused_with_what_to_do_instead(store, dist, lap):
    """The server makes no PDF of a review listing more elements than report_pdf_max_elements
    (WeasyPrint takes minutes and gigabytes for a long one): a 422 naming the count, the limit and
    the ways round it. The spreadsheet still comes, and so does the PDF of a review chosen shorter."""
    from ccmgraph.execution.engine import SparqlSettings

    listed = lap.listed()
    assert listed > 1
    limited = TestClient(
        create_app(store=store, dist=dist, settings=SparqlSettings(report_pdf_max_elements=listed - 1))
    )
    refused = limited.get("/reports/lap-review", params={"format": "pdf"})
    assert refused.status_code == 422
    said = html.unescape(refused.text)
    for what in (f"lists {listed:,} elements", f"at most {listed - 1:,}", "workplan", "ccmgraph report lap-review"):
        assert what in said
    assert "(allowed: html, xlsx, csv)" in said  # not the PDF just refused
    assert limited.get("/reports/lap-review", params={"format": "xlsx"}).status_code == 200
    plan = min(lap.workplans, key=lambda p: review.lap_review(store, workplans=[p.id]).listed())
    shorter = limited.get("/reports/lap-review", params={"format": "pdf", "workplan": plan.id})
    assert shorter.status_code == 200 and shorter.headers["content-type"] == "application/pdf"


def test_pdf_pages_and_text(client, lap, tmp_path):
    from pypdf import PdfReader

    r = client.get("/reports/lap-review", params={"format": "pdf"})
    assert r.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(r.content))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) > 3
    assert f"page 2 of {len(pdf.pages)}" in text
    assert lap.release in text and "Per working group" in text
    (tmp_path / "review.pdf").write_bytes(r.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "review.pdf", "page"], cwd=tmp_path, check=True
    )
    assert list(tmp_path.glob("page-*.png"))


def test_cli_rejects_unknown_format():
    from typer.testing import CliRunner

    from ccmgraph.cli import app

    result = CliRunner().invoke(app, ["report", "lap-review", "--format", "docx"])
    assert result.exit_code == 1 and "--format 'docx' is not a format" in result.output


@needs_chromium
@pytest.mark.parametrize("width", [1400, 390])
def test_report_in_a_browser(site, width):
    with browser_page(site, width, javascript=True) as page:
        page.goto(site + "/reports/lap-review")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        items = page.locator("#chart-text li").all_inner_texts()
        cells = {
            (row.locator("th").inner_text(), i): cell
            for row in page.locator("#counts tbody tr").all()
            for i, cell in enumerate(row.locator("td").all_inner_texts()[1:])
        }
        cycles = page.locator("#counts thead th").all_inner_texts()[2:]
        for item in items:
            where, n = item.rsplit(": ", 1)
            section, cycle = where.rsplit(", ", 1)
            assert cells[(section, cycles.index(cycle))] == n.split(" ")[0]
        # the per-partner section: a table per cycle, inside the page's width
        assert page.locator("#per-partner-table tbody tr").count() > 1
        link = page.locator("a.evidence").first
        target = link.get_attribute("href").split("#", 1)[1]
        link.click()
        page.wait_for_load_state()
        assert page.url.endswith("#" + target)
        assert page.locator(f"[id='{target}'] mark").count() == 1
        assert page.evaluate("document.querySelector(':target') !== null")
