"""Answers of the named queries (queries/*.rq), checked against what the source documents say.

Every expected value below is read from a source text in data/sources/ (the sentence is quoted
next to it), never computed from the graph. That every query parses and runs with its example
parameters is tested generically in tests/test_catalog.py.
"""

from __future__ import annotations

import pytest

from ccmgraph import catalog, paths

ID = "https://w3id.org/ccmgraph/id/"
GSO2324, GSO2425, GSO2526 = ID + "workplan/gso-2023-2024", ID + "workplan/gso-2024-2025", ID + "workplan/gso-2025-2026"
UNI, ISU = ID + "workplan/universalization-2024-2025", ID + "workplan/isu-2025"


@pytest.fixture(scope="module")
def run(store):
    queries = catalog.load()

    def _run(name: str, **params: str) -> list[dict]:
        q = queries[name]
        return store.select(q.sparql, q.bindings(params))

    return _run


def test_there_are_at_least_twenty_competency_questions():
    queries = catalog.load()
    assert len(queries) >= 21
    for q in queries.values():
        assert q.title and q.description, q.name


def test_activities_serving_action_10(run):
    rows = run("activities-serving-action", action="10")
    assert {r["actionLabel"] for r in rows} == {"LAP Action 10"}
    by_element = {(r["element"], r["linkBasis"].rsplit("#")[-1]) for r in rows}
    # "Actions 10 and 11 of LAP are related to the universalization of the CCM" (Universalization plan)
    assert (UNI, "StatedInText") in by_element
    # "(more specifically actions 10 and 11 A-D)" (GSO 2024-2025, objective 2a)
    assert (GSO2425 + "/objective/2a", "StatedInText") in by_element
    # the Universalization activities inherit it from the plan: "1. Hold bilateral exchanges ..."
    assert (UNI + "/activity/1", "InheritedFromWorkPlan") in by_element
    stated = [r for r in rows if r["element"] == GSO2425 + "/objective/2a"]
    assert stated[0]["quote"] == "(more specifically actions 10 and 11 A-D)"
    assert stated[0]["file"] == "gso-workplan-2024-2025.txt" and stated[0]["strength"] == 4
    text = (paths.SOURCES / "gso-workplan-2024-2025.txt").read_text(encoding="utf-8")
    assert text[stated[0]["start"] : stated[0]["end"]] == stated[0]["quote"]


def test_actions_without_activity_in_cycle_2024_2025(run):
    rows = run("actions-without-activity-in-cycle", cycle="2024-2025")
    # GSO 2024-2025: "LAP Actions numbers 4, 23, 28, 29, 31, 34, 36, 39 and 41 are relevant ...",
    #   "(more specifically actions 10 and 11 A-D)", "(more specifically actions 1 and 8)";
    # Universalization 2024-2025: "Actions 10 and 11 of LAP are related to the universalization"
    served = {1, 4, 8, 10, 11, 23, 28, 29, 31, 34, 36, 39, 41}
    assert {r["number"] for r in rows} == set(range(1, 51)) - served


def test_actions_without_activity_unknown_cycle_is_empty(run):
    assert run("actions-without-activity-in-cycle", cycle="1999-2000") == []


def test_gender_actions_per_cycle(run):
    rows = run("gender-actions-per-cycle")
    # "LAP Actions numbers 4, 23, 28, 29, 31, 34, 36, 39 and 41 are relevant for activities with
    #  regard to gender." (concept note 2023-2024 and, "... gender mainstreaming", work plan 2024-2025)
    assert {r["number"] for r in rows} == {4, 23, 28, 29, 31, 34, 36, 39, 41}
    plans = {(r["number"], r["workplan"]) for r in rows}
    for n in (4, 23, 28, 29, 31, 34, 36, 39, 41):
        assert (n, GSO2324) in plans and (n, GSO2425) in plans


