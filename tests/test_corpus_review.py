"""Each plan of the drafting corpus, as a curator receives it (text, PDF or Word), goes through
the walk-through's commands on a copy of the project: ``ccmgraph ingest``, ``ccmgraph draft``,
then ``ccmgraph build --full`` accepts every draft as it is (SHACL included), and each shows on
/review/<stem>: its REVIEW notes flagged first, its quotes highlighted in the source text."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.namespace import RDFS

from _project import cli, copy_project
from ccmgraph.namespaces import CCM
from ccmgraph.store import EmbeddedStore
from ccmgraph.web.app import create_app

CORPUS = Path(__file__).resolve().parent / "data" / "drafting"
RECEIVED = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".pdf", ".docx"))


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """The copy with every corpus plan ingested, drafted and built; the project in use meanwhile."""
    root = tmp_path_factory.mktemp("corpus") / "project"
    with pytest.MonkeyPatch.context() as mp:
        copy_project(root, mp)
        for received in RECEIVED:
            ingested = cli(root, "ingest", str(received), "--stem", received.stem)
            assert ingested.returncode == 0, ingested.stdout + ingested.stderr
            draft = cli(root, "draft", f"data/sources/{received.stem}.txt")
            assert draft.returncode == 0, draft.stdout + draft.stderr
        built = cli(root, "build", "--full", "--quiet", timeout=600)
        assert built.returncode == 0, built.stdout + built.stderr
        yield root


def test_the_corpus_has_every_kind_of_received_file():
    assert {p.suffix for p in RECEIVED} == {".txt", ".pdf", ".docx"}
    assert len(RECEIVED) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("stem", [p.stem for p in RECEIVED])
def test_a_drafted_corpus_plan_builds_and_shows_on_its_review_page(drafted, stem):
    draft = Graph().parse(drafted / "data" / "workplans" / f"{stem}.ttl")
    notes = sorted(str(n) for n in draft.objects(None, CCM.curationNote) if str(n).startswith("REVIEW:"))
    quotes = {str(q) for q in draft.objects(None, CCM.quote)}
    [plan] = draft.subjects(CCM.sourceDocument, None)
    label = str(draft.value(plan, RDFS.label))
    assert quotes, f"{stem}: the draft quotes nothing"

    client = TestClient(create_app(store=EmbeddedStore(drafted / "dist"), dist=drafted / "dist"))
    page = client.get(f"/review/{stem}")
    assert page.status_code == 200, page.text[:300]
    body = html.unescape(page.text)
    assert label in body
    flagged = body.split('<ol class="flagged">', 1)[1].split("</ol>", 1)[0] if notes else ""
    for note in notes:  # each flagged note, first on the page ("REVIEW: " itself may be styled apart)
        assert " ".join(note.removeprefix("REVIEW:").split()) in " ".join(flagged.split()), note
    # each quote is highlighted where it stands in the source text (a <mark> per span)
    assert body.count("<mark") >= len(quotes)
    # and the plan is in the graph the pages and the endpoint answer from
    assert client.get(f"/id/workplan/{stem}").status_code == 200
