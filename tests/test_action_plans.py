"""Action plans as resources: the LAP (id:lap) from the reference data, and a successor plan a
curator adds from CSV files (tools/make_reference.py), counted by the coverage and gap analyses,
their API and the coverage page, per plan (the LAP by default); the drafter tells which plan an
action reference belongs to (the corpus plan that cites the hypothetical successor "Action Plan
2026-2031", tests/data/drafting/); a drafted plan's source document carries the received file's
sha256."""

import hashlib
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from _project import cli, copy_project
from ccmgraph import paths
from ccmgraph.analysis import service
from ccmgraph.curation import evaluate
from ccmgraph.curation.draft_file import draft_text
from ccmgraph.curation.reference_index import load as load_reference
from ccmgraph.namespaces import CCM, ID
from ccmgraph.settings import ProjectPaths
from ccmgraph.store import EmbeddedStore
from ccmgraph.web.app import create_app

MARK = "# Written for the tests (tests/test_action_plans.py): not a real action plan.\n"
PLANS_ROW = (
    "test-successor,Test Successor Action Plan 2026-2031,TSAP,2026,2031,,"
    "https://example.org/written-for-the-tests,Written for the tests.\n"
)
ACTIONS = (
    MARK
    + "number,title,source\n"
    + "".join(
        f"{n},Test action title {n} as the CSV gives it,https://example.org/written-for-the-tests\n" for n in (1, 2, 3)
    )
)
SUCCESSOR = ID["action-plan/test-successor"]
CORPUS = Path(__file__).parent / "data" / "drafting"
CITING = CORPUS / "successor-universalization-2026-2027.txt"  # cites the LAP and "AP 2026-2031" (test data)
CITING_GOLD = CORPUS / "successor-universalization-2026-2027.gold.toml"
PDF = CORPUS / "pdf-transparency-2026.pdf"
AP = ID["action-plan/ap-2026-2031"]
MAKE_REFERENCE = str(paths.ROOT / "tools" / "make_reference.py")  # the project's, before a test moves paths
# an alignment of the 2025-2026 GSO plan to the successor's action 2, as a curator would write it
ALIGNMENT = """
<https://w3id.org/ccmgraph/id/workplan/gso-2025-2026> ccm:hasAlignment [
    ccm:action <https://w3id.org/ccmgraph/id/action-plan/test-successor/action/2> ;
    ccm:basis ccm:CuratorJudgement ;
    rdfs:comment "Written for the tests: an alignment to a successor plan's action."@en ;
    ccm:evidence [ ccm:quote "advance the Gender Focal Point role" ] ] .
"""


def test_the_lap_is_an_action_plan_with_its_actions(dataset):
    lap = ID["lap"]
    assert (lap, RDF.type, CCM.ActionPlan) in dataset
    assert dataset.value(lap, CCM.acronym) == Literal("LAP")
    assert dataset.value(lap, CCM.adoptedAt) == ID["meeting/2rc"]
    assert dataset.value(lap, CCM.period) == ID["period/2021--2026"]
    # the period as the Universalization work plan states it
    text = (paths.ROOT / "data" / "sources" / "universalization-workplan-2024-2025.txt").read_text(encoding="utf-8")
    assert "in the period 2021-2026, at the Second Review Conference" in text
    members = set(dataset.subjects(CCM.actionPlan, lap))
    assert members == {ID[f"lap-action/{n}"] for n in range(1, 51)}