def test_partners_in_several_workplans(run):
    rows = {r["partner"]: r for r in run("partners-in-several-workplans")}
    counts = {p: r["workplans"] for p, r in rows.items()}
    # concept note: "CCM Implementation Support Unit"; 2024-2025: "CCM Implementation Support Unit,";
    # Universalization: "With assistance from the ISU"; 2025-2026: "with ISU support"
    assert counts[ID + "org/isu"] >= 3
    # 2024-2025: "- ICRC"; Universalization: "Collaborate with CMC and the ICRC"
    assert counts[ID + "org/icrc"] >= 2
    # 2024-2025: "IPU and dedicated parliaments"; Universalization: "through the Inter Parliamentary Union"
    assert counts[ID + "org/ipu"] >= 2
    assert all(n >= 2 for n in counts.values())


def test_partners_roll_up_to_their_organisation(run):
    """A unit or programme of an organisation counts for the organisation (org:subOrganizationOf)."""
    rows = {r["partner"]: r for r in run("partners-in-several-workplans")}
    gichd = rows[ID + "org/gichd"]
    # concept note: "▪ GICHD"; ISU 2025: "Manage the Sponsorship Programme in collaboration with the Geneva
    # International Centre for Humanitarian Demining (GICHD)"; GSO 2024-2025 names only its unit:
    # "- GICHD Gender and Diversity Working Group" -- three work plans, not two
    assert gichd["workplans"] == 3
    assert "GICHD Gender and Diversity Working Group" in gichd["namedAs"]
    assert "General Status and Operation work plan 2024-2025" in gichd["workplanLabels"]
    # concept note: "▪ UNIDIR Gender Programme"; 2024-2025: "- UNIDIR Gender and Disarmament Research Programme"
    unidir = rows[ID + "org/unidir"]
    assert "UNIDIR Gender and Disarmament Research Programme" in unidir["namedAs"]
    # the programme itself is still listed, for the two plans that name it
    assert rows[ID + "org/unidir-gender-and-disarmament-programme"]["workplans"] == 2


def test_state_roles_germany(run):
    rows = run("state-roles", state="DEU")
    roles = {(r["role"], r["in"]) for r in rows}
    # concept note: "Belgium and Germany as the CCM Gender Focal Points."
    assert ("implementer", GSO2324) in roles
    # 2024-2025: "Coordinators: Germany and Austria" (text: "Coordinators:\n\nGermany and Austria")
    assert ("coordinator", GSO2425) in roles
    # 2025-2026: "Austria and Cameroon" -- Germany no longer coordinates
    assert ("coordinator", GSO2526) not in roles
    assert {r["stateLabel"] for r in rows} == {"Germany"}
    # concept note, "5. Estimated Budget": "UNIDIR research and side event will be funded by Germany."
    assert ("funder", GSO2324 + "/budget/estimated-budget") in roles


def test_state_roles_philippines(run):
    roles = {(r["role"], r["in"]) for r in run("state-roles", state="PHL")}
    # Universalization: "Current CCM presidency (Philippines) and State Party with leverage ..."
    assert ("implementer", UNI) in roles
    # activity 6: "In coordination with the Presidency and the ISU" names no presidency: the 13MSP
    # Presidency (held by the Philippines, reference data) is a curator's judgement, and says so
    # GSO 2024-2025: "in support of the work led by the Presidents of the 13 MSP" states it
    held = {r["in"]: r["role"] for r in run("state-roles", state="PHL") if "presidency it holds" in r["role"]}
    assert held[UNI + "/activity/6"].endswith("(reference data; curator judgement)")
    assert held[GSO2425].endswith("(reference data)")


Q1_2025 = ID + "period/2025-Q1"
# GSO 2024-2025 "First Quarter of 2025": six bullets
GSO_Q1 = {f"{GSO2425}/timeline/2025-Q1-{i}" for i in range(1, 7)}
# Universalization: "January 2025:", "February 2025:" (two items), "March 2025" (one item)
UNI_Q1 = {
    UNI + "/timeline/2025-01-1",
    UNI + "/timeline/2025-02-1",
    UNI + "/timeline/2025-02-2",
    UNI + "/timeline/2025-03-1",
}


def test_scheduled_in_first_quarter_2025_containment(run):
    """By default, what the documents schedule in the quarter: the six GSO bullets and four monthly items."""
    for rows in (
        run("scheduled-in-period", period=Q1_2025),
        run("scheduled-in-period", period=Q1_2025, match="containment"),
    ):
        assert {r["entry"] for r in rows} == GSO_Q1 | UNI_Q1 and len(rows) == 10
        assert {r["match"] for r in rows} == {"containment"}


