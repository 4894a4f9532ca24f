from pathlib import Path

from rdflib import Graph

from ccmgraph import paths
from ccmgraph.pipeline.validate import validate

BROKEN = """
@prefix ccm: <https://w3id.org/ccmgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/ccmgraph/id/lap-action/99> a ccm:LAPAction ; rdfs:label "LAP Action 99" ;
    ccm:actionNumber 99 ; <http://www.w3.org/2004/02/skos/core#notation> "99" ;
    ccm:actionPlan <https://w3id.org/ccmgraph/id/lap> ;
    <http://purl.org/dc/terms/source> <http://www.clusterconvention.org/lausanne-action-plan/> .
<https://w3id.org/ccmgraph/id/lap> a ccm:ActionPlan ; rdfs:label "Lausanne Action Plan 2021-2026" ;
    <http://purl.org/dc/terms/source> <http://www.clusterconvention.org/lausanne-action-plan/> .
"""


def test_report_names_focus_path_message_and_file():
    data = Graph().parse(data=BROKEN, format="turtle")
    report = validate(
        data,
        Graph().parse(paths.SHAPES),
        Graph().parse(paths.ONTOLOGY),
        {Path("data/reference/lap.ttl"): data},
    )
    assert not report.conforms
    (v,) = report.violations
    assert v.focus == "<https://w3id.org/ccmgraph/id/lap-action/99>"
    assert v.path.endswith("#actionNumber>")
    assert v.files == ("data/reference/lap.ttl",)
    assert "1..50" in v.message
    text = str(report)
    assert "data/reference/lap.ttl" in text and "lap-action/99" in text and "1..50" in text


def test_the_built_graph_conforms(build_result):
    assert build_result.report.conforms, str(build_result.report)
