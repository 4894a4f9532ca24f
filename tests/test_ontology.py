from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from ccmgraph import paths
from ccmgraph.namespaces import BASE, CCM, INFERRED_GRAPH, ONTOLOGY_GRAPH

ONTOLOGY = Graph().parse(paths.ONTOLOGY)
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def declared() -> set[URIRef]:
    out = {s for kind in KINDS for s in ONTOLOGY.subjects(RDF.type, kind)}
    individuals = {s for s in ONTOLOGY.subjects(RDF.type, OWL.NamedIndividual)}
    return out | individuals


def test_header():
    (ontology,) = ONTOLOGY.subjects(RDF.type, OWL.Ontology)
    assert ontology == URIRef(BASE + "ontology")  # the IRI /ontology serves
    for prop in (OWL.versionIRI, DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created):
        assert ONTOLOGY.value(ontology, prop) is not None, prop


def test_every_declared_term_has_label_and_comment():
    for term in declared():
        if str(term).startswith(str(CCM)):
            assert isinstance(ONTOLOGY.value(term, RDFS.label), Literal), term
            assert isinstance(ONTOLOGY.value(term, RDFS.comment), Literal), term


def test_every_ccm_term_used_in_data_is_declared(build_result):
    used = set()
    for name, g in build_result.graphs.items():
        if name in (ONTOLOGY_GRAPH, INFERRED_GRAPH):
            continue
        used |= {p for p in g.predicates() if str(p).startswith(str(CCM))}
        used |= {o for o in g.objects(None, RDF.type) if str(o).startswith(str(CCM))}
        used |= {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(str(CCM))}
    undeclared = used - declared()
    assert not undeclared, sorted(undeclared)


def test_every_property_in_data_is_declared_somewhere(build_result):
    """No typo'd property of any vocabulary: each is declared by our ontology or a known W3C one."""
    known = ("http://www.w3.org/", "http://purl.org/dc/terms/", "http://xmlns.com/foaf/0.1/")
    for name, g in build_result.graphs.items():
        for p in set(g.predicates()):
            assert str(p).startswith(known) or p in declared(), (name, p)


def test_reasoning_axioms_are_present():
    assert (CCM.servesAction, OWL.inverseOf, CCM.servedBy) in ONTOLOGY
    assert (CCM.partOf, OWL.inverseOf, CCM.hasElement) in ONTOLOGY
    assert (CCM.State, OWL.disjointWith, CCM.Organization) in ONTOLOGY
    assert (CCM.Objective, OWL.disjointWith, CCM.Activity) in ONTOLOGY
    chain = ONTOLOGY.value(CCM.servesAction, OWL.propertyChainAxiom)
    # only alignments on the text's word (not curator judgement) make the shortcut
    assert list(ONTOLOGY.items(chain)) == [CCM.hasTextBasedAlignment, CCM.action]
    assert (CCM.hasTextBasedAlignment, RDFS.subPropertyOf, CCM.hasAlignment) in ONTOLOGY
    # only stated continuations become PROV; strategy implementers are not whom a plan is attributed to
    assert (CCM.continues, RDFS.subPropertyOf, PROV.wasRevisionOf) not in ONTOLOGY
    assert (CCM.revises, RDFS.subPropertyOf, PROV.wasRevisionOf) in ONTOLOGY
    assert (CCM.implementer, RDFS.subPropertyOf, PROV.wasAttributedTo) not in ONTOLOGY


def test_link_bases_are_skos_concepts_with_a_strength():
    # data/README.md: stated in the text, by heading, by position, curator judgement (and the two inherited)
    # the four an action alignment can have (the analyses' `basis` parameter counts up to one of them)
    alignment = set(ONTOLOGY.subjects(RDF.type, CCM.AlignmentBasis))
    assert alignment == {CCM.StatedInText, CCM.InheritedFromObjective, CCM.InheritedFromWorkPlan, CCM.CuratorJudgement}
    # the structural ones, for qualified links only
    bases = alignment | set(ONTOLOGY.subjects(RDF.type, CCM.LinkBasis))
    assert bases - alignment == {CCM.ByHeading, CCM.ByPosition}
    assert (CCM.AlignmentBasis, RDFS.subClassOf, CCM.LinkBasis) in ONTOLOGY
    assert (CCM.LinkBasis, RDFS.subClassOf, SKOS.Concept) in ONTOLOGY
    for basis in bases:
        assert ONTOLOGY.value(basis, SKOS.notation) is not None, basis
        assert ONTOLOGY.value(basis, CCM.strength) is not None, basis


def test_meeting_roles_are_kinds_of_one_relation():
    roles = set(ONTOLOGY.subjects(RDFS.subPropertyOf, CCM.concernsMeeting))
    assert roles == {CCM.leadsUpTo, CCM.preparesFor, CCM.submittedTo, CCM.mandatedBy}
    # a bare mention is not a role
    assert (CCM.mentions, RDFS.subPropertyOf, CCM.concernsMeeting) not in ONTOLOGY
