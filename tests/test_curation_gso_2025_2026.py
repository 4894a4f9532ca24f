"""Completeness of the curation of the General Status and Operation work plan 2025-2026.

Every expected number below comes from reading data/sources/gso-workplan-2025-2026.txt
(the heading it counts is quoted next to it), not from the graph. The graph checked is the
asserted named graph of that document in the session's build (fixture ``build_result`` of
tests/conftest.py; helpers in tests/curation.py).
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

import curation
from ccmgraph.namespaces import CCM, GRAPH, ID
from curation import positions_are_document_order as _positions_are_document_order

GRAPH_IRI = GRAPH["gso-workplan-2025-2026"]
WP = ID["workplan/gso-2025-2026"]
BASE = str(WP) + "/"
WP24 = str(ID["workplan/gso-2024-2025"]) + "/"


def el(kind: str, key: str) -> URIRef:
    return URIRef(f"{BASE}{kind}/{key}")


@pytest.fixture(scope="module")
def g(build_result) -> Graph:
    return curation.asserted_graph(build_result, GRAPH_IRI)


def _members(g: Graph, cls: URIRef, link: URIRef) -> set[URIRef]:
    return curation.members(g, WP, cls, link, described=True)


# ---------------------------------------------------------------- the work plan


def test_work_plan_header(g: Graph) -> None:
    # "CCM thematic Working Group on General Status and / ## Operation Work Plan 2025-2026"
    assert (WP, RDF.type, CCM.WorkPlan) in g
    assert (WP, CCM.workingGroup, ID["working-group/general-status-and-operation"]) in g
    assert (WP, CCM.period, ID["period/2025--2026"]) in g
    assert (WP, CCM.sourceDocument, ID["source/gso-workplan-2025-2026"]) in g


def test_coordinators(g: Graph) -> None:
    # "Austria and Cameroon" (under the title): two States
    assert set(g.objects(WP, CCM.coordinator)) == {ID["state/AUT"], ID["state/CMR"]}


def test_states(g: Graph) -> None:
    # The only States the document names are the two coordinators, "Austria and Cameroon".
    states = {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(str(ID) + "state/")}
    assert states == {ID["state/AUT"], ID["state/CMR"]}


def test_partners(g: Graph) -> None:
    # The document has no partners section; the organisations it names as collaborators are
    # "the ISU" ("in close coordination with the Presidency, the ISU and relevant thematic
    # coordinators") and UNIDIR ("Continue work with UNIDIR and other stakeholders"): two.
    assert set(g.objects(WP, CCM.partner)) == {ID["org/isu"], ID["org/unidir"]}
    all_partners = set(g.objects(None, CCM.partner))
    # and the actor "Presidency" of "Assist Presidency and ISU with the finalization of documentation
    # for the 3RC" (the 3RC presidency, a judgement); never the State behind it
    assert all_partners == {ID["org/isu"], ID["org/unidir"], ID["presidency/3rc"]}
    assert not {p for p in all_partners if str(p).startswith(str(ID["state/"]))}


def test_meetings(g: Graph) -> None:
    # "In the lead up to the Third Review Conference (3RC)"; the timeline heading says
    # "in the lead up the 13th MSP" (recorded as a mention with a curation note).
    assert set(g.objects(WP, CCM.leadsUpTo)) == {ID["meeting/3rc"]}
    assert (WP, CCM.mentions, ID["meeting/13msp"]) in g
    assert len(list(g.objects(WP, CCM.curationNote))) >= 1


# ---------------------------------------------------------------- objectives


def test_objectives(g: Graph) -> None:
    # "### **2.- Objectives**": "#### **1. Strengthen cross-cutting coordination ...**",
    # "##### ***a. Support practical follow-up of the LAP ...***", "**2. Reinforce the CCM's
    # normative resilience**", "**3. Support inclusive and gender responsive implementation ...**",
    # "**4. Reinforce constructive engagement and shared understanding**": five.
    objectives = _members(g, CCM.Objective, CCM.hasObjective)
    assert len(objectives) == 5
    assert {str(g.value(o, DCTERMS.identifier)) for o in objectives} == {"1", "1a", "2", "3", "4"}
    assert (el("objective", "1a"), CCM.contributesTo, el("objective", "1")) in g
    _positions_are_document_order(g, objectives)


# ---------------------------------------------------------------- activities and tracks


def test_tracks(g: Graph) -> None:
    # "**Track 1: ...**", "## **Track 2: ...**", "### **Track 2.2 ...**", "### **Track 2.3 ...**",
    # "### **Track 3: ...**": five tracks, 2.2 and 2.3 being sub-tracks of Track 2.
    tracks = set(g.subjects(RDF.type, CCM.Track))
    assert {str(g.value(t, DCTERMS.identifier)) for t in tracks} == {
        "Track 1",
        "Track 2",
        "Track 2.2",
        "Track 2.3",
        "Track 3",
    }
    assert (el("activity", "track-2.2"), CCM.subActivityOf, el("activity", "track-2")) in g
    assert (el("activity", "track-2.3"), CCM.subActivityOf, el("activity", "track-2")) in g


def test_activities(g: Graph) -> None:
    # Under "Key activities may include:" (and, for Track 1, "Suggested cross cutting themes"):
    # Track 1: 3 bullets + 2 suggested themes = 5; Track 2: "Convene informal consultations ...",
    # "develop with ISU support ...", "Draft a short research document ..." = 3; Track 2.2:
    # "States not Party ...", "Support peer to peer exchanges ..." = 2; Track 2.3: "Strengthen
    # collaboration across treaty regimes ...", "Encourage mutually reinforcing narratives ..." = 2;
    # Track 3: 4 bullets = 4. 16 activities + 5 tracks = 21.
    activities = _members(g, CCM.Activity, CCM.hasActivity)
    assert len(activities) == 21
    parents = Counter(
        str(g.value(a, CCM.subActivityOf)).rsplit("/", 1)[-1] for a in activities if (a, RDF.type, CCM.Track) not in g
    )
    assert parents == {"track-1": 5, "track-2": 3, "track-2.2": 2, "track-2.3": 2, "track-3": 4}
    _positions_are_document_order(g, activities)


def test_tracks_serve_objectives(g: Graph) -> None:
    # Track 1 "Cross cutting coordination" -> objective 1; Track 2 "Strengthening the humanitarian
    # norms" -> objective 2 ("normative resilience"); Track 3 "Gender Focal Point role" -> objective 3.
    for track, objective in (("track-1", "1"), ("track-2", "2"), ("track-3", "3")):
        assert (el("activity", track), CCM.contributesTo, el("objective", objective)) in g


# ---------------------------------------------------------------- outputs and outcomes


def test_expected_outputs(g: Graph) -> None:
    # "### **Expected Outputs (2025 -2026)**": "Output 1:" ... "Output 5:" (Output 4 without colon).
    outputs = _members(g, CCM.ExpectedOutput, CCM.hasExpectedOutput)
    assert len(outputs) == 5
    assert {str(g.value(o, DCTERMS.identifier)) for o in outputs} == {f"Output {n}" for n in range(1, 6)}
    _positions_are_document_order(g, outputs)
    # The document has no outcomes.
    assert not set(g.subjects(RDF.type, CCM.Outcome))


# ---------------------------------------------------------------- timeline


def test_timeline(g: Graph) -> None:
    # "#### **First Quarter of 2026**": 4 bullets; "### **Second Quarter of 2026**": 3;
    # "### **Third Quarter of 2026**": 3. Ten entries.
    entries = _members(g, CCM.TimelineEntry, CCM.hasTimelineEntry)
    per_period = Counter(str(g.value(e, CCM.scheduledIn)).rsplit("/", 1)[-1] for e in entries)
    assert per_period == {"2026-Q1": 4, "2026-Q2": 3, "2026-Q3": 3}
    _positions_are_document_order(g, entries)


def test_timeline_carries_out(g: Graph) -> None:
    # First-quarter bullet 1 repeats the first Track 1 activity word for word; second-quarter
    # bullet 1 repeats "develop with ISU support ..." of Track 2.
    assert (el("timeline", "2026-Q1-1"), CCM.carriesOut, el("activity", "track-1-item-1")) in g
    assert (el("timeline", "2026-Q2-1"), CCM.carriesOut, el("activity", "track-2-item-2")) in g


# ---------------------------------------------------------------- LAP alignments


def test_no_stated_alignment(g: Graph) -> None:
    # The document names no LAP action by number ("relevant LAP actions" only).
    stated = [a for a in g.subjects(CCM.basis, CCM.StatedInText) if (a, RDF.type, CCM.ActionAlignment) in g]
    assert stated == []


def test_curator_judgements(g: Graph) -> None:
    def actions(owner: URIRef) -> set[int]:
        return {
            int(str(g.value(a, CCM.action)).rsplit("/", 1)[-1])
            for a in g.objects(owner, CCM.hasAlignment)
            if g.value(a, CCM.basis) == CCM.CuratorJudgement
        }

    # gender-relevant actions as the 2024-2025 plan lists them, for objective 3 (gender)
    assert actions(el("objective", "3")) == {4, 23, 28, 29, 31, 34, 36, 39, 41}
    # universalization actions 10 and 11 for the outreach to States not Party
    assert actions(el("activity", "track-2.2-item-1")) == {10, 11}
    for a in g.subjects(CCM.basis, CCM.CuratorJudgement):
        assert g.value(a, RDFS.comment) is not None


# ---------------------------------------------------------------- continuations


def test_continuations(g: Graph) -> None:
    pairs = {
        (str(s)[len(BASE) :], str(g.value(c, CCM.continuedFrom))[len(WP24) :])
        for s, c in g.subject_objects(CCM.hasContinuation)
    }
    assert pairs == {
        ("objective/2", "objective/2b"),
        ("objective/3", "objective/1"),
        ("activity/track-2", "objective/2"),
        ("activity/track-2-item-3", "activity/2a"),
        ("activity/track-2.2-item-1", "objective/2a"),
        ("activity/track-2.3-item-1", "activity/2b"),
        ("activity/track-3-item-1", "activity/1a"),
        ("activity/track-3-item-3", "activity/1b"),
        ("activity/track-3-item-4", "activity/1c"),
        # Output 3's first two bullets repeat two 2024-2025 outputs word for word
        ("output/3", "output/2-1"),
        ("output/3", "output/2-3"),
    }
    for c in g.objects(None, CCM.hasContinuation):
        assert g.value(c, CCM.basis) == CCM.CuratorJudgement
        assert g.value(c, RDFS.comment) is not None
        assert len(list(g.objects(c, CCM.evidence))) >= 2


def test_mentions_of_3rc(g: Graph) -> None:
    # "3RC" or "Review Conference" stands in: the background ("In the lead up to the Third Review
    # Conference (3RC)": the plan leads up to it, a role, not a bare mention), objective 1a,
    # objective 4, Output 2, Output 4, and the timeline entries Q1-4, Q3-1, Q3-2, Q3-3.
    assert set(g.objects(WP, CCM.leadsUpTo)) == {ID["meeting/3rc"]}
    mentioning = {
        str(s)[len(BASE) :] if str(s) != str(WP) else "workplan" for s in g.subjects(CCM.mentions, ID["meeting/3rc"])
    }
    assert mentioning == {
        "objective/1a",
        "objective/4",
        "output/2",
        "output/4",
        "timeline/2026-Q1-4",
        "timeline/2026-Q3-1",
        "timeline/2026-Q3-2",
        "timeline/2026-Q3-3",
    }


def test_labels_are_english(g: Graph) -> None:
    for s, label in g.subject_objects(RDFS.label):
        if str(s).startswith(BASE) and "/alignment/" not in str(s) and "/continuation/" not in str(s):
            assert isinstance(label, Literal) and label.language == "en", s