@pytest.fixture(scope="module")
def successor(tmp_path_factory):
    """A copy of the project with two successor plans added from CSV files (the test's own, and
    the corpus's "AP 2026-2031"), the corpus plan citing the latter and a corpus PDF ingested and
    drafted, and built."""
    root = tmp_path_factory.mktemp("plans") / "project"
    with pytest.MonkeyPatch.context() as mp:
        copy_project(root, mp)
        csv_dir = root / "data" / "reference" / "csv"
        corpus_row = (CORPUS / "successor-action-plans.csv").read_text(encoding="utf-8").splitlines()[-1]
        with (csv_dir / "action-plans.csv").open("a", encoding="utf-8") as f:
            f.write(PLANS_ROW + corpus_row + "\n")
        (csv_dir / "action-plan-test-successor.csv").write_text(ACTIONS, encoding="utf-8")
        shutil.copy(CORPUS / "action-plan-ap-2026-2031.csv", csv_dir)
        made = subprocess.run(
            [sys.executable, MAKE_REFERENCE, str(root / "data" / "reference")],
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
        with (root / "data" / "workplans" / "gso-workplan-2025-2026.ttl").open("a", encoding="utf-8") as f:
            f.write(ALIGNMENT)
        for document in (CITING, PDF):
            for step in (("ingest", str(document)), ("draft", f"data/sources/{document.stem}.txt")):
                run = cli(root, *step)
                assert run.returncode == 0, run.stdout + run.stderr
        built = cli(root, "build", "--quiet")
        assert built.returncode == 0, built.stdout + built.stderr
    return root


def test_successor_actions_come_from_the_csv(successor):
    g = Graph().parse(successor / "data" / "reference" / "action-plans.ttl")
    assert (SUCCESSOR, RDF.type, CCM.ActionPlan) in g
    two = ID["action-plan/test-successor/action/2"]
    assert g.value(two, CCM.actionPlan) == SUCCESSOR
    assert str(g.value(two, RDFS.label)) == "TSAP Action 2: Test action title 2 as the CSV gives it"
    assert len(set(g.subjects(CCM.actionPlan, SUCCESSOR))) == 3


def test_coverage_of_both_plans(successor):
    store = EmbeddedStore(successor / "dist")
    # the alignments of both plans here are curator judgements: count them
    lap = service.coverage(store, basis="curator")
    nxt = service.coverage(store, plan="test-successor", basis="curator")
    assert lap.actionPlan.key == "lap" and nxt.actionPlan.key == "test-successor"
    assert [a.number for a in lap.actions] == list(range(1, 51))
    assert "gso-2025-2026" in {k for a in lap.actions if a.number == 4 for k in a.cells}
    assert [a.number for a in nxt.actions] == [1, 2, 3]
    assert nxt.unserved == [1, 3]
    [two] = [a for a in nxt.actions if a.number == 2]
    assert set(two.cells) == {"gso-2025-2026"}
    gaps = service.lap_actions(store, plan="test-successor", served=False, basis="curator")
    assert [a.number for a in gaps.items] == [1, 3]
    in_cycle = {"cycle": "2025-2026", "basis": "curator", "plan": str(SUCCESSOR)}
    rows = service.run_named_query(store, "actions-without-activity-in-cycle", in_cycle)
    assert sorted(int(r["number"]) for r in rows) == [1, 3]


def test_api_and_page_per_plan(successor):
    client = TestClient(create_app(store=EmbeddedStore(successor / "dist"), dist=successor / "dist"))
    body = client.get("/api/coverage", params={"plan": "test-successor", "basis": "curator"}).json()
    assert body["actionPlan"]["iri"] == str(SUCCESSOR) and body["unserved"] == [1, 3]
    assert client.get("/api/coverage").json()["actionPlan"]["key"] == "lap"
    assert client.get("/api/lap-actions", params={"plan": "test-successor"}).json()["total"] == 3
    unknown = client.get("/api/coverage", params={"plan": "no-such-plan"})
    assert unknown.status_code == 422 and "no-such-plan" in unknown.text
    page = client.get("/coverage", params={"plan": "test-successor", "basis": "curator"}).text
    assert "TSAP Action 2: Test action title 2 as the CSV gives it" in page
    assert '<option value="test-successor" selected>' in page
    assert "LAP Action 4" in client.get("/coverage").text


def test_a_bad_csv_is_refused_with_file_and_line(tmp_path):
    ref = tmp_path / "reference"
    (ref / "csv").mkdir(parents=True)
    for f in (paths.REFERENCE / "csv").iterdir():
        (ref / "csv" / f.name).write_bytes(f.read_bytes())
    with (ref / "csv" / "action-plans.csv").open("a", encoding="utf-8") as f:
        f.write(PLANS_ROW)
    (ref / "csv" / "action-plan-test-successor.csv").write_text(
        MARK + "number,title,source\nseven,A title,https://example.org/x\n", encoding="utf-8"
    )
    made = subprocess.run([sys.executable, MAKE_REFERENCE, str(ref)], capture_output=True, text=True)
    assert made.returncode != 0
    assert "action-plan-test-successor.csv:2: number 'seven'" in made.stderr
    assert "Traceback" not in made.stderr


# ---------------------------------------------------------------- the drafter and the successor


def _draft(text: Path, with_successor: bool) -> Graph:
    """The draft of a corpus text, compiled as the build compiles it, the corpus's successor plan
    in the reference data or not."""
    reference = load_reference()
    if with_successor:
        reference = replace(reference, plans=[*reference.plans, *evaluate.read_gold(CITING_GOLD).plans])
    return draft_text(text, reference)


def test_the_citing_plan_is_drafted_against_the_successor_and_the_lap():
    text = CITING.read_text(encoding="utf-8")
    assert "(AP 2026-2031 Action 1; previously LAP Action 1)" in text
    draft = _draft(CITING, with_successor=True)
    assert "ccm:actionListPlan <https://w3id.org/ccmgraph/id/action-plan/ap-2026-2031>" in draft
    result = evaluate.evaluate_gold(CITING_GOLD)
    assert result.error is None
    stated = result.scores["stated actions"]
    assert stated.gold == 12 and stated.precision >= 0.9 and stated.recall >= 0.9 and stated.wrong == 0


def test_without_the_successor_an_unsettled_reference_is_flagged_not_guessed(tmp_path):
    # the plan runs 2026-2027, after the LAP's years: a bare "Action 1" is neither LAP's nor another's
    text = tmp_path / "successor-universalization-2026-2027.txt"
    text.write_text(CITING.read_text(encoding="utf-8").replace("AP 2026-2031 ", ""), encoding="utf-8")
    assert "(Action 1; previously LAP Action 1)" in text.read_text(encoding="utf-8")
    draft = _draft(text, with_successor=False)
    flat = " ".join(draft.split())
    assert "actionListPlan" not in draft
    # "LAP" names the reference it is written with, not its neighbour: the bare ones are flagged
    assert "'Actions 1 and 2': no action plan is named near this reference" in flat
    assert flat.count("'Action 1': no action plan is named near this reference") == 2
    # what names the LAP is still drafted against it: the plan's 1 to 3, objective 1's 1, 3 twice
    assert [line.split('"')[1] for line in draft.splitlines() if "ccm:actionList" in line] == ["1 to 3", "1", "3", "3"]


def test_the_built_graph_holds_the_drafted_alignments_to_the_successor(successor):
    drafted = Graph().parse(successor / "data" / "workplans" / f"{CITING.stem}.ttl")
    assert (None, CCM.actionListPlan, AP) in drafted
    store = EmbeddedStore(successor / "dist")
    ap = service.coverage(store, plan="ap-2026-2031", basis="stated")
    assert ap.actionPlan.iri == str(AP)
    assert [a.number for a in ap.actions] == [1, 2, 3]
    served = {a.number for a in ap.actions if "successor-universalization-2026-2027" in a.cells}
    assert served == {1, 2}  # "AP 2026-2031 Actions 1 and 2"; action 3 is not cited
    lap = service.coverage(store, basis="stated")
    assert {a.number for a in lap.actions if "successor-universalization-2026-2027" in a.cells} == {1, 2, 3}


def test_the_coverage_page_shows_both_plans(successor, monkeypatch):
    monkeypatch.setattr(paths, "_current", ProjectPaths.at(successor))  # the copy's sources, for /review
    client = TestClient(create_app(store=EmbeddedStore(successor / "dist"), dist=successor / "dist"))
    page = client.get("/coverage").text
    assert '<option value="ap-2026-2031">Action Plan 2026-2031</option>' in page
    assert "LAP Action 1" in page and "successor-universalization-2026-2027" in page
    page = client.get("/coverage", params={"plan": "ap-2026-2031"}).text
    assert "AP 2026-2031 Action 1: Each State not party will consider joining the Convention" in page
    assert "successor-universalization-2026-2027" in page
    body = client.get("/api/coverage", params={"plan": "ap-2026-2031"}).json()
    assert body["unserved"] == [3]
    # the curator's review page says which plan each drafted action is of
    review = client.get("/review/successor-universalization-2026-2027")
    assert review.status_code == 200
    assert "AP 2026-2031 Action 1" in review.text and "LAP Action 3" in review.text
    # the successor's actions dereference
    action = client.get("/id/action-plan/ap-2026-2031/action/2", headers={"Accept": "text/html"})
    assert action.status_code == 200 and "States Parties will condemn any use of cluster munitions" in action.text


def test_the_source_document_carries_the_received_files_sha256(successor):
    received = hashlib.sha256(PDF.read_bytes()).hexdigest()
    store = EmbeddedStore(successor / "dist")
    rows = store.select(
        "SELECT ?sha WHERE { GRAPH ?g { ?doc <https://w3id.org/ccmgraph/ontology#originalSha256> ?sha ; "
        '<https://w3id.org/ccmgraph/ontology#originalFileName> "pdf-transparency-2026.pdf" } }'
    )
    assert [str(r["sha"]) for r in rows] == [received]
    # and the document's page says it, for a reader holding the PDF
    client = TestClient(create_app(store=store, dist=successor / "dist"))
    page = client.get("/id/source/pdf-transparency-2026", headers={"Accept": "text/html"})
    assert page.status_code == 200 and received in page.text


TABLE_PLAN = """WRITTEN FOR THE TESTS (tests/test_action_plans.py): an activity table with an actions column.

Work Plan on Clearance 2026

Coordinators: Germany and Chile

Objective A - Clear the contaminated land

A.1 Survey the fields

Ref.\tActivity\tTiming\t{header}
A.1.1\tSurvey the northern fields with the operators\tQ1 2026\t#2 and #3
"""


@pytest.mark.parametrize(
    ("header", "plan"),
    [("AP 2026-2031 actions", "ap-2026-2031"), ("LAP actions", "lap"), ("Actions", None)],
)
def test_an_actions_column_header_names_the_plan_of_its_cells(tmp_path, header, plan):
    # a 2026 plan falls in the LAP's years and the successor's: only the header can settle it
    text = tmp_path / "clearance-2026.txt"
    text.write_text(TABLE_PLAN.format(header=header), encoding="utf-8")
    draft = _draft(text, with_successor=True)
    flat = " ".join(draft.split())
    if plan is None:
        assert "ccm:actionList" not in draft
        assert "'#2 and #3': no action plan is named near this reference" in flat
    else:
        assert 'ccm:actionList "2, 3"' in draft
        assert ("ccm:actionListPlan <https://w3id.org/ccmgraph/id/action-plan/ap-2026-2031>" in flat) == (plan != "lap")


def test_a_plan_the_reference_data_lacks_is_not_taken_for_the_lap(tmp_path):
    # a 2024-2025 plan falls in the LAP's years, yet "DAP Action 5" is not the LAP's action 5
    text = tmp_path / "clearance-2024-2025.txt"
    text.write_text(
        TABLE_PLAN.format(header="Actions")
        .replace("Clearance 2026", "Clearance 2024-2025")
        .replace("Survey the northern fields with the operators", "Survey the fields (DAP Action 5; LAP Action 19)"),
        encoding="utf-8",
    )
    flat = " ".join(_draft(text, with_successor=False).split())
    assert "'Action 5': it names 'DAP', an action plan data/reference/ lacks" in flat
    assert 'ccm:actionList "19"' in flat and 'ccm:actionList "5"' not in flat
    # the table's bare "#2 and #3" fall in the LAP's years only: the LAP's
    assert 'ccm:actionList "2, 3"' in flat
