"""The analyst API (/api): named queries and analyst views. Expected answers come from the
source documents in data/sources/ (the sentence is quoted above each check)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from ccmgraph.web.app import create_app

ID = "https://w3id.org/ccmgraph/id/"


@pytest.fixture(scope="module")
def client(store, dist, tmp_path_factory) -> TestClient:
    qdir = tmp_path_factory.mktemp("queries")
    (qdir / "action-label.rq").write_text(
        "# title: Label of a LAP action\n# description: The label of the action with this number.\n"
        "# param: n integer 10 -- action number\n"
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?n ?action ?label WHERE { ?action ccm:actionNumber ?n ; rdfs:label ?label }\n",
        encoding="utf-8",
    )
    return TestClient(create_app(store=store, dist=dist, queries_dir=qdir))


# ------------------------------------------------------------------ named queries


def test_queries_listed_with_parameters(client):
    body = client.get("/api/queries").json()
    [q] = body
    assert q["name"] == "action-label"
    assert q["parameters"][0] == {
        "name": "n",
        "type": "integer",
        "example": "10",
        "description": "action number",
        "required": True,
        "allowed": None,
        "default": None,
    }
    assert q["url"] == "/api/queries/action-label?n=10"


def test_query_runs_with_bound_parameter(client):
    rows = client.get("/api/queries/action-label", params={"n": "10"}).json()
    assert rows == [{"n": 10, "action": ID + "lap-action/10", "label": "LAP Action 10"}]


def test_query_wrong_type_is_422_naming_parameter(client):
    r = client.get("/api/queries/action-label", params={"n": "ten"})
    assert r.status_code == 422 and r.json()["parameter"] == "n"
    r = client.get("/api/queries/action-label", params={"n": "10 } } DROP ALL #"})
    assert r.status_code == 422


def test_query_missing_parameter_and_unknown_query(client):
    assert client.get("/api/queries/action-label").status_code == 422
    assert client.get("/api/queries/no-such-query").status_code == 404


def test_query_csv_by_suffix_and_accept(client):
    for r in (
        client.get("/api/queries/action-label.csv?n=10"),
        client.get("/api/queries/action-label?n=10", headers={"Accept": "text/csv"}),
    ):
        assert r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert rows == [{"n": "10", "action": ID + "lap-action/10", "label": "LAP Action 10"}]


def test_project_queries_list(store, dist):
    """The project's own queries/ directory loads and lists (whatever the catalog holds)."""
    client = TestClient(create_app(store=store))
    r = client.get("/api/queries")
    assert r.status_code == 200 and any(q["name"] == "evidence-spans" for q in r.json())
    [match] = next(q for q in r.json() if q["name"] == "scheduled-in-period")["parameters"][1:]
    assert match["allowed"] == ["containment", "overlap"] and match["required"] is False
    assert match["default"] == "containment"


# ------------------------------------------------------------------ LAP actions


def test_lap_actions_lists_fifty_with_counts(client):
    body = client.get("/api/lap-actions", params={"limit": 50}).json()
    # the Lausanne Action Plan has 50 actions
    assert body["total"] == 50 and len(body["items"]) == 50
    a10 = next(a for a in body["items"] if a["number"] == 10)
    # universalization-workplan-2024-2025.txt: "Actions 10 and 11 of LAP are related to the universalization"
    # gso-workplan-2024-2025.txt: "(more specifically actions 10 and 11 A-D)"
    plans = {w["workplan"] for w in a10["byWorkplan"]}
    assert {"universalization-2024-2025", "gso-2024-2025"} <= plans
    assert a10["section"] == "Universalization"


def test_lap_actions_pagination_and_csv(client):
    body = client.get("/api/lap-actions", params={"limit": 5, "offset": 10}).json()
    assert body["total"] == 50 and [a["number"] for a in body["items"]] == [11, 12, 13, 14, 15]
    r = client.get("/api/lap-actions", headers={"Accept": "text/csv"})
    assert len(list(csv.DictReader(io.StringIO(r.text)))) == 50
    assert client.get("/api/lap-actions", params={"limit": 0}).status_code == 422


