"""The build derives what the text's layout says: partOf, the plan's has... links, positions,
descriptions; and its rule-set reasoner gives what owlrl gives."""

import shutil

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF

from ccmgraph import paths
from ccmgraph import pipeline as building
from ccmgraph.namespaces import CCM, INFERRED_GRAPH, ONTOLOGY_GRAPH
from ccmgraph.pipeline import authoring, reason
from ccmgraph.settings import ProjectPaths

DERIVED = (
    CCM.partOf,
    CCM.position,
    CCM.hasObjective,
    CCM.hasActivity,
    CCM.hasExpectedOutput,
    CCM.hasOutcome,
    CCM.hasTimelineEntry,
    CCM.hasBudget,
)


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(paths.ONTOLOGY_DIR, root / "ontology")
    shutil.copytree(paths.DATA, root / "data")
    monkeypatch.setattr(paths, "_current", ProjectPaths(root, paths.DIST))
    return root


def _quads(result: building.Result) -> set[tuple]:
    return {(name, *t) for name, g in result.graphs.items() for t in g}


def test_slim_files_build_the_same_graph(project_copy, build_result):
    """The curated files write nothing the build derives; writing it all back, as the files did
    before they were slimmed (every partOf, has... link, position and description the build
    gives an element), builds the same graph, quad for quad."""
    dropped = 0
    for path in (project_copy / "data" / "workplans").glob("*.ttl"):
        g = Graph().parse(path)
        assert not [t for p in DERIVED for t in g.triples((None, p, None))], path.name
        built = next(gr for name, gr in build_result.graphs.items() if str(name).endswith("/" + path.stem))
        elements = authoring._elements(built)
        for p in (*DERIVED, DCTERMS.description):
            for s, o in built.subject_objects(p):
                if s in elements or (p != DCTERMS.description and s in elements.values()):
                    dropped += (s, p, o) not in g
                    g.add((s, p, o))
        g.serialize(path, format="nt")
    assert dropped > 1000  # 315 partOf, 316 positions, the plans' links, 212 descriptions repeating a quote
    assert _quads(building.run()) == _quads(build_result)


def test_quote_is_the_description_and_order_follows_the_text(project_copy):
    plan = "https://w3id.org/ccmgraph/id/workplan/gso-2024-2025"
    path = project_copy / "data" / "workplans" / "gso-workplan-2024-2025.ttl"
    g = Graph().parse(path)
    act = next(s for s in g.subjects(RDF.type, CCM.Activity) if str(s).endswith("/activity/1b"))
    g.remove((act, DCTERMS.description, None))
    for p in DERIVED:
        g.remove((None, p, None))
    g.serialize(path, format="nt")
    built = building.run().graphs
    wp = next(gr for name, gr in built.items() if str(name).endswith("gso-workplan-2024-2025"))
    assert wp.value(act, DCTERMS.description) == Literal(
        "organize meetings between the CCM and other humanitarian disarmament treaties and commitments, "
        "esp. the APMBC, to explore how to best enhance synergies on gender and diversity efforts.",
        lang="en",
    )
    assert str(wp.value(act, CCM.partOf)) == plan
    # "b) organize meetings" is the third activity in the text: 1) Gender mainstreaming, a), b)
    assert wp.value(act, CCM.position) == Literal(3)


def test_list_markers_are_dropped():
    for marker in ("a) ", "1) ", "(b) ", "- ", "▪ ", "• ", "3. ", "c/ "):
        assert authoring._MARKER.sub("", marker + "Meet the ISU", count=1) == "Meet the ISU"
    assert authoring._MARKER.sub("", "UNIDIR research", count=1) == "UNIDIR research"


def test_rule_set_gives_what_owlrl_gives(build_result):
    data = Graph()
    for name, g in build_result.graphs.items():
        if name not in (ONTOLOGY_GRAPH, INFERRED_GRAPH):
            data += g
    ontology = build_result.graphs[ONTOLOGY_GRAPH]
    fast = reason.infer(ontology, data, engine="rules")
    assert set(fast) == set(build_result.inferred)
    assert set(fast) == set(reason.infer(ontology, data, engine="owlrl"))


def test_unknown_owl_construct_falls_back_to_owlrl():
    from ccmgraph.pipeline import rules

    ontology = Graph().parse(paths.ONTOLOGY)
    ontology.add((CCM.partner, RDF.type, CCM.term("Nothing")))
    rules.compile_rules(ontology)  # a non-OWL type is fine
    from rdflib.namespace import OWL

    ontology.add((CCM.partner, OWL.hasKey, CCM.term("x")))
    with pytest.raises(rules.Unsupported):
        rules.compile_rules(ontology)
