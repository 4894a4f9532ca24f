"""Completeness of the curation of the Universalization work plan 2024-2025.

Every expected number below comes from reading data/sources/universalization-workplan-2024-2025.txt
(the heading it counts is quoted next to it), not from the graph. The graph checked is the
asserted named graph of that document in the built dataset.
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

import curation
from ccmgraph import paths
from ccmgraph.namespaces import CCM, GRAPH, ID
from curation import STATE
from curation import state_codes as _codes

GRAPH_IRI = GRAPH["universalization-workplan-2024-2025"]
WP = ID["workplan/universalization-2024-2025"]
BASE = str(WP) + "/"
STATES_CSV = paths.DATA / "reference" / "csv" / "ccm-states.csv"


# ---------------------------------------------------------------- the graph under test


@pytest.fixture(scope="module")
def g(build_result) -> Graph:
    """The document's asserted named graph in the session's build (tests/conftest.py)."""
    return curation.asserted_graph(build_result, GRAPH_IRI)


def _elements(g: Graph, cls: URIRef, link: URIRef) -> set[URIRef]:
    return curation.members(g, WP, cls, link)


def _signatories() -> set[str]:
    with STATES_CSV.open(encoding="utf-8") as f:
        return {row["iso3"] for row in csv.DictReader(f) if row["status_on_2025_07_01"] == "signatory"}


def _withdrawn() -> set[str]:
    with STATES_CSV.open(encoding="utf-8") as f:
        return {row["iso3"] for row in csv.DictReader(f) if row["status_on_2025_07_01"] == "withdrawn"}


# ---------------------------------------------------------------- counts


def test_objectives(g):
    # "#### **Objectives**": 4 bullets (Avoid additional withdrawals / Increase number of States
    # Parties by the 13th MSP / Increase knowledge of the reasons ... / Increase awareness ...).
    assert len(_elements(g, CCM.Objective, CCM.hasObjective)) == 4


def test_activities(g):
    # "### **Activities**": numbered 1. to 11.
    activities = _elements(g, CCM.Activity, CCM.hasActivity)
    assert len(activities) == 11
    assert {str(g.value(a, DCTERMS.identifier)) for a in activities} == {str(n) for n in range(1, 12)}


def test_target_categories(g):
    # "### **Target States**": 6 bullets (Signatory States ... / States Parties to the APMBC ... /
    # State party that initiated the withdrawal process / CCW Amended Protocol II and Protocol V /
    # First Committee resolution / States Not Party ... unilateral declarations ...).
    categories = set(g.subjects(RDF.type, CCM.StateCategory))
    assert categories == set(g.objects(WP, CCM.targets)) - {None}
    assert categories == {URIRef(f"{BASE}category/{n}") for n in range(1, 7)}


def test_expected_outputs(g):
    # "### **Expected Outputs**": 4 bullets (No other withdrawal announcement ... / At least one new
    # State Party ... / Fact based understanding ... / Awareness raising ...).
    assert len(_elements(g, CCM.ExpectedOutput, CCM.hasExpectedOutput)) == 4


def test_timeline_entries_per_period(g):
    entries = _elements(g, CCM.TimelineEntry, CCM.hasTimelineEntry)
    per_period = Counter(str(g.value(e, CCM.scheduledIn)).removeprefix(str(ID) + "period/") for e in entries)
    assert per_period == {
        "2024-12": 2,  # "#### **December 2024**": First meeting ...; Outreach during the BWC MSP
        "2025-01": 1,  # "#### **January 2025:**": Meet with ISU and 13MSP Presidency ...
        "2025-02": 2,  # "#### **February 2025:**": Second meeting ...; Meeting with the Secretary of IPU
        "2025-03": 1,  # "#### **March 2025**": Meetings with target states
        "2025-04": 2,  # "#### **April 2025**": Third Meeting ...; Meetings with target states
        "2025-06": 2,  # "## **June 2025**": Fourth Meeting ...; Preparation of the ... Progress Report
        "2024-12--2025-09": 9,  # "## **Overarching activities (December 2024 – September 2025)**": 1. to 9.
    }
    assert len(entries) == 19


def test_positions_follow_document_order(g):
    for cls, n in (
        (CCM.Objective, 4),
        (CCM.Activity, 11),
        (CCM.ExpectedOutput, 4),
        (CCM.TimelineEntry, 19),
        (CCM.StateCategory, 6),
    ):
        positions = sorted(int(g.value(e, CCM.position)) for e in g.subjects(RDF.type, cls))
        assert positions == list(range(1, n + 1)), cls


def test_overarching_activities_carry_out_the_numbered_activities(g):
    # Overarching items that repeat a numbered activity ("Assist in facilitation of regional
    # workshops" = 6, "Bilateral exchanges with the Permanent Missions" = 1, "Meeting with IPU" = 8,
    # "Facilitate side events or speaking slots" = 3, "Collaborate with the ICRC" = 9,
    # "Work with the Thematic Coordinator on National Implementation Measures" = 7,
    # "Collaborate with CMC and the ICRC" = 9); 1 and 3 repeat none.
    expected = {2: 6, 4: 1, 5: 8, 6: 3, 7: 9, 8: 7, 9: 9}
    for n in range(1, 10):
        entry = URIRef(f"{BASE}timeline/overarching-{n}")
        done = set(g.objects(entry, CCM.carriesOut))
        assert done == ({URIRef(f"{BASE}activity/{expected[n]}")} if n in expected else set()), n


def test_coordinators(g):
    # "### **Peru and Norway**" and "Peru and Norway Coordinators on Universalization".
    assert _codes(g.objects(WP, CCM.coordinator)) == {"PER", "NOR"}


def test_strategy_implementers(g):
    # "### **Strategy Implementers**": 9 bullets naming 11 agents (Peru and Norway; Malawi;
    # Philippines and Lao PDR; the Informal Working Group; Irak; the ISU; ICRC; CMC;
    # other mine action stakeholders).
    implementers = set(g.objects(WP, CCM.implementer))
    assert len(implementers) == 11
    assert _codes(i for i in implementers if str(i).startswith(STATE)) == {"PER", "NOR", "MWI", "PHL", "LAO", "IRQ"}
    assert {str(i).removeprefix(str(ID)) for i in implementers if not str(i).startswith(STATE)} == {
        "working-group/informal-working-group-on-universalization",
        "org/isu",
        "org/icrc",
        "org/icbl-cmc",
        "org/civil-society",
    }
    # each implementer is its own qualified statement with the bullet that names it
    links = {
        g.value(q, CCM.linkTarget): q
        for q in g.objects(WP, CCM.hasQualifiedLink)
        if g.value(q, CCM.linkProperty) == CCM.implementer
    }
    assert set(links) == implementers
    # "Other mine action stakeholders." names no one: a judgement
    assert g.value(links[ID["org/civil-society"]], CCM.basis) == CCM.CuratorJudgement
    assert all(g.value(q, CCM.basis) == CCM.StatedInText for i, q in links.items() if i != ID["org/civil-society"])


def test_partners(g):
    # Activities 6 ("In coordination with the Presidency and the ISU"), 7 ("Thematic Coordinator on
    # National Implementation Measures", i.e. Irak), 8 ("ISU", "Inter Parliamentary Union"),
    # 9 ("CMC and the ICRC"), 10 ("Treaty Section of the UN Office of Legal Affairs").
    partners = {str(p).removeprefix(str(ID)) for p in g.objects(WP, CCM.partner)}
    assert partners == {
        "org/isu",
        "org/ipu",
        "org/icrc",
        "org/icbl-cmc",
        "org/un-ola-treaty-section",
        "presidency/13msp",
        "state/IRQ",
    }
    by_activity = {
        n: {str(p).removeprefix(str(ID)) for p in g.objects(URIRef(f"{BASE}activity/{n}"), CCM.partner)}
        for n in range(1, 12)
    }
    assert by_activity == {
        1: set(),
        2: set(),
        3: set(),
        4: set(),
        5: set(),
        6: {"org/isu", "presidency/13msp"},
        7: {"state/IRQ"},
        8: {"org/isu", "org/ipu"},
        9: {"org/icbl-cmc", "org/icrc"},
        10: {"org/un-ola-treaty-section"},
        11: set(),
    }


def test_states(g):
    # States the text names: Peru, Norway, Malawi, Philippines, Lao PDR, Irak (6). No category member
    # from the reference data: "Signatory States that have yet to complete their ratification
    # processes." and "State party that initiated the withdrawal process." name no State.
    states = {o for o in g.all_nodes() if isinstance(o, URIRef) and str(o).startswith(STATE)}
    assert _codes(states) == {"PER", "NOR", "MWI", "PHL", "LAO", "IRQ"}
    assert not set(g.subjects(CCM.memberState, None))


def test_signatory_category_is_defined_by_status(g):
    # "Signatory States that have yet to complete their ratification processes." -> the criterion;
    # the members are the reference data's (status "signatory" on 2025-07-01), joined by a query.
    category = URIRef(f"{BASE}category/1")
    assert set(g.objects(category, CCM.statusCriterion)) == {CCM.Signatory}
    assert len(_signatories()) == 12


def test_withdrawal_category_refers_to_the_event(g, build_result):
    # "State party that initiated the withdrawal process." -> the withdrawal event, which the document
    # describes ("the first time a State Party evoked Article 20 in the CCM") without naming the State.
    event = ID["event/first-withdrawal"]
    category = URIRef(f"{BASE}category/3")
    assert set(g.objects(category, CCM.eventCriterion)) == {event}
    assert (WP, CCM.refersToEvent, event) in g
    assert (event, CCM.invokesArticle, ID["article/20"]) in g
    assert not set(g.objects(event, CCM.withdrawingState))
    # which State: the reference graph only (ccm-withdrawal-lithuania.json, "state": "LTU"), with its sources
    reference = build_result.graphs[GRAPH["reference"]]
    assert _codes(reference.objects(event, CCM.withdrawingState)) == _withdrawn() == {"LTU"}
    # the sources the record lists (the depositary first; press only until a source of record is found)
    record = json.loads((STATES_CSV.parent / "ccm-withdrawal-lithuania.json").read_text(encoding="utf-8"))
    assert {str(s) for s in reference.objects(event, DCTERMS.source)} == {s["url"] for s in record["sources"]}
    assert record["sources"][0]["kind"] == "depositary"


def test_stated_counts(g):
    # "To date there are 112 States Parties, and 12 Signatories States." -> numbers as of the
    # (undated) document, not reference facts.
    counts = {
        g.value(c, CCM.countedStatus): g.value(c, CCM.countValue).toPython() for c in g.objects(WP, CCM.statesCount)
    }
    assert counts == {CCM.StateParty: 112, CCM.Signatory: 12}
    for c in g.objects(WP, CCM.statesCount):
        assert g.value(c, CCM.asOfDocument) == ID["source/universalization-workplan-2024-2025"]
        assert g.value(c, CCM.evidence) is not None


def test_cited_instruments(g):
    # "endorsed the working paper “Ways Forward in Universalization”"; "IHL more generally";
    # "the resolution on the “Implementation of the Convention on Cluster Munitions”".
    assert set(g.objects(WP, CCM.cites)) == {ID["instrument/ways-forward-in-universalization"], ID["instrument/ihl"]}
    assert (ID["instrument/ways-forward-in-universalization"], CCM.endorsedAt, ID["meeting/2rc"]) in g
    assert set(g.objects(URIRef(f"{BASE}category/5"), CCM.cites)) == {
        ID["instrument/unga-resolution-implementation-of-the-ccm"]
    }


def test_lap_alignment_on_the_work_plan(g):
    # "Actions 10 and 11 of LAP are related to the universalization of the CCM ..."
    stated = [a for a in g.objects(WP, CCM.hasAlignment) if g.value(a, CCM.basis) == CCM.StatedInText]
    assert {str(g.value(a, CCM.action)).rsplit("/", 1)[-1] for a in stated} == {"10", "11"}
    # ... inherited by the 4 objectives, 11 activities and 4 outputs (2 actions each).
    inherited = [
        a for _, a in g.subject_objects(CCM.hasAlignment) if g.value(a, CCM.basis) == CCM.InheritedFromWorkPlan
    ]
    assert len(inherited) == (4 + 11 + 4) * 2


def test_mentions(g):
    def mentioned(node):
        return {str(o).removeprefix(str(ID)) for o in g.objects(node, CCM.mentions)}

    # Background: "Second Review Conference", "Article 20"; implementers: "3 Review Conference", "ASEAN".
    assert mentioned(WP) == {"meeting/2rc", "meeting/3rc", "article/20", "org/asean"}

    # Target States: "Anti-Personnel Mine Ban Convention"; "CCW Amended Protocol II and Protocol V": cited.
    def cited(node):
        return {str(o).removeprefix(str(ID)) for o in g.objects(node, CCM.cites)}

    assert cited(URIRef(f"{BASE}category/2")) == {"treaty/apmbc"}
    assert cited(URIRef(f"{BASE}category/4")) == {
        "treaty/ccw",
        "treaty/ccw-amended-protocol-ii",
        "treaty/ccw-protocol-v",
    }
    # December 2024: "Outreach during the BWC Meeting of States Parties".
    assert mentioned(URIRef(f"{BASE}timeline/2024-12-2")) == {"treaty/bwc"}
    # 13MSP: objective 2, outputs 1 and 2, January and June 2025 entries, overarching 3.
    users = {str(s).removeprefix(BASE) for s in g.subjects(CCM.mentions, ID["meeting/13msp"])}
    assert users == {
        "objective/2",
        "output/1",
        "output/2",
        "timeline/2025-01-1",
        "timeline/2025-06-2",
        "timeline/overarching-3",
    }
    assert (WP, CCM.leadsUpTo, ID["meeting/13msp"]) in g


def test_every_element_has_evidence_label_and_description(g):
    for cls in (CCM.Objective, CCM.Activity, CCM.ExpectedOutput, CCM.TimelineEntry, CCM.StateCategory):
        for e in g.subjects(RDF.type, cls):
            assert g.value(e, CCM.evidence) is not None, e
            assert g.value(e, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) is not None, e
            assert g.value(e, DCTERMS.description) is not None, e
            assert (e, CCM.partOf, WP) in g, e
