"""A document's named graph says what the document says, and nothing the reference data says.

Each test quotes the sentence of data/sources/*.txt, or the row of data/reference/csv/, it rests on.
The graphs checked are those of the session's build (tests/conftest.py).
"""

from __future__ import annotations

import csv
import re

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS

from ccmgraph import paths
from ccmgraph.namespaces import CCM, GRAPH, ID, INFERRED_GRAPH, OA, ONTOLOGY_GRAPH, REFERENCE_GRAPH

STEMS = (
    "gso-concept-note-2023-2024",
    "gso-workplan-2024-2025",
    "gso-workplan-2025-2026",
    "isu-workplan-budget-2025",
    "universalization-workplan-2024-2025",
)
NAME_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.notation, CCM.acronym, CCM.alias)
TEXT_BASES = (CCM.StatedInText, CCM.ByHeading, CCM.ByPosition)
STRUCTURAL = (CCM.carriesOut, CCM.contributesTo, CCM.subActivityOf)


@pytest.fixture(scope="module")
def reference(build_result) -> Graph:
    return build_result.graphs[REFERENCE_GRAPH]


def _text(stem: str) -> str:
    return " ".join((paths.SOURCES / f"{stem}.txt").read_text(encoding="utf-8").split()).casefold()


def _names(reference: Graph, node: URIRef) -> set[str]:
    return {" ".join(str(o).split()).casefold() for p in NAME_PROPERTIES for o in reference.objects(node, p)}