def test_scheduled_in_first_quarter_2025_overlap(run):
    rows = run("scheduled-in-period", period=Q1_2025, match="overlap")
    entries = {r["entry"] for r in rows}
    assert entries >= GSO_Q1 | UNI_Q1 and {r["match"] for r in rows} == {"overlap"}
    # "Overarching activities (December 2024 – September 2025)" overlap the quarter: nine items
    assert len([e for e in entries if "/overarching-" in e]) == 9
    assert len(entries) == 19
    # "Fourth Quarter of 2024" and "April 2025" do not
    assert not any("2024-Q4" in e or "2025-04" in e for e in entries)


def test_scheduled_in_period_unknown_match_is_refused(run):
    with pytest.raises(catalog.ParameterError, match="allowed: containment, overlap"):
        run("scheduled-in-period", period=Q1_2025, match="roughly")


def test_continued_started_stopped(run):
    rows = run("continued-started-stopped", earlier=GSO2425, later=GSO2526)
    continued = {(r["element"], r["earlierElement"]) for r in rows if r["status"] == "continued"}
    # 2025-2026 Track 3: "Continue work with UNIDIR and other stakeholders, support research initiatives
    #   and outreach programmes" <- 2024-2025 1c: "Continue work with UNIDIR, support research initiatives"
    assert (GSO2526 + "/activity/track-3-item-4", GSO2425 + "/activity/1c") in continued
    statuses = {r["element"]: r["status"] for r in rows}
    # 2024-2025 "c) work with IPU and dedicated parliamentarians": no IPU work in 2025-2026
    assert statuses[GSO2425 + "/activity/2c"] == "dropped"
    # 2025-2026 "Track 1: Cross cutting coordination and Presidency tasked support" is new
    assert statuses[GSO2526 + "/activity/track-1"] == "new"
    assert {r["status"] for r in rows} == {"continued", "new", "dropped"}
    # every element belongs to one of the two plans
    assert all(r["element"].startswith((GSO2425 + "/", GSO2526 + "/")) for r in rows)


def test_isu_budget_lines(run):
    rows = {r["lineLabel"]: r for r in run("isu-budget-lines")}
    # "Salaries 364'282", "Social charges 72'856", "Communication 20'000", "Travel 27'000",
    # "Other implementation support costs 13'000", "Total 497'138"
    assert {k: v["amount"] for k, v in rows.items()} == {
        "Salaries": 364282,
        "Social charges": 72856,
        "Communication": 20000,
        "Travel": 27000,
        "Other implementation support costs": 13000,
    }
    assert {v["total"] for v in rows.values()} == {497138}
    assert {v["currency"] for v in rows.values()} == {"CHF"}  # "Amount in chf"
    assert rows["Salaries"]["percent"] == pytest.approx(73.28, abs=0.01)  # 364282 / 497138
    assert sum(v["percent"] for v in rows.values()) == pytest.approx(100, abs=0.05)


def test_isu_priority_articles(run):
    rows = run("isu-priority-articles")
    direct = {(r["identifier"], r["articleNumber"]) for r in rows if r["how"] == "priority"}
    # "C. Support on Stockpile Destruction ... implement Article 3 obligations"; "D. ... Article 4";
    # "E. ... Article 5"; "F. ... Article 6"; "G. ... Article 7"; "H. ... Article 9"
    assert {("C", 3), ("D", 4), ("E", 5), ("F", 6), ("G", 7), ("H", 9)} <= direct
    # "A. Support to the President, the President-Designate and the Coordination Committee" ... J: ten priorities
    assert {r["identifier"] for r in rows} == set("ABCDEFGHIJ")


def test_curation_notes(run):
    rows = run("curation-notes")
    notes = [r for r in rows if r["subject"] == GSO2425]
    # "4. Expected Outputs by 11MSP" in a plan that leads up to the 13th MSP
    assert any("11MSP" in r["note"] for r in notes)
    assert {r["file"] for r in notes} == {"gso-workplan-2024-2025.txt"}
    assert all(r["graph"].startswith("https://w3id.org/ccmgraph/graph/") for r in rows)