def test_lap_action_detail_with_quote(client):
    body = client.get("/api/lap-actions/10").json()
    by_element = {e["element"]: e for e in body["elements"]}
    # gso-workplan-2024-2025.txt, objective 2a: "... (more specifically actions 10 and 11 A-D)"
    e = by_element[ID + "workplan/gso-2024-2025/objective/2a"]
    assert e["basis"] == "StatedInText" and e["workplan"] == "gso-2024-2025"
    # "Coordinators: Germany and Austria"
    assert sorted(e["coordinators"]) == ["Austria", "Germany"]
    [q] = e["quotes"]
    assert "actions 10 and 11 A-D" in q["exact"]
    assert q["end"] - q["start"] == len(q["exact"])


def test_lap_action_quote_offsets_match_source(client):
    from ccmgraph import paths

    body = client.get("/api/lap-actions/10").json()
    for e in body["elements"]:
        for q in e["quotes"]:
            stem = q["document"].rsplit("/", 1)[-1]
            text = (paths.SOURCES / f"{stem}.txt").read_text(encoding="utf-8")
            assert text[q["start"] : q["end"]] == q["exact"]


def test_lap_action_filters_unknown_and_bad(client):
    body = client.get("/api/lap-actions/10", params={"basis": "stated"}).json()
    assert body["elements"] and all(e["basis"] == "StatedInText" for e in body["elements"])
    assert body["basis"] == "stated" and body["countedBases"] == ["stated"]
    body = client.get("/api/lap-actions/10", params={"workplan": "gso-2024-2025"}).json()
    assert body["elements"] and {e["workplan"] for e in body["elements"]} == {"gso-2024-2025"}
    r = client.get("/api/lap-actions/99")
    assert r.status_code == 404 and "99" in r.json()["message"]
    assert client.get("/api/lap-actions/ten").status_code == 422


# ------------------------------------------------------------------ coverage


def test_coverage_matrix_and_gaps(client):
    body = client.get("/api/coverage").json()
    assert {w["id"] for w in body["workplans"]} == {
        "gso-2023-2024",
        "gso-2024-2025",
        "gso-2025-2026",
        "universalization-2024-2025",
        "isu-2025",
    }
    a10 = next(a for a in body["actions"] if a["number"] == 10)
    # "Actions 10 and 11 of LAP are related to the universalization" (stated for the whole plan)
    assert a10["cells"]["universalization-2024-2025"]["strongest"] == "StatedInText"
    assert 10 not in body["unserved"]
    # gso-concept-note-2023-2024.txt: "LAP Actions numbers 4, 23, 28, 29, 31, 34, 36, 39 and 41 are relevant"
    a4 = next(a for a in body["actions"] if a["number"] == 4)
    assert "gso-2023-2024" in a4["cells"]


def test_coverage_cycle_and_csv(client):
    body = client.get("/api/coverage", params={"cycle": 2023}).json()
    # only the concept note 2023-2024 runs in 2023 ("CONCEPT NOTE 2023 -2024")
    assert [w["id"] for w in body["workplans"]] == ["gso-2023-2024"]
    assert 10 in body["unserved"]
    for r in (client.get("/api/coverage", headers={"Accept": "text/csv"}), client.get("/api/coverage.csv")):
        assert r.headers["content-type"].startswith("text/csv")
        assert r.text.splitlines()[0].startswith("number,label,")
        assert len(r.text.splitlines()) == 51
    assert client.get("/api/coverage", params={"cycle": "soon"}).status_code == 422


# ------------------------------------------------------------------ work plans


def test_workplans(client):
    body = client.get("/api/workplans").json()
    assert body["total"] == 5
    plan = next(p for p in body["items"] if p["id"] == "gso-2024-2025")
    assert sorted(plan["coordinators"]) == ["Austria", "Germany"]  # "Coordinators: Germany and Austria"


def test_workplan_detail_in_document_order(client):
    body = client.get("/api/workplans/gso-2024-2025").json()
    acts = [a["identifier"] for a in body["elements"]["activity"] if a["identifier"]]
    # "1) Gender mainstreaming  a) intensify ... b) organize meetings ... c) Continue work with UNIDIR"
    assert acts.index("1a") < acts.index("1b") < acts.index("1c")
    labels = " ".join(t["description"] or "" for t in body["elements"]["timeline"])
    # "- Meeting with the ISU to discuss possible action on gender as well as ..." (Fourth Quarter of 2024)
    assert "Meeting with the ISU to discuss possible action on gender" in labels
    first_q4 = next(t for t in body["elements"]["timeline"] if "Meeting with the ISU" in (t["description"] or ""))
    assert first_q4["begin"] == "2024-10-01"
    assert client.get("/api/workplans/no-such-plan").status_code == 404
    assert client.get("/api/workplans/%20bad%20").status_code == 422


