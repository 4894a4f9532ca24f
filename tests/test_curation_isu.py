"""Completeness of the curation of the ISU 2025 Work Plan and Budget (CCM/MSP/2024/3).

Every expected number below comes from reading data/sources/isu-workplan-budget-2025.txt
(the heading or line it counts is quoted next to it), not from the graph. The graph checked
is the asserted named graph of that document in the built dataset.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from decimal import Decimal

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

import curation
from ccmgraph import paths
from ccmgraph.namespaces import CCM, GRAPH, ID

STEM = "isu-workplan-budget-2025"
GRAPH_IRI = GRAPH[STEM]
WP = ID["workplan/isu-2025"]
BASE = str(WP) + "/"
DOC = ID[f"source/{STEM}"]
TEXT_PATH = paths.SOURCES / f"{STEM}.txt"


def _text() -> str:
    return TEXT_PATH.read_text(encoding="utf-8")


def _in_text(passage: str) -> bool:
    """The passage occurs in the source text (runs of whitespace may differ)."""
    pattern = r"\s+".join(re.escape(w) for w in passage.split())
    return re.search(pattern, _text()) is not None


# ---------------------------------------------------------------- the graph under test


@pytest.fixture(scope="module")
def g(build_result) -> Graph:
    """The document's asserted named graph in the session's build (tests/conftest.py)."""
    return curation.asserted_graph(build_result, GRAPH_IRI)


def _elements(g: Graph, cls: URIRef, link: URIRef = CCM.hasElement) -> set[URIRef]:
    return curation.members(g, WP, cls, link)


def _identifiers(g: Graph, nodes) -> set[str]:
    return {str(g.value(n, DCTERMS.identifier)) for n in nodes}


def _key(iri: URIRef) -> str:
    return str(iri)[len(BASE) :]


# ---------------------------------------------------------------- the document


def test_source_document(g: Graph):
    assert str(g.value(DOC, CCM.sha256)) == hashlib.sha256(TEXT_PATH.read_bytes()).hexdigest()
    # the symbol is in the text only as page-header debris: "CCM/ CCM/MSP/2024/3 24/3"
    assert _in_text("CCM/MSP/2024/3")
    assert str(g.value(DOC, DCTERMS.identifier)) == "CCM/MSP/2024/3"
    assert g.value(DOC, CCM.issuer) == ID["org/isu"]
    # "Implementation Support Unit 2025 Work Plan and Budget^{*}"
    assert str(g.value(DOC, DCTERMS.title)) == "Implementation Support Unit 2025 Work Plan and Budget"


def test_work_plan(g: Graph):
    assert (WP, RDF.type, CCM.WorkPlan) in g
    assert g.value(WP, CCM.sourceDocument) == DOC
    # "Submitted by the ISU Director"; no thematic working group issues this plan
    assert g.value(WP, CCM.implementer) == ID["org/isu"]
    assert g.value(WP, CCM.workingGroup) is None
    # "during the period 1 January - 31 December 2025"
    assert g.value(WP, CCM.period) == ID["period/2025"]
    # Meetings in their roles: "including in preparation for the 13th MSP"; "Twelfth Meeting of States
    # Parties ... Item 10(i) of the provisional agenda"; "In accordance with the decision (CCM/CONF/2021/6
    # para.83) of States Parties taken at the Second Review Conference (2RC)".
    assert set(g.objects(WP, CCM.preparesFor)) == {ID["meeting/13msp"]}
    assert set(g.objects(WP, CCM.submittedTo)) == {ID["meeting/12msp"]}
    assert set(g.objects(WP, CCM.mandatedBy)) == {ID["meeting/2rc"]}
    assert set(g.objects(WP, CCM.leadsUpTo)) == set()
    mentions = set(g.objects(WP, CCM.mentions))
    assert {ID["document/CCM-CONF-2021-6"], ID["document/CCM-CONF-2020-Rev.1"]} <= mentions
    assert not mentions & {ID["meeting/12msp"], ID["meeting/13msp"], ID["meeting/2rc"]}
    # "Provide support required by the presidency and the Coordination Committee in organizing the 13MSP."
    assert set(g.objects(WP, CCM.inSupportOf)) == {ID["presidency/13msp"]}
    # "Administrative Expenses GICHD, in- kind": the GICHD funds in kind
    assert set(g.objects(WP, CCM.funder)) == {ID["org/gichd"]}
    assert (ID["document/CCM-CONF-2021-6"], DCTERMS.identifier, None) in g
    # "Manage the CCM Sponsorship Programme administered by the GICHD."; "Liaise with the UN, particularly UNODA"
    assert set(g.objects(WP, CCM.partner)) == {ID["org/gichd"], ID["org/unoda"]}


# ---------------------------------------------------------------- objectives and outcomes


def test_objectives(g: Graph):
    objectives = _elements(g, CCM.Objective, CCM.hasObjective)
    # "Main Objective:" (one) and "Specific Objectives" (nine bullets: "Provide technical quality
    # support ...", "Provide quality support to all States Parties ...", "Provide quality advice ...",
    # "Prepare for and keep records ...", "Facilitate communication ...", "- Maintain public relations ...",
    # "- Manage the CCM Sponsorship Programme ...", "- Serve as an interface ...", "- With the objective of ...")
    assert len(objectives) == 1 + 9
    assert "Main Objective" in _identifiers(g, objectives)


def test_outcomes(g: Graph):
    outcomes = _elements(g, CCM.Outcome, CCM.hasOutcome)

    def kind(o: URIRef) -> str:  # outcome/summary-N, outcome/N (section IV), outcome/table-N
        key = _key(o).split("/", 1)[1]
        return key.split("-")[0] if "-" in key else "section"

    kinds = Counter(kind(o) for o in outcomes)
    # Summary "Expected Outcomes:" has 8 statements (the first garbled with the heading, then 7 bullets "•")
    assert kinds["summary"] == 8
    # "IV. Expected outcomes": paragraphs 14 to 19
    assert kinds["section"] == 6
    assert {_key(o) for o in outcomes if kind(o) == "section"} == {f"outcome/{n}" for n in range(14, 20)}
    # "V. 2025 Outcomes, outputs and activities": 6 outcome rows
    assert kinds["table"] == 6
    assert len(outcomes) == 20


def test_results_framework(g: Graph):
    outputs = _elements(g, CCM.ExpectedOutput, CCM.hasExpectedOutput)
    # "V. 2025 Outcomes, outputs and activities": each of the 6 outcome rows has 2 outputs
    assert len(outputs) == 12
    per_outcome = Counter(_key(g.value(o, CCM.contributesTo)) for o in outputs)
    assert per_outcome == {f"outcome/table-{n}": 2 for n in range(1, 7)}
    assert _identifiers(g, outputs) == {f"Output {n}" for n in range(1, 13)}
    # activities (sentences of the Activities column) per output, in table order:
    # "Assist the presidency ..." 4; "Prepare and support informal meetings ..." 4;
    # "Provide support required by the presidency ... 13MSP" 3;
    # "Manage and collaborate with donors and the GICHD ..." 4;
    # "Support meetings convened by Coordinators ..." 4;
    # "Carry out support missions upon the request of States Parties." 2;
    # "Support meetings convened by all thematic Coordinators ..." 4; "Provide advice to States Parties ..." 3;
    # "Provide in-depth briefs ..." 3; "Maintain and update the official website ..." 2;
    # "Identify potential new States Parties and provide summaries ..." 3; "Organize, upon request, ..." 3
    expected = [4, 4, 3, 4, 4, 2, 4, 3, 3, 2, 3, 3]
    activities = set(g.subjects(RDF.type, CCM.Activity))
    counts = Counter(
        _key(g.value(a, CCM.contributesTo))
        for a in activities
        if _key(g.value(a, CCM.contributesTo)).startswith("output/")
    )
    assert counts == {f"output/{n}": c for n, c in enumerate(expected, 1)}


# ---------------------------------------------------------------- mandate and priorities


def test_mandate_items(g: Graph):
    items = _elements(g, CCM.MandateItem)
    # "I. Mandate of the Implementation Support Unit": items "(a)" to "(g)"
    assert _identifiers(g, items) == {f"({c})" for c in "abcdefg"}


# "III. Priorities of the Implementation Support Unit": headings "A. Support to the President ..." to
# "J. Other Implementation Support", with their lettered items:
ACTIVITIES_PER_PRIORITY = {
    "A": 6,  # (a) Assist in the preparation and hosting ... (f) Prepare and transmit invoices ...
    "B": 6,  # (a) Promote the Convention in relevant for awith ... (f) Make available resources and tools ...
    "C": 6,  # (a) ... obligations under Article 3 ... (f) The communication of requests ...
    "D": 7,  # (a) ... obligations under Article 4 ... (g) Facilitate the communication of requests ...
    "E": 5,  # (a) Facilitate communication with States Parties ... (e) Promote an integrated approach ...
    "F": 4,  # (a) Facilitate exchanges ... (d) Support promotion of ... country coalitions ...
    "G": 5,  # (a) Encourage the submission ... (e) Provide States Parties with analytical summaries ...
    "H": 5,  # (a) ... Article 9 compliance ... (e) Encourage States Parties in need of assistance ...
    "I": 5,  # (a) Administer, maintain ... (b) and (c) on one line ... (e) Produce Convention-related publications ...
    "J": 5,  # (a) Provide in-depth briefings ... (e) In undertaking the work and priorities ...
}

# "To support ... and States Parties implement Article N obligations"
ARTICLE_OF_PRIORITY = {"C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 9}

# "the Working Group on ..." / "the Coordinator on ..." each priority supports
WORKING_GROUP_OF_PRIORITY = {
    "A": "coordination-committee",
    "B": "universalization",
    "C": "stockpile-destruction-and-retention",
    "D": "clearance-and-risk-reduction-education",
    "E": "victim-assistance",
    "F": "international-cooperation-and-assistance",
    "G": "transparency-measures",
    "H": "national-implementation-measures",
}


def test_priorities(g: Graph):
    priorities = _elements(g, CCM.Priority)
    assert _identifiers(g, priorities) == set("ABCDEFGHIJ")
    for p in priorities:
        letter = str(g.value(p, DCTERMS.identifier))
        articles = {ID[f"article/{ARTICLE_OF_PRIORITY[letter]}"]} if letter in ARTICLE_OF_PRIORITY else set()
        assert set(g.objects(p, CCM.supportsArticle)) == articles, letter
        wgs = {o for o in g.objects(p, CCM.mentions) if str(o).startswith(str(ID["working-group/"]))}
        expected = (
            {ID[f"working-group/{WORKING_GROUP_OF_PRIORITY[letter]}"]} if letter in WORKING_GROUP_OF_PRIORITY else set()
        )
        assert wgs == expected, letter


def test_activities_per_priority(g: Graph):
    activities = _elements(g, CCM.Activity, CCM.hasActivity)
    under = Counter(
        str(g.value(g.value(a, CCM.contributesTo), DCTERMS.identifier))
        for a in activities
        if _key(g.value(a, CCM.contributesTo)).startswith("priority/")
    )
    assert dict(under) == ACTIVITIES_PER_PRIORITY
    ids = _identifiers(g, activities)
    for letter, n in ACTIVITIES_PER_PRIORITY.items():
        assert {f"{letter}({c})" for c in "abcdefg"[:n]} <= ids
    # 54 lettered activities of the priorities + 39 activities of the results table
    assert len(activities) == sum(ACTIVITIES_PER_PRIORITY.values()) + 39 == 93


# ---------------------------------------------------------------- LAP alignments


def _stated(g: Graph, element: URIRef) -> dict[int, URIRef]:
    out = {}
    for a in g.objects(element, CCM.hasAlignment):
        out[int(str(g.value(a, CCM.action)).rsplit("/", 1)[-1])] = g.value(a, CCM.basis)
    return out


def test_alignments(g: Graph):
    # "including but not restricted to actions 1 to 9" (summary expected outcome on the LAP)
    assert _in_text("including but not restricted to actions 1 to 9")
    assert _stated(g, URIRef(BASE + "outcome/summary-4")) == {n: CCM.StatedInText for n in range(1, 10)}
    # "(b) Provide targeted technical assistance to States Parties as required in accordance with LAP Action 46;"
    assert _stated(g, URIRef(BASE + "activity/G-b")) == {46: CCM.StatedInText}
    # the plan's basis, "the priorities established through the Lausanne Action Plan", names no action
    assert not list(g.objects(WP, CCM.hasAlignment))
    judged = {s for s, a in g.subject_objects(CCM.hasAlignment) if g.value(a, CCM.basis) == CCM.CuratorJudgement}
    assert judged == {URIRef(BASE + "priority/B"), URIRef(BASE + "output/12")}
    for s in judged:
        for a in g.objects(s, CCM.hasAlignment):
            assert g.value(a, RDFS.comment) is not None


# ---------------------------------------------------------------- budget, staff, assumptions

# The budget table as the source writes it ("Cost Amount in chf Notes"):
BUDGET_LINES = {
    "Salaries": "364'282",
    "Social charges": "72'856",
    "Communication": "20'000",
    "Travel": "27'000",
    "Other implementation support costs": "13'000",
}
TOTAL = "497'138"  # "Total 497'138" and, in the Summary, "Budget: CHF 497'138"


def _chf(written: str) -> Decimal:
    return Decimal(written.replace("'", ""))


def test_budget_figures_are_the_documents():
    for name, amount in BUDGET_LINES.items():
        assert _in_text(f"{name} {amount}"), name
    assert _in_text(f"Total {TOTAL}") and _in_text(f"Budget: CHF {TOTAL}")
    # the lines add up to the total in the document itself
    assert sum(_chf(a) for a in BUDGET_LINES.values()) == _chf(TOTAL)


def test_budget(g: Graph):
    budgets = _elements(g, CCM.Budget, CCM.hasBudget)
    assert len(budgets) == 1
    budget = budgets.pop()
    assert g.value(budget, CCM.totalAmount).toPython() == _chf(TOTAL)
    assert str(g.value(budget, CCM.currency)) == "CHF"
    lines = set(g.objects(budget, CCM.budgetLine))
    assert lines == _elements(g, CCM.BudgetLine)
    got = {str(g.value(line, DCTERMS.identifier)): g.value(line, CCM.amount).toPython() for line in lines}
    assert got == {k: _chf(v) for k, v in BUDGET_LINES.items()}
    # "Administrative Expenses GICHD, in- kind": no amount, so not a budget line
    in_kind = URIRef(BASE + "budget-line/administrative-expenses")
    assert (in_kind, RDF.type, CCM.BudgetLine) not in g
    assert (in_kind, CCM.partOf, WP) in g


def test_staff_positions(g: Graph):
    staff = _elements(g, CCM.StaffPosition)
    # "The Director and Implementation Support Specialist working at 100% and the
    #  Implementation Support Assistant at 50%."
    assert _identifiers(g, staff) == {
        "Director",
        "Implementation Support Specialist",
        "Implementation Support Assistant",
    }


def test_staff_full_time_equivalents(g: Graph):
    # "The Director and Implementation Support Specialist working at 100% and the Implementation
    # Support Assistant at 50%."
    fte = {
        str(g.value(s, DCTERMS.identifier)): g.value(s, CCM.fullTimeEquivalent).toPython()
        for s in _elements(g, CCM.StaffPosition)
    }
    assert fte == {
        "Director": Decimal("1.0"),
        "Implementation Support Specialist": Decimal("1.0"),
        "Implementation Support Assistant": Decimal("0.5"),
    }


def test_assumptions(g: Graph):
    # "Assumptions": four bullets ("- States Parties ensure ...", "- The ISU remains ...",
    # "- All key partners ...", "- The GICHD in-kind contribution ...")
    assert len(_elements(g, CCM.Assumption)) == 4


# ---------------------------------------------------------------- every element

ELEMENT_CLASSES = (
    CCM.Objective,
    CCM.Activity,
    CCM.ExpectedOutput,
    CCM.Outcome,
    CCM.MandateItem,
    CCM.Priority,
    CCM.Budget,
    CCM.BudgetLine,
    CCM.StaffPosition,
    CCM.Assumption,
)


def test_every_element_is_complete(g: Graph):
    for cls in ELEMENT_CLASSES:
        nodes = set(g.subjects(RDF.type, cls))
        positions = [g.value(n, CCM.position).toPython() for n in nodes]
        assert sorted(positions) == list(range(1, len(nodes) + 1)), f"{cls}: positions {sorted(positions)}"
        for n in nodes:
            for prop in (RDFS.label, DCTERMS.identifier, DCTERMS.description, CCM.evidence):
                assert g.value(n, prop) is not None, f"{n} lacks {prop}"
