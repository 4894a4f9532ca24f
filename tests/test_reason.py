from rdflib import Graph
from rdflib.namespace import OWL, RDF

from ccmgraph import paths
from ccmgraph.namespaces import CCM, ID
from ccmgraph.pipeline.reason import infer

DATA = """
@prefix ccm: <https://w3id.org/ccmgraph/ontology#> .
@prefix id: <https://w3id.org/ccmgraph/id/> .
<https://w3id.org/ccmgraph/id/workplan/x> a ccm:WorkPlan ;
    ccm:hasActivity <https://w3id.org/ccmgraph/id/workplan/x/activity/1> .
<https://w3id.org/ccmgraph/id/workplan/x/activity/1> a ccm:Activity ;
    ccm:hasAlignment <https://w3id.org/ccmgraph/id/workplan/x/activity/1/alignment/10-StatedInText> .
<https://w3id.org/ccmgraph/id/workplan/x/activity/1/alignment/10-StatedInText> a ccm:ActionAlignment ;
    ccm:action <https://w3id.org/ccmgraph/id/lap-action/10> ; ccm:basis ccm:StatedInText .
"""


def _inferred():
    ontology = Graph().parse(paths.ONTOLOGY)
    return infer(ontology, Graph().parse(data=DATA, format="turtle"))


def test_qualified_alignment_yields_serves_action_and_served_by():
    g = _inferred()
    activity, action = ID["workplan/x/activity/1"], ID["lap-action/10"]
    assert (activity, CCM.servesAction, action) in g
    assert (action, CCM.servedBy, activity) in g


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
        for o in g.objects(a, CCM.action)
    }
    assert pairs, "no alignments in the data"
    assert all((s, CCM.servesAction, o) in inferred for s, o in pairs)
    assert all((o, CCM.servedBy, s) in inferred for s, o in pairs)
    asserted = [g for name, g in build_result.graphs.items() if g is not inferred]
    assert not any((None, CCM.servesAction, None) in g for g in asserted), "servesAction must only be inferred"