# ------------------------------------------------------------------ States and partners


def test_state_roles(client):
    body = client.get("/api/states/deu").json()
    assert body["label"] == "Germany"
    roles = {(r["role"], r["workplan"]) for r in body["roles"]}
    # gso-workplan-2024-2025.txt: "Coordinators: Germany and Austria"
    assert ("coordinator", "gso-2024-2025") in roles
    # gso-concept-note-2023-2024.txt: "Belgium and Germany as the CCM Gender Focal Points."
    assert ("coordinator", "gso-2023-2024") in roles
    assert client.get("/api/states/ZZZ").status_code == 404
    assert client.get("/api/states/DE").status_code == 422


def test_partners(client):
    body = client.get("/api/partners").json()
    ids = {p["id"] for p in body["items"]}
    # gso-workplan-2024-2025.txt: "c) Continue work with UNIDIR, ..."
    assert "unidir" in ids
    detail = client.get("/api/partners/unidir").json()
    assert {"gso-2024-2025", "gso-2025-2026"} <= {r["workplan"] for r in detail["roles"] if r["role"] == "partner"}
    assert client.get("/api/partners/nobody").status_code == 404


# ------------------------------------------------------------------ timeline, compare, search


def test_timeline_range(client):
    body = client.get("/api/timeline", params={"from": "2024-10-01", "to": "2024-12-31"}).json()
    texts = [i["description"] or "" for i in body["items"]]
    # gso-workplan-2024-2025.txt, "Fourth Quarter of 2024": "- Meeting with the ISU to discuss possible action
    # on gender"
    assert any("Meeting with the ISU to discuss possible action on gender" in t for t in texts)
    assert all(i["begin"] <= "2024-12-31" and i["end"] >= "2024-10-01" for i in body["items"])
    # gso-workplan-2025-2026.txt: "- Meeting with the ISU and UNIDIR to discuss possible action on gender" is in 2025-26
    assert not any("ISU and UNIDIR" in t for t in texts)
    assert client.get("/api/timeline", params={"from": "2025-01-01", "to": "2024-01-01"}).status_code == 422
    assert client.get("/api/timeline", params={"from": "yesterday"}).status_code == 422


def test_timeline_match_containment_or_overlap(client):
    # The first quarter of 2025 (2025-01-01 to 2025-03-31), from the source texts:
    # gso-workplan-2024-2025.txt, under "First Quarter of 2025": six items, from "- Meeting with the CCM
    #   Presidency to discuss possible action on gender ..." to "- Meeting with international NGOs/operators
    #   and civil society ...";
    # universalization-workplan-2024-2025.txt, "#### **January 2025:**": "Meet with ISU and 13MSP Presidency
    #   ..."; "#### **February 2025:**": "Second meeting in the Informal Working Group on Universalization",
    #   "Meeting with the Secretary of IPU"; "#### **March 2025**": "Meetings with target states";
    # -> 6 + 1 + 2 + 1 = 10 entries lie within the quarter.
    # universalization-workplan-2024-2025.txt, "## **Overarching activities (December 2024 – September
    #   2025)**": nine numbered items, "1. Outreach and focus on target States." to "9. Collaborate with CMC
    #   and the ICRC in their universalization efforts." -> they overlap the quarter: 10 + 9 = 19.
    # (The other plans schedule nothing in it: the 2023-2024 concept note ends in "Third Quarter of 2024",
    # the 2025-2026 plan begins with "First Quarter of 2026"; the ISU plan has no timeline.)
    quarter = {"from": "2025-01-01", "to": "2025-03-31"}
    default = client.get("/api/timeline", params=quarter).json()
    contained = client.get("/api/timeline", params={**quarter, "match": "containment"}).json()
    overlapping = client.get("/api/timeline", params={**quarter, "match": "overlap"}).json()
    assert default == contained and contained["match"] == "containment" and overlapping["match"] == "overlap"
    assert contained["total"] == 10 and overlapping["total"] == 19
    assert all("2025-01-01" <= i["begin"] <= i["end"] <= "2025-03-31" for i in contained["items"])
    spanning = [i for i in overlapping["items"] if i not in contained["items"]]
    assert len(spanning) == 9 and {(i["begin"], i["end"]) for i in spanning} == {("2024-12-01", "2025-09-30")}
    assert any(i["description"] == "Outreach and focus on target States." for i in spanning)
    rows = list(csv.DictReader(io.StringIO(client.get("/api/timeline", params={**quarter, "format": "csv"}).text)))
    assert len(rows) == 10 and {r["match"] for r in rows} == {"containment"}
    r = client.get("/api/timeline", params={**quarter, "match": "touching"})
    assert r.status_code == 422 and r.json()["parameter"] == "match"
    assert r.json()["allowed"] == ["containment", "overlap"]


