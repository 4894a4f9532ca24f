"""The /id/... pages a person reads, the LAP action and work plan pages, and /dataset: checked in
the HTML the server sends (the browser tests check how they look)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ccmgraph.web import presentation
from ccmgraph.web.app import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(store, dist) -> TestClient:
    app = create_app(store=store)
    app.state.dist = dist
    return TestClient(app)


def main(client: TestClient, path: str) -> str:
    r = client.get(path, headers=HTML)
    assert r.status_code == 200, r.text
    return r.text[r.text.index("<main>") :]


def test_activity_page_says_what_it_serves_in_words(client):
    page = main(client, "/id/workplan/gso-2024-2025/activity/2a")
    serves = page[page.index('id="serves"') : page.index('id="quotes"')]
    # gso-workplan-2024-2025.txt, objective 2a: "(more specifically actions 10 and 11 A-D)"
    # ... backs both actions: the quote shown once, with the two actions it backs
    assert re.search(
        r'serves <a href="/id/lap-action/10">LAP Action 10</a>, <a href="/id/lap-action/11">LAP Action 11</a> '
        r"\(<span[^>]*>inherited from the objective</span>\): <q>\(more specifically actions 10 and 11 A-D\)</q>",
        serves,
    )
    assert serves.count("<q>(more specifically actions 10 and 11 A-D)</q>") == 1
    readable = page[: page.index('<details class="statements">')]  # the raw statements stay, folded below
    i = readable.find("/alignment/")
    assert i < 0, readable[i - 300 : i + 80]
    assert "InheritedFromObjective<" not in readable
    # LAP actions in number order: 1, 8, 10, 11 (not 1, 10, 11, 8)
    assert re.findall(r'href="/id/lap-action/(\d+)">LAP', serves) == ["1", "8", "10", "11"]
    # the curation note is recorded twice (ccm:curationNote and skos:editorialNote): shown once
    assert readable.count("whose wording it repeats") == 1
    assert '<a href="/id/workplan/gso-2024-2025/objective/2a">' in page  # what it contributes to


def test_source_document_page_shows_the_text_with_linked_spans(client):
    page = main(client, "/id/source/gso-workplan-2024-2025")
    assert "<h1>CCM Thematic Working Group on General Status and Operation, Work Plan 2024-2025</h1>" in page
    assert "The text matches the recorded sha256." in page
    # gso-workplan-2024-2025.txt: "c) work with IPU and dedicated parliamentarians on the promotion ..."
    span = re.search(r'<a class="span" href="#span-7785-8016-backs" id="span-7785-8016"><mark>c\) work with IPU', page)
    assert span
    backs = page[page.index('id="span-7785-8016-backs"') :]
    backs = backs[: backs.index("</li>")]
    assert 'href="/id/workplan/gso-2024-2025/activity/2c"' in backs
    assert page.count('class="span"') >= 100


def test_state_page_lists_its_roles_by_label(client):
    page = main(client, "/id/state/DEU")
    assert "<h1>Germany</h1>" in page
    linked = page[page.index('id="linked"') :]
    # gso-workplan-2024-2025.txt: "Coordinators: Germany and Austria"
    assert re.search(r"<dt>coordinator</dt><dd>.*General Status and Operation work plan 2024-2025", linked)


def test_numbers_sort_as_numbers():
    from rdflib import Literal

    from ccmgraph.web.resource_pages import sort_key

    assert sorted([Literal(39), Literal(4), Literal(41)], key=sort_key) == [Literal(4), Literal(39), Literal(41)]
    assert sorted(["LAP Action 39", "LAP Action 4"], key=lambda s: sort_key(Literal(s))) == [
        "LAP Action 4",
        "LAP Action 39",
    ]


def test_lap_action_page_each_quote_once_basis_in_words(client):
    page = main(client, "/id/lap-action/10")
    # universalization-workplan-2024-2025.txt serves action 10 from many elements sharing a few quotes
    quotes = re.findall(r"<mark>(.*?)</mark>", page, re.S)
    assert len(quotes) == len(set(zip(quotes, re.findall(r"characters (\d+)–(\d+)", page), strict=False)))
    assert page.count("<mark>(more specifically actions 10 and 11 A-D)</mark>") == 1
    assert "inherited from the objective" in page and "InheritedFromObjective</td>" not in page
    assert "Universalization</a>" in page  # the section, from ccm:section
    assert "title unknown" in page or "action-title" in page


@pytest.mark.parametrize(
    ("context", "before", "after"),
    [
        ("ion of the Lausanne Action Plan ", "…of the Lausanne Action Plan ", None),
        (" and across thematic areas (more", None, " and across thematic areas…"),
        ("gender and to reinforc", None, "gender and to…"),
    ],
)
def test_context_is_cut_at_word_boundaries(context, before, after):
    if before is not None:
        assert presentation.before(context) == before
    if after is not None:
        assert presentation.after(context) == after


def test_workplan_page_orders_parts_and_says_what_they_serve(client):
    page = main(client, "/id/workplan/gso-2024-2025")
    sections = re.findall(r'<section id="(\w+)">', page)
    assert sections[:2] == ["objective", "activity"]
    # gso-workplan-2024-2025.txt, objective 2a: "(more specifically actions 10 and 11 A-D)"
    objective = page[page.index('href="/id/workplan/gso-2024-2025/objective/2a"') :]
    objective = objective[: objective.index("</li>")]
    # ... and "(more specifically actions 1 and 8)": four actions, stated for the objective itself
    assert re.search(
        r'serves LAP actions <a href="/id/lap-action/1">1</a>, <a href="/id/lap-action/8">8</a>, '
        r'<a href="/id/lap-action/10">10</a>, <a href="/id/lap-action/11">11</a> '
        r'<small class="muted">\(stated in the text\)</small>',
        objective,
    ), objective


def test_dataset_summary_above_the_turtle(client, dist):
    import json

    page = main(client, "/dataset")
    manifest = json.loads((dist / "manifest.json").read_text())
    for name, info in manifest["files"].items():
        assert f'href="/downloads/{name}"' in page and info["sha256"] in page
    assert page.index('id="downloads"') < page.index('id="classes"') < page.index('<pre class="turtle">')
    assert re.search(r'ccm:LAPAction</a></td><td class="num">50</td>', page)


def test_coverage_cells_carry_the_basis_to_the_filtered_lap_action_page(client):
    page = main(client, "/coverage?basis=curator")
    assert '<a href="/id/lap-action/10?workplan=gso-2024-2025&amp;basis=curator"' in page
    assert '<a href="/id/lap-action/10?basis=curator">' in page  # the row's action, all work plans
    default = main(client, "/coverage")
    assert '<a href="/id/lap-action/10?workplan=gso-2024-2025"' in default  # the default basis needs no parameter
    # the letter is the strongest basis by its notation (S, O, W, C), never a class name's first letter
    assert set(re.findall(r"<small>(\w*)</small>", page)) <= {"S", "O", "W", "C"}


def test_lap_action_page_for_one_work_plan_keeps_it_when_the_basis_changes(client):
    page = main(client, "/id/lap-action/10?workplan=gso-2024-2025&basis=stated")
    form = page[page.index('<form class="inline"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="workplan" value="gso-2024-2025">' in form
    assert '<option value="stated" selected>' in form
    assert '<p class="counted">Counting links stated in the text.</p>' in page
    assert page.count('<section class="plan"') == 1
    # gso-workplan-2024-2025.txt, objective 2a: "(more specifically actions 10 and 11 A-D)": stated for 2a only
    assert re.findall(r'class="element" href="([^"]+)"', page) == ["/id/workplan/gso-2024-2025/objective/2a"]
    assert 'href="/api/lap-actions/10?basis=stated&amp;workplan=gso-2024-2025"' in page


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "with Germany as funder (ccm:funder, not a generic partner)",
            "with Germany as funder (funder, not a generic partner)",
        ),
        (
            "ccm:PlanElement rather than ccm:<mark>BudgetLine</mark>",
            "plan element rather than <mark>budget line</mark>",
        ),
        ("see https://example.org/ccm:partner", "see https://example.org/ccm:partner"),
    ],
)
def test_rdf_terms_in_words(text, words):
    assert presentation.terms_in_words(text) == words


def test_activity_page_shows_no_raw_identifiers(client):
    page = main(client, "/id/workplan/gso-2024-2025/activity/1c")
    readable = page[: page.index('<details class="statements">')]
    # its qualified links (continuation, contributes to...) are said in words, not as IRIs
    assert not re.search(r">https://w3id.org/ccmgraph/id/[^<]*/(alignment|continuation|link)/", readable)
    # gso-workplan-2024-2025.txt 1c "Continue work with UNIDIR" continues the 2023-2024 "Track 3: Work with UNIDIR"
    assert re.search(r"<dt>continues</dt><dd><a [^>]*>Track 3: Work with UNIDIR</a>", readable)
