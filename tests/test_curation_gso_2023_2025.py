"""Completeness of the curation of the General Status and Operation concept note 2023-2024
and work plan 2024-2025.

Every expected number below comes from reading data/sources/gso-concept-note-2023-2024.txt
and data/sources/gso-workplan-2024-2025.txt (the heading it counts is quoted next to it), not
from the graph. The graphs checked are the asserted named graphs of the two documents in the
session's build (fixture ``build_result`` of tests/conftest.py; helpers in tests/curation.py).
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

import curation
from ccmgraph.namespaces import CCM, GRAPH, ID, OA
from curation import positions_are_document_order as _positions_are_document_order

WP23 = ID["workplan/gso-2023-2024"]
WP24 = ID["workplan/gso-2024-2025"]
SRC23 = ID["source/gso-concept-note-2023-2024"]
SRC24 = ID["source/gso-workplan-2024-2025"]
GENDER_ACTIONS = {4, 23, 28, 29, 31, 34, 36, 39, 41}


_members = partial(curation.members, described=True)


def el(plan: URIRef, kind: str, key: str) -> URIRef:
    return URIRef(f"{plan}/{kind}/{key}")


@pytest.fixture(scope="module")
def g23(build_result) -> Graph:
    return curation.asserted_graph(build_result, GRAPH["gso-concept-note-2023-2024"])


@pytest.fixture(scope="module")
def g24(build_result) -> Graph:
    return curation.asserted_graph(build_result, GRAPH["gso-workplan-2024-2025"])


def _states(g: Graph) -> set[URIRef]:
    prefix = str(ID) + "state/"
    return {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(prefix)}


def _actions(g: Graph, owner: URIRef, basis: URIRef) -> set[int]:
    return {
        int(str(g.value(a, CCM.action)).rsplit("/", 1)[-1])
        for a in g.objects(owner, CCM.hasAlignment)
        if g.value(a, CCM.basis) == basis
    }


# ================================================================ concept note 2023-2024


def test_2023_header(g23: Graph) -> None:
    # "CCM Working Group on the General Status and Operation and Gender Focal Point of the
    # Convention / CONCEPT NOTE 2023 -2024 / ... up to the 12th Meeting of States Parties (12MSP)"
    assert (WP23, RDF.type, CCM.WorkPlan) in g23
    assert (WP23, CCM.workingGroup, ID["working-group/general-status-and-operation"]) in g23
    assert (WP23, CCM.period, ID["period/2023--2024"]) in g23
    assert (WP23, CCM.sourceDocument, SRC23) in g23
    assert set(g23.objects(WP23, CCM.leadsUpTo)) == {ID["meeting/12msp"]}


def test_2023_coordinators(g23: Graph) -> None:
    # "6.  Strategy Implementers": "Belgium and Germany as the CCM Gender Focal Points." -> 2
    expected = {ID["state/BEL"], ID["state/DEU"]}
    assert set(g23.objects(WP23, CCM.coordinator)) == expected
    assert set(g23.objects(WP23, CCM.implementer)) == expected


def test_2023_states(g23: Graph) -> None:
    # The only States the concept note names are Belgium and Germany (strategy implementers;
    # Germany also in "5.  Estimated Budget": "funded by Germany").
    assert _states(g23) == {ID["state/BEL"], ID["state/DEU"]}


def test_2023_partners(g23: Graph) -> None:
    # "7.  Likely Implementation Partners": six bullets -> CCM coordinators of the Working Groups
    # (Coordination Committee), CCM Implementation Support Unit, Gender Focal Points of the APMBC
    # and other disarmament conventions, GICHD, UNIDIR Gender Programme, Other international
    # NGOs/operators and civil society -> 6, none of them a State.
    partners = set(g23.objects(WP23, CCM.partner))
    assert partners == {
        ID["working-group/coordination-committee"],
        ID["org/isu"],
        ID["org/apmbc-gender-focal-points"],
        ID["org/gichd"],
        ID["org/unidir-gender-and-disarmament-programme"],
        ID["org/civil-society"],
    }
    assert not {p for p in partners if str(p).startswith(str(ID) + "state/")}


def test_2023_objectives(g23: Graph) -> None:
    # "2.  Objectives": a/ b/ c/ d/ -> 4
    objectives = _members(g23, WP23, CCM.Objective, CCM.hasObjective)
    assert len(objectives) == 4
    assert {str(g23.value(o, DCTERMS.identifier)) for o in objectives} == {"a", "b", "c", "d"}
    _positions_are_document_order(g23, objectives)


def test_2023_activities(g23: Graph) -> None:
    # "3. Activities": "Track 1", "Track 2", "Track 3: Work with UNIDIR" -> 3 tracks; under
    # Track 3 two "- to do research ..." items and "Prepare a side event ... together with
    # UNIDIR" -> 3 sub-activities. 6 activities in all.
    activities = _members(g23, WP23, CCM.Activity, CCM.hasActivity)
    assert len(activities) == 6
    tracks = {a for a in activities if (a, RDF.type, CCM.Track) in g23}
    assert {str(g23.value(t, DCTERMS.identifier)) for t in tracks} == {"Track 1", "Track 2", "Track 3"}
    parents = Counter(str(g23.value(a, CCM.subActivityOf)).rsplit("/", 1)[-1] for a in activities - tracks)
    assert parents == {"track-3": 3}
    _positions_are_document_order(g23, activities)


def test_2023_tracks_serve_objectives(g23: Graph) -> None:
    # Track 1 (Coordination Committee) -> a; Track 2 (other disarmament conventions) -> b;
    # Track 3 (UNIDIR) -> d.
    for track, objective in (("track-1", "a"), ("track-2", "b"), ("track-3", "d")):
        assert (el(WP23, "activity", track), CCM.contributesTo, el(WP23, "objective", objective)) in g23


def test_2023_expected_outputs(g23: Graph) -> None:
    # "4.  Expected Outputs by 11MSP": three "- Increased ..." bullets -> 3
    outputs = _members(g23, WP23, CCM.ExpectedOutput, CCM.hasExpectedOutput)
    assert len(outputs) == 3
    _positions_are_document_order(g23, outputs)
    for o in outputs:  # the heading's "by 11MSP" is kept and noted
        assert (o, CCM.mentions, ID["meeting/11msp"]) in g23
        assert g23.value(o, CCM.curationNote) is not None


def test_2023_timeline(g23: Graph) -> None:
    # "8.  Timeline of the Activities up the 11th MSP": "Fourth Quarter of 2023" 4 bullets,
    # "First Quarter of 2024" 4, "Second Quarter of 2024" 1, "Third Quarter of 2024" 1 -> 10
    entries = _members(g23, WP23, CCM.TimelineEntry, CCM.hasTimelineEntry)
    per_period = Counter(str(g23.value(e, CCM.scheduledIn)).rsplit("/", 1)[-1] for e in entries)
    assert per_period == {"2023-Q4": 4, "2024-Q1": 4, "2024-Q2": 1, "2024-Q3": 1}
    _positions_are_document_order(g23, entries)
    assert (el(WP23, "timeline", "2024-Q3-1"), CCM.carriesOut, el(WP23, "activity", "track-3-item-3")) in g23


def test_2023_budget(g23: Graph) -> None:
    # "5.  Estimated Budget": "UNIDIR research and side event will be funded by Germany." (no amount)
    budget = el(WP23, "budget", "estimated-budget")
    assert (WP23, CCM.hasElement, budget) in g23
    # Germany funds: a funder, not a generic partner, of the budget item and of the three UNIDIR items
    assert (budget, CCM.funder, ID["state/DEU"]) in g23
    assert (budget, CCM.partner, ID["state/DEU"]) not in g23
    funded = set(g23.subjects(CCM.funder, ID["state/DEU"])) - {budget}
    assert funded == {el(WP23, "activity", f"track-3-item-{n}") for n in (1, 2, 3)}
    assert not set(g23.subjects(RDF.type, CCM.Budget))
    assert not set(g23.subjects(CCM.totalAmount, None)) and not set(g23.subjects(CCM.amount, None))
    assert g23.value(budget, CCM.curationNote) is not None


def test_2023_alignment(g23: Graph) -> None:
    # "LAP Actions numbers 4, 23, 28, 29, 31, 34, 36, 39 and 41 are relevant for activities with
    # regard to gender." -> nine actions stated on the work plan, inherited by all 13 objectives,
    # activities and outputs (4 + 6 + 3).
    assert _actions(g23, WP23, CCM.StatedInText) == GENDER_ACTIONS
    parts = {e for p in (CCM.hasObjective, CCM.hasActivity, CCM.hasExpectedOutput) for e in g23.objects(WP23, p)}
    assert len(parts) == 13
    for e in parts:
        assert _actions(g23, e, CCM.InheritedFromWorkPlan) == GENDER_ACTIONS, e


def test_2023_mentions(g23: Graph) -> None:
    # Background: "(3RC)", "(CCM/CONF/2021/6)"; headings "by 11MSP", "up the 11th MSP": bare mentions.
    mentioned = set(g23.objects(WP23, CCM.mentions))
    assert {ID["meeting/3rc"], ID["meeting/11msp"], ID["document/CCM-CONF-2021-6"]} <= mentioned
    # Meetings in a role are not bare mentions: "up to the 12th Meeting of States Parties (12MSP)";
    # "The 2nd Review Conference therefore agreed to designate the Coordinators ..."
    assert set(g23.objects(WP23, CCM.leadsUpTo)) == {ID["meeting/12msp"]}
    assert set(g23.objects(WP23, CCM.mandatedBy)) == {ID["meeting/2rc"]}
    assert not mentioned & {ID["meeting/12msp"], ID["meeting/2rc"]}
    # "In the Lausanne Declaration - Protecting Lives, Empowering Victims, Enabling Development - ..."
    assert (WP23, CCM.cites, ID["instrument/lausanne-declaration"]) in g23
    assert (ID["document/CCM-CONF-2021-6"], DCTERMS.identifier, Literal("CCM/CONF/2021/6")) in g23


def test_2023_notes(g23: Graph) -> None:
    # The 12MSP / 11MSP inconsistency and the coordinators are noted on the work plan.
    notes = " ".join(str(n) for n in g23.objects(WP23, CCM.curationNote))
    assert "11MSP" in notes and "12MSP" in notes
    assert "Belgium and Germany" in notes


# ================================================================ work plan 2024-2025


def test_2024_header(g24: Graph) -> None:
    # "CCM Thematic Working Group on General Status and Operation / WORK PLAN 2024 -2025";
    # "6. Timeline of activities in the lead up the 13th MSP"
    assert (WP24, RDF.type, CCM.WorkPlan) in g24
    assert (WP24, CCM.workingGroup, ID["working-group/general-status-and-operation"]) in g24
    assert (WP24, CCM.period, ID["period/2024--2025"]) in g24
    assert (WP24, CCM.sourceDocument, SRC24) in g24
    assert set(g24.objects(WP24, CCM.leadsUpTo)) == {ID["meeting/13msp"]}


def test_2024_coordinators(g24: Graph) -> None:
    # "Coordinators: Germany and Austria"; "5. ...": "Germany and Austria in support of ..." -> 2
    expected = {ID["state/DEU"], ID["state/AUT"]}
    assert set(g24.objects(WP24, CCM.coordinator)) == expected
    assert set(g24.objects(WP24, CCM.implementer)) == expected


def test_2024_states(g24: Graph) -> None:
    # States named: Germany and Austria (coordinators), "Norway and Peru on Universalization".
    assert _states(g24) == {ID["state/DEU"], ID["state/AUT"], ID["state/NOR"], ID["state/PER"]}


def test_2024_partners(g24: Graph) -> None:
    # "5. Strategy implementers and potential implementation partners", bullets:
    # "CCM coordinators of the Working Groups, especially Norway and Peru on Universalization, CCM
    # Implementation Support Unit," -> Coordination Committee, Norway, Peru, ISU (4);
    # "Gender Focal Points of the APMBC ..." (1); "GICHD Gender and Diversity Working Group" (1);
    # "UNIDIR Gender and Disarmament Research Programme" (1); "Universalization Focal Points of
    # other treaty regimes" (1); "ICRC" (1); "IPU and dedicated parliaments" (1); "Other
    # international NGOs/operators and civil society, including ICBL-CMC, ..." (2) -> 12, 2 States.
    partners = set(g24.objects(WP24, CCM.partner))
    assert len(partners) == 12
    assert {p for p in partners if str(p).startswith(str(ID) + "state/")} == {ID["state/NOR"], ID["state/PER"]}
    assert {
        ID["org/icbl-cmc"],
        ID["org/civil-society"],
        ID["org/ipu"],
        ID["org/icrc"],
        ID["org/gichd-gender-and-diversity-working-group"],
        ID["org/isu"],
        ID["org/unidir-gender-and-disarmament-programme"],
        ID["org/apmbc-gender-focal-points"],
        ID["org/universalization-focal-points-other-treaties"],
        ID["working-group/coordination-committee"],
    } <= partners


def test_2024_objectives(g24: Graph) -> None:
    # "2. Objectives": "1) Gender Mainstreaming" with a) b) c) d), "2) Strengthening the
    # humanitarian norms of the CCM" with a) b) c) -> 2 groups + 7 = 9
    objectives = _members(g24, WP24, CCM.Objective, CCM.hasObjective)
    assert len(objectives) == 9
    assert {str(g24.value(o, DCTERMS.identifier)) for o in objectives} == {
        "1",
        "1a",
        "1b",
        "1c",
        "1d",
        "2",
        "2a",
        "2b",
        "2c",
    }
    for key in ("1a", "1b", "1c", "1d"):
        assert (el(WP24, "objective", key), CCM.contributesTo, el(WP24, "objective", "1")) in g24
    for key in ("2a", "2b", "2c"):
        assert (el(WP24, "objective", key), CCM.contributesTo, el(WP24, "objective", "2")) in g24
    _positions_are_document_order(g24, objectives)
    # the unlabelled second paragraph of 2a is kept in 2a and noted
    assert "IPU" in str(g24.value(el(WP24, "objective", "2a"), DCTERMS.description))
    assert g24.value(el(WP24, "objective", "2a"), CCM.curationNote) is not None


def test_2024_activities(g24: Graph) -> None:
    # "3. Implementation activities": "1) Gender mainstreaming" a) b) c), "2) Strengthening the
    # humanitarian norms of the CCM" a) b) c) -> 2 tracks + 6 = 8
    activities = _members(g24, WP24, CCM.Activity, CCM.hasActivity)
    assert len(activities) == 8
    tracks = {a for a in activities if (a, RDF.type, CCM.Track) in g24}
    assert {str(g24.value(t, DCTERMS.identifier)) for t in tracks} == {"1", "2"}
    parents = Counter(str(g24.value(a, CCM.subActivityOf)).rsplit("/", 1)[-1] for a in activities - tracks)
    assert parents == {"1": 3, "2": 3}
    _positions_are_document_order(g24, activities)
    for key in ("1a", "1b", "1c"):
        assert (el(WP24, "activity", key), CCM.contributesTo, el(WP24, "objective", key)) in g24


def test_2024_expected_outputs(g24: Graph) -> None:
    # "4. Expected Outputs by 11MSP": "1) Gender mainstreaming" 2 bullets, "2) Strengthening the
    # humanitarian norms of the CCM" 3 bullets -> 5
    outputs = _members(g24, WP24, CCM.ExpectedOutput, CCM.hasExpectedOutput)
    assert len(outputs) == 5
    groups = Counter(str(g24.value(o, CCM.contributesTo)).rsplit("/", 1)[-1] for o in outputs)
    assert groups == {"1": 2, "2": 3}
    _positions_are_document_order(g24, outputs)
    for o in outputs:  # "by 11MSP" in a plan leading up to the 13MSP: kept and noted
        assert (o, CCM.mentions, ID["meeting/11msp"]) in g24
        assert any("11MSP" in str(n) for n in g24.objects(o, CCM.curationNote))


def test_2024_timeline(g24: Graph) -> None:
    # "6. Timeline ...": "Fourth Quarter of 2024" 4 + 1 bullets = 5; "First Quarter of 2025"
    # 3 + 3 = 6; "Second Quarter of 2025" 2 + 1 = 3; "Third Quarter of 2025" 4 -> 18
    entries = _members(g24, WP24, CCM.TimelineEntry, CCM.hasTimelineEntry)
    per_period = Counter(str(g24.value(e, CCM.scheduledIn)).rsplit("/", 1)[-1] for e in entries)
    assert per_period == {"2024-Q4": 5, "2025-Q1": 6, "2025-Q2": 3, "2025-Q3": 4}
    _positions_are_document_order(g24, entries)
    assert (el(WP24, "timeline", "2025-Q2-2"), CCM.carriesOut, el(WP24, "activity", "1c")) in g24


def test_2024_alignments(g24: Graph) -> None:
    # Background: "LAP Actions numbers 4, 23, 28, 29, 31, 34, 36, 39 and 41 are relevant for
    # activities with regard to gender mainstreaming" -> on the work plan, applying to group 1.
    assert _actions(g24, WP24, CCM.StatedInText) == GENDER_ACTIONS
    for a in g24.objects(WP24, CCM.hasAlignment):
        assert set(g24.objects(a, CCM.appliesTo)) == {el(WP24, "objective", "1")}
    assert _actions(g24, el(WP24, "activity", "1c"), CCM.InheritedFromWorkPlan) == GENDER_ACTIONS
    assert _actions(g24, el(WP24, "activity", "2b"), CCM.InheritedFromWorkPlan) == set()
    # Objective 2a: "(more specifically actions 10 and 11 A-D)" and "(more specifically actions 1 and 8)"
    obj2a = el(WP24, "objective", "2a")
    assert _actions(g24, obj2a, CCM.StatedInText) == {1, 8, 10, 11}
    written = {str(w) for a in g24.objects(obj2a, CCM.hasAlignment) for w in g24.objects(a, CCM.actionAsWritten)}
    assert written == {"11 A-D"}


def test_2024_continuations(g24: Graph) -> None:
    # Lines of work the 2024-2025 plan carries over from the 2023-2024 concept note.
    pairs = {
        (str(s)[len(str(WP24)) + 1 :], str(g24.value(c, CCM.continuedFrom))[len(str(WP23)) + 1 :])
        for s, c in g24.subject_objects(CCM.hasContinuation)
    }
    assert {
        ("objective/1a", "objective/a"),
        ("objective/1b", "objective/b"),
        ("objective/1c", "objective/d"),
        ("objective/1d", "objective/c"),
        ("activity/1a", "activity/track-1"),
        ("activity/1b", "activity/track-2"),
        ("activity/1c", "activity/track-3"),
    } <= pairs
    for c in g24.objects(None, CCM.hasContinuation):
        assert g24.value(c, CCM.basis) == CCM.CuratorJudgement
        assert g24.value(c, RDFS.comment) is not None
        sources = {g24.value(ev, OA.hasSource) for ev in g24.objects(c, CCM.evidence)}
        assert sources == {SRC23, SRC24}, c


def test_2024_notes(g24: Graph) -> None:
    notes = " ".join(str(n) for n in g24.objects(WP24, CCM.curationNote))
    assert "11MSP" in notes and "13MSP" in notes
    assert "Belgium and Germany" in notes


# ================================================================ both


@pytest.mark.parametrize("which", ["g23", "g24"])
def test_labels_are_english(which: str, request: pytest.FixtureRequest) -> None:
    g = request.getfixturevalue(which)
    for base in (WP23, WP24):
        for s, label in g.subject_objects(RDFS.label):
            if str(s).startswith(str(base) + "/") and "/alignment/" not in str(s) and "/continuation/" not in str(s):
                assert isinstance(label, Literal) and label.language == "en", s