def test_timeline_matchings_are_the_views(client):
    # the service's matchings are those the view declares (queries/views/timeline.rq), default first
    from ccmgraph.analysis import service, views

    [match] = [p for p in views.view("timeline").parameters if p.name == "match"]
    assert match.allowed == service.MATCHES and match.default == service.MATCHES[0]


def test_compare_cycles(client):
    body = client.get("/api/compare", params={"from": "gso-2024-2025", "to": "gso-2025-2026"}).json()
    continued = {p["partner"] for p in body["partners"]["continued"]}
    # 2024-2025: "c) Continue work with UNIDIR"; 2025-2026: "- Continue work with UNIDIR and other stakeholders"
    assert ID + "org/unidir" in continued
    assert body["elements"]["continued"]
    r = client.get("/api/compare", params={"from": "gso-2024-2025", "to": "nope"})
    assert r.status_code == 422 and r.json()["parameter"] == "to" and "gso-2025-2026" in r.json()["allowed"]
    assert client.get("/api/compare", params={"from": "gso-2024-2025"}).status_code == 422


def test_search_ranked(client):
    body = client.get("/api/search", params={"q": "UNIDIR", "limit": 5}).json()
    # "United Nations Institute for Disarmament Research (UNIDIR)": the organisation ranks first
    assert body["items"][0]["resource"] == ID + "org/unidir"
    assert body["total"] > 5 and len(body["items"]) == 5
    assert client.get("/api/search", params={"q": ""}).status_code == 422
    assert client.get("/api/search", params={"q": '") } DROP ALL'}).status_code == 200


def test_openapi_has_examples(client):
    spec = client.get("/openapi.json").json()
    params = spec["paths"]["/api/lap-actions/{n}"]["get"]["parameters"]
    assert any(p["name"] == "n" and p["schema"].get("examples") == [10] for p in params)


# ------------------------------------------------------------------ working-group filter

GSO_PLANS = {"gso-2023-2024", "gso-2024-2025", "gso-2025-2026"}


def test_workplans_by_working_group(client):
    # gso-concept-note-2023-2024.txt: "CCM Working Group on the General Status and Operation and Gender Focal Point of"
    # gso-workplan-2024-2025.txt: "CCM Thematic Working Group on General Status and Operation"
    # gso-workplan-2025-2026.txt: "CCM thematic Working Group on General Status and" / "Operation Work Plan 2025-2026"
    for value in ("general-status-and-operation", ID + "working-group/general-status-and-operation"):
        body = client.get("/api/workplans", params={"working_group": value}).json()
        assert {p["id"] for p in body["items"]} == GSO_PLANS and body["total"] == 3
    # universalization-workplan-2024-2025.txt:
    # "WORK PLAN ON THE UNIVERSALIZATION OF THE CONVENTION ON CLUSTER MUNITIONS (CCM) 2024 -2025"
    body = client.get("/api/workplans", params={"working_group": "universalization"}).json()
    assert [p["id"] for p in body["items"]] == ["universalization-2024-2025"]
    # a working group no work plan here belongs to: known, so an empty list, not an error
    body = client.get("/api/workplans", params={"working_group": "victim-assistance"}).json()
    assert body["total"] == 0 and body["items"] == []


def test_lap_action_by_working_group(client):
    body = client.get("/api/lap-actions/10", params={"working_group": "general-status-and-operation"}).json()
    plans = {e["workplan"] for e in body["elements"]}
    # gso-workplan-2024-2025.txt, objective 2a: "(more specifically actions 10 and 11 A-D)"
    assert ID + "workplan/gso-2024-2025/objective/2a" in {e["element"] for e in body["elements"]}
    assert plans <= GSO_PLANS and body["total"] == len(body["elements"])
    body = client.get("/api/lap-actions/10", params={"working_group": "universalization"}).json()
    # universalization-workplan-2024-2025.txt: "Actions 10 and 11 of LAP are related to the universalization"
    assert body["elements"] and {e["workplan"] for e in body["elements"]} == {"universalization-2024-2025"}
    everything = client.get("/api/lap-actions/10").json()
    assert body["total"] < everything["total"]


