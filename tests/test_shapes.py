"""Every shape in ontology/shapes.ttl can fail: a small broken graph makes each report."""

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from ccmgraph import paths
from ccmgraph.pipeline.validate import validate as build_validate

PREFIXES = """
@prefix ccm: <https://w3id.org/ccmgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix x: <https://w3id.org/ccmgraph/id/x/> .
"""

BROKEN = {
    "SourceDocument": 'x:doc a ccm:SourceDocument ; dcterms:title "T" ; ccm:fileName "a.txt" ; '
    'ccm:issuer x:wg ; ccm:sha256 "NOT-HEX" .',
    "Evidence": 'x:ev a ccm:Evidence ; oa:hasSelector x:q , x:p . x:q oa:exact "four" . '
    'x:p oa:start "0"^^xsd:nonNegativeInteger ; oa:end "9"^^xsd:nonNegativeInteger .',
    "WorkPlan": 'x:wp a ccm:WorkPlan ; rdfs:label "W" .',
    "PlanElement": 'x:a a ccm:Activity ; rdfs:label "A" ; ccm:position 0 .',
    "TimelineEntry": 'x:t a ccm:TimelineEntry ; rdfs:label "T" .',
    "Budget": 'x:b a ccm:Budget ; ccm:totalAmount 100.0 ; ccm:currency "CHF" ; ccm:budgetLine x:l1 , x:l2 . '
    "x:l1 a ccm:BudgetLine ; ccm:amount 60.0 . x:l2 a ccm:BudgetLine ; ccm:amount 30.0 .",
    "BudgetLine": 'x:l a ccm:BudgetLine ; ccm:amount "-5"^^xsd:decimal .',
    "ActionAlignment": "x:e ccm:hasAlignment x:al . x:al a ccm:ActionAlignment ; ccm:basis ccm:StatedInText .",
    "CuratorJudgementExplained": "x:al ccm:basis ccm:CuratorJudgement .",
    "Continuation": 'x:c a ccm:Continuation ; ccm:basis ccm:CuratorJudgement ; rdfs:comment "why" .',
    "LAPAction": 'x:a51 a ccm:LAPAction ; ccm:actionNumber 51 ; skos:notation "51" ; rdfs:label "LAP Action 51" .',
    "ActionPlan": 'x:plan a ccm:ActionPlan ; rdfs:label "Action plan without a source" .',
    "PlanAction": 'x:n1 a ccm:PlanAction ; ccm:actionNumber 0 ; rdfs:label "Action 0" ; dcterms:source x:s .',
    "State": 'x:s a ccm:State ; rdfs:label "Germany" ; ccm:iso3166Alpha3 "de" .',
    "TreatyStatus": "x:st a ccm:TreatyStatus ; ccm:status ccm:StateParty ; dcterms:source x:src .",
    "Agent": 'x:o a ccm:Organization ; rdfs:label "O" .',
    "Meeting": 'x:m a ccm:Meeting ; rdfs:label "M" ; dcterms:source x:s ; ccm:presidency x:s1 , x:s2 . '
    "x:s1 a ccm:State . x:s2 a ccm:State .",
    "ConventionArticle": "x:art a ccm:ConventionArticle ; ccm:articleNumber 24 .",
    "StateCategory": 'x:cat a ccm:StateCategory ; rdfs:label "C" ; ccm:statusCriterion x:notastatus .',
    "QualifiedLink": "x:a ccm:hasQualifiedLink x:q . x:q a ccm:QualifiedLink ; ccm:linkProperty ccm:contributesTo ; "
    "ccm:linkTarget x:b ; ccm:basis ccm:ByHeading .",
    "StructuralLinkQualified": "x:a ccm:contributesTo x:b .",
    "StatedCount": "x:n a ccm:StatedCount ; ccm:countValue 112 .",
    "StaffPosition": "x:p a ccm:StaffPosition ; ccm:fullTimeEquivalent 1.5 .",
    "Presidency": 'x:p a ccm:Presidency ; rdfs:label "P" ; dcterms:source x:s .',
    "OfficialDocument": "x:d a ccm:OfficialDocument .",
    "Interval": "x:i a time:ProperInterval ; time:hasBeginning x:b ; time:hasEnd x:e . "
    'x:b time:inXSDDate "2025-03-01"^^xsd:date . x:e time:inXSDDate "2025-01-01"^^xsd:date .',
}