def _named_in(text: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", text) for n in names if n)


def _exact(g: Graph, node) -> set[str]:
    """The quotes of the evidence of ``node``."""
    return {
        str(x)
        for ev in g.objects(node, CCM.evidence)
        for sel in g.objects(ev, OA.hasSelector)
        for x in g.objects(sel, OA.exact)
    }


def _qualified(g: Graph, s, p, o) -> list[URIRef]:
    return [
        q
        for q in g.objects(s, CCM.hasQualifiedLink)
        if g.value(q, CCM.linkProperty) == p and g.value(q, CCM.linkTarget) == o
    ]


# ---------------------------------------------------------------- section 2: only what the document says


@pytest.mark.parametrize("stem", STEMS)
def test_no_agent_or_meeting_the_document_does_not_name(build_result, reference, stem):
    """No State, organisation or meeting appears in a document's graph unless the document names it
    (a label, acronym or alias of the reference resource is in the text), or every triple that
    brings it carries a non-text basis (a curator judgement, said in rdfs:comment)."""
    g = build_result.graphs[GRAPH[stem]]
    text = _text(stem)
    kinds = (
        CCM.State,
        CCM.Organization,
        CCM.Meeting,
        CCM.MeetingOfStatesParties,
        CCM.ReviewConference,
        CCM.IntersessionalMeeting,
    )
    entities = {s for k in kinds for s in reference.subjects(RDF.type, k)}
    unnamed = []
    for entity in sorted(entities & set(g.all_nodes())):
        if _named_in(text, _names(reference, entity)):
            continue
        triples = list(g.triples((None, None, entity))) + list(g.triples((entity, None, None)))
        judged = [t for t in triples if any(g.value(q, CCM.basis) not in TEXT_BASES for q in _qualified(g, *t))]
        # the qualified link's own ccm:linkTarget triple is bookkeeping, not a statement
        statements = [t for t in triples if t[1] != CCM.linkTarget]
        if len(judged) < len(statements):
            unnamed.append((str(entity), [str(t[1]) for t in statements if t not in judged]))
    assert not unnamed, unnamed


# the roles a plan or element gives an agent or a group; each is stated by the element's own quote
ROLES = (CCM.partner, CCM.mentions, CCM.implementer, CCM.coordinator, CCM.funder, CCM.inSupportOf)


def _quotes_for(g: Graph, s, p, o) -> set[str]:
    """The quotes that back ``s p o``: those of the qualified link of the statement, else those of
    ``s``'s own evidence for ``p`` or for no property in particular, else all of ``s``'s own quotes."""
    links = _qualified(g, s, p, o)
    if links:
        return {q for link in links for q in _exact(g, link)}
    evidence = list(g.objects(s, CCM.evidence))
    for_p = [ev for ev in evidence if p in set(g.objects(ev, CCM.forProperty)) or g.value(ev, CCM.forProperty) is None]
    return {
        str(x) for ev in for_p or evidence for sel in g.objects(ev, OA.hasSelector) for x in g.objects(sel, OA.exact)
    }


@pytest.mark.parametrize("stem", STEMS)
def test_every_role_is_named_by_its_own_quote_or_judged(build_result, reference, stem):
    """A State, organisation, working group or committee given a role (partner, mention, implementer,
    coordinator, funder, in support of) is named by the quote that backs that very statement, or
    the statement's qualified link says its basis is not the text (a curator judgement, explained):
    the same inference carries the same basis wherever it is made. gso-workplan-2024-2025.txt:
    "Approach the CCM coordinators of the Working Groups" names coordinators, not the Coordination
    Committee; linking them to it is a judgement here as on the plan's partner list."""
    g = build_result.graphs[GRAPH[stem]]
    kinds = (CCM.State, CCM.Organization, CCM.WorkingGroup)
    entities = {s for k in kinds for s in reference.subjects(RDF.type, k)}
    unnamed = []
    for p in ROLES:
        for s, o in g.subject_objects(p):
            if o not in entities:
                continue
            if any(g.value(q, CCM.basis) not in TEXT_BASES for q in _qualified(g, s, p, o)):
                continue
            quotes = " ".join(" ".join(q.split()).casefold() for q in _quotes_for(g, s, p, o))
            if not _named_in(quotes, _names(reference, o)):
                unnamed.append((str(s), p.n3(g.namespace_manager), str(o)))
    assert not unnamed, unnamed


def test_universalization_graph_has_no_reference_members(build_result):
    # "Signatory States that have yet to complete their ratification processes." / "State party that
    # initiated the withdrawal process.": the document names no member State (the 12 signatories and
    # Lithuania were taken from ccm-states.csv "as of 2025-07-01"; they stay in the reference graph).
    g = build_result.graphs[GRAPH["universalization-workplan-2024-2025"]]
    for code in ("LTU", "AGO", "IDN", "KEN"):
        assert ID[f"state/{code}"] not in set(g.all_nodes()), code
    for name in STEMS:
        assert not set(build_result.graphs[GRAPH[name]].subject_objects(CCM.memberState)), name


def test_withdrawing_state_is_reference_data_only(build_result):
    # ccm-withdrawal-lithuania.json: "state": "LTU", "first_withdrawal_from_the_convention": true.
    for name, g in build_result.graphs.items():
        if name in (REFERENCE_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH):
            continue
        assert not set(g.subject_objects(CCM.withdrawingState)), name


@pytest.mark.parametrize("stem", STEMS)
def test_every_structural_link_is_qualified_once(build_result, stem):
    g = build_result.graphs[GRAPH[stem]]
    for prop in STRUCTURAL:
        for s, o in g.subject_objects(prop):
            links = _qualified(g, s, prop, o)
            assert len(links) == 1, (s, prop, o)
            basis = g.value(links[0], CCM.basis)
            if basis in (CCM.StatedInText, CCM.ByHeading):
                assert g.value(links[0], CCM.evidence) is not None, links[0]
            if basis == CCM.CuratorJudgement:
                assert g.value(links[0], RDFS.comment) is not None, links[0]


def test_structural_link_counts(build_result):
    # The audit's figures: carriesOut 51, contributesTo 148, subActivityOf 27 links, none quoted before.
    counts = {p: sum(len(list(build_result.graphs[GRAPH[s]].subject_objects(p))) for s in STEMS) for p in STRUCTURAL}
    assert counts == {CCM.carriesOut: 51, CCM.contributesTo: 148, CCM.subActivityOf: 27}


@pytest.mark.parametrize("stem", STEMS)
def test_no_bag_of_quotes(build_result, stem):
    """Where several quotes back several objects of one role (partner, implementer, mention, citation,
    funder), each object has its own qualified link saying which quote backs it."""
    g = build_result.graphs[GRAPH[stem]]
    bags = []
    for prop in (CCM.partner, CCM.implementer, CCM.mentions, CCM.cites, CCM.funder):
        for s in set(g.subjects(prop, None)):
            quotes = [ev for ev in g.objects(s, CCM.evidence) if (ev, CCM.forProperty, prop) in g]
            unqualified = [o for o in g.objects(s, prop) if not _qualified(g, s, prop, o)]
            if len(quotes) >= 2 and len(unqualified) >= 2:
                bags.append((str(s), str(prop), sorted(map(str, unqualified))))
    assert not bags, bags


def test_heading_quotes_the_heading(build_result):
    # ISU priority "A. Support to the President, the President-Designate and the Coordination Committee"
    # stands over activity A(a): the link's basis is the heading, its quote the heading's words.
    g = build_result.graphs[GRAPH["isu-workplan-budget-2025"]]
    activity, priority = ID["workplan/isu-2025/activity/A-a"], ID["workplan/isu-2025/priority/A"]
    (link,) = _qualified(g, activity, CCM.contributesTo, priority)
    assert g.value(link, CCM.basis) == CCM.ByHeading
    assert _exact(g, link) == {"A. Support to the President, the President-Designate and the Coordination Committee"}


def test_curator_matched_track_by_title(build_result):
    # GSO 2025-2026: "Track 1: Cross cutting coordination and Presidency tasked support" ->
    # objective "1. Strengthen cross-cutting coordination and institutional continuity": no sentence says so.
    g = build_result.graphs[GRAPH["gso-workplan-2025-2026"]]
    (link,) = _qualified(
        g, ID["workplan/gso-2025-2026/activity/track-1"], CCM.contributesTo, ID["workplan/gso-2025-2026/objective/1"]
    )
    assert g.value(link, CCM.basis) == CCM.CuratorJudgement
    assert "title" in str(g.value(link, RDFS.comment))


def test_one_quote_per_implementer(build_result):
    # Universalization, "### **Strategy Implementers**": ten bullets naming eleven implementers; each
    # implementer is a statement of its own, backed by the bullet that names it.
    g = build_result.graphs[GRAPH["universalization-workplan-2024-2025"]]
    wp = ID["workplan/universalization-2024-2025"]
    quotes = {
        str(g.value(q, CCM.linkTarget)).removeprefix(str(ID)): _exact(g, q)
        for q in g.objects(wp, CCM.hasQualifiedLink)
        if g.value(q, CCM.linkProperty) == CCM.implementer
    }
    assert len(quotes) == 11
    assert quotes["state/MWI"] == {
        "Malawi – former coordinator on Universalization and CCM State Party with leverage in Africa;"
    }
    assert quotes["state/IRQ"] == {"Thematic Coordinator on National Implementation Measures, Irak."}
    assert quotes["org/icbl-cmc"] == {"CMC."}
    assert quotes["state/PER"] == quotes["state/NOR"] == {"Peru and Norway Coordinators on Universalization;"}


def test_inheritance_through_a_judged_link_is_a_judgement(build_result):
    # GSO 2024-2025 objective 2a states "(more specifically actions 10 and 11 A-D)"; activity 2c is under
    # 2a only by the curator's reading (its IPU work matches 2a's second paragraph), so its actions
    # 10 and 11 are judged, while activity 2a (parallel numbering "a)") inherits them from the objective.
    g = build_result.graphs[GRAPH["gso-workplan-2024-2025"]]

    def bases(element: str) -> set[URIRef]:
        return {
            g.value(a, CCM.basis)
            for a in g.objects(ID[f"workplan/gso-2024-2025/activity/{element}"], CCM.hasAlignment)
            if g.value(a, CCM.action) == ID["lap-action/10"]
        }

    assert bases("2c") == {CCM.CuratorJudgement}
    assert bases("2a") == {CCM.InheritedFromObjective}


# ---------------------------------------------------------------- section 3: what the documents state, as data


def test_documents_referring_to_a_withdrawal(store):
    # Universalization: "Last year marked the first time a State Party evoked Article 20 in the CCM";
    # GSO 2024-2025: "Prompted by the announcement of withdrawal of a State Party for the first time in
    # the history of the Convention". Which State: only the reference graph says (ccm-withdrawal-lithuania.json).
    rows = store.select("""
        PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>
        SELECT DISTINCT ?doc ?state WHERE {
          GRAPH ?doc { ?element ccm:refersToEvent ?event }
          GRAPH <https://w3id.org/ccmgraph/graph/reference> { ?event a ccm:Withdrawal ; ccm:withdrawingState ?state }
        }""")
    assert {str(r["doc"]).rsplit("/", 1)[-1] for r in rows} == {
        "universalization-workplan-2024-2025",
        "gso-workplan-2024-2025",
    }
    assert {str(r["state"]) for r in rows} == {str(ID["state/LTU"])}


def test_article_20_where_stated(build_result):
    # Only the Universalization plan names Article 20 ("evoked Article 20 in the CCM").
    event = ID["event/first-withdrawal"]
    holders = {name for name, g in build_result.graphs.items() if (event, CCM.invokesArticle, ID["article/20"]) in g}
    assert holders == {GRAPH["universalization-workplan-2024-2025"]}


@pytest.mark.parametrize(
    ("instrument", "stems", "name"),
    [
        # "the United Nations Security Council Resolution 1325 on Women, Peace and Security"
        ("unscr-1325", {"gso-workplan-2025-2026"}, "Resolution 1325"),
        # "In the Lausanne Declaration - Protecting Lives, ..."; "paragraph 9 of the Lausanne Declaration"
        (
            "lausanne-declaration",
            {"gso-concept-note-2023-2024", "gso-workplan-2024-2025", "isu-workplan-budget-2025"},
            "Lausanne Declaration",
        ),
        # "IHL more broadly" (GSO 2024-2025, 2025-2026); "IHL more generally" (Universalization)
        ("ihl", {"gso-workplan-2024-2025", "gso-workplan-2025-2026", "universalization-workplan-2024-2025"}, "IHL"),
        # "endorsed the working paper “Ways Forward in Universalization”"
        (
            "ways-forward-in-universalization",
            {"universalization-workplan-2024-2025"},
            "Ways Forward in Universalization",
        ),
        # "the resolution on the “Implementation of the Convention on Cluster Munitions”"
        (
            "unga-resolution-implementation-of-the-ccm",
            {"universalization-workplan-2024-2025"},
            "Implementation of the Convention on Cluster Munitions",
        ),
    ],
)
def test_cited_instruments(build_result, reference, instrument, stems, name):
    target = ID[f"instrument/{instrument}"]
    assert (target, RDF.type, None) in reference and reference.value(target, DCTERMS.source) is not None
    citing = {stem for stem in STEMS if (None, CCM.cites, target) in build_result.graphs[GRAPH[stem]]}
    assert citing == stems
    for stem in stems:
        g = build_result.graphs[GRAPH[stem]]
        quotes = set()
        for s in g.subjects(CCM.cites, target):
            quotes |= {x for q in _qualified(g, s, CCM.cites, target) for x in _exact(g, q)}
            quotes |= {
                str(x)
                for ev in g.objects(s, CCM.evidence)
                if (ev, CCM.forProperty, CCM.cites) in g
                for sel in g.objects(ev, OA.hasSelector)
                for x in g.objects(sel, OA.exact)
            }
        assert any(name.casefold() in q.casefold() for q in quotes), (stem, quotes)


def test_apmbc_and_ccw_protocols_are_cited(build_result):
    # "States Parties to the Anti-Personnel Mine Ban Convention ..."; "States Parties to the CCW Amended
    # Protocol II and Protocol V."
    g = build_result.graphs[GRAPH["universalization-workplan-2024-2025"]]
    cited = set(g.objects(None, CCM.cites))
    assert {ID["treaty/apmbc"], ID["treaty/ccw-amended-protocol-ii"], ID["treaty/ccw-protocol-v"]} <= cited


def test_meeting_roles(build_result):
    # GSO 2024-2025: "6. Timeline of activities in the lead up the 13th MSP"; "also with a view to the
    # upcoming Review Conference in 2026". ISU: "Twelfth Meeting of States Parties ... Item 10(i) of the
    # provisional agenda"; "including in preparation for the 13th MSP".
    gso = build_result.graphs[GRAPH["gso-workplan-2024-2025"]]
    wp = ID["workplan/gso-2024-2025"]
    assert set(gso.objects(wp, CCM.leadsUpTo)) == {ID["meeting/13msp"]}
    assert set(gso.objects(wp, CCM.preparesFor)) == {ID["meeting/3rc"]}
    assert not set(gso.objects(wp, CCM.mentions)) & {ID["meeting/13msp"], ID["meeting/3rc"]}
    isu = build_result.graphs[GRAPH["isu-workplan-budget-2025"]]
    wp = ID["workplan/isu-2025"]
    assert set(isu.objects(wp, CCM.submittedTo)) == {ID["meeting/12msp"]}
    assert set(isu.objects(wp, CCM.preparesFor)) == {ID["meeting/13msp"]}
    # the roles are kinds of one relation, so "which plans concern the 13MSP" is one pattern
    assert (wp, CCM.concernsMeeting, ID["meeting/13msp"]) in build_result.inferred


def test_cmc_and_icbl_cmc_are_one_coalition(build_result, reference):
    # "CMC." (Universalization); "including ICBL-CMC" (GSO 2024-2025); acronyms.csv rows CMC and ICBL-CMC.
    coalition = ID["org/icbl-cmc"]
    assert {str(a) for a in reference.objects(coalition, CCM.acronym)} == {"ICBL-CMC", "CMC"}
    # the merged IRI is retired, not deleted: it says only what replaces it (data/reference/retired.ttl)
    assert set(reference.predicates(ID["org/cmc"], None)) == {DCTERMS.isReplacedBy, SKOS.editorialNote}
    assert reference.value(ID["org/cmc"], DCTERMS.isReplacedBy) == coalition
    for stem in ("universalization-workplan-2024-2025", "gso-workplan-2024-2025"):
        assert coalition in set(build_result.graphs[GRAPH[stem]].all_nodes()), stem


def test_presidency_is_an_actor(build_result, reference):
    # Universalization: "Meet with ISU and 13MSP Presidency"; ccm-meetings.csv: "13MSP,Philippines,...".
    presidency = ID["presidency/13msp"]
    assert reference.value(presidency, CCM.presidencyOf) == ID["meeting/13msp"]
    assert reference.value(presidency, ORG.heldBy) == ID["state/PHL"]
    g = build_result.graphs[GRAPH["universalization-workplan-2024-2025"]]
    assert (ID["workplan/universalization-2024-2025/timeline/2025-01-1"], CCM.partner, presidency) in g
    # GSO 2024-2025: "in support of the work led by the Presidents of the 13 MSP as well as the 3rd Review Conference"
    gso = build_result.graphs[GRAPH["gso-workplan-2024-2025"]]
    assert set(gso.objects(ID["workplan/gso-2024-2025"], CCM.inSupportOf)) == {presidency, ID["presidency/3rc"]}


@pytest.mark.parametrize(
    ("spelling", "code"),
    [("Irak", "IRQ"), ("Lao PDR", "LAO"), ("Philippines", "PHL"), ("Malawi", "MWI"), ("Cameroon", "CMR")],
)
def test_states_found_by_the_documents_spelling(store, spelling, code):
    # "Thematic Coordinator on National Implementation Measures, Irak."; "Lao PDR – President of the 3
    # Review Conference"; "Current CCM presidency (Philippines)"; "Malawi – former coordinator";
    # "Austria and Cameroon".
    assert any(spelling.casefold() in _text(stem) for stem in STEMS)
    rows = store.select(
        """
        PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?state WHERE {
          # @bindings
          ?state a ccm:State ; rdfs:label|skos:altLabel|skos:hiddenLabel|ccm:alias ?name .
          FILTER (LCASE(STR(?name)) = LCASE(?spelling))
        }""",
        {"spelling": ox.Literal(spelling)},
    )
    assert [str(r["state"]) for r in rows] == [str(ID[f"state/{code}"])]


def test_every_named_state_is_found_by_its_spelling(build_result, reference):
    for stem in STEMS:
        text = _text(stem)
        for state in set(build_result.graphs[GRAPH[stem]].all_nodes()) & set(reference.subjects(RDF.type, CCM.State)):
            assert _named_in(text, _names(reference, state)), (stem, state)


# ---------------------------------------------------------------- section 5: LAP actions people can read


def _titles() -> dict[int, dict[str, str]]:
    with (paths.DATA / "reference" / "csv" / "lap-action-titles.csv").open(encoding="utf-8") as f:
        return {int(r["action"]): r for r in csv.DictReader(f)}


def test_lap_titles_csv_covers_every_action():
    titles = _titles()
    assert sorted(titles) == list(range(1, 51))
    # the official LAP text was not available: the column a curator completes is empty
    assert all(not r["official_title"] for r in titles.values())
    # lap-actions-described.csv: 13, 43, 44, 45, 46 are described (paraphrases)
    assert {n for n, r in titles.items() if r["short_title"]} == {13, 43, 44, 45, 46}


def test_lap_labels(reference):
    def label(n: int) -> str:
        return str(reference.value(ID[f"lap-action/{n}"], RDFS.label))

    # lap-actions-described.csv: "13,Formally declare Article 3 completion by the next MSP or RC,high,..."
    assert label(13) == "LAP Action 13 (paraphrase): Formally declare Article 3 completion by the next MSP or RC"
    # "Actions 10 and 11 of LAP are related to the universalization of the CCM" (Universalization plan):
    # a topic, not a title
    assert label(10) == "LAP Action 10"
    assert str(reference.value(ID["lap-action/10"], DCTERMS.subject)) == "universalization"
    # no source gives a title for action 4: said plainly
    assert label(4) == "LAP Action 4"
    assert "Title unknown" in str(reference.value(ID["lap-action/4"], SKOS.scopeNote))
    unknown = [
        n
        for n in range(1, 51)
        if "Title unknown" in " ".join(str(s) for s in reference.objects(ID[f"lap-action/{n}"], SKOS.scopeNote))
    ]
    assert len(unknown) == 45