def test_working_group_filter_on_coverage_and_timeline(client):
    body = client.get("/api/coverage", params={"working_group": "universalization", "cycle": 2025}).json()
    assert [w["id"] for w in body["workplans"]] == ["universalization-2024-2025"]
    body = client.get("/api/timeline", params={"working_group": "universalization", "limit": 1000}).json()
    assert body["items"] and {i["workplanId"] for i in body["items"]} == {"universalization-2024-2025"}


def test_working_group_unknown_is_422(client):
    for url in ("/api/workplans", "/api/lap-actions/10", "/api/coverage", "/api/timeline"):
        for value in ("no-such-group", ID + "working-group/no-such-group", "not a key", ""):
            r = client.get(url, params={"working_group": value})
            assert r.status_code == 422, (url, value, r.status_code)
            assert r.json()["parameter"] == "working_group"
    r = client.get("/api/workplans", params={"working_group": "no-such-group"})
    assert "general-status-and-operation" in r.json()["message"]


# ------------------------------------------------------------------ the basis of the links counted

BASES = ["stated", "objective", "workplan", "curator"]
GENDER = {4, 23, 28, 29, 31, 34, 36, 39, 41}
# gso-workplan-2025-2026.txt cites no LAP action by number; its links are curator judgement: Objective 3
# ("Support inclusive and gender-responsive implementation") carries forward the gender work for which
# 2024-2025 states "LAP Actions numbers 4, 23, 28, 29, 31, 34, 36, 39 and 41"


def counted(basis):
    return BASES[: BASES.index(basis) + 1]


@pytest.mark.parametrize("basis", BASES)
def test_lap_action_detail_by_basis(client, basis):
    body = client.get("/api/lap-actions/10", params={"basis": basis}).json()
    assert body["basis"] == basis and body["countedBases"] == counted(basis)
    got = {(e["element"].removeprefix(ID + "workplan/"), e["basis"]) for e in body["elements"]}
    # Universalization: "Actions 10 and 11 of LAP are related to the universalization of the CCM";
    # GSO 2024-2025 objective 2a: "(more specifically actions 10 and 11 A-D)"
    assert {("universalization-2024-2025", "StatedInText"), ("gso-2024-2025/objective/2a", "StatedInText")} <= got
    # + objective: its activity a) ("a) discuss within the CCM how to best strengthen the norms and support
    #   universalization", by parallel numbering); + workplan: the Universalization plan's 4 objectives,
    #   11 activities, 4 outputs; + curator: GSO 2025-2026 Track 2.2 outreach "in coordination with the
    #   universalization Coordinators", ISU priority B and output 12 (universalization "as described in the
    #   Lausanne Action Plan"), and GSO 2024-2025 activity 2c, whose link to objective 2a is a judgement
    assert body["total"] == {"stated": 2, "objective": 3, "workplan": 22, "curator": 26}[basis]
    assert (("gso-2025-2026/activity/track-2.2-item-1", "CuratorJudgement") in got) == (basis == "curator")
    labels = {e["basisLabel"] for e in body["elements"]}
    assert "stated in the text" in labels


@pytest.mark.parametrize("basis", BASES)
def test_coverage_by_basis(client, basis):
    body = client.get("/api/coverage", params={"basis": basis}).json()
    assert body["basis"] == basis and body["countedBases"] == counted(basis)
    cells = {a["number"]: a["cells"] for a in body["actions"]}
    judged = {n for n, c in cells.items() if "gso-2025-2026" in c}
    assert judged == (GENDER | {10, 11} if basis == "curator" else set())
    # Universalization: "Actions 10 and 11 of LAP are related to the universalization": the plan, and its
    # 19 elements once inherited links count
    assert cells[10]["universalization-2024-2025"]["count"] == (20 if basis in ("workplan", "curator") else 1)
    assert cells[10]["universalization-2024-2025"]["strongest"] == "StatedInText"