SHAPES = Graph().parse(paths.SHAPES)
ONTOLOGY = Graph().parse(paths.ONTOLOGY)
SHAPE_NS = "https://w3id.org/ccmgraph/shapes#"


def _shape_of(result_shape, shapes: Graph) -> URIRef:
    """The node shape a result's source shape is, or belongs to."""
    owner = shapes.value(predicate=SH.property, object=result_shape)
    return owner if owner is not None else result_shape


def test_every_shape_has_a_broken_fixture():
    declared = {str(s)[len(SHAPE_NS) :] for s in SHAPES.subjects(RDF.type, SH.NodeShape)}
    assert declared == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_shape_reports_its_violation(name):
    data = Graph().parse(data=PREFIXES + BROKEN[name], format="turtle")
    conforms, results, _ = validate(data, shacl_graph=SHAPES, ont_graph=ONTOLOGY, advanced=True)
    assert not conforms
    failing = {
        _shape_of(results.value(r, SH.sourceShape), SHAPES) for r in results.subjects(RDF.type, SH.ValidationResult)
    }
    assert URIRef(SHAPE_NS + name) in failing


def test_qualified_link_reports_each_failure():
    """The link above has no evidence for its heading and qualifies a statement nobody asserts."""
    data = Graph().parse(data=PREFIXES + BROKEN["QualifiedLink"], format="turtle")
    _, results, _ = validate(data, shacl_graph=SHAPES, ont_graph=ONTOLOGY, advanced=True)
    messages = {str(m) for m in results.objects(None, SH.resultMessage)}
    assert "A link stated in the text or by a heading needs ccm:evidence quoting it." in messages
    assert "The statement a qualified link qualifies is not asserted." in messages


def test_qualified_structural_link_conforms():
    ok = (
        BROKEN["StructuralLinkQualified"] + " x:a ccm:hasQualifiedLink x:q . x:q a ccm:QualifiedLink ; "
        "ccm:linkProperty ccm:contributesTo ; ccm:linkTarget x:b ; ccm:basis ccm:CuratorJudgement ; "
        'rdfs:comment "why" .'
    )
    data = Graph().parse(data=PREFIXES + ok, format="turtle")
    conforms, _, text = validate(data, shacl_graph=SHAPES, ont_graph=ONTOLOGY, advanced=True)
    assert conforms, text


def test_budget_that_adds_up_conforms():
    ok = BROKEN["Budget"].replace("30.0", "40.0")
    data = Graph().parse(data=PREFIXES + ok, format="turtle")
    _, results, _ = validate(data, shacl_graph=SHAPES, ont_graph=ONTOLOGY, advanced=True)
    messages = {str(m) for m in results.objects(None, SH.resultMessage)}
    assert "The budget lines do not add up to the stated total." not in messages


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_builds_validator_reports_what_pyshacl_reports(name):
    """The build runs the SPARQL constraints on Oxigraph, once each, and the rest with pySHACL
    (ccmgraph.pipeline.validate): the same violations as pySHACL with its advanced features."""
    data = Graph().parse(data=PREFIXES + BROKEN[name], format="turtle")
    _, results, _ = validate(data, shacl_graph=SHAPES, ont_graph=ONTOLOGY, advanced=True)
    expected = {
        (str(results.value(r, SH.focusNode)), str(results.value(r, SH.resultMessage)))
        for r in results.subjects(RDF.type, SH.ValidationResult)
    }
    report = build_validate(data, SHAPES, ONTOLOGY)
    assert {(v.focus.strip("<>"), v.message) for v in report.violations} == expected