def test_coordinators_per_workplan(run):
    rows = run("coordinators-per-workplan")
    got: dict[str, set[str]] = {}
    for r in rows:
        got.setdefault(r["workplan"], set()).add(r["iso3"])
    assert got == {
        GSO2324: {"BEL", "DEU"},  # "Belgium and Germany as the CCM Gender Focal Points."
        GSO2425: {"DEU", "AUT"},  # "Coordinators:" Germany and Austria (cover)
        GSO2526: {"AUT", "CMR"},  # "Austria and Cameroon"
        UNI: {"PER", "NOR"},  # "Peru and Norway Coordinators on Universalization;"
    }


def test_lap_action_coverage_matrix(run):
    rows = run("lap-action-coverage-matrix")
    assert {r["number"] for r in rows} == set(range(1, 51))
    cell = {(r["number"], r["workplan"]): r for r in rows}
    # Universalization: "Actions 10 and 11 of LAP are related to the universalization of the CCM"
    assert cell[(10, UNI)]["strongest"] == 4 and cell[(11, UNI)]["strongest"] == 4
    # ISU G(b): "Provide targeted technical assistance ... in accordance with LAP Action 46"
    assert cell[(46, ISU)]["strongest"] == 4
    # no document names action 50
    assert cell[(50, None)]["elements"] == 0


def test_timeline_of_workplan(run):
    rows = run("timeline-of-workplan", workplan=GSO2425)
    # "Fourth Quarter of 2024" (5 bullets), "First Quarter of 2025" (6), "Second Quarter" (3), "Third" (4)
    assert len(rows) == 18
    assert rows[0]["begins"] == "2024-10-01" and rows[-1]["ends"] == "2025-09-30"
    assert [r["begins"] for r in rows] == sorted(r["begins"] for r in rows)
    assert {r["workplan"] for r in rows} == {GSO2425}


def test_objectives_and_activities_of_workplan(run):
    rows = run("objectives-and-activities-of-workplan", workplan=GSO2425)
    objectives = [r["identifier"] for r in rows if r["kind"] == "objective"]
    # "2. Objectives": 1) a) b) c) d), 2) a) b) c)
    assert objectives == ["1", "1a", "1b", "1c", "1d", "2", "2a", "2b", "2c"]
    activities = list(dict.fromkeys(r["identifier"] for r in rows if r["kind"] == "activity"))
    # "3. Implementation activities": 1) a) b) c), 2) a) b) c)
    assert activities == ["1", "1a", "1b", "1c", "2", "2a", "2b", "2c"]


def test_evidence_for_element(run):
    rows = run("evidence-for-element", element=GSO2425 + "/objective/2a")
    quotes = {r["quote"] for r in rows}
    assert "(more specifically actions 1 and 8)" in quotes
    assert "(more specifically actions 10 and 11 A-D)" in quotes
    assert {r["file"] for r in rows} == {"gso-workplan-2024-2025.txt"}


def test_actions_by_section(run):
    rows = run("actions-by-section")
    assert len(rows) == 50
    universalization = {r["number"] for r in rows if r["sectionLabel"] == "Universalization"}
    # Universalization plan: "Actions 10 and 11 of LAP are related to the universalization of the CCM"
    assert universalization == {10, 11}


def test_alignments_by_basis(run):
    rows = run("alignments-by-basis", basis="curator")
    stated = {r["workplan"]: r["alignments"] for r in rows if r["alignmentBasis"].endswith("#StatedInText")}
    # concept note: one sentence naming nine actions ("LAP Actions numbers 4, 23, ... and 41")
    assert stated[GSO2324] == 9
    # Universalization: "Actions 10 and 11 of LAP ..."
    assert stated[UNI] == 2
    # 2024-2025: nine gender actions + "actions 10 and 11 A-D" + "actions 1 and 8"
    assert stated[GSO2425] == 13
    # 2025-2026 names no action number at all
    assert GSO2526 not in stated


