"""Completeness of the curation of the Universalization work plan 2024-2025.

Every expected number below comes from reading data/sources/universalization-workplan-2024-2025.txt
(the heading it counts is quoted next to it), not from the graph. The graph checked is the
asserted named graph of that document in the built dataset.
"""

from __future__ import annotations

import csv
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
        "2024-12": 2,          # "#### **December 2024**": First meeting ...; Outreach during the BWC MSP
        "2025-01": 1,          # "#### **January 2025:**": Meet with ISU and 13MSP Presidency ...
        "2025-02": 2,          # "#### **February 2025:**": Second meeting ...; Meeting with the Secretary of IPU
        "2025-03": 1,          # "#### **March 2025**": Meetings with target states
        "2025-04": 2,          # "#### **April 2025**": Third Meeting ...; Meetings with target states
        "2025-06": 2,          # "## **June 2025**": Fourth Meeting ...; Preparation of the ... Progress Report
        "2024-12--2025-09": 9,  # "## **Overarching activities (December 2024 – September 2025)**": 1. to 9.
    }
    assert len(entries) == 19


def test_positions_follow_document_order(g):
    for cls, n in ((CCM.Objective, 4), (CCM.Activity, 11), (CCM.ExpectedOutput, 4),
                   (CCM.TimelineEntry, 19), (CCM.StateCategory, 6)):
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
        "working-group/informal-working-group-on-universalization", "org/isu", "org/icrc", "org/cmc",
        "org/civil-society"}


def test_partners(g):
    # Activities 6 ("In coordination with the Presidency and the ISU"), 7 ("Thematic Coordinator on
    # National Implementation Measures", i.e. Irak), 8 ("ISU", "Inter Parliamentary Union"),
    # 9 ("CMC and the ICRC"), 10 ("Treaty Section of the UN Office of Legal Affairs").
    partners = {str(p).removeprefix(str(ID)) for p in g.objects(WP, CCM.partner)}
    assert partners == {"org/isu", "org/ipu", "org/icrc", "org/cmc", "org/un-ola-treaty-section",
                        "state/PHL", "state/IRQ"}
    by_activity = {n: {str(p).removeprefix(str(ID)) for p in g.objects(URIRef(f"{BASE}activity/{n}"), CCM.partner)}
                   for n in range(1, 12)}
    assert by_activity == {1: set(), 2: set(), 3: set(), 4: set(), 5: set(),
                           6: {"org/isu", "state/PHL"}, 7: {"state/IRQ"}, 8: {"org/isu", "org/ipu"},
                           9: {"org/cmc", "org/icrc"}, 10: {"org/un-ola-treaty-section"}, 11: set()}


def test_states(g):
    # States the text names: Peru, Norway, Malawi, Philippines, Lao PDR, Irak (6); plus the members
    # the reference data gives to target categories 1 (12 signatories) and 3 (Lithuania).
    states = {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(STATE)}
    named = {"PER", "NOR", "MWI", "PHL", "LAO", "IRQ"}
    assert _codes(states) == named | _signatories() | _withdrawn()
    assert len(states) == 6 + 12 + 1


def test_signatory_membership_matches_reference(g):
    # "Signatory States that have yet to complete their ratification processes." = status
    # "signatory" on 2025-07-01 in ccm-states.csv.
    members = _codes(g.objects(URIRef(f"{BASE}category/1"), CCM.memberState))
    assert members == _signatories()
    assert len(members) == 12


def test_withdrawal_category_is_lithuania(g):
    # "State party that initiated the withdrawal process." = status "withdrawn" in ccm-states.csv.
    assert _codes(g.objects(URIRef(f"{BASE}category/3"), CCM.memberState)) == _withdrawn() == {"LTU"}


def test_other_categories_have_no_members(g):
    for n in (2, 4, 5, 6):
        assert not set(g.objects(URIRef(f"{BASE}category/{n}"), CCM.memberState)), n


def test_lap_alignment_on_the_work_plan(g):
    # "Actions 10 and 11 of LAP are related to the universalization of the CCM ..."
    stated = [a for a in g.objects(WP, CCM.hasAlignment) if g.value(a, CCM.basis) == CCM.StatedInText]
    assert {str(g.value(a, CCM.action)).rsplit("/", 1)[-1] for a in stated} == {"10", "11"}
    # ... inherited by the 4 objectives, 11 activities and 4 outputs (2 actions each).
    inherited = [a for _, a in g.subject_objects(CCM.hasAlignment)
                 if g.value(a, CCM.basis) == CCM.InheritedFromWorkPlan]
    assert len(inherited) == (4 + 11 + 4) * 2


def test_mentions(g):
    def mentioned(node):
        return {str(o).removeprefix(str(ID)) for o in g.objects(node, CCM.mentions)}

    # Background: "Second Review Conference", "Article 20"; implementers: "3 Review Conference", "ASEAN".
    assert mentioned(WP) == {"meeting/2rc", "meeting/3rc", "article/20", "org/asean"}
    # Target States: "Anti-Personnel Mine Ban Convention"; "CCW Amended Protocol II and Protocol V".
    assert mentioned(URIRef(f"{BASE}category/2")) == {"treaty/apmbc"}
    assert mentioned(URIRef(f"{BASE}category/4")) == {"treaty/ccw", "treaty/ccw-amended-protocol-ii",
                                                       "treaty/ccw-protocol-v"}
    # December 2024: "Outreach during the BWC Meeting of States Parties".
    assert mentioned(URIRef(f"{BASE}timeline/2024-12-2")) == {"treaty/bwc"}
    # 13MSP: objective 2, outputs 1 and 2, January and June 2025 entries, overarching 3.
    users = {str(s).removeprefix(BASE) for s in g.subjects(CCM.mentions, ID["meeting/13msp"])}
    assert users == {"objective/2", "output/1", "output/2", "timeline/2025-01-1", "timeline/2025-06-2",
                     "timeline/overarching-3"}
    assert (WP, CCM.leadsUpTo, ID["meeting/13msp"]) in g


def test_every_element_has_evidence_label_and_description(g):
    for cls in (CCM.Objective, CCM.Activity, CCM.ExpectedOutput, CCM.TimelineEntry, CCM.StateCategory):
        for e in g.subjects(RDF.type, cls):
            assert g.value(e, CCM.evidence) is not None, e
            assert g.value(e, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) is not None, e
            assert g.value(e, DCTERMS.description) is not None, e
            assert (e, CCM.partOf, WP) in g, e