@pytest.mark.parametrize("basis", BASES)
def test_lap_actions_by_basis(client, basis):
    body = client.get("/api/lap-actions", params={"basis": basis, "limit": 50}).json()
    assert body["basis"] == basis and body["countedBases"] == counted(basis)
    a4 = next(a for a in body["items"] if a["number"] == 4)
    plans = {w["workplan"] for w in a4["byWorkplan"]}
    # concept note and 2024-2025: "LAP Actions numbers 4, 23, ..."; ISU: "including but not restricted to
    # actions 1 to 9"; 2025-2026 by judgement only
    judged = {"gso-2025-2026"} if basis == "curator" else set()
    assert plans == {"gso-2023-2024", "gso-2024-2025", "isu-2025"} | judged


def test_default_basis_is_stated_or_inherited(client):
    for url in ("/api/coverage", "/api/lap-actions", "/api/lap-actions/4"):
        default, explicit = client.get(url).json(), client.get(url, params={"basis": "workplan"}).json()
        assert default == explicit and default["countedBases"] == ["stated", "objective", "workplan"]
    # a gap by default: nothing the 2025-2026 plan says serves gender action 4
    body = client.get("/api/lap-actions/4", params={"workplan": "gso-2025-2026"}).json()
    assert body["total"] == 0
    body = client.get("/api/lap-actions/4", params={"workplan": "gso-2025-2026", "basis": "curator"}).json()
    assert {e["element"] for e in body["elements"]} == {ID + "workplan/gso-2025-2026/objective/3"}


@pytest.mark.parametrize("basis", BASES)
def test_named_query_by_basis_through_the_api(client_project, basis):
    rows = client_project.get(
        "/api/queries/actions-without-activity-in-cycle", params={"cycle": "2025-2026", "basis": basis}
    ).json()
    gaps = {r["number"] for r in rows}
    assert gaps >= GENDER if basis != "curator" else not gaps & GENDER
    assert {r["basis"] for r in rows} == {basis}


# ------------------------------------------------------------------ bad input: 422 naming the parameter


@pytest.fixture(scope="module")
def client_project(store, dist) -> TestClient:
    """The app over the project's own queries/."""
    return TestClient(create_app(store=store, dist=dist))


def assert_422(r, parameter, allowed=None):
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["parameter"] == parameter
    assert body["message"].count(f"parameter {parameter!r}") == 1, body["message"]
    if allowed is not None:
        assert set(allowed) <= set(body["allowed"]) and all(a in body["message"] for a in allowed)
    return body


def test_unknown_basis_is_422(client, client_project):
    for url in ("/api/coverage", "/api/lap-actions", "/api/lap-actions/10"):
        assert_422(client.get(url, params={"basis": "bogus"}), "basis", BASES)
    r = client_project.get("/api/queries/activities-serving-action", params={"action": "10", "basis": "bogus"})
    assert_422(r, "basis", BASES)
    r = client.get("/api/lap-actions/10", params={"basis": "StatedInText"})  # a basis is named by its notation
    assert_422(r, "basis", BASES)


def test_unknown_workplan_and_compare_same_plan_are_422(client):
    body = assert_422(
        client.get("/api/lap-actions/10", params={"workplan": "nope"}),
        "workplan",
        ["gso-2024-2025", "universalization-2024-2025"],
    )
    assert "'nope'" in body["message"]
    assert_422(client.get("/api/timeline", params={"workplan": "nope"}), "workplan", ["isu-2025"])
    body = assert_422(client.get("/api/compare", params={"from": "gso-2024-2025", "to": "gso-2024-2025"}), "to")
    assert "gso-2024-2025" not in body["allowed"] and "gso-2025-2026" in body["allowed"]


def test_unknown_query_parameter_is_422(client, client_project):
    # a misspelt range must not silently answer every entry
    body = assert_422(client.get("/api/timeline", params={"start": "2025-01-01"}), "start", ["from", "to"])
    assert "/api/timeline" in body["message"]
    for url in ("/api/coverage", "/api/lap-actions/10", "/api/workplans", "/api/search?q=x", "/api/partners/unidir"):
        assert_422(client.get(url, params={"bogus": "1"}), "bogus")
    r = client_project.get(
        "/api/queries/scheduled-in-period", params={"period": ID + "period/2025-Q1", "mode": "overlap"}
    )
    assert_422(r, "mode", ["period", "match"])