def test_organisation_roles(run):
    rows = run("organisation-roles")
    roles = {(r["org"], r["role"], r["workplan"]) for r in rows}
    # ISU 2025: "Liaise with the UN, particularly UNODA"
    assert (ID + "org/unoda", "partner", ISU) in roles
    # Universalization: "Engage with the Treaty Section of the UN Office of Legal Affairs (New York)"
    assert any(o == ID + "org/un-ola-treaty-section" and w == UNI for o, _, w in roles)


def test_meetings_and_workplans(run):
    rows = run("meetings-and-workplans")
    lead = {(r["meeting"], r["workplan"]) for r in rows if r["workplan"]}
    # "6. Timeline of activities in the lead up the 13th MSP"
    assert (ID + "meeting/13msp", GSO2425) in lead
    # "Increase number of States Parties by the 13th MSP"
    assert (ID + "meeting/13msp", UNI) in lead
    # concept note: "... up to the 12th Meeting of States Parties (12MSP)"
    assert (ID + "meeting/12msp", GSO2324) in lead


def test_state_category_members(run):
    rows = run("state-category-members")
    categories = {r["category"] for r in rows}
    # "Target States": six bullets in the Universalization plan
    assert len(categories) == 6
    assert UNI in {r["targetedBy"] for r in rows}
    signatories = {r["iso3"] for r in rows if r["category"] == UNI + "/category/1"}
    # "To date there are 112 States Parties, and 12 Signatories States."
    assert len(signatories) == 12


def test_workplans_overview(run):
    rows = {r["workplan"]: r for r in run("workplans-overview")}
    assert set(rows) == {GSO2324, GSO2425, GSO2526, UNI, ISU}
    # "CCM/MSP/2024/3" is the symbol of the ISU 2025 work plan and budget
    assert rows[ISU]["symbol"] == "CCM/MSP/2024/3"
    # "during the period 1 January - 31 December 2025"
    assert (rows[ISU]["begins"], rows[ISU]["ends"]) == ("2025-01-01", "2025-12-31")
    # Universalization: "Activities" 1. to 11.
    assert rows[UNI]["activities"] == 11


def test_implementers_per_workplan(run):
    rows = run("implementers-per-workplan")
    uni = {r["implementer"] for r in rows if r["workplan"] == UNI}
    # "Malawi – former coordinator on Universalization"; "Lao PDR – President of the 3 Review Conference";
    # "Thematic Coordinator on National Implementation Measures, Irak."
    assert {ID + "state/MWI", ID + "state/LAO", ID + "state/IRQ"} <= uni
    # ISU: "Submitted by the ISU Director"
    assert {r["implementer"] for r in rows if r["workplan"] == ISU} == {ID + "org/isu"}


def test_elements_serving_no_action(run):
    rows = {r["element"] for r in run("elements-serving-no-action", workplan=GSO2425)}
    # the actions are scoped to gender mainstreaming ("relevant for activities with regard to gender
    # mainstreaming") and to objective 2a ("actions 10 and 11 A-D", "actions 1 and 8"); 2b and 2c name none
    assert GSO2425 + "/objective/2b" in rows and GSO2425 + "/objective/2c" in rows
    assert GSO2425 + "/objective/1a" not in rows and GSO2425 + "/objective/2a" not in rows


# ------------------------------------------------------------------ the basis of the links counted

BASES = ("stated", "objective", "workplan", "curator")
# LAP actions the curator judged for GSO 2025-2026, which names no LAP action number: Objective 3 carries
# forward the gender mainstreaming work for which the 2024-2025 plan states "LAP Actions numbers 4, 23, 28,
# 29, 31, 34, 36, 39 and 41"; Track 2.2 "Undertake targeted outreach (in coordination with the
# universalization Coordinators)" is universalization work, tied in 2024-2025 to "actions 10 and 11 A-D".
GENDER = {4, 23, 28, 29, 31, 34, 36, 39, 41}
JUDGED_2526 = GENDER | {10, 11}
# LAP action 10, what serves it by each basis:
# stated: Universalization "Actions 10 and 11 of LAP are related to the universalization of the CCM";
#   GSO 2024-2025 objective 2a "(more specifically actions 10 and 11 A-D)"
STATED_10 = {(UNI, "StatedInText"), (GSO2425 + "/objective/2a", "StatedInText")}
# objective: the GSO 2024-2025 activity of objective 2a "a) discuss within the CCM how to best
#   strengthen the norms and support universalization of the CCM" (by parallel numbering; activity 2c's
#   link to objective 2a is a curator judgement, so what it inherits through it is one too)
# workplan: the Universalization plan's four objectives, eleven activities ("1." to "11.") and four
#   expected outputs inherit the plan's actions: 19 elements
# curator: GSO 2025-2026 Track 2.2 outreach, ISU priority B and output 12 ("support to advance the
#   universalization of the Convention as described in the Lausanne Action Plan", naming no action)


