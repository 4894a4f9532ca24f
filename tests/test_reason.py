from rdflib import Graph
from rdflib.namespace import OWL, PROV, RDF

from ccmgraph import paths
from ccmgraph.namespaces import CCM, ID
from ccmgraph.pipeline.reason import infer

DATA = """
@prefix ccm: <https://w3id.org/ccmgraph/ontology#> .
@prefix id: <https://w3id.org/ccmgraph/id/> .
<https://w3id.org/ccmgraph/id/workplan/x> a ccm:WorkPlan ;
    ccm:hasActivity <https://w3id.org/ccmgraph/id/workplan/x/activity/1> .
<https://w3id.org/ccmgraph/id/workplan/x/activity/1> a ccm:Activity ;
    ccm:hasAlignment <https://w3id.org/ccmgraph/id/workplan/x/activity/1/alignment/10-StatedInText> ,
        <https://w3id.org/ccmgraph/id/workplan/x/activity/1/alignment/11-CuratorJudgement> ;
    ccm:hasTextBasedAlignment <https://w3id.org/ccmgraph/id/workplan/x/activity/1/alignment/10-StatedInText> .
<https://w3id.org/ccmgraph/id/workplan/x/activity/1/alignment/10-StatedInText> a ccm:ActionAlignment ;
    ccm:action <https://w3id.org/ccmgraph/id/lap-action/10> ; ccm:basis ccm:StatedInText .
<https://w3id.org/ccmgraph/id/workplan/x/activity/1/alignment/11-CuratorJudgement> a ccm:ActionAlignment ;
    ccm:action <https://w3id.org/ccmgraph/id/lap-action/11> ; ccm:basis ccm:CuratorJudgement .
"""


def _inferred():
    ontology = Graph().parse(paths.ONTOLOGY)
    return infer(ontology, Graph().parse(data=DATA, format="turtle"))


def test_qualified_alignment_yields_serves_action_and_served_by():
    g = _inferred()
    activity, action = ID["workplan/x/activity/1"], ID["lap-action/10"]
    assert (activity, CCM.servesAction, action) in g
    assert (action, CCM.servedBy, activity) in g


def test_judged_alignment_yields_no_serves_action():
    """A curator's judgement stays in the qualified alignment: the shortcut means what the API's
    default basis means."""
    g = _inferred()
    assert (ID["workplan/x/activity/1"], CCM.servesAction, ID["lap-action/11"]) not in g


def test_has_activity_yields_part_of():
    assert (ID["workplan/x/activity/1"], CCM.partOf, ID["workplan/x"]) in _inferred()


def test_axiomatic_noise_is_not_kept():
    g = _inferred()
    assert not list(g.triples((None, OWL.sameAs, None)))
    assert not list(g.triples((None, RDF.type, OWL.Thing)))
    assert all(str(s).startswith(str(ID)) for s in g.subjects())


def test_built_graph_has_inferred_serves_action(build_result):
    inferred = build_result.inferred
    alignments = build_result.graphs
    pairs = {
        (s, o)
        for g in alignments.values()
        for s, a in g.subject_objects(CCM.hasAlignment)
        if g.value(a, CCM.basis) != CCM.CuratorJudgement
        for o in g.objects(a, CCM.action)
    }
    assert pairs, "no alignments in the data"
    assert all((s, CCM.servesAction, o) in inferred for s, o in pairs)
    assert all((o, CCM.servedBy, s) in inferred for s, o in pairs)
    assert set(inferred.subject_objects(CCM.servesAction)) == pairs
    asserted = [g for name, g in build_result.graphs.items() if g is not inferred]
    assert not any((None, CCM.servesAction, None) in g for g in asserted), "servesAction must only be inferred"


def test_serves_action_agrees_with_the_api_default_basis(build_result, store, dist):
    """For every LAP action, the elements ccm:servesAction links to it are those /api/lap-actions/{n}
    lists at its default basis (stated, or inherited from the objective or the work plan).
    gso-workplan-2025-2026.txt, objective 3 names no action: its links are curator judgements."""
    from fastapi.testclient import TestClient

    from ccmgraph.web.app import create_app

    client = TestClient(create_app(store=store, dist=dist))
    inferred = build_result.inferred
    for n in range(1, 51):
        body = client.get(f"/api/lap-actions/{n}").json()
        by_api = {e["element"] for e in body["elements"]}
        by_shortcut = {str(s) for s in inferred.subjects(CCM.servesAction, ID[f"lap-action/{n}"])}
        assert by_shortcut == by_api, n
    judged = ID["workplan/gso-2025-2026/objective/3"]
    assert not set(inferred.objects(judged, CCM.servesAction))


def test_only_stated_continuations_become_prov():
    """A continuation a curator judged stays ccm:continues; only a stated one is prov:wasRevisionOf."""
    ontology = Graph().parse(paths.ONTOLOGY)
    data = Graph().parse(
        format="turtle",
        data="""
@prefix ccm: <https://w3id.org/ccmgraph/ontology#> .
@prefix id: <https://w3id.org/ccmgraph/id/> .
id:b ccm:hasContinuation id:c1 , id:c2 ; ccm:hasStatedContinuation id:c1 .
id:c1 a ccm:Continuation ; ccm:continuedFrom id:a1 ; ccm:basis ccm:StatedInText .
id:c2 a ccm:Continuation ; ccm:continuedFrom id:a2 ; ccm:basis ccm:CuratorJudgement .
""",
    )
    g = infer(ontology, data)
    assert (ID.b, PROV.wasRevisionOf, ID.a1) in g
    assert (ID.b, CCM.continues, ID.a2) in g and (ID.b, PROV.wasRevisionOf, ID.a2) not in g


def test_implementers_are_not_attribution(build_result):
    """universalization-workplan-2024-2025.txt names its coordinators "### **Peru and Norway**"; its strategy
    implementers (Malawi, the Philippines, Lao PDR, Iraq) are not whom the plan is attributed to."""
    plan = ID["workplan/universalization-2024-2025"]
    everything = build_result.inferred + sum(build_result.graphs.values(), Graph())
    attributed = {str(o).rsplit("/", 1)[-1] for o in everything.objects(plan, PROV.wasAttributedTo)}
    assert attributed == {"PER", "NOR"}
