"""Action plans as resources: the LAP (id:lap) from the reference data, and a successor plan a
curator adds from CSV files (tools/make_reference.py), counted by the coverage and gap analyses,
their API and the coverage page, per plan (the LAP by default)."""

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from _project import cli, copy_project
from ccmgraph import paths
from ccmgraph.analysis import service
from ccmgraph.namespaces import CCM, ID
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
    """A copy of the project with a successor plan added from CSV files and built."""
    root = tmp_path_factory.mktemp("plans") / "project"
    with pytest.MonkeyPatch.context() as mp:
        copy_project(root, mp)
        csv_dir = root / "data" / "reference" / "csv"
        with (csv_dir / "action-plans.csv").open("a", encoding="utf-8") as f:
            f.write(PLANS_ROW)
        (csv_dir / "action-plan-test-successor.csv").write_text(ACTIONS, encoding="utf-8")
        made = subprocess.run(
            [sys.executable, MAKE_REFERENCE, str(root / "data" / "reference")],
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
        with (root / "data" / "workplans" / "gso-workplan-2025-2026.ttl").open("a", encoding="utf-8") as f:
            f.write(ALIGNMENT)
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