def test_queries_that_count_or_trace_alignments_take_the_basis(run):
    """Every named query over alignments takes ``basis`` (evidence-for-element lists the evidence of one
    element's statements of every kind, and lap-review-details the partners, funders, periods and
    outputs of every element linked to the LAP: they count nothing; lap-review-actions and
    lap-review-links decide, at the basis asked for, which of those elements count)."""
    queries = catalog.load()
    over_alignments = {
        n for n, q in queries.items() if any(t in q.sparql for t in ("hasAlignment", "servesAction", "servedBy"))
    }
    with_basis = {n for n, q in queries.items() if any(p.name == "basis" and not p.required for p in q.parameters)}
    assert with_basis == over_alignments - {"evidence-for-element", "lap-review-details"}
    assert with_basis == {
        "actions-by-section",
        "actions-without-activity-in-cycle",
        "activities-serving-action",
        "alignments-by-basis",
        "elements-serving-no-action",
        "gender-actions-per-cycle",
        "lap-action-coverage-matrix",
        "lap-review-actions",
        "lap-review-links",
        "lap-review-agents",
    }


def test_basis_notations_are_the_ontologys(store):
    rows = store.select(
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT DISTINCT ?n ?s ?label WHERE { ?b a ccm:AlignmentBasis ; skos:notation ?n ; "
        "ccm:strength ?s ; rdfs:label ?label } ORDER BY DESC(?s)"
    )
    assert tuple(r["n"] for r in rows) == BASES
    from ccmgraph.analysis import service

    assert {r["n"]: r["label"] for r in rows} == service.BASIS_LABELS


def _expect_gaps_2025_2026(rows, basis):
    gaps = {r["number"] for r in rows}
    # gso-workplan-2025-2026.txt cites no LAP action by number: only curator judgement closes a gap
    assert gaps == (set(range(1, 51)) - JUDGED_2526 if basis == "curator" else set(range(1, 51)))
    if basis != "curator":
        assert gaps >= GENDER


def _expect_serving_10(rows, basis):
    got = {(r["element"], r["linkBasis"].rsplit("#")[-1]) for r in rows}
    assert got >= STATED_10
    if basis == "stated":
        assert got == STATED_10
    inherited_objective = {e for e, b in got if b == "InheritedFromObjective"}
    assert (GSO2425 + "/activity/2a" in inherited_objective) == (basis != "stated")
    assert all(e.startswith(GSO2425 + "/activity/2") for e in inherited_objective)
    from_plan = {e for e, b in got if b == "InheritedFromWorkPlan"}
    assert len(from_plan) == (19 if basis in ("workplan", "curator") else 0)
    judged = {e for e, b in got if b == "CuratorJudgement"}
    assert judged == (
        {GSO2526 + "/activity/track-2.2-item-1", ISU + "/priority/B", ISU + "/output/12", GSO2425 + "/activity/2c"}
        if basis == "curator"
        else set()
    )


def _expect_by_section(rows, basis):
    a10 = next(r for r in rows if r["number"] == 10)
    # 2 stated; + activity 2a of objective 2a; + 19 Universalization elements; + 4 judged (see above)
    assert a10["servedByCount"] == {"stated": 2, "objective": 3, "workplan": 22, "curator": 26}[basis]


def _expect_by_basis(rows, basis):
    kinds = {r["alignmentBasis"].rsplit("#")[-1] for r in rows}
    expected = ["StatedInText", "InheritedFromObjective", "InheritedFromWorkPlan", "CuratorJudgement"]
    assert kinds == set(expected[: BASES.index(basis) + 1])
    # gso-workplan-2025-2026.txt names no action number: its links are all curator judgement
    assert (GSO2526 in {r["workplan"] for r in rows}) == (basis == "curator")


def _expect_no_action_2526(rows, basis):
    elements = {r["element"] for r in rows}
    # "3. Support inclusive and gender-responsive implementation": judged to serve the gender actions
    assert (GSO2526 + "/objective/3" in elements) == (basis != "curator")
    assert GSO2526 + "/objective/4" in elements


def _expect_gender(rows, basis):
    plans = {r["workplan"] for r in rows if r["number"] == 4}
    # concept note and 2024-2025: "LAP Actions numbers 4, 23, ... are relevant for activities with regard to
    # gender"; ISU 2025: "including but not restricted to actions 1 to 9"; 2025-2026: by judgement only
    assert plans == {GSO2324, GSO2425, ISU} | ({GSO2526} if basis == "curator" else set())
    cell = next(r for r in rows if r["number"] == 4 and r["workplan"] == GSO2324)
    # the concept note states it once, for the plan; its elements inherit it from the plan
    assert (cell["elements"] == 1) == (basis in ("stated", "objective"))


def _expect_matrix(rows, basis):
    cell = {(r["number"], r["workplan"]): r for r in rows}
    # the Universalization plan states action 10 for the whole plan; its 19 elements inherit it
    assert cell[(10, UNI)]["elements"] == (20 if basis in ("workplan", "curator") else 1)
    assert cell[(10, UNI)]["strongest"] == 4
    judged = cell.get((4, GSO2526))
    assert (judged is not None and judged["strongest"] == 1) == (basis == "curator")


BASIS_CASES = {
    "actions-without-activity-in-cycle": ({"cycle": "2025-2026"}, _expect_gaps_2025_2026),
    "activities-serving-action": ({"action": "10"}, _expect_serving_10),
    "actions-by-section": ({}, _expect_by_section),
    "alignments-by-basis": ({}, _expect_by_basis),
    "elements-serving-no-action": ({"workplan": GSO2526}, _expect_no_action_2526),
    "gender-actions-per-cycle": ({}, _expect_gender),
    "lap-action-coverage-matrix": ({}, _expect_matrix),
}


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("name", sorted(BASIS_CASES))
def test_named_query_by_basis(run, name, basis):
    params, expect = BASIS_CASES[name]
    rows = run(name, basis=basis, **params)
    assert rows
    expect(rows, basis)
    # the answer says which bases it counted
    assert {r["basis"] for r in rows} == {basis}
    assert {frozenset(r["countedBases"].split()) for r in rows} == {frozenset(BASES[: BASES.index(basis) + 1])}


@pytest.mark.parametrize("name", sorted(BASIS_CASES))
def test_named_query_default_basis_is_stated_or_inherited(run, name):
    params, _ = BASIS_CASES[name]
    assert run(name, **params) == run(name, basis="workplan", **params)


def test_basis_bound_after_the_query_as_the_query_page_does(store, run):
    """The query page appends a VALUES block after the query: the basis still selects what is counted."""
    q = catalog.load()["actions-without-activity-in-cycle"]
    text = q.sparql + '\nVALUES (?cycle ?basis) { ("2025-2026" "curator") }\n'
    assert store.select(text) == run("actions-without-activity-in-cycle", cycle="2025-2026", basis="curator")
    q = catalog.load()["scheduled-in-period"]
    text = q.sparql + f'\nVALUES (?period ?match) {{ (<{Q1_2025}> "overlap") }}\n'
    assert len(store.select(text)) == 19


def test_documents_referring_to_a_withdrawal(run):
    rows = run("documents-referring-to-withdrawal")
    by_document = {r["document"].rsplit("/", 1)[-1]: r for r in rows}
    # gso-workplan-2024-2025.txt: "Prompted by the announcement of withdrawal of a State Party for the first
    # time in the history of the Convention"; universalization-workplan-2024-2025.txt: "Last year marked the
    # first time a State Party evoked Article 20 in the CCM, effectively starting its withdrawal"
    assert set(by_document) == {"gso-workplan-2024-2025", "universalization-workplan-2024-2025"}
    assert by_document["gso-workplan-2024-2025"]["quote"].startswith("Prompted by the announcement of withdrawal")
    assert "evoked Article 20" in by_document["universalization-workplan-2024-2025"]["quote"]
    # neither names the State: it comes from the reference graph (ccm-withdrawal-lithuania.json), with its sources
    for r in rows:
        assert r["withdrawingState"] == ID + "state/LTU" and r["stateSources"]
    for name in by_document:
        text = (paths.SOURCES / f"{name}.txt").read_text(encoding="utf-8")
        assert "Lithuania" not in text


def test_lap_review_actions(run):
    rows = run("lap-review-actions", basis="stated")
    assert {r["n"] for r in rows} == set(range(1, 51))
    by = {(r["n"], r["element"], r["linkBasis"].rsplit("#")[-1]): r for r in rows if r["element"]}
    # GSO 2024-2025 objective 2a: "(more specifically actions 10 and 11 A-D)", counted at basis stated
    stated = by[(10, GSO2425 + "/objective/2a", "StatedInText")]
    assert stated["counted"] == "yes" and stated["exact"] == "(more specifically actions 10 and 11 A-D)"
    text = (paths.SOURCES / "gso-workplan-2024-2025.txt").read_text(encoding="utf-8")
    assert text[stated["start"] : stated["quoteEnd"]] == stated["exact"]
    # the Universalization activities inherit action 10 from the plan: not counted at basis stated
    assert by[(10, UNI + "/activity/1", "InheritedFromWorkPlan")]["counted"] == "no"
    assert by[(4, GSO2324 + "/activity/track-3-item-1", "InheritedFromWorkPlan")]["counted"] == "no"


def test_lap_review_details(run):
    rows = run("lap-review-details")
    said = {(r["element"], r["aspect"], r["value"]) for r in rows}
    # GSO 2023-2024 Track 3: "UNIDIR research and side event will be funded by Germany."
    assert (GSO2324 + "/activity/track-3-item-1", "funders", "Germany") in said
    assert (
        GSO2324 + "/activity/track-3-item-1",
        "partners",
        "United Nations Institute for Disarmament Research",
    ) in said
    # universalization-workplan-2024-2025.txt, expected output: "At least one new State Party by the 13 MSP."
    assert (UNI + "/objective/2", "outputs", "At least one new State Party by 13MSP") in said
    # gso-workplan-2024-2025.txt timeline, "Fourth Quarter of 2024": "Approach UNIDIR to discuss ..." (1c)
    assert (GSO2425 + "/activity/1c", "timeline", "Q4 2024") in said


def test_lap_review_continuity(run):
    rows = run("lap-review-continuity")
    links = {(r["later"], r["earlier"]): r for r in rows}
    # 2025-2026 Track 3: "Continue work with UNIDIR and other stakeholders, support research initiatives
    #   and outreach programmes" <- 2024-2025 1c: "Continue work with UNIDIR, support research initiatives"
    link = links[(GSO2526 + "/activity/track-3-item-4", GSO2425 + "/activity/1c")]
    assert link["basisLabel"] == "curator judgement" and "UNIDIR" in link["reason"]
    # the qualified link, whose page shows the quotes backing it
    assert link["link"].startswith(GSO2526 + "/activity/track-3-item-4/continuation/")


def test_lap_review_agents(run):
    rows = run("lap-review-agents", basis="stated")
    ten = {(r["role"], r["agentLabel"], r["workplan"]) for r in rows if r["n"] == 10}
    # "Actions 10 and 11 of LAP are related to the universalization of the CCM" (Universalization plan,
    #   of the Working Group on Universalization: "Peru and Norway Coordinators on Universalization")
    assert ("working group", "Working Group on Universalization", UNI) in ten
    assert {("coordinator", "Peru", UNI), ("coordinator", "Norway", UNI)} <= ten
    # GSO 2024-2025 objective 2a "(more specifically actions 10 and 11 A-D)": Germany and Austria coordinate
    assert ("coordinator", "Austria", GSO2425) in ten
    # no plan of the corpus states a link to action 50
    assert not [r for r in rows if r["n"] == 50]