def test_wrong_type_message_once(client_project):
    r = client_project.get("/api/queries/scheduled-in-period", params={"period": "not an iri"})
    body = assert_422(r, "period")
    assert body["message"].startswith("parameter 'period': expected iri")


# ------------------------------------------------------------------ CSV and JSON by Accept and format=

LISTS = [
    "/api/lap-actions",
    "/api/lap-actions/10",
    "/api/coverage",
    "/api/workplans",
    "/api/workplans/gso-2024-2025",
    "/api/states/DEU",
    "/api/partners",
    "/api/partners/unidir",
    "/api/timeline",
    "/api/compare?from=gso-2024-2025&to=gso-2025-2026",
    "/api/search?q=UNIDIR",
]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_answer_in_csv_and_json(client, url):
    path, _, query = url.partition("?")
    params = dict(p.split("=") for p in query.split("&") if p)
    by_format = client.get(path, params={**params, "format": "csv"})
    by_accept = client.get(path, params=params, headers={"Accept": "text/csv"})
    for r in (by_format, by_accept):
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), (url, r.text[:200])
        assert list(csv.DictReader(io.StringIO(r.text)))
    assert by_format.text == by_accept.text
    for r in (
        client.get(path, params={**params, "format": "json"}),
        client.get(path, params=params, headers={"Accept": "text/csv;q=0.5, application/json"}),
        client.get(path, params=params),
    ):
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), url
    # format= wins over Accept
    r = client.get(path, params={**params, "format": "json"}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("application/json")


def test_lap_action_csv_has_the_basis(client):
    r = client.get("/api/lap-actions/10", params={"format": "csv", "basis": "curator"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 26
    # GSO 2024-2025 objective 2a: "(more specifically actions 10 and 11 A-D)"
    row = next(x for x in rows if x["element"] == ID + "workplan/gso-2024-2025/objective/2a")
    assert row["basis"] == "StatedInText" and "actions 10 and 11 A-D" in row["quotes"]
    assert {x["basis"] for x in rows} >= {"StatedInText", "InheritedFromWorkPlan", "CuratorJudgement"}
    assert {x["countedBases"] for x in rows} == {"stated; objective; workplan; curator"}
    coverage = list(csv.DictReader(io.StringIO(client.get("/api/coverage", params={"format": "csv"}).text)))
    a10 = next(x for x in coverage if x["number"] == "10")
    assert a10["universalization-2024-2025 strongest basis"] == "StatedInText"


def test_named_query_csv_by_format(client):
    r = client.get("/api/queries/action-label", params={"n": "10", "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(r.text))) == [
        {"n": "10", "action": ID + "lap-action/10", "label": "LAP Action 10"}
    ]
    assert_422(client.get("/api/queries/action-label", params={"n": "10", "format": "xlsx"}), "format", ["csv"])
    assert_422(client.get("/api/coverage", params={"format": "xlsx"}), "format", ["csv", "json"])


# ------------------------------------------------------------------ OpenAPI


def test_openapi_documents_answers_and_errors(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        op = ops["get"]
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        # a named schema, not an anonymous dict (except a named query's rows, which vary by query)
        assert "$ref" in ok or ok.get("type") == "array", (path, ok)
        error = op["responses"]["422"]["content"]["application/json"]["schema"]
        assert error["$ref"].endswith("/ErrorAnswer"), path
        assert "404" in op["responses"]
    schemas = spec["components"]["schemas"]
    assert {"LapActionDetail", "Coverage", "WorkPlanDetail", "AgentRoles", "Comparison", "ErrorAnswer"} <= set(schemas)
    assert {"from", "to", "elements", "partners"} <= set(schemas["Comparison"]["properties"])
    params = {p["name"]: p for p in spec["paths"]["/api/coverage"]["get"]["parameters"]}
    basis = params["basis"]["schema"]
    assert basis.get("enum", basis.get("anyOf", [{}])[0].get("enum")) == BASES


def test_layers():
    """The service knows nothing of HTTP; the web app does not load the build pipeline (owlrl, pySHACL)."""
    import subprocess
    import sys

    code = (
        "import sys, ccmgraph.analysis.service; assert 'fastapi' not in sys.modules and 'starlette' not in "
        "sys.modules; import ccmgraph.web.app; "
        "assert not {'ccmgraph.pipeline', 'owlrl', 'pyshacl'} & set(sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
